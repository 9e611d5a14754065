"""Security headers on every kind of response, friendly error pages, and no
malformed request ever reaching a 500."""

import uuid

import pytest
import sqlalchemy as sa

from conftest import HTMX
from webapp.extensions import db

SAFE_REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
NUL = "\x00"


def csp_directives(response) -> dict[str, set[str]]:
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = set(values)
    return directives


def assert_security_headers(response):
    csp = csp_directives(response)
    assert csp["script-src"] == {"'self'"}
    assert csp["object-src"] == {"'none'"}
    assert csp["base-uri"] == {"'none'"}
    assert csp["frame-ancestors"] == {"'none'"}
    assert csp["form-action"] == {"'self'"}
    assert not any(value in {"'unsafe-inline'", "'unsafe-eval'", "*"} for values in csp.values() for value in values)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in SAFE_REFERRER_POLICIES


def assert_friendly_page(response, code: int, title: str):
    assert response.status_code == code
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert 'class="site-header"' in page, "the error page is drawn in the site layout"
    assert f'<p class="error-code">{code}</p>' in page and title in page
    assert "Traceback" not in page and 'File "' not in page


REQUESTS = {
    "task-list": lambda client: client.get("/tasks"),
    "account-page": lambda client: client.get("/account"),
    "htmx-fragment": lambda client: client.post("/tasks", data={"title": "from htmx"}, headers=HTMX),
    "htmx-422": lambda client: client.post("/tasks", data={"title": " "}, headers=HTMX),
    "redirect": lambda client: client.post("/tasks", data={"title": "plain"}),
    "404": lambda client: client.get("/no/such/page"),
    "405": lambda client: client.get("/auth/logout"),
    "400-csrf": lambda client: client.post("/tasks", data={"title": "x"}, csrf=False),
    "static-file": lambda client: client.get("/static/app.css"),
}
EXPECTED_STATUS = {"htmx-422": 422, "redirect": 303, "404": 404, "405": 405, "400-csrf": 400}


@pytest.mark.parametrize("name", REQUESTS, ids=list(REQUESTS))
def test_security_headers_on_every_response(client, user, name):
    response = REQUESTS[name](client)
    assert response.status_code == EXPECTED_STATUS.get(name, 200)
    assert_security_headers(response)
    response.close()


@pytest.mark.parametrize(
    ("path", "headers", "expected"),
    [("/", {}, 200), ("/auth/login", {}, 200), ("/auth/register", {}, 200), ("/tasks", {}, 303), ("/tasks", HTMX, 401)],
    ids=["landing-page", "login-page", "register-page", "login-redirect", "htmx-401"],
)
def test_security_headers_for_anonymous_visitors(client, path, headers, expected):
    response = client.get(path, headers=headers)
    assert response.status_code == expected
    assert_security_headers(response)


def test_fragment_is_not_a_full_page_and_varies_on_hx_request(client, user):
    response = client.post("/tasks", data={"title": "from htmx"}, headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"]


# -- error pages --------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_page", "code", "title"),
    [
        (lambda client: client.post("/auth/login", data={"email": "a@example.com"}, csrf=False), 400, "Bad request"),
        (lambda client: client.get("/no/such/page"), 404, "Not found"),
        (lambda client: client.get(f"/tasks/{uuid.uuid4()}"), 404, "Not found"),
        (lambda client: client.get("/auth/logout"), 405, "Not allowed"),
        (lambda client: client.delete("/account"), 405, "Not allowed"),
    ],
    ids=["400", "404", "404-task", "405", "405-delete"],
)
def test_error_pages_are_friendly(client, user, request_page, code, title):
    assert_friendly_page(request_page(client), code, title)


@pytest.fixture
def small_app(variant_app):
    """An app that accepts at most 1000 bytes per request body."""
    return variant_app(MAX_CONTENT_LENGTH=1000)


def test_too_large_body_gets_a_friendly_413(small_app):
    client = small_app.test_client()
    response = client.post("/auth/login", data={"email": "a@example.com", "password": "x" * 5000})
    assert_friendly_page(response, 413, "Too large")
    assert_security_headers(response)


