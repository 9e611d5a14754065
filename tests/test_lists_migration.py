"""Migration 0009 (lists, labels, subtasks, repeats) on databases that hold data.

Every user gets an Inbox and every task goes into it, nothing lost, on SQLite
and PostgreSQL, after legacy adoption too; the downgrade keeps every task.
"""

import uuid
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa
from test_migrations import (  # noqa: F401  (fresh_app is a fixture)
    LEGACY, OWNERS, current_revision, fresh_app, insert_legacy_tasks, migrate, tables,
)

from webapp.extensions import db
from webapp.models import INBOX_TRIGGERS, TASK_COLUMNS, Task

BEFORE = "0008_account_security"
REVISION = "0009_lists_labels"
NOW = datetime(2026, 5, 1, 9, 30, tzinfo=timezone.utc)
TASK_FIELDS = ("id", "title", "description", "completed", "completed_at", "due_date", "priority", "position",
               "created_at", "updated_at", "user_id")


UUID_COLUMNS = ("id", "parent_id", "batch_id", "task_id")


def typed(name: str, connection) -> sa.Table:
    """The table as the database has it now, its UUID columns read as UUIDs
    (SQLite reflects them as CHAR(32))."""
    inspector = sa.inspect(connection)
    columns = {column["name"] for column in inspector.get_columns(name)}
    keys = set(inspector.get_pk_constraint(name)["constrained_columns"])
    overrides = [sa.Column(column, sa.Uuid, primary_key=column in keys) for column in UUID_COLUMNS
                 if column in columns and not (name in ("users", "lists", "labels") and column == "id")]
    return sa.Table(name, sa.MetaData(), *overrides, autoload_with=connection)


def reflected(app, name: str) -> sa.Table:
    with app.app_context(), db.engine.connect() as connection:
        return typed(name, connection)


def fill_0008(app) -> dict:
    """Three users (one a locked placeholder) with 40 tasks of every kind, and a trashed one."""
    users = reflected(app, "users")
    tasks = reflected(app, "tasks")
    trash = reflected(app, "deleted_tasks")
    people = [
        {"id": "u-ada", "email": "ada@example.com", "password_hash": "x", "session_token": "t1", "timezone": "UTC",
         "created_at": NOW},
        {"id": "u-bob", "email": "bob@example.com", "password_hash": "x", "session_token": "t2",
         "timezone": "Europe/Berlin", "created_at": NOW},
        {"id": "legacy-owner", "email": "owner-1@legacy.docket.invalid", "password_hash": None, "session_token": "t3",
         "timezone": "UTC", "created_at": NOW},
    ]
    rows = [
        {"id": uuid.uuid4(), "title": f"task {n}", "description": "notes" if n % 4 == 0 else None,
         "completed": n % 3 == 0, "completed_at": NOW if n % 3 == 0 else None,
         "due_date": date(2026, 5, 1) + timedelta(days=n - 20) if n % 2 else None, "priority": n % 4,
         "position": n * 1024, "created_at": NOW - timedelta(minutes=n), "updated_at": NOW,
         "user_id": people[n % 3]["id"]}
        for n in range(40)
    ]
    trashed = {"batch_id": uuid.uuid4(), "id": uuid.uuid4(), "user_id": "u-ada", "deleted_at": NOW, "title": "gone",
               "description": None, "completed": False, "completed_at": None, "due_date": None, "priority": 0,
               "position": 0, "created_at": NOW, "updated_at": NOW}
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(users.insert(), people)
        connection.execute(tasks.insert(), rows)
        connection.execute(trash.insert(), [trashed])
        db.engine.dispose()
    return {row["id"]: tuple(row[name] for name in TASK_FIELDS) for row in rows}


def task_rows(app) -> dict:
    with app.app_context(), db.engine.connect() as connection:
        tasks = typed("tasks", connection)
        found = {row.id: row for row in connection.execute(sa.select(tasks))}
        db.engine.dispose()
    return found


def as_fields(row) -> tuple:
    values = []
    for name in TASK_FIELDS:
        value = getattr(row, name)
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)  # SQLite hands back naive UTC
        if name == "id" and not isinstance(value, uuid.UUID):
            value = uuid.UUID(str(value))
        values.append(value)
    return tuple(values)


