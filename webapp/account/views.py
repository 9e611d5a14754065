"""Account settings: time zone, password, deletion."""

from flask import Blueprint, current_app, flash, g, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..accounts import delete_user
from ..auth import signins
from ..extensions import db, limiter
from ..htmx import render, see_other
from ..tasks.portable import MAX_ROWS
from .forms import DeleteAccountForm, PasswordChangeForm, TimezoneForm

bp = Blueprint("account", __name__, url_prefix="/account")


def _recheck_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _recheck_key() -> str:
    """Per person, whatever address or session the guesses come from."""
    return "user:" + (current_user.id if current_user.is_authenticated else request.remote_addr or "")


def _wrong_password(response) -> bool:
    """Only a wrong current password counts, not a new one that was refused."""
    return bool(g.get("wrong_password"))


# Every form that re-checks the password draws on one count per person, so a
# stolen session gets LOGIN_RATE_LIMIT guesses in all, then 429s: like log-in.
_password_rechecks_limited = limiter.shared_limit(
    _recheck_limit, scope="password-recheck", key_func=_recheck_key, deduct_when=_wrong_password
)


# Functions that give a settings section its blank forms and other context;
# each feature module registers its own (``@settings_section``), so the page
# knows every section without this module importing them.
_section_context: list = []


def settings_section(provide):
    """Register ``provide() -> dict``: the default context of one settings section."""
    _section_context.append(provide)
    return provide


def _settings_page(status: int = 200, **forms):
    """The settings page, with any submitted form (and its errors) in place."""
    for provide in _section_context:
        for key, value in provide().items():
            forms.setdefault(key, value)
    forms.setdefault("timezone_form", TimezoneForm(formdata=None, timezone=current_user.timezone))
    forms.setdefault("password_form", PasswordChangeForm(formdata=None))
    forms.setdefault("delete_form", DeleteAccountForm(formdata=None))
    response = render("account/settings.html", status=status, max_import_rows=MAX_ROWS, **forms)
    if status != 200:
        # A boosted form that failed shows this page again: keep /account in the
        # address bar, not the POST-only URL (reloading that would be a 405).
        response.headers["HX-Push-Url"] = "false"
    return response


@bp.get("")
@login_required
def settings():
    """Show the account settings."""
    return _settings_page()


@bp.post("/timezone")
@login_required
def update_timezone():
    """Set the time zone that decides what "today" and "overdue" mean."""
    form = TimezoneForm()
    if not form.validate_on_submit():
        return _settings_page(422, timezone_form=form)
    current_user.timezone = form.timezone.data
    db.session.commit()
    flash(f"Time zone set to {form.timezone.data}.", "success")
    return see_other(url_for("account.settings"))


@bp.post("/password")
@login_required
@_password_rechecks_limited
def change_password():
    """Change the password; every other session and device is logged out."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            g.wrong_password = True
            form.current_password.errors.append("That is not your current password.")
        else:
            user = current_user._get_current_object()
            user.set_password(form.new_password.data)
            user.rotate_session_token()
            signins.end_all_but(user, user.sign_in)
            db.session.commit()
            # The new cookie carries the new secret; every older copy is void.
            login_user(user, remember=bool(request.cookies.get("remember_token")))
            flash("Password changed. Any other devices have been logged out.", "success")
            return see_other(url_for("account.settings"))
    return _settings_page(422, password_form=form)


@bp.post("/delete")
@login_required
@_password_rechecks_limited
def delete():
    """Delete the account and, by database cascade, every task in it."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            g.wrong_password = True
            form.password.errors.append("That password is not right, so nothing was deleted.")
        else:
            delete_user(current_user._get_current_object())
            db.session.commit()
            session.clear()
            logout_user()
            flash("Your account and all of its tasks have been deleted.", "info")
            return see_other(url_for("main.index"))
    return _settings_page(422, delete_form=form)
