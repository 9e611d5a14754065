"""The real migration chain, run through Flask-Migrate on a fresh database.

Every test gets an empty database of its own (a temporary SQLite file, or a
new PostgreSQL database that is dropped afterwards), so the migrations run
from nothing exactly as ``flask db upgrade`` runs them for an operator.
"""

import uuid
from datetime import datetime, timezone

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from conftest import CSRFClient, create_postgres_database, drop_postgres_database, make_app

from webapp import PROJECT_ROOT
from webapp.auth.session import load_user
from webapp.extensions import db
from webapp.models import Task, User, include_in_migrations

LEGACY = "0001_legacy_tasks"
MIGRATIONS = PROJECT_ROOT / "migrations"


def script_directory() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


HEAD = script_directory().get_current_head()


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_app(request, tmp_path, monkeypatch):
    """An app bound to a brand-new, empty database (no tables at all)."""
    monkeypatch.setenv("DOCKET_INSTANCE_PATH", str(tmp_path / "instance"))
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path / "fresh.sqlite3")
    else:
        url = create_postgres_database("docket_migrate")
    application = make_app(url)
    application.test_client_class = CSRFClient
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    if request.param == "postgres":
        drop_postgres_database(url)


def tables(app) -> set[str]:
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def current_revision(app) -> str | None:
    with app.app_context(), db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(app, command, revision):
    with app.app_context():
        getattr(flask_migrate, command)(revision=revision)
        db.engine.dispose()


def test_exactly_one_head_and_a_linear_chain():
    """One head, and the chain starts at the legacy table."""
    scripts = script_directory()
    assert scripts.get_heads() == [HEAD]
    assert scripts.get_bases() == [LEGACY]
    chain = [script.revision for script in scripts.walk_revisions()]
    assert chain[-1] == LEGACY and chain[0] == HEAD
    assert len(chain) == len(set(chain)) >= 3


def test_upgrade_downgrade_upgrade(fresh_app):
    """base -> head -> base -> head, and every step leaves the right tables."""
    assert tables(fresh_app) == set()
    migrate(fresh_app, "upgrade", "head")
    assert current_revision(fresh_app) == HEAD
    assert {"users", "tasks", "alembic_version"} <= tables(fresh_app)

    migrate(fresh_app, "downgrade", "base")
    assert current_revision(fresh_app) is None
    assert tables(fresh_app) <= {"alembic_version"}

    migrate(fresh_app, "upgrade", "head")
    assert current_revision(fresh_app) == HEAD
    assert {"users", "tasks"} <= tables(fresh_app)


def test_no_drift_between_models_and_migrations(fresh_app):
    """Autogenerate finds nothing, and ``flask db check`` agrees."""
    migrate(fresh_app, "upgrade", "head")
    with fresh_app.app_context(), db.engine.connect() as connection:
        options = {"compare_type": True, "include_object": include_in_migrations}
        context = MigrationContext.configure(connection, opts=options)
        assert compare_metadata(context, db.metadata) == []
    result = fresh_app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


def test_foreign_key_is_named_and_cascades(fresh_app):
    """The migrated FK has its conventional name and ON DELETE CASCADE."""
    migrate(fresh_app, "upgrade", "head")
    with fresh_app.app_context():
        inspector = sa.inspect(db.engine)
        # Tasks also belong to a list and may have a parent task (0009).
        foreign_keys = {key["name"]: key for key in inspector.get_foreign_keys("tasks")}
        foreign_key = foreign_keys["fk_tasks_user_id_users"]
        indexes = {index["name"]: index["column_names"] for index in inspector.get_indexes("tasks")}
    assert foreign_key["name"] == "fk_tasks_user_id_users"
    assert foreign_key["referred_table"] == "users"
    assert foreign_key["constrained_columns"] == ["user_id"]
    assert foreign_key["options"].get("ondelete", "").upper() == "CASCADE"
    assert indexes["ix_tasks_user_id_created_at"][0] == "user_id"


# --- adopting a database that the old application filled -------------------

OWNERS = ["alice-legacy", "bob-legacy", str(uuid.uuid4())]
LEGACY_ROWS = [
    # (owner, title, completed)
    (OWNERS[0], "Buy milk", False),
    (OWNERS[0], "Walk the dog", True),
    (OWNERS[1], "File taxes", False),
    (OWNERS[1], "  padded title  ", True),
    (OWNERS[2], "Call mum", False),
]
INSERT_LEGACY = sa.text(
    "INSERT INTO tasks (id, title, description, completed, created_at, updated_at, user_id) "
    "VALUES (:id, :title, NULL, :completed, :created_at, :updated_at, :user_id)"
).bindparams(
    sa.bindparam("id", type_=sa.Uuid()),
    sa.bindparam("completed", type_=sa.Boolean()),
    sa.bindparam("created_at", type_=sa.DateTime()),
    sa.bindparam("updated_at", type_=sa.DateTime()),
)


