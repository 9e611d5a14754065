"""The queries behind the task list, each a single SQL statement.

The list page costs three statements whatever the number of tasks: the
logged-in user; the sidebar (``overview``: the person's lists with their open
counts, Today and Upcoming, and the view's own counts, in one statement);
and one keyset page of tasks, served by an index led by ``user_id`` (every
list) or ``list_id`` (one list). No OFFSET: the next page starts after the
last row shown (its sort key values travel in an opaque cursor), so page
1,000 is as cheap as page 1. The sidebar's counts stop at ``COUNT_CAP``
("999+"), so a list of 100,000 open tasks costs no more than one of 1,000.
"""

import base64
import binascii
import functools
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import INBOX, PRIORITIES, Label, Task, TaskList, task_labels
from .listview import ListView
from .organize import progress_columns

PAGE_SIZE = 50
NO_DUE_DATE = date(9999, 12, 31)  # sorts undated tasks last


class NoDueDate(sa.sql.expression.ColumnElement):
    """The far-future date that undated tasks sort as, written as a constant
    (not a bound parameter) so PostgreSQL can match the expression index
    ``ix_tasks_pg_due`` that migration 0005 creates."""

    type = sa.Date()
    inherit_cache = True


@compiles(NoDueDate)
def _no_due_date_default(element, compiler, **kw):
    return f"'{NO_DUE_DATE.isoformat()}'"


@compiles(NoDueDate, "postgresql")
def _no_due_date_postgresql(element, compiler, **kw):
    return f"DATE '{NO_DUE_DATE.isoformat()}'"



@dataclass(frozen=True)
class Counts:
    """The tasks in a view's search (all of them without one)."""

    total: int
    completed: int

    @property
    def active(self) -> int:
        return self.total - self.completed


@dataclass(frozen=True)
class Page:
    tasks: list[sa.Row]  # ROW_COLUMNS of each task
    next_cursor: str | None
    counts: Counts | None = None  # when asked for


COUNT_CAP = 1000  # the sidebar counts open tasks up to here, then says "999+"


@dataclass(frozen=True)
class ListEntry:
    """One of the person's lists as the sidebar shows it."""

    id: int
    name: str
    position: int
    open: int  # open top-level tasks (lists.open_count: exact; shown as "999+" from COUNT_CAP on)

    @property
    def is_inbox(self) -> bool:
        return self.name == INBOX


@dataclass(frozen=True)
class LabelEntry:
    """One of the person's labels as the sidebar shows it."""

    name: str
    open: int  # open tasks with it (subtasks too), up to LABEL_COUNT_CAP

    @property
    def shown(self) -> str:
        return f"{LABEL_COUNT_CAP - 1}+" if self.open >= LABEL_COUNT_CAP else str(self.open)


SIDEBAR_LABELS = 30  # the sidebar names this many labels (by name); /lists names them all
LABEL_COUNT_CAP = 100  # a label's open tasks are counted up to here, then shown as "99+"


@dataclass(frozen=True)
class Overview:
    """What the sidebar shows, and the view's own counts (the footer's)."""

    lists: list[ListEntry]  # the Inbox first, then the person's order
    today: int  # open tasks due today or overdue, up to COUNT_CAP
    upcoming: int  # open tasks due in the coming week, up to COUNT_CAP
    counts: Counts
    labels: list[LabelEntry] = ()  # by name, at most the number asked for
    more_labels: bool = False  # the person has more labels than these

    def find(self, list_id: int | None) -> ListEntry | None:
        return next((entry for entry in self.lists if entry.id == list_id), None)

    @property
    def inbox(self) -> ListEntry | None:
        return next((entry for entry in self.lists if entry.is_inbox), None)

    @property
    def open_total(self) -> int:
        return min(sum(entry.open for entry in self.lists), COUNT_CAP)


@dataclass(frozen=True)
class SortKey:
    """One column of an ordering, and how its value travels in a cursor."""

    expression: sa.ColumnElement
    descending: bool
    value_of: Callable[[Task], object]
    to_text: Callable[[object], str]
    from_text: Callable[[str], object]


