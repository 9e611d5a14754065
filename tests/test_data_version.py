"""users.data_version: bumped by database triggers, in the same transaction,
by every change to a person's tasks, lists, labels and task labels, whoever
writes the rows; never by someone else's. Cached list pages rely on it."""

import uuid

import pytest
import sqlalchemy as sa
from test_migrations import fresh_app, migrate  # noqa: F401  (fresh_app is a fixture)

from conftest import AuthActions
from webapp.extensions import db
from webapp.models import DATA_VERSION_TRIGGER_TABLES, Label, Task, TaskList, User, data_version_ddl, task_labels


def version(app, email="ada@example.com") -> int:
    with app.app_context():
        value = db.session.scalar(sa.select(User.data_version).where(User.email == email))
        db.session.remove()
        return value


@pytest.fixture
def grace(app):
    client = app.test_client()
    assert AuthActions(client).register(email="grace@example.com").status_code == 303
    return client


def only_ada_moves(app, action) -> None:
    """``action`` raises ada's version and leaves grace's alone."""
    before, other = version(app), version(app, "grace@example.com")
    action()
    assert version(app) > before
    assert version(app, "grace@example.com") == other


def test_every_change_through_the_app_bumps_the_version(app, client, user, grace):
    only_ada_moves(app, lambda: client.post("/tasks", data={"title": "milk"}))
    with app.app_context():
        task_id = db.session.scalar(sa.select(Task.id).where(Task.title == "milk"))
    only_ada_moves(app, lambda: client.post(f"/tasks/{task_id}/toggle", data={"completed": "true"}))
    only_ada_moves(app, lambda: client.post(f"/tasks/{task_id}", data={"title": "oat milk"}))
    only_ada_moves(app, lambda: client.post("/lists", data={"name": "Errands"}))
    with app.app_context():
        list_id = db.session.scalar(sa.select(TaskList.id).where(TaskList.name == "Errands"))
    only_ada_moves(app, lambda: client.post(f"/lists/{list_id}", data={"name": "Shopping"}))
    only_ada_moves(app, lambda: client.post(f"/tasks/{task_id}/delete"))


def test_writes_outside_the_app_bump_it_too(app, user, grace):
    """Raw SQL, as an operator or an import's COPY would write: the triggers see it."""
    with app.app_context():
        ada = db.session.get(User, user.id)
        inbox = db.session.scalar(sa.select(TaskList.id).where(TaskList.user_id == ada.id))
        db.session.remove()

    def run(*statements):
        def action():
            with app.app_context(), db.engine.begin() as connection:
                for statement, params in statements:
                    connection.execute(sa.text(statement), params)
        return action

    task = uuid.uuid4()
    only_ada_moves(app, run((
        "INSERT INTO tasks (id, title, completed, priority, position, created_at, updated_at, user_id, list_id) "
        "VALUES (:id, 'raw', false, 0, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :user, :list)",
        {"id": task.hex if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else str(task),
         "user": user.id, "list": inbox})))
    only_ada_moves(app, run(("UPDATE tasks SET title = 'raw 2' WHERE user_id = :user", {"user": user.id})))
    only_ada_moves(app, run(("INSERT INTO labels (user_id, name) VALUES (:user, 'home')", {"user": user.id})))
    with app.app_context():
        label = db.session.scalar(sa.select(Label.id).where(Label.name == "home"))
        task_id = db.session.scalar(sa.select(Task.id).where(Task.user_id == user.id))
        db.session.remove()
    with app.app_context():
        link = sa.insert(task_labels).values(task_id=task_id, label_id=label)
        before = version(app)
        with db.engine.begin() as connection:
            connection.execute(link)
    assert version(app) > before
    before = version(app)
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.delete(task_labels).where(task_labels.c.label_id == label))
    assert version(app) > before
    only_ada_moves(app, run(("DELETE FROM tasks WHERE user_id = :user", {"user": user.id})))


def test_a_many_row_statement_bumps_it_once_on_postgresql(app, user):
    with app.app_context():
        inbox = db.session.scalar(sa.select(TaskList.id).where(TaskList.user_id == user.id))
        before = version(app)
        rows = [{"id": uuid.uuid4(), "title": f"t{n}", "user_id": user.id, "list_id": inbox, "position": n}
                for n in range(300)]
        with db.engine.begin() as connection:
            connection.execute(sa.insert(Task), rows)  # one executemany
        after = version(app)
    assert after > before
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(sa.text("UPDATE tasks SET completed = true WHERE user_id = :u"), {"u": user.id})
        # One bump for the tasks statement, one for the list counters it
        # moved: a constant, not one per row.
        assert after < version(app) <= after + 2, "one statement, a constant number of bumps"


def test_deleting_a_person_with_tasks_and_lists_still_works(app, client, user):
    for title in ("a", "b"):
        client.post("/tasks", data={"title": title})
    client.post("/lists", data={"name": "Errands"})
    with app.app_context():
        db.session.execute(sa.delete(User).where(User.id == user.id))
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Task)) == 0


def _trigger_names(connection) -> set[str]:
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%data_version%'"
    else:
        query = "SELECT tgname FROM pg_trigger WHERE tgname LIKE '%data_version%'"
    return set(connection.execute(sa.text(query)).scalars())


def test_the_migration_writes_the_triggers_the_models_create(fresh_app):
    migrate(fresh_app, "upgrade", "head")
    with fresh_app.app_context(), db.engine.connect() as connection:
        dialect = connection.dialect.name
        migrated = _trigger_names(connection)
        if dialect == "sqlite":
            definitions = set(connection.execute(sa.text(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%data_version%'")).scalars())
            expected = {statement for table in DATA_VERSION_TRIGGER_TABLES for statement in data_version_ddl("sqlite", table)}
            assert definitions == expected
        db.engine.dispose()
    expected_names = {statement.split()[2] for table in DATA_VERSION_TRIGGER_TABLES
                      for statement in data_version_ddl(dialect, table)}
    assert migrated == expected_names and len(migrated) == 11
    migrate(fresh_app, "downgrade", "0010_repeat_anchor")
    with fresh_app.app_context(), db.engine.connect() as connection:
        assert _trigger_names(connection) == set()
        assert "data_version" not in {c["name"] for c in sa.inspect(connection).get_columns("users")}
        db.engine.dispose()
