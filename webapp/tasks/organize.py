"""Organising tasks: labels, subtasks, repeats and lists by name, on the database.

The services beneath the views and the import. Each takes the person (a
``User``) and works in the caller's transaction: none commits, so a view can
refuse and roll back, and an import writes everything or nothing. Refusals
are exceptions: ``OrganizeError`` (and ``repeats.RepeatError``) carry a
message for the person, shown beside the field named by ``.field`` with a
422; ``NotFound`` means "not one of this person's", a 404 that says nothing
more. Every check runs before anything is written.

Decisions (the tests in tests/test_organize.py pin each one):

- Labels are matched case-insensitively (``str.casefold``): typing "Home"
  when "home" exists gives that label, which keeps its first spelling. A
  name is trimmed, runs of spaces fold to one, a leading "#" (quick add's
  mark) is dropped; empty names are skipped ("home, , work"); commas (the
  separator), control characters and names over ``LABEL_MAX`` are refused.
  At most ``LABELS_PER_TASK`` on a task, ``LABELS_PER_PERSON`` per person.
- New labels (and lists) are written with INSERT ... ON CONFLICT DO NOTHING
  and read back, so two requests creating the same new label at once both
  get the one row; neither sees an IntegrityError, and no savepoint is
  needed (pysqlite's SAVEPOINT handling is unreliable). The database's
  unique key is the exact name: two requests at the same instant creating
  "Home" and "home" can make both, which is harmless (both work).
- Subtasks: one level. A subtask cannot have subtasks, a task with subtasks
  cannot become one, and no task is its own parent. A subtask lives in its
  parent's list: giving a task a parent moves it there.
- Repeats: a repeating task always has a due date (``set_repeat`` seeds one
  with ``first_due`` from the person's today). ``repeat_anchor_day`` is the
  day of the due date the person chose; it is set when the due date or the
  rule changes (an unchanged value sent again by an edit form keeps it), and
  kept when the task moves on, so 31 Jan gives 28 Feb, then 31 Mar.
- Completing a repeating task keeps a completed copy in history and moves
  the task itself to its next due date, open; its subtasks are reopened for
  the next round (as Todoist does). When the series has ended (UNTIL), or
  its stored rule is one Docket no longer accepts, the task is simply
  completed.
"""

import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from ..extensions import db
from ..models import LABEL_NAME_MAX, LIST_NAME_MAX, Label, Task, TaskList, User, utcnow
from .repeats import RepeatError, first_due, next_due, normalise_repeat

__all__ = [
    "LABEL_MAX", "LABELS_PER_PERSON", "LABELS_PER_TASK", "LISTS_PER_PERSON",
    "Completion", "LabelError", "ListNameError", "NotFound", "OrganizeError", "OrganizeFields", "ParentError",
    "RepeatError", "anchor_values", "apply_fields", "clean_label_names", "clean_list_names", "complete_repeating",
    "complete_repeating_matching",
    "labels_named", "lists_named", "parse_task_id", "person_today", "progress_columns", "read_fields",
    "resolve_parent", "set_due_date", "set_labels", "set_parent", "set_repeat", "subtask_progress",
]

LABEL_MAX = LABEL_NAME_MAX  # 60, the column's length
LABELS_PER_TASK = 20
LABELS_PER_PERSON = 1000
LISTS_PER_PERSON = 100  # the same cap as creating a list by hand (tasks/lists.py MAX_LISTS)


class OrganizeError(ValueError):
    """Input that cannot be saved; ``str()`` is the message, ``field`` the form field it belongs to."""

    field = ""


class LabelError(OrganizeError):
    field = "labels"


class ParentError(OrganizeError):
    field = "parent_id"


class ListNameError(OrganizeError):
    field = "list"


class NotFound(LookupError):
    """Not one of this person's tasks (or no such task): answer 404 and say nothing more."""