# A cursor comes back from the browser, so it is untrusted: each parser takes
# exactly the text that ``to_text`` writes (anything else raises ValueError and
# the cursor is ignored), and only values that the column can hold, so that
# binding and comparing them can never fail or overflow in the database.
BIGINT_RANGE = (-(2**63), 2**63 - 1)  # tasks.position
PRIORITY_RANGE = (min(PRIORITIES), max(PRIORITIES))  # tasks.priority
_INTEGER_TEXT = re.compile(r"-?[0-9]{1,19}")  # ASCII only: int() also takes " 7", "+7", "1_0" and "\u0667"
_UUID_TEXT = re.compile(r"[0-9a-f]{32}")  # UUID.hex; uuid.UUID() takes braces, URNs and other digits too


def _canonical(text: str, value, to_text: Callable[[object], str]):
    if to_text(value) != text:
        raise ValueError("not written by encode_cursor")
    return value


def _datetime_from_text(text: str) -> datetime:
    value = _canonical(text, datetime.fromisoformat(text), datetime.isoformat)
    if value.tzinfo is None:
        raise ValueError("naive")
    # In UTC, as the column holds it: a time near year 1 or 9999 with an
    # offset has no UTC equivalent (OverflowError, caught by decode_cursor).
    return value.astimezone(timezone.utc)


def _date_from_text(text: str) -> date:
    return _canonical(text, date.fromisoformat(text), date.isoformat)


def _uuid_from_text(text: str) -> uuid.UUID:
    if not _UUID_TEXT.fullmatch(text):
        raise ValueError("not a UUID as encode_cursor writes it")
    return uuid.UUID(hex=text)


def _integer_from_text(low: int, high: int) -> Callable[[str], int]:
    def from_text(text: str) -> int:
        if not _INTEGER_TEXT.fullmatch(text):
            raise ValueError("not an integer as encode_cursor writes it")
        value = _canonical(text, int(text), str)  # no "-0" or "007"
        if not low <= value <= high:
            raise ValueError("out of the column's range")
        return value

    return from_text


_CREATED = (lambda t: t.created_at, lambda v: v.isoformat(), _datetime_from_text)
_ID = (lambda t: t.id, lambda v: v.hex, _uuid_from_text)


def _keys(*specs) -> tuple[SortKey, ...]:
    return tuple(SortKey(*spec) for spec in specs)


SORT_KEYS = {
    "newest": _keys((Task.created_at, True, *_CREATED), (Task.id, True, *_ID)),
    "oldest": _keys((Task.created_at, False, *_CREATED), (Task.id, False, *_ID)),
    "due": _keys(
        (sa.func.coalesce(Task.due_date, NoDueDate()), False,
         lambda t: t.due_date or NO_DUE_DATE, lambda v: v.isoformat(), _date_from_text),
        (Task.created_at, True, *_CREATED),
        (Task.id, True, *_ID),
    ),
    "priority": _keys(
        (Task.priority, True, lambda t: t.priority, str, _integer_from_text(*PRIORITY_RANGE)),
        (Task.created_at, True, *_CREATED),
        (Task.id, True, *_ID),
    ),
    "manual": _keys(
        (Task.position, False, lambda t: t.position, str, _integer_from_text(*BIGINT_RANGE)),
        (Task.id, False, *_ID),
    ),
}


def owned_task(user_id: str, task_id: uuid.UUID) -> Task | None:
    """The task if it exists *and* belongs to this user; else None (a 404, not a 403)."""
    return db.session.scalar(sa.select(Task).where(Task.id == task_id, Task.user_id == user_id))


def counts(user_id: str, view: ListView = ListView()) -> Counts:
    """How many tasks, and how many done, within the view's search (the filter aside)."""
    total, done = db.session.execute(sa.select(*_count_columns(user_id, view))).one()
    return Counts(total=int(total), completed=int(done))


COUNTED = aliased(Task, name="counted")  # built once: aliasing a table is not free


