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
    body = htmx.get_data(as_text=True)
    assert htmx.status_code == 422 and message in body and "HX-Retarget" not in htmx.headers
    assert re.search(r'<form id="list"[^>]*hx-swap-oob="true"', body)  # the form with its error, out of band
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
    # Undo twice (a double click) is harmless: nothing more happens.
    again = client.post("/tasks/undo", data={"batch": undo_batch(body)})
    assert again.status_code == 303 and rows(app) == before


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
    # Her Undo restores nothing of his, and answers as for a spent batch.
    assert client.post("/tasks/undo", data={"batch": batch}).status_code == 303
    assert rows(app) == {}
    assert client.post("/tasks/undo", data={"batch": str(uuid.uuid4())}).status_code == 303
    for forged in ("nonsense", ""):
        assert client.post("/tasks/undo", data={"batch": forged}).status_code == 404
    assert client.post("/tasks/undo", data={"completed_at": "not a time"}).status_code == 404
    assert rows(app) == {}


def completed(app) -> dict[str, bool]:
    return {title: fields[2] for title, fields in rows(app).items()}


@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_complete_all_under_a_search_leaves_hidden_tasks_alone_and_offers_undo(app, client, user, headers):
    add(client, "buy milk", "buy eggs", "call mum")
    client.post(f"/tasks/{ids(app, 'buy eggs')[0]}/toggle")  # already done: Undo must keep it done

    response = client.post("/tasks/toggle-all", data={"q": "buy"}, headers=headers)

    assert completed(app) == {"buy milk": True, "buy eggs": True, "call mum": False}
    page = response.get_data(as_text=True) if headers else client.get("/tasks?q=buy").get_data(as_text=True)
    assert "Completed 1 task." in page and "Undo</button>" in page
    moment = re.search(r'name="completed_at" value="([^"]+)"', page).group(1)
    client.post("/tasks/undo", data={"completed_at": moment, "q": "buy"}, headers=headers)
    assert completed(app) == {"buy milk": False, "buy eggs": True, "call mum": False}


@pytest.mark.parametrize("view, cleared", [
    ({"q": "buy"}, {"buy milk"}),
    ({"filter": "completed", "q": "call"}, {"call mum"}),
    ({"filter": "active"}, set()),  # the view shows no completed task: nothing to clear
    ({}, {"buy milk", "call mum"}),
])
def test_clear_completed_acts_on_exactly_what_the_view_shows(app, client, user, view, cleared):
    add(client, "buy milk", "buy eggs", "call mum")
    for title in ("buy milk", "call mum"):
        client.post(f"/tasks/{ids(app, title)[0]}/toggle")

    response = client.post("/tasks/clear-completed", data=view, headers=HTMX)

    assert response.status_code == 200
    assert set(rows(app)) == {"buy milk", "buy eggs", "call mum"} - cleared
    body = response.get_data(as_text=True)
    assert ("Undo</button>" in body) == bool(cleared)  # no Undo offer for zero tasks


def test_toggle_all_under_the_completed_filter_reopens_what_it_shows(app, client, user):
    add(client, "a", "b", "c")
    client.post(f"/tasks/{ids(app, 'a')[0]}/toggle")

    client.post("/tasks/toggle-all", data={"filter": "completed"})

    assert completed(app) == {"a": False, "b": False, "c": False}


def test_toggle_sets_the_state_it_was_shown_so_repeats_agree(app, client, user):
    add(client, "a")
    task_id = ids(app, "a")[0]
    for _ in range(3):  # a double (or triple) click, or two tabs
        assert client.post(f"/tasks/{task_id}/toggle", data={"completed": "true"}).status_code == 303
    assert completed(app) == {"a": True}
    client.post(f"/tasks/{task_id}/toggle", data={"completed": "false"})
    client.post(f"/tasks/{task_id}/toggle", data={"completed": "false"})
    assert completed(app) == {"a": False}
    client.post(f"/tasks/{task_id}/toggle")  # no state sent: a plain flip
    assert completed(app) == {"a": True}
