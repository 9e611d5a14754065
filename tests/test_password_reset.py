"""A forgotten password, through a real SMTP server on loopback: ask for a
link, get it by mail, choose a new password. The answer never tells whether
an account exists, the link works once and for an hour, every old session
dies, and a forged Host header never reaches a mail."""

import re
import socket
import time
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner

from conftest import CSRF_META, PASSWORD, AuthActions, links_in
from webapp import mail
from webapp.config import SmtpSettings
from webapp.extensions import db
from webapp.models import User

NEW_PASSWORD = "a brand new passphrase"
BASE = "https://docket.example.com"
RESET_SUBJECT = "Reset your Docket password"


@pytest.fixture
def mailing(app, smtp_server):
    """The app sends its mail to the loopback server, with links on BASE."""
    smtp_server.configure(app, base_url=BASE)
    return smtp_server


@pytest.fixture
def ada(app, client, auth):
    """ada@example.com has an account; this browser is logged out."""
    assert auth.register().status_code == 303
    assert auth.logout().status_code == 303


def ask(client, email="ada@example.com", address="192.0.2.1", **kwargs):
    return client.post("/auth/forgot", data={"email": email}, environ_base={"REMOTE_ADDR": address}, **kwargs)


def reset_mails(mailbox, to="ada@example.com") -> list:
    mail.wait_until_sent()
    return [message for message in mailbox.to(to) if message["Subject"] == RESET_SUBJECT]


def reset_path(mailbox) -> str:
    """The path of the link in the one reset mail ada got."""
    mailbox.wait_for(1)
    [message] = reset_mails(mailbox)
    [link] = links_in(message)
    assert link.startswith(BASE + "/auth/reset/"), link
    return urlsplit(link).path


def choose(client, path, password=NEW_PASSWORD, confirm=None):
    return client.post(path, data={"new_password": password, "new_password_confirm": confirm or password})


def password_hash(app) -> str:
    with app.app_context():
        return db.session.scalar(sa.select(User.password_hash).where(User.email == "ada@example.com"))


def test_reset_end_to_end(app, client, auth, ada, mailing):
    response = ask(client, email="  ADA@Example.com ")
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login"
    assert "a link to choose a new password is on its way" in client.get("/auth/login").get_data(as_text=True)

    path = reset_path(mailing)
    [message] = reset_mails(mailing)
    assert message["From"] == "Docket <docket@example.com>"
    assert "60 minutes" in message.get_content()

    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in page.headers["Cache-Control"]
    text = page.get_data(as_text=True)
    assert "Choose a new password" in text and "ada@example.com" in text
    assert 'name="new_password"' in text and 'name="new_password_confirm"' in text

    done = choose(client, path)
    assert done.status_code == 303
    assert done.headers["Location"] == "/auth/login"
    assert done.headers["Referrer-Policy"] == "no-referrer"
    assert "Your password has been changed" in client.get("/auth/login").get_data(as_text=True)
    assert client.get("/tasks").status_code in (302, 303), "a reset logs nobody in"

    assert auth.login(password=PASSWORD).status_code == 422, "the old password no longer works"
    assert auth.login(password=NEW_PASSWORD).status_code == 303
    assert client.get("/tasks").status_code == 200

    notices = [m for m in mailing.wait_for(2) if m["Subject"] == "Your Docket password was changed"]
    assert [m["To"] for m in notices] == ["ada@example.com"]


def _same_page(client, response, email) -> tuple:
    """What a person sees after asking, with the address they typed taken out."""
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    page = re.sub(r'name="csrf-token" content="[^"]+"|name="csrf_token" type="hidden" value="[^"]+"', "", page)
    return response.status_code, response.headers["Location"], page.replace(email, "EMAIL")


