"""The task list: every action works as a plain form post (303 back to the
same view) and as an HTMX request; ``rendering`` says how either is answered."""

import uuid

from flask import Blueprint, abort, flash, request, session
from flask_login import current_user, login_required

from ..extensions import db
from ..htmx import is_htmx_request, nothing_to_swap, render, see_other
from ..models import Task
from . import ordering, pagecache, queries, quick, rendering, trash
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
bp.add_app_template_filter(rendering.bidi, "bidi")
bp.record_once(lambda state: state.app.jinja_env.add_extension(rendering.Unindent))


def _task_or_404(task_id: uuid.UUID) -> Task:
    task = queries.owned_task(current_user.id, task_id)
    if task is None:
        abort(404)
    return task


def _list_or_404(list_id: int | None) -> int:
    """A list id the person owns, or a 404 (someone else's list: say nothing more)."""
    if queries.owned_list(current_user.id, list_id) is None:
        abort(404)
    return list_id


@bp.get("")
def index():
    """The list: filtered, searched and sorted, one keyset page at a time."""
    view = ListView.from_source(request.args)
    after = request.args.get("after")
    # An Undo offer saved by a plain-form delete shows on the next full page.
    undo = None if after or is_htmx_request() else session.pop("undo", None)
    # Served from the page cache while nothing it shows has changed; a page
    # with an Undo offer belongs to this moment only.
    return pagecache.serve(lambda: rendering.list_page(view, after, undo), storable=undo is None)


@bp.post("")
def create():
    """Add a task, to the list named (``list_id``), the list on view, or the
    Inbox; an empty title creates nothing and says why."""
    view = rendering.view_from(request.form)
    values, errors, entered = parse_task_form(request.form, partial=False)
    if values.get("list_id") is not None:
        _list_or_404(values["list_id"])
    understood = quick.read(request.form, values, errors, entered)  # quick add: "Pay rent tomorrow !high"
    if errors:
        return rendering.refused(view, "new_task", errors=errors, entered=entered)
    list_id = values.pop("list_id", None) or view.list_id or queries.inbox_id(current_user.id)
    if view.smart and values.get("due_date") is None:
        values["due_date"] = view.day()  # added in Today or Upcoming: due today, so it shows there
    task = Task(user_id=current_user.id, list_id=list_id, position=ordering.top_position(current_user.id), **values)
    db.session.add(task)
    quick.apply(understood, task)  # after the form's own fields: its list, #labels and repeat
    db.session.commit()
    return quick.answer(understood, rendering.rows_changed(view, [task]), task)


@bp.get("/<uuid:task_id>")
def show(task_id: uuid.UUID):
    """One task on its own page; for HTMX its row, open for editing when asked."""
    task = _task_or_404(task_id)
    view = ListView.from_source(request.args)
    if is_htmx_request():
        return rendering.row(view, task, editing="edit" in request.args)
    lists = rendering.check_list(view)
    return render("tasks/show.html", task=task, view=view, lists=lists, errors={}, entered={})


@bp.post("/<uuid:task_id>")
def update(task_id: uuid.UUID):
    """Change the fields that were sent; a blanked title is refused, never saved.
    ``list_id`` moves the task (and its subtasks) to another of the person's lists."""
    task = _task_or_404(task_id)
    view = rendering.view_from(request.form)
    values, errors, entered = parse_task_form(request.form, partial=True)
    if values.get("list_id") is not None:
        _list_or_404(values["list_id"])
    from_detail_page = "detail" in request.form.getlist("view")
    if errors:
        if from_detail_page or not is_htmx_request():
            lists = rendering.check_list(view)
            return render("tasks/show.html", status=422, task=task, view=view, lists=lists, errors=errors,
                          entered=entered)
        return rendering.row(view, task, editing=True, status=422, errors=errors, entered=entered)
    if "completed" in values:
        task.set_completed(values.pop("completed"))
    list_id = values.pop("list_id", None)
    if list_id is not None and list_id != task.list_id:
        queries.move_to_list(current_user.id, list_id, Task.parent_id == task.id)  # its subtasks go along
        task.list_id = list_id
    for name, value in values.items():
        setattr(task, name, value)
    db.session.commit()
    if from_detail_page and not is_htmx_request():
        flash("Task saved.", "success")
    return rendering.rows_changed(view, [task])


@bp.post("/<uuid:task_id>/toggle")
def toggle(task_id: uuid.UUID):
    """Complete or reopen, as ``completed`` says (the state the person saw), so a
    double click or two tabs agree; without it, flip. Under a filter the row may leave."""
    wanted = request.form.get("completed")
    return _set_completed(task_id, None if wanted is None else wanted.strip().lower() in TRUE_VALUES)


# A row's toggle posts to one of these: the state it asks for is in its URL,
# which costs a page of 50 rows 1.5 KB less than a name and value per button.
@bp.post("/<uuid:task_id>/complete")
def complete(task_id: uuid.UUID):
    """Mark done (again: a repeat changes nothing)."""
    return _set_completed(task_id, True)


@bp.post("/<uuid:task_id>/reopen")
def reopen(task_id: uuid.UUID):
    """Mark not done."""
    return _set_completed(task_id, False)


def _set_completed(task_id: uuid.UUID, completed: bool | None):
    task = _task_or_404(task_id)
    view = rendering.view_from(request.form)
    task.set_completed(not task.completed if completed is None else completed)
    db.session.commit()
    return rendering.rows_changed(view, [task])


@bp.post("/<uuid:task_id>/delete")
def delete(task_id: uuid.UUID):
    """Delete one task, with Undo on offer."""
    task = _task_or_404(task_id)
    view = rendering.view_from(request.form)
    batch, count = trash.delete(current_user.id, Task.id == task.id)
    undo = offer_undo(count, f"Deleted “{task.title}”.", {"batch": batch.hex}, row=task.id)
    db.session.commit()
    return rendering.rows_changed(view, [], undo=undo)


@bp.post("/<uuid:task_id>/move")
def move(task_id: uuid.UUID):
    """Move a task in the manual order: a step up or down, or (drag and drop) below another."""
    task = _task_or_404(task_id)
    view = rendering.view_from(request.form)
    direction = request.form.get("direction")
    if "after" in request.form:
        upper = None
        if request.form["after"]:
            try:
                upper = _task_or_404(uuid.UUID(request.form["after"]))
            except ValueError:
                abort(404)
        ordering.move_after(current_user.id, task, upper, queries.in_view(view))
        db.session.commit()
        if is_htmx_request():
            return nothing_to_swap()  # dragged: the page already shows the new order
        return see_other(view.url())
    if direction not in ("up", "down"):
        abort(400)
    ordering.move(current_user.id, task, direction, queries.in_view(view))
    db.session.commit()
    return rendering.list_changed(view)


@bp.post("/toggle-all")
def toggle_all():
    """Complete every task the view shows, or reopen them when all are done.
    Completing offers Undo."""
    view = rendering.view_from(request.form)
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
    view = rendering.view_from(request.form)
    batch, count = trash.delete(current_user.id, Task.completed.is_(True), *queries.in_view(view))
    message = "Deleted 1 completed task." if count == 1 else f"Deleted {count} completed tasks."
    undo = offer_undo(count, message, {"batch": batch.hex})
    db.session.commit()
    return rendering.list_changed(view, undo=undo)