def _count_columns(user_id, view: ListView, bound: bool = False) -> tuple[sa.ScalarSelect, sa.ScalarSelect]:
    """The two counts as uncorrelated subqueries, so they can ride along with the
    page's own query (each runs once per statement, not once per row).

    A list, or all of them, with no search, label or smart view shows exactly
    its top-level tasks, which ``lists.open_count``/``done_count`` count
    (kept by triggers): they are read, not counted, so "N items left" costs
    the same at 100,000 tasks as at 100. Anything narrower is counted."""
    if not view.shows_subtasks:
        return _kept_count_columns(user_id, view, bound)
    counted = COUNTED
    total = sa.select(sa.func.count(counted.id)).where(counted.user_id == user_id, *_scope(view, counted, bound))
    done = total.where(counted.completed == sa.true())
    return total.scalar_subquery().label("total"), done.scalar_subquery().label("done")


def _kept_count_columns(user_id, view: ListView, bound: bool) -> tuple[sa.Label, sa.Label]:
    """The view's counts from the lists' kept counters (see ``_count_columns``)."""
    lists = aliased(TaskList, name="counted_lists")
    where = [lists.user_id == user_id]
    if view.list_id is not None:
        where.append(lists.id == (sa.bindparam("list_id", type_=sa.Integer) if bound else view.list_id))
    total = sa.select(sa.func.coalesce(sa.func.sum(lists.open_count + lists.done_count), 0)).where(*where)
    done = sa.select(sa.func.coalesce(sa.func.sum(lists.done_count), 0)).where(*where)
    return total.scalar_subquery().label("total"), done.scalar_subquery().label("done")


def _scope(view: ListView, tasks=Task, bound: bool = False) -> list[sa.ColumnElement]:
    """The view's list, smart view, label and search: what it shows, the filter aside.

    ``bound``: with named parameters in place of the values (``_scope_values``
    gives them), so that a statement built once serves every view of its shape."""
    conditions = []
    if view.list_id is not None:
        conditions.append(tasks.list_id == (sa.bindparam("list_id", type_=sa.Integer) if bound else view.list_id))
    if view.smart:
        # Written on the expression that ix_tasks_pg_due and ix_tasks_pg_list_due
        # index; an undated task sorts as 9999-12-31 and so is never in range.
        due = sa.func.coalesce(tasks.due_date, NoDueDate())
        if bound:
            low, high = sa.bindparam("due_low", type_=sa.Date), sa.bindparam("due_high", type_=sa.Date)
            conditions.append(due <= high if view.smart == "today" else due.between(low, high))
        else:
            low, high = view.due_range()
            conditions.append(due <= high if low is None else due.between(low, high))
    if view.label:
        conditions.append(sa.exists().where(
            task_labels.c.task_id == tasks.id, task_labels.c.label_id == Label.id,
            Label.user_id == tasks.user_id, Label.name == (sa.bindparam("label", type_=sa.String) if bound else view.label),
        ))
    if view.q:
        conditions.append(_search(view.q, tasks, bound))
    if not view.shows_subtasks:
        # A list shows the tasks of their own; a subtask is on its parent's page
        # (and in Today, Upcoming, a label or a search, which show every match).
        conditions.append(tasks.parent_id.is_(None))
    return conditions


def _scope_values(view: ListView) -> dict:
    """The values of ``_scope(view, bound=True)``'s parameters."""
    values = {}
    if view.list_id is not None:
        values["list_id"] = view.list_id
    if view.smart:
        values["due_low"], values["due_high"] = view.due_range()
    if view.label:
        values["label"] = view.label
    if view.q:
        values["pattern"] = _like_pattern(view.q)
    return values


def in_view(view: ListView) -> list[sa.ColumnElement]:
    """The conditions that make a task one of the view's: its filter, list, smart view, label and search."""
    conditions = []
    if view.filter == "active":
        conditions.append(Task.completed == sa.false())  # "=", which an index can serve; "IS" cannot
    elif view.filter == "completed":
        conditions.append(Task.completed == sa.true())
    return conditions + _scope(view)


def _capped_count(rows: sa.Select) -> sa.ColumnElement:
    """How many rows ``rows`` selects, stopping at COUNT_CAP: whether a
    COUNT_CAP-th row exists is a bounded index walk, and only when it does not
    are the (fewer) rows counted."""
    counted = sa.select(sa.func.count()).select_from(rows.subquery()).scalar_subquery()
    return sa.case((rows.offset(COUNT_CAP - 1).limit(1).exists(), COUNT_CAP), else_=counted)


