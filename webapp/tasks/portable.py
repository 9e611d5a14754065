"""Tasks in and out of Docket: JSON, CSV, or a plain list of titles.

Import is all or nothing: every row is checked with the same rules as the
forms before a single one is written, and the first bad row is named.
"""

import csv
import io
import json
from datetime import datetime, timezone

from ..models import PRIORITIES, Task, utcnow
from .fields import clean_description, clean_due_date, clean_priority, clean_title

FIELDS = ["id", "title", "description", "completed", "completed_at", "due_date", "priority", "created_at", "updated_at"]
MAX_ROWS = 50_000


class ImportProblem(ValueError):
    """A file that cannot be imported; the message says where and why."""


def to_record(task: Task) -> dict:
    return {
        "id": str(task.id),
        "title": task.title,
        "description": task.description or "",
        "completed": task.completed,
        "completed_at": task.completed_at.isoformat() if task.completed_at else "",
        "due_date": task.due_date.isoformat() if task.due_date else "",
        "priority": PRIORITIES.get(task.priority, "none"),
        "created_at": task.created_at.isoformat(),
        "updated_at": task.updated_at.isoformat(),
    }


def csv_lines(records):
    """CSV text, a line at a time, for a streamed download."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS)
    writer.writeheader()
    for record in records:
        writer.writerow(record)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _timestamp(value, row: int, name: str):
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise ImportProblem(f"Row {row}: {name} {value!r} is not a date and time (ISO 8601).") from None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _completed(value, row: int) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value or "").strip().lower()
    if word in {"true", "1", "yes", "y", "x", "done"}:
        return True
    if word in {"false", "0", "no", "n", ""}:
        return False
    raise ImportProblem(f"Row {row}: completed must be true or false, not {value!r}.")


def _task_values(record, row: int) -> dict:
    if not isinstance(record, dict):
        raise ImportProblem(f"Row {row}: expected an object with a title.")
    title, error = clean_title(str(record.get("title") or ""))
    if error:
        raise ImportProblem(f"Row {row}: {error}")
    checks = [
        ("description", clean_description, record.get("description")),
        ("due_date", clean_due_date, record.get("due_date")),
        ("priority", clean_priority, record.get("priority")),
    ]
    values = {"title": title}
    for name, clean, raw in checks:
        values[name], error = clean("" if raw is None else str(raw))
        if error:
            raise ImportProblem(f"Row {row}: {error}")
    now = utcnow()
    values["completed"] = _completed(record.get("completed"), row)
    values["created_at"] = _timestamp(record.get("created_at"), row, "created_at") or now
    values["updated_at"] = _timestamp(record.get("updated_at"), row, "updated_at") or now
    completed_at = _timestamp(record.get("completed_at"), row, "completed_at")
    values["completed_at"] = (completed_at or now) if values["completed"] else None
    return values


def parse(filename: str, data: bytes) -> list[dict]:
    """Rows ready to insert, from a .json, .csv or plain-text file; or ImportProblem."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportProblem("The file is not UTF-8 text.") from None
    if "\x00" in text:
        raise ImportProblem("The file contains NUL characters; it does not look like text.")
    name = (filename or "").lower()
    if name.endswith(".json") or text.lstrip().startswith(("{", "[")):
        records = _json_records(text)
    elif name.endswith(".csv"):
        records = list(csv.DictReader(io.StringIO(text)))
        if records and "title" not in records[0]:
            raise ImportProblem("The CSV file needs a header row with a 'title' column.")
    else:
        records = [{"title": line} for line in text.splitlines() if line.strip()]
    if not records:
        raise ImportProblem("The file holds no tasks.")
    if len(records) > MAX_ROWS:
        raise ImportProblem(f"The file holds {len(records):,} tasks; at most {MAX_ROWS:,} can be imported at once.")
    return [_task_values(record, row) for row, record in enumerate(records, start=1)]


def _json_records(text: str) -> list:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportProblem(f"The JSON is not valid (line {error.lineno}: {error.msg}).") from None
    if isinstance(document, dict):
        document = document.get("tasks")
    if not isinstance(document, list):
        raise ImportProblem("The JSON must be a list of tasks, or an object with a 'tasks' list.")
    return document
