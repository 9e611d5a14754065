"""What the task views answer, said as what changed.

The views (single tasks and bulk) call one of these; each names the blocks of
``tasks/index.html`` that show the change and leaves the rest to
``htmx.respond``: 303 back to the view for a plain form post, the whole page
for a plain GET, the blocks for HTMX.

A whole page, and any answer that changes tasks, brings the sidebar
(``queries.overview``: the lists, their counts and the view's counts, one
statement); a view of a list that is not the person's is a 404.
"""

import re
from functools import lru_cache

from flask import abort, session
from flask_login import current_user
from jinja2.ext import Extension
from markupsafe import Markup

from ..htmx import is_htmx_request, respond
from ..models import INBOX, PRIORITIES, Task, due_state
from . import queries
from .listview import SMART_VIEWS, SORTS, ListView, person_today
from .repeats import RepeatError, describe_repeat, normalise_repeat
from .trash import UNDO_SECONDS

LIST_TEMPLATE = "tasks/index.html"
SUMMARY = ("toggle_all", "footer", "sidebar")
KEEP = object()  # "the Undo offer on screen is not affected"


class Unindent(Extension):
    """Templates that say ``{#- unindent -#}`` on their first line are sent
    without their lines' leading white space: indentation is for people
    reading the template, and the list page carries 50 rows in 40 KB. Only for
    templates without <pre> or <textarea>, whose white space would matter."""

    MARK = "{#- unindent -#}"

    def preprocess(self, source, name, filename=None):
        if not source.startswith(self.MARK):
            return source
        return "\n".join(line.lstrip(" ") for line in source.split("\n"))


# Strong right-to-left characters (Hebrew, Arabic and their neighbours, RLM
# and the RTL embeddings, isolates and overrides).
RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\u200f\u202b\u202e\u2067\ufb1d-\ufdff\ufe70-\ufefc"
                           "\U00010800-\U00010fff\U0001e800-\U0001efff]")


def bidi(text: str) -> Markup:
    """`` dir="auto"`` for text that holds right-to-left writing, else nothing:
    text without any is laid out left to right either way, and a row's title
    is its own flex item (so its own paragraph), which saves 50 rows 550 bytes."""
    return Markup(' dir="auto"') if text and RIGHT_TO_LEFT.search(text) else Markup("")


@lru_cache(maxsize=512)
def repeat_badge(rule: str) -> Markup:
    """A row's repeat badge: "↻ Every 2 weeks" (the arrow is the stylesheet's),
    the whole rule ("Every 2 weeks on Mon") as its title and what a screen
    reader reads; a rule said in full already ("↻ Monthly") needs no title.
    Rules are few and canonical, so each is worked out once."""
    try:
        full = describe_repeat(rule)
    except (RepeatError, ValueError):  # a stored rule Docket no longer reads
        full = "Custom"
    short = re.split(r" on |, ", full, maxsplit=1)[0]
    if short == full:
        return Markup('<span class="repeat"><span class="vh">Repeats: </span>{0}</span>').format(full)
    return Markup('<span class="repeat" title="Repeats: {0}"><span class="vh">Repeats: {0}</span>'
                  '<span aria-hidden="true">{1}</span></span>').format(full, short)


# The repeat field's suggestions: what to type, and what it means.
REPEAT_CHOICES = (("daily", "Every day"), ("weekdays", "Every weekday, Monday to Friday"), ("weekly", "Every week"),
                  ("every 2 weeks", "Every other week"), ("monthly", "Every month"), ("yearly", "Every year"))


@lru_cache(maxsize=512)
def repeat_text(rule: str | None) -> str:
    """A stored rule as the repeat field shows it: the words for it when they
    read back as the same rule ("every 2 weeks on mon"), else the RRULE."""
    if not rule:
        return ""
    try:
        words = describe_repeat(rule).lower()
        if normalise_repeat(words) == rule:
            return words
    except (RepeatError, ValueError):
        pass
    return rule


def describe_rule(rule: str | None) -> str:
    """"Every 2 weeks on Mon" for a stored rule ("" for none)."""
    if not rule:
        return ""
    try:
        return describe_repeat(rule)
    except (RepeatError, ValueError):
        return rule


def label_list(names: str | None) -> list[str]:
    """A row's label names (its ``label_names``, "home,work"), by name."""
    return sorted(names.split(","), key=str.casefold) if names else []


def list_helpers() -> dict:
    """What "today" is for the person looking (in their own time zone), and the choices."""
    return {"today": person_today(), "priorities": PRIORITIES, "sorts": SORTS, "undo_seconds": UNDO_SECONDS,
            "due_state": due_state, "smart_views": SMART_VIEWS, "inbox_name": INBOX,
            "repeat_badge": repeat_badge, "label_list": label_list, "repeat_text": repeat_text,
            "describe_rule": describe_rule, "repeat_choices": REPEAT_CHOICES}


def view_fields(view: ListView) -> Markup:
    """The list view as hidden fields, so a plain form post returns to the view it came from."""
    return view.hidden_fields


