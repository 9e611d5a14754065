"""The landing page."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """Introduce Docket; someone already logged in goes straight to their tasks."""
    if current_user.is_authenticated:
        return redirect(url_for("tasks.index"))
    return render_template("main/index.html")
