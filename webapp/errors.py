"""Friendly error pages: HTML in the site layout, never a traceback.

Every handler rolls the database session back first, so a failed request
cannot leave a half-done transaction behind for the next one.
"""

import logging

from flask import g, render_template, request
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from .extensions import db

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


def _error_response(code: int, message: str | None = None):
    db.session.rollback()
    title, default_message = MESSAGES.get(code, MESSAGES[500])
    body = render_template(
        "errors/error.html",
        code=code,
        title=title,
        message=message or default_message,
    )
    return body, code


def handle_http_exception(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    response = error.get_response()
    body, code = _error_response(error.code)
    response.set_data(body)
    response.mimetype = "text/html"
    return response


def handle_csrf_error(error: CSRFError):
    return _error_response(400, CSRF_MESSAGE)


def handle_database_unavailable(error: OperationalError):
    log.warning("database unavailable: %s", error.orig if hasattr(error, "orig") else error)
    # The page layout asks who is logged in; don't let that ask the database.
    g._login_user = AnonymousUserMixin()
    body, code = _error_response(503)
    return body, code, {"Retry-After": "5"}


def handle_unexpected_error(error: Exception):
    original = getattr(error, "original_exception", None) or error
    if isinstance(original, OperationalError):
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
