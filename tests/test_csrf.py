"""Every state-changing route refuses a POST without a CSRF token (400, a
friendly page, nothing changed) and accepts the token as an X-CSRFToken header."""

import uuid

import pytest
import sqlalchemy as sa

from conftest import PASSWORD, AuthActions
from webapp.extensions import db

CSRF_MESSAGE = "Your form had expired or came from another site"
NEW_PASSWORD = "a brand new passphrase"

# (path, form data that would succeed, whether the browser is logged in)
ROUTES = {
    "register": ("/auth/register", {"email": "new@example.com", "password": PASSWORD, "password_confirm": PASSWORD}, False),
    "login": ("/auth/login", {"email": "ada@example.com", "password": PASSWORD}, False),
    "logout": ("/auth/logout", {}, True),
    "password": (
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD},
        True,
    ),
    "delete-account": ("/account/delete", {"password": PASSWORD}, True),
    "timezone": ("/account/timezone", {"timezone": "Europe/Berlin"}, True),
    "create-task": ("/tasks", {"title": "a new task"}, True),
    "update-task": ("/tasks/{id}", {"title": "renamed"}, True),
    "toggle-task": ("/tasks/{id}/toggle", {}, True),
    "delete-task": ("/tasks/{id}/delete", {}, True),
    "toggle-all": ("/tasks/toggle-all", {}, True),
    "clear-completed": ("/tasks/clear-completed", {}, True),
}


def snapshot(app) -> tuple[list, ...]:
    """Every row of the tables a request can change, to prove a refused request changed nothing."""
    with app.app_context():
        tables = [
            db.session.execute(sa.text(f"SELECT * FROM {table} ORDER BY id")).all()
            for table in ("users", "tasks", "sign_ins")
        ]
        db.session.remove()
    return tuple([tuple(row) for row in rows] for rows in tables)


@pytest.fixture
def task_id(app, client, user):
    """ada has one open and one completed task; returns the completed one's id."""
    for title in ("open task", "done task"):
        assert client.post("/tasks", data={"title": title}).status_code == 303
    with app.app_context():
        done = db.session.scalar(sa.text("SELECT id FROM tasks WHERE title = 'done task'"))
    done = str(uuid.UUID(str(done)))  # SQLite hands back bare hex
    assert client.post(f"/tasks/{done}/toggle").status_code == 303
    return done


def browser_for(app, client, logged_in: bool):
    """ada's browser when the route needs a login, else a fresh anonymous one."""
    if logged_in:
        return client
    anonymous = app.test_client()
    anonymous.csrf_token()  # a visit first, so the session holds a CSRF secret
    return anonymous


def is_logged_in(browser) -> bool:
    return browser.get("/tasks").status_code == 200


@pytest.mark.parametrize("route", ROUTES, ids=list(ROUTES))
def test_post_without_token_is_refused(app, client, task_id, route):
    path, data, logged_in = ROUTES[route]
    browser = browser_for(app, client, logged_in)
    before = snapshot(app)

    response = browser.post(path.format(id=task_id), data=dict(data), csrf=False)

    assert response.status_code == 400
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert CSRF_MESSAGE in page
    assert 'class="site-header"' in page and "Traceback" not in page
    assert snapshot(app) == before
    assert is_logged_in(browser) == logged_in


@pytest.mark.parametrize("route", ROUTES, ids=list(ROUTES))
def test_post_with_wrong_token_is_refused(app, client, task_id, route):
    path, data, logged_in = ROUTES[route]
    browser = browser_for(app, client, logged_in)
    before = snapshot(app)
    response = browser.post(path.format(id=task_id), data={**data, "csrf_token": "forged"}, csrf=False)
    assert response.status_code == 400
    assert snapshot(app) == before


@pytest.mark.parametrize("route", ROUTES, ids=list(ROUTES))
def test_token_in_header_is_accepted(app, client, task_id, route):
    path, data, logged_in = ROUTES[route]
    browser = browser_for(app, client, logged_in)
    token = browser.csrf_token()
    before = snapshot(app)

    response = browser.post(path.format(id=task_id), data=dict(data), headers={"X-CSRFToken": token}, csrf=False)

    assert response.status_code == 303, response.get_data(as_text=True)
    assert snapshot(app) != before or route == "login"
    if route == "login":
        assert is_logged_in(browser)


def test_token_from_one_session_is_refused_in_another(app, client, task_id):
    other = app.test_client()
    assert AuthActions(other).register(email="bob@example.com").status_code == 303
    before = snapshot(app)
    stolen = other.csrf_token()
    response = client.post("/tasks", data={"title": "forged", "csrf_token": stolen}, csrf=False)
    assert response.status_code == 400
    assert snapshot(app) == before


def test_every_form_on_the_pages_carries_the_token(client, task_id):
    for path in ("/tasks", f"/tasks/{task_id}", "/account"):
        page = client.get(path).get_data(as_text=True)
        forms = page.count('method="post"')
        assert forms > 0
        assert page.count('name="csrf_token"') >= forms, path
