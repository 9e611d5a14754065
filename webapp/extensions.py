"""Bare extension objects, bound to an app later by ``create_app()``.

Nothing here imports from the rest of ``webapp``: this module is the bottom
floor that models, blueprints and the factory all build on, so no import
cycle can form (see seed 000).
"""

import sqlite3
import time

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool
from sqlalchemy.orm import DeclarativeBase

# Constraint names are derived, never left to the database, so the foreign
# key is ``fk_tasks_user_id_users`` on SQLite and PostgreSQL alike and
# migrations can drop it by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Reading a page is never rate limited: every limit Docket declares is for
# POST (log-in, sign-up, codes, password reset), and a limit declared on a
# route is checked by that route's own decorator anyway. What the limiter's
# per-request middleware adds is application-wide and default limits, which
# Docket does not have; so a GET or HEAD skips that middleware, which
# otherwise cost every page view about 6% of its time for nothing.
# tests/test_rate_limit_scope.py fails if either premise stops holding.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class DocketLimiter(Limiter):
    def _check_request_limit(self, callable_name=None, in_middleware=True):
        if in_middleware and request.method in SAFE_METHODS:
            return
        super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)


limiter = DocketLimiter(key_func=get_remote_address)


@event.listens_for(Engine, "connect")
def _sqlite_enforces_foreign_keys(dbapi_connection, connection_record):
    """SQLite ignores foreign keys unless asked on every connection."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


# A pooled connection that sat idle may have died with a database restart,
# so it is pinged before use; one in steady use is not, which spares the
# busy path a round trip per request (SQLAlchemy's pool_pre_ping would ping
# every checkout). A failed ping makes the pool open a fresh connection.
IDLE_BEFORE_PING = 10.0  # seconds


@event.listens_for(Pool, "checkin")
def _note_last_use(dbapi_connection, connection_record):
    connection_record.info["last_used"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_connection, connection_record, connection_proxy):
    last_used = connection_record.info.get("last_used")
    if last_used is None or time.monotonic() - last_used < IDLE_BEFORE_PING:
        return  # just opened, or in steady use
    try:
        ping(dbapi_connection)
    except Exception as error:  # any DBAPI error: the connection is no good
        raise DisconnectionError(str(error)) from error


def ping(dbapi_connection) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("SELECT 1")
    cursor.close()
    # The driver began a transaction for the SELECT: end it, so the
    # connection is handed out as clean as it came back (an autocommit read,
    # rawread.py, cannot start inside a transaction).
    dbapi_connection.rollback()
