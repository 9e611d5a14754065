"""The list page cache: a page comes from the cache only while nothing it
shows can have changed, carries this session's CSRF token, and never
crosses from one person to another."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from conftest import CSRF_META, HTMX, AuthActions, count_statements
from webapp.extensions import db
from webapp.models import Task, User
from webapp.tasks.pagecache import PLACEHOLDER, PageCache, cache_for


@pytest.fixture
def cache(app):
    found = cache_for(app)
    assert found is not None, "PAGE_CACHE_MB is on by default"
    found.clear()
    return found


def page(client, path="/tasks") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def token_of(html: str) -> str:
    return CSRF_META.search(html).group(1)


def test_a_second_visit_is_served_from_the_cache_and_looks_the_same(app, client, user, cache):
    client.post("/tasks", data={"title": "milk"})
    first = page(client)
    hits = cache.hits
    second = page(client)
    assert cache.hits == hits + 1
    assert second == first
    assert PLACEHOLDER not in second and "milk" in second


@pytest.mark.parametrize("change", ["add", "toggle", "rename", "delete", "raw sql", "new list"])
def test_any_change_shows_at_once(app, client, user, cache, change):
    client.post("/tasks", data={"title": "milk"})
    page(client)
    with app.app_context():
        task_id = db.session.scalar(sa.select(Task.id))
    if change == "add":
        client.post("/tasks", data={"title": "bread"})
        expected = "bread"
    elif change == "toggle":
        client.post(f"/tasks/{task_id}/toggle", data={"completed": "true"})
        expected = 'class="task completed'
    elif change == "rename":
        client.post(f"/tasks/{task_id}", data={"title": "oat milk"})
        expected = "oat milk"
    elif change == "delete":
        client.post(f"/tasks/{task_id}/delete")
        expected = None
    elif change == "new list":
        client.post("/lists", data={"name": "Errands"})
        expected = "Errands"
    else:
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(sa.update(Task).values(title="renamed by an operator"))
        expected = "renamed by an operator"
    html = page(client)
    if expected is None:
        assert re.search(r'class="title"[^>]*>milk<', html) is None
    else:
        assert expected in html


def test_a_page_from_the_cache_costs_one_statement(app, client, user, cache):
    client.post("/tasks", data={"title": "milk"})
    with count_statements(app) as rendered:
        page(client)
    with count_statements(app, clear_cache=False) as statements:
        page(client)
    assert len(rendered) >= 2 and len(statements) == 1, statements


def test_each_session_gets_its_own_token(app, client, user, cache):
    first = page(client)
    other = app.test_client()
    assert AuthActions(other).login().status_code == 303
    second = page(other)
    assert token_of(first) != token_of(second)
    # Both tokens work for their own session.
    assert client.post("/tasks", data={"title": "a", "csrf_token": token_of(first)}, csrf=False).status_code == 303
    assert other.post("/tasks", data={"title": "b", "csrf_token": token_of(second)}, csrf=False).status_code == 303
    refused = other.post("/tasks", data={"title": "c", "csrf_token": token_of(first)}, csrf=False)
    assert refused.status_code == 400


def test_one_persons_page_never_reaches_another(app, client, user, cache):
    client.post("/tasks", data={"title": "ada's secret"})
    page(client)
    grace = app.test_client()
    assert AuthActions(grace).register(email="grace@example.com").status_code == 303
    assert "ada's secret" not in page(grace)


def test_flashes_and_undo_offers_are_never_cached(app, client, user, cache):
    client.post("/tasks", data={"title": "milk"})
    with app.app_context():
        task_id = db.session.scalar(sa.select(Task.id))
    client.post(f"/tasks/{task_id}/delete")  # plain form: the next page offers Undo
    hits = cache.hits
    assert "undo-button" in page(client)
    assert "undo-button" not in page(client), "the offer is shown once, never from the cache"
    assert cache.hits == hits
    client.post("/tasks", data={"title": "bread"})
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Hello there")]
    assert "Hello there" in page(client)
    assert "Hello there" not in page(client)


def test_the_time_zone_and_today_are_part_of_the_key(app, client, user, cache):
    """Due badges and Today depend on the person's date: a change of time zone
    (which bumps no data version) renders the page again."""
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    client.post("/tasks", data={"title": "dentist", "due_date": tomorrow})
    page(client)
    page(client)
    misses = cache.misses
    with app.app_context():
        db.session.execute(sa.update(User).values(timezone="Pacific/Kiritimati"))
        db.session.commit()
    page(client)
    assert cache.misses == misses + 1


def test_fragments_and_pages_are_cached_apart(app, client, user, cache):
    for n in range(3):
        client.post("/tasks", data={"title": f"t{n}"})
    full = page(client)
    fragment = client.get("/tasks?q=t", headers=HTMX).get_data(as_text=True)
    assert "<html" in full and "<html" not in fragment
    assert "<html" in page(client)


def test_the_cache_keeps_to_its_size():
    cache = PageCache(max_bytes=1000)
    for n in range(10):
        cache.put(("k", n), "x" * 200)
    assert cache.used <= 1000
    assert cache.get(("k", 0)) is None and cache.get(("k", 9)) == "x" * 200
    cache.put(("big",), "y" * 600)  # more than a quarter: not kept
    assert cache.get(("big",)) is None


def test_it_can_be_turned_off(variant_app, user):
    app = variant_app(PAGE_CACHE_MB=0)
    assert cache_for(app) is None
    client = app.test_client()
    assert AuthActions(client).login().status_code == 303
    assert client.get("/tasks").status_code == 200
