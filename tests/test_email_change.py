"""Changing the account's address from /account, confirmed by a link mailed
to the new address (through a real SMTP server on loopback). Opening the
link changes nothing until its button is pressed; the password re-check is
limited like every other one."""

import time
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner

from conftest import PASSWORD, AuthActions, links_in
from webapp import mail
from webapp.account import email_change
from webapp.extensions import db
from webapp.models import User

BASE = "https://docket.example.com"
CONFIRM_SUBJECT = "Confirm your new Docket address"


@pytest.fixture
def mailing(app, smtp_server):
    smtp_server.configure(app, base_url=BASE)
    return smtp_server


def change(client, email="new@example.com", password=PASSWORD, **kwargs):
    return client.post("/account/email", data={"email": email, "password": password}, **kwargs)


def confirm_path(mailbox, to="new@example.com") -> str:
    mail.wait_until_sent()
    [message] = [m for m in mailbox.to(to) if m["Subject"] == CONFIRM_SUBJECT]
    [link] = links_in(message)
    assert link.startswith(BASE + "/account/email/confirm/"), link
    return urlsplit(link).path


def emails(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(sa.select(User.email)))


def test_email_change_end_to_end(app, client, auth, user, mailing):
    response = change(client, email="  New@Example.COM ")
    assert response.status_code == 303
    assert response.headers["Location"] == "/account"
    page = client.get("/account").get_data(as_text=True)
    assert "We sent a link to new@example.com" in page
    assert emails(app) == ["ada@example.com"], "nothing changes before the link is used"

    mailing.wait_for(2)
    path = confirm_path(mailing)
    [notice] = mailing.to("ada@example.com")
    assert "new@example.com" in notice.get_content()
    assert path not in notice.get_content(), "the old address never gets the link"

    # A mail scanner (or the person) opens the link: a question, no change.
    for _ in range(2):
        shown = client.get(path)
        assert shown.status_code == 200
        assert shown.headers["Referrer-Policy"] == "no-referrer"
        assert "no-store" in shown.headers["Cache-Control"]
        text = shown.get_data(as_text=True)
        assert "Confirm your new address" in text and "new@example.com" in text and "ada@example.com" in text
    assert emails(app) == ["ada@example.com"]

    done = client.post(path)
    assert done.status_code == 303
    assert done.headers["Location"] == "/account"
    assert emails(app) == ["new@example.com"]
    assert "Your email address is now new@example.com" in client.get("/account").get_data(as_text=True)

    assert auth.logout().status_code == 303
    assert auth.login(email="ada@example.com").status_code == 422
    assert auth.login(email="new@example.com").status_code == 303

    mailing.wait_for(3)
    assert [m["Subject"] for m in mailing.to("ada@example.com")] == [
        "Your Docket address is about to change", "Your Docket address has changed"]


def test_the_link_works_once(app, client, user, mailing):
    change(client)
    mailing.wait_for(2)
    path = confirm_path(mailing)
    assert client.post(path).status_code == 303
    again = client.get(path)
    assert again.status_code == 410
    assert "This link no longer works" in again.get_data(as_text=True)
    assert client.post(path).status_code == 410
    assert emails(app) == ["new@example.com"]


def test_the_link_works_without_being_logged_in(app, client, auth, user, mailing):
    """Opened on another device: the link alone is enough, and leads to the login page."""
    change(client)
    mailing.wait_for(2)
    path = confirm_path(mailing)
    phone = app.test_client()
    assert phone.get(path).status_code == 200
    done = phone.post(path)
    assert done.status_code == 303
    assert done.headers["Location"] == "/auth/login"
    assert emails(app) == ["new@example.com"]
    assert client.get("/account").status_code == 200, "the browser that asked stays logged in"


def test_an_older_link_dies_when_a_newer_one_is_used(app, client, user, mailing):
    change(client, email="first@example.com")
    change(client, email="second@example.com")
    mailing.wait_for(4)
    first, second = confirm_path(mailing, "first@example.com"), confirm_path(mailing, "second@example.com")
    assert client.post(second).status_code == 303
    assert client.post(first).status_code == 410
    assert emails(app) == ["second@example.com"]


def test_an_address_taken_already_is_refused_at_once(app, client, auth, user, mailing):
    other = app.test_client()
    assert AuthActions(other).register(email="bob@example.com").status_code == 303
    response = change(client, email="BOB@example.com")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "That address already belongs to another account." in text
    assert 'id="new-email-error"' in text and 'value="bob@example.com"' in text
    assert response.headers["HX-Push-Url"] == "false"
    mail.wait_until_sent()
    assert mailing.messages == []


