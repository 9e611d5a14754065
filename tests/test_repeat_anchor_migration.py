"""Migration 0010 (``tasks.repeat_anchor_day``) on databases that hold data.

Up: repeating tasks with a due date get the day of that date; nothing else
changes, and no subtask or label link is lost (a SQLite table rebuild would
cascade them away). Down: the same rows again, without the column. On both
databases; the SQLite Inbox trigger follows the columns each way.
"""

import uuid
from datetime import date, datetime, timezone

import sqlalchemy as sa
from test_lists_migration import typed
from test_migrations import fresh_app, migrate  # noqa: F401  (fresh_app is a fixture)

from webapp.extensions import db
from webapp.models import INBOX_TRIGGERS

BEFORE = "0009_lists_labels"
REVISION = "0010_repeat_anchor"
NOW = datetime(2026, 5, 1, 9, 30, tzinfo=timezone.utc)
FIELDS = ("id", "title", "completed", "due_date", "priority", "position", "user_id", "list_id", "parent_id", "repeat")


def fill_0009(app) -> dict:
    """Two people, lists, repeating and plain tasks, subtasks, labels and a trashed task."""
    parent, child = uuid.uuid4(), uuid.uuid4()
    with app.app_context(), db.engine.begin() as connection:
        for user_id in ("ada", "bob"):
            connection.execute(sa.text(
                "INSERT INTO users (id, email, session_token, timezone, created_at) "
                "VALUES (:id, :email, 't', 'Europe/Berlin', CURRENT_TIMESTAMP)"), {"id": user_id, "email": f"{user_id}@x.org"})
            connection.execute(sa.text("INSERT INTO lists (user_id, name, position) VALUES (:u, 'Inbox', 0), "
                                       "(:u, 'Bills', 1)"), {"u": user_id})
        lists = dict(connection.execute(sa.text("SELECT user_id || '/' || name, id FROM lists")).all())
        tasks = typed("tasks", connection)
        base = {"completed": False, "created_at": NOW, "updated_at": NOW, "priority": 0, "position": 0,
                "parent_id": None, "description": None, "completed_at": None}
        rows = [
            {**base, "id": parent, "title": "rent", "user_id": "ada", "list_id": lists["ada/Bills"],
             "due_date": date(2027, 1, 31), "repeat": "FREQ=MONTHLY"},
            {**base, "id": uuid.uuid4(), "title": "undated repeat", "user_id": "ada", "list_id": lists["ada/Inbox"],
             "due_date": None, "repeat": "FREQ=DAILY"},
            {**base, "id": uuid.uuid4(), "title": "plain", "user_id": "bob", "list_id": lists["bob/Inbox"],
             "due_date": date(2027, 2, 28), "repeat": None, "priority": 3, "position": 1024},
            {**base, "id": uuid.uuid4(), "title": "yearly", "user_id": "bob", "list_id": lists["bob/Bills"],
             "due_date": date(2028, 2, 29), "repeat": "FREQ=YEARLY", "completed": True, "completed_at": NOW},
        ]
        connection.execute(tasks.insert(), rows)
        subtask = {**base, "id": child, "title": "pay", "user_id": "ada", "list_id": lists["ada/Bills"],
                   "due_date": date(2027, 1, 30), "repeat": None, "parent_id": parent}
        connection.execute(tasks.insert(), [subtask])
        rows.append(subtask)
        connection.execute(sa.text("INSERT INTO labels (user_id, name) VALUES ('ada', 'home'), ('ada', 'money')"))
        links = typed("task_labels", connection)
        label_ids = connection.execute(sa.text("SELECT id FROM labels ORDER BY id")).scalars().all()
        connection.execute(links.insert(), [{"task_id": parent, "label_id": label_ids[0]},
                                            {"task_id": child, "label_id": label_ids[1]}])
        trash = typed("deleted_tasks", connection)
        connection.execute(trash.insert(), [{
            "batch_id": uuid.uuid4(), "id": uuid.uuid4(), "user_id": "ada", "deleted_at": NOW, "title": "gone",
            "completed": False, "due_date": date(2027, 3, 30), "priority": 0, "position": 0, "created_at": NOW,
            "updated_at": NOW, "repeat": "FREQ=MONTHLY", "list_id": lists["ada/Inbox"]}])
        db.engine.dispose()
    return {row["id"]: tuple(row[name] for name in FIELDS) for row in rows}


