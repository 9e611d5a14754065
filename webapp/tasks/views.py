"""The task list: every action works as a plain form post (303 back to the
same view) and as an HTMX request; ``rendering`` says how either is answered."""

import uuid

from flask import Blueprint, abort, flash, request, session
from flask_login import current_user, login_required

from ..extensions import db
from ..htmx import is_htmx_request, nothing_to_swap, render, see_other
from ..models import Task
from . import ordering, queries, rendering, trash
from .fields import TRUE_VALUES, parse_task_form
from .listview import ListView
from .rendering import list_helpers, offer_undo, view_fields

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
    # An Undo offer saved by a plain-form delete shows on the next full page.
    undo = None if after or is_htmx_request() else session.pop("undo", None)
    return rendering.list_page(view, after, undo)


@bp.post("")
def create():
    """Add a task; an empty title creates nothing and says why."""
    view = ListView.from_source(request.form)
    values, errors, entered = parse_task_form(request.form, partial=False)
    if errors:
        return rendering.refused(view, "new_task", errors=errors, entered=entered)
    task = Task(user_id=current_user.id, position=ordering.top_position(current_user.id), **values)
    db.session.add(task)
    db.session.commit()
    return rendering.rows_changed(view, [task])


@bp.get("/<uuid:task_id>")
def show(task_id: uuid.UUID):
    """One task on its own page; for HTMX its row, open for editing when asked."""
    task = _task_or_404(task_id)
    view = ListView.from_source(request.args)
    if is_htmx_request():
        return rendering.row(view, task, editing="edit" in request.args)
    return render("tasks/show.html", task=task, view=view, errors={}, entered={})


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
        return rendering.row(view, task, editing=True, status=422, errors=errors, entered=entered)
    if "completed" in values:
        task.set_completed(values.pop("completed"))
    for name, value in values.items():
        setattr(task, name, value)
    db.session.commit()
    if from_detail_page and not is_htmx_request():
        flash("Task saved.", "success")
    return rendering.rows_changed(view, [task])


@bp.post("/<uuid:task_id>/toggle")
def toggle(task_id: uuid.UUID):
    """Complete or reopen. The button says which (the state the person saw), so a
    double click or two tabs agree; without it, flip. Under a filter the row may leave."""
    task = _task_or_404(task_id)
    view = ListView.from_source(request.form)
    wanted = request.form.get("completed")
    task.set_completed(not task.completed if wanted is None else wanted.strip().lower() in TRUE_VALUES)
    db.session.commit()
    return rendering.rows_changed(view, [task])


@bp.post("/<uuid:task_id>/delete")
def delete(task_id: uuid.UUID):
    """Delete one task, with Undo on offer."""
    task = _task_or_404(task_id)
    view = ListView.from_source(request.form)
    batch, count = trash.delete(current_user.id, Task.id == task.id)
    undo = offer_undo(count, f"Deleted “{task.title}”.", {"batch": batch.hex}, row=task.id)
    db.session.commit()
    return rendering.rows_changed(view, [], undo=undo)


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
        db.session.commit()
        if is_htmx_request():
            return nothing_to_swap()  # dragged: the page already shows the new order
        return see_other(view.url())
    if direction not in ("up", "down"):
        abort(400)
    ordering.move(current_user.id, task, direction)
    db.session.commit()
    return rendering.list_changed(view)


@bp.post("/toggle-all")
def toggle_all():
    """Complete every task the view shows, or reopen them when all are done.
    Completing offers Undo."""
    view = ListView.from_source(request.form)
    counts = queries.counts(current_user.id, view)
    complete = view.filter == "active" or (view.filter == "all" and counts.active > 0)
    count, moment = queries.set_completed(current_user.id, view, completed=complete)
    undo = None
    if complete:
        message = "Completed 1 task." if count == 1 else f"Completed {count} tasks."
        undo = offer_undo(count, message, {"completed_at": moment.isoformat()})
    db.session.commit()
    return rendering.list_changed(view, undo=undo)


@bp.post("/clear-completed")
def clear_completed():
    """Delete the completed tasks the view shows, with Undo on offer."""
    view = ListView.from_source(request.form)
    batch, count = trash.delete(current_user.id, Task.completed.is_(True), *queries.in_view(view))
    message = "Deleted 1 completed task." if count == 1 else f"Deleted {count} completed tasks."
    undo = offer_undo(count, message, {"batch": batch.hex})
    db.session.commit()
    return rendering.list_changed(view, undo=undo)
