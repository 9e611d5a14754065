"""Behind N trusted proxies the client's address and scheme come from
X-Forwarded-For / X-Forwarded-Proto; with none, those headers are ignored.
The log-in rate limit then counts per real client."""

import pytest
from flask import request

from conftest import PASSWORD
from webapp.config import ConfigError, from_environment

KEY = "k" * 32
PROXY = "10.0.0.2"  # the address every request arrives from: the proxy's
LIMIT = 10  # the default LOGIN_RATE_LIMIT: "10 per minute"


def with_probe(app):
    """Add a route that reports what the app believes about the request."""

    @app.get("/_probe")
    def probe():
        return {"remote_addr": request.remote_addr, "scheme": request.scheme, "host": request.host}

    return app


def probe(app, **headers):
    response = app.test_client().get("/_probe", headers=headers, environ_base={"REMOTE_ADDR": PROXY})
    assert response.status_code == 200
    return response.get_json()


@pytest.mark.parametrize("raw, expected", [(None, 0), ("0", 0), ("1", 1), (" 2 ", 2)])
def test_trusted_proxies_setting(tmp_path, raw, expected):
    env = {"SECRET_KEY": KEY} if raw is None else {"SECRET_KEY": KEY, "DOCKET_TRUSTED_PROXIES": raw}
    assert from_environment(str(tmp_path), env)["DOCKET_TRUSTED_PROXIES"] == expected


@pytest.mark.parametrize("raw", ["-1", "one", "1.5", ""])
def test_a_bad_proxy_count_stops_the_app_with_one_line(tmp_path, raw):
    with pytest.raises(ConfigError, match="DOCKET_TRUSTED_PROXIES") as caught:
        from_environment(str(tmp_path), {"SECRET_KEY": KEY, "DOCKET_TRUSTED_PROXIES": raw})
    assert "\n" not in caught.value.format_message()


def test_without_trusted_proxies_forwarded_headers_are_ignored(variant_app):
    app = with_probe(variant_app())
    seen = probe(app, **{"X-Forwarded-For": "203.0.113.5", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"})
    assert seen["remote_addr"] == PROXY
    assert seen["scheme"] == "http"
    assert seen["host"] == "localhost"


def test_one_trusted_proxy_gives_the_client_address_and_scheme(variant_app):
    app = with_probe(variant_app(DOCKET_TRUSTED_PROXIES=1))
    seen = probe(app, **{"X-Forwarded-For": "203.0.113.5", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"})
    assert seen["remote_addr"] == "203.0.113.5"
    assert seen["scheme"] == "https"
    assert seen["host"] == "localhost", "X-Forwarded-Host is never trusted"


def test_a_client_cannot_forge_its_address_past_the_proxy(variant_app):
    """The proxy appends the real peer; anything the client put before it is not believed."""
    app = with_probe(variant_app(DOCKET_TRUSTED_PROXIES=1))
    assert probe(app, **{"X-Forwarded-For": "198.51.100.66, 203.0.113.5"})["remote_addr"] == "203.0.113.5"
    two = with_probe(variant_app(DOCKET_TRUSTED_PROXIES=2))
    assert probe(two, **{"X-Forwarded-For": "198.51.100.66, 203.0.113.5, 10.0.0.1"})["remote_addr"] == "203.0.113.5"


def failed_login(client, n, forwarded_for):
    return client.post(
        "/auth/login",
        data={"email": f"guess{n}@example.com", "password": "wrong password"},
        headers={"X-Forwarded-For": forwarded_for},
        environ_base={"REMOTE_ADDR": PROXY},
    )


def login_as_ada(client, forwarded_for):
    return client.post(
        "/auth/login",
        data={"email": "ada@example.com", "password": PASSWORD},
        headers={"X-Forwarded-For": forwarded_for},
        environ_base={"REMOTE_ADDR": PROXY},
    )


def registered_client(app):
    client = app.test_client()
    data = {"email": "ada@example.com", "password": PASSWORD, "password_confirm": PASSWORD}
    assert client.post("/auth/register", data=data, environ_base={"REMOTE_ADDR": PROXY}).status_code == 303
    assert client.post("/auth/logout", environ_base={"REMOTE_ADDR": PROXY}).status_code == 303
    return client


def test_behind_a_proxy_the_login_limit_counts_per_client(variant_app):
    client = registered_client(variant_app(DOCKET_TRUSTED_PROXIES=1))
    for n in range(LIMIT):
        # A different email each time: only the per-address limit is in play.
        assert failed_login(client, n, "203.0.113.5").status_code == 422
    assert failed_login(client, LIMIT, "203.0.113.5").status_code == 429
    # Everyone else behind the same proxy can still log in.
    assert login_as_ada(client, "203.0.113.9").status_code == 303


def test_without_trusted_proxies_the_header_does_not_dodge_the_limit(variant_app):
    """A client cannot reset its count by sending a new X-Forwarded-For each time."""
    client = registered_client(variant_app())
    for n in range(LIMIT):
        assert failed_login(client, n, f"203.0.113.{n}").status_code == 422
    assert failed_login(client, LIMIT, "203.0.113.200").status_code == 429
    assert login_as_ada(client, "203.0.113.9").status_code == 429
