"""lists, labels, subtasks and repeats: every task in a list; every person an Inbox

Each user (placeholder users adopted from legacy data too) gets an "Inbox"
list and every existing task goes into it; no task is deleted or changed
otherwise. Tasks gain ``list_id`` (NOT NULL, ON DELETE CASCADE), ``parent_id``
(a subtask's task, ON DELETE CASCADE) and ``repeat`` (an RFC 5545 RRULE).
``labels`` and ``task_labels`` hold labels; ``deleted_tasks`` learns the new
columns and ``deleted_lists``/``deleted_task_labels`` join it, so Undo of a
delete restores a task (or a whole list) exactly.

A task inserted without a list lands in its owner's Inbox (a trigger, the
same SQL as ``webapp.models.INBOX_TRIGGERS``), so tools that write tasks as
before keep working.

SQLite and foreign keys. Batch mode rebuilds a table: it copies it, DROPs
the old one and renames the copy, and with foreign keys ON that DROP first
deletes every row, cascading into every child table. So: ``users`` is never
batch-altered; ``tasks`` is rebuilt once, here, BEFORE any table that
references it exists (``task_labels`` is created after) and while every
``parent_id`` is still NULL (the copy's self-reference then cascades into
nothing). A later revision must not batch-alter ``tasks`` on SQLite: its
subtasks and labels would go. A rebuilt table also loses its triggers.

Revision ID: 0009_lists_labels
Revises: 0008_account_security
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = "0009_lists_labels"
down_revision = "0008_account_security"
branch_labels = None
depends_on = None

INBOX = "Inbox"
TASK_COLUMNS = ("id", "title", "description", "completed", "completed_at", "due_date", "priority", "position",
                "created_at", "updated_at", "user_id", "list_id", "parent_id", "repeat")
INBOX_OF_NEW = f"(SELECT id FROM lists WHERE user_id = NEW.user_id AND name = '{INBOX}')"
TRIGGERS = {
    "postgresql": (
        f"""
CREATE OR REPLACE FUNCTION tasks_into_inbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT id INTO NEW.list_id FROM lists WHERE user_id = NEW.user_id AND name = '{INBOX}';
    IF NEW.list_id IS NULL THEN
        INSERT INTO lists (user_id, name, position) VALUES (NEW.user_id, '{INBOX}', 0)
            ON CONFLICT ON CONSTRAINT uq_lists_user_id_name DO NOTHING;
        SELECT id INTO NEW.list_id FROM lists WHERE user_id = NEW.user_id AND name = '{INBOX}';
    END IF;
    RETURN NEW;
