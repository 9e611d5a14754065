"""Request ids, log lines that carry them, JSON logs and /metrics (issue 9, item 7)."""

import json
import logging
import re

import pytest
import sqlalchemy as sa
from conftest import make_app
from flask_limiter import ExemptionScope
from prometheus_client.parser import text_string_to_metric_families

from webapp import observability
from webapp.config import ConfigError
from webapp.extensions import db, limiter

GENERATED_ID = re.compile(r"[0-9a-f]{32}")
OUTSIDER = {"REMOTE_ADDR": "203.0.113.7"}  # TEST-NET-3: not loopback


def scrape(client, **kwargs) -> dict:
    """/metrics as {(name, sorted label items): value}."""
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/plain"
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def requests_counted(samples, endpoint, status, method="GET") -> float:
    key = ("docket_http_requests_total", (("endpoint", endpoint), ("method", method), ("status", str(status))))
    return samples.get(key, 0.0)


# --- request ids -----------------------------------------------------------


def test_a_sane_request_id_is_kept(client):
    response = client.get("/healthz", headers={"X-Request-ID": "edge-42.a_B"})
    assert response.headers["X-Request-ID"] == "edge-42.a_B"


def test_a_request_id_is_generated_when_none_is_given(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert GENERATED_ID.fullmatch(first) and GENERATED_ID.fullmatch(second)
    assert first != second


@pytest.mark.parametrize(
    "given",
    ["", "has space", "x" * 129, "quote\"s", "semi;colon", "<script>", "caf\u00e9", "a/b"],
)
def test_an_unsafe_request_id_is_replaced(client, given):
    """Ids end up in log lines: anything outside 1-128 of [A-Za-z0-9._-] is not trusted."""
    response = client.get("/healthz", headers={"X-Request-ID": given})
    assert GENERATED_ID.fullmatch(response.headers["X-Request-ID"])


def test_the_longest_sane_request_id_is_kept(client):
    given = "a" * 128
    assert client.get("/healthz", headers={"X-Request-ID": given}).headers["X-Request-ID"] == given


@pytest.mark.parametrize(
    "method, path, status",
    [("GET", "/no-such-page", 404), ("POST", "/healthz", 405), ("GET", "/tasks", 303), ("POST", "/auth/login", 400)],
)
def test_error_pages_and_redirects_carry_a_request_id_too(client, method, path, status):
    response = client.post(path, csrf=False) if method == "POST" else client.get(path)
    assert response.status_code == status
    assert GENERATED_ID.fullmatch(response.headers["X-Request-ID"])


# --- logs ------------------------------------------------------------------


def add_logging_route(application):
    """A view that writes a warning with a traceback, as real failures do."""

    def noisy():
        try:
            raise ValueError("the cause")
        except ValueError:
            logging.getLogger("webapp.noisy").warning("something to look at", exc_info=True)
        return "logged"

    application.add_url_rule("/_noisy", "noisy", noisy)


@pytest.fixture
def production_logging_app(variant_app, monkeypatch):
    """An app that, like production, sets up the process's log handlers (not TESTING).

    Made inside the test, so the handlers it styles are the ones pytest's
    caplog captures with during the test.
    """

    styled = []

    def make(log_format=None):
        if log_format:
            monkeypatch.setenv("DOCKET_LOG_FORMAT", log_format)
        else:
            monkeypatch.delenv("DOCKET_LOG_FORMAT", raising=False)
        # pytest keeps its handlers for the whole session: note how they were.
        styled.extend((h, h.formatter, list(h.filters)) for h in logging.getLogger().handlers)
        application = variant_app(TESTING=False, PASSWORD_HASH_METHOD="argon2id")
        add_logging_route(application)
        return application

    yield make
    for handler, formatter, filters in styled:
        handler.setFormatter(formatter)
        handler.filters[:] = filters


def test_a_log_line_written_during_a_request_shows_its_id(production_logging_app, caplog):
    application = production_logging_app()
    caplog.clear()
    with caplog.at_level(logging.INFO):
        response = application.test_client().get("/_noisy", headers={"X-Request-ID": "trace-me-1"})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "trace-me-1"
    [record] = [r for r in caplog.records if r.name == "webapp.noisy"]
    assert record.request_id == "trace-me-1"
    [line] = [line for line in caplog.text.splitlines() if "something to look at" in line]
    assert "[trace-me-1]" in line
    assert "WARNING webapp.noisy" in line


def test_json_log_lines_parse_and_carry_the_request_id(production_logging_app, caplog):
    application = production_logging_app("json")
    caplog.clear()
    with caplog.at_level(logging.INFO):
        response = application.test_client().get("/_noisy")
    request_id = response.headers["X-Request-ID"]
    lines = caplog.text.splitlines()
    assert lines, "nothing was logged"
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    [entry] = [e for e in entries if e["message"] == "something to look at"]
    assert entry["request_id"] == request_id
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "webapp.noisy"
    assert "ValueError: the cause" in entry["exception"]
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$", entry["time"])


def test_json_formatter_outside_a_request():
    record = logging.LogRecord("webapp", logging.ERROR, __file__, 1, "line one\nline two %s", ("x",), None)
    output = observability.JsonFormatter().format(record)
    assert "\n" not in output
    entry = json.loads(output)
    assert entry["message"] == "line one\nline two x"
    assert entry["request_id"] is None
    assert "exception" not in entry


def test_text_formatter_outside_a_request():
    record = logging.LogRecord("webapp", logging.INFO, __file__, 1, "hello", (), None)
    assert observability.formatter("text").format(record).endswith("INFO webapp [-]: hello")


def test_the_log_format_is_left_alone_under_test(variant_app, caplog):
    """TESTING apps (like create_app's logging) do not restyle the process's handlers."""
    handlers = logging.getLogger().handlers
    assert caplog.handler in handlers
    before = [(h, h.formatter, list(h.filters)) for h in handlers]
    variant_app(DOCKET_LOG_FORMAT="json")
    assert [(h, h.formatter, list(h.filters)) for h in logging.getLogger().handlers] == before


@pytest.mark.parametrize("value", ["xml", "JSONL", "1"])
def test_a_bad_log_format_stops_start_up_with_one_line(sqlite_url, monkeypatch, tmp_path, value):
    monkeypatch.setenv("DOCKET_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DOCKET_LOG_FORMAT", value)
    with pytest.raises(ConfigError) as raised:
        make_app(sqlite_url)
    message = raised.value.format_message()
    assert message == f"configuration: DOCKET_LOG_FORMAT={value!r} must be 'text' or 'json'"


@pytest.mark.parametrize("value", ["json", "text", " JSON ", ""])
def test_good_log_formats_are_accepted(value):
    assert observability.check_settings({"DOCKET_LOG_FORMAT": value})["log_format"] in ("json", "text")


# --- /metrics --------------------------------------------------------------


def test_metrics_count_requests_by_endpoint_and_status(client):
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert client.get("/no-such-page").status_code == 404
    assert client.post("/healthz", csrf=False).status_code == 405
    samples = scrape(client)
    assert requests_counted(samples, "health.healthz", 200) == 3
    # Unknown paths share one label, so scanners cannot mint new time series.
    assert requests_counted(samples, "unmatched", 404) == 1
    assert requests_counted(samples, "unmatched", 405, method="POST") == 1
    latency = ("docket_http_request_duration_seconds_count",
               (("endpoint", "health.healthz"), ("method", "GET"), ("status", "200")))
    assert samples[latency] == 3
    # The scrape itself is counted once it has been answered.
    assert requests_counted(scrape(client), "metrics", 200) == 1


def test_made_up_methods_share_one_series(client):
    """A client can send any word as the method: each must not become a time
    series of its own (memory that grows with every scanner)."""
    for word in ("FOO", "BAR", "PROPFIND", "X" * 40):
        client.open("/healthz", method=word)
    samples = scrape(client)
    methods = {dict(labels).get("method") for (name, labels) in samples if name == "docket_http_requests_total"}
    assert "other" in methods
    assert not methods & {"FOO", "BAR", "PROPFIND", "X" * 40}
    assert requests_counted(samples, "unmatched", 405, method="other") == 4


def test_metrics_show_the_database_pool(app, client):
    assert client.get("/readyz").status_code == 200
    samples = scrape(client)
    assert samples[("docket_db_pool_size", ())] >= 1
    assert samples[("docket_db_pool_checked_out", ())] == 0
    # A connection held elsewhere in this process shows as checked out.
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))
        assert scrape(client)[("docket_db_pool_checked_out", ())] == 1
        db.session.remove()
    assert scrape(client)[("docket_db_pool_checked_out", ())] == 0


