"""Writing many new tasks at once (an import), as fast as the database allows.

PostgreSQL with psycopg2 gets one COPY: no huge INSERT to parse and plan,
no value quoted into SQL text on our side. For 50,000 tasks that took about
half the time of insertmanyvalues (bench/import_tasks.py). Any other database
gets one ORM bulk INSERT, which SQLAlchemy sends as multi-row INSERTs
(insertmanyvalues) or one executemany. Either way it is one round of
statements in the caller's transaction, never an ORM object per row.

Every row names its list, so the Inbox trigger (one lookup per row) never
fires, and the task-label links go in the same way, in one more COPY.
"""

import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from ..extensions import db
from ..models import INBOX, Task, User, task_labels
from ..tasks.ordering import GAP, top_position
from ..tasks.organize import labels_named, lists_named

COLUMNS = ("id", "user_id", "title", "description", "completed", "completed_at", "due_date", "priority",
           "position", "created_at", "updated_at", "list_id", "parent_id", "repeat", "repeat_anchor_day")
LINK_COLUMNS = ("task_id", "label_id")


@dataclass(frozen=True)
class Written:
    tasks: int
    orphans: int  # subtasks whose parent was not in the file, imported as tasks of their own


def write_import(user: User, rows: list[dict]) -> Written:
    """Write ``portable.parse``'s rows for ``user`` on top of "My order", with
    their lists, labels and subtasks, in the caller's transaction.

    Raises ``organize.OrganizeError`` (too many lists or labels) before
    writing a task; the caller rolls back."""
    # Each spelling the file uses, once: names are matched case-insensitively.
    list_names = list(dict.fromkeys([INBOX] + [row["list"] for row in rows if row["list"]]))
    label_names = list(dict.fromkeys(name for row in rows for name in row["labels"]))
    lists = lists_named(user, list_names)
    list_ids = {name: lists[name.casefold()].id for name in list_names}
    list_ids[None] = list_ids[INBOX]
    labels = labels_named(user, label_names) if label_names else {}
    label_ids = {name: labels[name.casefold()].id for name in label_names}

    start = top_position(user.id, len(rows))
    user_id = user.id
    for offset, row in enumerate(rows):
        row.update(id=uuid.uuid4(), user_id=user_id, position=start + GAP * offset, list_id=list_ids[row["list"]],
                   parent_id=None)
    links = []
    for row in rows:
        parent = row["parent"]
        if parent is not None:
            row["parent_id"] = parent["id"]
            row["list_id"] = parent["list_id"]  # a subtask lives in its parent's list
        for name in row["labels"]:
            links.append({"task_id": row["id"], "label_id": label_ids[name]})
    # Parents before their subtasks: SQLite checks the foreign key row by row.
    insert_tasks([row for row in rows if row["parent"] is None] + [row for row in rows if row["parent"] is not None])
    if links:
        insert_links(links)
    return Written(tasks=len(rows), orphans=sum(1 for row in rows if row["orphaned"]))


def insert_tasks(rows: list[dict]) -> None:
    """Insert ``rows`` (each with every name in COLUMNS) in the session's transaction."""
    connection = db.session.connection()
    if _can_copy(connection):
        _copy(connection, "tasks", COLUMNS, rows)
    else:
        # An ORM bulk insert leaves out each row's None values, so rows with
        # different empty fields would go one INSERT each; render_nulls gives
        # every row the same columns, so they batch.
        values = [{name: row[name] for name in COLUMNS} for row in rows]
        db.session.execute(sa.insert(Task).execution_options(render_nulls=True), values)


def insert_links(links: list[dict]) -> None:
    """Insert task-label links ({"task_id", "label_id"}) in the session's transaction."""
    connection = db.session.connection()
    if _can_copy(connection):
        _copy(connection, "task_labels", LINK_COLUMNS, links)
    else:
        db.session.execute(sa.insert(task_labels), links)


def _can_copy(connection) -> bool:
    return connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg2"


def _copy_text(value) -> str:
    """One value in COPY's text format: \\N is NULL; backslash, tab and line breaks are escaped."""
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)  # numbers and UUIDs: no characters that need escaping


def _copy(connection, table: str, columns: tuple[str, ...], rows: list[dict]) -> None:
    lines = "".join("\t".join([_copy_text(row[name]) for name in columns]) + "\n" for row in rows)
    # The DBAPI connection of the session's own transaction: the COPY commits
    # or rolls back with everything else.
    cursor = connection.connection.cursor()
    try:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO(lines))
    finally:
        cursor.close()
