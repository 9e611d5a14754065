"""Delete with Undo: deleted rows wait a few minutes in ``deleted_tasks``.

Deleting copies the rows whole into the trash and deletes them, in one
transaction; Undo copies them back (same ids, fields and positions) for the
person who deleted them only. The browser holds nothing but a random batch id.
"""

import uuid
from datetime import timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import DeletedTask, Task, utcnow

UNDO_SECONDS = 10  # how long the Undo button is offered on screen
KEEP_FOR = timedelta(minutes=10)  # how long the server keeps what it could restore
COLUMNS = ["id", "user_id", "title", "description", "completed", "completed_at", "due_date",
           "priority", "position", "created_at", "updated_at"]


def delete(user_id: str, *conditions) -> tuple[uuid.UUID, int]:
    """Move the user's tasks that match ``conditions`` to the trash; return (batch, count)."""
    batch = uuid.uuid4()
    now = utcnow()
    db.session.execute(sa.delete(DeletedTask).where(DeletedTask.deleted_at < now - KEEP_FOR))
    source = sa.select(
        sa.literal(batch, sa.Uuid()), sa.literal(now, DeletedTask.deleted_at.type),
        *(Task.__table__.c[name] for name in COLUMNS),
    ).where(Task.user_id == user_id, *conditions)
    copied = db.session.execute(
        sa.insert(DeletedTask).from_select(["batch_id", "deleted_at", *COLUMNS], source)
    ).rowcount
    db.session.execute(sa.delete(Task).where(Task.user_id == user_id, *conditions))
    return batch, copied


def restore(user_id: str, batch: uuid.UUID) -> int:
    """Put a batch back exactly as it was; 0 when there is nothing (left) to restore."""
    trash = DeletedTask.__table__
    source = sa.select(*(trash.c[name] for name in COLUMNS)).where(
        trash.c.batch_id == batch,
        trash.c.user_id == user_id,
        trash.c.deleted_at >= utcnow() - KEEP_FOR,
        ~sa.exists().where(Task.id == trash.c.id),
    )
    restored = db.session.execute(sa.insert(Task).from_select(COLUMNS, source)).rowcount
    db.session.execute(sa.delete(DeletedTask).where(DeletedTask.batch_id == batch, DeletedTask.user_id == user_id))
    return restored
