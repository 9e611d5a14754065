"""Liveness, readiness, and a friendly 503 when the database is gone."""

import pytest
from conftest import CSRFClient, make_app

from webapp.extensions import db

UNREACHABLE = {
    "sqlite": "sqlite:////nonexistent-docket-dir/nowhere.sqlite3",
    "postgres": "postgresql+psycopg2://postgres@127.0.0.1:1/nowhere",
}


@pytest.fixture(params=sorted(UNREACHABLE))
def down_app(request, tmp_path, monkeypatch):
    """An app whose database cannot be reached at all."""
    monkeypatch.setenv("DOCKET_INSTANCE_PATH", str(tmp_path / "instance"))
    application = make_app(UNREACHABLE[request.param])
    application.test_client_class = CSRFClient
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def down_client(down_app):
    return down_app.test_client()


def assert_friendly_503(response):
    """The site's own error page: HTML, 503, Retry-After, no traceback."""
    body = response.get_data(as_text=True)
    assert response.status_code == 503, body
    assert response.mimetype == "text/html"
    assert response.headers.get("Retry-After", "").isdigit()
    assert "Temporarily unavailable" in body
    assert "cannot reach its database" in body
    assert "Traceback" not in body and "OperationalError" not in body


def test_healthz_is_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
    assert response.mimetype == "text/plain"


def test_readyz_is_ready_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ready"


def test_probes_are_get_only(client):
    """Probes change nothing, so nothing but GET/HEAD is accepted."""
    assert client.post("/healthz", csrf=False).status_code == 405
    assert client.head("/readyz").status_code == 200


def test_readyz_is_503_when_the_database_is_unreachable(down_client):
    response = down_client.get("/readyz")
    assert response.status_code == 503
    assert response.get_data(as_text=True) == "database unavailable"


def test_healthz_stays_ok_when_the_database_is_unreachable(down_client):
    """Liveness is about the process: a dead database must not get it restarted."""
    response = down_client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


def test_login_is_a_friendly_503_when_the_database_is_unreachable(down_client):
    """The form still shows; submitting it gets the 503 page, never a 500."""
    page = down_client.get("/auth/login")
    assert page.status_code in (200, 503)
    assert page.status_code != 500
    response = down_client.post(
        "/auth/login", data={"email": "ada@example.com", "password": "correct horse battery"}
    )
    assert_friendly_503(response)


def test_logged_in_page_is_a_friendly_503_when_the_database_is_unreachable(down_client):
    """A session cookie makes the user loader hit the database: still a 503 page."""
    with down_client.session_transaction() as session:
        session["_user_id"] = "some-user-id:some-session-token:00000000-0000-4000-8000-000000000000"
    assert_friendly_503(down_client.get("/tasks"))


def test_htmx_request_gets_a_503_too(down_client):
    """An HTMX call to a dead database is told 503 as well, not 500."""
    response = down_client.post(
        "/auth/login",
        data={"email": "ada@example.com", "password": "correct horse battery"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 503
    assert "Traceback" not in response.get_data(as_text=True)
