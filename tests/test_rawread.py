"""The log-in check's precompiled read (webapp/rawread.py) and the session
cookie cache (auth/session.py CookieSessions): fast, and invisible otherwise.
Each test here comes from a way the first version of them could go wrong."""

import sqlalchemy as sa
from flask.sessions import SecureCookieSessionInterface

from conftest import AuthActions
from webapp.auth.session import NEXT_MAX, is_safe_next
from webapp.extensions import db


def logged_in(app):
    client = app.test_client()
    assert AuthActions(client).login().status_code == 303
    return client


def test_recording_queries_still_works_on_logged_in_pages(variant_app, user):
    """Flask-SQLAlchemy's query recording listens to engine events and
    expects SQLAlchemy's own execution context: the read must not fire them
    with stand-ins (every logged-in page used to fail)."""
    from flask_sqlalchemy.record_queries import get_recorded_queries

    app = variant_app(SQLALCHEMY_RECORD_QUERIES=True)
    client = logged_in(app)
    for _ in range(2):  # rendered, then from the page cache
        assert client.get("/tasks").status_code == 200
    with app.test_request_context("/tasks"):
        client.get("/tasks")
        assert isinstance(get_recorded_queries(), list)


def test_a_connection_lent_inside_a_transaction_comes_back_clean(variant_app, user):
    """A checkout hook that leaves the driver inside a transaction (a ping
    that does not roll back, as the idle ping once did) must not break the
    read, nor leave connections checked out or their autocommit changed."""
    app = variant_app()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return  # the autocommit read is PostgreSQL's
    with app.app_context():
        engine = db.engine

    def ping_and_forget(dbapi_connection, record, proxy):
        cursor = dbapi_connection.cursor()
        cursor.execute("SET application_name = 'docket-test'")  # psycopg2 opens a transaction for it
        cursor.close()

    sa.event.listen(engine.pool, "checkout", ping_and_forget)
    client = logged_in(app)
    for _ in range(3):
        assert client.get("/tasks").status_code == 200
    assert engine.pool.checkedout() == 0
    with engine.connect() as connection:
        assert connection.connection.driver_connection.autocommit is False
        assert connection.execute(sa.text("SHOW application_name")).scalar() == "docket-test"


def test_an_autocommit_engine_keeps_its_autocommit(variant_app, user):
    app = variant_app(SQLALCHEMY_ENGINE_OPTIONS={"isolation_level": "AUTOCOMMIT"})
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    client = logged_in(app)
    assert client.get("/tasks").status_code == 200
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.connection.driver_connection.autocommit is True


def test_a_huge_session_is_never_remembered(app, user):
    """A cookie compresses: a small one can hold a session of megabytes. Only
    small sessions are remembered, so no one can fill a worker's memory."""
    interface = app.session_interface
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    huge = serializer.dumps({"filler": "a" * 400_000})
    assert len(huge) < 5_000  # what the browser would carry
    client = app.test_client()
    client.set_cookie("session", huge)
    client.get("/auth/login")
    remembered = interface._state[2]
    assert huge not in remembered
    assert all(len(cookie) + len(session) <= interface.VERIFIED_SESSION_MAX
               for cookie, (_, session) in remembered.items())
    small = serializer.dumps({"note": "hello"})
    client.set_cookie("session", small)
    client.get("/auth/login")
    assert small in interface._state[2]


def test_a_next_page_is_a_page_address_not_a_payload():
    assert is_safe_next("/tasks?list=3")
    assert is_safe_next("/" + "a" * (NEXT_MAX - 1))
    assert not is_safe_next("/" + "a" * NEXT_MAX)