def lists_by_user(app) -> dict[str, list[tuple]]:
    with app.app_context(), db.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT user_id, id, name, position FROM lists ORDER BY user_id, id")).all()
        db.engine.dispose()
    found: dict[str, list[tuple]] = {}
    for user_id, list_id, name, position in rows:
        found.setdefault(user_id, []).append((list_id, name, position))
    return found


def test_every_user_gets_an_inbox_holding_every_task(fresh_app):
    migrate(fresh_app, "upgrade", BEFORE)
    expected = fill_0008(fresh_app)

    migrate(fresh_app, "upgrade", REVISION)

    lists = lists_by_user(fresh_app)
    assert sorted(lists) == ["legacy-owner", "u-ada", "u-bob"]
    assert all([(name, position) for _, name, position in mine] == [("Inbox", 0)] for mine in lists.values())
    inbox = {user_id: mine[0][0] for user_id, mine in lists.items()}
    rows = task_rows(fresh_app)
    assert {task_id: as_fields(row) for task_id, row in rows.items()} == expected
    assert all(row.list_id == inbox[row.user_id] for row in rows.values())
    assert all(row.parent_id is None and row.repeat is None for row in rows.values())
    with fresh_app.app_context(), db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM deleted_tasks")).scalar() == 1
        db.engine.dispose()

    # Down again: every task stays, and the lists are gone.
    migrate(fresh_app, "downgrade", BEFORE)
    assert "lists" not in tables(fresh_app) and "labels" not in tables(fresh_app)
    assert {task_id: as_fields(row) for task_id, row in task_rows(fresh_app).items()} == expected
    # ... and up once more.
    migrate(fresh_app, "upgrade", "head")
    assert {task_id: as_fields(row) for task_id, row in task_rows(fresh_app).items()} == expected


def test_legacy_owners_get_an_inbox_too(fresh_app):
    """The old application's table, adopted: placeholder users and their tasks land in Inboxes."""
    migrate(fresh_app, "upgrade", LEGACY)
    expected = insert_legacy_tasks(fresh_app)

    migrate(fresh_app, "upgrade", "head")

    lists = lists_by_user(fresh_app)
    assert sorted(lists) == sorted(OWNERS)
    assert all([name for _, name, _ in mine] == ["Inbox"] for mine in lists.values())
    rows = task_rows(fresh_app)
    assert set(rows) == set(expected)
    assert all(row.list_id == lists[row.user_id][0][0] for row in rows.values())

    migrate(fresh_app, "downgrade", LEGACY)
    assert set(task_rows(fresh_app)) == set(expected)


def test_a_task_written_without_a_list_lands_in_the_inbox(fresh_app):
    """Tools that insert tasks as before lists existed (the benchmarks, an
    operator's SQL) keep working: the trigger puts the task in the Inbox, and
    makes the Inbox when the owner has none."""
    migrate(fresh_app, "upgrade", "head")
    with fresh_app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO users (id, email, session_token, timezone, created_at) "
            "VALUES ('raw', 'raw@example.com', 't', 'UTC', CURRENT_TIMESTAMP)"))
        for n in range(3):
            connection.execute(sa.text(
                "INSERT INTO tasks (id, title, completed, created_at, updated_at, user_id, priority, position) "
                "VALUES (:id, :title, false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'raw', 2, :position)"
            ), {"id": uuid.uuid4().hex if connection.dialect.name == "sqlite" else str(uuid.uuid4()),
                "title": f"raw {n}", "position": n})
        db.engine.dispose()
    lists = lists_by_user(fresh_app)
    assert [name for _, name, _ in lists["raw"]] == ["Inbox"]
    rows = task_rows(fresh_app)
    assert sorted(row.title for row in rows.values()) == ["raw 0", "raw 1", "raw 2"]
    assert {row.list_id for row in rows.values()} == {lists["raw"][0][0]}
    assert sorted(row.position for row in rows.values()) == [0, 1, 2]
    assert {row.priority for row in rows.values()} == {2}