def snapshot(app):
    with app.app_context(), db.engine.connect() as connection:
        tasks = typed("tasks", connection)
        rows = connection.execute(sa.select(tasks)).mappings().all()
        links = connection.execute(sa.text("SELECT count(*) FROM task_labels")).scalar()
        trashed = connection.execute(sa.select(typed("deleted_tasks", connection))).mappings().all()
        trigger = (connection.execute(sa.text(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'tr_tasks_into_inbox'")).scalar()
            if connection.dialect.name == "sqlite" else None)
        db.engine.dispose()
    return {row["id"]: row for row in rows}, links, trashed, trigger


def fields(rows) -> dict:
    return {task_id: tuple(row[name] for name in FIELDS) for task_id, row in rows.items()}


def test_repeating_tasks_get_their_anchor_and_nothing_is_lost(fresh_app):
    migrate(fresh_app, "upgrade", BEFORE)
    expected = fill_0009(fresh_app)
    _, links_before, _, trigger_0009 = snapshot(fresh_app)

    migrate(fresh_app, "upgrade", REVISION)
    rows, links, trashed, trigger = snapshot(fresh_app)
    assert fields(rows) == expected
    assert links == links_before == 2, "no label link cascaded away"
    anchors = {row["title"]: row["repeat_anchor_day"] for row in rows.values()}
    assert anchors == {"rent": 31, "undated repeat": None, "plain": None, "yearly": 29, "pay": None}
    assert [row["repeat_anchor_day"] for row in trashed] == [30]
    if trigger is not None:  # SQLite: the trigger names the new column too
        assert "repeat_anchor_day" in trigger and trigger == INBOX_TRIGGERS["sqlite"][0]

    migrate(fresh_app, "downgrade", BEFORE)
    rows, links, trashed, trigger = snapshot(fresh_app)
    assert fields(rows) == expected and links == 2 and len(trashed) == 1
    assert all("repeat_anchor_day" not in row for row in rows.values())
    assert trigger == trigger_0009

    migrate(fresh_app, "upgrade", "head")
    rows, links, _, _ = snapshot(fresh_app)
    assert fields(rows) == expected and links == 2


def test_the_inbox_trigger_keeps_the_anchor(fresh_app):
    """A row written without a list still lands in the Inbox, anchor and all
    (SQLite's trigger inserts the row again, naming every column)."""
    migrate(fresh_app, "upgrade", "head")
    task_id = uuid.uuid4()
    with fresh_app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO users (id, email, session_token, timezone, created_at) "
            "VALUES ('raw', 'raw@example.com', 't', 'UTC', CURRENT_TIMESTAMP)"))
        tasks = typed("tasks", connection)
        connection.execute(tasks.insert(), [{
            "id": task_id, "title": "rent", "completed": False, "created_at": NOW, "updated_at": NOW,
            "user_id": "raw", "priority": 0, "position": 0, "due_date": date(2027, 2, 28),
            "repeat": "FREQ=MONTHLY", "repeat_anchor_day": 31}])
        row = connection.execute(sa.select(tasks).where(tasks.c.id == task_id)).mappings().one()
        inbox = connection.execute(sa.text("SELECT id FROM lists WHERE user_id = 'raw' AND name = 'Inbox'")).scalar()
        db.engine.dispose()
    assert row["list_id"] == inbox and row["repeat_anchor_day"] == 31 and row["repeat"] == "FREQ=MONTHLY"