def overview(user_id: str, view: ListView = ListView(), labels: int = SIDEBAR_LABELS) -> Overview | None:
    """The sidebar and the view's counts, in one statement; None for a person
    without a single list (which should not happen: see ``inbox_id``).
    ``labels``: how many of the person's labels to name (by name)."""
    today = view.day()
    soon = ListView(smart="upcoming", today=today).due_range()
    statement = _overview_statement(view.list_id is not None, view.smart, bool(view.label), bool(view.q))
    values = {"user_id": user_id, "today": today, "soon_low": soon[0], "soon_high": soon[1],
              "label_limit": labels + 1, **_scope_values(view)}
    rows = db.session.execute(statement, values).all()
    if not rows:
        return None
    first = rows[0]
    named = _label_entries(first.labels)
    return Overview(
        lists=[ListEntry(row.id, row.name, row.position, row.open) for row in rows],
        today=first.today, upcoming=first.upcoming, counts=Counts(total=first.total, completed=first.done),
        labels=named[:labels], more_labels=len(named) > labels,
    )


def _label_entries(text: str | None) -> list[LabelEntry]:
    """The sidebar's labels from their aggregate, "3:home,0:work" (a label's
    name holds no comma; its count, before the first colon, only digits)."""
    entries = []
    for item in (text or "").split(","):
        count, colon, name = item.partition(":")
        if colon and count.isdigit():
            entries.append(LabelEntry(name, int(count)))
    return sorted(entries, key=lambda entry: (entry.name.casefold(), entry.name))


def _label_column(user_id) -> sa.Label:
    """The person's first labels by name (``label_limit`` of them), each with
    its open tasks counted up to LABEL_COUNT_CAP, folded into one text value
    so the sidebar's statement carries them.

    Each labelled task's state is read by its key, a probe a row, and each
    count stops at the cap: PostgreSQL neither hashes every open task to
    count three, nor (the plan's cost kept small) compiles the statement
    with its JIT, which alone took 25 ms."""
    is_open = sa.select(Task.completed).where(Task.id == task_labels.c.task_id).scalar_subquery().is_(False)
    open_with_label = (sa.select(task_labels.c.task_id).where(task_labels.c.label_id == Label.id, is_open)
                       .limit(LABEL_COUNT_CAP).correlate(Label).subquery())
    counted = sa.select(sa.func.count()).select_from(open_with_label).scalar_subquery()
    chosen = (
        sa.select(Label.name.label("name"), counted.label("open"))
        .where(Label.user_id == user_id)
        .order_by(Label.name)
        .limit(sa.bindparam("label_limit", type_=sa.Integer))
        .subquery("sidebar_labels")
    )
    entry = sa.cast(chosen.c.open, sa.String) + ":" + chosen.c.name
    return sa.select(sa.func.aggregate_strings(entry, ",")).scalar_subquery().label("labels")


@functools.lru_cache(maxsize=64)
def _overview_statement(one_list: bool, smart: str, label: bool, search: bool) -> sa.Select:
    """``overview``'s statement for views of one shape, built once (building it
    took a millisecond a page); the values come as parameters."""
    shape = ListView(list_id=0 if one_list else None, smart=smart, label="x" if label else "", q="x" if search else "")
    user_id = sa.bindparam("user_id", type_=sa.String)
    # "= false", not "IS false": only the former can use (user_id, completed, due_date).
    open_tasks = sa.select(Task.id).where(Task.user_id == user_id, Task.completed == sa.false())
    due_today = Task.due_date <= sa.bindparam("today", type_=sa.Date)
    due_soon = Task.due_date.between(sa.bindparam("soon_low", type_=sa.Date), sa.bindparam("soon_high", type_=sa.Date))
    return (
        sa.select(
            TaskList.id, TaskList.name, TaskList.position,
            TaskList.open_count.label("open"),  # kept by triggers: exact and free
            _capped_count(open_tasks.where(due_today)).label("today"),
            _capped_count(open_tasks.where(due_soon)).label("upcoming"),
            *_count_columns(user_id, shape, bound=True),
            _label_column(user_id),
        )
        .where(TaskList.user_id == user_id)
        .order_by(sa.case((TaskList.name == INBOX, 0), else_=1), TaskList.position, TaskList.id)
    )


