"""Sign-ins (issue 10, item 4): every browser that logs in is listed on the
account page with its device and last use; one, or all but this one, can be
logged out; a session without "keep me logged in" is a browser-session
cookie with an absolute lifetime, a remembered one lasts REMEMBER_DAYS."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from conftest import PASSWORD, AuthActions
from webapp.account.sign_ins import describe_device
from webapp.auth.session import load_user
from webapp.extensions import db
from webapp.models import SignIn, User, utcnow

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
)


def browser(app, user_agent: str, address: str = "198.51.100.1"):
    """A separate test client that presents itself as another device."""
    client = app.test_client()
    client.environ_base.update({"HTTP_USER_AGENT": user_agent, "REMOTE_ADDR": address})
    return client


def logged_in(app, user_agent: str, remember: bool = False, address: str = "198.51.100.1"):
    client = browser(app, user_agent, address)
    assert AuthActions(client).login(remember=remember).status_code == 303
    assert client.get("/tasks").status_code == 200
    return client


def sign_ins_of(app, email="ada@example.com") -> list[SignIn]:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        return list(db.session.scalars(sa.select(SignIn).where(SignIn.user_id == user.id).order_by(SignIn.created_at)))


def assert_logged_out(client):
    response = client.get("/tasks")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/auth/login")


def set_cookie_headers(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


# -- cookie lifetimes ---------------------------------------------------------------


def test_a_session_without_remember_me_ends_when_the_browser_closes(client, auth, user):
    auth.logout()
    issued = set_cookie_headers(auth.login(remember=False))
    session_cookie = issued["session"].lower()
    assert "expires=" not in session_cookie and "max-age=" not in session_cookie
    assert "remember_token" not in issued
    # Later requests do not turn it into a lasting cookie either.
    later = set_cookie_headers(client.get("/tasks"))
    assert "expires=" not in later.get("session", "").lower()


def test_remember_me_keeps_remember_days(variant_app, user):
    app = variant_app(REMEMBER_COOKIE_DURATION=60 * 60 * 24 * 9)
    client = app.test_client()
    response = AuthActions(client).login(remember=True)
    issued = set_cookie_headers(response)
    assert "expires=" not in issued["session"].lower()
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.expires is not None
    lasts = cookie.expires - utcnow()
    assert timedelta(days=8, hours=23) < lasts <= timedelta(days=9)
    (newest,) = [s for s in sign_ins_of(app) if s.remember]
    assert timedelta(days=8, hours=23) < newest.expires_at - newest.created_at <= timedelta(days=9, seconds=1)


@pytest.mark.parametrize("remember", [False, True], ids=["session", "remembered"])
def test_a_sign_in_past_its_absolute_lifetime_is_logged_out(app, user, remember):
    device = logged_in(app, FIREFOX_LINUX, remember=remember)
    newest = sign_ins_of(app)[-1]
    if not remember:
        lifetime = newest.expires_at - newest.created_at
        assert timedelta(hours=app.config["SESSION_HOURS"]) - timedelta(seconds=1) <= lifetime
        assert lifetime <= timedelta(hours=app.config["SESSION_HOURS"], seconds=1)
    with app.app_context():
        db.session.execute(sa.update(SignIn).where(SignIn.id == newest.id).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert_logged_out(device)


def test_a_remembered_browser_comes_back_after_a_restart_as_the_same_sign_in(app, user):
    device = logged_in(app, FIREFOX_LINUX, remember=True)
    before = len(sign_ins_of(app))
    restarted = browser(app, FIREFOX_LINUX)
    restarted.set_cookie("remember_token", device.get_cookie("remember_token").value)
    assert restarted.get("/tasks").status_code == 200
    assert len(sign_ins_of(app)) == before


def test_a_cookie_that_names_no_sign_in_logs_nobody_in(app, user):
    """Cookies from before sign-ins existed (<id>:<token>) no longer work."""
    with app.app_context(), app.test_request_context():
        person = db.session.get(User, user.id)
        assert load_user(f"{person.id}:{person.session_token}") is None
        assert load_user(f"{person.id}:{person.session_token}:not-a-uuid") is None
        assert load_user(f"{person.id}:{person.session_token}:{'0' * 32}") is None


# -- the list on the account page --------------------------------------------------------


def test_the_account_page_lists_every_browser_with_this_one_marked(app, client, user):
    logged_in(app, SAFARI_IPHONE, address="203.0.113.9")
    logged_in(app, CHROME_ANDROID, remember=True)
    page = client.get("/account").get_data(as_text=True)
    assert "Safari on iPhone" in page and "203.0.113.9" in page
    assert "Chrome on Android" in page and "kept logged in" in page
    assert page.count("This browser") == 1
    assert page.count('action="/account/sign-ins/') == 2 + 1  # two "Log out" buttons, one "everywhere else"
    assert "Log out everywhere else" in page


def test_expired_sign_ins_are_not_listed(app, client, user):
    logged_in(app, SAFARI_IPHONE)
    with app.app_context():
        db.session.execute(sa.update(SignIn).where(SignIn.user_agent == SAFARI_IPHONE).values(expires_at=utcnow()))
        db.session.commit()
    page = client.get("/account").get_data(as_text=True)
    assert "Safari on iPhone" not in page
    assert "Log out everywhere else" not in page


def test_log_out_everywhere_else_keeps_only_this_browser(app, client, user):
    phone = logged_in(app, SAFARI_IPHONE)
    tablet = logged_in(app, CHROME_ANDROID, remember=True)
    remembered_cookie = tablet.get_cookie("remember_token").value
    response = client.post("/account/sign-ins/end-others")
    assert response.status_code == 303
    assert "Logged out everywhere else (2 devices)" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert_logged_out(phone)
    assert_logged_out(tablet)
    revived = browser(app, CHROME_ANDROID)
    revived.set_cookie("remember_token", remembered_cookie)
    assert_logged_out(revived)
    assert client.get("/tasks").status_code == 200
    assert len(sign_ins_of(app)) == 1


def test_one_other_browser_can_be_logged_out(app, client, user):
    phone = logged_in(app, SAFARI_IPHONE)
    laptop = logged_in(app, FIREFOX_LINUX)
    phone_sign_in = next(s for s in sign_ins_of(app) if s.user_agent == SAFARI_IPHONE)
    assert client.post(f"/account/sign-ins/{phone_sign_in.id}/end").status_code == 303
    assert_logged_out(phone)
    assert laptop.get("/tasks").status_code == 200
    assert client.get("/tasks").status_code == 200


def test_this_browser_is_not_ended_from_the_list(app, client, user):
    (own,) = sign_ins_of(app)
    assert client.post(f"/account/sign-ins/{own.id}/end").status_code == 400
    assert client.get("/tasks").status_code == 200


def test_another_persons_sign_in_cannot_be_ended(app, client, user):
    grace = app.test_client()
    assert AuthActions(grace).register(email="grace@example.com").status_code == 303
    (theirs,) = sign_ins_of(app, "grace@example.com")
    assert client.post(f"/account/sign-ins/{theirs.id}/end").status_code == 404
    assert grace.get("/tasks").status_code == 200
    assert client.post("/account/sign-ins/not-a-uuid/end").status_code == 404


def test_logging_out_leaves_other_devices_logged_in(app, client, auth, user):
    phone = logged_in(app, SAFARI_IPHONE)
    assert auth.logout().status_code == 303
    assert_logged_out(client)
    assert phone.get("/tasks").status_code == 200
    assert [s.user_agent for s in sign_ins_of(app)] == [SAFARI_IPHONE]


def test_a_password_change_ends_the_other_sign_ins(app, client, user):
    phone = logged_in(app, SAFARI_IPHONE)
    new = "a brand new passphrase"
    response = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": new, "new_password_confirm": new}
    )
    assert response.status_code == 303
    assert_logged_out(phone)
    assert client.get("/tasks").status_code == 200
    assert len(sign_ins_of(app)) == 1


def test_last_seen_is_written_at_most_every_few_minutes(app, client, user):
    (own,) = sign_ins_of(app)
    long_ago = utcnow() - timedelta(minutes=30)
    with app.app_context():
        db.session.execute(sa.update(SignIn).values(last_seen_at=long_ago))
        db.session.commit()
    assert client.get("/tasks").status_code == 200
    (after,) = sign_ins_of(app)
    assert after.last_seen_at > long_ago + timedelta(minutes=29)
    # Within the next few minutes nothing is written again.
    assert client.get("/tasks").status_code == 200
    (again,) = sign_ins_of(app)
    assert again.last_seen_at == after.last_seen_at


def test_deleting_the_account_deletes_its_sign_ins(app, client, user):
    logged_in(app, SAFARI_IPHONE)
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SignIn)) == 0


# -- the device names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [
        (FIREFOX_LINUX, "Firefox on Linux"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (CHROME_ANDROID, "Chrome on Android"),
        (EDGE_WINDOWS, "Edge on Windows"),
        ("curl/8.5.0", "a script"),
        ("", "Unknown device"),
        (None, "Unknown device"),
        ("\x00<script>", "Unknown device"),
    ],
)
def test_devices_are_named_as_a_person_would(user_agent, expected):
    assert describe_device(user_agent) == expected
