"""Friendly error pages: HTML in the site layout, never a traceback.

Every handler rolls the database session back first, so a failed request
cannot leave a half-done transaction behind for the next one.
"""

import logging

from flask import current_app, g, make_response, render_template, request
from flask_login import AnonymousUserMixin, current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from .extensions import db
from .security import apply_security_headers

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Please go back and try again."),
    401: ("Please log in", "You need to log in to see this page."),
    403: ("Not allowed", "You are not allowed to do that."),
    404: ("Not found", "There is nothing here. It may have been deleted, or the link is wrong."),
    405: ("Not allowed", "That page cannot be used this way."),
    413: ("Too large", "What you sent is larger than Docket accepts."),
    422: ("Check your input", "Some of what you entered could not be used."),
    429: ("Slow down", "Too many attempts in a short time. Please wait a minute and try again."),
    500: ("Something went wrong", "Docket hit an unexpected error. Nothing was saved. Please try again."),
    503: ("Temporarily unavailable", "Docket cannot reach its database right now. Please try again in a moment."),
}
CSRF_MESSAGE = (
    "Your form had expired or came from another site, so nothing was changed. "
    "Reload the page and try again."
)


def _database_unavailable(error) -> bool:
    """The database is down, unreachable, timed out or dropped the connection."""
    if isinstance(error, (OperationalError, InterfaceError)):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _page(code: int, message: str | None = None) -> str:
    title, default_message = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title, message=message or default_message)


def _secured(response):
    # Also applied by the after-request hook; set here too because when an
    # after-request hook is what failed, Flask may skip the rest of them on
    # the way out with the error page.
    return apply_security_headers(response)


def _error_response(code: int, message: str | None = None, headers=None):
    db.session.rollback()
    return _secured(make_response(_page(code, message), code, headers or {}))


def handle_http_exception(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    original = getattr(error, "original_exception", None)
    if isinstance(error, InternalServerError) and _database_unavailable(original):
        # Raised after the view returned (a commit in an after-request hook,
        # say), Flask hands it over wrapped in a 500; it is a 503 all the same.
        return handle_database_unavailable(original)
    db.session.rollback()
    response = error.get_response()
    response.set_data(_page(error.code))
    response.mimetype = "text/html"
    return _secured(response)


def handle_csrf_error(error: CSRFError):
    # Logged out elsewhere (or the session expired), the page's token no
    # longer matches: what the person needs is the login page, not "refused".
    if request.blueprint not in ("auth", "recovery") and not current_user.is_authenticated:
        db.session.rollback()
        return current_app.login_manager.unauthorized()
    return _error_response(400, CSRF_MESSAGE)


def handle_database_unavailable(error: DBAPIError):
    log.warning("database unavailable: %s", error.orig if hasattr(error, "orig") else error)
    # The page layout asks who is logged in; don't let that ask the database.
    g._login_user = AnonymousUserMixin()
    return _error_response(503, headers={"Retry-After": "5"})


def handle_unexpected_error(error: Exception):
    original = getattr(error, "original_exception", None) or error
    if _database_unavailable(original):
        return handle_database_unavailable(original)
    if isinstance(original, HTTPException) and not isinstance(original, InternalServerError):
        return handle_http_exception(original)
    log.exception("unhandled error on %s %s", request.method, request.path, exc_info=original)
    return _error_response(500)


def register_error_handlers(app):
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(ServiceUnavailable, handle_http_exception)
    app.register_error_handler(SQLAlchemyError, handle_unexpected_error)
    app.register_error_handler(Exception, handle_unexpected_error)