# -- malformed input ----------------------------------------------------------


def count(app, table: str) -> int:
    with app.app_context():
        try:
            return db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))
        finally:
            db.session.remove()


@pytest.mark.parametrize(
    ("path", "data", "expected"),
    [
        ("/auth/register", {"email": f"ada{NUL}@example.com", "password": "long enough", "password_confirm": "long enough"}, 422),
        ("/auth/register", {"email": "nul@example.com", "password": f"long{NUL}enough", "password_confirm": f"long{NUL}enough"}, 422),
        ("/auth/register", {"email": "a" * 100_000 + "@example.com", "password": "long enough", "password_confirm": "long enough"}, 422),
        ("/auth/login", {"email": f"ada{NUL}@example.com", "password": "long enough"}, 422),
        ("/auth/login", {"email": "ada@example.com", "password": f"pass{NUL}word"}, 422),
        ("/auth/login", {"email": "ada@example.com", "password": "long enough", "next": f"/tasks{NUL}"}, 422),
    ],
    ids=["register-nul-email", "register-nul-password", "register-huge-email",
         "login-nul-email", "login-nul-password", "login-nul-next"],
)
def test_malformed_auth_input_is_refused_not_crashed(app, client, path, data, expected):
    response = client.post(path, data=dict(data))
    assert response.status_code == expected
    assert "Traceback" not in response.get_data(as_text=True)
    assert count(app, "users") == 0


@pytest.mark.parametrize(
    ("data", "headers"),
    [
        ({"title": f"bad{NUL}title"}, {}),
        ({"title": f"bad{NUL}title"}, HTMX),
        ({"title": "ok", "description": f"bad{NUL}description"}, {}),
        ({"title": "x" * 100_000}, {}),
        ({"title": "x" * 100_000}, HTMX),
        ({"title": "ok", "due_date": "2024-02-30"}, {}),
        ({"title": "ok", "priority": "9" * 50}, {}),
    ],
    ids=["nul-title", "nul-title-htmx", "nul-description", "100kb-title", "100kb-title-htmx", "bad-date", "huge-priority"],
)
def test_malformed_task_input_never_500(app, client, user, data, headers):
    response = client.post("/tasks", data=dict(data), headers=headers)
    assert response.status_code < 500
    assert "Traceback" not in response.get_data(as_text=True)
    if NUL in "".join(data.values()) or len(data["title"]) > 255:
        assert response.status_code == 422
        assert count(app, "tasks") == 0


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("get", "/tasks/not-a-uuid", 404),
        ("get", "/tasks/%00", 404),
        ("get", "/tasks/12345678-1234-1234-1234-1234567890123", 404),
        ("get", f"/tasks/{uuid.uuid4()}", 404),
        ("post", "/tasks/not-a-uuid/toggle", 404),
        ("post", f"/tasks/{uuid.uuid4()}/toggle", 404),
        ("post", f"/tasks/{uuid.uuid4()}/delete", 404),
        ("post", f"/tasks/{uuid.uuid4()}", 404),
        ("get", "/tasks?after=garbage", 200),
        ("get", "/tasks?after=99999999999999999999-" + "f" * 32, 200),
        ("get", "/tasks?after=%00&filter=%00", 200),
    ],
)
def test_malformed_urls_never_500(client, user, method, path, expected):
    for headers in ({}, HTMX):
        response = getattr(client, method)(path, headers=headers)
        assert response.status_code == expected, (path, headers)
        assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["%00", "/tasks%00", "%2F%2Fevil.example%00", "x" * 10_000])
def test_malformed_next_on_the_login_page_never_500(client, target):
    response = client.get(f"/auth/login?next={target}")
    assert response.status_code == 200
    assert "Traceback" not in response.get_data(as_text=True)


def test_invalid_utf8_in_a_form_never_500(app, client, user):
    token = client.csrf_token()
    body = f"csrf_token={token}&title=%FF%FE%00".encode()
    response = client.post("/tasks", data=body, content_type="application/x-www-form-urlencoded", csrf=False)
    assert response.status_code == 422
    assert count(app, "tasks") == 0
