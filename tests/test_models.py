"""The database enforces the data model: foreign key, cascade, check, index."""

import flask_migrate
import pytest
import sqlalchemy as sa
from conftest import count_statements, create_postgres_database, drop_postgres_database, make_app
from sqlalchemy.exc import IntegrityError

from webapp.accounts import delete_user
from webapp.extensions import db
from webapp.models import Task, User
from webapp.tasks.queries import PAGE_SIZE, list_page

postgres_only = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


def add_user(email: str, n_tasks: int) -> str:
    """A user with ``n_tasks`` tasks, committed; returns the user's id."""
    user = User(email=email)
    user.set_password("password123")
    db.session.add(user)
    db.session.flush()
    db.session.add_all(Task(title=f"{email} #{i}", user_id=user.id) for i in range(n_tasks))
    db.session.commit()
    return user.id


def tasks_by_owner() -> dict[str, int]:
    rows = db.session.execute(sa.select(Task.user_id, sa.func.count()).group_by(Task.user_id))
    return dict(rows.all())


def test_task_for_missing_user_is_refused(app):
    """The FK holds on both databases (SQLite thanks to PRAGMA foreign_keys).

    The ORM would not notice a missing user, so only the database can refuse.
    """
    with app.app_context():
        db.session.add(Task(title="orphan", user_id="no-such-user"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Task)) == 0


@pytest.mark.parametrize("title", ["", "   "])
def test_blank_title_is_refused_by_the_database(app, title):
    """The check constraint rejects a title of nothing but white space."""
    with app.app_context():
        owner = add_user("blank@example.com", 0)
        db.session.add(Task(title=title, user_id=owner))
        with pytest.raises(IntegrityError, match="title_not_empty|CHECK|check"):
            db.session.commit()
        db.session.rollback()
        assert tasks_by_owner() == {}


def test_raw_delete_of_a_user_cascades_to_their_tasks_only(app):
    """``DELETE FROM users`` removes that user's tasks and nobody else's."""
    with app.app_context():
        gone = add_user("gone@example.com", 4)
        kept = add_user("kept@example.com", 3)
        db.session.execute(sa.text("DELETE FROM users WHERE id = :id"), {"id": gone})
        db.session.commit()
        assert tasks_by_owner() == {kept: 3}
        assert db.session.scalars(sa.select(User.id)).all() == [kept]


@pytest.mark.parametrize("how", ["session.delete", "accounts.delete_user"])
def test_orm_delete_leaves_the_cascade_to_the_database(app, how):
    """Deleting through the ORM never loads the tasks, and still removes them."""
    with app.app_context():
        gone = add_user("gone@example.com", 25)
        kept = add_user("kept@example.com", 2)
        db.session.remove()

    with count_statements(app) as statements, app.app_context():
        user = db.session.get(User, gone)
        if how == "session.delete":
            db.session.delete(user)
        else:
            delete_user(user)
        db.session.commit()

    touching_tasks = [s for s in statements if "tasks" in s.lower()]
    assert touching_tasks == [], touching_tasks
    deletes = [s for s in statements if s.lstrip().upper().startswith("DELETE")]
    assert len(deletes) == 1 and "users" in deletes[0]
    with app.app_context():
        assert tasks_by_owner() == {kept: 2}
        assert db.session.get(User, gone) is None


def test_timestamps_read_back_timezone_aware(app):
    """``created_at`` and ``updated_at`` come back as aware UTC datetimes."""
    with app.app_context():
        owner = add_user("tz@example.com", 1)
        db.session.remove()
        task = db.session.scalars(sa.select(Task).where(Task.user_id == owner)).one()
        for value in (task.created_at, task.updated_at):
            assert value.tzinfo is not None
            assert value.utcoffset().total_seconds() == 0


# --- PostgreSQL only --------------------------------------------------------


@pytest.fixture
def migrated_postgres(tmp_path, monkeypatch):
    """A fresh PostgreSQL database brought to head by the real migrations."""
    monkeypatch.setenv("DOCKET_INSTANCE_PATH", str(tmp_path / "instance"))
    url = create_postgres_database("docket_models")
    application = make_app(url)
    with application.app_context():
        flask_migrate.upgrade()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    drop_postgres_database(url)


def test_information_schema_shows_the_cascading_foreign_key(migrated_postgres):
    """information_schema: fk_tasks_user_id_users, tasks -> users, ON DELETE CASCADE."""
    query = sa.text(
        "SELECT rc.delete_rule, kcu.table_name, kcu.column_name, ccu.table_name "
        "FROM information_schema.referential_constraints rc "
        "JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = rc.constraint_name "
        "JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = rc.constraint_name "
        "WHERE rc.constraint_name = 'fk_tasks_user_id_users'"
    )
    with migrated_postgres.app_context():
        rows = db.session.execute(query).all()
    assert rows == [("CASCADE", "tasks", "user_id", "users")]


@postgres_only
def test_list_query_uses_the_index_not_a_seq_scan(app):
    """EXPLAIN of the real list query over 10,000 tasks of 20 users."""
    with app.app_context():
        db.session.execute(sa.text(
            "INSERT INTO users (id, email, session_token, timezone, created_at) "
            "SELECT 'user-' || g, 'user' || g || '@example.com', md5(g::text), 'UTC', now() "
            "FROM generate_series(1, 20) AS g"
        ))
        db.session.execute(sa.text(
            "INSERT INTO tasks (id, title, completed, created_at, updated_at, user_id) "
            "SELECT gen_random_uuid(), 'task ' || g, g % 3 = 0, "
            "now() - g * interval '1 minute', now(), 'user-' || (g % 20 + 1) "
            "FROM generate_series(1, 10000) AS g"
        ))
        db.session.commit()
        db.session.execute(sa.text("ANALYZE tasks"))
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Task)) == 10_000

    captured = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", capture)
        try:
            page = list_page("user-7")
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", capture)
        assert len(page.tasks) == PAGE_SIZE and page.next_cursor
        (statement, parameters), = captured
        assert "ORDER BY" in statement and "LIMIT" in statement
        connection = db.session.connection()
        plan = "\n".join(connection.exec_driver_sql("EXPLAIN " + statement, parameters).scalars())
        db.session.rollback()

    assert "ix_tasks_user_id_created_at" in plan, plan
    assert "Seq Scan on tasks" not in plan, plan
    assert "Sort" not in plan, plan  # the index already gives the order
