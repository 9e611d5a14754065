"""The queries behind the task list, each a single SQL statement.

The list page costs three statements whatever the number of tasks: the
logged-in user, the counts, and one keyset page of tasks served by the
``(user_id, created_at, id)`` index. No OFFSET: the next page starts after
the last row shown, so page 1,000 is as cheap as page 1.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa

from ..extensions import db
from ..models import Task

PAGE_SIZE = 50
_CURSOR = re.compile(r"^(\d{20})-([0-9a-f]{32})$")


@dataclass(frozen=True)
class Counts:
    total: int
    completed: int

    @property
    def active(self) -> int:
        return self.total - self.completed


@dataclass(frozen=True)
class Page:
    tasks: list[Task]
    next_cursor: str | None


def owned_task(user_id: str, task_id: uuid.UUID) -> Task | None:
    """The task if it exists *and* belongs to this user; else None (a 404, not a 403)."""
    return db.session.scalar(sa.select(Task).where(Task.id == task_id, Task.user_id == user_id))


def counts(user_id: str) -> Counts:
    completed = sa.func.coalesce(sa.func.sum(sa.case((Task.completed.is_(True), 1), else_=0)), 0)
    total, done = db.session.execute(
        sa.select(sa.func.count(Task.id), completed).where(Task.user_id == user_id)
    ).one()
    return Counts(total=int(total), completed=int(done))


def encode_cursor(task: Task) -> str:
    return f"{task.created_at.astimezone(timezone.utc):%Y%m%d%H%M%S%f}-{task.id.hex}"


def decode_cursor(raw: str | None) -> tuple[datetime, uuid.UUID] | None:
    match = _CURSOR.match(raw or "")
    if not match:
        return None
    try:
        created_at = datetime.strptime(match[1], "%Y%m%d%H%M%S%f").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    return created_at, uuid.UUID(match[2])


def _filtered(statement, list_filter: str):
    if list_filter == "active":
        return statement.where(Task.completed.is_(False))
    if list_filter == "completed":
        return statement.where(Task.completed.is_(True))
    return statement


def list_page(user_id: str, list_filter: str = "all", after: str | None = None) -> Page:
    """One page of the user's tasks, newest first."""
    statement = _filtered(sa.select(Task).where(Task.user_id == user_id), list_filter)
    cursor = decode_cursor(after)
    if cursor:
        statement = statement.where(sa.tuple_(Task.created_at, Task.id) < sa.tuple_(*cursor))
    statement = statement.order_by(Task.created_at.desc(), Task.id.desc()).limit(PAGE_SIZE + 1)
    tasks = list(db.session.scalars(statement))
    if len(tasks) > PAGE_SIZE:
        tasks = tasks[:PAGE_SIZE]
        return Page(tasks, encode_cursor(tasks[-1]))
    return Page(tasks, None)


def matches_filter(task: Task, list_filter: str) -> bool:
    if list_filter == "active":
        return not task.completed
    if list_filter == "completed":
        return task.completed
    return True


def set_all_completed(user_id: str, completed: bool) -> None:
    db.session.execute(
        sa.update(Task)
        .where(Task.user_id == user_id, Task.completed.is_not(completed))
        .values(
            completed=completed,
            completed_at=datetime.now(timezone.utc) if completed else None,
            updated_at=datetime.now(timezone.utc),
        )
    )


def delete_completed(user_id: str) -> None:
    db.session.execute(sa.delete(Task).where(Task.user_id == user_id, Task.completed.is_(True)))
