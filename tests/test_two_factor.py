"""Two-factor sign-in (issue 10, item 3): enrolment at /account/2fa, the code
step of logging in, recovery codes, the limits, and the operator's way out.

Codes are computed with pyotp from the real secret, at the real time: the
server accepts the current 30-second step and one either side, and never a
step at or before the last one it accepted, so a test that needs a second
fresh code takes the next step's (``code(secret, 1)``).
"""

import hashlib
import html
import re
import threading
import time

import pyotp
import pytest
import sqlalchemy as sa

from conftest import HTMX, PASSWORD, AuthActions
from webapp import mail, two_factor
from webapp.auth import pending_login
from webapp.extensions import db
from webapp.models import RecoveryCode, User, utcnow

EMAIL = "ada@example.com"
LIMIT = 10  # the default LOGIN_RATE_LIMIT: "10 per minute"
URI = re.compile(r'href="(otpauth://[^"]+)"')
SHOWN_CODES = re.compile(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>")
BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}


def code(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def load_user(app, email=EMAIL) -> User:
    with app.app_context():
        return db.session.scalar(sa.select(User).where(User.email == email))


def unused_codes(app, email=EMAIL) -> int:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        return two_factor.recovery_codes_left(user)


def secret_on_page(client) -> str:
    page = client.get("/account/2fa")
    assert page.status_code == 200
    uri = html.unescape(URI.search(page.get_data(as_text=True)).group(1))
    return re.search(r"[?&]secret=([A-Z2-7]+)", uri).group(1)


def enrol(client) -> tuple[str, list[str]]:
    """Turn two-factor on through the page; the secret and the recovery codes shown."""
    secret = secret_on_page(client)
    response = client.post("/account/2fa/enable", data={"code": code(secret), "password": PASSWORD})
    assert response.status_code == 200, response.get_data(as_text=True)
    return secret, SHOWN_CODES.findall(response.get_data(as_text=True))


def switch_on(app, email=EMAIL) -> tuple[str, list[str]]:
    """Two-factor on, set straight in the database, so that no time step is
    spent: the test has the current and the next step's code to use."""
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        user.totp_secret = two_factor.new_secret()
        user.totp_enabled_at = utcnow()
        codes = two_factor.replace_recovery_codes(user)
        db.session.commit()
        return user.totp_secret, codes


def is_logged_in(client) -> bool:
    return client.get("/tasks").status_code == 200


@pytest.fixture
def two_factor_user(app, auth, user):
    """ada, registered, with two-factor on, logged out: (secret, recovery codes)."""
    secret, codes = switch_on(app)
    auth.logout()
    return secret, codes


def start_login(auth, **extra):
    response = auth.login(**extra)
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login/code"
    return response


# -- enrolment -------------------------------------------------------------------


def test_the_page_shows_the_uri_its_qr_code_and_the_key(app, client, user):
    body = client.get("/account/2fa").get_data(as_text=True)
    uri = html.unescape(URI.search(body).group(1))
    secret = re.search(r"secret=([A-Z2-7]{32})", uri).group(1)
    assert uri == f"otpauth://totp/Docket:ada%40example.com?secret={secret}&issuer=Docket"
    assert re.search(r'<div class="qr" role="img" aria-label="[^"]+"><svg viewBox="[^"]+" class="qr-code">', body)
    assert two_factor.grouped(secret) in body  # for typing in by hand
    assert 'name="code"' in body and 'name="password"' in body
    assert 'autocomplete="one-time-code"' in body
    # Pending: kept, and not on yet.
    stored = load_user(app)
    assert stored.totp_secret == secret and stored.totp_enabled_at is None and not stored.two_factor_enabled


def test_a_reload_keeps_the_pending_secret_and_a_new_key_replaces_it(app, client, user):
    first = secret_on_page(client)
    assert secret_on_page(client) == first  # a QR code scanned a moment ago stays right
    response = client.post("/account/2fa/new-key")
    assert response.status_code == 303 and response.headers["Location"] == "/account/2fa"
    second = secret_on_page(client)
    assert second != first and load_user(app).totp_secret == second


def test_a_wrong_code_does_not_turn_it_on(app, client, user):
    secret = secret_on_page(client)
    wrong = "000000" if code(secret) != "000000" else "111111"
    response = client.post("/account/2fa/enable", data={"code": wrong, "password": PASSWORD})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="enable-code-error"' in body and "That code is not right" in body
    assert response.headers["HX-Push-Url"] == "false"
    assert not load_user(app).two_factor_enabled
    assert unused_codes(app) == 0


def test_a_wrong_password_does_not_turn_it_on(app, client, user):
    secret = secret_on_page(client)
    response = client.post("/account/2fa/enable", data={"code": code(secret), "password": "not my password"})
    assert response.status_code == 422
    assert 'id="enable-password-error"' in response.get_data(as_text=True)
    assert not load_user(app).two_factor_enabled
    # The code was not spent: it still turns two-factor on.
    assert client.post("/account/2fa/enable", data={"code": code(secret), "password": PASSWORD}).status_code == 200


def test_the_right_code_turns_it_on_and_shows_ten_codes_once(app, client, user):
    secret = secret_on_page(client)
    response = client.post("/account/2fa/enable", data={"code": f" {code(secret)[:3]} {code(secret)[3:]} ",
                                                         "password": PASSWORD})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data(as_text=True)
    codes = SHOWN_CODES.findall(body)
    assert len(codes) == len(set(codes)) == 10
    assert 'download="docket-recovery-codes.txt"' in body
    assert all(shown in html.unescape(body) for shown in codes)  # the download holds them too
    stored = load_user(app)
    assert stored.two_factor_enabled and stored.totp_secret == secret
    with app.app_context():
        hashes = set(db.session.scalars(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == stored.id)))
    assert len(hashes) == 10 and not hashes & set(codes)  # kept only as hashes
    # Never shown again: not on the 2FA page, not on the account page.
    for path in ("/account/2fa", "/account"):
        later = client.get(path).get_data(as_text=True)
        assert not any(shown in later for shown in codes), path
        assert "10 recovery codes left" in later or "<strong>10</strong> unused recovery" in later
    # On now, so no QR code or secret on the page.
    assert "otpauth://" not in client.get("/account/2fa").get_data(as_text=True)