def view_from(source) -> ListView:
    """The view a form was posted from; 404 (before anything changes) when it names
    a list that is not the person's."""
    view = ListView.from_source(source)
    if view.list_id is not None and queries.owned_list(current_user.id, view.list_id) is None:
        abort(404)
    return view


def heading(view: ListView, current) -> str:
    if view.label:
        where = SMART_VIEWS[view.smart] if view.smart else ""
        where += (" · " if where and current else "") + (current.name if current else "")
        return f"Label: {view.label}" + (f" · {where}" if where else "")
    if view.smart:
        return SMART_VIEWS[view.smart] + (f" · {current.name}" if current else "")
    return current.name if current else "All tasks"


def sidebar(view: ListView, labels: int = queries.SIDEBAR_LABELS) -> dict:
    """The sidebar, the heading and the view's counts; 404 when the view names
    someone else's list. ``labels``: how many labels it names."""
    overview = queries.overview(current_user.id, view, labels)
    if overview is None:  # no list at all (never made, or removed by hand): the counts alone
        if view.list_id is not None:
            abort(404)
        return {"overview": None, "lists": [], "current_list": None, "heading": heading(view, None),
                "counts": queries.counts(current_user.id, view)}
    current = overview.find(view.list_id)
    if view.list_id is not None and current is None:
        abort(404)
    return {"overview": overview, "lists": overview.lists, "current_list": current,
            "heading": heading(view, current), "counts": overview.counts}


def check_list(view: ListView) -> list:
    """The person's lists; 404 when the view names a list that is not one of them."""
    lists = queries.user_lists(current_user.id)
    if view.list_id is not None and not any(entry.id == view.list_id for entry in lists):
        abort(404)
    return lists


def _rows(view: ListView, after: str | None = None) -> dict:
    page = queries.list_page(current_user.id, view, after)
    return {"tasks": page.tasks, "next_cursor": page.next_cursor, "after": after}


def _section(view: ListView, after: str | None = None) -> dict:
    """The sidebar, then the page of rows (the order matters: a foreign list stops at the first)."""
    context = sidebar(view)
    return {**context, **_rows(view, after)}


def list_page(view: ListView, after: str | None = None, undo=None):
    """The list; for HTMX, "Load more" gets its rows (no counts), a search or sort the section."""
    if after and is_htmx_request():
        if view.list_id is not None:
            check_list(view)
        return respond(LIST_TEMPLATE, blocks=("rows",), also=("load_more",), view=view, undo=undo,
                       **_rows(view, after))
    return respond(LIST_TEMPLATE, blocks=("task_section",), also=("new_task_view",), view=view, undo=undo,
                   **_section(view, after))


def rows_changed(view: ListView, tasks: list[Task], *, undo=KEEP):
    """Tasks were added, changed or (with none given) removed: the rows that still
    belong in the view, then the summary, the sidebar and any Undo offer out of band."""
    also = SUMMARY if undo is KEEP else (*SUMMARY, "undo")
    ids = [task.id for task in tasks]
    return respond(
        LIST_TEMPLATE, blocks=("rows",), also=also, redirect_to=view.url(),
        # The rows as the list shows them (labels, progress...), of the tasks that still belong in the view.
        fragment=lambda: {**sidebar(view), "tasks": queries.rows_of(current_user.id, ids, view)},
        view=view, undo=None if undo is KEEP else undo,
    )


def row(view: ListView, task: Task, *, editing: bool = False, status: int = 200, **form):
    """One row alone: as it shows, or open for editing (with errors, if any)."""
    lists = check_list(view)  # the editor's list menu; the row's list name
    if editing:
        return respond(LIST_TEMPLATE, blocks=("rows",), status=status, view=view, tasks=[task], editing=True,
                       lists=lists, label_choices=queries.label_names(current_user.id), **form)
    return respond(LIST_TEMPLATE, blocks=("rows",), status=status, view=view,
                   tasks=queries.rows_of(current_user.id, [task.id]), lists=lists, **form)


def list_changed(view: ListView, *, undo=KEEP):
    """Many rows changed: the whole section, the sidebar (and the Undo offer, when it changed)."""
    also = ("sidebar",) if undo is KEEP else ("sidebar", "undo")
    return respond(
        LIST_TEMPLATE, blocks=("task_section",), also=also, redirect_to=view.url(),
        fragment=lambda: _section(view), view=view, undo=None if undo is KEEP else undo,
    )


def refused(view: ListView, form: str, status: int = 422, **errors):
    """422: the form (``new_task``, ``bulk``, or the ``sidebar`` with the new
    list's field) again, with each error beside its field."""
    def fragment() -> dict:
        if form == "sidebar":
            return sidebar(view)
        return {"lists": check_list(view) if form == "bulk" else []}

    return respond(LIST_TEMPLATE, also=(form,), status=status, page=lambda: _section(view),
                   fragment=fragment, view=view, **errors)


def offer_undo(count: int, message: str, fields: dict, row=None) -> dict | None:
    """The Undo offer after a change to ``count`` tasks; none when nothing changed.

    A plain form post keeps it in the session for the next full page."""
    if count == 0:
        return None
    offer = {"message": message, "fields": fields, "row": row}
    if not is_htmx_request():
        session["undo"] = offer
    return offer
