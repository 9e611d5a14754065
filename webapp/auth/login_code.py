"""The second step of logging in with two-factor on: a code from the
authenticator app, or a recovery code. Only a right code logs in."""

from flask import current_app, flash, request, url_for
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from .. import two_factor
from ..extensions import db, limiter
from ..forms import no_control_characters
from ..htmx import render, see_other
from . import pending_login
from .session import is_safe_next
from .views import _failed, _login_limit, _start_session, bp

WRONG_CODE = "That code is not right. Enter the newest code from your app, or an unused recovery code."
FEW_CODES_LEFT = 3


class LoginCodeForm(FlaskForm):
    code = StringField(
        "Code",
        validators=[
            InputRequired("Enter the code from your app, or a recovery code."),
            no_control_characters,
            Length(max=two_factor.CODE_MAX, message=WRONG_CODE),
        ],
        # Recovery codes have letters, so no numeric keyboard.
        render_kw={"class": "code-input", "autocapitalize": "none", "autocorrect": "off", "spellcheck": "false"},
    )


def _pending_user_key() -> str:
    return "login-code:" + pending_login.user_id()


def _code_daily_limit() -> str:
    return current_app.config["TWO_FACTOR_DAILY_LIMIT"]


def _code_attempts_limited(view):
    """Wrong codes count per client address and per person whose log-in is
    waiting (however many browsers try), LOGIN_RATE_LIMIT each, like log-in;
    and per person TWO_FACTOR_DAILY_LIMIT a day, so that someone who has the
    password cannot grind through codes at the per-minute rate all day
    (10 a minute would be 14,400 guesses a day, a few percent chance)."""
    per_address = limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
    per_person = limiter.limit(_login_limit, methods=["POST"], key_func=_pending_user_key, deduct_when=_failed)
    per_person_daily = limiter.limit(
        _code_daily_limit, methods=["POST"], key_func=_pending_user_key, deduct_when=_failed, scope="login-code-daily"
    )
    return per_address(per_person(per_person_daily(view)))


def _recovery_code_notice(user) -> None:
    left = two_factor.recovery_codes_left(user)
    message = f"You logged in with a recovery code; {left} {'code is' if left == 1 else 'codes are'} left."
    if left <= FEW_CODES_LEFT:
        message += " Make new ones on the Two-factor sign-in page (Account)."
    flash(message, "info" if left > FEW_CODES_LEFT else "error")


@bp.route("/login/code", methods=["GET", "POST"])
@_code_attempts_limited
def login_code():
    """Ask for the second factor; log in when it is right."""
    had_marker = pending_login.waiting()
    pending = pending_login.current()
    if pending is None:
        if had_marker:
            flash("Your log-in took too long or is no longer valid. Please enter your password again.", "info")
        return see_other(url_for("auth.login"))
    user, marker = pending
    form = LoginCodeForm()
    if form.validate_on_submit():
        kind = two_factor.accept_second_factor(user, form.code.data)
        if kind is not None:
            _start_session(user, remember=marker["remember"])  # commits the spent code too
            if kind == "recovery":
                _recovery_code_notice(user)
            target = marker["next"] if is_safe_next(marker["next"]) else url_for("tasks.index")
            return see_other(target)
        db.session.rollback()
        form.code.errors.append(WRONG_CODE)
    status = 422 if request.method == "POST" else 200
    return render("auth/login_code.html", form=form, status=status)
