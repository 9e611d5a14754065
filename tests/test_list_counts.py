"""lists.open_count / done_count: kept by triggers, always equal to a real
count of the list's top-level tasks, whatever writes the rows."""

import random
import uuid

import sqlalchemy as sa
from test_migrations import fresh_app, migrate  # noqa: F401  (fresh_app is a fixture)

from webapp.extensions import db
from webapp.models import Task, TaskList, list_count_ddl

TRUE_COUNTS = sa.text(
    "SELECT lists.id, "
    "(SELECT count(*) FROM tasks WHERE tasks.list_id = lists.id AND tasks.parent_id IS NULL AND NOT tasks.completed), "
    "(SELECT count(*) FROM tasks WHERE tasks.list_id = lists.id AND tasks.parent_id IS NULL AND tasks.completed), "
    "lists.open_count, lists.done_count FROM lists ORDER BY lists.id"
)


def assert_counters_true(app) -> list[tuple]:
    with app.app_context():
        rows = [tuple(row) for row in db.session.execute(TRUE_COUNTS)]
        db.session.remove()
    for list_id, open_, done, open_count, done_count in rows:
        assert (open_count, done_count) == (open_, done), f"list {list_id}: kept {open_count}/{done_count}, really {open_}/{done}"
    return rows


def inbox_and_another(app, client, user) -> tuple[int, int]:
    assert client.post("/lists", data={"name": "Errands"}).status_code == 303
    with app.app_context():
        ids = dict(db.session.execute(sa.select(TaskList.name, TaskList.id).where(TaskList.user_id == user.id)).all())
        db.session.remove()
    return ids["Inbox"], ids["Errands"]


def test_the_counters_follow_everything_the_app_does(app, client, user):
    inbox, errands = inbox_and_another(app, client, user)
    for n in range(6):
        client.post("/tasks", data={"title": f"task {n}"})
    client.post("/tasks", data={"title": "in errands", "list_id": str(errands)})
    assert_counters_true(app)
    with app.app_context():
        ids = list(db.session.scalars(sa.select(Task.id).where(Task.list_id == inbox).order_by(Task.title)))
    client.post(f"/tasks/{ids[0]}/toggle", data={"completed": "true"})
    client.post(f"/tasks/{ids[1]}/complete")
    client.post(f"/tasks/{ids[2]}", data={"list_id": str(errands)})
    client.post(f"/tasks/{ids[3]}/delete")
    rows = assert_counters_true(app)
    assert {row[0]: row[3:] for row in rows}[inbox] == (2, 2)
    client.post("/tasks/toggle-all")
    assert_counters_true(app)
    client.post("/tasks/clear-completed")
    assert_counters_true(app)


def test_a_subtask_is_counted_under_its_parent_not_in_the_list(app, client, user):
    client.post("/tasks", data={"title": "parent"})
    with app.app_context():
        parent = db.session.scalar(sa.select(Task).where(Task.title == "parent"))
        child = Task(title="child", user_id=user.id, list_id=parent.list_id, parent_id=parent.id)
        db.session.add(child)
        db.session.commit()
        inbox = db.session.get(TaskList, parent.list_id)
        assert (inbox.open_count, inbox.done_count) == (1, 0)
        child.parent_id = None  # promoted: now it counts
        db.session.commit()
        db.session.refresh(inbox)
        assert inbox.open_count == 2
        db.session.remove()
    assert_counters_true(app)


def test_random_writes_in_raw_sql_keep_them_true(app, client, user):
    """Many-row statements, moves between lists, completion flips and deletes,
    as an operator's SQL or an import would write them."""
    inbox, errands = inbox_and_another(app, client, user)
    chance = random.Random(11)
    with app.app_context():
        rows = [{"id": uuid.uuid4(), "title": f"t{n}", "user_id": user.id, "list_id": chance.choice([inbox, errands]),
                 "completed": chance.random() < 0.3, "position": n} for n in range(120)]
        with db.engine.begin() as connection:
            connection.execute(sa.insert(Task), rows)
    assert_counters_true(app)
    for _ in range(12):
        ids = [row["id"] for row in chance.sample(rows, 15)]
        action = chance.choice(["complete", "reopen", "move", "delete"])
        with app.app_context(), db.engine.begin() as connection:
            chosen = Task.id.in_(ids)
            if action == "complete":
                connection.execute(sa.update(Task).where(chosen).values(completed=True))
            elif action == "reopen":
                connection.execute(sa.update(Task).where(chosen).values(completed=False))
            elif action == "move":
                connection.execute(sa.update(Task).where(chosen).values(list_id=chance.choice([inbox, errands])))
            else:
                connection.execute(sa.delete(Task).where(chosen))
        assert_counters_true(app)


def _count_triggers(connection) -> set[str]:
    if connection.dialect.name == "sqlite":
        query = "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'tr_tasks_list_counts_%'"
    else:
        query = "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'tr_tasks_list_counts_%'"
    return set(connection.execute(sa.text(query)).scalars())


def test_the_migration_counts_what_is_there_and_writes_the_models_triggers(fresh_app):
    migrate(fresh_app, "upgrade", "0011_data_version")
    with fresh_app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO users (id, email, password_hash, session_token, timezone, created_at, data_version) "
            "VALUES ('u1', 'ada@example.com', 'x', 't', 'UTC', CURRENT_TIMESTAMP, 0)"))
        connection.execute(sa.text("INSERT INTO lists (user_id, name, position) VALUES ('u1', 'Inbox', 0)"))
        list_id = connection.execute(sa.text("SELECT id FROM lists")).scalar()
        sqlite = connection.dialect.name == "sqlite"
        for n in range(7):
            task_id = uuid.uuid4().hex if sqlite else str(uuid.uuid4())
            connection.execute(sa.text(
                "INSERT INTO tasks (id, title, completed, priority, position, created_at, updated_at, user_id, list_id) "
                "VALUES (:id, :title, :done, 0, :n, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'u1', :list)"),
                {"id": task_id, "title": f"t{n}", "done": n < 2, "n": n, "list": list_id})
    with fresh_app.app_context():
        db.engine.dispose()
    migrate(fresh_app, "upgrade", "head")
    with fresh_app.app_context(), db.engine.connect() as connection:
        assert tuple(connection.execute(sa.text("SELECT open_count, done_count FROM lists")).one()) == (5, 2)
        found = _count_triggers(connection)
        dialect = connection.dialect.name
        db.engine.dispose()
    expected = list_count_ddl(dialect)
    if dialect == "sqlite":
        assert found == set(expected)
    else:
        assert found == {statement.split()[2] for statement in expected if statement.startswith("CREATE TRIGGER")}
    assert_counters_true(fresh_app)
    migrate(fresh_app, "downgrade", "0011_data_version")
    with fresh_app.app_context(), db.engine.connect() as connection:
        assert _count_triggers(connection) == set()
        db.engine.dispose()
