"""The task list: every action works as a plain form post (303 back to the
same view) and as an HTMX request; ``rendering`` says how either is answered.

A task's labels, repeat and parent (``organize``) are read with its other
fields and refused the same way: 422 beside the field, nothing written;
another person's parent task is a 404. Completing a repeating task keeps a
completed copy and moves the task on (both rows come back). The task page
shows a task's subtasks, each with its toggle, and a form to add one: they
post with ``view=detail`` and come back to that page (its ``subtasks``
block for htmx).
"""

import uuid

from flask import Blueprint, abort, flash, request, session, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..htmx import is_htmx_request, nothing_to_swap, render, respond, see_other
from ..models import Task
from . import organize
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


def _user():
    return current_user._get_current_object()


def _read_organize(task: Task | None, errors: dict, entered: dict) -> organize.OrganizeFields:
    """The form's labels, repeat and parent, checked; their refusals join
    ``errors`` and what was typed joins ``entered``. 404 for a parent that is
    not one of the person's tasks."""
    try:
        fields, problems = organize.read_fields(_user(), request.form, task=task)
    except organize.NotFound:
        abort(404)
    for name, message in problems.items():
        errors.setdefault(name, message)
    entered.update(fields.entered)
    return fields


def _apply_organize(task: Task, fields: organize.OrganizeFields) -> str | None:
    """Apply the checked fields; a repeat with no dates left (its UNTIL has
    passed, and the task has no due date) rolls everything back and says why."""
    try:
        organize.apply_fields(_user(), task, fields, organize.person_today(_user()))
    except organize.RepeatError as error:
        db.session.rollback()
        return str(error)
    return None


def _from_detail_page() -> bool:
    """Posted from a task's own page (``view=detail``), which it returns to."""
    return "detail" in request.form.getlist("view")


# Fields the add box does not show; their refusal (from another client) is said beside the title.
_NOT_IN_ADD_BOX = ("labels", "repeat", "parent_id")


def _beside_title(errors: dict) -> dict:
    if "title" not in errors:
        unshown = [errors[name] for name in _NOT_IN_ADD_BOX if name in errors]
        if unshown:
            errors["title"] = " ".join(unshown)
    return errors


def _list_or_404(list_id: int | None) -> int:
    """A list id the person owns, or a 404 (someone else's list: say nothing more)."""
    if queries.owned_list(current_user.id, list_id) is None:
        abort(404)
    return list_id


@bp.get("")
def index():
    """The list: filtered, searched and sorted, one keyset page at a time."""
    after = request.args.get("after")
    # An Undo offer saved by a plain-form delete shows on the next full page.
    undo = None if after or is_htmx_request() else session.pop("undo", None)
    # Served from the page cache while nothing it shows has changed (the key
    # holds the whole URL, so the view is read only to render); a page with
    # an Undo offer belongs to this moment only.
    return pagecache.serve(
        lambda: rendering.list_page(ListView.from_source(request.args), after, undo), storable=undo is None
    )


@bp.post("")
def create():
    """Add a task, to the list named (``list_id``), the list on view, or the
    Inbox; an empty title creates nothing and says why."""
    view = rendering.view_from(request.form)
    values, errors, entered = parse_task_form(request.form, partial=False)
    if values.get("list_id") is not None:
        _list_or_404(values["list_id"])
    understood = quick.read(request.form, values, errors, entered)  # quick add: "Pay rent tomorrow !high"
    fields = _read_organize(None, errors, entered)
    subtask_here = _from_detail_page() and "parent_id" in request.form  # the task page's "Add a subtask"
    if errors:
        if subtask_here:
            parent = _named_parent()
            if parent is not None:
                return _subtasks_changed(view, parent, status=422, subtask_error=" ".join(errors.values()),
                                         subtask_entered=entered.get("title", ""))
        return rendering.refused(view, "new_task", errors=_beside_title(errors), entered=entered)
    list_id = values.pop("list_id", None) or view.list_id or queries.inbox_id(current_user.id)
    if view.smart and values.get("due_date") is None and not subtask_here:
        values["due_date"] = view.day()  # added in Today or Upcoming: due today, so it shows there
    due = values.pop("due_date", None)
    task = Task(user_id=current_user.id, list_id=list_id, position=ordering.top_position(current_user.id), **values)
    organize.set_due_date(task, due)
    db.session.add(task)
    problem = _apply_organize(task, fields)
    if problem:
        errors["repeat"] = problem
        return rendering.refused(view, "new_task", errors=_beside_title(errors), entered=entered)
    quick.apply(understood, task)  # after the form's own fields: its list, #labels and repeat
    db.session.commit()
    if subtask_here and task.parent_id is not None:
        return _subtasks_changed(view, queries.owned_task(current_user.id, task.parent_id))
    return quick.answer(understood, rendering.rows_changed(view, [task]), task)


