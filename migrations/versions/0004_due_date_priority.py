"""tasks: due date, priority and completion time

Existing rows get no due date, priority 0 (none), and - when already
completed - their last update time as the completion time. No row is lost.

Revision ID: 0004_due_date_priority
Revises: 0003_aware_timestamps
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa

revision = "0004_due_date_priority"
down_revision = "0003_aware_timestamps"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.add_column(sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("due_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("priority", sa.SmallInteger(), server_default="0", nullable=False))
        batch_op.create_check_constraint(op.f("ck_tasks_priority_range"), "priority BETWEEN 0 AND 3")
    op.execute("UPDATE tasks SET completed_at = updated_at WHERE completed")


def downgrade():
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.drop_constraint(op.f("ck_tasks_priority_range"), type_="check")
        batch_op.drop_column("priority")
        batch_op.drop_column("due_date")
        batch_op.drop_column("completed_at")
