"""Bulk actions and Undo: one transaction, only the person's own tasks, exact restores."""

import re
import uuid
from datetime import date

import pytest
import sqlalchemy as sa

from conftest import HTMX, AuthActions
from webapp.extensions import db
from webapp.models import Task


def add(client, *titles):
    for title in titles:
        client.post("/tasks", data={"title": title})


def rows(app):
    """Every task as a full tuple of its fields, by title."""
    with app.app_context():
        return {
            t.title: (t.id, t.description, t.completed, t.completed_at, t.due_date, t.priority, t.position,
                      t.created_at, t.updated_at, t.user_id)
            for t in db.session.scalars(sa.select(Task))
        }


def ids(app, *titles):
    found = rows(app)
    return [str(found[title][0]) for title in titles]


def undo_batch(body: str) -> str:
    return re.search(r'name="batch" value="([0-9a-f]{32})"', body).group(1)


@pytest.mark.parametrize("action, extra, check", [
    ("complete", {}, lambda r: r[2] is True and r[3] is not None),
    ("reopen", {}, lambda r: r[2] is False and r[3] is None),
    ("priority", {"priority": "high"}, lambda r: r[5] == 3),
    ("due_date", {"due_date": "2032-03-04"}, lambda r: r[4] == date(2032, 3, 4)),
])
def test_bulk_updates_change_exactly_the_selected_tasks(app, client, user, action, extra, check):
    add(client, "a", "b", "c")
    if action == "reopen":
        client.post("/tasks/toggle-all")
    response = client.post("/tasks/bulk", data={"action": action, "ids": ids(app, "a", "c"), **extra})
    assert response.status_code == 303
    after = rows(app)
    assert check(after["a"]) and check(after["c"]) and not check(after["b"])


def test_bulk_over_htmx_returns_the_list_section(app, client, user):
    add(client, "a", "b")
    response = client.post("/tasks/bulk", data={"action": "complete", "ids": ids(app, "a", "b")}, headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="task-section"' in body and 'id="todo-count">0<' in body


@pytest.mark.parametrize("data, message", [
    ({"action": "complete"}, "Select at least one task"),
    ({"action": "explode", "ids": "__A__"}, "Choose what to do"),
    ({"action": "complete", "ids": "not-a-uuid"}, "not valid"),
    ({"action": "priority", "ids": "__A__", "priority": "urgent"}, "Choose a priority"),
    ({"action": "due_date", "ids": "__A__", "due_date": "2030-13-01"}, "real date"),
])
def test_bad_bulk_requests_say_why_and_change_nothing(app, client, user, data, message):
    add(client, "a")
    before = rows(app)
    data = {k: (ids(app, "a") if v == "__A__" else v) for k, v in data.items()}
    response = client.post("/tasks/bulk", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    htmx = client.post("/tasks/bulk", data=data, headers=HTMX)
    assert htmx.status_code == 422 and htmx.headers["HX-Retarget"] == "#bulk"
    assert rows(app) == before


def test_a_selection_naming_another_users_task_changes_nothing(app, client, user):
    add(client, "mine")
    mine = ids(app, "mine")
    AuthActions(client).logout()
    AuthActions(client).register(email="eve@example.com")
    add(client, "hers")
    before = rows(app)
    for action in ("complete", "delete", "priority"):
        response = client.post("/tasks/bulk", data={"action": action, "ids": mine + ids(app, "hers"), "priority": "low"})
        assert response.status_code == 404
    assert client.post("/tasks/bulk", data={"action": "delete", "ids": [str(uuid.uuid4())]}).status_code == 404
    assert rows(app) == before


@pytest.mark.parametrize("how", ["single", "bulk", "clear"])
def test_undo_restores_deleted_tasks_exactly(app, client, user, how):
    add(client, "a", "b", "c")
    with app.app_context():
        for task in db.session.scalars(sa.select(Task)):
            task.description, task.priority, task.due_date = f"about {task.title}", 2, date(2031, 1, 2)
        db.session.commit()
    client.post("/tasks/toggle-all")
    before = rows(app)
    if how == "single":
        response = client.post(f"/tasks/{ids(app, 'b')[0]}/delete", headers=HTMX)
    elif how == "bulk":
        response = client.post("/tasks/bulk", data={"action": "delete", "ids": ids(app, "a", "b", "c")}, headers=HTMX)
    else:
        response = client.post("/tasks/clear-completed", headers=HTMX)
    body = response.get_data(as_text=True)
    assert "Undo" in body and 'id="undo"' in body
    assert len(rows(app)) < 3
    restored = client.post("/tasks/undo", data={"batch": undo_batch(body)}, headers=HTMX)
    assert restored.status_code == 200
    assert rows(app) == before
    again = client.post("/tasks/undo", data={"batch": undo_batch(body)})
    assert again.status_code == 404 and rows(app) == before


def test_plain_delete_offers_undo_on_the_next_page_and_undo_redirects(app, client, user):
    add(client, "a")
    response = client.post(f"/tasks/{ids(app, 'a')[0]}/delete", data={"filter": "active"})
    assert response.status_code == 303 and response.headers["Location"] == "/tasks?filter=active"
    page = client.get("/tasks?filter=active").get_data(as_text=True)
    assert "Deleted “a”." in page
    undone = client.post("/tasks/undo", data={"batch": undo_batch(page), "filter": "active"})
    assert undone.status_code == 303 and undone.headers["Location"] == "/tasks?filter=active"
    assert "a" in rows(app)
    assert "Undo</button>" not in client.get("/tasks").get_data(as_text=True)


def test_nobody_can_undo_someone_elses_delete(app, client, user):
    add(client, "secret")
    body = client.post(f"/tasks/{ids(app, 'secret')[0]}/delete", headers=HTMX).get_data(as_text=True)
    batch = undo_batch(body)
    AuthActions(client).logout()
    AuthActions(client).register(email="eve@example.com")
    assert client.post("/tasks/undo", data={"batch": batch}).status_code == 404
    assert rows(app) == {}
    for forged in ("nonsense", str(uuid.uuid4())):
        assert client.post("/tasks/undo", data={"batch": forged}).status_code == 404
