"""One import at a time per account: a second one, while the first still runs,
is refused at once (409) and adds nothing, so one person cannot tie up the
database with imports side by side (PostgreSQL; SQLite writes one at a time)."""

import hashlib
import io

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Task


def upload(client, text: str):
    data = {"file": (io.BytesIO(text.encode()), "tasks.txt")}
    return client.post("/account/import", data=data, content_type="multipart/form-data")


def task_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Task.id)))


def test_a_second_import_while_one_runs_is_refused(app, client, user):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return  # SQLite queues writers itself; the lock is PostgreSQL's
    key = int.from_bytes(hashlib.sha256(f"docket-import:{user.id}".encode()).digest()[:8], "big", signed=True)
    other = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with other.connect() as running_import:  # what an import in progress holds
            running_import.execute(sa.select(sa.func.pg_advisory_lock(key)))
            refused = upload(client, "buy milk\ncall mum\n")
            assert refused.status_code == 409
            assert "Another import of yours is still running" in refused.get_data(as_text=True)
            assert task_count(app) == 0
            running_import.execute(sa.select(sa.func.pg_advisory_unlock(key)))
    finally:
        other.dispose()

    assert upload(client, "buy milk\ncall mum\n").status_code == 303  # the same file, once the first is done
    assert task_count(app) == 2
