"""Passwords are hashed with argon2id at OWASP's cost (19 MiB, t=2, p=1) in
production; only the test suite may ask for a cheap setting, and only with
TESTING on. Older werkzeug hashes still verify."""

import pytest
from argon2 import Type, extract_parameters
from werkzeug.security import generate_password_hash

from conftest import TEST_PASSWORD_HASH_METHOD, make_app
from webapp import create_app
from webapp.config import ConfigError
from webapp.extensions import db
from webapp.models import ARGON2_MEMORY_KIB, ARGON2_PARALLELISM, ARGON2_TIME_COST, User, password_hasher

KEY = "k" * 32
OWASP = (19456, 2, 1)  # memory in KiB, passes, lanes


def cost(password_hash: str) -> tuple[int, int, int]:
    assert password_hash.startswith("$argon2id$v=19$m="), password_hash
    params = extract_parameters(password_hash)
    assert params.type is Type.ID
    return params.memory_cost, params.time_cost, params.parallelism


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


def test_the_constants_are_owasps():
    assert (ARGON2_MEMORY_KIB, ARGON2_TIME_COST, ARGON2_PARALLELISM) == OWASP


def test_production_hashes_with_argon2id_at_owasps_cost(production_env):
    app = create_app()
    assert cost(hash_in(app)) == OWASP


def test_the_environment_cannot_weaken_the_hash(production_env, monkeypatch):
    """PASSWORD_HASH_METHOD is not an environment setting at all."""
    monkeypatch.setenv("PASSWORD_HASH_METHOD", "argon2id:m=8,t=1,p=1")
    app = create_app()
    assert cost(hash_in(app)) == OWASP


@pytest.mark.parametrize("testing", [False, None])
@pytest.mark.parametrize("method", ["pbkdf2:sha256:1000", TEST_PASSWORD_HASH_METHOD])
def test_a_cheap_method_is_refused_outside_tests(production_env, testing, method):
    config = {"PASSWORD_HASH_METHOD": method}
    if testing is not None:
        config["TESTING"] = testing
    with pytest.raises(ConfigError, match="PASSWORD_HASH_METHOD"):
        create_app(config)


def test_a_cheap_method_is_ignored_by_an_app_not_under_test(production_env):
    """Belt and braces: even if the config check were bypassed, only a TESTING app hashes cheaply."""
    app = create_app()
    app.config["PASSWORD_HASH_METHOD"] = TEST_PASSWORD_HASH_METHOD
    assert cost(hash_in(app)) == OWASP


def test_without_an_app_the_strong_default_is_used():
    """Models never import the app: outside an app context they fall back to full strength."""
    user = User(email="ada@example.com")
    user.set_password("correct horse battery")
    assert cost(user.password_hash) == OWASP


def test_the_test_suite_hashes_cheaply(app):
    assert app.config["PASSWORD_HASH_METHOD"] == TEST_PASSWORD_HASH_METHOD
    memory, passes, lanes = cost(hash_in(app))
    assert (memory, passes, lanes) == (64, 1, 1)
    assert memory * 32 <= OWASP[0]


def test_an_unknown_test_method_is_an_error(app):
    app.config["PASSWORD_HASH_METHOD"] = "scrypt:1024:8:1"
    with app.app_context(), pytest.raises(ValueError, match="PASSWORD_HASH_METHOD"):
        password_hasher()


def test_a_cheap_hash_still_logs_in_and_a_strong_one_too(app, auth):
    """Hashes made at any cost, argon2id or older werkzeug scrypt, verify."""
    assert auth.register().status_code == 303
    assert auth.logout().status_code == 303
    assert auth.login().status_code == 303
    assert auth.logout().status_code == 303
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "ada@example.com"))
        user.password_hash = password_hasher("argon2id").hash("a different password")
        db.session.commit()
    assert auth.login(password="a different password").status_code == 303
    assert auth.logout().status_code == 303
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "ada@example.com"))
        user.password_hash = generate_password_hash("a third password", method="scrypt")
        db.session.commit()
    assert auth.login(password="a third password").status_code == 303


def test_make_app_can_still_ask_for_full_strength(sqlite_url, tmp_path, monkeypatch):
    """A test that needs the production cost can have it back."""
    monkeypatch.setenv("DOCKET_INSTANCE_PATH", str(tmp_path / "instance"))
    strong = make_app(sqlite_url, PASSWORD_HASH_METHOD="argon2id")
    assert cost(hash_in(strong)) == OWASP
