"""A dead rate-limit store never takes log-in down, and memory:// under
several workers is called out at start."""

import logging
import socket
import threading
import time

import pytest

from conftest import PASSWORD, make_app
from webapp import create_app
from webapp.config import from_environment, limiter_warning, worker_count
from webapp.extensions import db, limiter

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1
LIMIT = 10  # the default LOGIN_RATE_LIMIT: "10 per minute"
KEY = "k" * 32


@pytest.fixture
def dead_redis_app(app, database_url):
    dead = make_app(database_url, RATELIMIT_STORAGE_URI=DEAD_REDIS)
    dead.test_client_class = app.test_client_class
    try:
        yield dead
    finally:
        # The limiter object is shared by every app in this process: don't let
        # the next test's app start out believing its storage is dead.
        limiter._storage_dead = False
        with dead.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_dead_redis_falls_back_to_per_process_limits(dead_redis_app, caplog):
    client = dead_redis_app.test_client()
    statuses = []
    with caplog.at_level(logging.WARNING):
        page = client.get("/auth/login")
        statuses.append(page.status_code)
        assert page.status_code == 200
        data = {"email": "ada@example.com", "password": PASSWORD, "password_confirm": PASSWORD}
        signup = client.post("/auth/register", data=data)
        statuses.append(signup.status_code)
        assert signup.status_code == 303
        assert client.post("/auth/logout").status_code == 303
        failures = [client.post("/auth/login", data={"email": f"guess{n}@example.com", "password": "nope nope"})
                    for n in range(LIMIT + 1)]
        statuses += [response.status_code for response in failures]
        assert [response.status_code for response in failures[:LIMIT]] == [422] * LIMIT
        # The limit still holds, counted in this process's memory.
        assert failures[LIMIT].status_code == 429
        again = client.post("/auth/register", data={**data, "email": "grace@example.com"})
        statuses.append(again.status_code)
        good = client.post("/auth/login", data={"email": "ada@example.com", "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": "192.0.2.77"})
        statuses.append(good.status_code)
        assert good.status_code == 303
    assert 500 not in statuses
    assert set(statuses) <= {200, 303, 422, 429}
    assert any("falling back to in-memory" in record.getMessage() for record in caplog.records), \
        "the switch to per-process limits is logged"


@pytest.mark.parametrize("uri", ["redis://cache:6379/0", "rediss://cache:6380/0", "redis+sentinel://s:26379/main"])
def test_redis_calls_are_bounded_and_fall_back(tmp_path, uri):
    """A Redis that stops answering costs seconds, then limits carry on in memory."""
    config = from_environment(str(tmp_path), {"SECRET_KEY": KEY, "RATELIMIT_STORAGE_URI": uri})
    assert 0 < config["RATELIMIT_STORAGE_OPTIONS"]["socket_timeout"] <= 5
    assert 0 < config["RATELIMIT_STORAGE_OPTIONS"]["socket_connect_timeout"] <= 5
    assert config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True
    assert config["RATELIMIT_SWALLOW_ERRORS"] is True


def test_a_silent_redis_costs_one_slow_request_not_a_hung_worker(app, database_url):
    """A Redis host that accepts connections and never answers: one request
    waits out the socket timeout, then limits carry on in memory."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held = []
    threading.Thread(target=lambda: [held.append(listener.accept()) for _ in iter(int, 1)], daemon=True).start()
    silent = make_app(database_url, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{listener.getsockname()[1]}/0")
    silent.test_client_class = app.test_client_class
    client = silent.test_client()
    try:
        timings = []
        for n in range(6):
            started = time.monotonic()
            response = client.post("/auth/login", data={"email": f"guess{n}@example.com", "password": "nope nope"})
            timings.append(time.monotonic() - started)
            assert response.status_code == 422
        print("seconds per log-in with a silent Redis:", [round(t, 2) for t in timings])
        assert max(timings) < 6, timings
        # Flask-Limiter re-tries Redis now and then (1 s, 2 s, 4 s... apart);
        # in between, requests do not wait for it at all.
        assert sorted(timings)[len(timings) // 2] < 0.5, timings
    finally:
        limiter._storage_dead = False
        listener.close()
        for connection, _ in held:
            connection.close()
        with silent.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_dead_redis_does_not_slow_the_probes(dead_redis_app):
    client = dead_redis_app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


@pytest.mark.parametrize(
    "env, argv, expected",
    [
        ({}, ["/srv/.venv/bin/gunicorn", "--workers", "4", "wsgi:app"], 4),
        ({}, ["/srv/.venv/bin/gunicorn", "--workers=3", "wsgi:app"], 3),
        ({}, ["gunicorn", "-w", "2", "wsgi:app"], 2),
        ({}, ["gunicorn", "-w5", "wsgi:app"], 5),
        ({"WEB_CONCURRENCY": "6"}, ["gunicorn", "wsgi:app"], 6),
        ({"WEB_CONCURRENCY": "6"}, ["gunicorn", "-w", "1", "wsgi:app"], 1),
        ({"GUNICORN_CMD_ARGS": "--bind 0.0.0.0:8000 --workers 8"}, ["gunicorn", "wsgi:app"], 8),
        ({"GUNICORN_CMD_ARGS": "--workers 8"}, ["gunicorn", "-w", "2", "wsgi:app"], 2),
        ({}, ["gunicorn", "wsgi:app"], None),  # a gunicorn.conf.py may say anything
        ({}, ["/srv/.venv/bin/flask", "--app", "webapp", "run"], 1),
        ({}, ["uwsgi", "--processes", "4"], None),
        ({"WEB_CONCURRENCY": "lots"}, ["gunicorn", "wsgi:app"], None),
    ],
)
def test_worker_count(env, argv, expected):
    assert worker_count(env, argv) == expected


def test_memory_storage_under_several_workers_is_warned_about():
    message = limiter_warning("memory://", {"WEB_CONCURRENCY": "4"}, ["gunicorn", "wsgi:app"])
    assert "4 workers" in message and "redis://" in message


def test_memory_storage_with_an_unknown_worker_count_is_warned_about():
    message = limiter_warning("memory://", {}, ["gunicorn", "wsgi:app"])
    assert "per process" in message and "redis://" in message


@pytest.mark.parametrize(
    "uri, env, argv",
    [
        ("memory://", {}, ["gunicorn", "-w", "1", "wsgi:app"]),
        ("memory://", {}, ["flask", "run"]),
        ("redis://cache:6379/0", {"WEB_CONCURRENCY": "4"}, ["gunicorn", "wsgi:app"]),
    ],
)
def test_no_warning_when_limits_are_shared_or_there_is_one_process(uri, env, argv):
    assert limiter_warning(uri, env, argv) is None


def test_the_warning_is_logged_at_start(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("DOCKET_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("SECRET_KEY", KEY)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///" + str(tmp_path / "prod.sqlite3"))
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    with caplog.at_level(logging.WARNING):
        create_app()
    assert any("4 workers" in record.getMessage() for record in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        create_app({"TESTING": True})
    assert not any("redis://" in record.getMessage() for record in caplog.records), "tests stay quiet"
