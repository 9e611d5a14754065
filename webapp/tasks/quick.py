"""Quick add: what the add box's title says, done to the new task.

``quickadd.parse_quick_add`` reads "Pay rent tomorrow !high #home every
month *Bills" into words and values; this module decides what they do to
a task added with ``POST /tasks`` (``read`` before anything is written,
``apply`` in the view's transaction, ``answer`` to say what was understood)
and serves the chips the add box shows while a person types
(``GET /tasks/quick-preview``), from the same reading, so what the chips
say is what Enter does. Decisions:

- The form field ``quick``: ``0`` (or false, off, no) keeps the title
  exactly as typed (the add form's "Keep title as typed" box sends it);
  absent or anything else, the title is read. A backslash before a word
  keeps just that word: ``\\#1 fan``, ``\\tomorrow``.
- Dates are read in the person's time zone: "tomorrow" typed at 23:30 in
  Kiritimati is the day after Kiritimati's today, whatever the server's.
- Fields set in the form win over the title: a due date from the date
  picker, a priority other than none, ``list_id``, ``repeat`` or
  ``parent_id`` (a subtask lives in its parent's list). The title's words
  for that field then stay in the title, as text: "Dentist today" with the
  picker on Friday is "Dentist today", due Friday (a person who picks a
  date is not writing one). The chips ask with the picker's and the
  priority menu's values too, so they show this before Enter. Labels add
  up: the ``labels`` field's and the title's #labels.
- ``*Groceries``: the person's own list of that name, case-insensitively
  (another person's list of that name is never seen); an unknown name makes
  a new list, as typing a new #label makes a label. Before Enter the chip
  says "New list", and the answer says the list was made.
- A repeat the parser cannot read ("every 0 days", "every blursday") stays
  in the title as text, and no chip appears for it before Enter.
- Labels Docket cannot keep (over 60 characters, over 20 on a task, past
  the person's 1,000) and a new list past the person's 100 (or a quoted
  name over 80 characters) refuse the add: 422, the message beside the
  title, nothing written. The chips show the same message before Enter.
"""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, request
from flask_login import current_user, login_required
from jinja2_fragments.flask import render_block

from ..extensions import db
from ..htmx import is_htmx_request
from ..models import PRIORITIES, Label
from . import organize, queries
from .fields import clean_title
from .listview import person_today
from .quickadd import QuickAdd, keep_as_text, parse_quick_add
from .rendering import LIST_TEMPLATE
from .repeats import describe_repeat

bp = Blueprint("quick", __name__, url_prefix="/tasks")
OFF_VALUES = {"0", "false", "off", "no"}  # quick=0: keep the title as typed
HINT = "Type \\ before a word to keep it as text."
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


@bp.before_request
@login_required
def require_login():
    """Only a logged-in person's add box asks."""


@dataclass(frozen=True)
class Chip:
    """One understood part, as the add box shows it: "Due" "tomorrow"
    (read aloud "Due tomorrow, Friday 27 November"), and the words it came
    from, which its × button marks as text."""

    kind: str  # date, priority, label, list, repeat
    source: str  # the words as typed
    name: str  # Due, Priority, Label, List, New list, Repeats
    value: str  # shown
    spoken: str = ""  # read aloud instead of ``value``, when fuller

    @property
    def label(self) -> str:
        """The chip's accessible name: "Due Friday 27 November", "Priority high"."""
        return f"{self.name} {self.spoken or self.value}"


@dataclass
class Understood:
    """A title read for one person: what to set, and what overrides it."""

    parsed: QuickAdd
    today: date
    labels: list[str] = field(default_factory=list)  # the title's labels, cleaned
    list_id: int | None = None  # the person's list the title names
    list_name: str | None = None  # ... and its name as they spell it
    new_list: str | None = None  # a list the title names that they do not have yet
    error: str | None = None
    ignored: set = field(default_factory=set)  # kinds a form field overrides
    applied: list = field(default_factory=list)  # phrases for the answer, in order

    def chips(self) -> list[Chip]:
        return [_chip(kind, source, label, self) for kind, source, label in self.parsed.parts]


def wanted(source) -> bool:
    """Whether to read the title: unless ``quick`` says no."""
    return (source.get("quick") or "").strip().lower() not in OFF_VALUES


