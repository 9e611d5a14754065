"""The task list with JavaScript off: plain form posts, 303s back (PRG), 422s."""

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Task

BASE = datetime(2024, 1, 1, tzinfo=timezone.utc)
ROW_ID = re.compile(r'id="task-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"')


def add_task(app, user, title, completed=False, description=None, age=0) -> uuid.UUID:
    with app.app_context():
        task = Task(user_id=user.id, title=title, completed=completed, description=description,
                    created_at=BASE - timedelta(minutes=age))
        db.session.add(task)
        db.session.commit()
        return task.id


def get_task(app, task_id):
    with app.app_context():
        return db.session.get(Task, task_id)


def all_tasks(app):
    with app.app_context():
        return list(db.session.scalars(sa.select(Task).order_by(Task.title)))


def row_ids(html: str) -> set[uuid.UUID]:
    return {uuid.UUID(found) for found in ROW_ID.findall(html)}


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize("extra, location", [({}, "/tasks"), ({"filter": "active"}, "/tasks?filter=active")])
def test_create_redirects_and_the_list_shows_the_row(app, client, user, extra, location):
    response = client.post("/tasks", data={"title": "  Buy \t milk \n now  ", **extra})

    assert response.status_code == 303
    assert response.headers["Location"] == location
    [task] = all_tasks(app)
    assert task.title == "Buy milk now"
    assert task.user_id == user.id and task.completed is False
    page = client.get(location).get_data(as_text=True)
    assert row_ids(page) == {task.id}
    assert ">Buy milk now<" in page


@pytest.mark.parametrize("title", ["", "   ", "\t\n "])
def test_create_with_empty_title_is_refused_next_to_the_field(app, client, user, title):
    response = client.post("/tasks", data={"title": title})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'aria-describedby="new-title-error"' in page
    assert re.search(r'<p id="new-title-error" class="field-error">Enter a title', page)
    assert all_tasks(app) == []


def test_create_with_too_long_title_is_refused_and_kept(app, client, user):
    response = client.post("/tasks", data={"title": "x" * 256})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "at most 255 characters" in page
    assert 'value="' + "x" * 256 + '"' in page  # the input is given back
    assert all_tasks(app) == []
    assert client.post("/tasks", data={"title": "y" * 255}).status_code == 303
    assert [task.title for task in all_tasks(app)] == ["y" * 255]


def test_update_changes_title_and_description(app, client, user):
    task_id = add_task(app, user, "Old title")

    response = client.post(f"/tasks/{task_id}", data={"title": " New   title ", "description": " Some notes "})

    assert response.status_code == 303
    assert response.headers["Location"] == "/tasks"
    task = get_task(app, task_id)
    assert (task.title, task.description) == ("New title", "Some notes")
    response = client.post(f"/tasks/{task_id}", data={"description": "Only notes"})
    assert response.status_code == 303
    task = get_task(app, task_id)
    assert (task.title, task.description) == ("New title", "Only notes")


def test_update_with_blank_title_keeps_the_task(app, client, user):
    task_id = add_task(app, user, "Keep me", description="notes")

    response = client.post(f"/tasks/{task_id}", data={"title": "   ", "description": "changed"})

    assert response.status_code == 422
    page = response.get_data(as_text=True)  # the task page, with the error by the field
    assert "<html" in page and re.search(r'<p class="field-error" id="title-error">Enter a title', page)
    task = get_task(app, task_id)
    assert (task.title, task.description) == ("Keep me", "notes")


@pytest.mark.parametrize("list_filter, location", [
    ("all", "/tasks"), ("active", "/tasks?filter=active"), ("completed", "/tasks?filter=completed"),
])
def test_toggle_flips_and_returns_to_the_same_filter(app, client, user, list_filter, location):
    task_id = add_task(app, user, "Flip me")

    response = client.post(f"/tasks/{task_id}/toggle", data={"filter": list_filter})
    assert response.status_code == 303
    assert response.headers["Location"] == location
    assert get_task(app, task_id).completed is True

    client.post(f"/tasks/{task_id}/toggle", data={"filter": list_filter})
    assert get_task(app, task_id).completed is False


