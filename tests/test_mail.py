"""Outgoing mail, for real: plain SMTP, SMTPS and STARTTLS with a login, to
an aiosmtpd server on loopback; a mail server that is down is logged, never
a 500; without SMTP_URL the mail goes to the log. And the settings that
configure it (SMTP_URL, MAIL_FROM, DOCKET_BASE_URL, FORGOT_RATE_LIMIT)."""

import logging
import socket
import ssl
import subprocess

import pytest

from conftest import PASSWORD, Mailbox, links_in
from webapp import mail
from webapp.config import ConfigError, SmtpSettings, base_url, from_environment, mail_from, smtp_settings

# -- delivery ---------------------------------------------------------------------


def send_one(app, to="ada@example.com"):
    with app.test_request_context():
        mail.send(to, "Hello from Docket", "A line of text.\nAnd a link: " + mail.link("auth.login"))
    assert mail.wait_until_sent(10)


def test_plain_smtp_delivers_a_well_formed_message(app, smtp_server):
    smtp_server.configure(app, base_url="https://docket.example.com")
    send_one(app)
    [message] = smtp_server.wait_for(1)
    assert message["From"] == "Docket <docket@example.com>"
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == "Hello from Docket"
    assert message["Date"] and message["Message-ID"]
    assert message.get_content_type() == "text/plain"
    assert links_in(message) == ["https://docket.example.com/auth/login"]
    assert smtp_server.deliveries == [{"tls": False, "login": None}]