@bp.get("/<uuid:task_id>")
def show(task_id: uuid.UUID):
    """One task on its own page; for HTMX its row, open for editing when asked."""
    task = _task_or_404(task_id)
    view = ListView.from_source(request.args)
    if is_htmx_request():
        return rendering.row(view, task, editing="edit" in request.args)
    # After deleting one of its subtasks on that subtask's page: the Undo offer.
    return _detail_page(view, task, undo=session.pop("undo", None))


def _named_parent() -> Task | None:
    """The person's task that ``parent_id`` names, if any (even one that cannot be a parent)."""
    try:
        wanted = organize.parse_task_id(request.form.get("parent_id", ""))
    except organize.ParentError:
        return None
    return queries.owned_task(current_user.id, wanted) if wanted else None


def _detail_context(view: ListView, task: Task, **form) -> dict:
    """What the task page shows: the task's fields (with the person's lists and
    labels to choose from), its parent, or its subtasks and their progress."""
    parent = queries.owned_task(current_user.id, task.parent_id) if task.parent_id else None
    subtasks = [] if parent else queries.subtasks_of(current_user.id, task.id)
    return {"task": task, "view": view, "parent": parent, "subtasks": subtasks,
            "done": sum(1 for subtask in subtasks if subtask.completed),
            "label_choices": queries.label_names(current_user.id), "errors": {}, "entered": {}, **form}


def _detail_page(view: ListView, task: Task, status: int = 200, **form):
    lists = rendering.check_list(view)
    return render("tasks/show.html", status=status, lists=lists, **_detail_context(view, task, **form))


def _subtasks_changed(view: ListView, parent: Task, status: int = 200, **form):
    """A subtask was added, completed or reopened on its parent's page: the
    page again (303 for a plain form), or for htmx its subtasks."""
    return respond("tasks/show.html", blocks=("subtasks",), status=status,
                   redirect_to=url_for("tasks.show", task_id=parent.id) + view.query,
                   page=lambda: {"lists": rendering.check_list(view)}, **_detail_context(view, parent, **form))


