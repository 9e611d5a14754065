"""Request ids, structured logs and Prometheus metrics.

- Every response carries ``X-Request-ID``: the caller's own id when it is
  sane, else a fresh one; every log line written during the request shows it.
- ``DOCKET_LOG_FORMAT=json`` turns log lines into one JSON object each.
- ``/metrics`` counts requests and their latency by endpoint and status, and
  shows the database pool. Under gunicorn, prometheus_client's multiprocess
  mode (``PROMETHEUS_MULTIPROC_DIR``, set up by gunicorn.conf.py) makes the
  numbers add up across workers, whichever worker answers the scrape.
"""

import ipaddress
import json
import logging
import os
import re
import secrets
import time
from datetime import datetime, timezone

from flask import Flask, abort, current_app, g, has_request_context, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import event

from .config import ConfigError
from .extensions import db, limiter

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_ENVIRON = "HTTP_X_REQUEST_ID"
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Ids from outside end up in logs: a strict shape keeps log injection
# (newlines, quotes, megabytes) out.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
DEFAULT_METRICS_ALLOW = "127.0.0.0/8,::1"
# Up to the worker timeout (30 s), so a request close to it still lands in a bucket.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
STARTED = "docket.started"
EXTENSION = "docket.observability"


# --- settings ------------------------------------------------------------


def log_format(raw: str | None) -> str:
    value = (raw or "text").strip().lower()
    if value not in LOG_FORMATS:
        raise ConfigError(f"DOCKET_LOG_FORMAT={raw!r} must be 'text' or 'json'")
    return value


def metrics_allow(raw: str | None) -> tuple:
    """The networks that may read /metrics (comma-separated addresses or CIDRs)."""
    networks = []
    for item in (raw if raw and raw.strip() else DEFAULT_METRICS_ALLOW).split(","):
        if not item.strip():
            continue
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            raise ConfigError(
                f"DOCKET_METRICS_ALLOW: {item.strip()!r} is not an IP address or network (e.g. 10.0.0.0/8)"
            ) from None
    return tuple(networks)


def multiprocess_dir(env) -> str | None:
    path = env.get("PROMETHEUS_MULTIPROC_DIR")
    if path and not os.path.isdir(path):
        # Checked here: otherwise every request would fail writing its metrics.
        raise ConfigError(f"PROMETHEUS_MULTIPROC_DIR={path!r} is not a directory")
    return path or None


def check_settings(env) -> dict:
    """Read and check this module's settings; gunicorn.conf.py calls it before any worker starts."""
    return {
        "log_format": log_format(env.get("DOCKET_LOG_FORMAT")),
        "metrics_allow": metrics_allow(env.get("DOCKET_METRICS_ALLOW")),
        "multiprocess_dir": multiprocess_dir(env),
    }


def register(app: Flask) -> None:
    """Wire request ids, logging and /metrics into the app."""
    env = dict(os.environ)
    for name in ("DOCKET_LOG_FORMAT", "DOCKET_METRICS_ALLOW"):
        if name in app.config:  # passed to create_app() directly
            env[name] = app.config[name]
    settings = check_settings(env)
    app.extensions[EXTENSION] = {
        "metrics": _metrics(multiprocess=settings["multiprocess_dir"] is not None),
        "allow": settings["metrics_allow"],
    }
    # Like create_app's logging.basicConfig: the process's log set-up is
    # left alone under test, where pytest owns the handlers.
    if not app.testing and not app.debug:
        apply_log_format(logging.getLogger().handlers, settings["log_format"])
    app.wsgi_app = _StartTime(app.wsgi_app)
    app.after_request(_finish_request)
    app.add_url_rule("/metrics", endpoint="metrics", view_func=metrics_view, methods=["GET"])
    with app.app_context():
        _watch_pool(db.engine, app.extensions[EXTENSION]["metrics"])


# --- request ids and logs ------------------------------------------------


def request_id() -> str:
    """This request's id: the caller's X-Request-ID when sane, else a new one (made once)."""
    if "request_id" not in g:
        given = request.environ.get(REQUEST_ID_ENVIRON, "")  # the header, without werkzeug's miss exception
        g.request_id = given if SANE_REQUEST_ID.fullmatch(given) else secrets.token_hex(16)
    return g.request_id


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to records logged while a request is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and not hasattr(record, "request_id"):
            record.request_id = request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id (+ exception)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # json.dumps escapes newlines inside values, so a traceback stays on one line.
        return json.dumps(entry, default=str)


def formatter(kind: str) -> logging.Formatter:
    if kind == "json":
        return JsonFormatter()
    return logging.Formatter(TEXT_FORMAT, defaults={"request_id": "-"})


def apply_log_format(handlers, kind: str) -> None:
    """Give these handlers the request id filter and the chosen format.

    A filter on a handler sees every record that reaches it, whichever logger
    wrote it (a filter on a logger would miss its children's records).
    """
    for handler in handlers:
        if not any(isinstance(existing, RequestIdFilter) for existing in handler.filters):
            handler.addFilter(RequestIdFilter())
        handler.setFormatter(formatter(kind))


