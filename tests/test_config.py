"""Settings from the environment: safe defaults, and a clear stop on a bad value."""

import logging
import os
import stat
import subprocess
import sys

import pytest
import sqlalchemy as sa

from webapp import PROJECT_ROOT, create_app
from webapp.config import ConfigError, database_url, from_environment, secret_key
from webapp.extensions import db

KEY = "k" * 32


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("postgres://u:p@db.example:5432/docket", "postgresql+psycopg2://u:p@db.example:5432/docket"),
        ("postgresql://u@db/docket", "postgresql+psycopg2://u@db/docket"),
        ("postgresql+psycopg2://u@db/docket", "postgresql+psycopg2://u@db/docket"),
        ("  sqlite:////srv/docket.sqlite3 \n", "sqlite:////srv/docket.sqlite3"),
    ],
)
def test_database_url_is_normalised(raw, expected):
    """Heroku's postgres:// is accepted, and PostgreSQL always means psycopg2."""
    assert database_url(raw, "/instance") == expected


@pytest.mark.parametrize("raw", ["mysql://x", "mysql+pymysql://u@h/db", "oracle://h/db", "not a url"])
def test_database_url_rejects_other_databases(raw):
    """Anything but PostgreSQL or SQLite stops the app, naming the variable."""
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        database_url(raw, "/instance")


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_database_url_defaults_to_sqlite_in_the_instance_folder(raw, tmp_path):
    """Unset or blank: an SQLite file in the instance folder."""
    assert database_url(raw, str(tmp_path)) == "sqlite:///" + str(tmp_path / "docket.sqlite3")


def test_secret_key_is_generated_once_and_kept_private(tmp_path, caplog):
    """No SECRET_KEY: a key file with mode 0600, the same key every start, a warning."""
    with caplog.at_level(logging.WARNING, logger="webapp.config"):
        first = secret_key(None, str(tmp_path))
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text().strip() == first
    assert len(first) >= 32
    assert any("SECRET_KEY is not set" in record.getMessage() for record in caplog.records)
    assert secret_key(None, str(tmp_path)) == first


def test_secret_key_from_the_environment_wins(tmp_path):
    """A given key is used as is (no file written); a short one is refused."""
    assert secret_key(KEY, str(tmp_path)) == KEY
    assert not (tmp_path / "secret_key").exists()
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        secret_key("short", str(tmp_path))


@pytest.mark.parametrize(
    "name, value",
    [
        ("DOCKET_HTTPS", "maybe"),
        ("DOCKET_HTTPS", "2"),
        ("REMEMBER_DAYS", "thirty"),
        ("REMEMBER_DAYS", "-1"),
        ("MAX_UPLOAD_BYTES", "0"),
        ("RATELIMIT_STORAGE_URI", "memcached://localhost"),
        ("DOCKET_TRUSTED_PROXIES", "-1"),
        ("DOCKET_TRUSTED_PROXIES", "two"),
        ("DOCKET_DB_CONNECT_TIMEOUT", "0"),
        ("DOCKET_DB_STATEMENT_TIMEOUT", "later"),
        ("SESSION_HOURS", "0"),
        ("SESSION_HOURS", "half a day"),
        ("LOGIN_RATE_LIMIT", "ten a minute"),
        ("SIGNUP_RATE_LIMIT", "10 per fortnight"),
        ("FORGOT_RATE_LIMIT", ""),
        ("TWO_FACTOR_DAILY_LIMIT", "thirty a day"),
    ],
)
def test_bad_values_raise_a_config_error_naming_the_variable(tmp_path, name, value):
    """A malformed setting is caught at start, with its name in the message."""
    with pytest.raises(ConfigError, match=name):
        from_environment(str(tmp_path), {"SECRET_KEY": KEY, name: value})


@pytest.mark.parametrize("value, secure", [("yes", True), ("1", True), ("off", False), (None, False)])
def test_docket_https_sets_secure_cookies(tmp_path, value, secure):
    """DOCKET_HTTPS accepts the usual yes/no words and drives the cookie flags."""
    env = {"SECRET_KEY": KEY} if value is None else {"SECRET_KEY": KEY, "DOCKET_HTTPS": value}
    config = from_environment(str(tmp_path), env)
    assert config["DOCKET_HTTPS"] is secure
    assert config["SESSION_COOKIE_SECURE"] is secure
    assert config["REMEMBER_COOKIE_SECURE"] is secure


@pytest.fixture
def clean_env(tmp_path, monkeypatch):
    """No Docket settings in the environment; the instance folder is a temp dir."""
    names = ("DATABASE_URL", "SECRET_KEY", "DOCKET_HTTPS", "RATELIMIT_STORAGE_URI", "DOCKET_TRUSTED_PROXIES",
             "DOCKET_DB_CONNECT_TIMEOUT", "DOCKET_DB_STATEMENT_TIMEOUT")
    for name in names:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DOCKET_INSTANCE_PATH", str(tmp_path / "instance"))
    return tmp_path / "instance"


def test_create_app_stops_on_a_bad_value(clean_env, monkeypatch):
    """The factory itself refuses a bad environment."""
    monkeypatch.setenv("DOCKET_HTTPS", "maybe")
    with pytest.raises(ConfigError, match="DOCKET_HTTPS"):
        create_app({"TESTING": True})


def test_default_app_uses_sqlite_and_a_kept_key_in_the_instance_folder(clean_env):
    """Nothing configured: SQLite and a generated key, both in the instance folder."""
    app = create_app({"TESTING": True})
    expected = "sqlite:///" + str(clean_env / "docket.sqlite3")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == expected
    assert (clean_env / "secret_key").read_text().strip() == app.config["SECRET_KEY"]
    assert create_app({"TESTING": True}).config["SECRET_KEY"] == app.config["SECRET_KEY"]


def test_app_connects_with_database_url_from_the_environment(database_url, clean_env, monkeypatch):
    """DATABASE_URL (postgres:// spelling for PostgreSQL) reaches a working engine."""
    given = database_url.replace("postgresql+psycopg2://", "postgres://")
    monkeypatch.setenv("DATABASE_URL", given)
    monkeypatch.setenv("SECRET_KEY", KEY)
    app = create_app({"TESTING": True})
    with app.app_context():
        assert db.engine.url.render_as_string(hide_password=False) == database_url
        assert db.session.scalar(sa.text("SELECT 1")) == 1
        db.engine.dispose()


def run_wsgi(tmp_path, **settings) -> subprocess.CompletedProcess:
    env = {**os.environ, "DOCKET_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": KEY, **settings}
    return subprocess.run(
        [sys.executable, "-c", "from wsgi import app"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize(
    "settings, named",
    [
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"DOCKET_HTTPS": "maybe"}, "DOCKET_HTTPS"),
        ({"DOCKET_TRUSTED_PROXIES": "two"}, "DOCKET_TRUSTED_PROXIES"),
        ({"DOCKET_DB_STATEMENT_TIMEOUT": "-5"}, "DOCKET_DB_STATEMENT_TIMEOUT"),
    ],
)
def test_wsgi_refuses_to_start_with_one_clear_line(tmp_path, settings, named):
    """gunicorn's ``wsgi:app`` exits non-zero with one readable line, no traceback."""
    result = run_wsgi(tmp_path, **settings)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Docket cannot start:")
    assert named in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_wsgi_starts_with_good_settings(tmp_path):
    """The same entry point imports cleanly when the settings are fine."""
    result = run_wsgi(tmp_path, DATABASE_URL="sqlite:///" + str(tmp_path / "ok.sqlite3"))
    assert result.returncode == 0, result.stderr