@bp.post("/<uuid:task_id>")
def update(task_id: uuid.UUID):
    """Change the fields that were sent; a blanked title is refused, never saved.
    ``list_id`` moves the task (and its subtasks) to another of the person's lists."""
    task = _task_or_404(task_id)
    view = rendering.view_from(request.form)
    values, errors, entered = parse_task_form(request.form, partial=True)
    if values.get("list_id") is not None:
        _list_or_404(values["list_id"])
    fields = _read_organize(task, errors, entered)
    # A subtask lives in its parent's list: moving it alone would hide it from every list.
    stays_subtask = isinstance(fields.parent, Task) if "parent_id" in fields.entered else task.parent_id is not None
    if stays_subtask and values.get("list_id") not in (None, task.list_id) and "list_id" not in errors:
        errors["list_id"] = "A subtask stays in its parent's list: move the parent, or make this a task of its own."
    from_detail_page = _from_detail_page()
    if errors:
        return _refuse_edit(view, task, from_detail_page, errors, entered)
    completed = values.pop("completed", None)
    list_id = values.pop("list_id", None)
    if list_id is not None and list_id != task.list_id:
        queries.move_to_list(current_user.id, list_id, Task.parent_id == task.id)  # its subtasks go along
        task.list_id = list_id
    if "due_date" in values:
        organize.set_due_date(task, values.pop("due_date"))  # and the repeat's anchor day
    for name, value in values.items():
        setattr(task, name, value)
    problem = _apply_organize(task, fields)
    if problem:
        return _refuse_edit(view, task, from_detail_page, {**errors, "repeat": problem}, entered)
    shown, done = [task], None
    if completed:
        done = organize.complete_repeating(_user(), task, organize.person_today(_user()))
        shown = [done.task, done.history] if done.repeated else shown
    elif completed is not None:
        task.set_completed(False)
    db.session.commit()
    if from_detail_page and not is_htmx_request():
        flash(_moved_on(done) if done and done.repeated else "Task saved.", "success")
        if task.parent_id is not None:
            return see_other(url_for("tasks.show", task_id=task.parent_id) + view.query)
    return rendering.rows_changed(view, shown)


def _refuse_edit(view: ListView, task: Task, from_detail_page: bool, errors: dict, entered: dict):
    if from_detail_page or not is_htmx_request():
        return _detail_page(view, task, status=422, errors=errors, entered=entered)
    return rendering.row(view, task, editing=True, status=422, errors=errors, entered=entered)


def _moved_on(done: organize.Completion) -> str:
    return f"Done: “{done.task.title}” is next due {done.next_due.strftime('%-d %b %Y')}."


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
    """Completing a repeating task moves it on to its next due date, open, and
    keeps a completed copy: both rows come back (the copy only where the view
    shows completed tasks). Reopening is just that."""
    task = _task_or_404(task_id)
    view = rendering.view_from(request.form)
    shown = [task]
    if not task.completed if completed is None else completed:
        done = organize.complete_repeating(_user(), task, organize.person_today(_user()))
        if done.repeated:
            shown = [done.task, done.history]
            if not is_htmx_request():
                flash(_moved_on(done), "success")
    else:
        task.set_completed(False)
    db.session.commit()
    if _from_detail_page() and task.parent_id is not None:
        return _subtasks_changed(view, queries.owned_task(current_user.id, task.parent_id))
    return rendering.rows_changed(view, shown)


@bp.post("/<uuid:task_id>/delete")
def delete(task_id: uuid.UUID):
    """Delete one task, with Undo on offer."""
    task = _task_or_404(task_id)
    view = rendering.view_from(request.form)
    batch, count = trash.delete(current_user.id, Task.id == task.id)
    undo = offer_undo(count, f"Deleted “{task.title}”.", {"batch": batch.hex}, row=task.id)
    db.session.commit()
    if task.parent_id and _from_detail_page() and not is_htmx_request():
        # A subtask deleted on its own page: back to its parent's page, which offers the Undo.
        return see_other(url_for("tasks.show", task_id=task.parent_id) + view.query)
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
    moved = []
    if complete:
        # Repeating tasks move on to their next date (a completed copy stays
        # behind); Undo leaves them there: it reopens what the UPDATE completed.
        moved = organize.complete_repeating_matching(_user(), organize.person_today(_user()), *queries.in_view(view))
    count, moment = queries.set_completed(current_user.id, view, completed=complete,
                                          also=(Task.repeat.is_(None),) if complete else ())
    undo = None
    if complete:
        said = [] if moved and not count else ["Completed 1 task." if count == 1 else f"Completed {count} tasks."]
        if moved:
            said.append("1 repeating task moved on to its next date." if len(moved) == 1
                        else f"{len(moved)} repeating tasks moved on to their next dates.")
        message = " ".join(said)
        undo = offer_undo(count, message, {"completed_at": moment.isoformat()})
        if moved and undo is None and not is_htmx_request():
            flash(message, "success")
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
