"""Tasks in and out of Docket: JSON, CSV, or a plain list of titles.

Import is all or nothing: every row is checked with the same rules as the
forms before a single one is written, and the first bad row is named. An
upload is untrusted input, so anything wrong with it (bad encoding, deep
nesting, huge numbers, broken characters, impossible dates) ends in an
``ImportProblem`` with a message for the person, never in a 500.

Lists, labels, repeats and subtasks (issue 11) travel as ``list`` (the list's
name), ``labels`` (names: a JSON list, or one CSV cell joined by ", "),
``repeat`` (an RRULE, or null/empty), ``repeat_anchor_day`` (the day of the
month a monthly repeat keeps) and ``parent_id`` (the ``id`` of the parent
task in the same file, or null/empty). Files without them (older exports,
hand-made ones) still import, into the Inbox. On import a list is found by
name (case-insensitively) or created; labels likewise; a repeat is read as
the repeat field reads it, and a bad one refuses the file naming the row.
``parent_id`` is matched against the file's own ``id`` column: a subtask
whose parent is not in the file is imported as a task of its own (counted
in ``Row.orphaned``, so the person is told); a parent that is itself a
subtask, a task that is its own parent, or a parent id that two rows share
refuses the file. A subtask goes into its parent's list.
"""

import csv
import io
import json
import re
import uuid
from datetime import datetime, timezone
from functools import lru_cache
from itertools import islice

from ..models import PRIORITIES, Task, utcnow
from .fields import clean_description, clean_due_date, clean_priority, clean_title
from .organize import LabelError, ListNameError, clean_label_names, clean_list_names
from .repeats import RepeatError, normalise_repeat

FIELDS = ["id", "title", "description", "completed", "completed_at", "due_date", "priority", "position",
          "created_at", "updated_at", "list", "labels", "repeat", "repeat_anchor_day", "parent_id"]
LABEL_SEPARATOR = ", "
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


def to_record(task: Task, list_name: str | None = None, labels: list[str] | tuple = ()) -> dict:
    """One task as the export writes it; ``list_name`` and ``labels`` are the
    names of its list and labels (the caller reads them in bulk)."""
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
        "list": list_name,
        "labels": list(labels),
        "repeat": task.repeat,
        "repeat_anchor_day": task.repeat_anchor_day if task.repeat else None,
        "parent_id": str(task.parent_id) if task.parent_id else None,
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


def _cell(value) -> str:
    """A record's value as one CSV cell: None is empty, labels are joined."""
    if value is None:
        return ""
    if isinstance(value, list):
        return LABEL_SEPARATOR.join(value)
    return value


def csv_lines(records):
    """CSV text, a line at a time, for a streamed download."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(FIELDS)
    for record in records:
        writer.writerow([neutralise(_cell(record.get(name))) for name in FIELDS])
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
    _organized(record, row, values)
    return values


ANCHOR_TEXT = re.compile(r"[0-9]{1,2}")
ID_MAX = 100  # a file's ids only link subtasks to parents; longer ones are no ids of ours


def _id_key(value) -> str | None:
    """A file's ``id`` or ``parent_id`` as a key to match them by: a UUID in
    its one spelling, any other text or number as written; None when empty."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value).strip()
    if not text or len(text) > ID_MAX:
        return None
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return text


