"""Pooled connections are pinged only after sitting idle: a busy app pays no
extra round trip, and one that sat through a database restart recovers by
itself on the next request."""

import sqlalchemy as sa

from webapp import extensions


def count_pings(monkeypatch) -> list:
    pings = []
    real = extensions.ping

    def counting(dbapi_connection):
        pings.append(1)
        real(dbapi_connection)

    monkeypatch.setattr(extensions, "ping", counting)
    return pings


def kill_every_connection(app) -> None:
    """What a database restart does to every connection the app holds."""
    admin = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        killed = connection.execute(sa.text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )).scalar()
    admin.dispose()
    assert killed >= 1


def test_a_connection_in_steady_use_is_not_pinged_but_an_idle_one_is(app, client, user, monkeypatch):
    pings = count_pings(monkeypatch)
    for _ in range(3):
        assert client.get("/tasks").status_code == 200
    assert pings == []

    monkeypatch.setattr(extensions, "IDLE_BEFORE_PING", 0.0)  # as if it sat idle a while
    assert client.get("/tasks").status_code == 200
    assert pings


def test_an_idle_connection_killed_by_a_database_restart_is_replaced(app, client, user, monkeypatch):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return  # an SQLite file has no server to lose the connection to
    assert client.get("/tasks").status_code == 200  # the pool now holds a used connection
    kill_every_connection(app)
    monkeypatch.setattr(extensions, "IDLE_BEFORE_PING", 0.0)

    response = client.get("/tasks")

    assert response.status_code == 200  # the ping found it dead; a fresh one served the page


def test_a_connection_killed_while_in_steady_use_costs_one_friendly_answer(app, client, user):
    """Not idle, so not pinged: the log-in check meets the dead connection.
    That request gets the "try again" page, never a 500, and the pool gives
    up every connection of that generation, so the next request is served."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    assert client.get("/tasks").status_code == 200
    assert client.get("/tasks").status_code == 200  # from the page cache: the log-in check alone
    kill_every_connection(app)

    failed = client.get("/tasks")
    assert failed.status_code == 503
    assert "Traceback" not in failed.get_data(as_text=True)
    assert client.get("/tasks").status_code == 200
    assert client.get("/tasks").status_code == 200