@pytest.fixture
def certificate(tmp_path, monkeypatch):
    """A self-signed certificate for 127.0.0.1, trusted by this process
    (ssl.create_default_context reads SSL_CERT_FILE), and a server context."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def accept_only(login: bytes, password: bytes):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (login, password)
        return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)

    return authenticate


@pytest.fixture
def tls_server(certificate):
    servers = []

    def start(**options):
        server = Mailbox(authenticator=accept_only(b"docket", b"s3cret:pass"), **options)
        servers.append(server)
        return server

    yield start
    mail.wait_until_sent(10)
    for server in servers:
        server.stop()


def test_smtps_logs_in_over_tls_from_the_start(app, tls_server, certificate):
    # TLS from the first byte, so the server need not insist on STARTTLS before AUTH.
    server = tls_server(ssl_context=certificate, auth_require_tls=False)
    server.configure(app, scheme="smtps", username="docket", password="s3cret:pass")
    send_one(app)
    server.wait_for(1)
    assert server.deliveries == [{"tls": True, "login": b"docket"}]


def test_starttls_upgrades_then_logs_in(app, tls_server, certificate):
    server = tls_server(tls_context=certificate, require_starttls=True, auth_required=True)
    server.configure(app, scheme="smtp+starttls", username="docket", password="s3cret:pass")
    send_one(app)
    server.wait_for(1)
    assert server.deliveries == [{"tls": True, "login": b"docket"}]


def test_a_wrong_smtp_password_is_logged_not_raised(app, tls_server, certificate, caplog):
    server = tls_server(tls_context=certificate, require_starttls=True, auth_required=True)
    server.configure(app, scheme="smtp+starttls", username="docket", password="wrong")
    with caplog.at_level(logging.ERROR, logger="webapp.mail"):
        send_one(app)
    assert server.messages == []
    assert "could not send mail 'Hello from Docket' to ada@example.com" in caplog.text


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_mail_server_that_is_down_is_logged_and_the_page_still_answers(app, client, auth, caplog):
    assert auth.register().status_code == 303
    assert auth.logout().status_code == 303
    app.config.update(SMTP=SmtpSettings("smtp", "127.0.0.1", free_port(), None, None),
                      DOCKET_BASE_URL="https://docket.example.com")
    with caplog.at_level(logging.ERROR, logger="webapp.mail"):
        response = client.post("/auth/forgot", data={"email": "ada@example.com"})
        assert response.status_code == 303
        assert mail.wait_until_sent(10)
    assert "could not send mail 'Reset your Docket password' to ada@example.com" in caplog.text
    assert client.get("/auth/login").status_code == 200


def test_without_smtp_the_mail_goes_to_the_log(app, client, auth, caplog):
    assert app.config["SMTP"] is None
    assert auth.register().status_code == 303
    assert auth.logout().status_code == 303
    with caplog.at_level(logging.INFO, logger="webapp.mail"):
        assert client.post("/auth/forgot", data={"email": "ada@example.com"}).status_code == 303
        assert mail.wait_until_sent(10)
    assert "no SMTP_URL set" in caplog.text
    assert "http://127.0.0.1:5000/auth/reset/" in caplog.text


# -- settings -----------------------------------------------------------------------


@pytest.mark.parametrize("raw, expected", [
    ("smtp://mail.example.com", SmtpSettings("smtp", "mail.example.com", 25, None, None)),
    ("smtps://mail.example.com", SmtpSettings("smtps", "mail.example.com", 465, None, None)),
    ("smtp+starttls://mail.example.com", SmtpSettings("smtp+starttls", "mail.example.com", 587, None, None)),
    ("smtps://docket:s3cret@mail.example.com:2465",
     SmtpSettings("smtps", "mail.example.com", 2465, "docket", "s3cret")),
    # A login that is an address, and a password with reserved characters, percent-encoded.
    ("smtp+starttls://docket%40example.com:p%40ss%3Aw%2Fd@smtp.example.com:2587",
     SmtpSettings("smtp+starttls", "smtp.example.com", 2587, "docket@example.com", "p@ss:w/d")),
    ("  smtp://localhost:1025/  ", SmtpSettings("smtp", "localhost", 1025, None, None)),
    ("", None),
    (None, None),
])
def test_smtp_url_is_parsed(raw, expected):
    assert smtp_settings(raw) == expected


@pytest.mark.parametrize("raw, says", [
    ("http://mail.example.com", "must start with smtp://"),
    ("smtp+ssl://mail.example.com", "must start with smtp://"),
    ("mail.example.com:25", "must start with smtp://"),
    ("smtp://", "names no host"),
    ("smtp://mail.example.com:99999", "is not a URL"),
    ("smtp://mail.example.com:port", "is not a URL"),
    ("smtp://mail.example.com/inbox", "takes no path or query"),
    ("smtp://mail.example.com?tls=1", "takes no path or query"),
])
def test_a_bad_smtp_url_stops_the_app_with_a_clear_line(raw, says):
    with pytest.raises(ConfigError, match="SMTP_URL") as error:
        smtp_settings(raw)
    assert says in str(error.value)


def test_mail_from_and_base_url_are_required_once_smtp_is_set(tmp_path):
    env = {"SECRET_KEY": "x" * 32, "SMTP_URL": "smtps://docket:pw@mail.example.com"}
    with pytest.raises(ConfigError, match="MAIL_FROM must be set"):
        from_environment(str(tmp_path), env)
    with pytest.raises(ConfigError, match="DOCKET_BASE_URL must be set"):
        from_environment(str(tmp_path), {**env, "MAIL_FROM": "Docket <docket@example.com>"})
    config = from_environment(str(tmp_path), {**env, "MAIL_FROM": "Docket <docket@example.com>",
                                              "DOCKET_BASE_URL": "https://docket.example.com/"})
    assert config["SMTP"] == SmtpSettings("smtps", "mail.example.com", 465, "docket", "pw")
    assert config["MAIL_FROM"] == "Docket <docket@example.com>"
    assert config["DOCKET_BASE_URL"] == "https://docket.example.com"


def test_without_smtp_the_laptop_defaults_apply(tmp_path):
    config = from_environment(str(tmp_path), {"SECRET_KEY": "x" * 32})
    assert config["SMTP"] is None
    assert config["DOCKET_BASE_URL"] == "http://127.0.0.1:5000"
    assert config["MAIL_FROM"] == "Docket <docket@localhost>"
    assert config["FORGOT_RATE_LIMIT"] == "5 per hour"
    assert config["RESET_LINK_SECONDS"] == 3600
    assert config["EMAIL_CHANGE_LINK_SECONDS"] == 86400


@pytest.mark.parametrize("raw", ["docket", "Docket <docket>", "docket@example.com\r\nBcc: x@evil.example", ""])
def test_a_bad_mail_from_is_refused(raw):
    smtp = SmtpSettings("smtp", "localhost", 25, None, None)
    with pytest.raises(ConfigError, match="MAIL_FROM"):
        mail_from(raw, smtp)


@pytest.mark.parametrize("raw", ["docket.example.com", "ftp://docket.example.com", "https://", "https://x?y=1",
                                 "https://x#top", "https://docket.example.com:99999"])
def test_a_bad_base_url_is_refused(raw):
    with pytest.raises(ConfigError, match="DOCKET_BASE_URL"):
        base_url(raw, None)


def test_base_url_may_carry_a_path(app, smtp_server):
    smtp_server.configure(app, base_url="https://example.org/docket")
    send_one(app)
    [message] = smtp_server.wait_for(1)
    assert links_in(message) == ["https://example.org/docket/auth/login"]


def test_forgot_rate_limit_comes_from_the_environment(tmp_path):
    config = from_environment(str(tmp_path), {"SECRET_KEY": "x" * 32, "FORGOT_RATE_LIMIT": "3 per day"})
    assert config["FORGOT_RATE_LIMIT"] == "3 per day"


def test_reset_link_cli_without_smtp_still_prints_the_link(app, runner, auth):
    assert auth.register(password=PASSWORD).status_code == 303
    result = runner.invoke(args=["users", "reset-link", "ada@example.com"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("http://127.0.0.1:5000/auth/reset/")


@pytest.mark.parametrize("raw", ["lots", "", "5 per fortnight", "5 per hour; many"])
def test_a_bad_forgot_rate_limit_stops_the_app(tmp_path, raw):
    """Flask-Limiter would silently skip a limit it cannot read."""
    with pytest.raises(ConfigError, match="FORGOT_RATE_LIMIT="):
        from_environment(str(tmp_path), {"SECRET_KEY": "x" * 32, "FORGOT_RATE_LIMIT": raw})
