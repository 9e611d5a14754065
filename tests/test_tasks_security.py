"""Tasks belong to their owner; titles are text, never markup; bad input is a 4xx."""

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from conftest import HTMX
from webapp.extensions import db
from webapp.models import Task, User

BASE = datetime(2024, 1, 1, tzinfo=timezone.utc)
XSS_TITLES = {
    "<script>alert(1)</script>": ("<script>alert", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    '"><img src=x onerror=alert(1)>': ("<img src=x", "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"),
}


def add_task(app, user_id, title="Task", completed=False, age=0) -> uuid.UUID:
    with app.app_context():
        task = Task(user_id=user_id, title=title, completed=completed, created_at=BASE - timedelta(minutes=age))
        db.session.add(task)
        db.session.commit()
        return task.id


def snapshot(app, user_id=None) -> list[tuple]:
    """Every task (or one user's) as plain values, to compare before and after."""
    with app.app_context():
        query = sa.select(Task).order_by(Task.created_at, Task.id)
        if user_id:
            query = query.where(Task.user_id == user_id)
        return [(t.id, t.title, t.description, t.completed, t.updated_at) for t in db.session.scalars(query)]


@pytest.fixture
def other(app):
    """Another account (not logged in here) that owns one active and one completed task."""
    with app.app_context():
        grace = User(email="grace@example.com")
        grace.set_password("another long password")
        db.session.add(grace)
        db.session.commit()
        grace_id = grace.id
    add_task(app, grace_id, "Grace's active"), add_task(app, grace_id, "Grace's done", completed=True, age=1)
    return grace_id


def graces_task(app, other) -> uuid.UUID:
    return snapshot(app, other)[-1][0]


@pytest.mark.parametrize("method, suffix, data", [
    ("get", "", None), ("post", "", {"title": "Hijacked", "completed": "true"}),
    ("post", "/toggle", {}), ("post", "/delete", {}),
])
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_another_users_task_is_not_found(app, client, user, other, method, suffix, data, headers):
    before = snapshot(app)
    kwargs = {"data": dict(data)} if data is not None else {}  # the client adds a token

    response = getattr(client, method)(f"/tasks/{graces_task(app, other)}{suffix}", headers=headers, **kwargs)

    assert response.status_code == 404
    assert "Grace" not in response.get_data(as_text=True)
    assert snapshot(app) == before


@pytest.mark.parametrize("method, suffix", [("get", ""), ("post", ""), ("post", "/toggle"), ("post", "/delete")])
def test_unknown_or_malformed_task_ids_are_not_found(app, client, user, method, suffix):
    add_task(app, user.id)
    for task_id in (uuid.uuid4(), "not-a-uuid", "1", "' OR 1=1 --", "%00"):
        response = getattr(client, method)(f"/tasks/{task_id}{suffix}")
        assert response.status_code == 404, task_id


def test_bulk_actions_only_touch_the_own_tasks(app, client, user, other):
    add_task(app, user.id, "Mine"), add_task(app, user.id, "Mine done", completed=True)
    graces_before = snapshot(app, other)

    assert client.post("/tasks/toggle-all").status_code == 303
    assert [t[3] for t in snapshot(app, user.id)] == [True, True]
    assert client.post("/tasks/clear-completed", headers=HTMX).status_code == 200
    assert snapshot(app, user.id) == []
    assert client.post("/tasks/toggle-all").status_code == 303

    assert snapshot(app, other) == graces_before
    page = client.get("/tasks").get_data(as_text=True)
    assert "Grace" not in page and '<strong id="todo-count">0</strong>' in page


def test_list_shows_only_the_own_tasks(app, client, user, other):
    mine = add_task(app, user.id, "Mine")

    page = client.get("/tasks?filter=all").get_data(as_text=True)

    assert f'id="task-{mine}"' in page
    assert "Grace" not in page and '<strong id="todo-count">1</strong>' in page


@pytest.mark.parametrize("title", list(XSS_TITLES))
def test_titles_are_escaped_everywhere(app, client, user, title):
    raw, escaped = XSS_TITLES[title]

    fragment = client.post("/tasks", data={"title": title}, headers=HTMX).get_data(as_text=True)
    [(task_id, saved, *_)] = snapshot(app)
    assert saved == title
    pages = {
        "fragment": fragment,
        "list": client.get("/tasks").get_data(as_text=True),
        "task page": client.get(f"/tasks/{task_id}").get_data(as_text=True),
        "edit error": client.post(f"/tasks/{task_id}", data={"title": title + "x" * 255},
                                  headers=HTMX).get_data(as_text=True),
    }
    for name, body in pages.items():
        assert raw not in body, name
        assert escaped in body, name


@pytest.mark.parametrize("field, value", [
    ("title", "bad\x00title"), ("title", "\x00"), ("title", "bell\x07"), ("description", "nul\x00here"),
])
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_control_characters_are_refused(app, client, user, field, value, headers):
    data = {"title": "Fine", field: value}
    response = client.post("/tasks", data=data, headers=headers)
    assert 400 <= response.status_code < 500
    assert snapshot(app) == []

    task_id = add_task(app, user.id, "Untouched")
    before = snapshot(app)
    response = client.post(f"/tasks/{task_id}", data={field: value}, headers=headers)
    assert 400 <= response.status_code < 500
    assert snapshot(app) == before


@pytest.mark.parametrize("data", [
    {"title": "x" * 100_000}, {"title": "ok", "description": "d" * 1001}, {"title": "ok", "completed": "maybe"},
])
def test_malformed_updates_are_refused_and_save_nothing(app, client, user, data):
    task_id = add_task(app, user.id, "Untouched")
    before = snapshot(app)

    response = client.post(f"/tasks/{task_id}", data=dict(data))

    assert response.status_code == 422
    assert snapshot(app) == before


@pytest.mark.parametrize("query", [
    "?after=garbage", "?after=" + "9" * 20 + "-" + "z" * 32, "?after=99999999999999999999-" + "0" * 32,
    "?filter=%00", "?filter=" + "a" * 5000, "?after=%00",
])
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_odd_query_strings_never_break_the_list(app, client, user, query, headers):
    add_task(app, user.id, "Visible")

    response = client.get("/tasks" + query, headers=headers)

    assert response.status_code == 200


def test_posts_without_csrf_token_change_nothing(app, client, user):
    task_id = add_task(app, user.id, "Untouched")
    before = snapshot(app)

    for path in ("/tasks", f"/tasks/{task_id}", f"/tasks/{task_id}/toggle", f"/tasks/{task_id}/delete",
                 "/tasks/toggle-all", "/tasks/clear-completed"):
        assert client.post(path, data={"title": "x"}, csrf=False).status_code == 400, path
    assert snapshot(app) == before


def test_logged_out_requests_go_to_login(app, client):
    response = client.get("/tasks?filter=active")
    assert response.status_code in (302, 303)
    assert re.match(r"^/auth/login\?next=", response.headers["Location"])

    response = client.get("/tasks", headers=HTMX)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/auth/login")
