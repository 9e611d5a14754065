"""tasks: position, for the person's own manual order

Positions are sparse (steps of 1024) so that moving a task rewrites only that
task. Existing tasks keep the order they were shown in: newest first.

Revision ID: 0006_manual_order
Revises: 0005_search_sort_indexes
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_manual_order"
down_revision = "0005_search_sort_indexes"
branch_labels = None
depends_on = None

GAP = 1024


def upgrade():
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.add_column(sa.Column("position", sa.BigInteger(), server_default="0", nullable=False))
    op.execute(
        sa.text(
            "UPDATE tasks SET position = ranked.n * :gap FROM ("
            " SELECT id, row_number() OVER (PARTITION BY user_id ORDER BY created_at DESC, id DESC) AS n"
            " FROM tasks) AS ranked WHERE tasks.id = ranked.id"
        ).bindparams(gap=GAP)
    )
    op.create_index("ix_tasks_user_id_position", "tasks", ["user_id", "position", "id"])


def downgrade():
    op.drop_index("ix_tasks_user_id_position", table_name="tasks")
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.drop_column("position")
