"""Shared fixtures: every app-level test runs on SQLite *and* PostgreSQL.

PostgreSQL: a throw-away database is created for the run (or the one named
by ``DOCKET_TEST_POSTGRES_URL`` is used). When no server answers, the
PostgreSQL half is skipped locally but fails when ``DOCKET_REQUIRE_POSTGRES=1``
(CI sets it), so CI can never pass without really testing PostgreSQL.
"""

import contextlib
import email
import email.policy
import os
import re
import socket
import threading
import time
import uuid

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient

from webapp import create_app, mail
from webapp.config import SmtpSettings
from webapp.extensions import db

ADMIN_URL = os.environ.get("DOCKET_TEST_POSTGRES_ADMIN_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
PASSWORD = "correct horse battery"
# argon2id at 64 KiB and one pass instead of OWASP's 19 MiB and two: still
# argon2id, so the suite exercises the real code path, but hashing stops
# dominating its run time. Only allowed because TESTING is on.
TEST_PASSWORD_HASH_METHOD = "argon2id:m=64,t=1,p=1"


def postgres_required() -> bool:
    return os.environ.get("DOCKET_REQUIRE_POSTGRES") == "1"


def _admin_engine():
    return sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")


def create_postgres_database(prefix: str = "docket_test") -> str:
    """Create an empty database and return its URL (skip or fail if no server)."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    engine = _admin_engine()
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        message = f"PostgreSQL is not reachable at {ADMIN_URL}: {error.orig}"
        if postgres_required():
            pytest.fail(message)
        pytest.skip(message)
    finally:
        engine.dispose()
    return sa.engine.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    name = sa.engine.make_url(url).database
    engine = _admin_engine()
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def redis_or_skip(url: str):
    """A connection to the test Redis (your own db number in ``url``); skip when
    none answers, or fail when ``DOCKET_REQUIRE_REDIS=1`` (CI)."""
    import redis

    connection = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError as error:
        connection.close()
        message = f"Redis is not reachable at {url}: {error}"
        if os.environ.get("DOCKET_REQUIRE_REDIS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return connection


@pytest.fixture(scope="session")
def postgres_url():
    """The run's PostgreSQL test database."""
    given = os.environ.get("DOCKET_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory):
    return "sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / "docket-test.sqlite3")


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request):
    """A database URL for each backend in turn."""
    return request.getfixturevalue(f"{request.param}_url")


def make_app(database_url: str, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH_METHOD,
        **overrides,
    }
    return create_app(config)


_schemas_ready: set[str] = set()


@pytest.fixture
def app(database_url, tmp_path, monkeypatch):
    """An app on a clean schema (create_all once per database, emptied after each test)."""
    monkeypatch.setenv("DOCKET_INSTANCE_PATH", str(tmp_path / "instance"))
    application = make_app(database_url)
    application.test_client_class = CSRFClient
    with application.app_context():
        if database_url not in _schemas_ready:
            db.drop_all()
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
            db.create_all()
            _schemas_ready.add(database_url)
    yield application
    with application.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM tasks"))
            connection.execute(sa.text("DELETE FROM users"))
        db.engine.dispose()


@pytest.fixture
def variant_app(app):
    """Make more apps on the test's own (prepared, emptied-after) database, with settings changed."""
    made = []

    def make(**overrides):
        other = make_app(app.config["SQLALCHEMY_DATABASE_URI"], **overrides)
        other.test_client_class = app.test_client_class
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


class CSRFClient(FlaskClient):
    """A browser-like client: POSTs carry the page's CSRF token unless told not to."""

    def csrf_token(self) -> str:
        page = self.get("/", follow_redirects=True).get_data(as_text=True)
        match = CSRF_META.search(page)
        assert match, "no csrf-token meta tag on the page"
        return match.group(1)

    def post(self, *args, csrf: bool = True, **kwargs):
        data = kwargs.get("data")
        if csrf and (data is None or isinstance(data, dict)) and "csrf_token" not in (data or {}):
            # A copy: the caller's dict may be reused by another test case.
            kwargs["data"] = {**(data or {}), "csrf_token": self.csrf_token()}
        return super().post(*args, **kwargs)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self.client = client

    def register(self, email="ada@example.com", password=PASSWORD, **extra):
        data = {"email": email, "password": password, "password_confirm": password, **extra}
        return self.client.post("/auth/register", data=data)

    def login(self, email="ada@example.com", password=PASSWORD, remember=False, **extra):
        data = {"email": email, "password": password, **extra}
        if remember:
            data["remember"] = "y"
        return self.client.post("/auth/login", data=data)

    def logout(self):
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def user(app, auth):
    """A registered, logged-in user (ada@example.com)."""
    response = auth.register()
    assert response.status_code == 303, response.get_data(as_text=True)
    from webapp.models import User

    with app.app_context():
        return db.session.scalar(sa.select(User).where(User.email == "ada@example.com"))


@contextlib.contextmanager
def count_statements(app, clear_cache: bool = True):
    """Count the SQL statements the app runs inside the block: through its
    engine, and the log-in check's precompiled read (``webapp.rawread``),
    which runs on the driver directly.

    The list page cache is emptied first unless told not to, so what is
    counted is the page really rendered (a page served from the cache costs
    one statement: tests/test_pagecache.py)."""
    from webapp import rawread
    from webapp.tasks.pagecache import cache_for

    statements = []
    with app.app_context():
        engine = db.engine
    cache = cache_for(app)
    if cache is not None and clear_cache:
        cache.clear()

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    def record_read(statement, parameters):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    rawread.LISTENERS.append(record_read)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
        rawread.LISTENERS.remove(record_read)


HTMX = {"HX-Request": "true"}


# -- a real SMTP server on loopback (aiosmtpd) ---------------------------------

class Mailbox:
    """An aiosmtpd server on 127.0.0.1 that keeps every message it is sent."""

    def __init__(self, **controller_options):
        self.messages: list = []
        # Per message: did it come over TLS, and as whom (the login, if any).
        self.deliveries: list[dict] = []
        self._arrived = threading.Condition()
        mailbox = self

        class Collect:
            async def handle_DATA(self, server, session, envelope):
                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                delivery = {"tls": server.transport.get_extra_info("ssl_object") is not None,
                            "login": session.auth_data if session.authenticated else None}
                with mailbox._arrived:
                    mailbox.messages.append(message)
                    mailbox.deliveries.append(delivery)
                    mailbox._arrived.notify_all()
                return "250 Message accepted for delivery"

        # aiosmtpd checks its port by connecting to it, so it needs a real one:
        # ask the system for a free one first.
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.host = "127.0.0.1"
        self.controller = Controller(Collect(), hostname=self.host, port=self.port, **controller_options)
        self.controller.start()

    def settings(self, scheme: str = "smtp", username=None, password=None):
        return SmtpSettings(scheme=scheme, host=self.host, port=self.port, username=username, password=password)

    def configure(self, app, base_url: str = "https://docket.example.com", **settings) -> None:
        """Send ``app``'s mail here, with links on ``base_url``."""
        app.config.update(SMTP=self.settings(**settings), DOCKET_BASE_URL=base_url,
                          MAIL_FROM="Docket <docket@example.com>")

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list:
        """Wait until at least ``count`` messages have arrived; all of them."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"{len(self.messages)} messages arrived, {count} expected"
                self._arrived.wait(left)
            return list(self.messages)

    def to(self, address: str) -> list:
        return [message for message in self.messages if message["To"] == address]

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback; ``smtp_server.configure(app)`` sends the app's mail to it."""
    server = Mailbox()
    yield server
    mail.wait_until_sent(10)  # nothing from this test may land in the next one's server
    server.stop()


URL_IN_TEXT = re.compile(r"https?://\S+")


def links_in(message) -> list[str]:
    """Every URL in a plain-text mail."""
    return URL_IN_TEXT.findall(message.get_content())