def test_an_address_taken_meanwhile_is_refused_at_confirmation(app, client, user, mailing):
    change(client)
    mailing.wait_for(2)
    path = confirm_path(mailing)
    assert AuthActions(app.test_client()).register(email="new@example.com").status_code == 303
    response = client.post(path)
    assert response.status_code == 409
    assert "now belongs to another account, so your address was not changed" in response.get_data(as_text=True)
    assert emails(app) == ["ada@example.com", "new@example.com"]


@pytest.mark.parametrize("email, message", [
    ("ada@example.com", "That is already your address."),
    ("not an address", "not a valid email address"),
    ("", "Enter your email address."),
    ("x@example.com\x00", "characters that are not allowed"),
])
def test_a_bad_new_address_is_refused_next_to_its_field(app, client, user, mailing, email, message):
    response = change(client, email=email)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    mail.wait_until_sent()
    assert mailing.messages == []
    assert emails(app) == ["ada@example.com"]


def test_a_wrong_password_is_refused_and_limited_like_other_rechecks(app, client, user, mailing):
    for _ in range(10):  # LOGIN_RATE_LIMIT: 10 wrong guesses a minute, per person
        response = change(client, password="not my password")
        assert response.status_code == 422
        assert "That is not your current password." in response.get_data(as_text=True)
    assert change(client, password="not my password").status_code == 429
    assert change(client).status_code == 429, "while refused, even the right password waits"
    # One count for every form that re-checks the password.
    response = client.post("/account/password", data={
        "current_password": "guess", "new_password": "a brand new passphrase",
        "new_password_confirm": "a brand new passphrase"})
    assert response.status_code == 429
    mail.wait_until_sent()
    assert mailing.messages == []


def test_a_refused_new_address_does_not_count_as_a_guess(app, client, user, mailing):
    for _ in range(12):
        assert change(client, email="ada@example.com").status_code == 422
    assert change(client).status_code == 303


def test_it_needs_a_login(client):
    response = client.post("/account/email", data={"email": "new@example.com", "password": PASSWORD})
    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith("/auth/login")


def test_the_account_page_shows_the_section(client, user):
    page = client.get("/account").get_data(as_text=True)
    assert 'action="/account/email"' in page
    assert 'name="email"' in page and 'name="password"' in page
    assert "To log in with another address" in page


def test_an_expired_link_fails(app, client, user, mailing, monkeypatch):
    real = email_change.make_token

    def made_a_day_ago(purpose, payload):
        # Only the link is dated back (EMAIL_CHANGE_LINK_SECONDS is a day), not the session cookie.
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 86400 - 5)
            return real(purpose, payload)

    monkeypatch.setattr(email_change, "make_token", made_a_day_ago)
    change(client)
    mailing.wait_for(2)
    path = confirm_path(mailing)
    assert client.get(path).status_code == 410
    assert client.post(path).status_code == 410
    assert emails(app) == ["ada@example.com"]


@pytest.mark.parametrize("token", ["x", "a.b.c", "A" * 3000])
def test_a_malformed_link_gets_a_clear_page(client, token):
    response = client.get(f"/account/email/confirm/{token}")
    assert response.status_code == 410
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert client.post(f"/account/email/confirm/{token}").status_code == 410


def test_a_reset_link_is_no_confirmation_link(app, client, user, runner):
    result = runner.invoke(args=["users", "reset-link", "ada@example.com"])
    token = result.stdout.strip().rsplit("/", 1)[1]
    assert client.get(f"/account/email/confirm/{token}").status_code == 410


def test_moving_the_account_kills_reset_links_sent_to_the_old_address(app, client, user, mailing, runner):
    reset = urlsplit(runner.invoke(args=["users", "reset-link", "ada@example.com"]).stdout.strip()).path
    change(client)
    mailing.wait_for(2)
    assert client.post(confirm_path(mailing)).status_code == 303
    assert client.get(reset).status_code == 410


def test_a_forged_host_never_reaches_the_mail(app, client, user, mailing):
    assert change(client, headers={"X-Forwarded-Host": "evil.example"}).status_code == 303
    for message in mailing.wait_for(2):
        assert "evil" not in message.as_string()
        assert all(link.startswith(BASE + "/") for link in links_in(message))
