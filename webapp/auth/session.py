"""How a login cookie maps to a user, and what happens without one.

The cookie carries ``<user id>:<session token>:<sign-in id>`` (Flask-Login's
alternative id). Rotating a user's token ends every session and remember-me
cookie issued before, on every device; ending a sign-in ends that browser's.
"""

import time
from urllib.parse import urlsplit

from flask import flash, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager
from itsdangerous import BadSignature
from werkzeug.wrappers import Response

from ..htmx import is_htmx_request, see_other
from ..models import User
from . import signins


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, without redoing the same work per request.

    - The signing serializer is made once per set of secret keys; Flask makes
      one per request, and making one serializes an empty dict to learn its
      output type.
    - A cookie whose signature was checked is remembered (exactly that
      string, with the time it was signed), so the browser's next request
      with the same cookie skips base64, zlib and the HMAC. Only a string
      that verified ever gets in, a forged one is checked as before, the age
      limit is applied on every use, and new secret keys start afresh.
    """

    VERIFIED_MAX = 4096  # cookies remembered per process
    # A session is a few hundred bytes; a cookie can carry far more once
    # decompressed, so only small ones are remembered: 4096 x 4 KiB at most.
    VERIFIED_SESSION_MAX = 4096

    def __init__(self):
        # (secret keys, their serializer, the cookies verified with them):
        # one value, swapped whole, so a thread still using old keys can
        # never file a cookie under new ones.
        self._state = None

    def _current(self, app):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        state = self._state
        if state is None or state[0] != keys:
            state = self._state = (keys, super().get_signing_serializer(app), {})
        return state

    def get_signing_serializer(self, app):
        return self._current(app)[1]

    def open_session(self, app, request):
        _, serializer, verified = self._current(app)
        if serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        known = verified.get(cookie)
        if known is not None and 0 <= time.time() - known[0] <= max_age:
            return self.session_class(self.serializer.loads(known[1]))
        try:
            data, signed_at = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        remembered = self.serializer.dumps(data)
        if len(remembered) + len(cookie) <= self.VERIFIED_SESSION_MAX:
            if len(verified) >= self.VERIFIED_MAX:
                verified.clear()
            verified[cookie] = (signed_at.timestamp(), remembered)
        return self.session_class(data)


def load_user(alternative_id: str) -> User | None:
    """The user a login cookie names, while its sign-in lives (signins.load)."""
    return signins.load(alternative_id)


NEXT_MAX = 2048  # characters: a page's path and query, not a payload


def is_safe_next(target: str | None) -> bool:
    """Only a path on this site: no scheme, no host, no protocol-relative
    trick, and no longer than a real page's address (it is kept in the
    session while a log-in waits for its code)."""
    if not target or len(target) > NEXT_MAX or not target.startswith("/") or target.startswith("//"):
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
    # Flask-Login still hashes the address and browser string on every
    # request for that protection, and at log-in: with it off, the value is
    # never compared, so there is nothing to hash.
    manager._session_identifier_generator = lambda: None