# --- metrics -------------------------------------------------------------


class Metrics:
    def __init__(self, multiprocess: bool):
        self.multiprocess = multiprocess
        # (method, endpoint, status) -> that series' counter and histogram:
        # prometheus_client checks and locks on every labels() call.
        self._series = {}
        # Multiprocess mode keeps values in files, not in a registry; each app
        # otherwise gets its own registry, so many apps in one process (the
        # test suite) never collide on "Duplicated timeseries".
        self.registry = None if multiprocess else CollectorRegistry()
        labels = ("method", "endpoint", "status")
        self.requests = Counter(
            "docket_http_requests", "HTTP requests answered", labels, registry=self.registry
        )
        self.latency = Histogram(
            "docket_http_request_duration_seconds", "Time to answer an HTTP request",
            labels, registry=self.registry, buckets=LATENCY_BUCKETS,
        )
        # livesum: the sum over live workers (a dead worker's share is dropped
        # by gunicorn.conf.py's child_exit hook).
        self.pool_size = Gauge(
            "docket_db_pool_size", "Connections the database pool keeps open",
            registry=self.registry, multiprocess_mode="livesum",
        )
        self.pool_checked_out = Gauge(
            "docket_db_pool_checked_out", "Database connections in use",
            registry=self.registry, multiprocess_mode="livesum",
        )

        self._written = {}  # gauge -> the value it holds in this process
        self._written_by = os.getpid()

    def set_gauge(self, gauge: Gauge, value: float) -> None:
        """Set a gauge unless it holds that value already (each write is a
        locked file update in multiprocess mode, and the pool's size, say,
        rarely changes). A forked worker starts its own files at zero, so
        what its parent wrote does not count."""
        if self._written_by != os.getpid():
            self._written, self._written_by = {}, os.getpid()
        if self._written.get(gauge) != value:
            gauge.set(value)
            self._written[gauge] = value

    def count_request(self, labels: tuple, seconds: float | None) -> None:
        series = self._series.get(labels)
        if series is None:
            series = self._series[labels] = (self.requests.labels(*labels), self.latency.labels(*labels))
        series[0].inc()
        if seconds is not None:
            series[1].observe(seconds)

    def exposition(self) -> bytes:
        if not self.multiprocess:
            return generate_latest(self.registry)
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # reads every worker's files
        return generate_latest(registry)


_multiprocess_metrics: Metrics | None = None


def _metrics(multiprocess: bool) -> Metrics:
    global _multiprocess_metrics
    if not multiprocess:
        return Metrics(multiprocess=False)
    # One set per process: two objects for one metric would overwrite each
    # other's values in the shared file.
    if _multiprocess_metrics is None:
        _multiprocess_metrics = Metrics(multiprocess=True)
    return _multiprocess_metrics


class _StartTime:
    """Notes when a request arrives, before any hook (the limiter, CSRF) runs."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        environ[STARTED] = time.perf_counter()
        return self.wsgi_app(environ, start_response)


def _finish_request(response):
    response.headers[REQUEST_ID_HEADER] = request_id()
    metrics = current_app.extensions[EXTENSION]["metrics"]
    # The rule, not the path: arbitrary URLs must not become new time series.
    endpoint = request.url_rule.endpoint if request.url_rule else "unmatched"
    started = request.environ.get(STARTED)
    # Any word can be sent as a method: the unusual ones share one series.
    method = request.method if request.method in HTTP_METHODS else "other"
    metrics.count_request(
        (method, endpoint, str(response.status_code)),
        time.perf_counter() - started if started is not None else None,
    )
    return response


def _watch_pool(engine, metrics: Metrics) -> None:
    """Keep the pool gauges current from the pool's own events.

    Event-driven rather than read at scrape time: in multiprocess mode the
    scrape runs in one worker, but every worker's pool must be seen.
    """
    checked_out = set()
    write = metrics.set_gauge

    def checkout(dbapi_connection, record, proxy):
        # A set, not a counter: a checkout retried after a failed ping fires twice.
        checked_out.add(id(record))
        write(metrics.pool_checked_out, len(checked_out))
        size = getattr(engine.pool, "size", None)
        if callable(size):  # QueuePool; SQLite's and test pools may have no size
            write(metrics.pool_size, size())

    def checkin(dbapi_connection, record):
        checked_out.discard(id(record))
        write(metrics.pool_checked_out, len(checked_out))

    # Listening on the engine follows its pool through dispose() and recreate.
    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)


def _allowed(address: str | None, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:  # ::ffff:127.0.0.1 from a dual-stack socket
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)


@limiter.exempt
def metrics_view():
    """Prometheus text format, for the addresses in DOCKET_METRICS_ALLOW only."""
    state = current_app.extensions[EXTENSION]
    if not _allowed(request.remote_addr, state["allow"]):
        abort(404)  # as if there were nothing here
    body = state["metrics"].exposition()
    return body, 200, {"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"}
