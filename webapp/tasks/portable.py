"""Tasks in and out of Docket: JSON, CSV, or a plain list of titles.

Import is all or nothing: every row is checked with the same rules as the
forms before a single one is written, and the first bad row is named. An
upload is untrusted input, so anything wrong with it (bad encoding, deep
nesting, huge numbers, broken characters, impossible dates) ends in an
``ImportProblem`` with a message for the person, never in a 500.
"""

import csv
import io
import json
import re
from datetime import datetime, timezone
from itertools import islice

from ..models import PRIORITIES, Task, utcnow
from .fields import clean_description, clean_due_date, clean_priority, clean_title

FIELDS = ["id", "title", "description", "completed", "completed_at", "due_date", "priority", "position",
          "created_at", "updated_at"]
MAX_ROWS = 50_000
# A spreadsheet runs a cell that starts with one of these as a formula
# ("CSV injection"), so the export puts a ' in front and the import takes it off.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Positions are 64-bit in the database; a file's positions only give the order.
POSITION_TEXT = re.compile(r"[+-]?\d{1,19}")
POSITION_LIMIT = 2**63
# Far-off years overflow when a time is moved into a person's time zone.
EARLIEST_YEAR, LATEST_YEAR = 1900, 9998


class ImportProblem(ValueError):
    """A file that cannot be imported; the message says where and why."""


# -- export -----------------------------------------------------------------


def to_record(task: Task) -> dict:
    return {
        "id": str(task.id),
        "title": task.title,
        "description": task.description or "",
        "completed": task.completed,
        "completed_at": task.completed_at.isoformat() if task.completed_at else "",
        "due_date": task.due_date.isoformat() if task.due_date else "",
        "priority": PRIORITIES.get(task.priority, "none"),
        "position": task.position,
        "created_at": task.created_at.isoformat(),
        "updated_at": task.updated_at.isoformat(),
    }


def neutralise(cell) -> str:
    """The cell as text that a spreadsheet shows rather than runs.

    Quotes already in front are looked through, so that ``restore`` can tell
    the quote added here from one the person typed: every text survives the
    round trip unchanged.
    """
    text = str(cell)
    return "'" + text if text.lstrip("'").startswith(FORMULA_STARTS) else text


