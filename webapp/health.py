"""Liveness and readiness probes for load balancers and orchestrators."""

from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db, limiter

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """The process is up and serving requests."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """The database answers: the app can do real work."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return "database unavailable", 503, {"Content-Type": "text/plain; charset=utf-8"}
    return "ready", 200, {"Content-Type": "text/plain; charset=utf-8"}