def test_delete_removes_the_task(app, client, user):
    doomed, kept = add_task(app, user, "Doomed"), add_task(app, user, "Kept")

    response = client.post(f"/tasks/{doomed}/delete")

    assert response.status_code == 303
    assert response.headers["Location"] == "/tasks"
    assert [task.id for task in all_tasks(app)] == [kept]
    assert row_ids(client.get("/tasks").get_data(as_text=True)) == {kept}


def test_toggle_all_completes_all_then_reopens_all(app, client, user):
    add_task(app, user, "a"), add_task(app, user, "b", completed=True), add_task(app, user, "c")

    assert client.post("/tasks/toggle-all").status_code == 303
    assert [task.completed for task in all_tasks(app)] == [True, True, True]

    assert client.post("/tasks/toggle-all").status_code == 303
    assert [task.completed for task in all_tasks(app)] == [False, False, False]


def test_clear_completed_deletes_only_completed(app, client, user):
    add_task(app, user, "a", completed=True), add_task(app, user, "b"), add_task(app, user, "c", completed=True)

    response = client.post("/tasks/clear-completed", data={"filter": "completed"})

    assert response.status_code == 303
    assert response.headers["Location"] == "/tasks?filter=completed"
    assert [(task.title, task.completed) for task in all_tasks(app)] == [("b", False)]


@pytest.mark.parametrize("query, shown", [
    ("", {"open", "done"}), ("?filter=all", {"open", "done"}), ("?filter=active", {"open"}),
    ("?filter=completed", {"done"}), ("?filter=bogus", {"open", "done"}),
])
def test_filters_show_the_right_rows(app, client, user, query, shown):
    ids = {"open": add_task(app, user, "open"), "done": add_task(app, user, "done", completed=True)}

    response = client.get("/tasks" + query)

    assert response.status_code == 200
    assert row_ids(response.get_data(as_text=True)) == {ids[name] for name in shown}


def test_task_page_shows_the_edit_form(app, client, user):
    task_id = add_task(app, user, "Write report", description="Due on Friday")

    response = client.get(f"/tasks/{task_id}")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'action="/tasks/{task_id}"' in page
    assert re.search(r'<input id="title" name="title"[^>]*value="Write report"', page)
    assert re.search(r'<textarea id="description"[^>]*>Due on Friday</textarea>', page)
    assert 'name="view" value="detail"' in page


@pytest.mark.parametrize("completed, expected", [(["false", "true"], True), (["false"], False)])
@pytest.mark.parametrize("start", [False, True])
def test_detail_form_saves_completed(app, client, user, completed, expected, start):
    task_id = add_task(app, user, "Detail", completed=start)
    data = {"view": "detail", "filter": "all", "title": "Detail", "description": "", "completed": completed}

    response = client.post(f"/tasks/{task_id}", data=data)

    assert response.status_code == 303
    assert get_task(app, task_id).completed is expected


def test_detail_form_with_blank_title_rerenders_the_page(app, client, user):
    task_id = add_task(app, user, "Detail")
    data = {"view": "detail", "title": " ", "description": "typed", "completed": ["false", "true"]}

    response = client.post(f"/tasks/{task_id}", data=data)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="title-error"' in page and ">typed</textarea>" in page
    task = get_task(app, task_id)
    assert (task.title, task.description, task.completed) == ("Detail", None, False)


@pytest.mark.parametrize("active, done, text", [
    (0, 0, None), (1, 0, "1 item left"), (2, 1, "2 items left"), (0, 2, "0 items left"),
])
def test_counter_counts_active_tasks(app, client, user, active, done, text):
    for number in range(active):
        add_task(app, user, f"active {number}")
    for number in range(done):
        add_task(app, user, f"done {number}", completed=True)

    page = client.get("/tasks?filter=completed").get_data(as_text=True)

    assert f'<strong id="todo-count">{active}</strong>' in page
    if text:
        assert text in text_of(page)
