"""tasks: timezone-aware timestamps and a non-empty title check

The old application wrote naive UTC times; they become ``timestamptz`` on
PostgreSQL, read as UTC. A title must hold more than white space; the only
legacy rows this touches are ones whose title was already blank, which get a
visible placeholder title instead of being dropped.

Revision ID: 0003_aware_timestamps
Revises: 0002_users_fk
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa

revision = "0003_aware_timestamps"
down_revision = "0002_users_fk"
branch_labels = None
depends_on = None

BLANK_TITLE_PLACEHOLDER = "Untitled task"


def _retype_timestamps(aware: bool):
    postgres = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("tasks") as batch_op:
        for column in ("created_at", "updated_at"):
            extra = {}
            if postgres:
                # Naive values are UTC by construction; say so explicitly.
                extra["postgresql_using"] = f"{column} AT TIME ZONE 'UTC'"
            batch_op.alter_column(
                column,
                existing_type=sa.DateTime(timezone=not aware),
                type_=sa.DateTime(timezone=aware),
                existing_nullable=False,
                **extra,
            )


def upgrade():
    op.execute(
        sa.text("UPDATE tasks SET title = :placeholder WHERE length(trim(title)) = 0").bindparams(
            placeholder=BLANK_TITLE_PLACEHOLDER
        )
    )
    _retype_timestamps(aware=True)
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.create_check_constraint(op.f("ck_tasks_title_not_empty"), "length(trim(title)) > 0")


def downgrade():
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.drop_constraint(op.f("ck_tasks_title_not_empty"), type_="check")
    _retype_timestamps(aware=False)
