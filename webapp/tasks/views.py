"""The task list: every action works as a plain form post (303 back to the
same view) and as an HTMX request (the changed fragment plus out-of-band
swaps for the counter, the mark-all control and the footer)."""

import uuid

from flask import Blueprint, abort, flash, request, session
from flask_login import current_user, login_required

from ..extensions import db
from ..htmx import fragment_response, is_htmx_request, render, render_fragment, see_other
from ..models import Task
from . import ordering, queries, trash
from .fields import parse_task_form
from .listview import ListView
from .rendering import LIST_TEMPLATE, fragments, list_context, list_helpers, offer_undo, view_fields, whole_list

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


@bp.before_request
@login_required
def require_login():
    """Every task URL belongs to a logged-in person."""


bp.context_processor(list_helpers)
bp.add_app_template_global(view_fields, "view_fields")


def _task_or_404(task_id: uuid.UUID) -> Task:
    task = queries.owned_task(current_user.id, task_id)
    if task is None:
        abort(404)
    return task


@bp.get("")
def index():
    """The list: filtered, searched and sorted, one keyset page at a time."""
    view = ListView.from_source(request.args)
    after = request.args.get("after")
    page = queries.list_page(current_user.id, view, after)
    # An Undo offer saved by a plain-form delete shows on the next full page.
    undo = None if after or is_htmx_request() else session.pop("undo", None)
    context = list_context(view, page=page, after=after, undo=undo)
    if after:
        # "Load more" appends rows to the list and replaces its own control.
        return render(LIST_TEMPLATE, blocks=("more_rows", "load_more"), oob=True, **context)
    if is_htmx_request() and request.headers.get("HX-Target") == "task-section":
        # Search and sort swap the list section; the add form follows out of
        # band so that its hidden fields name the new view.
        body = render_fragment(LIST_TEMPLATE, ["task_section"], **context)
        body += render_fragment(LIST_TEMPLATE, ["new_task"], oob=True, **context)
        return fragment_response(body)
    return render(LIST_TEMPLATE, **context)


@bp.post("")
def create():
    """Add a task; an empty title creates nothing and says why."""
    view = ListView.from_source(request.form)
    values, errors, entered = parse_task_form(request.form, partial=False)
    if errors:
        return _create_form_with_errors(view, errors, entered)
    task = Task(user_id=current_user.id, position=ordering.top_position(current_user.id), **values)
    db.session.add(task)
    db.session.commit()
    if not is_htmx_request():
        return see_other(view.url())
    # The add form comes back empty (and focused) as an out-of-band swap.
    return fragments(view, rows=[task], also=("new_task",))


def _create_form_with_errors(view: ListView, errors: dict, entered: dict):
    if is_htmx_request():
        response = render(LIST_TEMPLATE, blocks=("new_task",), status=422, view=view,
                          errors=errors, entered=entered, oob=False)
        response.headers["HX-Retarget"] = "#new-task"
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    page = queries.list_page(current_user.id, view)
    return render(LIST_TEMPLATE, status=422, **list_context(view, page=page, errors=errors, entered=entered))


@bp.get("/<uuid:task_id>")
def show(task_id: uuid.UUID):
    """One task on its own page, with the form to edit it."""
    task = _task_or_404(task_id)
    return render("tasks/show.html", task=task, view=ListView.from_source(request.args), errors={}, entered={})


@bp.post("/<uuid:task_id>")
def update(task_id: uuid.UUID):
    """Change the fields that were sent; a blanked title is refused, never saved."""
    task = _task_or_404(task_id)
    view = ListView.from_source(request.form)
    values, errors, entered = parse_task_form(request.form, partial=True)
    from_detail_page = request.form.get("view") == "detail"
    if errors:
        if from_detail_page or not is_htmx_request():
            return render("tasks/show.html", status=422, task=task, view=view, errors=errors, entered=entered)
        return render("tasks/_row.html", status=422, task=task, view=view,
                      errors=errors, entered=entered, editing=True)
    if "completed" in values:
        task.set_completed(values.pop("completed"))
    for name, value in values.items():
        setattr(task, name, value)
    db.session.commit()
    if not is_htmx_request():
        if from_detail_page:
            flash("Task saved.", "success")
        return see_other(view.url())
    return fragments(view, rows=[task])


@bp.post("/<uuid:task_id>/toggle")
def toggle(task_id: uuid.UUID):
    """Flip completed. Under a filter the row leaves when it no longer fits."""
    task = _task_or_404(task_id)
    view = ListView.from_source(request.form)
    task.set_completed(not task.completed)
    db.session.commit()
    if not is_htmx_request():
        return see_other(view.url())
    return fragments(view, rows=[task])


@bp.post("/<uuid:task_id>/delete")
def delete(task_id: uuid.UUID):
    """Delete one task, with Undo on offer."""
    task = _task_or_404(task_id)
    view = ListView.from_source(request.form)
    batch, count = trash.delete(current_user.id, Task.id == task.id)
    undo = offer_undo(batch, count, f"Deleted “{task.title}”.")
    db.session.commit()
    if not is_htmx_request():
        return see_other(view.url())
    return fragments(view, also=("undo",), undo=undo)


@bp.post("/<uuid:task_id>/move")
def move(task_id: uuid.UUID):
    """Move a task in the manual order: a step up or down, or (drag and drop) below another."""
    task = _task_or_404(task_id)
    view = ListView.from_source(request.form)
    direction = request.form.get("direction")
    if "after" in request.form:
        upper = None
        if request.form["after"]:
            try:
                upper = _task_or_404(uuid.UUID(request.form["after"]))
            except ValueError:
                abort(404)
        ordering.move_after(current_user.id, task, upper)
    elif direction in ("up", "down"):
        ordering.move(current_user.id, task, direction)
    else:
        abort(400)
    db.session.commit()
    if is_htmx_request() and request.headers.get("HX-Target") is None:
        return "", 204  # dragged: the page already shows the new order
    return whole_list(view)


@bp.post("/toggle-all")
def toggle_all():
    """Complete everything, or reopen everything when all is already done."""
    view = ListView.from_source(request.form)
    counts = queries.counts(current_user.id)
    queries.set_all_completed(current_user.id, completed=counts.active > 0)
    db.session.commit()
    return whole_list(view)


@bp.post("/clear-completed")
def clear_completed():
    """Delete every completed task, with Undo on offer."""
    view = ListView.from_source(request.form)
    batch, count = trash.delete(current_user.id, Task.completed.is_(True))
    undo = offer_undo(batch, count, "Cleared completed tasks.")
    db.session.commit()
    return whole_list(view, undo=undo)