def insert_legacy_tasks(app) -> dict[uuid.UUID, tuple]:
    """Write tasks as the old app did (naive UTC times); return them by id."""
    expected = {}
    with app.app_context(), db.engine.begin() as connection:
        for minute, (owner, title, completed) in enumerate(LEGACY_ROWS):
            task_id, naive = uuid.uuid4(), datetime(2024, 3, 1, 12, minute, 30)
            connection.execute(
                INSERT_LEGACY,
                dict(id=task_id, title=title, completed=completed,
                     created_at=naive, updated_at=naive, user_id=owner),
            )
            expected[task_id] = (owner, title, completed, naive.replace(tzinfo=timezone.utc))
        db.engine.dispose()
    return expected


def assert_tasks_intact(app, expected):
    with app.app_context():
        found = {
            task.id: (task.user_id, task.title, task.completed, task.created_at)
            for task in db.session.scalars(sa.select(Task))
        }
        db.session.remove()
    assert found == expected


def legacy_task_ids(app) -> set[uuid.UUID]:
    with app.app_context(), db.engine.connect() as connection:
        query = sa.text("SELECT id FROM tasks").columns(id=sa.Uuid())
        return set(connection.execute(query).scalars())


def test_legacy_tasks_are_adopted_by_placeholder_users(fresh_app):
    """Upgrading a legacy DB keeps every task and gives each owner a locked user."""
    migrate(fresh_app, "upgrade", LEGACY)
    expected = insert_legacy_tasks(fresh_app)
    migrate(fresh_app, "upgrade", "head")

    assert_tasks_intact(fresh_app, expected)
    with fresh_app.app_context():
        users = db.session.scalars(sa.select(User)).all()
        assert sorted(user.id for user in users) == sorted(OWNERS)
        assert all(user.email.endswith(".invalid") for user in users)
        assert all(user.password_hash is None for user in users)
        assert len({user.email for user in users}) == 3
        assert all(load_user(user.get_id()) is None for user in users)
        emails = [user.email for user in users]
        db.session.remove()

    client = fresh_app.test_client()
    for email in emails:
        for password in ("password123", "correct horse battery"):
            response = client.post("/auth/login", data={"email": email, "password": password})
            assert response.status_code == 422, (email, password, response.status_code)
            assert "Location" not in response.headers
    assert client.get("/tasks").status_code == 303  # still logged out

    migrate(fresh_app, "downgrade", LEGACY)
    assert "users" not in tables(fresh_app)
    assert legacy_task_ids(fresh_app) == set(expected)


LEGACY_DDL = {
    "sqlite": "id CHAR(32) NOT NULL PRIMARY KEY, created_at DATETIME NOT NULL, "
    "updated_at DATETIME NOT NULL",
    "postgresql": "id UUID NOT NULL PRIMARY KEY, created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, "
    "updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL",
}


def test_hand_made_legacy_table_is_adopted_by_stamp_then_upgrade(fresh_app):
    """The old app's own table: ``stamp 0001_legacy_tasks``, ``upgrade``, nothing lost."""
    with fresh_app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.text(
            f"CREATE TABLE tasks ({LEGACY_DDL[connection.dialect.name]}, "
            "title VARCHAR(255) NOT NULL, description VARCHAR(1000), "
            "completed BOOLEAN NOT NULL, user_id VARCHAR(255) NOT NULL)"
        ))
        db.engine.dispose()
    expected = insert_legacy_tasks(fresh_app)

    migrate(fresh_app, "stamp", LEGACY)
    assert current_revision(fresh_app) == LEGACY
    migrate(fresh_app, "upgrade", "head")

    assert current_revision(fresh_app) == HEAD
    assert_tasks_intact(fresh_app, expected)
    with fresh_app.app_context():
        owners = db.session.scalars(sa.select(User.id).where(User.password_hash.is_(None))).all()
        db.session.remove()
    assert sorted(owners) == sorted(OWNERS)


def test_migrations_run_without_the_apps_statement_timeout(tmp_path, monkeypatch):
    """The app cancels statements after DOCKET_DB_STATEMENT_TIMEOUT; a migration
    that rewrites a big table must not be, so env.py lifts it first thing."""
    monkeypatch.setenv("DOCKET_INSTANCE_PATH", str(tmp_path / "instance"))
    url = create_postgres_database("docket_migrate")
    try:
        application = make_app(url)
        seen = []
        with application.app_context():
            engine = db.engine

        def record(conn, cursor, statement, parameters, context, executemany):
            if not seen:
                cursor.execute("SHOW statement_timeout")  # what the app's connections get
                seen.append(cursor.fetchone()[0])
            seen.append(statement)

        sa.event.listen(engine, "before_cursor_execute", record)
        with application.app_context():
            flask_migrate.upgrade(revision="head")
            engine.dispose()
        assert seen[0] == "10s"  # the app's limit ...
        assert seen[1] == "SET statement_timeout = 0"  # ... lifted before anything else
        assert current_revision(application) == script_directory().get_current_head()
    finally:
        drop_postgres_database(url)
