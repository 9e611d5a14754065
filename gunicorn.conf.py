"""gunicorn settings for Docket: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Environment: WEB_CONCURRENCY (workers, default 2 x cores + 1), BIND (for
example ``0.0.0.0:8000``; several, comma-separated) or PORT (on 127.0.0.1),
DOCKET_LOG_FORMAT (text or json). Anything else can still be overridden on
the command line or in GUNICORN_CMD_ARGS, which gunicorn reads after this file.
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

from dotenv import load_dotenv

from webapp import _home  # the package only: no metrics code is imported yet


def _refuse(message: str):
    """Stop start-up once with a one-line message (exit 2, like wsgi.py)."""
    print(f"Docket cannot start: configuration: {message}", file=sys.stderr)
    sys.exit(2)


# The .env file that create_app() reads counts for these settings too.
load_dotenv(_home() / ".env")

# prometheus_client picks single- or multi-process mode when it is first
# imported, so the shared metrics folder must be named before the app (or
# anything else) imports it. A fresh one per server start, so counts from a
# previous run never mix in; child processes inherit the variable.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="docket-metrics-")
    os.environ["DOCKET_METRICS_DIR_IS_TEMPORARY"] = "1"
else:
    try:  # an operator's folder (on a tmpfs, say) may not exist yet
        os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
    except OSError as error:
        _refuse(f"PROMETHEUS_MULTIPROC_DIR: cannot create {error.filename!r}: {error.strerror}")


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (containers)
    except AttributeError:
        return os.cpu_count() or 1


def _workers() -> int:
    raw = os.environ.get("WEB_CONCURRENCY", "").strip()
    if not raw:
        return 2 * _cores() + 1
    if not raw.isdigit() or int(raw) < 1:
        _refuse(f"WEB_CONCURRENCY={raw!r} must be a whole number greater than zero")
    return int(raw)


def _bind() -> list[str]:
    if os.environ.get("BIND", "").strip():
        return [address.strip() for address in os.environ["BIND"].split(",") if address.strip()]
    port = os.environ.get("PORT", "8000").strip()
    if not port.isdigit() or not 0 < int(port) < 65536:
        _refuse(f"PORT={port!r} must be a port number (1-65535)")
    # Loopback unless told otherwise: a reverse proxy on this host talks to it.
    return [f"127.0.0.1:{port}"]


workers = _workers()
bind = _bind()
proc_name = "docket"
# gunicorn's run-time control socket sits at one fixed path per user, where a
# second instance on the host would take it over; Docket does not use it.
control_socket_disable = True
# Seconds: a request may run this long before its worker is killed and
# replaced; on restart, workers get as long to finish what they are doing.
timeout = 30
graceful_timeout = 30
keepalive = 5
# The app is imported once in the master and forked: workers start fast and
# share memory, and a broken app stops the master itself. post_fork below
# makes that safe for the database pool.
preload_app = True

accesslog = "-"  # stdout; gunicorn's own messages and the app's logs go to stderr
errorlog = "-"
loglevel = "info"
# gunicorn's default line plus the time taken and the id the app gave the response.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms rid=%({x-request-id}o)s'


if os.environ.get("DOCKET_LOG_FORMAT", "").strip().lower() == "json":
    # Every line JSON, gunicorn's own included, so one parser reads them all.
    from webapp.observability import JsonFormatter

    class _AccessJsonFormatter(JsonFormatter):
        """An access line as JSON, with the response's request id as a field of its own."""

        def format(self, record):
            if isinstance(record.args, dict):  # gunicorn logs the line's fields as a dict
                record.request_id = record.args.get("{x-request-id}o")
            return super().format(record)

    logconfig_dict = {
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
        },
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
            "access": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stdout"},
        },
        "formatters": {
            "json": {"()": JsonFormatter},
            "access": {"()": _AccessJsonFormatter},
        },
    }


def on_starting(server):
    """In the master, before any worker: a bad setting stops everything once.

    Left to the workers, each would fail on its own and be restarted forever.
    """
    from webapp import observability
    from webapp.config import ConfigError, from_environment

    # The same instance folder as create_app() uses (.env was read above).
    instance_path = os.path.abspath(os.environ.get("DOCKET_INSTANCE_PATH") or _home() / "instance")
    try:
        os.makedirs(instance_path, exist_ok=True)
        from_environment(instance_path, os.environ)
        observability.check_settings(os.environ)
    except ConfigError as error:
        print(f"Docket cannot start: {error.format_message()}", file=sys.stderr)
        sys.exit(2)
    if not os.environ.get("DOCKET_METRICS_DIR_IS_TEMPORARY"):
        # An operator's own folder may hold a previous run's files: start at zero.
        for stale in Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).glob("*.db"):
            stale.unlink()


def post_fork(server, worker):
    """A forked worker must not share the master's database connections."""
    if not server.cfg.preload_app:
        return
    app = server.app.wsgi()
    if hasattr(app, "app_context"):
        from webapp.extensions import db

        with app.app_context():
            # close=False: the connections belong to the master; closing
            # them here would cut them for it. The worker opens its own.
            db.engine.dispose(close=False)


def child_exit(server, worker):
    """Drop a dead worker's live gauges (pool use); its counters stay in the totals."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if os.environ.get("DOCKET_METRICS_DIR_IS_TEMPORARY"):
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
