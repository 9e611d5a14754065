"""The task list with HTMX: fragments, out-of-band swaps, Vary, and "Load more"."""

import html
import re
import uuid
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from conftest import HTMX
from webapp.extensions import db
from webapp.models import Task

BASE = datetime(2024, 1, 1, tzinfo=timezone.utc)
ROW_ID = re.compile(r'id="task-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"')


class Tags(HTMLParser):
    """Every start tag with an id: {id: (tag, attributes)}; and the text of #todo-count."""

    def __init__(self, markup: str):
        super().__init__()
        self.by_id, self._in_count, self.count = {}, False, None
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            assert attributes["id"] not in self.by_id, f"duplicate id {attributes['id']}"
            self.by_id[attributes["id"]] = (tag, attributes)
        self._in_count = attributes.get("id") == "todo-count"

    def handle_data(self, data):
        if self._in_count:
            self.count, self._in_count = int(data), False


def add_tasks(app, user, count=1, completed=False, title="Task {}") -> list[uuid.UUID]:
    """``count`` tasks, each newer than the one before (and than any made earlier)."""
    with app.app_context():
        start = db.session.scalar(sa.select(sa.func.count(Task.id)))
        tasks = [Task(user_id=user.id, title=title.format(start + n), completed=completed,
                      created_at=BASE + timedelta(seconds=start + n)) for n in range(count)]
        db.session.add_all(tasks)
        db.session.commit()
        return [task.id for task in tasks]


def get_task(app, task_id):
    with app.app_context():
        return db.session.get(Task, task_id)


def db_tasks(app) -> list[Task]:
    """Every task in list order: newest first."""
    with app.app_context():
        return list(db.session.scalars(sa.select(Task).order_by(Task.created_at.desc(), Task.id.desc())))


def row_ids(markup: str) -> list[uuid.UUID]:
    return [uuid.UUID(found) for found in ROW_ID.findall(markup)]


def assert_oob(tags: Tags, element_id: str, tag: str):
    assert tags.by_id.get(element_id, (None, {}))[0] == tag, f"no <{tag} id={element_id}>"
    assert tags.by_id[element_id][1].get("hx-swap-oob") == "true"


def test_create_returns_the_row_and_oob_swaps(app, client, user):
    response = client.post("/tasks", data={"title": " Buy   milk "}, headers=HTMX)

    assert response.status_code == 200
    body, tags = response.get_data(as_text=True), Tags(response.get_data(as_text=True))
    [task_id] = [task.id for task in db_tasks(app)]
    assert "<html" not in body and ">Buy milk<" in body
    assert row_ids(body) == [task_id]
    assert_oob(tags, "task-footer", "footer")
    assert_oob(tags, "toggle-all", "button")
    # The add form is not sent back: the person may already be typing the next task.
    assert "new-task" not in tags.by_id
    assert tags.count == 1


def test_create_under_completed_filter_sends_no_row_but_the_counter(app, client, user):
    response = client.post("/tasks", data={"title": "Hidden", "filter": "completed"}, headers=HTMX)

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert row_ids(body) == [] and Tags(body).count == 1
    assert_oob(Tags(body), "task-footer", "footer")
    assert [task.title for task in db_tasks(app)] == ["Hidden"]


def test_create_with_empty_title_sends_the_form_back_out_of_band(app, client, user):
    response = client.post("/tasks", data={"title": "   "}, headers=HTMX)

    assert response.status_code == 422
    assert "HX-Retarget" not in response.headers  # the markup says where it goes, not Python
    body = response.get_data(as_text=True)
    assert "<html" not in body and "Enter a title" in body
    assert_oob(Tags(body), "new-task", "form")
    assert row_ids(body) == []
    assert db_tasks(app) == []


@pytest.mark.parametrize("list_filter, row_shown", [("all", True), ("active", False)])
def test_toggle_returns_the_row_and_the_footer(app, client, user, list_filter, row_shown):
    task_id, other = add_tasks(app, user, 2)

    response = client.post(f"/tasks/{task_id}/toggle", data={"filter": list_filter}, headers=HTMX)

    assert response.status_code == 200
    body, tags = response.get_data(as_text=True), Tags(response.get_data(as_text=True))
    assert row_ids(body) == ([task_id] if row_shown else [])
    if row_shown:
        assert tags.by_id[f"task-{task_id}"][1]["class"].split() == ["task", "completed"]
        assert 'aria-pressed="true"' in body
    assert_oob(tags, "task-footer", "footer")
    assert tags.count == 1
    assert get_task(app, task_id).completed is True


def test_delete_returns_no_row_but_the_footer(app, client, user):
    task_id, other = add_tasks(app, user, 2)

    response = client.post(f"/tasks/{task_id}/delete", headers=HTMX)

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert row_ids(body) == [] and Tags(body).count == 1
    assert_oob(Tags(body), "task-footer", "footer")
    assert [task.id for task in db_tasks(app)] == [other]


