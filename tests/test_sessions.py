"""Sessions that really end: a copied cookie is worthless after logout,
password change or account deletion, and the cookies carry safe flags."""

import re

import pytest

from conftest import PASSWORD

NEW_PASSWORD = "a brand new passphrase"
COOKIES = ("session", "remember_token")

ENDING_ACTIONS = {
    "logout": lambda client: client.post("/auth/logout"),
    "password-change": lambda client: client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD},
    ),
    "account-deletion": lambda client: client.post("/account/delete", data={"password": PASSWORD}),
}


@pytest.fixture
def remembered(client, auth, user):
    """ada, logged in with "keep me logged in"."""
    auth.logout()
    assert auth.login(remember=True).status_code == 303
    return client


def cookies_of(client) -> dict[str, str]:
    found = {name: client.get_cookie(name) for name in COOKIES}
    assert all(found.values()), f"missing cookies: {found}"
    return {name: cookie.value for name, cookie in found.items()}


def replay(app, cookies: dict[str, str]):
    """GET /tasks from a fresh browser that holds only the given cookies."""
    browser = app.test_client()
    for name, value in cookies.items():
        browser.set_cookie(name, value)
    return browser.get("/tasks")


def assert_sent_to_login(response):
    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize("action", ENDING_ACTIONS, ids=list(ENDING_ACTIONS))
@pytest.mark.parametrize("which", [COOKIES, ("session",), ("remember_token",)], ids=["both", "session", "remember"])
def test_copied_cookies_die_when_the_session_ends(app, remembered, action, which):
    stolen = {name: value for name, value in cookies_of(remembered).items() if name in which}
    assert replay(app, stolen).status_code == 200, "the copied cookies work before"

    assert ENDING_ACTIONS[action](remembered).status_code == 303

    assert_sent_to_login(replay(app, stolen))


def test_password_change_keeps_the_changer_logged_in_with_new_cookies(app, remembered):
    old = cookies_of(remembered)
    assert ENDING_ACTIONS["password-change"](remembered).status_code == 303
    new = cookies_of(remembered)
    assert new["remember_token"] != old["remember_token"]
    assert remembered.get("/tasks").status_code == 200
    assert replay(app, {"remember_token": new["remember_token"]}).status_code == 200
    assert_sent_to_login(replay(app, {"remember_token": old["remember_token"]}))


def test_logout_ends_sessions_on_every_device(app, client, auth, user):
    other_device = app.test_client()
    other_device.set_cookie("session", client.get_cookie("session").value)
    assert other_device.get("/tasks").status_code == 200
    auth.logout()
    assert_sent_to_login(other_device.get("/tasks"))


def test_login_without_remember_sets_no_remember_cookie(client, auth, user):
    auth.logout()
    assert auth.login(remember=False).status_code == 303
    assert client.get_cookie("remember_token") is None


# -- cookie flags and HSTS ----------------------------------------------------


def set_cookies(response) -> dict[str, str]:
    """Set-Cookie headers of a response, by cookie name."""
    headers = response.headers.getlist("Set-Cookie")
    return {header.split("=", 1)[0]: header for header in headers}


def flags(header: str) -> set[str]:
    return {part.strip().lower() for part in header.split(";")[1:]}


def test_cookies_are_httponly_and_samesite_lax(client, auth, user):
    auth.logout()
    response = auth.login(remember=True)
    issued = set_cookies(response)
    assert set(COOKIES) <= set(issued)
    for name in COOKIES:
        assert {"httponly", "samesite=lax"} <= flags(issued[name]), issued[name]
        assert "secure" not in flags(issued[name]), "plain-HTTP deployments cannot use Secure cookies"
    assert "Strict-Transport-Security" not in response.headers


@pytest.fixture(params=["overrides", "environment"])
def https_app(request, variant_app, monkeypatch):
    """An app told it is served over HTTPS, by config overrides or by DOCKET_HTTPS=1."""
    if request.param == "overrides":
        return variant_app(DOCKET_HTTPS=True, SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    monkeypatch.setenv("DOCKET_HTTPS", "1")
    return variant_app()


def test_https_cookies_are_secure_and_hsts_is_sent(https_app):
    browser = https_app.test_client()
    # As a browser on https://localhost would: the scheme, and a same-origin Referer.
    browser.environ_base.update({"wsgi.url_scheme": "https", "HTTP_REFERER": "https://localhost/"})
    data = {"email": "ada@example.com", "password": PASSWORD, "password_confirm": PASSWORD}
    assert browser.post("/auth/register", data=data).status_code == 303
    assert browser.post("/auth/logout").status_code == 303

    response = browser.post("/auth/login", data={"email": "ada@example.com", "password": PASSWORD, "remember": "y"})
    assert response.status_code == 303
    issued = set_cookies(response)
    for name in COOKIES:
        assert {"secure", "httponly", "samesite=lax"} <= flags(issued[name]), issued[name]
    hsts = response.headers["Strict-Transport-Security"]
    assert "max-age=" in hsts and int(hsts.split("max-age=")[1].split(";")[0]) >= 15552000
    assert "Strict-Transport-Security" in browser.get("/tasks").headers


def test_reading_pages_never_rewrites_the_session_cookie(app, user):
    """After log-in, reading pages sends no Set-Cookie: the log-in's own
    cookie already carries the CSRF secret pages need, and a browser that
    changes address or user agent (a phone between networks) is not
    re-issued a cookie either. A cookie re-signed on every page view cost
    every request, and the browser a write."""
    from flask.testing import FlaskClient

    browser = FlaskClient(app, use_cookies=True)
    login_page = browser.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page).group(1)
    logged_in = browser.post("/auth/login", data={"email": "ada@example.com", "password": PASSWORD, "csrf_token": token})
    assert logged_in.status_code == 303 and "session=" in logged_in.headers.get("Set-Cookie", "")

    for path, where in [
        ("/tasks", {}),
        ("/tasks?filter=active", {"REMOTE_ADDR": "10.9.8.7"}),
        ("/tasks", {"HTTP_USER_AGENT": "Another browser/2.0"}),
        ("/account", {}),
    ]:
        response = browser.get(path, environ_base=where)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, (path, where, response.headers.get("Set-Cookie"))
    # And the page's token is good for a change.
    page = browser.get("/tasks").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    assert browser.post("/tasks", data={"title": "milk", "csrf_token": token}).status_code == 303


def test_a_remembered_cookie_check_still_applies_the_age_limit_and_refuses_forgeries(app, client, user, monkeypatch):
    """Session cookies whose signature was checked are remembered per process
    (auth.session.CookieSessions): that must never stretch a cookie's life or
    let a changed cookie in."""
    from webapp.auth import session as sessions

    assert client.get("/tasks").status_code == 200
    assert client.get("/tasks").status_code == 200  # the remembered check
    cookie = client.get_cookie("session").value

    forged = cookie[:-3] + ("AAA" if not cookie.endswith("AAA") else "BBB")
    stranger = app.test_client()
    stranger.set_cookie("session", forged)
    assert stranger.get("/tasks").status_code in (302, 303)

    later = sessions.time.time() + app.permanent_session_lifetime.total_seconds() + 60
    monkeypatch.setattr(sessions.time, "time", lambda: later)
    assert client.get("/tasks").status_code in (302, 303)