def restore(cell: str) -> str:
    """Undo ``neutralise``: drop the one quote it added, and only that one."""
    if cell.startswith("'") and cell[1:].lstrip("'").startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def csv_lines(records):
    """CSV text, a line at a time, for a streamed download."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(FIELDS)
    for record in records:
        writer.writerow([neutralise(record[name]) for name in FIELDS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


# -- import -----------------------------------------------------------------


def _shown(value) -> str:
    """A value quoted for a message, cut short: a message must not echo a whole file."""
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _text(value, row: int, name: str) -> str:
    """One field as text. Nested lists or objects, NUL and lone surrogates are refused."""
    if type(value) is not str:  # CSV and text files only ever give str: test that first
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(value)
        raise ImportProblem(f"Row {row}: {name} must be text or a number, not a list or an object.")
    if "\x00" in value:
        raise ImportProblem(f"Row {row}: {name} contains a NUL character.")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # "\ud800" in JSON: no database can store it
            raise ImportProblem(f"Row {row}: {name} contains a broken character (half of a UTF-16 pair).") from None
    return value


def _timestamp(value, row: int, name: str) -> datetime | None:
    text = _text(value, row, name).strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
        moment = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 moved across midnight
        raise ImportProblem(f"Row {row}: {name} {_shown(text)} is not a date and time (ISO 8601).") from None
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ImportProblem(f"Row {row}: {name} {_shown(text)} must be between the years {EARLIEST_YEAR} "
                            f"and {LATEST_YEAR}.")
    return moment


def _completed(value, row: int) -> bool:
    word = _text(value, row, "completed").strip().lower()
    if word in {"true", "1", "yes", "y", "x", "done"}:
        return True
    if word in {"false", "0", "no", "n", ""}:
        return False
    raise ImportProblem(f"Row {row}: completed must be true or false, not {_shown(value)}.")


def _position(value, row: int) -> int | None:
    if isinstance(value, str):
        value = value.strip()
        if POSITION_TEXT.fullmatch(value):
            value = int(value)
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool) and -POSITION_LIMIT <= value < POSITION_LIMIT:
        return value
    raise ImportProblem(f"Row {row}: position must be a whole number, not {_shown(value)}.")


def _task_values(record, row: int, now: datetime) -> dict:
    if not isinstance(record, dict):
        raise ImportProblem(f"Row {row}: expected an object with a title.")
    title, error = clean_title(_text(record.get("title"), row, "title"))
    if error:
        raise ImportProblem(f"Row {row}: {error}")
    values = {"title": title}
    for name, clean in (("description", clean_description), ("due_date", clean_due_date),
                        ("priority", clean_priority)):
        values[name], error = clean(_text(record.get(name), row, name))
        if error:
            raise ImportProblem(f"Row {row}: {error}")
    values["completed"] = _completed(record.get("completed"), row)
    values["created_at"] = _timestamp(record.get("created_at"), row, "created_at") or now
    values["updated_at"] = _timestamp(record.get("updated_at"), row, "updated_at") or now
    completed_at = _timestamp(record.get("completed_at"), row, "completed_at")
    values["completed_at"] = (completed_at or now) if values["completed"] else None
    values["position"] = _position(record.get("position"), row)
    return values


def _in_manual_order(rows: list[dict]) -> list[dict]:
    """The rows as they should stand in "My order"; the file's positions are used up.

    When every row carries a position, they decide (ties keep the file's
    order); otherwise the file's order is the order.
    """
    positions = [row.pop("position") for row in rows]
    if None in positions:
        return rows
    return [rows[index] for index in sorted(range(len(rows)), key=positions.__getitem__)]


def parse(filename: str, data: bytes, now: datetime | None = None) -> list[dict]:
    """Rows ready to insert, in manual order, from a .json, .csv or plain-text file; or ImportProblem."""
    now = now or utcnow()
    if not data:
        raise ImportProblem("The file is empty.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportProblem("The file is not UTF-8 text. Save it as UTF-8 and try again.") from None
    if "\x00" in text:
        raise ImportProblem("The file contains NUL characters; it does not look like text.")
    name = (filename or "").lower()
    if name.endswith(".csv"):
        records = _csv_records(text)
    elif name.endswith(".json") or (not name.endswith(".txt") and text.lstrip().startswith(("{", "["))):
        records = _json_records(text)
    else:
        records = list(islice(({"title": line} for line in text.splitlines() if line.strip()), MAX_ROWS + 1))
    if not records:
        raise ImportProblem("The file holds no tasks.")
    if len(records) > MAX_ROWS:
        raise ImportProblem(f"The file holds more than {MAX_ROWS:,} tasks; at most {MAX_ROWS:,} can be "
                            "imported at once. Split it into smaller files.")
    return _in_manual_order([_task_values(record, row, now) for row, record in enumerate(records, start=1)])


CSV_REASONS = {
    "field larger than field limit": f"a field is longer than {csv.field_size_limit():,} characters",
    "new-line character seen in unquoted field": "a line break (CR) inside a field that is not in quotes",
}


def _csv_records(text: str) -> list[dict]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        if header and "title" not in header:
            raise ImportProblem("The CSV file needs a header row with a 'title' column.")
        # Blank lines are dropped before counting, so none can push a task past the limit.
        rows = list(islice((cells for cells in reader if any(cells)), MAX_ROWS + 1))
    except csv.Error as error:
        reason = next((said for start, said in CSV_REASONS.items() if str(error).startswith(start)), str(error))
        raise ImportProblem(f"The CSV file cannot be read at line {reader.line_num}: {reason}.") from None
    # Short rows leave fields out; extra cells beyond the header are ignored.
    return [{name: restore(cell) if cell[:1] == "'" else cell for name, cell in zip(header, cells)} for cells in rows]


def _json_records(text: str) -> list:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportProblem(f"The JSON is not valid (line {error.lineno}: {error.msg}).") from None
    except RecursionError:
        raise ImportProblem("The JSON is nested too deeply; an export is a list of flat objects.") from None
    except ValueError:  # an integer of more than 4,300 digits
        raise ImportProblem("The JSON holds a number too long to read.") from None
    if isinstance(document, dict):
        document = document.get("tasks")
    if not isinstance(document, list):
        raise ImportProblem("The JSON must be a list of tasks, or an object with a 'tasks' list.")
    return document
