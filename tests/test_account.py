"""Account settings: the page, password change, time zone and deletion."""

import pytest
import sqlalchemy as sa

from conftest import PASSWORD, AuthActions
from webapp.extensions import db
from webapp.models import Task, User

NEW_PASSWORD = "a brand new passphrase"


def load_user(app, email="ada@example.com") -> User | None:
    with app.app_context():
        return db.session.scalar(sa.select(User).where(User.email == email))


def task_titles(app, user_id) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(sa.select(Task.title).where(Task.user_id == user_id)))


def add_tasks(client, *titles):
    for title in titles:
        assert client.post("/tasks", data={"title": title}).status_code == 303


def is_logged_in(client) -> bool:
    return client.get("/tasks").status_code == 200


def test_account_page_shows_settings(client, user):
    response = client.get("/account")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "ada@example.com" in page
    for name in ("timezone", "current_password", "new_password", "new_password_confirm", "password"):
        assert f'name="{name}"' in page


def test_account_page_needs_login(client):
    response = client.get("/account")
    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith("/auth/login")


# -- password ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("wrong password", NEW_PASSWORD, NEW_PASSWORD, "That is not your current password."),
        (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "?", "The passwords do not match."),
        (PASSWORD, "short", "short", "Use at least 8 characters."),
    ],
    ids=["wrong-current", "mismatched-confirm", "short-new"],
)
def test_password_change_rejects_bad_input(app, client, user, current, new, confirm, message):
    data = {"current_password": current, "new_password": new, "new_password_confirm": confirm}
    response = client.post("/account/password", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    after = load_user(app)
    assert after.password_hash == user.password_hash
    assert after.session_token == user.session_token
    assert is_logged_in(client)


def test_password_change_succeeds(app, client, auth, user):
    data = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}
    response = client.post("/account/password", data=data)
    assert response.status_code == 303
    assert response.headers["Location"] == "/account"
    assert is_logged_in(client), "the person who changed it stays logged in"
    assert load_user(app).check_password(NEW_PASSWORD)

    auth.logout()
    assert auth.login(password=PASSWORD).status_code == 422
    assert not is_logged_in(client)
    assert auth.login(password=NEW_PASSWORD).status_code == 303
    assert is_logged_in(client)


# -- time zone --------------------------------------------------------------


def test_timezone_can_be_set(app, client, user):
    response = client.post("/account/timezone", data={"timezone": "Europe/Berlin"})
    assert response.status_code == 303
    assert load_user(app).timezone == "Europe/Berlin"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../../etc/passwd"])
def test_unknown_timezone_is_refused(app, client, user, zone):
    response = client.post("/account/timezone", data={"timezone": zone})
    assert response.status_code == 422
    assert "Choose a time zone from the list." in response.get_data(as_text=True)
    assert load_user(app).timezone == "UTC"


@pytest.mark.parametrize("path, data", [
    ("/account/timezone", {"timezone": "Mars/Olympus_Mons"}),
    ("/account/password", {"current_password": "wrong", "new_password": NEW_PASSWORD,
                           "new_password_confirm": NEW_PASSWORD}),
])
def test_a_failed_boosted_form_keeps_the_account_address(client, user, path, data):
    """htmx would push the POST-only URL, and reloading that page would be a 405."""
    boosted = {"HX-Request": "true", "HX-Boosted": "true"}
    response = client.post(path, data=data, headers=boosted)
    assert response.status_code == 422
    assert response.headers["HX-Push-Url"] == "false"
    assert "HX-Push-Url" not in client.get("/account", headers=boosted).headers


# -- deletion ---------------------------------------------------------------


@pytest.fixture
def other(app):
    """A second person, with tasks of their own, in their own browser."""
    browser = app.test_client()
    assert AuthActions(browser).register(email="bob@example.com").status_code == 303
    add_tasks(browser, "bob's first", "bob's second")
    return load_user(app, "bob@example.com")


def test_delete_with_wrong_password_deletes_nothing(app, client, user, other):
    add_tasks(client, "one", "two")
    response = client.post("/account/delete", data={"password": "wrong password"})
    assert response.status_code == 422
    assert "nothing was deleted" in response.get_data(as_text=True)
    assert load_user(app) is not None
    assert task_titles(app, user.id) == ["one", "two"]
    assert is_logged_in(client)


def test_delete_without_password_deletes_nothing(app, client, user):
    add_tasks(client, "one")
    assert client.post("/account/delete", data={"password": ""}).status_code == 422
    assert task_titles(app, user.id) == ["one"]


def test_delete_removes_user_and_all_their_tasks(app, client, user, other):
    add_tasks(client, "one", "two", "three")
    assert client.post(f"/tasks/{first_task_id(app, user.id)}/toggle").status_code == 303

    response = client.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert load_user(app) is None
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Task).where(Task.user_id == user.id)) == 0
    assert task_titles(app, other.id) == ["bob's first", "bob's second"]
    assert load_user(app, "bob@example.com") is not None
    assert not is_logged_in(client)


def test_deleted_email_can_sign_up_again(app, client, auth, user):
    client.post("/account/delete", data={"password": PASSWORD})
    assert auth.register(password=NEW_PASSWORD).status_code == 303
    fresh = load_user(app)
    assert fresh.id != user.id
    assert task_titles(app, fresh.id) == []


def first_task_id(app, user_id):
    with app.app_context():
        return db.session.scalar(sa.select(Task.id).where(Task.user_id == user_id).limit(1))
