"""Benchmark: importing 50,000 tasks on PostgreSQL, end to end.

Creates a throw-away database with the real migrations, signs a person up
through the app, then posts a full export file (every field, as
/account/export.csv or .json writes it: lists, labels, repeats and subtasks
too) to /account/import and prints the seconds, split into reading the file
and writing the rows. Numbers, not a pass/fail: the goal is well under 5 s
for 50,000 rows. ``--plain`` leaves lists, labels, repeats and subtasks out
(a file as exports were before them).

    .venv/bin/python bench/import_tasks.py --tasks 50000 --format csv
"""

import argparse
import io
import json
import os
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from unittest.mock import patch

import sqlalchemy as sa
from throwaway import throwaway_postgres

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PASSWORD = "quiet river lantern 42"  # not containing the email's "bench"


def export_file(count: int, fmt: str, plain: bool = False) -> bytes:
    """A file shaped like Docket's own export of ``count`` varied tasks: in
    five lists, most with a label or two, one in ten repeating and one in
    five a subtask."""
    from webapp.tasks.portable import FIELDS, csv_lines

    start = date(2030, 1, 1)
    ids = [str(uuid.uuid4()) for _ in range(count)]
    records = [{
        "id": ids[n],
        "title": f"Task {n}: {'pay the invoice' if n % 7 == 0 else 'an errand'}",
        "description": f"notes about item {n}" if n % 3 == 0 else "",
        "completed": n % 4 == 0,
        "completed_at": "2029-05-01T10:00:00+00:00" if n % 4 == 0 else "",
        "due_date": (start + timedelta(days=n % 90)).isoformat() if n % 2 else "",
        "priority": ["none", "low", "medium", "high"][n % 4],
        "position": (n - count // 2) * 1024,
        "created_at": "2029-01-01T09:00:00+00:00",
        "updated_at": "2029-01-02T09:00:00+01:00",
        "list": None if plain else ["Inbox", "Work", "Home", "Errands", "Someday"][n % 5],
        "labels": [] if plain else [["home"], ["work", "urgent"], [], ["errand"], ["call", "home"]][n % 5],
        "repeat": None if plain or n % 10 else ["FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO", "FREQ=MONTHLY"][n % 3],
        "repeat_anchor_day": None,
        "parent_id": None if plain or n % 5 != 1 else ids[n - 1],
    } for n in range(count)]
    if fmt == "json":
        return json.dumps({"format": "docket-tasks", "version": 1, "tasks": records}).encode()
    assert list(records[0]) == FIELDS
    return "".join(csv_lines(records)).encode()


def insert_seconds(data: bytes, fmt: str, how: str) -> float:
    """Time writing the file's rows one way, then roll back (inside an app context)."""
    from webapp.account import bulk_insert
    from webapp.extensions import db
    from webapp.models import User
    from webapp.tasks.portable import parse

    rows = parse(f"tasks.{fmt}", data)
    user = db.session.scalar(sa.select(User))
    # "insert": the same rows and links, through insertmanyvalues instead of COPY.
    with patch.object(bulk_insert, "_can_copy", return_value=how == "copy"):
        started = time.perf_counter()
        bulk_insert.write_import(user, rows)
        db.session.flush()
    elapsed = time.perf_counter() - started
    db.session.rollback()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=50_000)
    parser.add_argument("--format", choices=["csv", "json"], default="csv")
    parser.add_argument("--plain", action="store_true", help="no lists, labels, repeats or subtasks in the file")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.extensions import db
    from webapp.models import Task
    from webapp.tasks.portable import parse

    with throwaway_postgres() as url:
        os.environ.setdefault("DOCKET_INSTANCE_PATH", f"/tmp/{sa.engine.make_url(url).database}")
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "benchmark-secret-key-0000",
            "WTF_CSRF_ENABLED": False,
            # A full export of 50,000 tasks is larger than the default 5 MB upload limit.
            "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
        })
        with app.app_context():
            upgrade()
        data = export_file(args.tasks, args.format, args.plain)
        client = app.test_client()
        registered = client.post("/auth/register", data={
            "email": "bench@example.com", "password": PASSWORD, "password_confirm": PASSWORD})
        assert registered.status_code == 303, registered.status_code

        started = time.perf_counter()
        parse(f"tasks.{args.format}", data)
        parse_seconds = time.perf_counter() - started

        started = time.perf_counter()
        response = client.post("/account/import", data={"file": (io.BytesIO(data), f"tasks.{args.format}")},
                               content_type="multipart/form-data")
        total_seconds = time.perf_counter() - started
        assert response.status_code == 303, response.get_data(as_text=True)[-2000:]
        with app.app_context():
            stored = db.session.scalar(sa.select(sa.func.count()).select_from(Task))
            db.engine.dispose()
        assert stored == args.tasks, stored
        kind = "plain" if args.plain else "with lists, labels, repeats and subtasks"
        print(f"{args.tasks:,} tasks, {args.format}, {kind}, {len(data) / 1e6:.1f} MB")
        print(f"  reading and checking the file: {parse_seconds:.2f} s")
        print(f"  whole request (upload, checks, insert, commit): {total_seconds:.2f} s")
        with app.app_context():
            print(f"  the insert alone, COPY (what the app does): {insert_seconds(data, args.format, 'copy'):.2f} s")
            print(f"  the insert alone, insertmanyvalues instead: {insert_seconds(data, args.format, 'insert'):.2f} s")
            db.engine.dispose()


if __name__ == "__main__":
    main()
