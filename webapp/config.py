"""Settings read from the environment, with safe defaults.

Every value is checked here, once, at start-up: a bad one stops the app with
a one-line message naming the variable instead of failing later mid-request.
"""

import logging
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import click

log = logging.getLogger(__name__)

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
RATELIMIT_SCHEMES = {"memory", "redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster"}


class ConfigError(click.ClickException):
    """A setting is missing or malformed; the message says which and why."""

    def __init__(self, message: str):
        super().__init__(f"configuration: {message}")


def _flag(env, name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"{name}={raw!r} is not a yes/no value (use 1/0, true/false, yes/no, on/off)")


def _positive_int(env, name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if value <= 0:
        raise ConfigError(f"{name}={raw!r} must be greater than zero")
    return value


def database_url(raw: str | None, instance_path: str) -> str:
    """Normalise ``DATABASE_URL``; default to SQLite in the instance folder."""
    if not raw or not raw.strip():
        return "sqlite:///" + str(Path(instance_path) / "docket.sqlite3")
    url = raw.strip()
    # Heroku-style URLs say postgres://, which SQLAlchemy no longer accepts.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    scheme = urlsplit(url).scheme.split("+")[0]
    if scheme not in {"sqlite", "postgresql"}:
        raise ConfigError(
            f"DATABASE_URL must be a postgresql:// or sqlite:// URL, not {scheme or raw!r}"
        )
    # SQLAlchemy 2.1 picks psycopg 3 for a bare postgresql://; we ship psycopg2.
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg2://" + url[len("postgresql://"):]
    return url


def secret_key(raw: str | None, instance_path: str) -> str:
    """Use ``SECRET_KEY``, else one generated once and kept in the instance folder."""
    if raw is not None:
        if len(raw) < 16:
            raise ConfigError("SECRET_KEY must be at least 16 characters long")
        return raw
    key_file = Path(instance_path) / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    # Created with mode 0600 from the start, so no other user can ever read it.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    log.warning(
        "SECRET_KEY is not set: generated one in %s. Set SECRET_KEY in production.", key_file
    )
    return key


def ratelimit_storage(raw: str | None) -> str:
    uri = (raw or "memory://").strip()
    scheme = urlsplit(uri).scheme
    if scheme not in RATELIMIT_SCHEMES:
        raise ConfigError(
            f"RATELIMIT_STORAGE_URI must start with memory:// or redis://, not {uri!r}"
        )
    return uri


def from_environment(instance_path: str, env=None) -> dict:
    """Build the Flask config mapping from environment variables."""
    env = os.environ if env is None else env
    https = _flag(env, "DOCKET_HTTPS", False)
    return {
        "SQLALCHEMY_DATABASE_URI": database_url(env.get("DATABASE_URL"), instance_path),
        # pre_ping lets the app recover by itself after the database restarts.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SECRET_KEY": secret_key(env.get("SECRET_KEY"), instance_path),
        "RATELIMIT_STORAGE_URI": ratelimit_storage(env.get("RATELIMIT_STORAGE_URI")),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "DOCKET_HTTPS": https,
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_SECURE": https,
        "SESSION_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * _positive_int(env, "REMEMBER_DAYS", 30),
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * 14,
        # A page left open for hours must not fail on submit: the CSRF token
        # lives as long as the session it is tied to.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": https,
        "MAX_CONTENT_LENGTH": _positive_int(env, "MAX_UPLOAD_BYTES", 5 * 1024 * 1024),
        "SQLALCHEMY_ECHO": False,
    }