def test_metrics_are_refused_to_other_addresses(client):
    response = client.get("/metrics", environ_overrides=OUTSIDER)
    assert response.status_code == 404
    assert "docket_http_requests" not in response.get_data(as_text=True)
    assert response.headers["X-Request-ID"]


def test_metrics_answer_ipv6_loopback(client):
    assert client.get("/metrics", environ_overrides={"REMOTE_ADDR": "::1"}).status_code == 200


def test_metrics_allow_list_is_configurable(variant_app):
    application = variant_app(DOCKET_METRICS_ALLOW="203.0.113.0/24, 2001:db8::/32")
    client = application.test_client()
    assert client.get("/metrics", environ_overrides=OUTSIDER).status_code == 200
    assert client.get("/metrics", environ_overrides={"REMOTE_ADDR": "2001:db8::5"}).status_code == 200
    # Loopback is no longer on the list.
    assert client.get("/metrics").status_code == 404


@pytest.mark.parametrize("value", ["localhost", "10.0.0.0/33", "127.0.0.1;10.0.0.1"])
def test_a_bad_metrics_allow_list_stops_start_up(sqlite_url, monkeypatch, tmp_path, value):
    monkeypatch.setenv("DOCKET_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DOCKET_METRICS_ALLOW", value)
    with pytest.raises(ConfigError, match="DOCKET_METRICS_ALLOW") as raised:
        make_app(sqlite_url)
    assert "\n" not in raised.value.format_message()


def test_metrics_need_no_login_and_no_rate_limit(app, client):
    assert client.get("/metrics").status_code == 200  # anonymous, not redirected
    scope = limiter.limit_manager.exemption_scope(app, "metrics", None)
    assert scope & ExemptionScope.DEFAULT and scope & ExemptionScope.APPLICATION


def test_each_app_counts_on_its_own(variant_app, client):
    """Many apps in one process: no "Duplicated timeseries", no shared counts."""
    others = [variant_app() for _ in range(3)]
    client.get("/healthz")
    for other in others:
        assert requests_counted(scrape(other.test_client()), "health.healthz", 200) == 0
    assert requests_counted(scrape(client), "health.healthz", 200) == 1
