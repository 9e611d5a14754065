"""A person's lists: create, rename, reorder and delete (with Undo).

Every action is a plain form (303 on success, the page again with 422 and
the message beside the field when refused); with JavaScript the forms are
boosted and dragging a list in the sidebar posts its new place (204).
Someone else's list, or no such list: 404, and nothing changes.
"""

import sqlalchemy as sa
from flask import Blueprint, abort, request, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..htmx import is_htmx_request, nothing_to_swap, render, see_other
from ..models import INBOX, Task, TaskList
from . import queries, rendering, trash
from .fields import TRUE_VALUES, clean_list_name
from .listview import ListView, parse_list_id
from .organize import LABELS_PER_PERSON
from .rendering import list_helpers, offer_undo

bp = Blueprint("lists", __name__, url_prefix="/lists")
bp.context_processor(list_helpers)
MAX_LISTS = 100
LIST_ID = "int(max=2147483647)"  # lists.id is a 32-bit integer: a bigger number is no list of anyone's


@bp.before_request
@login_required
def require_login():
    """Every list URL belongs to a logged-in person."""


def _list_or_404(list_id: int) -> TaskList:
    found = queries.owned_list(current_user.id, list_id)
    if found is None:
        abort(404)
    return found


def _name_problem(name: str, keep: TaskList | None = None) -> str | None:
    """Why ``name`` cannot be a (new or renamed) list of this person's, or None."""
    wanted = name.casefold()
    for entry in queries.user_lists(current_user.id):
        if entry.name.casefold() == wanted and (keep is None or entry.id != keep.id):
            return f"You already have a list called “{entry.name}”."
    return None


def _task_url(task_list: TaskList) -> str:
    return ListView(list_id=task_list.id).url()


@bp.get("")
def index():
    """Every list with its open tasks, and the smart views: the sidebar as a
    page (a phone without JavaScript opens this instead of the drawer)."""
    view = ListView()
    return render("lists/index.html", view=view, **rendering.sidebar(view, labels=LABELS_PER_PERSON))


@bp.post("")
def create():
    """Add a list and show it; a bad name creates nothing and says why, beside the field."""
    view = rendering.view_from(request.form)
    name, error = clean_list_name(request.form.get("name"))
    if not error:
        error = _name_problem(name)
    if not error and len(queries.user_lists(current_user.id)) >= MAX_LISTS:
        error = f"You have {MAX_LISTS} lists, as many as Docket keeps. Delete one to make room."
    if error:
        return rendering.refused(view, "sidebar", list_error=error, list_entered=request.form.get("name", ""))
    last = db.session.scalar(sa.select(sa.func.max(TaskList.position)).where(TaskList.user_id == current_user.id))
    task_list = TaskList(user_id=current_user.id, name=name, position=(last or 0) + 1)
    db.session.add(task_list)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # the same name, added at the same moment in another tab
        db.session.rollback()
        return rendering.refused(view, "sidebar", list_error=f"You already have a list called “{name}”.",
                                 list_entered=request.form.get("name", ""))
    return see_other(_task_url(task_list))


def _edit_page(task_list: TaskList, status: int = 200, **form):
    lists = queries.user_lists(current_user.id)
    place = next(index for index, entry in enumerate(lists) if entry.id == task_list.id)
    tasks, done = db.session.execute(
        sa.select(sa.func.count(Task.id), sa.func.count(Task.id).filter(Task.completed.is_(True)))
        .where(Task.user_id == current_user.id, Task.list_id == task_list.id)
    ).one()
    return render("lists/edit.html", status=status, task_list=task_list, view=ListView(list_id=task_list.id),
                  first=place <= 1, last=place == len(lists) - 1, tasks=tasks, open_tasks=tasks - done, **form)


@bp.get(f"/<{LIST_ID}:list_id>")
def edit(list_id: int):
    """A list's settings: its name, its place among the lists, and deleting it."""
    return _edit_page(_list_or_404(list_id))


@bp.post(f"/<{LIST_ID}:list_id>")
def rename(list_id: int):
    """Rename a list; the Inbox keeps its name."""
    task_list = _list_or_404(list_id)
    name, error = clean_list_name(request.form.get("name"))
    if task_list.is_inbox:
        error = f"The {INBOX} keeps its name: it is where new tasks go."
    elif not error:
        error = _name_problem(name, keep=task_list)
    if error:
        return _edit_page(task_list, 422, name_error=error, name_entered=request.form.get("name", ""))
    task_list.name = name
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        return _edit_page(task_list, 422, name_error=f"You already have a list called “{name}”.",
                          name_entered=request.form.get("name", ""))
    return see_other(_task_url(task_list))


@bp.post(f"/<{LIST_ID}:list_id>/delete")
def delete(list_id: int):
    """Delete a list and its tasks, with Undo on offer. A list that holds tasks
    asks first: without ``confirm`` it answers a page that asks (nothing changes)."""
    task_list = _list_or_404(list_id)
    if task_list.is_inbox:
        return _edit_page(task_list, 422, delete_error=f"The {INBOX} cannot be deleted: it is where new tasks go.")
    count = db.session.scalar(sa.select(sa.func.count(Task.id)).where(Task.user_id == current_user.id,
                                                                      Task.list_id == task_list.id))
    confirmed = request.form.get("confirm", "").strip().lower() in TRUE_VALUES
    if count and not confirmed:
        return render("lists/delete.html", task_list=task_list, tasks=count, view=ListView(list_id=task_list.id))
    name = task_list.name
    batch, count = trash.delete_list(current_user.id, task_list)
    inbox = queries.inbox_id(current_user.id)
    message = f"Deleted the list “{name}”" + (f" and its {count} task{'s' if count != 1 else ''}." if count else ".")
    offer_undo(1, message, {"batch": batch.hex})  # a list is worth an Undo even when it held nothing
    db.session.commit()
    return see_other(ListView(list_id=inbox).url())


@bp.post(f"/<{LIST_ID}:list_id>/move")
def move(list_id: int):
    """Move a list a step up or down (``direction``), or, dragged in the sidebar,
    right below another (``after``: its id, or empty for the top). The Inbox stays first."""
    task_list = _list_or_404(list_id)
    if task_list.is_inbox:
        abort(400)
    lists = queries.user_lists(current_user.id)
    order = [entry.id for entry in lists if not entry.is_inbox]
    place = order.index(task_list.id)
    if "after" in request.form:
        after = request.form["after"]
        target = parse_list_id(after)
        order.remove(task_list.id)
        if after == "" or any(entry.id == target and entry.is_inbox for entry in lists):
            order.insert(0, task_list.id)
        elif target in order:
            order.insert(order.index(target) + 1, task_list.id)
        else:
            abort(404)  # not one of this person's lists
    elif request.form.get("direction") in ("up", "down"):
        step = -1 if request.form["direction"] == "up" else 1
        if 0 <= place + step < len(order):
            order[place], order[place + step] = order[place + step], order[place]
    else:
        abort(400)
    for position, entry_id in enumerate(order, start=1):
        db.session.execute(sa.update(TaskList).where(TaskList.id == entry_id, TaskList.user_id == current_user.id)
                           .values(position=position))
    db.session.commit()
    if is_htmx_request():
        return nothing_to_swap()  # dragged: the sidebar already shows the new order
    return see_other(url_for("lists.edit", list_id=task_list.id))
