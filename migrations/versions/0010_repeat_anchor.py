"""repeat anchor: the day of the month a monthly or yearly repeat keeps

``tasks.repeat_anchor_day`` (nullable SMALLINT): 31 for a task first due on
31 January repeating monthly, so that 28 February moves on to 31 March, not
28 March. ``deleted_tasks`` gets the same column, so Undo can keep it.
Existing repeating tasks with a due date get the day of that date; no task
is changed otherwise.

Plain ADD COLUMN / DROP COLUMN (SQLite 3.35+), never a batch rebuild: on
SQLite with foreign keys ON, rebuilding ``tasks`` would DROP it, and that
cascades into subtasks and ``task_labels`` (see 0009).

The SQLite Inbox trigger names every column of ``tasks`` (see
``webapp.models.INBOX_TRIGGERS``), so it is written again with the new one,
and put back as 0009 wrote it on the way down (before the DROP COLUMN, which
SQLite refuses while a trigger names the column). PostgreSQL's trigger sets
NEW.list_id only and stays as it is.

Revision ID: 0010_repeat_anchor
Revises: 0009_lists_labels
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa

revision = "0010_repeat_anchor"
down_revision = "0009_lists_labels"
branch_labels = None
depends_on = None

INBOX = "Inbox"
COLUMNS_0009 = ("id", "title", "description", "completed", "completed_at", "due_date", "priority", "position",
                "created_at", "updated_at", "user_id", "list_id", "parent_id", "repeat")
COLUMNS_0010 = COLUMNS_0009 + ("repeat_anchor_day",)
INBOX_OF_NEW = f"(SELECT id FROM lists WHERE user_id = NEW.user_id AND name = '{INBOX}')"


def sqlite_trigger(columns: tuple[str, ...]) -> str:
    return (
        "CREATE TRIGGER tr_tasks_into_inbox BEFORE INSERT ON tasks FOR EACH ROW WHEN NEW.list_id IS NULL BEGIN "
        f"INSERT OR IGNORE INTO lists (user_id, name, position) VALUES (NEW.user_id, '{INBOX}', 0); "
        f"INSERT INTO tasks ({', '.join(columns)}) VALUES "
        f"({', '.join(INBOX_OF_NEW if name == 'list_id' else 'NEW.' + name for name in columns)}); "
        "SELECT RAISE(IGNORE); END"
    )


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column("tasks", sa.Column("repeat_anchor_day", sa.SmallInteger(), nullable=True))
    op.add_column("deleted_tasks", sa.Column("repeat_anchor_day", sa.SmallInteger(), nullable=True))
    # Repeating tasks that have a due date keep the day they have now.
    day = "CAST(strftime('%d', due_date) AS INTEGER)" if sqlite else "EXTRACT(DAY FROM due_date)"
    for table in ("tasks", "deleted_tasks"):
        op.execute(f"UPDATE {table} SET repeat_anchor_day = {day} WHERE repeat IS NOT NULL AND due_date IS NOT NULL")
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS tr_tasks_into_inbox")
        op.execute(sqlite_trigger(COLUMNS_0010))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS tr_tasks_into_inbox")
        op.execute(sqlite_trigger(COLUMNS_0009))
    op.drop_column("deleted_tasks", "repeat_anchor_day")
    op.drop_column("tasks", "repeat_anchor_day")