def test_the_row_editor_is_fetched_on_demand(app, client, user):
    [task_id] = add_tasks(app, user, title="Keep")

    page = client.get("/tasks").get_data(as_text=True)
    editor = client.get(f"/tasks/{task_id}?edit=1", headers=HTMX)
    row = client.get(f"/tasks/{task_id}", headers=HTMX).get_data(as_text=True)

    assert "edit-form" not in page and "<select" not in page.split('id="task-list"')[1]
    assert editor.status_code == 200
    body = editor.get_data(as_text=True)
    assert "<html" not in body and row_ids(body) == [task_id]
    assert "editing" in Tags(body).by_id[f"task-{task_id}"][1]["class"].split()
    assert 'name="title"' in body and 'value="Keep"' in body
    assert row_ids(row) == [task_id] and "edit-form" not in row and ">Keep<" in row


@pytest.mark.parametrize("title, status, saved", [("New", 200, "New"), ("  ", 422, "Keep")])
def test_update_returns_the_row(app, client, user, title, status, saved):
    [task_id] = add_tasks(app, user, title="Keep")

    response = client.post(f"/tasks/{task_id}", data={"title": title}, headers=HTMX)

    assert response.status_code == status
    body = response.get_data(as_text=True)
    assert row_ids(body) == [task_id] and "<html" not in body
    assert f">{saved}<" in body or f"keep “{saved}”" in body  # the row, or the editor naming the kept title
    editing = "editing" in Tags(body).by_id[f"task-{task_id}"][1]["class"].split()
    assert editing == ("Enter a title" in body) == (status == 422)
    assert get_task(app, task_id).title == saved


@pytest.mark.parametrize("action", ["toggle-all", "clear-completed"])
def test_bulk_actions_return_the_task_section(app, client, user, action):
    add_tasks(app, user, 2, completed=True)
    active = add_tasks(app, user, 1)

    response = client.post(f"/tasks/{action}", data={"filter": "all"}, headers=HTMX)

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert Tags(body).by_id["task-section"][0] == "div"
    remaining = db_tasks(app)
    if action == "toggle-all":
        assert all(task.completed for task in remaining) and len(remaining) == 3
    else:
        assert [task.id for task in remaining] == active
    assert set(row_ids(body)) == {task.id for task in remaining}


@pytest.mark.parametrize("method, path, data", [
    ("get", "/tasks", None), ("post", "/tasks", {"title": "x"}), ("post", "/tasks", {"title": ""}),
    ("post", "/tasks/{id}", {"title": "y"}), ("post", "/tasks/{id}", {"title": ""}),
    ("post", "/tasks/{id}/toggle", {}), ("post", "/tasks/{id}/delete", {}),
    ("post", "/tasks/toggle-all", {}), ("post", "/tasks/clear-completed", {}),
])
@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_responses_vary_on_hx_request(app, client, user, method, path, data, headers):
    [task_id] = add_tasks(app, user)
    kwargs = {"data": dict(data)} if data is not None else {}  # the client adds a token

    response = getattr(client, method)(path.format(id=task_id), headers=headers, **kwargs)

    assert response.status_code in (200, 303, 422)
    assert "HX-Request" in response.vary


@pytest.mark.parametrize("extra", [{"HX-Boosted": "true"}, {"HX-History-Restore-Request": "true"}])
@pytest.mark.parametrize("page", ["first", "load more"])
def test_boosted_and_history_restore_get_the_full_page(app, client, user, extra, page):
    add_tasks(app, user, 60)
    url = "/tasks?filter=active"
    if page == "load more":
        url = load_more_href(client.get(url).get_data(as_text=True))

    response = client.get(url, headers={**HTMX, **extra})

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" in body and len(row_ids(body)) == (50 if page == "first" else 10)
    assert "HX-Request" in response.vary


def test_boosted_form_post_redirects_like_a_plain_one(app, client, user):
    response = client.post("/tasks", data={"title": "x"}, headers={**HTMX, "HX-Boosted": "true"})

    assert response.status_code == 303
    assert response.headers["Location"] == "/tasks"


def load_more_href(markup: str) -> str | None:
    tag = Tags(markup).by_id.get("load-more")
    assert tag is not None, "no #load-more element"
    found = re.search(r'<a [^>]*href="([^"]*after=[^"]*)"[^>]*>Load more</a>', markup)
    return html.unescape(found.group(1)) if found else None


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_load_more_pages_through_every_task_once(app, client, user, htmx):
    add_tasks(app, user, 120)
    expected = [task.id for task in db_tasks(app)]

    first = client.get("/tasks").get_data(as_text=True)
    assert row_ids(first) == expected[:50]
    second_url = load_more_href(first)
    assert second_url and second_url.startswith("/tasks?after=")

    second = client.get(second_url, headers=HTMX if htmx else {})
    assert second.status_code == 200
    body = second.get_data(as_text=True)
    assert ("<html" in body) is not htmx
    assert row_ids(body) == expected[50:100]
    if htmx:
        assert_oob(Tags(body), "load-more", "div")
    third_url = load_more_href(body)
    assert third_url

    third = client.get(third_url, headers=HTMX if htmx else {}).get_data(as_text=True)
    assert row_ids(third) == expected[100:]
    assert load_more_href(third) is None and "Load more" not in third


def test_load_more_keeps_the_filter(app, client, user):
    done = add_tasks(app, user, 60, completed=True)
    add_tasks(app, user, 60)

    first = client.get("/tasks?filter=completed").get_data(as_text=True)
    next_url = load_more_href(first)
    assert "filter=completed" in next_url

    second = client.get(next_url, headers=HTMX).get_data(as_text=True)
    assert row_ids(first) + row_ids(second) == list(reversed(done))
    assert load_more_href(second) is None
