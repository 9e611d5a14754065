"""Change the account's email address, confirmed from the new mailbox.

``POST /account/email`` checks the current password (limited like every
password re-check), then mails a link to the new address and a notice to
the old one. The link shows a confirm button on GET, because mail scanners
open links on their own; only its POST changes the address. A link is bound
to the account, the new address and a fingerprint of the current address,
so it works once and dies if the address changes some other way first.
"""

from flask import Blueprint, current_app, flash, g, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import PasswordField, StringField, ValidationError
from wtforms.validators import InputRequired

from .. import mail
from ..accounts import email_taken
from ..auth.forms import valid_email
from ..extensions import db
from ..forms import no_control_characters
from ..htmx import render, see_other
from ..models import User
from ..tokens import fingerprint, make_token, read_token, same
from .views import _password_rechecks_limited, _settings_page, settings_section

bp = Blueprint("email_change", __name__, url_prefix="/account")

PURPOSE = "email-change"
TAKEN = "That address already belongs to another account."


class EmailChangeForm(FlaskForm):
    # Ids of their own: the account page has other "password" fields.
    email = StringField("New email address", id="new-email", validators=[no_control_characters, valid_email])
    password = PasswordField(
        "Current password", id="email-password",
        validators=[InputRequired("Enter your current password."), no_control_characters],
    )

    def validate_email(self, field):
        if field.errors:  # not an address at all: nothing to look up
            return
        if field.data == current_user.email:
            raise ValidationError("That is already your address.")
        if email_taken(field.data):
            raise ValidationError(TAKEN)


class ConfirmForm(FlaskForm):
    """Just the CSRF token: the link says what to change."""


@settings_section
def email_section() -> dict:
    return {"email_form": EmailChangeForm(formdata=None)}


def _hours() -> int:
    return max(1, current_app.config["EMAIL_CHANGE_LINK_SECONDS"] // 3600)


def _send_links(user: User, new_email: str) -> None:
    token = make_token(PURPOSE, {"user": user.id, "email": new_email, "was": fingerprint(user.email)})
    hours = _hours()
    mail.send(
        new_email,
        "Confirm your new Docket address",
        f"""Hello,

someone (we hope you) asked to move the Docket account {user.email}
to this address. To confirm, open this link within {hours} hours and press
the button on the page:

{mail.link("email_change.confirm", token=token)}

If you did not ask for this, ignore this mail: nothing changes.
""",
    )
    mail.send(
        user.email,
        "Your Docket address is about to change",
        f"""Hello,

someone logged in to your Docket account asked to change its address
from {user.email} to {new_email}. A link to confirm went to the new address;
nothing changes until it is opened.

If that was not you, change your password at once: {mail.link("account.settings")}
""",
    )


@bp.post("/email")
@login_required
@_password_rechecks_limited
def request_change():
    """Send a confirmation link to the new address (the password first)."""
    form = EmailChangeForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            g.wrong_password = True
            form.password.errors.append("That is not your current password.")
        else:
            _send_links(current_user, form.email.data)
            flash(
                f"We sent a link to {form.email.data}. Your address changes when you open it "
                f"(within {_hours()} hours); until then, keep logging in with {current_user.email}.",
                "info",
            )
            return see_other(url_for("account.settings"))
    return _settings_page(422, email_form=form)


def _private(response):
    """The token is in the URL: send it to no other site, and keep the page out of caches."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _change_for(token: str, lock: bool = False) -> tuple[User, str] | None:
    """The account and its new address, for a live link; else None."""
    payload = read_token(PURPOSE, token, current_app.config["EMAIL_CHANGE_LINK_SECONDS"])
    if payload is None or not isinstance(payload.get("user"), str) or not isinstance(payload.get("email"), str):
        return None
    user = db.session.get(User, payload["user"], with_for_update=True if lock else None, populate_existing=lock)
    if user is None or not same(payload.get("was"), fingerprint(user.email)):
        return None
    return user, payload["email"]


def _page(status: int = 200, **context):
    return _private(render("account/confirm_email.html", status=status, **context))


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """GET asks (scanners open links too); POST moves the account to the new address."""
    change = _change_for(token, lock=request.method == "POST")
    if change is None:
        db.session.rollback()
        return _page(410, gone=True)
    user, new_email = change
    form = ConfirmForm()
    if not form.validate_on_submit():
        db.session.rollback()
        return _page(old_email=user.email, new_email=new_email, token=token, form=form)
    if email_taken(new_email):
        db.session.rollback()
        return _page(409, taken=True, new_email=new_email)
    old_email = user.email
    user.email = new_email
    try:
        db.session.commit()
    except IntegrityError:  # taken by a sign-up in the same instant
        db.session.rollback()
        return _page(409, taken=True, new_email=new_email)
    mail.send(old_email, "Your Docket address has changed",
              f"Hello,\n\nthe Docket account that used {old_email} now uses {new_email}.\n")
    flash(f"Your email address is now {new_email}. Use it to log in from now on.", "success")
    target = url_for("account.settings") if current_user.is_authenticated else url_for("auth.login")
    return _private(see_other(target))
