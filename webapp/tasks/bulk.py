"""Acting on many tasks at once, and Undo.

One request, one transaction, and only the person's own tasks: a selection
that names any task they don't own (or that no longer exists) changes nothing.
"""

import uuid
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..htmx import is_htmx_request, see_other
from ..models import Task, utcnow
from . import organize, queries, rendering, trash
from .fields import clean_due_date, clean_list_id, clean_priority
from .listview import ListView
from .rendering import list_helpers, offer_undo

bp = Blueprint("bulk", __name__, url_prefix="/tasks")
bp.context_processor(list_helpers)
MAX_SELECTED = 1000
ACTIONS = ("complete", "reopen", "delete", "priority", "due_date", "move")
SUBTASK_STAYS = ("A subtask stays in its parent's list: move the parent (its subtasks go along), "
                 "or leave the subtask out of the selection.")


@bp.before_request
@login_required
def require_login():
    """Every task URL belongs to a logged-in person."""


def _selected_ids() -> list[uuid.UUID] | None:
    try:
        return list({uuid.UUID(value) for value in request.form.getlist("ids")})
    except ValueError:
        return None


def _refuse(view: ListView, message: str):
    """422 with the message beside the bulk controls; nothing changed."""
    return rendering.refused(view, "bulk", bulk_error=message)


@bp.post("/bulk")
def apply():
    """Complete, reopen, delete, re-prioritise, re-date or move (to another list) the selected tasks."""
    view = rendering.view_from(request.form)
    action = request.form.get("action")
    ids = _selected_ids()
    if action not in ACTIONS:
        return _refuse(view, "Choose what to do with the selected tasks.")
    if not ids:
        return _refuse(view, "Select at least one task first." if ids == [] else "The selection is not valid.")
    if len(ids) > MAX_SELECTED:
        return _refuse(view, f"Select at most {MAX_SELECTED} tasks at a time.")
    mine = Task.id.in_(ids)
    owned = db.session.scalar(sa.select(sa.func.count()).select_from(Task).where(Task.user_id == current_user.id, mine))
    if owned != len(ids):
        abort(404)  # some are not (or no longer) this person's: say nothing more, change nothing
    values = {"updated_at": utcnow()}
    if action == "delete":
        batch, count = trash.delete(current_user.id, mine)
        message = f"Deleted {count} tasks." if count > 1 else "Deleted 1 task."
        undo = offer_undo(count, message, {"batch": batch.hex}, row=ids[0] if count == 1 else None)
        db.session.commit()
        return rendering.list_changed(view, undo=undo)
    if action == "move":
        list_id, error = clean_list_id(request.form.get("list_id", ""))
        if error:
            return _refuse(view, error)
        if queries.owned_list(current_user.id, list_id) is None:
            abort(404)
        # A subtask goes where its parent goes (as on its own page): one
        # selected without its parent (Today, a label or a search show
        # subtasks as rows) would be split from it.
        strays = db.session.scalar(sa.select(sa.func.count()).select_from(Task).where(
            Task.user_id == current_user.id, mine, Task.parent_id.is_not(None), Task.parent_id.not_in(ids)))
        if strays:
            return _refuse(view, SUBTASK_STAYS)
        queries.move_to_list(current_user.id, list_id, mine)
        db.session.commit()
        return rendering.list_changed(view)
    if action in ("complete", "reopen"):
        done = action == "complete"
        values.update(completed=done, completed_at=utcnow() if done else None)
        condition = Task.completed.is_not(done)
        if done:
            # Repeating tasks move on to their next date (a completed copy stays
            # behind); the UPDATE completes the rest.
            user = current_user._get_current_object()
            organize.complete_repeating_matching(user, organize.person_today(user), mine)
            condition = sa.and_(condition, Task.repeat.is_(None))
    else:
        clean = clean_priority if action == "priority" else clean_due_date
        values[action], error = clean(request.form.get(action, ""))
        if error:
            return _refuse(view, error)
        if action == "due_date":
            values.update(organize.anchor_values(values.pop("due_date")))  # a repeat's anchor day follows the date
        condition = sa.true()
    db.session.execute(sa.update(Task).where(Task.user_id == current_user.id, mine, condition).values(**values))
    db.session.commit()
    return rendering.list_changed(view)


@bp.post("/undo")
def undo():
    """Take back the last delete (same ids, fields and order) or "Complete all".

    Asking twice is harmless: what is already back stays as it is."""
    view = rendering.view_from(request.form)
    try:
        if "completed_at" in request.form:
            moment = datetime.fromisoformat(request.form["completed_at"])
            if moment.tzinfo is None:
                raise ValueError("naive")
            moment = moment.astimezone(timezone.utc)  # a time with no UTC equivalent raises here, not in SQL
            restored = queries.reopen_completed_at(current_user.id, moment)
        else:
            restored = trash.restore(current_user.id, uuid.UUID(request.form.get("batch", "")))
        db.session.commit()
    except (ValueError, OverflowError):
        abort(404)
    except sa.exc.IntegrityError:
        # A second Undo raced the first one: the first put everything back.
        db.session.rollback()
        restored = 0
    if restored and not is_htmx_request():
        flash(f"Restored {restored} task{'s' if restored != 1 else ''}." if "batch" in request.form
              else f"Reopened {restored} task{'s' if restored != 1 else ''}.", "success")
    page = _task_page_to_return_to()
    if page is not None:
        return see_other(page + view.query)
    return rendering.list_changed(view, undo=None)


def _task_page_to_return_to() -> str | None:
    """The task page an Undo was offered on (a subtask deleted on its own page
    offers it on its parent's), when it is still the person's; else None."""
    if is_htmx_request() or "task_page" not in request.form:
        return None
    try:
        task_id = uuid.UUID(request.form["task_page"])
    except ValueError:
        return None
    if queries.owned_task(current_user.id, task_id) is None:
        return None
    return url_for("tasks.show", task_id=task_id)
