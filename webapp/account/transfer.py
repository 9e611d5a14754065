"""Export every task as JSON or CSV, and import such a file (or a list of titles) back."""

import hashlib
import json
from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, Response, flash, request, stream_with_context, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..htmx import see_other
from ..models import Label, Task, TaskList, task_labels, utcnow
from ..tasks.organize import OrganizeError
from ..tasks.portable import ImportProblem, csv_lines, parse, to_record
from . import same_file
from .bulk_insert import write_import
from .views import _settings_page

bp = Blueprint("transfer", __name__, url_prefix="/account")


def _records(user_id: str):
    """Every task of the person as a record, with its list's and labels' names
    (read once each, not per task)."""
    list_names = dict(db.session.execute(sa.select(TaskList.id, TaskList.name).where(TaskList.user_id == user_id)).all())
    labels = defaultdict(list)  # each task's labels, sorted as a person reads them (not by the database's collation)
    for task_id, name in db.session.execute(
        sa.select(task_labels.c.task_id, Label.name).join(Label, Label.id == task_labels.c.label_id)
        .where(Label.user_id == user_id)
    ):
        labels[task_id].append(name)
    # In the person's own order, so even a reader that ignores "position" keeps it.
    statement = sa.select(Task).where(Task.user_id == user_id).order_by(Task.position, Task.id)
    for task in db.session.scalars(statement.execution_options(yield_per=1000)):
        yield to_record(task, list_names.get(task.list_id), sorted(labels.get(task.id, ()), key=str.casefold))


def _download(body, mimetype: str, extension: str) -> Response:
    response = Response(stream_with_context(body), mimetype=mimetype)
    filename = f"docket-tasks-{date.today().isoformat()}.{extension}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Every task of the person: no browser or proxy cache may keep a copy.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/export.json")
@login_required
def export_json():
    """All of the person's tasks as one JSON document."""
    records = _records(current_user.id)  # read the user now, not while streaming

    def body():
        yield '{"format": "docket-tasks", "version": 1, "exported_at": %s, "tasks": [' % json.dumps(utcnow().isoformat())
        for index, record in enumerate(records):
            yield ("," if index else "") + "\n" + json.dumps(record, ensure_ascii=False)
        yield "\n]}\n"

    return _download(body(), "application/json", "json")


@bp.get("/export.csv")
@login_required
def export_csv():
    """All of the person's tasks as CSV, one row each."""
    return _download(csv_lines(_records(current_user.id)), "text/csv", "csv")


def _one_import_at_a_time(user_id: str) -> bool:
    """Take this account's import lock for the rest of the transaction (PostgreSQL).

    One person cannot run several large imports side by side and tie up the
    database; a second one is refused at once rather than queued. SQLite
    writes one transaction at a time anyway."""
    if db.session.get_bind().dialect.name != "postgresql":
        return True
    key = int.from_bytes(hashlib.sha256(f"docket-import:{user_id}".encode()).digest()[:8], "big", signed=True)
    return bool(db.session.execute(sa.select(sa.func.pg_try_advisory_xact_lock(key))).scalar())


@bp.post("/import")
@login_required
def import_tasks():
    """Add the tasks of an uploaded file, all of them or none, on top of "My order"."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _settings_page(422, import_error="Choose a file to import.")
    data = upload.read()
    try:
        rows = parse(upload.filename, data, utcnow())
    except ImportProblem as problem:
        return _settings_page(422, import_error=f"Nothing was imported. {problem}")
    user_id = current_user.id
    if not same_file.claim(user_id, data):
        return _settings_page(409, import_error="This file was imported moments ago, so it was not imported "
                                                "again. To import it twice, wait a few seconds and try again.")
    if not _one_import_at_a_time(user_id):
        same_file.release(user_id, data)
        return _settings_page(409, import_error="Another import of yours is still running. "
                                                "Nothing was imported; try again when it has finished.")
    try:
        written = write_import(current_user, rows)
        db.session.commit()
    except OrganizeError as problem:  # too many lists or labels: checked before a task is written
        db.session.rollback()
        same_file.release(user_id, data)
        return _settings_page(422, import_error=f"Nothing was imported. {problem}")
    except Exception:
        same_file.release(user_id, data)
        raise
    message = f"Imported {written.tasks:,} task{'s' if written.tasks != 1 else ''}."
    if written.orphans:
        message += (f" {written.orphans:,} subtask{'s' if written.orphans != 1 else ''} whose parent was not in the "
                    "file became tasks of their own.")
    flash(message, "success")
    return see_other(url_for("tasks.index"))
