"""How task views answer: the list page, or its fragments for HTMX.

Shared by the single-task views and the bulk views, so that both speak the
same markup: rows from ``tasks/_row.html`` and blocks of ``tasks/index.html``.
"""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import render_template, session
from flask_login import current_user
from markupsafe import Markup

from ..htmx import fragment_response, is_htmx_request, render, render_fragment, see_other
from . import queries
from ..models import PRIORITIES
from .listview import SORTS, ListView
from .trash import UNDO_SECONDS

LIST_TEMPLATE = "tasks/index.html"
SUMMARY_BLOCKS = ["toggle_all", "footer"]


def list_helpers() -> dict:
    """What "today" is for the person looking (in their own time zone), and the choices."""
    try:
        zone = ZoneInfo(getattr(current_user, "timezone", None) or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return {"today": datetime.now(zone).date(), "priorities": PRIORITIES, "sorts": SORTS, "undo_seconds": UNDO_SECONDS}


def view_fields(view: ListView) -> Markup:
    """The list view as hidden fields, so every form post returns to the view it came from."""
    return Markup("").join(
        Markup('<input type="hidden" name="{}" value="{}">').format(name, value)
        for name, value in view.params().items()
    )


def list_context(view: ListView, **extra) -> dict:
    return {"view": view, "counts": queries.counts(current_user.id), **extra}


def fragments(view: ListView, *, rows=(), also: tuple[str, ...] = (), **extra):
    """The changed rows that still belong in the view, then summary blocks out of band."""
    body = "".join(render_template("tasks/_row.html", task=task, view=view) for task in rows if view.includes(task))
    body += render_fragment(LIST_TEMPLATE, SUMMARY_BLOCKS + list(also), oob=True, **list_context(view, **extra))
    return fragment_response(body)


def whole_list(view: ListView, **extra):
    """After a change to many rows: 303 back to the view, or its list section for HTMX."""
    if not is_htmx_request():
        return see_other(view.url())
    page = queries.list_page(current_user.id, view)
    response = render(LIST_TEMPLATE, blocks=("task_section",), **list_context(view, page=page, **extra))
    if "undo" in extra:
        response.set_data(response.get_data() + render_fragment(
            LIST_TEMPLATE, ["undo"], oob=True, **list_context(view, **extra)).encode())
    return response


def offer_undo(batch, count: int, what: str) -> dict:
    """The Undo offer after a delete; kept in the session for the next full page."""
    offer = {"batch": batch.hex, "message": what if count == 1 else f"{what} ({count} tasks)"}
    if not is_htmx_request():
        session["undo"] = offer
    return offer
