"""Search and sort: in the URL, combined with filters, keyset-paged, escaped."""

import html
import re
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from conftest import HTMX, count_statements
from webapp.extensions import db
from webapp.models import Task
from webapp.tasks.queries import PAGE_SIZE, decode_cursor


def add_tasks(app, user, specs):
    """Insert tasks with distinct creation times, oldest first."""
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with app.app_context():
        for offset, spec in enumerate(specs):
            db.session.add(Task(user_id=user.id, created_at=start + timedelta(minutes=offset), **spec))
        db.session.commit()


def titles(response):
    body = response.get_data(as_text=True)
    return [html.unescape(title) for title in re.findall(r'<a class="title" href="[^"]*"(?: dir="auto")?>([^<]*)</a>', body)]


def test_search_is_case_insensitive_over_title_and_description(app, client, user):
    add_tasks(app, user, [
        {"title": "Buy MILK"}, {"title": "Call Bob", "description": "about the milkman"}, {"title": "Walk"},
    ])
    assert titles(client.get("/tasks?q=milk")) == ["Call Bob", "Buy MILK"]
    assert titles(client.get("/tasks?q=nothing-like-it")) == []
    assert "No tasks match" in client.get("/tasks?q=nothing-like-it").get_data(as_text=True)


def test_search_treats_wildcards_literally(app, client, user):
    add_tasks(app, user, [{"title": "100% done"}, {"title": "1000 things"}, {"title": "snake_case"}, {"title": "snakeXcase"}])
    assert titles(client.get("/tasks?q=100%25")) == ["100% done"]
    assert titles(client.get("/tasks?q=snake_")) == ["snake_case"]


def test_search_combines_with_filter_and_keeps_view_in_forms(app, client, user):
    add_tasks(app, user, [{"title": "milk A", "completed": True}, {"title": "milk B"}, {"title": "bread"}])
    response = client.get("/tasks?filter=active&q=milk&sort=oldest")
    assert titles(response) == ["milk B"]
    body = response.get_data(as_text=True)
    assert '<input type="hidden" name="q" value="milk">' in body
    assert 'href="/tasks?filter=completed&amp;sort=oldest&amp;q=milk"' in body


def test_search_over_htmx_swaps_the_list_section(app, client, user):
    add_tasks(app, user, [{"title": "alpha"}, {"title": "beta"}])
    response = client.get("/tasks?q=alp", headers={**HTMX, "HX-Target": "task-section"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert 'id="task-section"' in body and "alpha" in body and "beta" not in body
    # The add form's view follows out of band; the form itself (and what is
    # being typed in it, and the search field's focus) is left alone.
    assert 'id="new-task"' not in body and 'id="search"' not in body
    assert re.search(r'<div id="new-task-view" hidden hx-swap-oob="true"><input type="hidden" name="q" value="alp" form="new-task">', body)
    assert " autofocus" not in body
    assert "HX-Request" in response.headers["Vary"]


def test_post_with_view_fields_redirects_to_the_same_view(app, client, user):
    response = client.post("/tasks", data={"title": "x", "q": "x", "sort": "due", "filter": "active"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/tasks?filter=active&sort=due&q=x"


@pytest.mark.parametrize("sort, expected", [
    ("newest", ["d", "c", "b", "a"]),
    ("oldest", ["a", "b", "c", "d"]),
    ("due", ["c", "a", "d", "b"]),
    ("priority", ["d", "b", "c", "a"]),  # ties: newest first
])
def test_sort_orders(app, client, user, sort, expected):
    add_tasks(app, user, [
        {"title": "a", "due_date": date(2030, 5, 1), "priority": 0},
        {"title": "b", "priority": 3},
        {"title": "c", "due_date": date(2030, 1, 1), "priority": 1},
        {"title": "d", "due_date": date(2030, 9, 1), "priority": 3},
    ])
    assert titles(client.get(f"/tasks?sort={sort}")) == expected


@pytest.mark.parametrize("sort", ["newest", "oldest", "due", "priority"])
def test_every_sort_pages_by_keyset_without_gaps_or_repeats(app, client, user, sort):
    specs = [{"title": f"task {n:03}", "priority": n % 4, "due_date": date(2030, 1, 1 + n % 28) if n % 3 else None}
             for n in range(PAGE_SIZE * 2 + 7)]
    add_tasks(app, user, specs)
    seen, url = [], f"/tasks?sort={sort}"
    for _ in range(5):
        response = client.get(url)
        seen += titles(response)
        body = response.get_data(as_text=True)
        if "after=" not in body:
            break
        url = "/tasks?" + body.split('hx-get="/tasks?')[1].split('"')[0].replace("&amp;", "&")
    python_order = {
        "newest": lambda n: -n,
        "oldest": lambda n: n,
        "due": lambda n: (specs[n].get("due_date") or date.max, -n),
        "priority": lambda n: (-specs[n]["priority"], -n),
    }[sort]
    expected = [specs[n]["title"] for n in sorted(range(len(specs)), key=python_order)]
    assert seen == expected


def test_statement_count_is_constant_with_search_and_sort(app, client, user):
    add_tasks(app, user, [{"title": f"milk {n}"} for n in range(5)])
    with count_statements(app) as few:
        client.get("/tasks?q=milk&sort=priority")
    add_tasks(app, user, [{"title": f"milk {n}"} for n in range(300)])
    with count_statements(app) as many:
        client.get("/tasks?q=milk&sort=priority")
    assert len(few) == len(many) <= 3


@pytest.mark.parametrize("query", ["sort=sideways", "filter=weird", "q=" + "x" * 5000, "q=%00%01", "after=!!!", "sort=due&after=WyJ4Il0"])
def test_malformed_view_parameters_never_fail(client, user, query):
    response = client.get(f"/tasks?{query}")
    assert response.status_code == 200


def test_decode_cursor_rejects_foreign_cursors():
    assert decode_cursor("garbage") is None
    assert decode_cursor("WyJ4Il0", "due") is None  # ["x"]: wrong length and type
    assert decode_cursor(None) is None