def test_enabling_twice_changes_nothing(app, client, user):
    secret, codes = enrol(client)
    response = client.post("/account/2fa/enable", data={"code": code(secret, 1), "password": PASSWORD})
    assert response.status_code == 303
    assert unused_codes(app) == 10
    with app.app_context():
        stored = db.session.scalar(sa.select(User))
        assert two_factor.use_recovery_code(stored, codes[0])  # the first ten still work


def test_enrolment_works_boosted(app, client, user):
    page = client.get("/account/2fa", headers=BOOSTED)
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    secret = secret_on_page(client)
    response = client.post("/account/2fa/enable", data={"code": code(secret), "password": PASSWORD}, headers=BOOSTED)
    assert response.status_code == 200
    assert "<html" in response.get_data(as_text=True)  # a whole page for a boosted form
    assert response.headers["HX-Push-Url"] == "false"  # no POST-only URL in the address bar
    assert len(SHOWN_CODES.findall(response.get_data(as_text=True))) == 10


def test_the_account_page_says_whether_it_is_on(app, client, user):
    assert "Set up two-factor sign-in" in client.get("/account").get_data(as_text=True)
    enrol(client)
    page = client.get("/account").get_data(as_text=True)
    assert "Manage two-factor sign-in" in page and "10 recovery codes left" in page


def test_the_pages_need_a_login(client):
    response = client.get("/account/2fa")
    assert response.status_code == 303 and response.headers["Location"].startswith("/auth/login")
    for path in ("/account/2fa/enable", "/account/2fa/disable", "/account/2fa/recovery-codes", "/account/2fa/new-key"):
        assert client.post(path, data={"code": "123456", "password": PASSWORD}).status_code == 303, path


# -- logging in ------------------------------------------------------------------------


