"""gunicorn.conf.py under a real gunicorn: request ids in the access log,
metrics summed across workers, JSON logs, and a bad setting that stops the
server once instead of restarting workers forever (issue 9, item 5)."""

import json
import os
import re
import runpy
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONF = PROJECT_ROOT / "gunicorn.conf.py"
# What the test sets itself; anything the caller's shell exports is dropped.
OWN_SETTINGS = (
    "DATABASE_URL", "SECRET_KEY", "DOCKET_INSTANCE_PATH", "DOCKET_LOG_FORMAT", "DOCKET_METRICS_ALLOW",
    "PROMETHEUS_MULTIPROC_DIR", "DOCKET_METRICS_DIR_IS_TEMPORARY", "WEB_CONCURRENCY", "BIND", "PORT",
    "GUNICORN_CMD_ARGS", "RATELIMIT_STORAGE_URI", "DOCKET_TRUSTED_PROXIES",
)
START_TIMEOUT = 90  # seconds; importing the app takes several on a busy 2-core machine
GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(tmp_path, **settings) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in OWN_SETTINGS}
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    env.update(
        DOCKET_INSTANCE_PATH=str(instance),
        DATABASE_URL="sqlite:///" + str(instance / "docket.sqlite3"),
        SECRET_KEY="gunicorn-test-secret-key-0123456789",
        PORT=str(free_port()),
        TMPDIR=str(tmp_path / "tmp"),  # where the conf file makes its metrics folder
    )
    (tmp_path / "tmp").mkdir(exist_ok=True)
    env.update(settings)
    return env


def migrate(env):
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "webapp", "db", "upgrade"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180,
    )
    assert done.returncode == 0, done.stderr


class Server:
    """A gunicorn master started with ``-c gunicorn.conf.py``; output kept in files."""

    def __init__(self, tmp_path, env, name="server"):
        self.env = env
        self.url = f"http://127.0.0.1:{env['PORT']}"
        self.stdout_path = tmp_path / f"{name}.stdout"
        self.stderr_path = tmp_path / f"{name}.stderr"
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(CONF), "wsgi:app"],
                cwd=PROJECT_ROOT, env=env, stdout=out, stderr=err,
                start_new_session=True,  # its own process group, so cleanup reaches the workers
            )

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text()

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def get(self, path, headers=None):
        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def wait_until_up(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"gunicorn exited early:\n{self.stderr}"
            try:
                return self.get("/healthz")
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"gunicorn did not answer within {START_TIMEOUT} s:\n{self.stderr}")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)

    def kill(self):
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)


@pytest.fixture
def start(tmp_path):
    servers = []

    def start_server(env, name="server"):
        server = Server(tmp_path, env, name)
        servers.append(server)
        return server

    yield start_server
    for server in servers:
        server.kill()


def request_totals(body: str, endpoint: str) -> float:
    total = 0.0
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if sample.name == "docket_http_requests_total" and sample.labels["endpoint"] == endpoint:
                total += sample.value
    return total


def test_two_workers_request_ids_access_log_and_metrics(tmp_path, start):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    # A previous run's file in the operator's folder must not count.
    (metrics_dir / "counter_99999.db").write_bytes(b"left over from an earlier run")
    env = server_env(tmp_path, WEB_CONCURRENCY="2", PROMETHEUS_MULTIPROC_DIR=str(metrics_dir))
    migrate(env)
    server = start(env)
    status, _, body = server.wait_until_up()
    assert (status, body) == (200, "ok")
    healthz_answered = 1

    status, headers, _ = server.get("/healthz", {"X-Request-ID": "from-the-edge-7"})
    assert status == 200 and headers["X-Request-ID"] == "from-the-edge-7"
    status, headers, _ = server.get("/readyz")
    assert status == 200 and GENERATED_ID.fullmatch(headers["X-Request-ID"])
    generated = headers["X-Request-ID"]
    healthz_answered += 1

    # Concurrent requests until both workers have served some (each worker
    # writes its own counter file), bounded in rounds.
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(10):
            statuses = list(pool.map(lambda _: server.get("/healthz")[0], range(40)))
            assert statuses == [200] * 40
            healthz_answered += 40
            if len(list(metrics_dir.glob("counter_*.db"))) >= 2:
                break
    worker_files = list(metrics_dir.glob("counter_*.db"))
    assert len(worker_files) == 2, worker_files
    assert not (metrics_dir / "counter_99999.db").exists()

    status, headers, body = server.get("/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain")
    # Whichever worker answered, the count is every worker's.
    assert request_totals(body, "health.healthz") == healthz_answered
    assert request_totals(body, "health.readyz") == 1
    # The pool gauge sums the workers that have used the database.
    assert "docket_db_pool_size" in body

    assert server.stop() == 0
    access_log = server.stdout
    assert re.search(r'"GET /healthz HTTP/1.1" 200 .* rid=from-the-edge-7$', access_log, re.M), access_log
    assert re.search(rf'"GET /readyz HTTP/1.1" 200 .* rid={generated}$', access_log, re.M)
    assert access_log.count("GET /healthz") >= healthz_answered
    # Two workers, each booted once: nothing crashed and was restarted.
    assert server.stderr.count("Booting worker") == 2


