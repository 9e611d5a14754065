"""No Python ``None`` is ever printed into an HTML attribute.

WTForms and Jinja both turn a None into the text "None", so a forgotten
"only if it applies" check shows up as aria-invalid="None" (which screen
readers may read as "invalid") or autofocus="None" (which *is* autofocus).
Every page is fetched logged out and in, with and without form errors.
"""

import io
import re
import uuid

import pytest
import sqlalchemy as sa

from conftest import HTMX, PASSWORD, AuthActions
from webapp.extensions import db
from webapp.models import Task

NONE_IN_ATTRIBUTE = re.compile(r"""=\s*["']?None\b""")


def assert_no_none(response, what):
    assert response.mimetype == "text/html", what
    body = response.get_data(as_text=True)
    found = [body[max(0, m.start() - 60):m.end() + 10] for m in NONE_IN_ATTRIBUTE.finditer(body)]
    assert not found, f"{what} ({response.status_code}) prints None into an attribute: {found}"


def test_the_check_itself_catches_a_none():
    class Fake:
        mimetype = "text/html"
        status_code = 200

        def __init__(self, body):
            self.body = body

        def get_data(self, as_text):
            return self.body

    for bad in ('<input aria-invalid="None">', "<input autofocus=None>", "<a title='None'>"):
        with pytest.raises(AssertionError):
            assert_no_none(Fake(bad), bad)
    assert_no_none(Fake("<p>None of your tasks are due.</p>"), "prose")


LOGGED_OUT_GETS = ["/", "/auth/login", "/auth/register", "/no-such-page", "/auth/login?next=/account"]


@pytest.mark.parametrize("path", LOGGED_OUT_GETS)
def test_logged_out_pages(client, path):
    response = client.get(path)
    assert response.status_code in (200, 404)
    assert_no_none(response, path)


@pytest.mark.parametrize(
    "path, data, status",
    [
        ("/auth/login", {"email": "ada@example.com", "password": "not the password"}, 422),
        ("/auth/login", {"email": "", "password": ""}, 422),
        ("/auth/login", {"email": "not an address", "password": "x", "remember": "y"}, 422),
        ("/auth/register", {"email": "ada@example.com", "password": "short", "password_confirm": "short"}, 422),
        ("/auth/register", {"email": "nope", "password": PASSWORD, "password_confirm": PASSWORD + "!"}, 422),
        ("/auth/register", {"email": "", "password": "", "password_confirm": ""}, 422),
    ],
    ids=["wrong-password", "empty-login", "bad-email-login", "short-password", "bad-email-mismatch", "empty-signup"],
)
def test_logged_out_forms_with_errors(client, path, data, status):
    AuthActions(client).register()  # so that a wrong password is about a real account
    AuthActions(client).logout()
    response = client.post(path, data=data)
    assert response.status_code == status, response.get_data(as_text=True)[-2000:]
    assert_no_none(response, path)


def test_error_pages(client, user):
    checks = [
        (client.get("/no-such-page"), 404),
        (client.get(f"/tasks/{uuid.uuid4()}"), 404),
        (client.get("/auth/logout"), 405),
        (client.post("/tasks", data={"title": "x"}, csrf=False), 400),
    ]
    for response, status in checks:
        assert response.status_code == status
        assert_no_none(response, f"error page {status}")


@pytest.fixture
def task_id(app, client, user):
    assert client.post("/tasks", data={"title": "Water the plants", "due_date": "2031-05-01"}).status_code == 303
    with app.app_context():
        return db.session.scalar(sa.select(Task.id))


@pytest.mark.parametrize(
    "path",
    ["/tasks", "/tasks?filter=active", "/tasks?filter=completed&sort=manual", "/tasks?q=plants&sort=due",
     "/tasks?q=nothing-matches", "/account", "/"],
)
def test_logged_in_pages(client, task_id, path):
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200
    assert_no_none(response, path)
    fragment = client.get(path, headers={**HTMX, "HX-Target": "task-section"}, follow_redirects=True)
    assert_no_none(fragment, f"{path} as a fragment")


def test_task_page(client, task_id):
    response = client.get(f"/tasks/{task_id}")
    assert response.status_code == 200
    assert_no_none(response, "task page")


@pytest.mark.parametrize(
    "path, data",
    [
        ("/account/password", {"current_password": "wrong", "new_password": "a new passphrase",
                               "new_password_confirm": "a new passphrase"}),
        ("/account/password", {"current_password": PASSWORD, "new_password": "short", "new_password_confirm": "other"}),
        ("/account/password", {}),
        ("/account/timezone", {"timezone": "Mars/Olympus_Mons"}),
        ("/account/delete", {"password": "not it"}),
        ("/tasks", {"title": "   "}),
        ("/tasks", {"title": "ok", "due_date": "2030-02-31", "priority": "urgent"}),
    ],
    ids=["wrong-current", "short-new", "empty-password-form", "timezone", "delete", "empty-title", "bad-date"],
)
def test_logged_in_forms_with_errors(client, task_id, path, data):
    response = client.post(path, data=data)
    assert response.status_code == 422, response.get_data(as_text=True)[-2000:]
    assert_no_none(response, path)
    fragment = client.post(path, data=data, headers=HTMX)
    assert_no_none(fragment, f"{path} by htmx")


def test_task_edit_with_errors(client, task_id):
    for headers in ({}, HTMX):
        response = client.post(f"/tasks/{task_id}", data={"title": "", "view": "detail"}, headers=headers)
        assert response.status_code == 422
        assert_no_none(response, "task page with errors")
        row = client.post(f"/tasks/{task_id}", data={"title": "", "due_date": "someday"}, headers=headers)
        assert row.status_code == 422
        assert_no_none(row, "task row with errors")


def test_failed_import(client, user):
    data = {"file": (io.BytesIO(b"\xff\xfe"), "tasks.txt")}
    response = client.post("/account/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert_no_none(response, "failed import")