def _mine(user: User, task: Task) -> None:
    if task.user_id is not None and task.user_id != user.id:
        raise NotFound("no such task")


def person_today(user: User, now: datetime | None = None) -> date:
    """Today's date where the person is (their time zone; UTC when it is unknown)."""
    try:
        zone = ZoneInfo(user.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return (now or utcnow()).astimezone(zone).date()


# -- names: labels and lists --------------------------------------------------


def _clean_name(raw: str, what: str, limit: int, error: type[OrganizeError]) -> str:
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in raw):
        raise error(f"A {what} name cannot contain line breaks, tabs or other control characters.")
    name = " ".join(raw.split())
    if len(name) > limit:
        raise error(f"A {what} name can be at most {limit} characters (“{name[:20]}…” has {len(name)}).")
    return name


def clean_label_names(text_or_names: str | Iterable[str] | None) -> list[str]:
    """The label names in ``text_or_names`` (comma-separated text, or a list of
    names), cleaned, repeats dropped case-insensitively, in the order given.
    Raises ``LabelError``; an empty result means "no labels"."""
    if text_or_names is None:
        return []
    if isinstance(text_or_names, str):
        pieces = text_or_names.split(",")
    else:
        pieces = list(text_or_names)
        for piece in pieces:
            if not isinstance(piece, str):
                raise LabelError("Each label must be a name (text).")
            if "," in piece:
                raise LabelError(f"A label name cannot contain a comma (“{piece[:20]}”): commas separate labels.")
    names, seen = [], set()
    for piece in pieces:
        name = _clean_name(piece, "label", LABEL_MAX, LabelError).lstrip("#").strip()
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    if len(names) > LABELS_PER_TASK:
        raise LabelError(f"A task can have at most {LABELS_PER_TASK} labels (this has {len(names)}).")
    return names


def clean_list_names(names: Iterable[str]) -> list[str]:
    """List names as ``POST /lists`` cleans them (trimmed, spaces folded); one
    per spelling, case-insensitively. Raises ``ListNameError``."""
    cleaned, seen = [], set()
    for raw in names:
        name = _clean_name(raw, "list", LIST_NAME_MAX, ListNameError)
        if not name:
            raise ListNameError("A list name cannot be empty.")
        if name.casefold() not in seen:
            seen.add(name.casefold())
            cleaned.append(name)
    return cleaned


