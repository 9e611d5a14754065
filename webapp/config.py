"""Settings read from the environment, with safe defaults.

Every value is checked here, once, at start-up: a bad one stops the app with
a one-line message naming the variable instead of failing later mid-request.
"""

import logging
import os
import secrets
import shlex
from pathlib import Path
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

import click

log = logging.getLogger(__name__)

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
RATELIMIT_SCHEMES = {"memory", "redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster"}
# argon2id at OWASP's cost (models.py holds the parameters). Not an
# environment setting: only a test may ask for less (see check_test_only),
# so production cannot be weakened.
STRONG_PASSWORD_HASH = "argon2id"


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


def _whole_number(env, name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        limit = "greater than zero" if minimum == 1 else f"at least {minimum}"
        raise ConfigError(f"{name}={raw!r} must be {limit}")
    return value


def _rate_limit(env, name: str, default: str) -> str:
    """A Flask-Limiter limit such as "10 per minute" or "5/hour", checked now
    rather than failing on the first request that meets it."""
    from limits import parse_many

    raw = env.get(name)
    if raw is None:
        return default
    try:
        if not parse_many(raw):
            raise ValueError(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a rate limit (write it like '10 per minute' or '5/hour')") from None
    return raw


def _positive_int(env, name: str, default: int) -> int:
    return _whole_number(env, name, default, minimum=1)


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


SMTP_SCHEMES = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}
DEFAULT_BASE_URL = "http://127.0.0.1:5000"


@dataclass(frozen=True)
class SmtpSettings:
    """Where outgoing mail goes, from ``SMTP_URL``."""

    scheme: str  # smtp, smtps (TLS from the start) or smtp+starttls
    host: str
    port: int
    username: str | None
    password: str | None


def smtp_settings(raw: str | None) -> SmtpSettings | None:
    """``smtp://``, ``smtps://`` or ``smtp+starttls://[user[:password]@]host[:port]``; None when unset."""
    if raw is None or not raw.strip():
        return None
    try:
        parts = urlsplit(raw.strip())
        port = parts.port
    except ValueError:
        raise ConfigError("SMTP_URL is not a URL (smtp://user:password@host:port)") from None
    if parts.scheme not in SMTP_SCHEMES:
        raise ConfigError(f"SMTP_URL must start with smtp://, smtps:// or smtp+starttls://, not {parts.scheme or raw!r}")
    if not parts.hostname:
        raise ConfigError("SMTP_URL names no host (smtp://user:password@host:port)")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError("SMTP_URL takes no path or query: smtp://user:password@host:port")
    return SmtpSettings(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port or SMTP_SCHEMES[parts.scheme],
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def mail_from(raw: str | None, smtp: SmtpSettings | None) -> str:
    """The sender of every mail; required once real mail is sent."""
    if raw is None or not raw.strip():
        if smtp is not None:
            raise ConfigError("MAIL_FROM must be set when SMTP_URL is (for example Docket <docket@example.com>)")
        return "Docket <docket@localhost>"
    name, address = parseaddr(raw.strip())
    if "@" not in address or any(ch in raw for ch in "\r\n"):
        raise ConfigError(f"MAIL_FROM={raw!r} is not an email address (for example Docket <docket@example.com>)")
    return raw.strip()


def base_url(raw: str | None, smtp: SmtpSettings | None) -> str:
    """The address people reach Docket at. Every link in a mail is built from it,
    never from the request's Host header, which a client can forge."""
    if raw is None or not raw.strip():
        if smtp is not None:
            raise ConfigError("DOCKET_BASE_URL must be set when SMTP_URL is (the https:// address people open Docket at)")
        return DEFAULT_BASE_URL
    url = raw.strip().rstrip("/")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        raise ConfigError(f"DOCKET_BASE_URL={raw!r} is not a URL") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(f"DOCKET_BASE_URL={raw!r} must be an http:// or https:// address with no query, like https://docket.example.com")
    return url


def ratelimit_storage(raw: str | None) -> str:
    uri = (raw or "memory://").strip()
    scheme = urlsplit(uri).scheme
    if scheme not in RATELIMIT_SCHEMES:
        raise ConfigError(
            f"RATELIMIT_STORAGE_URI must start with memory:// or redis://, not {uri!r}"
        )
    return uri


def ratelimit_storage_options(uri: str) -> dict:
    """Bound every Redis call: a host that stops answering must cost a request
    a second or two (then the in-memory fallback takes over), not hang it.
    redis-py waits forever by default; a healthy Redis answers in microseconds."""
    if urlsplit(uri).scheme == "memory":
        return {}
    return {"socket_connect_timeout": 1, "socket_timeout": 1}


def engine_options(url: str, env) -> dict:
    """SQLAlchemy engine options; PostgreSQL also gets connect and statement timeouts."""
    # Read (and checked) whatever the database, so a typo never waits for the
    # day someone switches to PostgreSQL.
    connect_timeout = _whole_number(env, "DOCKET_DB_CONNECT_TIMEOUT", 3, minimum=1)
    statement_timeout = _whole_number(env, "DOCKET_DB_STATEMENT_TIMEOUT", 10_000, minimum=0)
    # No pool_pre_ping: extensions.py pings only connections that sat idle,
    # which is how the app recovers by itself after the database restarts.
    options: dict = {}
    if url.startswith("postgresql"):
        # A database host that accepts the connection but never answers would
        # otherwise hold a worker forever; a runaway query likewise. libpq's
        # connect_timeout is in seconds, statement_timeout in milliseconds
        # (0 turns it off, e.g. for a long migration).
        options["connect_args"] = {
            "connect_timeout": connect_timeout,
            "options": f"-c statement_timeout={statement_timeout}",
        }
    return options


def check_test_only(config) -> None:
    """Refuse settings that weaken production unless the app is under test."""
    method = config.get("PASSWORD_HASH_METHOD", STRONG_PASSWORD_HASH)
    if method != STRONG_PASSWORD_HASH and not config.get("TESTING"):
        raise ConfigError(
            f"PASSWORD_HASH_METHOD={method!r} is for the test suite only (TESTING); "
            f"production always hashes with {STRONG_PASSWORD_HASH}"
        )


def _workers_flag(args: list[str]) -> int | None:
    """The last -w/--workers value in gunicorn arguments (the last one wins there too)."""
    found = None
    for index, arg in enumerate(args):
        if arg in ("-w", "--workers") and index + 1 < len(args):
            found = args[index + 1]
        elif arg.startswith("--workers="):
            found = arg.split("=", 1)[1]
        elif arg.startswith("-w") and arg[2:].isdigit():
            found = arg[2:]
    return int(found) if found is not None and found.isdigit() else None


def worker_count(env, argv: list[str]) -> int | None:
    """How many worker processes serve the app, when that is simple to tell; else None.

    Follows gunicorn's precedence: its command line, then GUNICORN_CMD_ARGS,
    then WEB_CONCURRENCY (the default for --workers). A gunicorn.conf.py is
    not read, so plain ``gunicorn wsgi:app`` is "unknown".
    """
    program = Path(argv[0]).name if argv else ""
    if program == "flask" and "run" in argv[1:]:
        return 1  # the development server is a single process
    try:
        from_env = shlex.split(env.get("GUNICORN_CMD_ARGS", ""))
    except ValueError:  # unbalanced quotes: gunicorn itself will complain
        from_env = []
    for args in (argv[1:] if "gunicorn" in program else [], from_env):
        count = _workers_flag(args)
        if count is not None:
            return count
    concurrency = env.get("WEB_CONCURRENCY", "").strip()
    return int(concurrency) if concurrency.isdigit() else None


def limiter_warning(storage_uri: str, env, argv: list[str]) -> str | None:
    """A start-up warning when memory:// limits would be split across processes."""
    if urlsplit(storage_uri).scheme != "memory":
        return None
    workers = worker_count(env, argv)
    if workers == 1:
        return None
    advice = "set RATELIMIT_STORAGE_URI=redis://host:6379/0 so they share one count"
    if workers:
        return (
            f"RATELIMIT_STORAGE_URI is memory:// but {workers} workers serve Docket: each counts "
            f"log-in attempts on its own, so the limit is {workers} times looser; {advice}"
        )
    return f"RATELIMIT_STORAGE_URI is memory://: rate limits are counted per process; if several processes serve Docket, {advice}"


def from_environment(instance_path: str, env=None) -> dict:
    """Build the Flask config mapping from environment variables."""
    env = os.environ if env is None else env
    https = _flag(env, "DOCKET_HTTPS", False)
    url = database_url(env.get("DATABASE_URL"), instance_path)
    ratelimit_uri = ratelimit_storage(env.get("RATELIMIT_STORAGE_URI"))
    smtp = smtp_settings(env.get("SMTP_URL"))
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(url, env),
        "SECRET_KEY": secret_key(env.get("SECRET_KEY"), instance_path),
        "PASSWORD_HASH_METHOD": STRONG_PASSWORD_HASH,
        # How many reverse proxies stand in front: their X-Forwarded-For and
        # -Proto are believed, nobody else's (0: the headers are ignored).
        "DOCKET_TRUSTED_PROXIES": _whole_number(env, "DOCKET_TRUSTED_PROXIES", 0, minimum=0),
        "RATELIMIT_STORAGE_URI": ratelimit_uri,
        "RATELIMIT_STORAGE_OPTIONS": ratelimit_storage_options(ratelimit_uri),
        # A dead Redis must not take log-in down: Flask-Limiter then counts in
        # this process's memory (and logs the switch) until Redis is back, and
        # any other storage error is logged instead of becoming a 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": _rate_limit(env, "LOGIN_RATE_LIMIT", "10 per minute"),
        # Wrong two-factor codes per person a day, on top of LOGIN_RATE_LIMIT.
        "TWO_FACTOR_DAILY_LIMIT": _rate_limit(env, "TWO_FACTOR_DAILY_LIMIT", "30 per day"),
        # Every sign-up counts, per client address.
        "SIGNUP_RATE_LIMIT": _rate_limit(env, "SIGNUP_RATE_LIMIT", "10 per hour"),
        # "Forgot password" requests, per client address and per address asked about.
        "FORGOT_RATE_LIMIT": _rate_limit(env, "FORGOT_RATE_LIMIT", "5 per hour"),
        "SMTP": smtp,
        "MAIL_FROM": mail_from(env.get("MAIL_FROM"), smtp),
        "DOCKET_BASE_URL": base_url(env.get("DOCKET_BASE_URL"), smtp),
        # How long a password-reset link works; an email-change link.
        "RESET_LINK_SECONDS": 60 * 60,
        "EMAIL_CHANGE_LINK_SECONDS": 24 * 60 * 60,
        "DOCKET_HTTPS": https,
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_SECURE": https,
        "SESSION_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * _positive_int(env, "REMEMBER_DAYS", 30),
        # A sign-in without "keep me logged in" is a browser-session cookie (it
        # ends when the browser closes) and also ends SESSION_HOURS after the
        # log-in, whatever the browser does; a remembered one, REMEMBER_DAYS after.
        "SESSION_HOURS": _positive_int(env, "SESSION_HOURS", 12),
        # A page left open for hours must not fail on submit: the CSRF token
        # lives as long as the session it is tied to.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": https,
        "MAX_CONTENT_LENGTH": _positive_int(env, "MAX_UPLOAD_BYTES", 5 * 1024 * 1024),
        # Rendered list pages kept per worker process (webapp/tasks/pagecache.py); 0 turns it off.
        "PAGE_CACHE_MB": _whole_number(env, "PAGE_CACHE_MB", 16, minimum=0),
        "SQLALCHEMY_ECHO": False,
    }
