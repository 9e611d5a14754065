"""Sign-ins: one row per browser that logged in (``models.SignIn``).

The login cookie (Flask-Login's alternative id, kept in the session cookie
and, with "keep me logged in", in the remember-me cookie) reads
``<user id>:<session token>:<sign-in id>``. A request is logged in only while

- the user's session token matches (rotated on password change or reset and
  on account deletion: every cookie of that person dies at once), and
- its sign-in row exists (logging out, or "log out everywhere else" on the
  account page, deletes rows) and has not passed ``expires_at``.

The user and the sign-in come back in one statement. ``last_seen_at`` is
written at most every ``LAST_SEEN_EVERY``, on a connection of its own, so
most requests write nothing.
"""

import hmac
import uuid
from datetime import timedelta

from flask import current_app, request
from functools import lru_cache

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..rawread import PreparedRead
from ..models import SignIn, User, utcnow

LAST_SEEN_EVERY = timedelta(minutes=5)
USER_AGENT_MAX = 255


def lifetime(remember: bool) -> timedelta:
    """How long a sign-in may last at most, from the moment of log-in."""
    if remember:
        return timedelta(seconds=current_app.config["REMEMBER_COOKIE_DURATION"])
    return timedelta(hours=current_app.config["SESSION_HOURS"])


def start(user: User, remember: bool) -> SignIn:
    """Record a new sign-in for this browser; the caller commits."""
    now = utcnow()
    sign_in = SignIn(
        id=uuid.uuid4(),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime(remember),
        remember=remember,
        user_agent=(request.user_agent.string or "")[:USER_AGENT_MAX] or None,
        ip_address=(request.remote_addr or "")[:64] or None,
    )
    db.session.add(sign_in)
    user.sign_in = sign_in
    return sign_in


def _parse(alternative_id: str) -> tuple[str, str, uuid.UUID] | None:
    parts = alternative_id.split(":")
    if len(parts) != 3 or not all(parts):
        return None
    try:
        return parts[0], parts[1], uuid.UUID(parts[2])
    except ValueError:
        return None


def _columns(model, prefix: str) -> list[tuple[str, str]]:
    """(result label, attribute name) for each column of ``model``'s table."""
    mapper = model.__mapper__
    return [(prefix + column.key, mapper.get_property_by_column(column).key) for column in model.__table__.c]


@lru_cache(maxsize=1)
def _user_and_sign_in():
    """The one statement of every logged-in request, built and compiled once
    (``rawread``): both rows' columns, labelled apart, and how to put them
    back into objects."""
    users, sign_ins = User.__table__, SignIn.__table__
    statement = (
        select(*(c.label("u_" + c.key) for c in users.c), *(c.label("s_" + c.key) for c in sign_ins.c))
        .join_from(users, sign_ins, sign_ins.c.user_id == users.c.id)
        .where(users.c.id == bindparam("user_id"), sign_ins.c.id == bindparam("sign_in_id"))
    )
    return PreparedRead(statement), _columns(User, "u_"), _columns(SignIn, "s_")


def _loaded(model, row, columns, primary_key, attach: bool = True):
    """A ``model`` object for a row read by hand, as if the session had loaded
    it: clean, every column loaded and, when ``attach``ed, in the session's
    identity map, so changing it and committing works as for any other loaded
    object (one the session already holds is kept, as the ORM would). A
    detached one costs less and serves to read."""
    if attach:
        existing = db.session.identity_map.get(db.session.identity_key(model, primary_key))
        if existing is not None:
            return existing
    instance = model.__mapper__.class_manager.new_instance()
    values = instance.__dict__
    for label, attribute in columns:
        values[attribute] = row[label]
    make_transient_to_detached(instance)
    if attach:
        db.session.add(instance)
    return instance


def load(alternative_id: str) -> User | None:
    """The user a cookie names, if that sign-in is still alive.

    Read with ``rawread`` and turned into ORM objects by hand: SQLAlchemy's
    execution and the ORM's loading of two entities cost more than the query
    itself, on every request."""
    parsed = _parse(alternative_id or "")
    if parsed is None:
        return None
    user_id, token, sign_in_id = parsed
    read, user_columns, sign_in_columns = _user_and_sign_in()
    row = read.run({"user_id": user_id, "sign_in_id": sign_in_id})
    if row is None:
        return None
    if row["u_password_hash"] is None or not hmac.compare_digest(row["u_session_token"].encode(), token.encode()):
        return None
    now = utcnow()
    if row["s_expires_at"] <= now:
        return None
    user = _loaded(User, row, user_columns, user_id)
    # Only read (its id names this browser; last_seen_at is written apart).
    sign_in = _loaded(SignIn, row, sign_in_columns, sign_in_id, attach=False)
    if now - sign_in.last_seen_at >= LAST_SEEN_EVERY:
        _touch(sign_in, now)
    user.sign_in = sign_in
    return user


def _touch(sign_in: SignIn, now) -> None:
    """Note that this sign-in is in use, outside the request's transaction (a
    GET commits nothing, and committing the request's session here would
    expire the objects just loaded)."""
    with db.engine.begin() as connection:
        connection.execute(update(SignIn).where(SignIn.id == sign_in.id).values(last_seen_at=now))
    # The loaded row learns the new value without becoming "dirty".
    set_committed_value(sign_in, "last_seen_at", now)


def active(user: User) -> list[SignIn]:
    """The person's live sign-ins, the most recently used first."""
    return list(
        db.session.scalars(
            select(SignIn)
            .where(SignIn.user_id == user.id, SignIn.expires_at > utcnow())
            .order_by(SignIn.last_seen_at.desc(), SignIn.created_at.desc())
        )
    )


def end(user: User, sign_in_id: uuid.UUID) -> bool:
    """End one of the person's sign-ins; False when there was no such one."""
    result = db.session.execute(delete(SignIn).where(SignIn.user_id == user.id, SignIn.id == sign_in_id))
    return result.rowcount > 0


def end_all_but(user: User, keep: SignIn | None) -> int:
    """End every other sign-in of the person (and any expired ones); how many ended."""
    statement = delete(SignIn).where(SignIn.user_id == user.id)
    if keep is not None:
        statement = statement.where(SignIn.id != keep.id)
    return db.session.execute(statement).rowcount


def purge_expired(user: User) -> None:
    """Forget the person's sign-ins that have run out (called at log-in)."""
    db.session.execute(delete(SignIn).where(SignIn.user_id == user.id, SignIn.expires_at <= utcnow()))
