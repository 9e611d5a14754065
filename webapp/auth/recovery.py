"""A forgotten password: ask for a link by mail, then choose a new password.

``/auth/forgot`` gives the same answer, in the same time, whether or not the
address has an account (the mail goes out in the background), and is rate
limited per client address and per address asked about. ``/auth/reset/<token>``
sets the new password and ends every session of the account; it logs nobody
in (two-factor may be on): the person logs in as usual afterwards.
"""

from flask import Blueprint, current_app, flash, request, session, url_for
from flask_login import logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, ValidationError
from wtforms.validators import EqualTo, InputRequired

from ..accounts import PASSWORD_MIN, find_user
from ..extensions import db, limiter
from ..forms import no_control_characters
from ..htmx import render, see_other
from ..password_reset import link_minutes, send_changed_notice, send_reset_mail, user_for_token
from ..passwords import password_problem
from .forms import valid_email

bp = Blueprint("recovery", __name__, url_prefix="/auth")


class ForgotForm(FlaskForm):
    email = StringField("Email", validators=[no_control_characters, valid_email])


class ResetForm(FlaskForm):
    new_password = PasswordField(
        "New password", validators=[InputRequired("Choose a new password."), no_control_characters]
    )
    new_password_confirm = PasswordField(
        "Repeat new password",
        validators=[InputRequired("Repeat your new password."), EqualTo("new_password", "The passwords do not match.")],
    )

    def __init__(self, account_email: str, **kwargs):
        super().__init__(**kwargs)
        self.account_email = account_email

    def validate_new_password(self, field):
        # Nobody is logged in here, so the shared validator could not tell
        # whose address the password must not contain: the link's account.
        problem = password_problem(field.data or "", self.account_email)
        if problem:
            raise ValidationError(problem)


def _forgot_limit() -> str:
    return current_app.config["FORGOT_RATE_LIMIT"]


def _address_asked_about() -> str:
    return "forgot:" + (request.form.get("email") or "").strip().lower()[:255]


def _no_address_given() -> bool:
    # An empty form is refused anyway; it must not use up a shared count.
    return not (request.form.get("email") or "").strip()


def _forgot_limited(view):
    """Every request counts, found or not, so the limit says nothing either."""
    per_client = limiter.limit(_forgot_limit, methods=["POST"], scope="forgot")
    per_address = limiter.limit(
        _forgot_limit, methods=["POST"], scope="forgot", key_func=_address_asked_about, exempt_when=_no_address_given
    )
    return per_client(per_address(view))


def _private(response):
    """The token is in the URL: send it to no other site, and keep the page out of caches."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/forgot", methods=["GET", "POST"])
@_forgot_limited
def forgot():
    """Ask for a reset link; the answer never says whether the address has an account."""
    form = ForgotForm()
    if form.validate_on_submit():
        user = find_user(form.email.data)
        if user is not None and user.password_hash is not None:
            send_reset_mail(user)
        flash(
            f"If an account uses {form.email.data}, a link to choose a new password is on its way there. "
            f"It works for {link_minutes()} minutes. No mail? Check the spam folder.",
            "info",
        )
        return see_other(url_for("auth.login"))
    status = 422 if request.method == "POST" else 200
    return render("auth/forgot.html", form=form, status=status)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    """Choose a new password with a link from a mail."""
    # On POST the row stays locked until the commit: a link sent twice at once
    # sets one password, and the second finds the link used.
    user = user_for_token(token, lock=request.method == "POST")
    if user is None:
        db.session.rollback()
        return _private(render("auth/reset.html", form=None, minutes=link_minutes(), status=410))
    form = ResetForm(user.email)
    if form.validate_on_submit():
        user.set_password(form.new_password.data)
        user.rotate_session_token()
        db.session.commit()
        send_changed_notice(user)
        # Whoever was logged in in this browser is logged out too.
        session.clear()
        logout_user()
        flash("Your password has been changed, and every device was logged out. Log in with your new password.",
              "success")
        return _private(see_other(url_for("auth.login")))
    db.session.rollback()
    status = 422 if request.method == "POST" else 200
    return _private(render("auth/reset.html", form=form, email=user.email, token=token,
                           password_min=PASSWORD_MIN, status=status))
