"""indexes for searching and sorting the task list

PostgreSQL gets trigram (pg_trgm) GIN indexes, so a case-insensitive
substring search stays fast with 100,000 tasks in one account; SQLite, the
laptop database, scans. Sorting by priority gets a btree led by user_id.

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
SEARCH_INDEXES = {"ix_tasks_search_title": "title", "ix_tasks_search_description": "description"}


def upgrade():
    op.create_index("ix_tasks_user_id_priority", "tasks", ["user_id", "priority", "created_at", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, column in SEARCH_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON tasks USING gin ({column} gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in SEARCH_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    op.drop_index("ix_tasks_user_id_priority", table_name="tasks")
