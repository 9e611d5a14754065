"""Writing many new tasks at once (an import), as fast as the database allows.

PostgreSQL with psycopg2 gets one COPY: no huge INSERT to parse and plan,
no value quoted into SQL text on our side. For 50,000 tasks that took about
half the time of insertmanyvalues (bench/import_tasks.py). Any other database
gets one ORM bulk INSERT, which SQLAlchemy sends as multi-row INSERTs
(insertmanyvalues) or one executemany. Either way it is one round of
statements in the caller's transaction, never an ORM object per row.
"""

import io
from datetime import date, datetime

import sqlalchemy as sa

from ..extensions import db
from ..models import Task

COLUMNS = ("id", "user_id", "title", "description", "completed", "completed_at", "due_date", "priority",
           "position", "created_at", "updated_at")


def insert_tasks(rows: list[dict]) -> None:
    """Insert ``rows`` (each with every name in COLUMNS) in the session's transaction."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg2":
        _copy(connection, rows)
    else:
        # An ORM bulk insert leaves out each row's None values, so rows with
        # different empty fields would go one INSERT each; render_nulls gives
        # every row the same columns, so they batch.
        db.session.execute(sa.insert(Task).execution_options(render_nulls=True), rows)


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


def _copy(connection, rows: list[dict]) -> None:
    lines = "".join("\t".join([_copy_text(row[name]) for name in COLUMNS]) + "\n" for row in rows)
    # The DBAPI connection of the session's own transaction: the COPY commits
    # or rolls back with everything else.
    cursor = connection.connection.cursor()
    try:
        cursor.copy_expert(f"COPY tasks ({', '.join(COLUMNS)}) FROM STDIN", io.StringIO(lines))
    finally:
        cursor.close()

