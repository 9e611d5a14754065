"""Sign up, log in, log out, and what happens to a visitor who is not logged in."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from conftest import HTMX, PASSWORD
from webapp.extensions import db
from webapp.models import User

MISMATCH = "That email and password do not match an account."


def users(app) -> list[User]:
    with app.app_context():
        return list(db.session.scalars(sa.select(User)))


def field_block(page: str, name: str) -> str:
    """The markup of the form field called ``name``: its input, hint and errors."""
    for block in re.findall(r'<div class="field[^"]*">(.*?)</div>', page, re.S):
        if f'name="{name}"' in block:
            return html.unescape(block)
    raise AssertionError(f"no field named {name!r} on the page")


def login_target(location: str) -> tuple[str, dict]:
    """Path and query of a redirect; ``next=%2Ftasks`` and ``next=/tasks`` are the same URL."""
    parts = urlsplit(location)
    return parts.path, parse_qs(parts.query)


def is_logged_in(client) -> bool:
    return client.get("/tasks").status_code == 200


# -- register ---------------------------------------------------------------


def test_register_logs_in_and_redirects_to_tasks(app, client, auth):
    response = auth.register(email="  Ada.Lovelace@Example.COM ")
    assert response.status_code == 303
    assert response.headers["Location"] == "/tasks"
    assert is_logged_in(client)
    [saved] = users(app)
    assert saved.email == "ada.lovelace@example.com"


def test_register_stores_only_an_argon2id_hash(app, auth):
    auth.register()
    [saved] = users(app)
    assert saved.password_hash.startswith("$argon2id$v=19$")
    assert PASSWORD not in saved.password_hash
    assert saved.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("email", "password", "confirm", "field", "message"),
    [
        ("", PASSWORD, PASSWORD, "email", "Enter your email address."),
        ("not-an-email", PASSWORD, PASSWORD, "email", "That is not a valid email address"),
        ("ada@example.com", "short", "short", "password", "Use at least 8 characters."),
        ("ada@example.com", PASSWORD, PASSWORD + "!", "password_confirm", "The passwords do not match."),
    ],
    ids=["empty-email", "invalid-email", "short-password", "mismatched-confirm"],
)
def test_register_rejects_bad_input(app, client, email, password, confirm, field, message):
    data = {"email": email, "password": password, "password_confirm": confirm}
    response = client.post("/auth/register", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in field_block(page, field)
    if email:
        assert f'value="{email}"' in field_block(page, "email")
    assert users(app) == []
    assert not is_logged_in(client)


def test_register_keeps_email_when_password_is_rejected(client):
    data = {"email": "grace@example.com", "password": "short", "password_confirm": "short"}
    page = client.post("/auth/register", data=data).get_data(as_text=True)
    assert 'value="grace@example.com"' in field_block(page, "email")
    # A password is never echoed back into the page.
    assert 'value="short"' not in page


def test_register_duplicate_email_is_refused_clearly(app, client, auth):
    auth.register()
    auth.logout()
    response = auth.register(email="ADA@example.com ", password="another password")
    assert response.status_code == 422
    block = field_block(response.get_data(as_text=True), "email")
    assert "already exists" in block
    assert len(users(app)) == 1
    assert users(app)[0].check_password(PASSWORD)


def test_long_password_is_not_truncated(app, client, auth):
    long_password = "x" * 500 + "y" * 500
    assert auth.register(password=long_password).status_code == 303
    auth.logout()
    assert auth.login(password=long_password[:999]).status_code == 422
    assert not is_logged_in(client)
    assert auth.login(password=long_password).status_code == 303
    assert is_logged_in(client)


# -- log in -----------------------------------------------------------------


@pytest.fixture
def logged_out(user, auth):
    """A registered user who has logged out again."""
    auth.logout()
    return user


def test_login_succeeds(client, auth, logged_out):
    response = auth.login(email=" ADA@Example.com")
    assert response.status_code == 303
    assert response.headers["Location"] == "/tasks"
    assert is_logged_in(client)


@pytest.mark.parametrize(
    ("email", "password"),
    [("ada@example.com", "wrong password"), ("nobody@example.com", PASSWORD)],
    ids=["wrong-password", "unknown-email"],
)
def test_login_failure_is_422_with_message(client, auth, logged_out, email, password):
    response = auth.login(email=email, password=password)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert MISMATCH in field_block(page, "password")
    assert f'value="{email}"' in field_block(page, "email")
    assert not is_logged_in(client)


def test_login_follows_a_local_next(auth, logged_out):
    response = auth.login(next="/tasks?filter=active")
    assert response.status_code == 303
    assert response.headers["Location"] == "/tasks?filter=active"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example", "/\\/evil.example"])
def test_login_ignores_a_foreign_next(client, auth, logged_out, target):
    response = auth.login(next=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/tasks"
    assert is_logged_in(client)


def test_login_form_carries_next_from_query(client):
    page = client.get("/auth/login?next=/tasks%3Ffilter%3Dactive").get_data(as_text=True)
    assert 'name="next"' in page
    assert 'value="/tasks?filter=active"' in html.unescape(page)


def test_logged_in_user_visiting_login_is_redirected(client, user):
    response = client.get("/auth/login")
    assert response.status_code in (302, 303)
    assert response.headers["Location"] == "/tasks"


def test_login_renews_the_session(client, auth, logged_out):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    assert auth.login().status_code == 303
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id", "").startswith(logged_out.id + ":")


# -- log out ----------------------------------------------------------------


def test_logout_is_post_only(client, user):
    assert client.get("/auth/logout").status_code == 405
    assert is_logged_in(client)


def test_logout_logs_out(client, auth, user):
    response = auth.logout()
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login"
    assert not is_logged_in(client)


# -- not logged in ----------------------------------------------------------


def test_anonymous_page_request_redirects_to_login(client):
    response = client.get("/tasks")
    assert response.status_code in (302, 303)
    assert login_target(response.headers["Location"]) == ("/auth/login", {"next": ["/tasks"]})


def test_anonymous_htmx_request_gets_401_with_hx_redirect(client):
    response = client.get("/tasks", headers=HTMX)
    assert response.status_code == 401
    assert login_target(response.headers["HX-Redirect"]) == ("/auth/login", {"next": ["/tasks"]})


def test_anonymous_htmx_post_is_refused_and_saves_nothing(app, client):
    response = client.post("/tasks", data={"title": "sneaky"}, headers=HTMX)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/auth/login")
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM tasks")) == 0


# -- what the form fields say to assistive technology ---------------------------


def input_tag(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert match, f"no input named {name}"
    return match.group(0)


def test_a_fresh_form_focuses_the_email_and_marks_nothing_invalid(client):
    for path in ("/auth/login", "/auth/register"):
        page = client.get(path).get_data(as_text=True)
        assert re.search(r"\bautofocus(?=[\s>])", input_tag(page, "email")), path
        for name in ("email", "password"):
            tag = input_tag(page, name)
            assert "aria-invalid" not in tag and "None" not in tag, (path, tag)
    assert "aria-describedby" not in input_tag(client.get("/auth/login").get_data(as_text=True), "email")


def test_a_field_with_an_error_is_invalid_and_points_at_its_message(client):
    data = {"email": "ada@example.com", "password": "short", "password_confirm": "short"}
    page = client.post("/auth/register", data=data).get_data(as_text=True)
    tag = input_tag(page, "password")
    assert 'aria-invalid="true"' in tag
    described = re.search(r'aria-describedby="([^"]+)"', tag).group(1).split()
    assert described == ["password-error", "password-hint"]
    assert all(f'id="{target}"' in page for target in described)
    assert "autofocus" not in page, "after an error the focus is left to the error, not the first field"
    assert "aria-invalid" not in input_tag(page, "email")
