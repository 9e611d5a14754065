"""Benchmark: the task list and search with 100 vs 100,000 tasks on PostgreSQL.

Creates a throw-away database, builds the schema with the real migrations
(so the trigram indexes exist), fills one account with --tasks rows and
another with 100, then prints the median time of the list query, of a
search, and of each sort, plus the plan PostgreSQL chose. Numbers, not a
pass/fail: compare them across changes.

    .venv/bin/python bench/list_and_search.py --tasks 100000
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from throwaway import throwaway_postgres

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))



def median_ms(function, repeat: int) -> float:
    function()  # warm the cache once
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def fill(connection, user_id: str, count: int) -> None:
    connection.execute(sa.text(
        "INSERT INTO users (id, email, session_token, timezone, created_at) "
        "VALUES (:id, :email, 'x', 'UTC', now())"), {"id": user_id, "email": f"{user_id}@example.com"})
    connection.execute(sa.text(
        "INSERT INTO tasks (id, title, description, completed, created_at, updated_at, user_id, priority, due_date) "
        "SELECT gen_random_uuid(), 'Task ' || n || CASE WHEN n % 500 = 0 THEN ' invoice' ELSE ' errand' END, "
        "CASE WHEN n % 3 = 0 THEN 'notes about item ' || n END, n % 4 = 0, "
        "now() - n * interval '1 second', now(), :user_id, n % 4, "
        "CASE WHEN n % 2 = 0 THEN current_date + (n % 60) END "
        "FROM generate_series(1, :count) AS n"), {"user_id": user_id, "count": count})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.extensions import db
    from webapp.tasks import queries
    from webapp.tasks.listview import SORTS, ListView

    with throwaway_postgres() as url:
        os.environ.setdefault("DOCKET_INSTANCE_PATH", f"/tmp/{sa.engine.make_url(url).database}")
        app = None
        try:
            app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark-secret-key-0000"})
            with app.app_context():
                upgrade()
                with db.engine.begin() as connection:
                    fill(connection, "small", 100)
                    fill(connection, "large", args.tasks)
                    connection.execute(sa.text("ANALYZE tasks"))
                print(f"tasks: 100 (small account) and {args.tasks:,} (large account); median of {args.repeat} runs")
                for label, view in [("list (newest)", ListView())] + [
                    (f"sort={sort}", ListView(sort=sort)) for sort in SORTS if sort != "newest"
                ] + [("search 'invoice'", ListView(q="invoice")), ("search 'item 4242'", ListView(q="item 4242"))]:
                    small = median_ms(lambda: queries.list_page("small", view), args.repeat)
                    large = median_ms(lambda: queries.list_page("large", view), args.repeat)
                    print(f"  {label:<22} 100 tasks: {small:7.2f} ms   {args.tasks:,} tasks: {large:7.2f} ms")
                    db.session.rollback()
                statement = sa.text(
                    "EXPLAIN SELECT * FROM tasks WHERE user_id = 'large' AND "
                    "(title ILIKE '%invoice%' OR description ILIKE '%invoice%') ORDER BY created_at DESC, id DESC LIMIT 51")
                plan = [row[0] for row in db.session.execute(statement)]
                print("plan of the search:\n    " + "\n    ".join(plan))
        finally:
            if app is not None:
                with app.app_context():
                    db.engine.dispose()


if __name__ == "__main__":
    main()
