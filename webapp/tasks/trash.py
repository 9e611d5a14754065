"""Delete with Undo: deleted rows wait a few minutes in ``deleted_tasks``.

Deleting copies the rows whole into the trash and deletes them, in one
transaction; Undo copies them back (same ids, fields, lists, labels and
positions) for the person who deleted them only. A task's subtasks go into
the trash with it (the database deletes them by cascade). Deleting a list
puts the list itself in ``deleted_lists``, in the same batch as its tasks.
The browser holds nothing but a random batch id.
"""

import uuid
from datetime import timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import INBOX, DeletedList, DeletedTask, DeletedTaskLabel, Task, TaskList, task_labels, utcnow

UNDO_SECONDS = 10  # how long the Undo button is offered on screen
KEEP_FOR = timedelta(minutes=10)  # how long the server keeps what it could restore
COLUMNS = ["id", "user_id", "title", "description", "completed", "completed_at", "due_date",
           "priority", "position", "created_at", "updated_at", "list_id", "parent_id", "repeat", "repeat_anchor_day"]
LIST_COLUMNS = ["id", "user_id", "name", "position"]


def _forget_old(now) -> None:
    for table in (DeletedTask, DeletedList):
        db.session.execute(sa.delete(table).where(table.deleted_at < now - KEEP_FOR))


def delete(user_id: str, *conditions, batch: uuid.UUID | None = None) -> tuple[uuid.UUID, int]:
    """Move the user's tasks that match ``conditions`` (and their subtasks) to
    the trash; return (batch, how many matched)."""
    batch = batch or uuid.uuid4()
    now = utcnow()
    _forget_old(now)
    matched = sa.and_(Task.user_id == user_id, *conditions)
    chosen = sa.select(Task.id).where(matched).correlate(None)
    subtasks = sa.and_(Task.user_id == user_id, Task.parent_id.in_(chosen), sa.not_(matched))
    # What the person chose, counted as it is copied (a count after the
    # DELETE would differ: SQLite cascades to subtasks row by row,
    # PostgreSQL at the end of the statement); then their subtasks.
    count = 0
    for rows in (matched, subtasks):
        source = sa.select(
            sa.literal(batch, sa.Uuid()), sa.literal(now, DeletedTask.deleted_at.type),
            *(Task.__table__.c[name] for name in COLUMNS),
        ).where(rows)
        copied = db.session.execute(sa.insert(DeletedTask).from_select(["batch_id", "deleted_at", *COLUMNS], source))
        count = count or copied.rowcount
    trashed = sa.select(DeletedTask.id).where(DeletedTask.batch_id == batch)
    db.session.execute(sa.insert(DeletedTaskLabel).from_select(
        ["batch_id", "task_id", "label_id"],
        sa.select(sa.literal(batch, sa.Uuid()), task_labels.c.task_id, task_labels.c.label_id)
        .where(task_labels.c.task_id.in_(trashed)),
    ))
    db.session.execute(sa.delete(Task).where(matched))  # the subtasks go by cascade
    return batch, count


def delete_list(user_id: str, task_list: TaskList) -> tuple[uuid.UUID, int]:
    """Move a list and its tasks to the trash, as one batch; return (batch, tasks)."""
    batch = uuid.uuid4()
    _, count = delete(user_id, Task.list_id == task_list.id, batch=batch)
    db.session.execute(sa.insert(DeletedList).values(
        batch_id=batch, deleted_at=utcnow(), **{name: getattr(task_list, name) for name in LIST_COLUMNS}))
    db.session.execute(sa.delete(TaskList).where(TaskList.id == task_list.id, TaskList.user_id == user_id))
    return batch, count


def restore(user_id: str, batch: uuid.UUID) -> int:
    """Put a batch back exactly as it was; 0 when there is nothing (left) to restore.

    A list comes back under its id unless its name was taken meanwhile; a task
    goes back to its list, or to a list of that name, or else to the Inbox;
    under its parent while that exists; with the labels that still exist."""
    fresh = utcnow() - KEEP_FOR
    lists = DeletedList.__table__
    db.session.execute(sa.insert(TaskList).from_select(LIST_COLUMNS, sa.select(*(lists.c[name] for name in LIST_COLUMNS)).where(
        lists.c.batch_id == batch, lists.c.user_id == user_id, lists.c.deleted_at >= fresh,
        ~sa.exists().where(TaskList.id == lists.c.id),
        ~sa.exists().where(TaskList.user_id == lists.c.user_id, TaskList.name == lists.c.name),
    )))

    trash = DeletedTask.__table__
    same_name = (sa.select(TaskList.id).join(lists, sa.and_(TaskList.user_id == lists.c.user_id, TaskList.name == lists.c.name))
                 .where(lists.c.batch_id == batch, lists.c.id == trash.c.list_id).scalar_subquery())
    home = sa.func.coalesce(
        sa.select(TaskList.id).where(TaskList.id == trash.c.list_id, TaskList.user_id == user_id).scalar_subquery(),
        same_name,
        sa.select(TaskList.id).where(TaskList.user_id == user_id, TaskList.name == INBOX).scalar_subquery(),
    )
    siblings = sa.select(DeletedTask.id).where(DeletedTask.batch_id == batch).correlate(None)
    parent = sa.case(
        (sa.or_(sa.exists().where(Task.id == trash.c.parent_id), trash.c.parent_id.in_(siblings)), trash.c.parent_id),
        else_=sa.null(),
    )
    values = {"list_id": home, "parent_id": parent}
    source = sa.select(*(values.get(name, trash.c[name]) for name in COLUMNS)).where(
        trash.c.batch_id == batch,
        trash.c.user_id == user_id,
        trash.c.deleted_at >= fresh,
        ~sa.exists().where(Task.id == trash.c.id),
    )
    restored = db.session.execute(sa.insert(Task).from_select(COLUMNS, source)).rowcount

    links = DeletedTaskLabel.__table__
    db.session.execute(sa.insert(task_labels).from_select(["task_id", "label_id"], sa.select(
        links.c.task_id, links.c.label_id).where(
        links.c.batch_id == batch,
        sa.exists().where(Task.id == links.c.task_id, Task.user_id == user_id),
        ~sa.exists().where(task_labels.c.task_id == links.c.task_id, task_labels.c.label_id == links.c.label_id),
    )))
    db.session.execute(sa.delete(DeletedTask).where(DeletedTask.batch_id == batch, DeletedTask.user_id == user_id))
    db.session.execute(sa.delete(DeletedList).where(DeletedList.batch_id == batch, DeletedList.user_id == user_id))
    return restored
