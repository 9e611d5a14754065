"""Log-in attempts are limited (10 failures a minute) per address and per
email, in memory and in Redis; successful log-ins never count."""

import uuid

import pytest

from conftest import PASSWORD, make_app, redis_or_skip
from webapp.extensions import db

REDIS_URL = "redis://127.0.0.1:6379/15"
# Our counts live under a prefix of our own, so test runs sharing this Redis
# (CI, a colleague's run) never see each other's counts, and we only ever
# delete keys we made: never FLUSHDB.
RUN_PREFIX = f"docket-test-{uuid.uuid4().hex[:12]}"
LIMIT = 10  # the default LOGIN_RATE_LIMIT: "10 per minute"


def forget_our_counts(connection) -> None:
    for key in connection.scan_iter(match=f"*{RUN_PREFIX}*"):
        connection.delete(key)


def redis_app(database_url: str):
    return make_app(database_url, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=RUN_PREFIX)


@pytest.fixture(params=["memory", "redis"])
def limited_app(request, app, database_url):
    """The app with its limits kept in memory, or in Redis (our keys removed before and after)."""
    if request.param == "memory":
        yield app
        return
    connection = redis_or_skip(REDIS_URL)
    forget_our_counts(connection)
    shared = redis_app(database_url)
    shared.test_client_class = app.test_client_class
    try:
        yield shared
    finally:
        forget_our_counts(connection)
        connection.close()
        with shared.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def browser(limited_app):
    """A browser on the limited app, with ada registered and logged out."""
    client = limited_app.test_client()
    data = {"email": "ada@example.com", "password": PASSWORD, "password_confirm": PASSWORD}
    assert client.post("/auth/register", data=data).status_code == 303
    assert client.post("/auth/logout").status_code == 303
    return client


def login(client, email="ada@example.com", password="wrong password", address="192.0.2.1"):
    return client.post(
        "/auth/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def assert_too_many(response):
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Too many attempts" in page
    assert 'class="site-header"' in page and "Traceback" not in page
    assert int(response.headers["Retry-After"]) > 0


def test_eleventh_failure_from_one_address_is_refused(browser):
    for n in range(LIMIT):
        # A different email each time: only the address limit is in play.
        assert login(browser, email=f"guess{n}@example.com").status_code == 422
    assert_too_many(login(browser, email="guess-last@example.com"))
    # While refused, even the right password does not get through from there...
    assert_too_many(login(browser, password=PASSWORD))
    assert browser.get("/tasks").status_code != 200
    # ...but another address is not held back.
    assert login(browser, password=PASSWORD, address="192.0.2.99").status_code == 303


def test_eleventh_failure_for_one_email_is_refused(browser):
    for n in range(LIMIT):
        # A different address each time: only the per-email limit is in play.
        assert login(browser, address=f"198.51.100.{n}").status_code == 422
    assert_too_many(login(browser, email=" ADA@example.com", address="198.51.100.200"))
    assert browser.get("/tasks").status_code != 200
    # Another account is not held back.
    assert login(browser, email="grace@example.com", address="198.51.100.201").status_code == 422


def test_successful_logins_do_not_count(browser):
    for _ in range(LIMIT - 1):
        assert login(browser).status_code == 422
    # Were successes counted, the second of these would already be refused.
    for _ in range(3):
        assert login(browser, password=PASSWORD).status_code == 303
    assert browser.post("/auth/logout").status_code == 303
    assert login(browser).status_code == 422  # the 10th failure is still allowed
    assert_too_many(login(browser))  # the 11th is not


def test_redis_count_is_shared_between_app_instances(app, database_url):
    """Several processes behind one Redis see one count (memory:// cannot do this)."""
    connection = redis_or_skip(REDIS_URL)
    forget_our_counts(connection)
    first = redis_app(database_url)
    first.test_client_class = app.test_client_class
    try:
        for n in range(LIMIT):
            assert login(first.test_client(), email=f"guess{n}@example.com").status_code == 422
        second = redis_app(database_url)
        second.test_client_class = app.test_client_class
        assert_too_many(login(second.test_client(), email="someone@example.com"))
        with second.app_context():
            db.engine.dispose()
    finally:
        forget_our_counts(connection)
        connection.close()
        with first.app_context():
            db.engine.dispose()
