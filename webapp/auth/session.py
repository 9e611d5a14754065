"""How a login cookie maps to a user, and what happens without one.

The cookie carries ``<user id>:<session token>:<sign-in id>`` (Flask-Login's
alternative id). Rotating a user's token ends every session and remember-me
cookie issued before, on every device; ending a sign-in ends that browser's.
"""

from urllib.parse import urlsplit

from flask import flash, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager
from werkzeug.wrappers import Response

from ..htmx import is_htmx_request, see_other
from ..models import User
from . import signins


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer made once.

    Flask builds a new serializer for every request, and building one
    serializes an empty dict to learn its output type: work repeated on every
    page view for a value that only changes with the secret keys."""

    _made_for = None
    _serializer = None

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if self._made_for != keys:
            self._serializer = super().get_signing_serializer(app)
            self._made_for = keys
        return self._serializer


def load_user(alternative_id: str) -> User | None:
    """The user a login cookie names, while its sign-in lives (signins.load)."""
    return signins.load(alternative_id)


def is_safe_next(target: str | None) -> bool:
    """Only a path on this site: no scheme, no host, no protocol-relative trick."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def _requested_page() -> str:
    # For an HTMX call, come back to the page the person was on, not the fragment URL.
    if is_htmx_request():
        try:
            current = urlsplit(request.headers.get("HX-Current-URL", ""))
        except ValueError:  # not a URL at all (say "http://[::1"): as if it were absent
            current = urlsplit("")
        if current.path and is_safe_next(current.path):
            return current.path + (f"?{current.query}" if current.query else "")
    return request.full_path.rstrip("?") if request.method == "GET" else request.path


SESSION_ENDED = "Your session has ended. Please log in again."


def unauthorized() -> Response:
    if is_htmx_request() or request.method != "GET":
        # The person was doing something on a page: say why they are here.
        flash(SESSION_ENDED, "info")
    page = _requested_page()
    login_url = url_for("auth.login", next=page if is_safe_next(page) else None)
    if is_htmx_request():
        response = Response("Please log in again.", status=401, mimetype="text/plain")
        response.headers["HX-Redirect"] = login_url
        response.vary.add("HX-Request")
        return response
    return see_other(login_url)


def configure_login(manager: LoginManager) -> None:
    manager.user_loader(load_user)
    manager.unauthorized_handler(unauthorized)
    manager.login_view = "auth.login"
    # No Flask-Login session protection: its "basic" mode only marks a
    # session "not fresh" when the address or browser string changes, Docket
    # never asks for freshness, and the mark re-signed and re-sent the session
    # cookie on every request from a phone changing networks. Sessions are
    # guarded by sign-ins instead (signins.py): each can be ended, expires,
    # and dies with a password change.
    manager.session_protection = None
