"""Issue 10, item 5: argon2id hashes, scrypt hashes upgraded at log-in, common
passwords refused, password re-checks and sign-ups rate limited."""

import html

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from conftest import PASSWORD, TEST_PASSWORD_HASH_METHOD
from webapp.extensions import db
from webapp.models import User, password_hasher
from webapp.passwords import COMMON_PASSWORD, CONTAINS_EMAIL, common_passwords, password_problem

LIMIT = 10  # the default LOGIN_RATE_LIMIT: "10 per minute"
STRONG = "velvet-orbit-cactus-93"
COMMON = ["password", "12345678", "qwertyuiop"]


def load_user(app, email="ada@example.com") -> User | None:
    with app.app_context():
        return db.session.scalar(sa.select(User).where(User.email == email))


def set_hash(app, password_hash: str, email="ada@example.com") -> None:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        user.password_hash = password_hash
        db.session.commit()


def page_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# The common list


def test_the_list_is_a_packages_and_holds_at_least_ten_thousand():
    words = common_passwords()
    assert len(words) >= 10_000
    assert {"password", "12345678", "qwertyuiop", "iloveyou"} <= words
    assert common_passwords() is words  # loaded once


@pytest.mark.parametrize("password", [*COMMON, "Password", " 12345678 ", "QWERTYUIOP"])
def test_common_passwords_are_refused_whatever_their_case(password):
    assert password_problem(password) == COMMON_PASSWORD


@pytest.mark.parametrize(
    "password", ["ada@example.com", "ada-lovelace-1815", "my name is ADA!", "  ada@example.com "]
)
def test_a_password_containing_the_email_is_refused(password):
    assert password_problem(password, "ada@example.com") == CONTAINS_EMAIL


def test_a_short_local_part_is_not_searched_for():
    assert password_problem("jolly-orbit-cactus", "jo@example.com") is None
    assert password_problem("jo@example.com", "jo@example.com") == CONTAINS_EMAIL


def test_a_strong_passphrase_and_the_length_rules():
    assert password_problem(STRONG, "ada@example.com") is None
    assert "at least 8" in password_problem("short")


# Sign-up and change password


@pytest.mark.parametrize("password", COMMON)
def test_sign_up_refuses_a_common_password_next_to_the_field(app, auth, password):
    response = auth.register(password=password)
    assert response.status_code == 422
    assert COMMON_PASSWORD in page_of(response)
    assert load_user(app) is None


def test_sign_up_refuses_the_email_in_the_password(app, auth):
    response = auth.register(password="ada@example.com")
    assert response.status_code == 422
    assert CONTAINS_EMAIL in page_of(response)
    assert load_user(app) is None


def test_sign_up_accepts_a_strong_passphrase(app, auth):
    assert auth.register(password=STRONG).status_code == 303
    assert load_user(app).check_password(STRONG)


def change_password(client, new, current=PASSWORD):
    return client.post(
        "/account/password",
        data={"current_password": current, "new_password": new, "new_password_confirm": new},
    )


@pytest.mark.parametrize("password", COMMON)
def test_change_password_refuses_a_common_password(app, client, user, password):
    response = change_password(client, password)
    assert response.status_code == 422
    assert COMMON_PASSWORD in page_of(response)
    assert load_user(app).check_password(PASSWORD)


def test_change_password_refuses_the_email_and_accepts_a_passphrase(app, client, user):
    response = change_password(client, "ada.example")
    assert response.status_code == 422
    assert CONTAINS_EMAIL in page_of(response)
    assert change_password(client, STRONG).status_code == 303
    assert load_user(app).check_password(STRONG)


# CLI


@pytest.mark.parametrize("password", COMMON)
def test_cli_refuses_common_passwords(app, runner, password):
    result = runner.invoke(args=["users", "create", "ops@example.com", "--password-stdin"], input=password + "\n")
    assert result.exit_code != 0 and "most common passwords" in result.output
    assert load_user(app, "ops@example.com") is None
    result = runner.invoke(args=["users", "create", "ops@example.com", "--password-stdin"], input=STRONG + "\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=["users", "set-password", "ops@example.com", "--password-stdin"], input=password + "\n"
    )
    assert result.exit_code != 0 and "most common passwords" in result.output
    result = runner.invoke(
        args=["users", "set-password", "ops@example.com", "--password-stdin"], input="ops@example.com\n"
    )
    assert result.exit_code != 0 and "email address" in result.output
    assert load_user(app, "ops@example.com").check_password(STRONG)


