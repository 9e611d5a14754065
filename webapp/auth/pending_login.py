"""A log-in half done: the password was right, the two-factor code is still to come.

Nothing is logged in meanwhile. The session holds only a marker: whose
log-in it is, a fingerprint of that person's session token (a password
change or reset rotates the token, and the half-done log-in dies with it),
"keep me logged in", the checked ``next`` page, and when the password was
given. The marker lasts ``LIFETIME_SECONDS``; after that the password is
asked for again.
"""

import hashlib
import hmac
import time

from flask import session

from ..extensions import db
from ..models import User

KEY = "pending_login"
LIFETIME_SECONDS = 5 * 60


def _fingerprint(session_token: str) -> str:
    # Not the token itself: the session cookie is signed, not encrypted.
    return hashlib.sha256(session_token.encode()).hexdigest()[:32]


def start(user: User, remember: bool, next_page: str) -> None:
    """Remember that ``user`` gave the right password; ``next_page`` is already checked."""
    session[KEY] = {
        "user": user.id,
        "token": _fingerprint(user.session_token),
        "remember": bool(remember),
        "next": next_page,
        "at": int(time.time()),
    }


def _marker() -> dict | None:
    marker = session.get(KEY)
    if not isinstance(marker, dict):
        return None
    shapes = {"user": str, "token": str, "remember": bool, "next": str, "at": int}
    if any(not isinstance(marker.get(name), kind) for name, kind in shapes.items()):
        return None
    return marker


def user_id() -> str:
    """Whose log-in is waiting for a code ("" when none): the rate limit's key."""
    marker = _marker()
    return marker["user"] if marker else ""


def waiting() -> bool:
    """True when this browser has a marker at all, live or not."""
    return KEY in session


def current() -> tuple[User, dict] | None:
    """The person and the marker, while the log-in is still good; else None
    (and the marker is gone): too old, the account changed its session token
    or turned two-factor off, or no longer exists."""
    marker = _marker()
    if marker is None or not 0 <= time.time() - marker["at"] < LIFETIME_SECONDS:
        clear()
        return None
    user = db.session.get(User, marker["user"])
    if (
        user is None
        or not user.password_hash
        or not user.two_factor_enabled
        or not hmac.compare_digest(_fingerprint(user.session_token), marker["token"])
    ):
        clear()
        return None
    return user, marker


def clear() -> None:
    session.pop(KEY, None)