def test_the_password_alone_logs_nobody_in(app, client, auth, two_factor_user):
    secret, _ = two_factor_user
    start_login(auth)
    assert not is_logged_in(client)
    page = client.get("/auth/login/code")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert re.search(r'<input [^>]*autocomplete="one-time-code"[^>]*name="code"', body)
    assert 'inputmode="numeric"' not in body  # recovery codes have letters
    assert "recovery code" in body
    response = client.post("/auth/login/code", data={"code": code(secret)})
    assert response.status_code == 303 and response.headers["Location"] == "/tasks"
    assert is_logged_in(client)


def test_a_wrong_code_is_refused_beside_the_field(app, client, auth, two_factor_user):
    secret, _ = two_factor_user
    start_login(auth)
    wrong = "123456" if code(secret) != "123456" else "654321"
    for attempt in (wrong, "abcde-abcde", "12345", "x" * 500):
        response = client.post("/auth/login/code", data={"code": attempt})
        assert response.status_code == 422, attempt
        body = response.get_data(as_text=True)
        assert 'aria-invalid="true"' in body and 'id="code-error"' in body
        assert 'aria-describedby="code-error code-hint"' in body
    assert not is_logged_in(client)
    # The log-in is still waiting: the right code goes through.
    assert client.post("/auth/login/code", data={"code": code(secret)}).status_code == 303


def test_the_code_step_keeps_next_and_remember(app, client, auth, two_factor_user):
    secret, _ = two_factor_user
    start_login(auth, remember=True, next="/account")
    assert client.get_cookie("remember_token") is None
    response = client.post("/auth/login/code", data={"code": code(secret)})
    assert response.headers["Location"] == "/account"
    assert client.get_cookie("remember_token") is not None


def test_an_unsafe_next_is_dropped(app, client, auth, two_factor_user):
    secret, _ = two_factor_user
    start_login(auth, next="//evil.example/x")
    assert client.post("/auth/login/code", data={"code": code(secret)}).headers["Location"] == "/tasks"


def test_a_code_works_once(app, client, auth, two_factor_user):
    secret, _ = two_factor_user
    now = code(secret)
    start_login(auth)
    assert client.post("/auth/login/code", data={"code": now}).status_code == 303
    auth.logout()
    start_login(auth)
    assert client.post("/auth/login/code", data={"code": now}).status_code == 422
    assert not is_logged_in(client)
    # An older step than the last one accepted is refused too; the next one is fine.
    assert client.post("/auth/login/code", data={"code": code(secret, -1)}).status_code == 422
    assert client.post("/auth/login/code", data={"code": code(secret, 1)}).status_code == 303


def test_the_code_that_turned_it_on_cannot_log_in(app, client, auth, user):
    secret = secret_on_page(client)
    now = code(secret)
    assert client.post("/account/2fa/enable", data={"code": now, "password": PASSWORD}).status_code == 200
    auth.logout()
    start_login(auth)
    assert client.post("/auth/login/code", data={"code": now}).status_code == 422


def test_a_recovery_code_works_once(app, client, auth, two_factor_user):
    _, codes = two_factor_user
    start_login(auth)
    response = client.post("/auth/login/code", data={"code": codes[0]})
    assert response.status_code == 303 and response.headers["Location"] == "/tasks"
    assert "You logged in with a recovery code; 9 codes are left." in client.get("/tasks").get_data(as_text=True)
    assert unused_codes(app) == 9
    auth.logout()
    start_login(auth)
    assert client.post("/auth/login/code", data={"code": codes[0]}).status_code == 422
    assert not is_logged_in(client)
    # Typed loosely (capitals, spaces, no dash), another one is still good.
    loose = " " + codes[1].upper().replace("-", " ") + " "
    assert client.post("/auth/login/code", data={"code": loose}).status_code == 303
    assert unused_codes(app) == 8


