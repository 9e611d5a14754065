"""The task list: every action works as a plain form post (303 back to the
same view) and as an HTMX request (the changed fragment plus out-of-band
swaps for the counter, the mark-all control and the footer)."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..htmx import fragment_response, is_htmx_request, render, render_fragment, see_other
from ..models import PRIORITIES, Task
from . import queries
from .fields import current_filter, parse_task_form

bp = Blueprint("tasks", __name__, url_prefix="/tasks")
LIST_TEMPLATE = "tasks/index.html"
SUMMARY_BLOCKS = ["toggle_all", "footer"]


@bp.before_request
@login_required
def require_login():
    """Every task URL belongs to a logged-in person."""


@bp.context_processor
def dates_in_the_users_zone():
    """What "today" is for the person looking, in their own time zone."""
    try:
        zone = ZoneInfo(getattr(current_user, "timezone", None) or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return {"today": datetime.now(zone).date(), "priorities": PRIORITIES}


def _task_or_404(task_id: uuid.UUID) -> Task:
    task = queries.owned_task(current_user.id, task_id)
    if task is None:
        abort(404)
    return task


def _list_url(list_filter: str) -> str:
    return url_for("tasks.index", filter=list_filter if list_filter != "all" else None)


def _list_context(list_filter: str, **extra) -> dict:
    return {"filter": list_filter, "counts": queries.counts(current_user.id), **extra}


def _fragments(list_filter: str, *, rows: list[Task] = (), also: tuple[str, ...] = ()):
    """The changed rows, then the summary blocks (and ``also``) as out-of-band swaps."""
    body = "".join(render_template("tasks/_row.html", task=task, filter=list_filter) for task in rows)
    body += render_fragment(LIST_TEMPLATE, SUMMARY_BLOCKS + list(also), oob=True, **_list_context(list_filter))
    return fragment_response(body)


@bp.get("")
def index():
    """The list, filtered, one keyset page at a time."""
    list_filter = current_filter(request.args)
    page = queries.list_page(current_user.id, list_filter, request.args.get("after"))
    context = _list_context(list_filter, page=page, after=request.args.get("after"))
    if request.args.get("after"):
        # "Load more" appends rows to the list and replaces its own control.
        return render(LIST_TEMPLATE, blocks=("more_rows", "load_more"), oob=True, **context)
    return render(LIST_TEMPLATE, **context)


@bp.post("")
def create():
    """Add a task; an empty title creates nothing and says why."""
    list_filter = current_filter(request.form)
    values, errors, entered = parse_task_form(request.form, partial=False)
    if errors:
        return _create_form_with_errors(list_filter, errors, entered)
    task = Task(user_id=current_user.id, **values)
    db.session.add(task)
    db.session.commit()
    if not is_htmx_request():
        return see_other(_list_url(list_filter))
    shown = [task] if queries.matches_filter(task, list_filter) else []
    # The add form comes back empty (and focused) as an out-of-band swap.
    return _fragments(list_filter, rows=shown, also=("new_task",))


def _create_form_with_errors(list_filter, errors, entered):
    if is_htmx_request():
        response = render(LIST_TEMPLATE, blocks=("new_task",), status=422, filter=list_filter,
                          errors=errors, entered=entered, oob=False)
        response.headers["HX-Retarget"] = "#new-task"
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    page = queries.list_page(current_user.id, list_filter)
    return render(LIST_TEMPLATE, status=422, **_list_context(list_filter, page=page, errors=errors, entered=entered))


@bp.get("/<uuid:task_id>")
def show(task_id: uuid.UUID):
    """One task on its own page, with the form to edit it."""
    task = _task_or_404(task_id)
    return render("tasks/show.html", task=task, filter=current_filter(request.args), errors={}, entered={})


@bp.post("/<uuid:task_id>")
def update(task_id: uuid.UUID):
    """Change the fields that were sent; a blanked title is refused, never saved."""
    task = _task_or_404(task_id)
    list_filter = current_filter(request.form)
    values, errors, entered = parse_task_form(request.form, partial=True)
    from_detail_page = request.form.get("view") == "detail"
    if errors:
        if from_detail_page or not is_htmx_request():
            return render("tasks/show.html", status=422, task=task, filter=list_filter, errors=errors, entered=entered)
        return render("tasks/_row.html", status=422, task=task, filter=list_filter,
                      errors=errors, entered=entered, editing=True)
    if "completed" in values:
        task.set_completed(values.pop("completed"))
    for name, value in values.items():
        setattr(task, name, value)
    db.session.commit()
    if not is_htmx_request():
        if from_detail_page:
            flash("Task saved.", "success")
        return see_other(_list_url(list_filter))
    return _fragments(list_filter, rows=[task] if queries.matches_filter(task, list_filter) else [])


@bp.post("/<uuid:task_id>/toggle")
def toggle(task_id: uuid.UUID):
    """Flip completed. Under a filter the row leaves when it no longer fits."""
    task = _task_or_404(task_id)
    list_filter = current_filter(request.form)
    task.set_completed(not task.completed)
    db.session.commit()
    if not is_htmx_request():
        return see_other(_list_url(list_filter))
    return _fragments(list_filter, rows=[task] if queries.matches_filter(task, list_filter) else [])


@bp.post("/<uuid:task_id>/delete")
def delete(task_id: uuid.UUID):
    """Delete one task."""
    task = _task_or_404(task_id)
    list_filter = current_filter(request.form)
    title = task.title
    db.session.delete(task)
    db.session.commit()
    if not is_htmx_request():
        flash(f"Deleted “{title}”.", "info")
        return see_other(_list_url(list_filter))
    return _fragments(list_filter)


def _whole_list(list_filter: str):
    """After a change to many rows, the list section is swapped as one."""
    if not is_htmx_request():
        return see_other(_list_url(list_filter))
    page = queries.list_page(current_user.id, list_filter)
    return render(LIST_TEMPLATE, blocks=("task_section",), **_list_context(list_filter, page=page))


@bp.post("/toggle-all")
def toggle_all():
    """Complete everything, or reopen everything when all is already done."""
    list_filter = current_filter(request.form)
    counts = queries.counts(current_user.id)
    queries.set_all_completed(current_user.id, completed=counts.active > 0)
    db.session.commit()
    return _whole_list(list_filter)


@bp.post("/clear-completed")
def clear_completed():
    """Delete every completed task."""
    list_filter = current_filter(request.form)
    queries.delete_completed(current_user.id)
    db.session.commit()
    return _whole_list(list_filter)