END
$$""",
        "CREATE TRIGGER tr_tasks_into_inbox BEFORE INSERT ON tasks FOR EACH ROW "
        "WHEN (NEW.list_id IS NULL) EXECUTE FUNCTION tasks_into_inbox()",
    ),
    "sqlite": (
        "CREATE TRIGGER tr_tasks_into_inbox BEFORE INSERT ON tasks FOR EACH ROW WHEN NEW.list_id IS NULL BEGIN "
        f"INSERT OR IGNORE INTO lists (user_id, name, position) VALUES (NEW.user_id, '{INBOX}', 0); "
        f"INSERT INTO tasks ({', '.join(TASK_COLUMNS)}) VALUES "
        f"({', '.join(INBOX_OF_NEW if name == 'list_id' else 'NEW.' + name for name in TASK_COLUMNS)}); "
        "SELECT RAISE(IGNORE); END",
    ),
}
DROP_TRIGGERS = {
    "postgresql": ("DROP TRIGGER IF EXISTS tr_tasks_into_inbox ON tasks", "DROP FUNCTION IF EXISTS tasks_into_inbox()"),
    "sqlite": ("DROP TRIGGER IF EXISTS tr_tasks_into_inbox",),
}
# PostgreSQL only (migrations/env.py leaves the prefix out of autogenerate):
# a list sorted by due date, undated last, as ix_tasks_pg_due does for all tasks.
POSTGRES_INDEXES = {
    "ix_tasks_pg_list_due": "(list_id, (coalesce(due_date, DATE '9999-12-31')), created_at DESC, id DESC)",
}
INDEXES = {
    "ix_tasks_list_id_created_at": ["list_id", "created_at", "id"],
    "ix_tasks_list_id_priority": ["list_id", "priority", "created_at", "id"],
    "ix_tasks_list_id_position": ["list_id", "position", "id"],
    "ix_tasks_list_id_completed": ["list_id", "completed"],
    "ix_tasks_user_id_completed_due_date": ["user_id", "completed", "due_date"],
    "ix_tasks_parent_id": ["parent_id"],
}


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table(
        "lists",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_lists_name_not_empty")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_lists_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lists")),
        sa.UniqueConstraint("user_id", "name", name="uq_lists_user_id_name"),
    )
    # Every user, placeholder owners of legacy tasks included, gets an Inbox.
    op.execute(sa.text("INSERT INTO lists (user_id, name, position) SELECT id, :inbox, 0 FROM users")
               .bindparams(inbox=INBOX))

    # Plain ADD COLUMN, then every task into its owner's Inbox ...
    op.add_column("tasks", sa.Column("list_id", sa.Integer(), nullable=True))
    op.add_column("tasks", sa.Column("parent_id", sa.Uuid(), nullable=True))
    op.add_column("tasks", sa.Column("repeat", sa.String(length=255), nullable=True))
    op.execute(sa.text(
        "UPDATE tasks SET list_id = (SELECT lists.id FROM lists WHERE lists.user_id = tasks.user_id "
        "AND lists.name = :inbox)"
    ).bindparams(inbox=INBOX))
    # ... then NOT NULL and the foreign keys: on SQLite the one rebuild of
    # tasks, while nothing references it and every parent_id is NULL.
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.alter_column("list_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(op.f("fk_tasks_list_id_lists"), "lists", ["list_id"], ["id"], ondelete="CASCADE")
        batch_op.create_foreign_key(op.f("fk_tasks_parent_id_tasks"), "tasks", ["parent_id"], ["id"],
                                    ondelete="CASCADE")
    for name, columns in INDEXES.items():
        op.create_index(name, "tasks", columns)
    if dialect == "postgresql":
        for name, definition in POSTGRES_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON tasks {definition}")
    for statement in TRIGGERS.get(dialect, ()):
        op.execute(statement)

    op.create_table(
        "labels",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_labels_name_not_empty")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_labels_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labels")),
        sa.UniqueConstraint("user_id", "name", name="uq_labels_user_id_name"),
    )
    # After the rebuild of tasks: a child table created before it would have lost its rows.
    op.create_table(
        "task_labels",
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["label_id"], ["labels.id"], name=op.f("fk_task_labels_label_id_labels"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_task_labels_task_id_tasks"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("task_id", "label_id", name=op.f("pk_task_labels")),
    )
    op.create_index("ix_task_labels_label_id", "task_labels", ["label_id"])

    # The trash keeps what Undo needs to put a task back exactly.
    op.add_column("deleted_tasks", sa.Column("list_id", sa.Integer(), nullable=True))
    op.add_column("deleted_tasks", sa.Column("parent_id", sa.Uuid(), nullable=True))
    op.add_column("deleted_tasks", sa.Column("repeat", sa.String(length=255), nullable=True))
    op.create_table(
        "deleted_lists",
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_deleted_lists_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("batch_id", "id", name=op.f("pk_deleted_lists")),
    )
    op.create_index(op.f("ix_deleted_lists_user_id"), "deleted_lists", ["user_id"])
    op.create_table(
        "deleted_task_labels",
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id", "task_id"], ["deleted_tasks.batch_id", "deleted_tasks.id"],
                                name=op.f("fk_deleted_task_labels_batch_id_deleted_tasks"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["label_id"], ["labels.id"], name=op.f("fk_deleted_task_labels_label_id_labels"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("batch_id", "task_id", "label_id", name=op.f("pk_deleted_task_labels")),
    )
    op.create_index(op.f("ix_deleted_task_labels_label_id"), "deleted_task_labels", ["label_id"])


def downgrade():
    dialect = op.get_bind().dialect.name
    op.drop_index(op.f("ix_deleted_task_labels_label_id"), table_name="deleted_task_labels")
    op.drop_table("deleted_task_labels")
    op.drop_index(op.f("ix_deleted_lists_user_id"), table_name="deleted_lists")
    op.drop_table("deleted_lists")
    # Plain DROP COLUMN (SQLite 3.35+): deleted_tasks is not rebuilt.
    for column in ("repeat", "parent_id", "list_id"):
        op.drop_column("deleted_tasks", column)
    op.drop_index("ix_task_labels_label_id", table_name="task_labels")
    op.drop_table("task_labels")
    op.drop_table("labels")

    for statement in DROP_TRIGGERS.get(dialect, ()):
        op.execute(statement)
    if dialect == "postgresql":
        for name in POSTGRES_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    for name in INDEXES:
        op.drop_index(name, table_name="tasks")
    # Every task stays: subtasks become tasks of their own, all lists' tasks
    # one list again. (Nothing references tasks any more, so the SQLite
    # rebuild's DROP cascades into nothing.)
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.drop_constraint(op.f("fk_tasks_parent_id_tasks"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_tasks_list_id_lists"), type_="foreignkey")
        batch_op.drop_column("repeat")
        batch_op.drop_column("parent_id")
        batch_op.drop_column("list_id")
    op.drop_table("lists")