def test_a_warning_when_few_recovery_codes_are_left(app, client, auth, two_factor_user):
    _, codes = two_factor_user
    with app.app_context():
        db.session.execute(sa.update(RecoveryCode).where(RecoveryCode.id.in_(
            sa.select(RecoveryCode.id).order_by(RecoveryCode.id).limit(7))).values(used_at=utcnow()))
        db.session.commit()
        unused_hashes = set(db.session.scalars(sa.select(RecoveryCode.code_hash).where(RecoveryCode.used_at.is_(None))))
    unused = {c for c in codes if hashlib.sha256(c.replace("-", "").encode()).hexdigest() in unused_hashes}
    assert len(unused) == 3
    start_login(auth)
    assert client.post("/auth/login/code", data={"code": unused.pop()}).status_code == 303
    page = client.get("/tasks").get_data(as_text=True)
    assert "2 codes are left. Make new ones" in page


def test_the_code_page_without_a_password_first_goes_to_login(client, two_factor_user):
    for response in (client.get("/auth/login/code"), client.post("/auth/login/code", data={"code": "123456"})):
        assert response.status_code == 303 and response.headers["Location"] == "/auth/login"
    assert not is_logged_in(client)


def test_a_waiting_log_in_expires(app, client, auth, two_factor_user):
    secret, _ = two_factor_user
    start_login(auth)
    with client.session_transaction() as session:
        marker = dict(session[pending_login.KEY])
        marker["at"] -= pending_login.LIFETIME_SECONDS + 1  # as if the password was given 5 minutes ago
        session[pending_login.KEY] = marker
    response = client.post("/auth/login/code", data={"code": code(secret)})
    assert response.status_code == 303 and response.headers["Location"] == "/auth/login"
    assert not is_logged_in(client)
    assert "took too long" in client.get("/auth/login").get_data(as_text=True)
    # And it is gone: the code page now sends straight to the log-in page.
    assert client.get("/auth/login/code").headers["Location"] == "/auth/login"


def test_a_password_change_meanwhile_ends_the_waiting_log_in(app, client, auth, two_factor_user):
    secret, _ = two_factor_user
    start_login(auth)
    # Meanwhile, on another device, the owner logs in and changes the password.
    owner = app.test_client()
    start_login(AuthActions(owner))
    assert owner.post("/auth/login/code", data={"code": code(secret)}).status_code == 303
    changed = owner.post("/account/password", data={"current_password": PASSWORD,
                                                    "new_password": "a brand new passphrase",
                                                    "new_password_confirm": "a brand new passphrase"})
    assert changed.status_code == 303
    response = client.post("/auth/login/code", data={"code": code(secret, 1)})
    assert response.status_code == 303 and response.headers["Location"] == "/auth/login"
    assert not is_logged_in(client)


def test_the_code_step_works_boosted(app, client, auth, two_factor_user):
    secret, _ = two_factor_user
    start_login(auth)
    refused = client.post("/auth/login/code", data={"code": "000000" if code(secret) != "000000" else "1"},
                          headers=BOOSTED)
    assert refused.status_code == 422 and "<html" in refused.get_data(as_text=True)
    response = client.post("/auth/login/code", data={"code": code(secret)}, headers=BOOSTED)
    assert response.status_code == 303 and response.headers["Location"] == "/tasks"
    assert client.get("/tasks", headers=HTMX).status_code == 200


# -- limits ---------------------------------------------------------------------------


def assert_too_many(response):
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_code_attempts_are_limited_per_person(app, client, auth, two_factor_user):
    secret, _ = two_factor_user
    here, there = {"REMOTE_ADDR": "192.0.2.1"}, {"REMOTE_ADDR": "198.51.100.1"}
    auth.client.post("/auth/login", data={"email": EMAIL, "password": PASSWORD}, environ_base=here)
    wrong = "000000" if code(secret) != "000000" else "111111"
    for n in range(LIMIT):
        assert client.post("/auth/login/code", data={"code": wrong}, environ_base=here).status_code == 422, n
    assert_too_many(client.post("/auth/login/code", data={"code": code(secret)}, environ_base=here))
    # Another address, the same person: also refused; the right code too.
    other = app.test_client()
    other.post("/auth/login", data={"email": EMAIL, "password": PASSWORD}, environ_base=there)
    assert_too_many(other.post("/auth/login/code", data={"code": code(secret)}, environ_base=there))
    assert not is_logged_in(client) and not is_logged_in(other)