def user_lists(user_id: str) -> list[ListEntry]:
    """The person's lists, Inbox first (without counts: for menus and checks)."""
    rows = db.session.execute(
        sa.select(TaskList.id, TaskList.name, TaskList.position)
        .where(TaskList.user_id == user_id)
        .order_by(sa.case((TaskList.name == INBOX, 0), else_=1), TaskList.position, TaskList.id)
    ).all()
    return [ListEntry(row.id, row.name, row.position, 0) for row in rows]


def subtasks_of(user_id: str, task_id: uuid.UUID) -> list[Task]:
    """A task's subtasks in the order they were added (ticking one keeps its place)."""
    return list(db.session.scalars(
        sa.select(Task).where(Task.user_id == user_id, Task.parent_id == task_id)
        .order_by(Task.created_at, Task.id)
    ))


def label_names(user_id: str) -> list[str]:
    """The person's label names, by name (for the label fields' suggestions)."""
    names = db.session.scalars(sa.select(Label.name).where(Label.user_id == user_id)).all()
    return sorted(names, key=lambda name: (name.casefold(), name))


def owned_list(user_id: str, list_id: int | None) -> TaskList | None:
    """The list if it exists *and* belongs to this person; else None (a 404)."""
    if list_id is None:
        return None
    return db.session.scalar(sa.select(TaskList).where(TaskList.id == list_id, TaskList.user_id == user_id))


def inbox_id(user_id: str) -> int:
    """The person's Inbox, made on the spot if it is missing (it never should be)."""
    found = db.session.scalar(sa.select(TaskList.id).where(TaskList.user_id == user_id, TaskList.name == INBOX))
    if found is None:
        inbox = TaskList(user_id=user_id, name=INBOX, position=0)
        db.session.add(inbox)
        db.session.flush()
        found = inbox.id
    return found


def move_to_list(user_id: str, list_id: int, *conditions) -> int:
    """Put the person's tasks that match ``conditions`` in another list; their
    subtasks go along. Returns how many matched."""
    now = datetime.now(timezone.utc)
    chosen = sa.select(Task.id).where(Task.user_id == user_id, *conditions).correlate(None)
    db.session.execute(
        sa.update(Task).where(Task.user_id == user_id, Task.parent_id.in_(chosen)).values(list_id=list_id, updated_at=now)
    )
    return db.session.execute(
        sa.update(Task).where(Task.user_id == user_id, *conditions).values(list_id=list_id, updated_at=now)
    ).rowcount


def encode_cursor(task: Task, sort: str = "newest") -> str:
    """The position just after ``task`` in the given order, as URL-safe text."""
    values = [key.to_text(key.value_of(task)) for key in SORT_KEYS[sort]]
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(raw: str | None, sort: str = "newest") -> list | None:
    """The key values in a cursor, or None when it is not exactly one of ours
    (then the list starts at its first page, as if no cursor had been sent)."""
    keys = SORT_KEYS.get(sort)
    if not raw or keys is None or len(raw) > 400:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        if not isinstance(values, list) or len(values) != len(keys):
            return None
        # Every value travels as text; a number, list or object in its place is not ours.
        if not all(type(value) is str for value in values):
            return None
        return [key.from_text(value) for key, value in zip(keys, values, strict=True)]
    except (ValueError, TypeError, OverflowError, RecursionError, binascii.Error):
        # ValueError covers bad JSON, UnicodeDecodeError and the parsers' refusals.
        return None


def _after(keys: tuple[SortKey, ...], values: list) -> sa.ColumnElement:
    """Rows that come after ``values`` in this order (keyset paging, no OFFSET)."""
    clauses = []
    for position, key in enumerate(keys):
        equal_before = [k.expression == v for k, v in zip(keys[:position], values[:position])]
        beyond = key.expression < values[position] if key.descending else key.expression > values[position]
        clauses.append(sa.and_(*equal_before, beyond))
    return sa.or_(*clauses)


