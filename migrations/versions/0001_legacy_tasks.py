"""legacy tasks table, as the old application created it

A database made by the old application already has exactly this table; such
a database is adopted with ``flask db stamp 0001_legacy_tasks`` and then
``flask db upgrade``. ``user_id`` is a bare string: no users table, no
foreign key, naive timestamps.

Revision ID: 0001_legacy_tasks
Revises:
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa

revision = "0001_legacy_tasks"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tasks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )


def downgrade():
    op.drop_table("tasks")