def session_cookie(secret_key: str, user_id: str) -> str:
    """A signed Flask session that claims a logged-in user, as a browser would send it."""
    signer = Flask(__name__)
    signer.secret_key = secret_key
    return signer.session_interface.get_signing_serializer(signer).dumps({"_user_id": user_id})


def test_json_logs_under_gunicorn(tmp_path, start):
    """Every line JSON; a line the app logs during a request carries that request's id."""
    # A database that cannot be opened: loading the logged-in user fails, and
    # the app logs "database unavailable" while it answers 503.
    env = server_env(
        tmp_path, WEB_CONCURRENCY="2", DOCKET_LOG_FORMAT="json",
        DATABASE_URL="sqlite:////nonexistent-docket-dir/nowhere.sqlite3",
    )
    server = start(env)
    server.wait_until_up()
    # <user>:<secret>:<sign-in>: well formed, so loading it reaches the database.
    cookie = session_cookie(env["SECRET_KEY"], "some-user:some-token:00000000-0000-4000-8000-000000000000")
    status, headers, _ = server.get("/tasks", {"X-Request-ID": "json-line-1", "Cookie": f"session={cookie}"})
    assert status == 503
    assert headers["X-Request-ID"] == "json-line-1"
    assert server.stop() == 0

    access = [json.loads(line) for line in server.stdout.splitlines()]
    [entry] = [e for e in access if "GET /tasks" in e["message"]]
    assert entry["request_id"] == "json-line-1"
    assert entry["logger"] == "gunicorn.access"
    # gunicorn's own lines and the app's alike.
    logged = [json.loads(line) for line in server.stderr.splitlines()]
    assert {"gunicorn.error", "webapp"} <= {e["logger"] for e in logged}  # webapp: the limiter warning
    [failure] = [e for e in logged if e["message"].startswith("database unavailable")]
    assert failure["request_id"] == "json-line-1"
    assert failure["level"] == "WARNING"
    # The metrics folder this server made for itself is gone with it.
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.mark.parametrize(
    "setting, message",
    [
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL must be a postgresql:// or sqlite:// URL, not 'mysql'"),
        ({"DOCKET_LOG_FORMAT": "yaml"}, "DOCKET_LOG_FORMAT='yaml' must be 'text' or 'json'"),
        # (a WEB_CONCURRENCY that is no number at all, gunicorn itself refuses on import)
        ({"WEB_CONCURRENCY": "0"}, "WEB_CONCURRENCY='0' must be a whole number greater than zero"),
    ],
)
def test_a_bad_setting_stops_gunicorn_once(tmp_path, start, setting, message):
    server = start(server_env(tmp_path, **{"WEB_CONCURRENCY": "2", **setting}))
    try:
        code = server.process.wait(timeout=START_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"gunicorn is still running with {setting}:\n{server.stderr}")
    stderr = server.stderr
    assert code == 2, stderr
    assert stderr.count(f"Docket cannot start: configuration: {message}\n") == 1, stderr
    assert "Booting worker" not in stderr
    assert "Traceback" not in stderr


