"""data version: users.data_version, bumped by triggers on every change to a
person's tasks, lists, labels and task labels

Rendered list pages are cached under it (webapp/pagecache.py), so it must
move in the same transaction as any change, whoever writes the rows: hence
triggers, not application code. On PostgreSQL one UPDATE per statement
(transition tables), on SQLite one per row. The statements are the models'
own (``webapp.models.data_version_ddl``) as they stand at this revision,
copied here so that later model changes cannot rewrite history.

Plain ADD COLUMN / DROP COLUMN on users, never a batch rebuild (dropping
users on SQLite would cascade into every task).

Revision ID: 0011_data_version
Revises: 0010_repeat_anchor
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = "0011_data_version"
down_revision = "0010_repeat_anchor"
branch_labels = None
depends_on = None

TABLES = ("tasks", "lists", "labels", "task_labels")
POSTGRES_FUNCTIONS = (
    """CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users SET data_version = data_version + 1 WHERE id IN (SELECT DISTINCT user_id FROM changed);
    RETURN NULL;
END
$$""",
    """CREATE OR REPLACE FUNCTION bump_data_version_by_label() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users SET data_version = data_version + 1
        WHERE id IN (SELECT DISTINCT labels.user_id FROM changed JOIN labels ON labels.id = changed.label_id);
    RETURN NULL;
END
$$""",
)
TRANSITION = {"INSERT": "NEW", "UPDATE": "NEW", "DELETE": "OLD"}


def events(table: str) -> tuple[str, ...]:
    return ("INSERT", "DELETE") if table == "task_labels" else ("INSERT", "UPDATE", "DELETE")


def trigger_statements(dialect: str, table: str) -> list[str]:
    statements = []
    for event in events(table):
        name = f"tr_{table}_data_version_{event.lower()}"
        if dialect == "postgresql":
            function = "bump_data_version_by_label" if table == "task_labels" else "bump_data_version"
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                f"REFERENCING {TRANSITION[event]} TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
        else:
            row = "OLD" if event == "DELETE" else "NEW"
            owner = f"(SELECT user_id FROM labels WHERE id = {row}.label_id)" if table == "task_labels" else f"{row}.user_id"
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN "
                f"UPDATE users SET data_version = data_version + 1 WHERE id = {owner}; END"
            )
    return statements


def upgrade():
    dialect = op.get_bind().dialect.name
    op.add_column("users", sa.Column("data_version", sa.BigInteger(), server_default="0", nullable=False))
    if dialect == "postgresql":
        for function in POSTGRES_FUNCTIONS:
            op.execute(function)
    for table in TABLES:
        for statement in trigger_statements(dialect, table):
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in TABLES:
        for event in events(table):
            name = f"tr_{table}_data_version_{event.lower()}"
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}" if dialect == "postgresql" else f"DROP TRIGGER IF EXISTS {name}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS bump_data_version_by_label()")
        op.execute("DROP FUNCTION IF EXISTS bump_data_version()")
    op.drop_column("users", "data_version")