def test_unknown_address_answers_the_same_and_sends_nothing(app, client, ada, mailing):
    with app.app_context():  # an adopted placeholder account: no password, cannot log in
        db.session.add(User(email="legacy@example.com", password_hash=None))
        db.session.commit()
    known = _same_page(client, ask(client, "ada@example.com"), "ada@example.com")
    unknown = _same_page(client, ask(client, "nobody@example.com"), "nobody@example.com")
    placeholder = _same_page(client, ask(client, "legacy@example.com"), "legacy@example.com")
    assert known == unknown == placeholder
    assert "If an account uses EMAIL" in known[2]

    mailing.wait_for(1)
    assert mail.wait_until_sent()
    time.sleep(0.2)  # a mail wrongly sent would have had time to arrive
    assert [m["To"] for m in mailing.messages] == ["ada@example.com"]


def test_the_answer_does_not_wait_for_the_mail_server(app, client, ada):
    """A mail server that accepts the connection but never answers: asking still
    answers at once (and as fast as for an unknown address), the mail goes out
    in the background."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        app.config["SMTP"] = SmtpSettings("smtp", "127.0.0.1", silent.getsockname()[1], None, None)
        started = time.monotonic()
        assert ask(client, "ada@example.com").status_code == 303
        known = time.monotonic() - started
        started = time.monotonic()
        assert ask(client, "nobody@example.com").status_code == 303
        unknown = time.monotonic() - started
        assert known < 2 and unknown < 2, (known, unknown)
        assert not mail.wait_until_sent(0.1), "the mail is still waiting for the server"
    # The server is gone now: the stuck delivery fails, and is only logged.
    assert mail.wait_until_sent(15)


def test_link_works_once(app, client, ada, mailing):
    ask(client)
    path = reset_path(mailing)
    assert choose(client, path).status_code == 303
    changed = password_hash(app)

    again = client.get(path)
    assert again.status_code == 410
    assert again.headers["Referrer-Policy"] == "no-referrer"
    text = again.get_data(as_text=True)
    assert "This link no longer works" in text and 'href="/auth/forgot"' in text
    assert choose(client, path, password="yet another passphrase").status_code == 410
    assert password_hash(app) == changed


def test_link_dies_when_the_password_changes_another_way(app, client, auth, ada, mailing):
    ask(client)
    path = reset_path(mailing)
    auth.login()
    changed = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD})
    assert changed.status_code == 303
    assert client.get(path).status_code == 410
    assert choose(client, path, password="yet another passphrase").status_code == 410
    assert auth.logout().status_code == 303
    assert auth.login(password=NEW_PASSWORD).status_code == 303


def test_a_newer_link_and_an_older_one_both_die_with_the_reset(app, client, ada, mailing):
    ask(client)
    ask(client)
    mailing.wait_for(2)
    first, second = (urlsplit(links_in(m)[0]).path for m in reset_mails(mailing))
    assert choose(client, second).status_code == 303
    assert client.get(first).status_code == 410


def test_old_session_and_remember_me_cookies_die(app, client, auth, ada, mailing):
    phone = app.test_client()
    assert AuthActions(phone).login(remember=True).status_code == 303
    session_cookie = phone.get_cookie("session").value
    remember_cookie = phone.get_cookie("remember_token").value
    assert phone.get("/tasks").status_code == 200

    ask(client)
    assert choose(client, reset_path(mailing)).status_code == 303

    assert phone.get("/tasks").status_code in (302, 303)
    for cookies in ({"session": session_cookie}, {"remember_token": remember_cookie},
                    {"session": session_cookie, "remember_token": remember_cookie}):
        stolen = app.test_client()
        for name, value in cookies.items():
            stolen.set_cookie(name, value)
        response = stolen.get("/tasks")
        assert response.status_code in (302, 303), cookies
        assert response.headers["Location"].startswith("/auth/login")


def test_reset_in_a_logged_in_browser_logs_it_out(app, client, auth, ada, mailing):
    ask(client)
    path = reset_path(mailing)
    assert auth.login().status_code == 303
    assert choose(client, path).status_code == 303
    assert client.get("/tasks").status_code in (302, 303)


@pytest.mark.parametrize("headers", [
    {"Host": "evil.example"},
    {"Host": "evil.example:8443", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"},
    {"X-Forwarded-Host": "evil.example", "Forwarded": "host=evil.example"},
])
def test_a_forged_host_never_reaches_the_mail(app, client, ada, mailing, headers):
    # The whole visit on the forged host, so its session and CSRF token match.
    page = client.get("/auth/forgot", headers=headers).get_data(as_text=True)
    token = CSRF_META.search(page).group(1)
    response = client.post("/auth/forgot", data={"email": "ada@example.com", "csrf_token": token}, headers=headers)
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login"
    mailing.wait_for(1)
    [message] = reset_mails(mailing)
    body = message.as_string()
    assert "evil" not in body
    assert all(link.startswith(BASE + "/") for link in links_in(message))


def test_the_link_is_built_on_docket_base_url_with_its_path(app, client, ada, mailing):
    app.config["DOCKET_BASE_URL"] = "https://example.org/docket"
    ask(client)
    mailing.wait_for(1)
    [message] = reset_mails(mailing)
    [link] = links_in(message)
    assert link.startswith("https://example.org/docket/auth/reset/")


def _made_ago(monkeypatch, seconds: int):
    """Links made from now on carry a time ``seconds`` in the past."""
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - seconds)


def test_expired_link_fails(app, client, ada, mailing, monkeypatch):
    _made_ago(monkeypatch, 3600 + 5)  # RESET_LINK_SECONDS is an hour
    ask(client)
    path = reset_path(mailing)
    monkeypatch.undo()
    assert client.get(path).status_code == 410
    before = password_hash(app)
    assert choose(client, path).status_code == 410
    assert password_hash(app) == before


def test_a_link_just_under_an_hour_old_still_works(app, client, ada, mailing, monkeypatch):
    _made_ago(monkeypatch, 3600 - 60)
    ask(client)
    path = reset_path(mailing)
    monkeypatch.undo()
    assert choose(client, path).status_code == 303


@pytest.mark.parametrize("token", ["x", "not.a.token", "A" * 2000, "%00", "eyJ1c2VyIjoiMSJ9.abc.def"])
def test_a_malformed_or_forged_link_gets_a_clear_page(client, token):
    response = client.get(f"/auth/reset/{token}")
    assert response.status_code == 410
    assert "This link no longer works" in response.get_data(as_text=True)
    assert choose(client, f"/auth/reset/{token}").status_code == 410


def test_an_email_change_link_is_no_reset_link(app, client, ada):
    from webapp.tokens import make_token

    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id).where(User.email == "ada@example.com"))
    with app.test_request_context():
        token = make_token("email-change", {"user": user_id, "email": "x@example.com", "was": "y"})
    assert client.get(f"/auth/reset/{token}").status_code == 410


@pytest.mark.parametrize("password, confirm, message", [
    ("short", None, "Use at least 8 characters."),
    ("password123", None, "most common passwords"),
    ("ada-likes-long-walks", None, "must not contain your email address"),
    (NEW_PASSWORD, "something else entirely", "The passwords do not match."),
    ("", None, "Choose a new password."),
])
def test_a_refused_password_changes_nothing(app, client, ada, mailing, password, confirm, message):
    ask(client)
    path = reset_path(mailing)
    before = password_hash(app)
    response = choose(client, path, password, confirm)
    assert response.status_code == 422
    assert response.headers["Referrer-Policy"] == "no-referrer"
    text = response.get_data(as_text=True)
    assert message in text
    assert 'aria-invalid="true"' in text and "-error" in text
    assert password_hash(app) == before
    assert choose(client, path).status_code == 303, "the link still works after a refusal"


@pytest.mark.parametrize("email, message", [
    ("", "Enter your email address."),
    ("not an address", "not a valid email address"),
    ("ada@example.com\x00", "characters that are not allowed"),
])
def test_forgot_refuses_what_is_no_address(client, mailing, email, message):
    response = ask(client, email)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    mail.wait_until_sent()
    assert mailing.messages == []


def test_forgot_page_and_the_login_page_link_to_it(client):
    login = client.get("/auth/login").get_data(as_text=True)
    assert 'href="/auth/forgot"' in login and "Forgot your password?" in login
    page = client.get("/auth/forgot")
    assert page.status_code == 200
    assert 'name="email"' in page.get_data(as_text=True)


def test_forgot_is_rate_limited_per_client(app, client, ada, mailing):
    for n in range(5):  # FORGOT_RATE_LIMIT: 5 per hour
        assert ask(client, f"someone{n}@example.com", address="192.0.2.7").status_code == 303
    refused = ask(client, "ada@example.com", address="192.0.2.7")
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)
    mail.wait_until_sent()
    assert reset_mails(mailing) == []
    assert ask(client, "ada@example.com", address="192.0.2.8").status_code == 303, "another client is not held up"


def test_forgot_is_rate_limited_per_address_asked_about(app, client, ada, mailing):
    for n in range(5):
        assert ask(client, "ada@example.com", address=f"192.0.2.{10 + n}").status_code == 303
    assert ask(client, " ADA@example.com", address="192.0.2.99").status_code == 429
    assert ask(client, "nobody@example.com", address="192.0.2.99").status_code == 303
    for n in range(4):
        ask(client, "nobody@example.com", address=f"192.0.2.{30 + n}")
    # The limit looks the same whether or not the address has an account.
    assert ask(client, "nobody@example.com", address="192.0.2.98").status_code == 429
    assert len(reset_mails(mailing)) == 5


def test_the_rate_limit_is_a_setting(variant_app, smtp_server):
    app = variant_app(FORGOT_RATE_LIMIT="2 per hour")
    client = app.test_client()
    assert [ask(client, f"x{n}@example.com").status_code for n in range(3)] == [303, 303, 429]


def test_cli_prints_a_reset_link_that_works(app, client, auth, ada, runner):
    app.config["DOCKET_BASE_URL"] = BASE
    result = runner.invoke(args=["users", "reset-link", " ADA@example.com"])
    assert result.exit_code == 0, result.output
    link = result.stdout.strip()
    assert link.startswith(BASE + "/auth/reset/"), result.stdout
    assert "Works once, for 60 minutes, for ada@example.com" in result.stderr
    path = urlsplit(link).path
    assert choose(client, path).status_code == 303
    assert auth.login(password=NEW_PASSWORD).status_code == 303


def test_cli_reset_link_for_an_unknown_address_fails_clearly(runner):
    result = runner.invoke(args=["users", "reset-link", "nobody@example.com"])
    assert result.exit_code == 1
    assert "no user with email 'nobody@example.com'" in result.output


def test_cli_reset_link_lets_a_placeholder_account_choose_a_password(app, client, runner):
    with app.app_context():
        db.session.add(User(email="legacy@example.com", password_hash=None))
        db.session.commit()
    result = runner.invoke(args=["users", "reset-link", "legacy@example.com"])
    assert result.exit_code == 0, result.output
    assert "no password yet" in result.stderr
    assert choose(client, urlsplit(result.stdout.strip()).path).status_code == 303
    assert AuthActions(client).login(email="legacy@example.com", password=NEW_PASSWORD).status_code == 303


def test_a_stale_form_gets_the_csrf_page_and_the_token_stays_out_of_urls(app, client, ada, mailing):
    """Not the logged-out redirect to /auth/login?next=/auth/reset/<token>."""
    ask(client)
    path = reset_path(mailing)
    before = password_hash(app)
    response = client.post(path, data={"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD},
                           csrf=False)
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "Reload the page and try again" in response.get_data(as_text=True)
    assert password_hash(app) == before
    assert client.post("/auth/forgot", data={"email": "ada@example.com"}, csrf=False).status_code == 400
