"""users table; every legacy owner adopted; tasks.user_id -> users.id ON DELETE CASCADE

Each distinct ``tasks.user_id`` becomes a placeholder user with no password
(so nobody can log in as it) and an address under the reserved ``.invalid``
domain. No task is deleted or changed. PostgreSQL does not index a foreign
key's referencing column by itself, so the index that serves the list query
(led by ``user_id``) is created here too.

Revision ID: 0002_users_fk
Revises: 0001_legacy_tasks
Create Date: 2026-11-21
"""
import hashlib
import secrets
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

revision = "0002_users_fk"
down_revision = "0001_legacy_tasks"
branch_labels = None
depends_on = None

PLACEHOLDER_DOMAIN = "legacy.docket.invalid"


def placeholder_email(user_id: str) -> str:
    """A stable, unique, undeliverable address for a legacy owner."""
    digest = hashlib.sha256(user_id.encode("utf-8")).hexdigest()[:32]
    return f"owner-{digest}@{PLACEHOLDER_DOMAIN}"


def upgrade():
    users = op.create_table(
        "users",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("session_token", sa.String(length=64), nullable=False),
        sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )

    connection = op.get_bind()
    owners = connection.execute(sa.text("SELECT DISTINCT user_id FROM tasks")).scalars().all()
    now = datetime.now(timezone.utc)
    if owners:
        op.bulk_insert(
            users,
            [
                {
                    "id": owner,
                    "email": placeholder_email(owner),
                    "password_hash": None,
                    "session_token": secrets.token_urlsafe(32),
                    "timezone": "UTC",
                    "created_at": now,
                }
                for owner in owners
            ],
        )

    with op.batch_alter_table("tasks") as batch_op:
        batch_op.create_foreign_key(
            op.f("fk_tasks_user_id_users"), "users", ["user_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_index("ix_tasks_user_id_created_at", ["user_id", "created_at", "id"])


def downgrade():
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.drop_index("ix_tasks_user_id_created_at")
        batch_op.drop_constraint(op.f("fk_tasks_user_id_users"), type_="foreignkey")
    op.drop_table("users")
