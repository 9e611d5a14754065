"""What the task views answer, said as what changed.

The views (single tasks and bulk) call one of these; each names the blocks of
``tasks/index.html`` that show the change and leaves the rest to
``htmx.respond``: 303 back to the view for a plain form post, the whole page
for a plain GET, the blocks for HTMX.
"""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import session
from flask_login import current_user
from markupsafe import Markup

from ..htmx import is_htmx_request, respond
from ..models import PRIORITIES, Task, due_state
from . import queries
from .listview import SORTS, ListView
from .trash import UNDO_SECONDS

LIST_TEMPLATE = "tasks/index.html"
SUMMARY = ("toggle_all", "footer")
KEEP = object()  # "the Undo offer on screen is not affected"


def list_helpers() -> dict:
    """What "today" is for the person looking (in their own time zone), and the choices."""
    try:
        zone = ZoneInfo(getattr(current_user, "timezone", None) or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return {"today": datetime.now(zone).date(), "priorities": PRIORITIES, "sorts": SORTS, "undo_seconds": UNDO_SECONDS,
            "due_state": due_state}


def view_fields(view: ListView) -> Markup:
    """The list view as hidden fields, so a plain form post returns to the view it came from."""
    return view.hidden_fields


def _rows(view: ListView, after: str | None = None, *, with_counts: bool = True) -> dict:
    page = queries.list_page(current_user.id, view, after, with_counts=with_counts)
    return {"tasks": page.tasks, "next_cursor": page.next_cursor, "after": after, "counts": page.counts}


def list_page(view: ListView, after: str | None = None, undo=None):
    """The list; for HTMX, "Load more" gets its rows (no counts), a search or sort the section."""
    more = bool(after) and is_htmx_request()
    context = {"view": view, "undo": undo, **_rows(view, after, with_counts=not more)}
    if more:
        return respond(LIST_TEMPLATE, blocks=("rows",), also=("load_more",), **context)
    return respond(LIST_TEMPLATE, blocks=("task_section",), also=("new_task_view",), **context)


def rows_changed(view: ListView, tasks: list[Task], *, undo=KEEP):
    """Tasks were added, changed or (with none given) removed: the rows that still
    belong in the view, then the summary and any Undo offer out of band."""
    also = SUMMARY if undo is KEEP else (*SUMMARY, "undo")
    return respond(
        LIST_TEMPLATE, blocks=("rows",), also=also, redirect_to=view.url(),
        fragment=lambda: {"counts": queries.counts(current_user.id, view)},
        view=view, tasks=[task for task in tasks if view.includes(task)], undo=None if undo is KEEP else undo,
    )


def row(view: ListView, task: Task, *, editing: bool = False, status: int = 200, **form):
    """One row alone: as it shows, or open for editing (with errors, if any)."""
    return respond(LIST_TEMPLATE, blocks=("rows",), status=status, view=view, tasks=[task], editing=editing, **form)


def list_changed(view: ListView, *, undo=KEEP):
    """Many rows changed: the whole section (and the Undo offer, when it changed)."""
    also = () if undo is KEEP else ("undo",)
    return respond(
        LIST_TEMPLATE, blocks=("task_section",), also=also, redirect_to=view.url(),
        fragment=lambda: _rows(view), view=view, undo=None if undo is KEEP else undo,
    )


def refused(view: ListView, form: str, **errors):
    """422: the form (``new_task`` or ``bulk``) again, with each error beside its field."""
    return respond(LIST_TEMPLATE, also=(form,), status=422, page=lambda: _rows(view), view=view, **errors)


def offer_undo(count: int, message: str, fields: dict, row=None) -> dict | None:
    """The Undo offer after a change to ``count`` tasks; none when nothing changed.

    A plain form post keeps it in the session for the next full page."""
    if count == 0:
        return None
    offer = {"message": message, "fields": fields, "row": row}
    if not is_htmx_request():
        session["undo"] = offer
    return offer
