"""Signed, expiring tokens for links sent by mail (password reset, email change).

A token is itsdangerous' timed signature over a small payload, keyed by the
app's SECRET_KEY and salted by its purpose, so a token made for one purpose
never works for another. Nothing is stored: a token is made single-use by a
*fingerprint* of the state it is meant to change (the password hash, the
current address). Once that state changes, the fingerprint no longer
matches and every earlier token is dead.
"""

import hashlib
import hmac

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer


def fingerprint(*values: str | None) -> str:
    """A short digest of ``values``; tokens carry it instead of the values."""
    digest = hashlib.sha256("\x1f".join(value or "" for value in values).encode())
    return digest.hexdigest()[:24]


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"docket.{purpose}")


def make_token(purpose: str, payload: dict) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int) -> dict | None:
    """The payload, or None for a token that is forged, malformed, for another
    purpose or older than ``max_age`` seconds."""
    if not token or len(token) > 1024:
        return None
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except (BadData, UnicodeError, ValueError):
        return None
    return payload if isinstance(payload, dict) else None


def same(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two fingerprints."""
    return a is not None and b is not None and hmac.compare_digest(str(a).encode(), str(b).encode())
