"""list counts: lists.open_count and done_count, kept by triggers

The footer's "N items left" and the sidebar's counts read them instead of
counting tasks, so a list page costs the same with 100 tasks as with
100,000. They count top-level tasks (a subtask is counted under its
parent). Triggers keep them in the same transaction as any change, whoever
writes the rows: one UPDATE per statement on PostgreSQL (transition tables),
row triggers on SQLite. The statements are ``webapp.models.list_count_ddl``
as it stands at this revision, copied here.

Plain ADD/DROP COLUMN on lists, never a batch rebuild (dropping lists on
SQLite would cascade into its tasks).

Revision ID: 0012_list_counts
Revises: 0011_data_version
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = "0012_list_counts"
down_revision = "0011_data_version"
branch_labels = None
depends_on = None

EVENTS = ("INSERT", "UPDATE", "DELETE")
TRANSITIONS = {"INSERT": "NEW TABLE AS new_rows", "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
               "DELETE": "OLD TABLE AS old_rows"}


def postgres_function(event: str) -> str:
    parts = []
    if event != "DELETE":
        parts.append("SELECT list_id, CASE WHEN completed THEN 0 ELSE 1 END AS open, "
                     "CASE WHEN completed THEN 1 ELSE 0 END AS done FROM new_rows WHERE parent_id IS NULL")
    if event != "INSERT":
        parts.append("SELECT list_id, CASE WHEN completed THEN 0 ELSE -1 END AS open, "
                     "CASE WHEN completed THEN -1 ELSE 0 END AS done FROM old_rows WHERE parent_id IS NULL")
    moved = " UNION ALL ".join(parts)
    return f"""CREATE OR REPLACE FUNCTION count_list_tasks_{event.lower()}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE lists SET open_count = lists.open_count + delta.open, done_count = lists.done_count + delta.done
        FROM (SELECT list_id, sum(open) AS open, sum(done) AS done FROM ({moved}) AS moved GROUP BY list_id) AS delta
        WHERE lists.id = delta.list_id AND (delta.open <> 0 OR delta.done <> 0);
    RETURN NULL;
END
$$"""


def sqlite_change(row: str, sign: str) -> str:
    return (f"UPDATE lists SET open_count = open_count {sign} ({row}.parent_id IS NULL AND NOT {row}.completed), "
            f"done_count = done_count {sign} ({row}.parent_id IS NULL AND {row}.completed) WHERE id = {row}.list_id;")


def statements(dialect: str) -> list[str]:
    out = []
    for event in EVENTS:
        name = f"tr_tasks_list_counts_{event.lower()}"
        if dialect == "postgresql":
            out.append(postgres_function(event))
            out.append(f"CREATE TRIGGER {name} AFTER {event} ON tasks REFERENCING {TRANSITIONS[event]} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION count_list_tasks_{event.lower()}()")
        else:
            body = {
                "INSERT": sqlite_change("NEW", "+"),
                "DELETE": sqlite_change("OLD", "-"),
                "UPDATE": sqlite_change("OLD", "-") + " " + sqlite_change("NEW", "+"),
            }[event]
            when = " OF completed, list_id, parent_id" if event == "UPDATE" else ""
            out.append(f"CREATE TRIGGER {name} AFTER {event}{when} ON tasks FOR EACH ROW BEGIN {body} END")
    return out


def upgrade():
    dialect = op.get_bind().dialect.name
    op.add_column("lists", sa.Column("open_count", sa.BigInteger(), server_default="0", nullable=False))
    op.add_column("lists", sa.Column("done_count", sa.BigInteger(), server_default="0", nullable=False))
    truth = "1" if dialect == "sqlite" else "true"
    op.execute(
        "UPDATE lists SET "
        "open_count = (SELECT count(*) FROM tasks WHERE tasks.list_id = lists.id AND tasks.parent_id IS NULL "
        f"AND NOT tasks.completed), "
        "done_count = (SELECT count(*) FROM tasks WHERE tasks.list_id = lists.id AND tasks.parent_id IS NULL "
        f"AND tasks.completed = {truth})"
    )
    for statement in statements(dialect):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for event in EVENTS:
        name = f"tr_tasks_list_counts_{event.lower()}"
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON tasks" if dialect == "postgresql" else f"DROP TRIGGER IF EXISTS {name}")
        if dialect == "postgresql":
            op.execute(f"DROP FUNCTION IF EXISTS count_list_tasks_{event.lower()}()")
    op.drop_column("lists", "done_count")
    op.drop_column("lists", "open_count")