def understand(text: str, *, explicit=None) -> Understood:
    """Read ``text`` for the person logged in, checking (read-only) what it
    would create. ``explicit``: the submitted form, whose fields win."""
    explicit = explicit or {}
    today = person_today()
    ignored = _overridden(explicit)
    parsed = parse_quick_add(text, today=today)
    clashes = [source for kind, source, _ in parsed.parts if kind in ignored]
    while clashes:  # each round keeps at least one more word as text
        before = text
        for source in clashes:
            text = keep_as_text(text, source)
        if text == before:
            break
        parsed = parse_quick_add(text, today=today)
        clashes = [source for kind, source, _ in parsed.parts if kind in ignored]
    result = Understood(parsed, today, ignored=ignored)
    try:
        if parsed.labels:
            result.labels = organize.clean_label_names(parsed.labels)
            _check_label_count(result.labels, explicit)
        if parsed.list_name and "list" not in result.ignored:
            _find_list(result, parsed.list_name)
    except organize.OrganizeError as error:
        result.error = str(error)
    return result


def _overridden(form) -> set:
    """The kinds the form sets itself, so the title's words for them stay text."""
    def sent(name):
        return bool((form.get(name) or "").strip())

    ignored = set()
    if sent("due_date"):
        ignored.add("date")
    if (form.get("priority") or "").strip().lower() not in ("", "0", "none"):
        ignored.add("priority")
    if sent("list_id") or sent("parent_id"):
        ignored.add("list")
    if sent("repeat"):
        ignored.add("repeat")
    return ignored


def _check_label_count(names: list[str], form) -> None:
    """Refuse labels the task or the person could not keep, before anything is written."""
    try:
        given = organize.clean_label_names(form.get("labels") or "")
    except organize.OrganizeError:
        given = []  # the field's own check reports it
    every = list({name.casefold(): name for name in given + names}.values())
    if len(every) > organize.LABELS_PER_TASK:
        raise organize.LabelError(f"A task can have at most {organize.LABELS_PER_TASK} labels "
                                  f"(this has {len(every)}).")
    known = {name.casefold() for name in db.session.scalars(sa.select(Label.name).where(Label.user_id == current_user.id))}
    new = {name.casefold() for name in every} - known
    if new and len(known) + len(new) > organize.LABELS_PER_PERSON:
        raise organize.LabelError(f"You have {len(known):,} labels, as many as Docket keeps. "
                                  "Reuse one of them, or type \\ before the # to keep it as text.")


def _find_list(result: Understood, name: str) -> None:
    wanted_name = organize.clean_list_names([name])[0]
    lists = queries.user_lists(current_user.id)
    for entry in lists:
        if entry.name.casefold() == wanted_name.casefold():
            result.list_id, result.list_name = entry.id, entry.name
            return
    if len(lists) >= organize.LISTS_PER_PERSON:
        raise organize.ListNameError(f"There is no list called “{wanted_name}”, and Docket keeps at most "
                                     f"{organize.LISTS_PER_PERSON} lists per person.")
    result.new_list = wanted_name


# -- POST /tasks ------------------------------------------------------------------


def read(form, values: dict, errors: dict, entered: dict) -> Understood | None:
    """Before anything is written: read the title of an add (unless the form
    says not to) into ``values`` (title, due date, priority, list), and any
    refusal into ``errors`` beside the title. None when nothing is read."""
    if not wanted(form):
        entered["quick"] = "0"
        return None
    if "title" in errors or not values.get("title"):
        return None
    result = understand(values["title"], explicit=form)
    if result.error:
        errors["title"] = result.error
        return result
    parsed = result.parsed
    values["title"] = parsed.title
    if parsed.due_date is not None and "date" not in result.ignored:
        values["due_date"] = parsed.due_date
    if parsed.priority is not None and "priority" not in result.ignored:
        values["priority"] = parsed.priority
    if result.list_id is not None:
        values["list_id"] = result.list_id
    return result


def apply(result: Understood | None, task) -> None:
    """In the view's transaction, after the form's own fields are applied:
    make the new list, add the title's labels, set its repeat."""
    if result is None or result.error:
        return
    user = current_user._get_current_object()
    parsed = result.parsed
    try:
        with db.session.no_autoflush:  # the task goes in once, with its list
            if result.new_list:
                task.list_id = organize.lists_named(user, [result.new_list])[result.new_list.casefold()].id
            if result.labels:
                organize.set_labels(user, task, [label.name for label in task.labels] + result.labels)
            if parsed.repeat and "repeat" not in result.ignored and not task.repeat:
                organize.set_repeat(user, task, parsed.repeat, result.today)
    except (organize.OrganizeError, organize.RepeatError):
        # ``read`` checked all this; only another request of theirs, in the
        # same instant, taking the last list or label can get here.
        db.session.rollback()
        abort(409)
    result.applied = _said_parts(result, task)