@lru_cache(maxsize=4096)
def _clean_labels(given: str | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(clean_label_names(given))  # a file repeats its few labels and lists: read each once


@lru_cache(maxsize=4096)
def _clean_list(name: str) -> str:
    return clean_list_names([name])[0]


def _labels(value, row: int) -> tuple[str, ...]:
    try:
        if isinstance(value, list):
            if len(value) > 1000:
                raise ImportProblem(f"Row {row}: labels holds {len(value):,} names; a task can have a few.")
            return _clean_labels(tuple([_text(item, row, "labels") for item in value]))
        return _clean_labels(_text(value, row, "labels"))
    except LabelError as error:
        raise ImportProblem(f"Row {row}: {error}") from None


def _organized(record: dict, row: int, values: dict) -> None:
    """The row's list, labels and repeat, checked, into ``values``; its ids,
    kept for ``_link_parents``. Files without these fields (older exports)
    cost next to nothing here, and no new object per row: 50,000 rows of
    containers make the garbage collector's full passes slower."""
    get = record.get
    due_date = values["due_date"]
    values.update(list=None, labels=(), repeat=None, repeat_anchor_day=None,
                  id_given=get("id"), parent_given=get("parent_id"))
    if get("list"):
        name = _text(get("list"), row, "list").strip()
        try:
            values["list"] = _clean_list(name) if name else None
        except ListNameError as error:
            raise ImportProblem(f"Row {row}: {error}") from None
    if get("labels"):
        values["labels"] = _labels(get("labels"), row)
    if get("repeat"):
        text = _text(get("repeat"), row, "repeat")
        try:
            values["repeat"] = normalise_repeat(text)
        except RepeatError as error:
            raise ImportProblem(f"Row {row}: the repeat {_shown(text.strip())} can't be used. {error}") from None
    anchor = _text(get("repeat_anchor_day"), row, "repeat_anchor_day").strip() if get("repeat_anchor_day") else ""
    if anchor and not (ANCHOR_TEXT.fullmatch(anchor) and 1 <= int(anchor) <= 31):
        raise ImportProblem(f"Row {row}: repeat_anchor_day must be a day of the month, 1 to 31, "
                            f"not {_shown(anchor)}.")
    if values["repeat"] and due_date is not None:
        values["repeat_anchor_day"] = int(anchor) if anchor else due_date.day


def _given(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _link_parents(rows: list[dict]) -> None:
    """Replace each row's ``parent_given`` with ``parent`` (the parent's row,
    or None) by the file's ids, and set ``orphaned`` where the parent is not
    in the file; see the module's docstring for the rules."""
    linked = any(_given(values["parent_given"]) for values in rows)
    keys: list[str | None] = []
    by_key: dict[str, int] = {}
    for index, values in enumerate(rows):
        given, parent = values.pop("id_given"), values.pop("parent_given")
        values["parent"], values["orphaned"] = None, False
        if not linked:
            continue  # no subtasks in the file: its ids need no reading
        key = _id_key(given)
        if key is not None:
            by_key[key] = -1 if key in by_key else index  # -1: two rows share it
        keys.append(_id_key(parent))
        if keys[-1] is None and _given(parent):
            raise ImportProblem(f"Row {index + 1}: parent_id {_shown(parent)} is not the id of a task in the file.")
    if not linked:
        return
    found = [None if key is None else by_key.get(key) for key in keys]
    for index, values in enumerate(rows):
        parent = found[index]
        values["orphaned"] = keys[index] is not None and parent is None
        if parent is None:
            continue
        number = index + 1
        if parent == -1:
            raise ImportProblem(f"Row {number}: parent_id {_shown(keys[index])} is the id of more than one task "
                                "in the file.")
        if parent == index:
            raise ImportProblem(f"Row {number}: a task cannot be its own parent.")
        if found[parent] is not None:
            raise ImportProblem(f"Row {number}: its parent (row {parent + 1}) is a subtask itself; "
                                "Docket keeps one level of subtasks.")
        values["parent"] = rows[parent]


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
    """Rows ready to write, in manual order, from a .json, .csv or plain-text file; or ImportProblem.

    Each row holds the task's column values and, to be resolved on writing,
    ``list`` (a clean name, or None for the Inbox), ``labels`` (clean names),
    ``parent`` (the parent's row, or None) and ``orphaned`` (True when its
    parent_id named no task in the file)."""
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
    rows = [_task_values(record, row, now) for row, record in enumerate(records, start=1)]
    _link_parents(rows)
    return _in_manual_order(rows)


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