def test_code_attempts_are_limited_per_person_per_day(app, client, auth, two_factor_user):
    """However the minutes are spread, a person's waiting log-in gets
    TWO_FACTOR_DAILY_LIMIT wrong codes a day, then 429 even for the right one."""
    secret, _ = two_factor_user
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    app.config["TWO_FACTOR_DAILY_LIMIT"] = "3 per day"
    start_login(auth)
    for n in range(3):
        assert client.post("/auth/login/code", data={"code": "abcde-fghjk"}).status_code == 422, n
    assert_too_many(client.post("/auth/login/code", data={"code": code(secret)}))
    assert not is_logged_in(client)


def test_code_attempts_are_limited_per_address(app, auth, client):
    address = {"REMOTE_ADDR": "192.0.2.9"}
    secrets = {}
    for email in ("one@example.com", "two@example.com"):
        assert AuthActions(app.test_client()).register(email=email).status_code == 303
        secrets[email] = switch_on(app, email)[0]
    first, second = app.test_client(), app.test_client()
    first.post("/auth/login", data={"email": "one@example.com", "password": PASSWORD}, environ_base=address)
    second.post("/auth/login", data={"email": "two@example.com", "password": PASSWORD}, environ_base=address)
    for n in range(LIMIT):
        assert first.post("/auth/login/code", data={"code": "abcde-fghjk"}, environ_base=address).status_code == 422
    assert_too_many(second.post("/auth/login/code", data={"code": code(secrets["two@example.com"])},
                                environ_base=address))


def test_right_codes_do_not_count(app, client, auth, two_factor_user):
    _, codes = two_factor_user
    start_login(auth)
    for _ in range(LIMIT - 1):
        assert client.post("/auth/login/code", data={"code": "abcde-fghjk"}).status_code == 422
    assert client.post("/auth/login/code", data={"code": codes[0]}).status_code == 303
    auth.logout()
    start_login(auth)
    # The eleventh attempt, but only the tenth failure: still answered.
    assert client.post("/auth/login/code", data={"code": "abcde-fghjk"}).status_code == 422
    assert_too_many(client.post("/auth/login/code", data={"code": codes[1]}))