def _upsert(model, user: User, names: list[str], extra: dict | None = None) -> None:
    """INSERT the rows, skipping any name the person has already (their unique key)."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    rows = [{"user_id": user.id, "name": name, **(extra(index) if extra else {})} for index, name in enumerate(names)]
    db.session.execute(insert(model).values(rows).on_conflict_do_nothing(index_elements=["user_id", "name"]))


def _named(model, user: User, names: list[str], limit: int, refuse) -> dict[str, object]:
    """casefold(name) -> row for each of ``names``, made when missing (at most ``limit`` per person)."""
    known = {row.name.casefold(): row for row in db.session.scalars(sa.select(model).where(model.user_id == user.id))}
    missing = [name for name in names if name.casefold() not in known]
    if missing:
        if len(known) + len(missing) > limit:
            raise refuse(len(known), len(missing))
        _upsert(model, user, missing, _positions(known) if model is TaskList else None)
        made = db.session.scalars(sa.select(model).where(model.user_id == user.id, model.name.in_(missing)))
        known.update({row.name.casefold(): row for row in made})
    return {name.casefold(): known[name.casefold()] for name in names}


def _positions(known: dict):
    last = max((row.position for row in known.values()), default=0)
    return lambda index: {"position": last + 1 + index}


def labels_named(user: User, names: list[str]) -> dict[str, Label]:
    """casefold(name) -> the person's ``Label`` for each clean name, created when
    missing. Raises ``LabelError`` past ``LABELS_PER_PERSON``."""

    def refuse(have, new):
        return LabelError(f"That would make {have + new:,} labels: Docket keeps at most {LABELS_PER_PERSON:,} "
                          "per person. Reuse labels you have.")

    return _named(Label, user, names, LABELS_PER_PERSON, refuse)


def lists_named(user: User, names: list[str]) -> dict[str, TaskList]:
    """casefold(name) -> the person's ``TaskList`` for each clean name, created
    (after their other lists) when missing. Raises ``ListNameError`` past
    ``LISTS_PER_PERSON``."""

    def refuse(have, new):
        return ListNameError(f"That would make {have + new:,} lists: Docket keeps at most {LISTS_PER_PERSON:,} "
                             "per person.")

    return _named(TaskList, user, names, LISTS_PER_PERSON, refuse)


def set_labels(user: User, task: Task, text_or_names) -> list[Label]:
    """Give ``task`` exactly these labels (comma-separated text or a list of
    names; empty clears them), creating the person's missing ones. Raises
    ``LabelError`` (nothing written) or ``NotFound``."""
    _mine(user, task)
    names = clean_label_names(text_or_names)
    found = labels_named(user, names) if names else {}
    task.labels = [found[name.casefold()] for name in names]
    return task.labels


# -- subtasks -------------------------------------------------------------------


def parse_task_id(raw) -> uuid.UUID | None:
    """A task id from a form: None for "" (no parent). Raises ``ParentError`` for anything that is not an id."""
    if isinstance(raw, uuid.UUID) or raw is None:
        return raw
    text = raw.strip() if isinstance(raw, str) else None
    if text == "":
        return None
    try:
        if text is None or len(text) > 36:
            raise ValueError
        return uuid.UUID(text)
    except ValueError:
        raise ParentError("Choose one of your tasks as the parent.") from None


def _has_subtasks(task: Task) -> bool:
    if task.id is None:
        return False
    return bool(db.session.scalar(sa.select(sa.exists().where(Task.parent_id == task.id))))


def resolve_parent(user: User, parent_id, *, child: Task | None = None) -> Task:
    """The person's task ``parent_id``, checked as a parent for ``child`` (a
    task, or None for one being created). Raises ``NotFound`` for no such task
    or another person's, ``ParentError`` for a malformed id or a parent that
    would make two levels or a loop."""
    wanted = parse_task_id(parent_id)
    if wanted is None:
        raise ParentError("Choose one of your tasks as the parent.")
    parent = db.session.scalar(sa.select(Task).where(Task.id == wanted, Task.user_id == user.id))
    if parent is None:
        raise NotFound("no such task")
    if child is not None:
        _mine(user, child)
        if child.id is not None and child.id == parent.id:
            raise ParentError("A task cannot be its own subtask.")
    if parent.parent_id is not None:
        raise ParentError(f"“{parent.title}” is a subtask itself: subtasks cannot have subtasks of their own.")
    if child is not None and _has_subtasks(child):
        raise ParentError(f"“{child.title}” has subtasks of its own, so it cannot become a subtask.")
    return parent


def set_parent(user: User, task: Task, parent_id) -> Task | None:
    """Make ``task`` a subtask of ``parent_id`` (moving it into the parent's
    list), or a task of its own again for None or "". Returns the parent."""
    _mine(user, task)
    if parse_task_id(parent_id) is None:
        task.parent_id = None
        return None
    parent = resolve_parent(user, parent_id, child=task)
    task.parent_id = parent.id
    task.list_id = parent.list_id
    return parent


def subtask_progress(user: User, task_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, tuple[int, int]]:
    """{task id: (done, total)} for those of ``task_ids`` that have subtasks, in one statement."""
    ids = list(task_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Task.parent_id, sa.func.count().filter(Task.completed.is_(True)), sa.func.count())
        .where(Task.user_id == user.id, Task.parent_id.in_(ids))
        .group_by(Task.parent_id)
    )
    return {parent: (done, total) for parent, done, total in rows}


def progress_columns(tasks=Task) -> tuple[sa.Label, sa.Label]:
    """``subtasks_done`` and ``subtasks_total`` as columns of a query over
    ``tasks`` (one index probe each per row): the list page can carry a row's
    "2/5" in the statement it already runs."""
    sub = aliased(Task)
    total = sa.select(sa.func.count()).where(sub.parent_id == tasks.id)
    done = total.where(sub.completed.is_(True))
    return done.scalar_subquery().label("subtasks_done"), total.scalar_subquery().label("subtasks_total")


# -- repeats --------------------------------------------------------------------


def set_due_date(task: Task, due: date | None) -> None:
    """Set the due date, and the repeat's anchor day with it. The same date sent
    again (an edit form sends every field) changes nothing, so the anchor of a
    task now on 28 February stays 31."""
    if due == task.due_date:
        return
    task.due_date = due
    task.repeat_anchor_day = due.day if due is not None and task.repeat else None


def anchor_values(due: date | None) -> dict:
    """Values for a bulk ``UPDATE tasks SET due_date = ...`` that keep the anchor right too."""
    day = sa.case((Task.repeat.is_not(None), due.day), else_=sa.null()) if due is not None else sa.null()
    return {"due_date": due, "repeat_anchor_day": day}


def set_repeat(user: User, task: Task, text: str | None, today: date) -> str | None:
    """Set how ``task`` repeats from what the person typed (a word, a phrase or
    an RRULE; empty: it stops repeating). A task without a due date gets the
    first date of the pattern from ``today`` (the person's). Returns the stored
    rule. Raises ``RepeatError`` (nothing changed) or ``NotFound``."""
    _mine(user, task)
    rule = normalise_repeat(text)
    if rule is None:
        task.repeat = None
        task.repeat_anchor_day = None
        return None
    due = task.due_date
    if due is None:
        due = first_due(rule, today)
        if due is None:
            raise RepeatError("This repeat has no dates left from today on: its UNTIL has passed.")
    if rule != task.repeat or task.repeat_anchor_day is None or due != task.due_date:
        task.repeat_anchor_day = due.day
    task.due_date = due
    task.repeat = rule
    return rule


@dataclass(frozen=True)
class Completion:
    """What completing did: ``task`` is the task itself (moved on and open, or
    completed); ``history`` the completed copy kept for a repeat, else None."""

    task: Task
    history: Task | None = None
    next_due: date | None = None

    @property
    def repeated(self) -> bool:
        return self.history is not None


def complete_repeating(user: User, task: Task, today: date) -> Completion:
    """Complete ``task`` as the person sees it on ``today`` (their date).

    A repeating task leaves a completed copy (same title, description, list,
    parent, labels and priority; due on the old due date; no repeat) and moves
    to its next due date, open, its subtasks reopened. Any other task, a series
    that has ended, or a completed task (a double click) is just completed.
    """
    _mine(user, task)
    if task.completed:
        return Completion(task)
    upcoming = None
    if task.repeat:
        try:
            upcoming = next_due(task.repeat, task.due_date, today, anchor_day=task.repeat_anchor_day)
        except ValueError:  # RepeatError: a stored rule Docket no longer accepts; or a bad anchor
            upcoming = None
    if upcoming is None:
        task.set_completed(True)
        return Completion(task)
    now = utcnow()
    history = Task(
        id=uuid.uuid4(), user_id=task.user_id, list_id=task.list_id, parent_id=task.parent_id, title=task.title,
        description=task.description, priority=task.priority, position=task.position, due_date=task.due_date,
        completed=True, completed_at=now, created_at=now, updated_at=now, repeat=None,
    )
    history.labels = list(task.labels)
    db.session.add(history)
    task.repeat_anchor_day = task.repeat_anchor_day or (task.due_date or today).day
    task.due_date = upcoming
    task.updated_at = now
    db.session.execute(
        sa.update(Task)
        .where(Task.user_id == user.id, Task.parent_id == task.id, Task.completed.is_(True))
        .values(completed=False, completed_at=None, updated_at=now)
    )
    return Completion(task, history, upcoming)


def complete_repeating_matching(user: User, today: date, *conditions) -> list[Completion]:
    """``complete_repeating`` for each of the person's open repeating tasks that
    match ``conditions`` (bulk complete, "complete all"). Run it before the
    bulk UPDATE that completes the rest, and keep that UPDATE off these with
    ``Task.repeat.is_(None)``: they have moved on, open, or are completed."""
    tasks = db.session.scalars(
        sa.select(Task).options(selectinload(Task.labels))
        .where(Task.user_id == user.id, Task.completed.is_(False), Task.repeat.is_not(None), *conditions)
        .order_by(Task.position, Task.id)
    ).all()
    return [complete_repeating(user, task, today) for task in tasks]


# -- a form's organising fields at once --------------------------------------------

_UNSENT = object()


@dataclass
class OrganizeFields:
    """``labels``, ``repeat`` and ``parent_id`` as a form sent them, checked
    (``read_fields``) and not yet applied (``apply_fields``). A field not sent
    is left alone."""

    labels: list[str] | None = None  # clean names; None: not sent
    repeat: object = _UNSENT  # the canonical rule or None (stop repeating)
    parent: object = _UNSENT  # the parent Task, or None (a task of its own)
    entered: dict = field(default_factory=dict)  # what was typed, to show again with a 422


def read_fields(user: User, form, *, task: Task | None = None) -> tuple[OrganizeFields, dict[str, str]]:
    """Check the ``labels``, ``repeat`` and ``parent_id`` that ``form`` (a
    MultiDict) sent, for ``task`` (None when creating). Reads only; returns the
    checked fields and {field: message}. Raises ``NotFound`` for a parent
    that is not one of the person's tasks (answer 404: nothing changed)."""
    fields, errors = OrganizeFields(), {}
    if task is not None:
        _mine(user, task)
    if "labels" in form:
        fields.entered["labels"] = form.get("labels", "")
        try:
            fields.labels = clean_label_names(fields.entered["labels"])
            known = db.session.scalars(sa.select(Label.name).where(Label.user_id == user.id)).all() if fields.labels else []
            new = {name.casefold() for name in fields.labels} - {name.casefold() for name in known}
            if len(known) + len(new) > LABELS_PER_PERSON:
                raise LabelError(f"You have {len(known)} labels, as many as Docket keeps. Reuse one of them.")
        except LabelError as error:
            errors["labels"] = str(error)
    if "repeat" in form:
        fields.entered["repeat"] = form.get("repeat", "")
        try:
            fields.repeat = normalise_repeat(fields.entered["repeat"])
        except RepeatError as error:
            errors["repeat"] = str(error)
    if "parent_id" in form:
        fields.entered["parent_id"] = form.get("parent_id", "")
        try:
            if parse_task_id(fields.entered["parent_id"]) is None:
                fields.parent = None
            else:
                fields.parent = resolve_parent(user, fields.entered["parent_id"], child=task)
        except ParentError as error:
            errors["parent_id"] = str(error)
    return fields, errors


def apply_fields(user: User, task: Task, fields: OrganizeFields, today: date) -> None:
    """Apply what ``read_fields`` checked, to ``task`` (added to the session).
    Set the due date first, with ``set_due_date``. Raises ``RepeatError``,
    before changing anything, only for a rule whose UNTIL has passed on a task
    without a due date."""
    _mine(user, task)
    if fields.repeat is not _UNSENT:
        set_repeat(user, task, fields.repeat, today)
    if fields.parent is not _UNSENT:
        set_parent(user, task, None if fields.parent is None else fields.parent.id)
    if fields.labels is not None:
        set_labels(user, task, fields.labels)
