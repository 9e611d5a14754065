"""deleted_tasks: recently deleted tasks, kept briefly for Undo

Revision ID: 0007_deleted_tasks
Revises: 0006_manual_order
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa

revision = "0007_deleted_tasks"
down_revision = "0006_manual_order"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "deleted_tasks",
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_deleted_tasks_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("batch_id", "id", name=op.f("pk_deleted_tasks")),
    )
    op.create_index("ix_deleted_tasks_deleted_at", "deleted_tasks", ["deleted_at"])
    op.create_index(op.f("ix_deleted_tasks_user_id"), "deleted_tasks", ["user_id"])


def downgrade():
    op.drop_index(op.f("ix_deleted_tasks_user_id"), table_name="deleted_tasks")
    op.drop_index("ix_deleted_tasks_deleted_at", table_name="deleted_tasks")
    op.drop_table("deleted_tasks")
