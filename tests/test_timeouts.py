"""A silent or stuck PostgreSQL costs seconds, not hung workers: connect and
statement timeouts, a readiness probe that gives up quickly, a liveness probe
that never asks the database, and a friendly 503 even when the failure comes
after the view has returned."""

import socket
import sqlite3
import threading
import time
import uuid

import pytest
import sqlalchemy as sa
from flask import request

from conftest import make_app
from webapp.config import ConfigError, from_environment
from webapp.extensions import db
from webapp.models import User

KEY = "k" * 32
PG = "postgresql://u@db.internal/docket"


def engine_options(tmp_path, url, **env):
    config = from_environment(str(tmp_path), {"SECRET_KEY": KEY, "DATABASE_URL": url, **env})
    return config["SQLALCHEMY_ENGINE_OPTIONS"]


def test_postgres_gets_connect_and_statement_timeouts_by_default(tmp_path):
    options = engine_options(tmp_path, PG)
    assert "pool_pre_ping" not in options  # idle connections are pinged instead (extensions.py)
    assert options["connect_args"] == {"connect_timeout": 3, "options": "-c statement_timeout=10000"}


def test_the_timeouts_can_be_changed(tmp_path):
    options = engine_options(tmp_path, PG, DOCKET_DB_CONNECT_TIMEOUT="5", DOCKET_DB_STATEMENT_TIMEOUT="0")
    assert options["connect_args"] == {"connect_timeout": 5, "options": "-c statement_timeout=0"}


def test_sqlite_gets_no_postgres_arguments(tmp_path):
    assert engine_options(tmp_path, "sqlite:///" + str(tmp_path / "x.sqlite3")) == {}


@pytest.mark.parametrize(
    "name, value",
    [
        ("DOCKET_DB_CONNECT_TIMEOUT", "0"),
        ("DOCKET_DB_CONNECT_TIMEOUT", "soon"),
        ("DOCKET_DB_STATEMENT_TIMEOUT", "-1"),
        ("DOCKET_DB_STATEMENT_TIMEOUT", "10s"),
    ],
)
def test_bad_timeouts_stop_the_app_even_on_sqlite(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        engine_options(tmp_path, "sqlite:///" + str(tmp_path / "x.sqlite3"), **{name: value})


def test_postgres_really_applies_the_statement_timeout(postgres_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKET_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DOCKET_DB_STATEMENT_TIMEOUT", "250")
    app = make_app(postgres_url)
    try:
        with app.app_context():
            assert db.session.scalar(sa.text("SHOW statement_timeout")) == "250ms"
            started = time.monotonic()
            with pytest.raises(sa.exc.OperationalError, match="statement timeout"):
                db.session.execute(sa.text("SELECT pg_sleep(5)"))
            assert time.monotonic() - started < 2
            db.session.rollback()
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never says a word: a hung database host."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self):
        for sock in [self.listener, *self.accepted]:
            sock.close()


@pytest.fixture
def silent_app(tmp_path, monkeypatch):
    server = SilentServer()
    monkeypatch.setenv("DOCKET_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DOCKET_DB_CONNECT_TIMEOUT", raising=False)
    app = make_app(f"postgresql+psycopg2://postgres@127.0.0.1:{server.port}/docket")
    app.silent_server = server
    yield app
    server.close()
    with app.app_context():
        db.engine.dispose()


def test_readyz_gives_up_on_a_silent_database_within_seconds(silent_app):
    client = silent_app.test_client()
    started = time.monotonic()
    response = client.get("/readyz")
    elapsed = time.monotonic() - started
    print(f"/readyz answered {response.status_code} after {elapsed:.2f} s with a silent database")
    assert response.status_code == 503
    assert elapsed < 6
    assert silent_app.silent_server.accepted, "the probe really tried the silent server"


def test_healthz_never_touches_the_database(silent_app):
    """Liveness answers at once even for a logged-in cookie, and opens no connection."""
    client = silent_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "some-user-id:some-session-token"
    checkouts = []
    with silent_app.app_context():
        sa.event.listen(db.engine, "checkout", lambda *args: checkouts.append(args))
    started = time.monotonic()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"
    assert time.monotonic() - started < 1
    assert checkouts == []
    assert not silent_app.silent_server.accepted


def security_headers_present(response):
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.fixture
def late_commit_app(variant_app, database_url, monkeypatch):
    """An app whose request ends with a commit (in an after-request hook) that
    another transaction's lock makes fail, for real, on either database."""
    if database_url.startswith("sqlite"):
        # Give up on SQLite's lock after 0.2 s rather than the default 5 s.
        app = variant_app(SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 0.2}}, PROPAGATE_EXCEPTIONS=False)
    else:
        monkeypatch.setenv("DOCKET_DB_STATEMENT_TIMEOUT", "200")
        app = variant_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/_late")
    def late():
        return "done"

    @app.after_request
    def commit_at_the_end(response):
        # Runs again on the error page, and fails again: the page must still
        # come out friendly and with its security headers.
        if request.path == "/_late":
            db.session.add(User(email=f"late-{uuid.uuid4().hex[:8]}@example.com"))
            db.session.commit()
        return response

    return app


@pytest.fixture
def users_table_locked(database_url):
    """Hold a lock on the users table from another connection while the test runs."""
    if database_url.startswith("sqlite"):
        connection = sqlite3.connect(sa.engine.make_url(database_url).database, isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        yield
        connection.execute("ROLLBACK")
        connection.close()
        return
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(sa.text("LOCK TABLE users IN ACCESS EXCLUSIVE MODE"))
        yield
        transaction.rollback()
    engine.dispose()


def test_a_commit_failing_after_the_view_still_gets_the_friendly_page(late_commit_app, users_table_locked):
    client = late_commit_app.test_client()
    response = client.get("/_late")
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page
    assert "Temporarily unavailable" in page and 'class="site-header"' in page
    assert "Traceback" not in page and "OperationalError" not in page
    assert response.headers["Retry-After"].isdigit()
    security_headers_present(response)


def test_the_same_app_works_once_the_lock_is_gone(late_commit_app):
    response = late_commit_app.test_client().get("/_late")
    assert response.status_code == 200 and response.get_data() == b"done"