def _said_parts(result: Understood, task) -> list[str]:
    words = []
    for kind, _, label in result.parsed.parts:
        if kind in result.ignored or kind == "list":
            continue
        if kind == "label":
            words.append("#" + label)
        elif kind == "date":
            words.append("due " + _short_date(task.due_date, result.today))
        elif kind == "priority":
            words.append(f"{PRIORITIES[result.parsed.priority]} priority")
        elif kind == "repeat" and task.repeat == result.parsed.repeat:
            words.append("repeats " + _repeat_words(result, task.due_date))
    return words


def answer(result: Understood | None, response: Response, task) -> Response:
    """Say what was understood: the flash line on the next page without
    JavaScript; for htmx, a line under the add box (out of band)."""
    if result is None or result.error or not (result.applied or result.new_list or result.list_id):
        return response
    message = f"Added “{task.title}”"
    if result.new_list:
        message += f" to a new list, {result.new_list}"
    elif result.list_id is not None:
        message += f" to {result.list_name}"
    message += (": " + ", ".join(result.applied) + "." if result.applied else ".")
    if not is_htmx_request():
        flash(f"{message} {HINT}", "success")
        return response
    if response.status_code == 200:
        response.set_data(response.get_data(as_text=True) + render_block(LIST_TEMPLATE, "quick_said", said=message,
                                                                         oob=True))
    return response


# -- the chips --------------------------------------------------------------------


@bp.get("/quick-preview")
def preview():
    """The chips for the title typed so far (``title``, with the add form's
    ``due_date``, ``priority`` and ``quick``, which win as they do on Enter):
    a fragment for the add box, stored by no one. Empty for nothing to show;
    a title that Enter would refuse shows why; 422 for one no add box sends
    (too long, control characters)."""
    text = request.args.get("title", "")
    if not wanted(request.args) or not text.strip():
        return _fragment("")
    title, error = clean_title(text)
    if error:  # only a page not Docket's sends these (the field has a maxlength)
        return _fragment(render_block(LIST_TEMPLATE, "quick_chips", chips_error=error), 422)
    # A title Enter would refuse is still a preview that worked: 200, saying why.
    result = understand(title, explicit=request.args)
    return _fragment(render_block(LIST_TEMPLATE, "quick_chips", chips=result.chips(), chips_error=result.error))


def _fragment(body: str, status: int = 200) -> Response:
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def _chip(kind: str, source: str, label: str, result: Understood) -> Chip:
    parsed = result.parsed
    if kind == "date":
        due = parsed.due_date
        full = f"{_DAYS[due.weekday()]} {due.day} {_MONTHS[due.month - 1]}"
        full += f" {due.year}" if due.year != result.today.year else ""
        shown = _short_date(due, result.today)
        return Chip(kind, source, "Due", shown, f"{shown}, {full}" if shown in ("today", "tomorrow") else full)
    if kind == "priority":
        return Chip(kind, source, "Priority", PRIORITIES[parsed.priority])
    if kind == "repeat":
        return Chip(kind, source, "Repeats", _repeat_words(result, None if "date" in result.ignored else parsed.due_date))
    if kind == "list":
        if result.new_list:
            return Chip(kind, source, "New list", result.new_list)
        return Chip(kind, source, "List", result.list_name or label)
    return Chip(kind, source, "Label", label)


def _short_date(due: date, today: date) -> str:
    if due == today:
        return "today"
    if (due - today).days == 1:
        return "tomorrow"
    shown = f"{_DAYS[due.weekday()][:3]} {due.day} {_MONTHS[due.month - 1][:3]}"
    return shown if due.year == today.year else f"{shown} {due.year}"


def _repeat_words(result: Understood, due: date | None) -> str:
    """ "monthly", "every 2 weeks on Mon"; with where it starts when no date was written."""
    words = describe_repeat(result.parsed.repeat)
    words = "on " + words.lower() if words in ("Weekdays", "Weekends") else words[:1].lower() + words[1:]
    if due is not None and not any(kind == "date" for kind, _, _ in result.parsed.parts):
        words += ", from " + _short_date(due, result.today)
    return words