def _like_pattern(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _search(text: str, tasks=Task, bound: bool = False) -> sa.ColumnElement:
    """Case-insensitive substring match on title or description."""
    pattern = sa.bindparam("pattern", type_=sa.String) if bound else _like_pattern(text)
    return sa.or_(
        tasks.title.ilike(pattern, escape="\\"),
        tasks.description.ilike(pattern, escape="\\"),
    )


def _label_names(tasks=Task) -> sa.Label:
    """A task's label names as one text value, "home,work" (a name holds no
    comma), or NULL: one index probe per row rather than a statement more."""
    return (
        sa.select(sa.func.aggregate_strings(Label.name, ","))
        .select_from(task_labels.join(Label, Label.id == task_labels.c.label_id))
        .where(task_labels.c.task_id == tasks.id)
        .scalar_subquery()
        .label("label_names")
    )


PARENT = aliased(Task, name="parent")  # a subtask's parent, for its title beside the subtask

# What a row shows and what a cursor needs: plain rows, not ORM objects, as
# building 50 tracked objects per page costs more than the query itself.
# A row's labels, its parent's title and its subtasks' progress ride along
# in the same statement.
ROW_COLUMNS = (Task.id, Task.title, Task.description, Task.completed, Task.priority, Task.due_date,
               Task.position, Task.created_at, Task.list_id, TaskList.name.label("list_name"),
               Task.repeat, Task.parent_id, PARENT.title.label("parent_title"), _label_names(),
               *progress_columns())


def _rows_from() -> sa.Select:
    return (sa.select(*ROW_COLUMNS).join_from(Task, TaskList, Task.list_id == TaskList.id)
            .outerjoin(PARENT, PARENT.id == Task.parent_id))


def rows_of(user_id: str, task_ids: list, view: ListView | None = None) -> list[sa.Row]:
    """The rows of these tasks, in the order given; with a view, only those
    that belong in it (after a change: the ones to show again)."""
    if not task_ids:
        return []
    statement = _rows_from().where(Task.user_id == user_id, Task.id.in_(task_ids),
                                   *(in_view(view) if view is not None else ()))
    found = {row.id: row for row in db.session.execute(statement)}
    return [found[task_id] for task_id in task_ids if task_id in found]


def list_page(user_id: str, view: ListView = ListView(), after: str | None = None, *,
              with_counts: bool = False) -> Page:
    """One page of the user's tasks in the view's filter, search and order.

    ``with_counts`` brings the view's counts along in the same statement (one
    round trip fewer for a whole page); only an empty page needs a second one."""
    keys = SORT_KEYS[view.sort]
    statement = _rows_from().where(Task.user_id == user_id, *in_view(view))
    if with_counts:
        statement = statement.add_columns(*_count_columns(user_id, view))
    cursor = decode_cursor(after, view.sort)
    if cursor:
        statement = statement.where(_after(keys, cursor))
    order = [key.expression.desc() if key.descending else key.expression.asc() for key in keys]
    tasks = db.session.execute(statement.order_by(*order).limit(PAGE_SIZE + 1)).all()
    summary = None
    if with_counts:
        summary = Counts(total=tasks[0].total, completed=tasks[0].done) if tasks else counts(user_id, view)
    if len(tasks) > PAGE_SIZE:
        tasks = tasks[:PAGE_SIZE]
        return Page(tasks, encode_cursor(tasks[-1], view.sort), summary)
    return Page(tasks, None, summary)


def set_completed(user_id: str, view: ListView, completed: bool, also=()) -> tuple[int, datetime]:
    """Complete (or reopen) every task in the view (that also matches ``also``);
    return how many changed, and when.

    Tasks completed together share one ``completed_at``, which is how Undo
    finds exactly them again (``reopen_completed_at``)."""
    moment = datetime.now(timezone.utc)
    changed = db.session.execute(
        sa.update(Task)
        .where(Task.user_id == user_id, Task.completed.is_not(completed), *in_view(view), *also)
        .values(completed=completed, completed_at=moment if completed else None, updated_at=moment)
    ).rowcount
    return changed, moment


def reopen_completed_at(user_id: str, moment: datetime) -> int:
    """Undo a "Complete all": reopen the tasks it completed (and nothing since reopened)."""
    return db.session.execute(
        sa.update(Task)
        .where(Task.user_id == user_id, Task.completed.is_(True), Task.completed_at == moment)
        .values(completed=False, completed_at=None, updated_at=datetime.now(timezone.utc))
    ).rowcount