def test_the_migrated_trigger_is_the_one_the_models_create(fresh_app):
    """Migration 0009 and create_all() write the same trigger (a copy that could drift)."""
    migrate(fresh_app, "upgrade", "head")
    with fresh_app.app_context(), db.engine.connect() as connection:
        dialect = connection.dialect.name
        if dialect == "sqlite":
            migrated = connection.execute(sa.text(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'tr_tasks_into_inbox'")).scalar()
            assert migrated == INBOX_TRIGGERS["sqlite"][0]
        else:
            source = connection.execute(sa.text("SELECT prosrc FROM pg_proc WHERE proname = 'tasks_into_inbox'")).scalar()
            assert source.strip() in INBOX_TRIGGERS["postgresql"][0]
            definition = connection.execute(sa.text(
                "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 'tr_tasks_into_inbox'")).scalar()
            assert "BEFORE INSERT ON public.tasks" in definition and "list_id IS NULL" in definition
        columns = [column["name"] for column in sa.inspect(connection).get_columns("tasks")]
        db.engine.dispose()
    # The SQLite trigger copies every column: a new column must join it.
    assert sorted(columns) == sorted(TASK_COLUMNS) == sorted(Task.__table__.columns.keys())


def test_schema_names_and_cascades(fresh_app):
    migrate(fresh_app, "upgrade", "head")
    with fresh_app.app_context():
        inspector = sa.inspect(db.engine)
        keys = {key["name"]: key for table in ("tasks", "lists", "labels", "task_labels")
                for key in inspector.get_foreign_keys(table)}
        indexes = {index["name"] for index in inspector.get_indexes("tasks")}
        uniques = {unique["name"] for table in ("lists", "labels") for unique in inspector.get_unique_constraints(table)}
        nullable = {column["name"]: column["nullable"] for column in inspector.get_columns("tasks")}
        db.engine.dispose()
    for name, (table, referred) in {
        "fk_tasks_list_id_lists": ("list_id", "lists"),
        "fk_tasks_parent_id_tasks": ("parent_id", "tasks"),
        "fk_lists_user_id_users": ("user_id", "users"),
        "fk_labels_user_id_users": ("user_id", "users"),
        "fk_task_labels_task_id_tasks": ("task_id", "tasks"),
        "fk_task_labels_label_id_labels": ("label_id", "labels"),
    }.items():
        assert keys[name]["constrained_columns"] == [table] and keys[name]["referred_table"] == referred
        assert keys[name]["options"].get("ondelete", "").upper() == "CASCADE", name
    assert nullable["list_id"] is False and nullable["parent_id"] is True and nullable["repeat"] is True
    assert {"ix_tasks_list_id_created_at", "ix_tasks_list_id_priority", "ix_tasks_list_id_position",
            "ix_tasks_list_id_completed", "ix_tasks_user_id_completed_due_date", "ix_tasks_parent_id"} <= indexes
    assert uniques == {"uq_lists_user_id_name", "uq_labels_user_id_name"}


def test_deleting_a_list_or_a_parent_cascades(fresh_app):
    """ON DELETE CASCADE from lists to tasks, tasks to subtasks and labels, on both databases."""
    migrate(fresh_app, "upgrade", "head")
    with fresh_app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO users (id, email, session_token, timezone, created_at) "
            "VALUES ('u', 'u@example.com', 't', 'UTC', CURRENT_TIMESTAMP)"))
        connection.execute(sa.text("INSERT INTO lists (user_id, name, position) VALUES ('u', 'Inbox', 0), ('u', 'Work', 1)"))
        work = connection.execute(sa.text("SELECT id FROM lists WHERE name = 'Work'")).scalar()
        tasks = typed("tasks", connection)
        parent, child, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        base = {"completed": False, "created_at": NOW, "updated_at": NOW, "user_id": "u", "priority": 0, "position": 0}
        connection.execute(tasks.insert(), [{**base, "id": parent, "title": "parent", "list_id": work},
                                            {**base, "id": other, "title": "other", "list_id": None}])
        connection.execute(tasks.insert(), [{**base, "id": child, "title": "child", "list_id": work,
                                             "parent_id": parent}])
        connection.execute(sa.text("INSERT INTO labels (user_id, name) VALUES ('u', 'home')"))
        label = connection.execute(sa.text("SELECT id FROM labels")).scalar()
        task_labels = typed("task_labels", connection)
        connection.execute(task_labels.insert(), [{"task_id": child, "label_id": label},
                                                  {"task_id": other, "label_id": label}])
    with fresh_app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM lists WHERE id = :id"), {"id": work})
        titles = connection.execute(sa.text("SELECT title FROM tasks")).scalars().all()
        links = connection.execute(sa.text("SELECT count(*) FROM task_labels")).scalar()
        connection.execute(sa.text("DELETE FROM labels"))
        left = connection.execute(sa.text("SELECT count(*) FROM task_labels")).scalar()
        db.engine.dispose()
    assert titles == ["other"] and links == 1 and left == 0