# Hash upgrade at log-in


def test_new_hashes_are_argon2id_in_the_standard_encoding(app, auth):
    auth.register()
    stored = load_user(app).password_hash
    assert stored.startswith("$argon2id$v=19$m=64,t=1,p=1$")
    assert TEST_PASSWORD_HASH_METHOD == "argon2id:m=64,t=1,p=1"


def test_a_scrypt_hash_is_upgraded_on_a_successful_login_only(app, auth):
    auth.register()
    auth.logout()
    old = generate_password_hash(PASSWORD, method="scrypt")
    set_hash(app, old)
    assert auth.login(password="not the password").status_code == 422
    assert load_user(app).password_hash == old  # a wrong password upgrades nothing
    assert auth.login().status_code == 303
    upgraded = load_user(app).password_hash
    assert upgraded.startswith("$argon2id$v=19$m=64,t=1,p=1$")
    assert load_user(app).check_password(PASSWORD)
    auth.logout()
    assert auth.login().status_code == 303
    assert load_user(app).password_hash == upgraded  # already current: left alone


def test_a_weaker_argon2_hash_is_rehashed_at_login(app, auth):
    auth.register()
    auth.logout()
    with app.app_context():
        weaker = password_hasher("argon2id:m=32,t=1,p=1").hash(PASSWORD)
    set_hash(app, weaker)
    assert load_user(app).password_needs_rehash()
    assert auth.login().status_code == 303
    assert load_user(app).password_hash.startswith("$argon2id$v=19$m=64,t=1,p=1$")


# Rate limits


def assert_too_many(response):
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


@pytest.mark.parametrize("path, field", [("/account/password", "current_password"), ("/account/delete", "password")])
def test_password_rechecks_are_limited_per_user(app, client, user, path, field):
    data = {field: "wrong password", "new_password": STRONG, "new_password_confirm": STRONG}
    for n in range(LIMIT):
        response = client.post(path, data=data)
        assert response.status_code == 422, n
    assert_too_many(client.post(path, data=data))
    # The right password is refused too, until the window passes, and nothing happened.
    assert_too_many(client.post(path, data={**data, field: PASSWORD}))
    assert load_user(app).check_password(PASSWORD)


def test_change_password_and_delete_share_one_count(app, client, user):
    for _ in range(LIMIT // 2):
        assert client.post("/account/delete", data={"password": "wrong"}).status_code == 422
    for _ in range(LIMIT - LIMIT // 2):
        assert change_password(client, STRONG, current="wrong").status_code == 422
    assert_too_many(client.post("/account/delete", data={"password": "wrong"}))


def test_a_refused_new_password_does_not_count(app, client, user):
    for _ in range(LIMIT + 2):
        assert change_password(client, "password").status_code == 422
    assert change_password(client, STRONG).status_code == 303


def test_sign_ups_are_limited_per_address(app):
    """Every sign-up counts, successful ones too, by SIGNUP_RATE_LIMIT (a setting of its own)."""
    app.config["SIGNUP_RATE_LIMIT"] = "3 per hour"
    address = {"REMOTE_ADDR": "192.0.2.7"}
    for n in range(3):
        fresh = app.test_client()
        data = {"email": f"person{n}@example.com", "password": STRONG, "password_confirm": STRONG}
        assert fresh.post("/auth/register", data=data, environ_base=address).status_code == 303
    fresh = app.test_client()
    data = {"email": "one-more@example.com", "password": STRONG, "password_confirm": STRONG}
    assert_too_many(fresh.post("/auth/register", data=data, environ_base=address))
    assert load_user(app, "one-more@example.com") is None
    # Another address is not affected.
    other = app.test_client().post("/auth/register", data=data, environ_base={"REMOTE_ADDR": "192.0.2.8"})
    assert other.status_code == 303
