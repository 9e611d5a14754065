"""The person's own order of tasks: sparse positions, ascending.

A move puts a task halfway between its new neighbours, so it rewrites one
row. In a list's view the neighbours are that list's tasks (``scope``); the
positions are one order over all the person's tasks, so every list's view of
it stays consistent. Only when two neighbours leave no room between them are the person's
positions spread out again, in one UPDATE.
"""

import sqlalchemy as sa

from ..extensions import db
from ..models import Task

GAP = 1024


def top_position(user_id: str, count: int = 1) -> int:
    """The position for the first of ``count`` tasks put on top of the list."""
    lowest = db.session.scalar(sa.select(sa.func.min(Task.position)).where(Task.user_id == user_id))
    return (0 if lowest is None else lowest) - GAP * count


def _ordered(user_id: str, exclude: Task, scope=()):
    return sa.select(Task).where(Task.user_id == user_id, Task.id != exclude.id, *scope)


def _before(user_id: str, task: Task, limit: int, scope=()) -> list[Task]:
    """Up to ``limit`` tasks just above ``task``, nearest first."""
    above = sa.or_(Task.position < task.position, sa.and_(Task.position == task.position, Task.id < task.id))
    statement = _ordered(user_id, task, scope).where(above).order_by(Task.position.desc(), Task.id.desc())
    return list(db.session.scalars(statement.limit(limit)))


def _after(user_id: str, task: Task, limit: int, exclude: Task | None = None, scope=()) -> list[Task]:
    """Up to ``limit`` tasks just below ``task``, nearest first."""
    below = sa.or_(Task.position > task.position, sa.and_(Task.position == task.position, Task.id > task.id))
    statement = _ordered(user_id, exclude or task, scope).where(below).order_by(Task.position, Task.id)
    return list(db.session.scalars(statement.limit(limit)))


def _spread_out(user_id: str) -> None:
    db.session.execute(
        sa.text(
            "UPDATE tasks SET position = ranked.n * :gap FROM ("
            " SELECT id, row_number() OVER (ORDER BY position, id) AS n FROM tasks WHERE user_id = :user_id"
            ") AS ranked WHERE tasks.id = ranked.id"
        ),
        {"gap": GAP, "user_id": user_id},
    )
    db.session.expire_all()


def _place_between(user_id: str, task: Task, upper: Task | None, lower: Task | None, retry: bool = True) -> None:
    if upper is None and lower is None:
        return
    if upper is None:
        task.position = lower.position - GAP
    elif lower is None:
        task.position = upper.position + GAP
    elif lower.position - upper.position > 1:
        task.position = (upper.position + lower.position) // 2
    elif retry:
        _spread_out(user_id)
        _place_between(user_id, task, upper, lower, retry=False)


def move(user_id: str, task: Task, direction: str, scope=()) -> None:
    """One step up or down in the manual order (among the tasks in ``scope``)."""
    if direction == "up":
        above = _before(user_id, task, 2, scope)
        if above:
            _place_between(user_id, task, above[1] if len(above) > 1 else None, above[0])
    elif direction == "down":
        below = _after(user_id, task, 2, scope=scope)
        if below:
            _place_between(user_id, task, below[0], below[1] if len(below) > 1 else None)


def move_after(user_id: str, task: Task, upper: Task | None, scope=()) -> None:
    """Put ``task`` right below ``upper`` (or on top when ``upper`` is None): drag and drop."""
    if upper is None:
        first = db.session.scalars(_ordered(user_id, task, scope).order_by(Task.position, Task.id).limit(1)).first()
        _place_between(user_id, task, None, first)
    else:
        following = _after(user_id, upper, 1, exclude=task, scope=scope)
        _place_between(user_id, task, upper, following[0] if following else None)
