"""Each planning revision upgrades a database holding users and tasks without losing a row, and downgrades."""

import uuid
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from conftest import create_postgres_database, drop_postgres_database, make_app

REVISIONS = [
    ("0003_aware_timestamps", "0004_due_date_priority"),
    ("0004_due_date_priority", "0005_search_sort_indexes"),
    ("0005_search_sort_indexes", "0006_manual_order"),
]


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_url(request, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKET_INSTANCE_PATH", str(tmp_path / "instance"))
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path / "migrate.sqlite3")
        return
    url = create_postgres_database("docket_plan")
    yield url
    drop_postgres_database(url)


def snapshot(connection):
    rows = connection.execute(sa.text("SELECT id, title, user_id, completed FROM tasks ORDER BY title")).all()
    return [(str(r[0]).replace("-", ""), r[1], r[2], bool(r[3])) for r in rows]


@pytest.mark.parametrize("previous, revision", REVISIONS)
def test_revision_keeps_every_row_up_and_down(fresh_url, previous, revision):
    app = make_app(fresh_url)
    with app.app_context():
        from webapp.extensions import db

        upgrade(revision=previous)
        now = datetime(2026, 5, 1, tzinfo=timezone.utc)
        with db.engine.begin() as connection:
            for owner in ("u1", "u2"):
                connection.execute(sa.text(
                    "INSERT INTO users (id, email, session_token, timezone, created_at) VALUES (:id, :email, 't', 'UTC', :now)"
                ), {"id": owner, "email": f"{owner}@example.com", "now": now})
            tasks = metadata_tasks(db.engine)
            connection.execute(tasks.insert(), [
                {"id": uuid.uuid4().hex, "title": f"task {n}", "user_id": "u1" if n % 2 else "u2",
                 "completed": n % 3 == 0, "created_at": now, "updated_at": now, "description": None}
                for n in range(12)
            ])
        with db.engine.connect() as connection:
            before = snapshot(connection)
        upgrade(revision=revision)
        with db.engine.connect() as connection:
            assert snapshot(connection) == before
            if revision == "0006_manual_order":
                positions = connection.execute(sa.text("SELECT user_id, position FROM tasks")).all()
                assert len(set(positions)) == len(positions)  # distinct per user
        downgrade(revision=previous)
        with db.engine.connect() as connection:
            assert snapshot(connection) == before
        db.engine.dispose()


def metadata_tasks(engine):
    """The tasks table as it is in the database right now (columns differ by revision)."""
    reflected = sa.MetaData()
    return sa.Table("tasks", reflected, autoload_with=engine)