def load_conf(monkeypatch, tmp_path, **env):
    """Run gunicorn.conf.py in this process, as gunicorn does, with these settings."""
    for name in OWN_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    # Named beforehand, so the file does not set it for the rest of the test run.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    monkeypatch.setenv("DOCKET_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("SECRET_KEY", "in-process-secret-key-0123456789")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_defaults(monkeypatch, tmp_path):
    conf = load_conf(monkeypatch, tmp_path)
    assert conf["workers"] == 2 * len(os.sched_getaffinity(0)) + 1
    assert conf["bind"] == ["127.0.0.1:8000"]
    assert conf["preload_app"] is True
    assert conf["timeout"] == 30 and conf["graceful_timeout"] == 30 and conf["keepalive"] == 5
    assert "%({x-request-id}o)s" in conf["access_log_format"]
    assert conf["accesslog"] == "-"
    assert "logconfig_dict" not in conf  # text logs: gunicorn's own format
    assert (tmp_path / "metrics").is_dir()


def test_settings_from_the_environment(monkeypatch, tmp_path):
    conf = load_conf(monkeypatch, tmp_path, WEB_CONCURRENCY="3", PORT="9001")
    assert conf["workers"] == 3
    assert conf["bind"] == ["127.0.0.1:9001"]
    conf = load_conf(monkeypatch, tmp_path, BIND="0.0.0.0:8080, [::]:8080", PORT="9001")
    assert conf["bind"] == ["0.0.0.0:8080", "[::]:8080"]


@pytest.mark.parametrize("env", [{"WEB_CONCURRENCY": "0"}, {"WEB_CONCURRENCY": "-1"}, {"PORT": "http"}, {"PORT": "70000"}])
def test_bad_server_settings_stop_start_up(monkeypatch, tmp_path, capsys, env):
    with pytest.raises(SystemExit) as stopped:
        load_conf(monkeypatch, tmp_path, **env)
    assert stopped.value.code == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("Docket cannot start: configuration: ")


@pytest.mark.parametrize(
    "env, needle",
    [
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"DOCKET_METRICS_ALLOW": "everyone"}, "DOCKET_METRICS_ALLOW"),
        ({"DOCKET_LOG_FORMAT": "xml"}, "DOCKET_LOG_FORMAT"),
    ],
)
def test_on_starting_checks_every_setting_in_the_master(monkeypatch, tmp_path, capsys, env, needle):
    """The hook that runs before any worker exists; without preload it is the only guard."""
    conf = load_conf(monkeypatch, tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as stopped:
        conf["on_starting"](None)
    assert stopped.value.code == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"Docket cannot start: configuration: {needle}")


def test_on_starting_empties_an_operators_metrics_folder(monkeypatch, tmp_path):
    conf = load_conf(monkeypatch, tmp_path)
    stale = tmp_path / "metrics" / "counter_12345.db"
    stale.write_bytes(b"old")
    keep = tmp_path / "metrics" / "README"
    keep.write_text("not ours")
    conf["on_starting"](None)
    assert not stale.exists()
    assert keep.exists()


def test_post_fork_gives_the_worker_its_own_pool(monkeypatch, tmp_path, app):
    """Preloaded, the app's pool was made in the master: a worker starts a new one,
    leaving the master's connections open (closing them would cut them for it)."""
    from webapp.extensions import db

    conf = load_conf(monkeypatch, tmp_path)
    server = SimpleNamespace(cfg=SimpleNamespace(preload_app=True), app=SimpleNamespace(wsgi=lambda: app))
    with app.app_context():
        masters_pool = db.engine.pool
        pooled = db.engine.raw_connection()
        masters_connection = pooled.driver_connection
        pooled.close()  # back into the master's pool, still open
    conf["post_fork"](server, SimpleNamespace(pid=os.getpid()))
    with app.app_context():
        assert db.engine.pool is not masters_pool
    cursor = masters_connection.cursor()
    cursor.execute("SELECT 1")  # not closed by the worker
    assert cursor.fetchone()[0] == 1
    cursor.close()
    masters_connection.close()


def test_child_exit_drops_a_dead_workers_live_gauges(monkeypatch, tmp_path):
    conf = load_conf(monkeypatch, tmp_path)
    gauge = tmp_path / "metrics" / "gauge_livesum_4242.db"
    counter = tmp_path / "metrics" / "counter_4242.db"
    gauge.write_bytes(b"")
    counter.write_bytes(b"")
    conf["child_exit"](None, SimpleNamespace(pid=4242))
    assert not gauge.exists()
    assert counter.exists()  # its requests still count in the totals
