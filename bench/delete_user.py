#!/usr/bin/env python
"""How long does deleting a user with many tasks take?

Two ways, on the same schema and the same amount of data:

1. ``webapp.accounts.delete_user`` + commit: one DELETE of the user row; the
   database's ON DELETE CASCADE removes the tasks.
2. An ORM cascade: load every task, ``session.delete()`` each, then the user.

Usage (from the repository root):

    .venv/bin/python bench/delete_user.py                  # throwaway PostgreSQL database
    .venv/bin/python bench/delete_user.py --tasks 1000
    .venv/bin/python bench/delete_user.py --database-url sqlite:////tmp/bench.sqlite3

Without ``--database-url`` a database is created on the local PostgreSQL
server and dropped afterwards. A given database must hold no tables; the
tables the benchmark creates there are dropped again at the end.
"""

import argparse
import contextlib
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from throwaway import throwaway_postgres

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


PG_INSERT = """
INSERT INTO tasks (id, title, completed, created_at, updated_at, user_id)
SELECT gen_random_uuid(), 'task ' || g, g % 3 = 0,
       now() - g * interval '1 second', now() - g * interval '1 second', :user_id
FROM generate_series(1, :n) AS g
"""
SQLITE_INSERT = """
WITH RECURSIVE seq(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM seq WHERE g < :n)
INSERT INTO tasks (id, title, completed, created_at, updated_at, user_id)
SELECT lower(hex(randomblob(16))), 'task ' || g, g % 3 = 0,
       datetime('now', '-' || g || ' seconds') || '.000000',
       datetime('now', '-' || g || ' seconds') || '.000000', :user_id
FROM seq
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=None,
        help="an empty database to use (default: postgresql+psycopg2://postgres@127.0.0.1:5432/"
        "docket_bench_<random>, created for the run and dropped after it)",
    )
    parser.add_argument("--tasks", type=int, default=100_000, help="tasks in the account (default: 100000)")
    return parser.parse_args(argv)


@contextlib.contextmanager
def statement_counter(engine):
    """Count DBAPI calls, and the statements they run (executemany runs one per row)."""
    counts = {"calls": 0, "statements": 0}

    def record(conn, cursor, statement, parameters, context, executemany):
        counts["calls"] += 1
        counts["statements"] += len(parameters) if executemany else 1

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield counts
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def user_with_tasks(db, n: int):
    """A user with ``n`` tasks, inserted by one INSERT ... SELECT."""
    from webapp.models import User

    user = User(email=f"bench-{uuid.uuid4().hex[:8]}@example.com")
    db.session.add(user)
    db.session.flush()
    user_id = user.id
    insert = PG_INSERT if db.engine.dialect.name == "postgresql" else SQLITE_INSERT
    db.session.execute(sa.text(insert), {"user_id": user_id, "n": n})
    db.session.commit()
    db.session.expunge_all()
    return db.session.get(User, user_id)


def remaining_tasks(db, user_id: str) -> int:
    from webapp.models import Task

    return db.session.scalar(sa.select(sa.func.count()).select_from(Task).where(Task.user_id == user_id))


def delete_with_database_cascade(db, user) -> None:
    from webapp.accounts import delete_user

    delete_user(user)
    db.session.commit()


def delete_with_orm_cascade(db, user) -> None:
    from webapp.models import Task

    for task in db.session.scalars(sa.select(Task).where(Task.user_id == user.id)):
        db.session.delete(task)
    db.session.delete(user)
    db.session.commit()


def run(database_url: str, n: int) -> None:
    from webapp import create_app
    from webapp.extensions import db

    app = create_app({
        "SECRET_KEY": "benchmark-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_STORAGE_URI": "memory://",
    })
    with app.app_context():
        if sa.inspect(db.engine).get_table_names():
            sys.exit(f"{database_url}: the database is not empty; give an empty one (or none).")
        db.create_all()
        try:
            print(f"{n} tasks in one account, on {db.engine.dialect.name}")
            for label, delete in [
                ("database cascade (delete_user: one DELETE)", delete_with_database_cascade),
                ("ORM cascade (load every task, delete each)", delete_with_orm_cascade),
            ]:
                user = user_with_tasks(db, n)
                user_id = user.id
                assert remaining_tasks(db, user_id) == n
                with statement_counter(db.engine) as counts:
                    started = time.perf_counter()
                    delete(db, user)
                    elapsed = time.perf_counter() - started
                left = remaining_tasks(db, user_id)
                assert left == 0, f"{left} tasks survived"
                print(
                    f"{label:<44} {elapsed:9.3f} s  "
                    f"{counts['statements']:>7} SQL statements ({counts['calls']} DBAPI calls)"
                )
                db.session.remove()
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.tasks < 1:
        sys.exit("--tasks must be at least 1")
    os.environ.setdefault("DOCKET_INSTANCE_PATH", tempfile.mkdtemp(prefix="docket-bench-"))
    if args.database_url:
        run(args.database_url, args.tasks)
    else:
        with throwaway_postgres() as url:
            run(url, args.tasks)


if __name__ == "__main__":
    main()
