"""Passwords are hashed with scrypt at werkzeug's full cost in production; only
the test suite may ask for a cheap method, and only with TESTING on."""

import pytest
from werkzeug.security import generate_password_hash

from conftest import TEST_PASSWORD_HASH_METHOD, make_app
from webapp import create_app
from webapp.config import ConfigError
from webapp.extensions import db
from webapp.models import User

KEY = "k" * 32


def cost(password_hash: str) -> str:
    """The method-and-parameters part of a werkzeug hash: ``scrypt:32768:8:1``."""
    return password_hash.split("$", 1)[0]


# Whatever werkzeug considers its default (today scrypt n=2**15, r=8, p=1).
WERKZEUG_DEFAULT_COST = cost(generate_password_hash("anything"))


@pytest.fixture
def production_env(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKET_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("SECRET_KEY", KEY)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///" + str(tmp_path / "prod.sqlite3"))
    monkeypatch.delenv("PASSWORD_HASH_METHOD", raising=False)


def hash_in(app) -> str:
    with app.app_context():
        user = User(email="ada@example.com")
        user.set_password("correct horse battery")
        assert user.check_password("correct horse battery")
        assert not user.check_password("wrong horse battery")
        return user.password_hash


def test_production_hashes_with_scrypt_at_werkzeugs_default_cost(production_env):
    assert WERKZEUG_DEFAULT_COST.startswith("scrypt:")
    app = create_app()
    assert app.config["PASSWORD_HASH_METHOD"] == "scrypt"
    assert cost(hash_in(app)) == WERKZEUG_DEFAULT_COST


def test_the_environment_cannot_weaken_the_hash(production_env, monkeypatch):
    """PASSWORD_HASH_METHOD is not an environment setting at all."""
    monkeypatch.setenv("PASSWORD_HASH_METHOD", "pbkdf2:sha256:1")
    app = create_app()
    assert cost(hash_in(app)) == WERKZEUG_DEFAULT_COST


@pytest.mark.parametrize("testing", [False, None])
def test_a_cheap_method_is_refused_outside_tests(production_env, testing):
    config = {"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    if testing is not None:
        config["TESTING"] = testing
    with pytest.raises(ConfigError, match="PASSWORD_HASH_METHOD"):
        create_app(config)


def test_without_an_app_the_strong_default_is_used():
    """Models never import the app: outside an app context they fall back to full strength."""
    user = User(email="ada@example.com")
    user.set_password("correct horse battery")
    assert cost(user.password_hash) == WERKZEUG_DEFAULT_COST


def test_the_test_suite_hashes_cheaply(app):
    assert app.config["PASSWORD_HASH_METHOD"] == TEST_PASSWORD_HASH_METHOD
    assert cost(hash_in(app)) == TEST_PASSWORD_HASH_METHOD
    # Markedly cheaper: scrypt's work grows with n, and the suite's n is 32 times smaller.
    assert int(TEST_PASSWORD_HASH_METHOD.split(":")[1]) * 32 <= int(WERKZEUG_DEFAULT_COST.split(":")[1])


def test_a_cheap_hash_still_logs_in_and_a_strong_one_too(app, auth):
    """Hashes made at either cost verify, so a test database can hold both."""
    assert auth.register().status_code == 303
    assert auth.logout().status_code == 303
    assert auth.login().status_code == 303
    assert auth.logout().status_code == 303
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "ada@example.com"))
        user.password_hash = generate_password_hash("a different password")
        db.session.commit()
    assert auth.login(password="a different password").status_code == 303


def test_make_app_can_still_ask_for_full_strength(sqlite_url, tmp_path, monkeypatch):
    """A test that needs the production cost can have it back."""
    monkeypatch.setenv("DOCKET_INSTANCE_PATH", str(tmp_path / "instance"))
    strong = make_app(sqlite_url, PASSWORD_HASH_METHOD="scrypt")
    assert cost(hash_in(strong)) == WERKZEUG_DEFAULT_COST