@pytest.mark.parametrize("path", ["/account/2fa/disable", "/account/2fa/recovery-codes"])
def test_wrong_passwords_on_two_factor_forms_share_the_recheck_limit(app, client, auth, user, path):
    secret = secret_on_page(client)
    for _ in range(LIMIT // 2):
        response = client.post("/account/2fa/enable", data={"code": "123456", "password": "wrong"})
        assert response.status_code == 422
    assert client.post("/account/2fa/enable", data={"code": code(secret), "password": PASSWORD}).status_code == 200
    for _ in range(LIMIT // 2 - 1):
        assert client.post(path, data={"code": code(secret, 1), "password": "wrong"}).status_code == 422
    # The change-password form draws on the same count.
    assert client.post("/account/password", data={"current_password": "wrong", "new_password": "another long one",
                                                  "new_password_confirm": "another long one"}).status_code == 422
    assert_too_many(client.post(path, data={"code": code(secret, 1), "password": PASSWORD}))
    assert load_user(app).two_factor_enabled and unused_codes(app) == 10


def test_wrong_codes_with_the_right_password_count_too(app, client, auth, two_factor_user):
    start_login(auth)
    secret, codes = two_factor_user
    assert client.post("/auth/login/code", data={"code": codes[0]}).status_code == 303
    for _ in range(LIMIT):
        response = client.post("/account/2fa/disable", data={"code": "abcde-abcde", "password": PASSWORD})
        assert response.status_code == 422
        assert 'id="disable-code-error"' in response.get_data(as_text=True)
    assert_too_many(client.post("/account/2fa/disable", data={"code": code(secret), "password": PASSWORD}))
    assert load_user(app).two_factor_enabled


# -- turning it off, new recovery codes -------------------------------------------------------


def logged_in_with_two_factor(client, auth, codes) -> None:
    start_login(auth)
    assert client.post("/auth/login/code", data={"code": codes[-1]}).status_code == 303


def test_turning_it_off_needs_the_password_and_a_code(app, client, auth, two_factor_user):
    secret, codes = two_factor_user
    logged_in_with_two_factor(client, auth, codes)
    refused = client.post("/account/2fa/disable", data={"code": code(secret), "password": "wrong"})
    assert refused.status_code == 422 and 'id="disable-password-error"' in refused.get_data(as_text=True)
    refused = client.post("/account/2fa/disable", data={"code": "", "password": PASSWORD})
    assert refused.status_code == 422 and 'id="disable-code-error"' in refused.get_data(as_text=True)
    assert load_user(app).two_factor_enabled
    response = client.post("/account/2fa/disable", data={"code": code(secret), "password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/account/2fa"
    stored = load_user(app)
    assert not stored.two_factor_enabled and stored.totp_secret is None
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
    auth.logout()
    response = auth.login()
    assert response.headers["Location"] == "/tasks" and is_logged_in(client)


def test_turning_it_off_with_a_recovery_code(app, client, auth, two_factor_user):
    _, codes = two_factor_user
    logged_in_with_two_factor(client, auth, codes)
    assert client.post("/account/2fa/disable", data={"code": codes[-1], "password": PASSWORD}).status_code == 422
    assert client.post("/account/2fa/disable", data={"code": codes[0], "password": PASSWORD}).status_code == 303
    assert not load_user(app).two_factor_enabled


def test_new_recovery_codes_replace_the_old_ones(app, client, auth, two_factor_user):
    secret, codes = two_factor_user
    logged_in_with_two_factor(client, auth, codes)
    response = client.post("/account/2fa/recovery-codes", data={"code": code(secret), "password": PASSWORD})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    fresh = SHOWN_CODES.findall(response.get_data(as_text=True))
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    auth.logout()
    start_login(auth)
    assert client.post("/auth/login/code", data={"code": codes[0]}).status_code == 422
    assert client.post("/auth/login/code", data={"code": fresh[0]}).status_code == 303


def test_the_forms_when_two_factor_is_already_in_that_state(app, client, user):
    for path in ("/account/2fa/disable", "/account/2fa/recovery-codes"):
        response = client.post(path, data={"code": "123456", "password": PASSWORD})
        assert response.status_code == 303 and response.headers["Location"] == "/account/2fa"
    # No pending secret yet (the page was never opened): back to the page, nothing on.
    response = client.post("/account/2fa/enable", data={"code": "123456", "password": PASSWORD})
    assert response.status_code == 303 and not load_user(app).two_factor_enabled


# -- one recovery code, two requests at once --------------------------------------------------


def test_a_recovery_code_spent_in_parallel_is_spent_once(app, two_factor_user):
    _, codes = two_factor_user
    count = 6
    barrier = threading.Barrier(count, timeout=30)
    results: list = [None] * count

    def worker(index):
        client = app.test_client()
        try:
            response = client.post("/auth/login", data={"email": EMAIL, "password": PASSWORD},
                                   environ_base={"REMOTE_ADDR": f"192.0.2.{index + 1}"})
            assert response.headers["Location"] == "/auth/login/code"
            token = re.search(r'name="csrf-token" content="([^"]+)"',
                              client.get("/auth/login/code").get_data(as_text=True)).group(1)
            barrier.wait()
            results[index] = client.post("/auth/login/code", data={"code": codes[0], "csrf_token": token}).status_code
        except Exception as error:
            barrier.abort()
            results[index] = error

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results, key=str) == [303] + [422] * (count - 1), results
    assert unused_codes(app) == 9


# -- the operator ---------------------------------------------------------------------------


def test_the_cli_turns_two_factor_off(app, runner, auth, two_factor_user):
    result = runner.invoke(args=["users", "disable-2fa", "ADA@example.com"])
    assert result.exit_code == 0, result.output
    assert result.output == "two-factor sign-in turned off for ada@example.com (10 recovery codes deleted)\n"
    stored = load_user(app)
    assert not stored.two_factor_enabled and stored.totp_secret is None
    assert unused_codes(app) == 0
    assert auth.login().headers["Location"] == "/tasks"
    again = runner.invoke(args=["users", "disable-2fa", EMAIL])
    assert again.exit_code == 0 and "already off" in again.output


def test_the_cli_names_an_unknown_user(runner):
    result = runner.invoke(args=["users", "disable-2fa", "nobody@example.com"])
    assert result.exit_code != 0 and "no user with email 'nobody@example.com'" in result.output


def test_the_cli_ends_a_waiting_log_in(app, client, auth, runner, two_factor_user):
    secret, _ = two_factor_user
    start_login(auth)
    assert runner.invoke(args=["users", "disable-2fa", EMAIL]).exit_code == 0
    response = client.post("/auth/login/code", data={"code": code(secret)})
    assert response.headers["Location"] == "/auth/login" and not is_logged_in(client)


# -- odd input ------------------------------------------------------------------------------

ODD_CODES = ["", " ", "\x00", "12\x0034", "9" * 5000, "１２３４５６", "١٢٣٤٥٦", "\u200b123456", "12345\u0301",
             "-----", "abcde-fghj\u0301", "\ud800", "123456" * 11]


def account_state(app):
    with app.app_context():
        users = db.session.execute(sa.select(User.totp_secret, User.totp_enabled_at, User.totp_last_step)).all()
        codes = db.session.execute(sa.select(RecoveryCode.code_hash, RecoveryCode.used_at)).all()
        return users, sorted(codes)


@pytest.mark.parametrize("path", ["/auth/login/code", "/account/2fa/disable", "/account/2fa/recovery-codes"])
def test_odd_codes_are_refused_beside_the_field(app, client, auth, two_factor_user, path):
    _, codes = two_factor_user
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"  # about the answers, not the limit
    if path == "/auth/login/code":
        start_login(auth)
    else:
        logged_in_with_two_factor(client, auth, codes)
    before = account_state(app)
    for value in ODD_CODES:
        data = {"code": value.encode("utf-8", "surrogatepass"), "password": PASSWORD}
        response = client.post(path, data=data)
        assert response.status_code == 422, value
        assert "-error" in response.get_data(as_text=True)
    assert account_state(app) == before


# -- notices by mail --------------------------------------------------------------


@pytest.fixture
def mailbox(app, smtp_server):
    smtp_server.configure(app)
    return smtp_server


def test_turning_it_on_and_off_is_told_by_mail(app, client, auth, user, mailbox):
    """If it was not the person, they learn at once: someone has their password."""
    secret, _ = enrol(client)
    on = mailbox.wait_for(1)[0]
    assert on["To"] == EMAIL and on["Subject"] == "Two-factor sign-in is on for your Docket account"
    assert "https://docket.example.com/auth/forgot" in on.get_content()
    assert client.post("/account/2fa/disable", data={"code": code(secret, 1), "password": PASSWORD}).status_code == 303
    off = mailbox.wait_for(2)[1]
    assert off["To"] == EMAIL and off["Subject"] == "Two-factor sign-in is off for your Docket account"
    assert "on the account page" in off.get_content() and "https://docket.example.com/account" in off.get_content()


def test_a_refused_attempt_sends_nothing(app, client, user, mailbox):
    secret = secret_on_page(client)
    assert client.post("/account/2fa/enable", data={"code": code(secret), "password": "wrong"}).status_code == 422
    mail.wait_until_sent(10)
    assert mailbox.messages == []


def test_the_cli_tells_the_person_too(app, runner, two_factor_user, mailbox):
    result = runner.invoke(args=["users", "disable-2fa", EMAIL])
    assert result.exit_code == 0, result.output
    notice = mailbox.wait_for(1)[0]
    assert notice["To"] == EMAIL and "by the site's operator" in notice.get_content()
