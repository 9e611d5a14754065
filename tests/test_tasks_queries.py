"""The list costs a constant, small number of statements; keyset paging is exact."""

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from conftest import HTMX, count_statements
from webapp.extensions import db
from webapp.models import Task, User
from webapp.tasks import queries
from webapp.tasks.listview import ListView

BASE = datetime(2024, 1, 1, tzinfo=timezone.utc)
ROW_ID = re.compile(r'id="task-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"')


def add_tasks(app, user_id, count, *, same_time_every=1, completed=lambda n: n % 2 == 1):
    """``count`` tasks; ``same_time_every`` consecutive ones share a created_at (ties)."""
    with app.app_context():
        start = db.session.scalar(sa.select(sa.func.count(Task.id)))
        rows = [
            {"id": uuid.uuid4(), "user_id": user_id, "title": f"Task {n}", "completed": completed(n),
             "created_at": BASE + timedelta(milliseconds=(n // same_time_every) * 7),
             "updated_at": BASE}
            for n in range(start, start + count)
        ]
        db.session.execute(sa.insert(Task), rows)
        db.session.commit()


def expected_ids(app, user_id, list_filter="all") -> list[uuid.UUID]:
    with app.app_context():
        query = sa.select(Task.id).where(Task.user_id == user_id)
        if list_filter != "all":
            query = query.where(Task.completed.is_(list_filter == "completed"))
        return list(db.session.scalars(query.order_by(Task.created_at.desc(), Task.id.desc())))


def statements_for(app, client, url, headers=None) -> list[str]:
    client.get(url, headers=headers)  # warm up: pool connection, first-request work
    with count_statements(app) as statements:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    assert len(ROW_ID.findall(response.get_data(as_text=True))) > 0
    return list(statements)


@pytest.mark.parametrize("query", ["", "?filter=all", "?filter=active", "?filter=completed"])
def test_list_statements_do_not_grow_with_the_number_of_tasks(app, client, user, query):
    add_tasks(app, user.id, 5)
    few = statements_for(app, client, "/tasks" + query)

    add_tasks(app, user.id, 495)
    many = statements_for(app, client, "/tasks" + query)

    assert len(few) == len(many) <= 3, many


@pytest.mark.parametrize("headers", [None, HTMX], ids=["plain", "htmx"])
def test_load_more_page_costs_the_same_as_the_first(app, client, user, headers):
    add_tasks(app, user.id, 500)
    cursor = queries.encode_cursor(_task(app, expected_ids(app, user.id)[49]))

    first = statements_for(app, client, "/tasks")
    later = statements_for(app, client, f"/tasks?after={cursor}", headers=headers)

    # "Load more" over HTMX needs no counts and no sidebar; the first page
    # brings them along in one query: never more than 3.
    assert len(later) <= len(first) <= 3


def _task(app, task_id):
    with app.app_context():
        return db.session.get(Task, task_id)


@pytest.mark.parametrize("raw", [
    None, "", "garbage", "0", "-", "2024-01-01", "20240101000000000000",
    "20240101000000000000-" + "0" * 31, "20240101000000000000-" + "0" * 33,
    "20240101000000000000-" + "g" * 32, "20240101000000000000-" + "A" * 32,
    "2024010100000000000-" + "0" * 32, "99999999999999999999-" + "0" * 32,
    "20241301000000000000-" + "0" * 32, "20240230000000000000-" + "0" * 32,
    " 20240101000000000000-" + "0" * 32, "20240101000000000000-" + "0" * 32 + "-x",
    "２０２４０１０１００００００００００００-" + "0" * 32,
])
def test_decode_cursor_rejects_garbage(raw):
    assert queries.decode_cursor(raw) is None


def test_cursor_round_trips(app, user):
    add_tasks(app, user.id, 1)
    task = _task(app, expected_ids(app, user.id)[0])

    decoded = queries.decode_cursor(queries.encode_cursor(task))

    assert decoded == [task.created_at, task.id]
    assert decoded[0].tzinfo is not None


def walk(app, user_id, list_filter) -> tuple[list[uuid.UUID], list[int]]:
    """Every page of the list via next_cursor: (ids in order, page sizes)."""
    seen, sizes, cursor = [], [], None
    with app.app_context():
        while True:
            page = queries.list_page(user_id, ListView(filter=list_filter), cursor)
            seen += [task.id for task in page.tasks]
            sizes.append(len(page.tasks))
            if page.next_cursor is None:
                return seen, sizes
            assert len(sizes) < 20, "paging does not end"
            cursor = page.next_cursor


@pytest.mark.parametrize("same_time_every", [1, 3, 7], ids=["distinct", "ties-of-3", "ties-of-7"])
@pytest.mark.parametrize("list_filter", ["all", "active", "completed"])
def test_keyset_paging_neither_repeats_nor_skips(app, user, list_filter, same_time_every):
    add_tasks(app, user.id, 240, same_time_every=same_time_every)

    seen, sizes = walk(app, user.id, list_filter)

    assert seen == expected_ids(app, user.id, list_filter)
    full = [50, 50, 50, 50, 40] if list_filter == "all" else [50, 50, 20]
    assert sizes == full


def test_paging_is_per_user(app, user):
    with app.app_context():
        other = User(email="grace@example.com")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    add_tasks(app, other_id, 70)
    add_tasks(app, user.id, 60)

    seen, sizes = walk(app, user.id, "all")

    assert seen == expected_ids(app, user.id) and sizes == [50, 10]


def test_exactly_one_page_has_no_next_cursor(app, user):
    add_tasks(app, user.id, queries.PAGE_SIZE)

    with app.app_context():
        page = queries.list_page(user.id)
        garbage = queries.list_page(user.id, ListView(), "garbage")

    assert len(page.tasks) == queries.PAGE_SIZE and page.next_cursor is None
    assert [task.id for task in garbage.tasks] == [task.id for task in page.tasks]


def test_counts(app, user):
    with app.app_context():
        assert queries.counts(user.id) == queries.Counts(total=0, completed=0)
    add_tasks(app, user.id, 7)

    with app.app_context():
        counts = queries.counts(user.id)

    assert (counts.total, counts.completed, counts.active) == (7, 3, 4)
