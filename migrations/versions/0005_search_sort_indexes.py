"""indexes for searching and sorting the task list

PostgreSQL gets trigram (pg_trgm) GIN indexes, so a case-insensitive
substring search stays fast with 100,000 tasks in one account, and an
expression index for the due-date order; SQLite, the laptop database, scans. Sorting by priority gets a btree led by user_id.

Revision ID: 0005_search_sort_indexes
Revises: 0004_due_date_priority
Create Date: 2026-11-21
"""
from alembic import op

revision = "0005_search_sort_indexes"
down_revision = "0004_due_date_priority"
branch_labels = None
depends_on = None

# Named with this prefix so that migrations/env.py leaves them out of
# autogenerate's comparison: they exist on PostgreSQL only.
POSTGRES_INDEXES = {
    "ix_tasks_pg_search_title": "USING gin (title gin_trgm_ops)",
    "ix_tasks_pg_search_description": "USING gin (description gin_trgm_ops)",
    # Sorting by due date, undated last, newest first among equals.
    "ix_tasks_pg_due": "(user_id, (coalesce(due_date, DATE '9999-12-31')), created_at DESC, id DESC)",
}


def upgrade():
    op.create_index("ix_tasks_user_id_priority", "tasks", ["user_id", "priority", "created_at", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, definition in POSTGRES_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON tasks {definition}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in POSTGRES_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    op.drop_index("ix_tasks_user_id_priority", table_name="tasks")
