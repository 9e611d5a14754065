"""/account/2fa: turn two-factor sign-in on and off, and replace recovery codes.

Turning it on: the page shows a pending secret (its QR code, its key and its
otpauth:// link); a first right code plus the current password turns it on
and shows ten recovery codes, once. Turning it off or making new recovery
codes takes the password and a code. Every wrong password here, and every
wrong code given with the right password, draws on the shared limit on
password re-checks (LOGIN_RATE_LIMIT per person, then 429).
"""

from flask import flash, g, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from .. import two_factor
from ..extensions import db
from ..forms import no_control_characters
from ..htmx import render, see_other
from .views import _password_rechecks_limited, bp, settings_section

WRONG_PASSWORD = "That is not your current password."
WRONG_APP_CODE = "That code is not right. Enter the newest 6-digit code your app shows for Docket."
WRONG_CODE = "That code is not right. Enter the newest code from your app, or an unused recovery code."
# Leave the address bar at /account/2fa after a boosted form (not a POST-only URL).
STAY = {"HX-Push-Url": "false"}


def _code_field(id_: str, label: str, message: str, numeric: bool = False) -> StringField:
    attributes = {"class": "code-input", "autocapitalize": "none", "autocorrect": "off", "spellcheck": "false"}
    if numeric:
        attributes["inputmode"] = "numeric"
    return StringField(
        label,
        id=id_,
        validators=[InputRequired(message), no_control_characters, Length(max=two_factor.CODE_MAX, message=WRONG_CODE)],
        render_kw=attributes,
    )


def _password_field(id_: str) -> PasswordField:
    return PasswordField(
        "Current password", id=id_, validators=[InputRequired("Enter your current password."), no_control_characters]
    )


# Three forms can share a page, so each names its own element ids; the field
# names (``code``, ``password``) are the same everywhere.
class EnableForm(FlaskForm):
    code = _code_field(
        "enable-code", "6-digit code from the app", "Enter the 6-digit code your app shows.", numeric=True
    )
    password = _password_field("enable-password")


class RecoveryCodesForm(FlaskForm):
    code = _code_field("codes-code", "Code from your app, or a recovery code", "Enter a code from your app.")
    password = _password_field("codes-password")


class DisableForm(FlaskForm):
    code = _code_field("disable-code", "Code from your app, or a recovery code", "Enter a code from your app.")
    password = _password_field("disable-password")


def _user():
    return current_user._get_current_object()


@settings_section
def _two_factor_context() -> dict:
    user = current_user
    enabled = user.two_factor_enabled
    return {
        "two_factor_enabled": enabled,
        "recovery_codes_left": two_factor.recovery_codes_left(user) if enabled else 0,
    }


def _page(status: int = 200, **context):
    """The two-factor page: set-up (with the pending secret) or management."""
    user = _user()
    if user.two_factor_enabled:
        context.setdefault("recovery_codes_left", two_factor.recovery_codes_left(user))
        context.setdefault("recovery_codes_form", RecoveryCodesForm(formdata=None))
        context.setdefault("disable_form", DisableForm(formdata=None))
    else:
        secret = user.totp_secret
        uri = two_factor.provisioning_uri(secret, user.email)
        context.update(secret=two_factor.grouped(secret), otpauth_uri=uri, qr_svg=two_factor.qr_svg(uri))
        context.setdefault("enable_form", EnableForm(formdata=None))
    response = render("account/two_factor.html", status=status, **context)
    if status != 200:
        response.headers.update(STAY)
    return response


def _new_codes_page(codes: list[str]):
    """The only time these codes are shown: never cached, never kept."""
    response = render(
        "account/two_factor.html",
        new_codes=codes,
        download_href=two_factor.download_href(codes),
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(STAY)
    return response


def _already(message: str):
    flash(message, "info")
    return see_other(url_for("account.two_factor_settings"))


def _right_password_and_code(form) -> bool:
    """Check the password, then (only if it is right) spend the code; put the
    errors beside the fields. A wrong code counts as a wrong guess too."""
    user = _user()
    if not user.check_password(form.password.data):
        g.wrong_password = True
        form.password.errors.append(WRONG_PASSWORD)
        return False
    if two_factor.accept_second_factor(user, form.code.data) is None:
        g.wrong_password = True
        form.code.errors.append(WRONG_CODE)
        return False
    return True


@bp.get("/2fa")
@login_required
def two_factor_settings():
    """Set up two-factor sign-in, or manage it once it is on."""
    user = _user()
    if not user.two_factor_enabled and not user.totp_secret:
        # A pending secret, made once and kept until it is confirmed or
        # replaced, so the QR code a person scanned stays right on reload.
        # It does nothing until a right code and the password turn it on.
        two_factor.pending_secret(user)
        db.session.commit()
    return _page()


@bp.post("/2fa/enable")
@login_required
@_password_rechecks_limited
def enable_two_factor():
    """Turn two-factor on with a first code from the app; show the recovery codes once."""
    user = _user()
    if user.two_factor_enabled:
        return _already("Two-factor sign-in is already on.")
    if not user.totp_secret:
        return _already("Scan the code below with your app first.")
    form = EnableForm()
    if form.validate_on_submit():
        if not user.check_password(form.password.data):
            g.wrong_password = True
            form.password.errors.append(WRONG_PASSWORD)
        else:
            codes = two_factor.enable(user, form.code.data)
            if codes is not None:
                db.session.commit()
                two_factor.send_changed_notice(user, turned_on=True)
                flash("Two-factor sign-in is on. Logging in now asks for a code from your app.", "success")
                return _new_codes_page(codes)
            db.session.rollback()
            form.code.errors.append(WRONG_APP_CODE)
    return _page(422, enable_form=form)


@bp.post("/2fa/recovery-codes")
@login_required
@_password_rechecks_limited
def new_recovery_codes():
    """Replace every recovery code with ten new ones."""
    user = _user()
    if not user.two_factor_enabled:
        return _already("Two-factor sign-in is off, so there are no recovery codes.")
    form = RecoveryCodesForm()
    if form.validate_on_submit():
        if _right_password_and_code(form):
            codes = two_factor.replace_recovery_codes(user)
            db.session.commit()
            flash("New recovery codes made. The old ones no longer work.", "success")
            return _new_codes_page(codes)
        db.session.rollback()
    return _page(422, recovery_codes_form=form)


@bp.post("/2fa/disable")
@login_required
@_password_rechecks_limited
def disable_two_factor():
    """Turn two-factor off: the password alone logs in again."""
    user = _user()
    if not user.two_factor_enabled:
        return _already("Two-factor sign-in is already off.")
    form = DisableForm()
    if form.validate_on_submit():
        if _right_password_and_code(form):
            two_factor.disable(user)
            db.session.commit()
            two_factor.send_changed_notice(user, turned_on=False)
            flash("Two-factor sign-in is off. Your recovery codes no longer work.", "success")
            return see_other(url_for("account.two_factor_settings"))
        db.session.rollback()
    return _page(422, disable_form=form)


@bp.post("/2fa/new-key")
@login_required
def new_two_factor_key():
    """Set-up only: drop the pending key (say someone saw it) and show a new one."""
    user = _user()
    if user.two_factor_enabled:
        return _already("Two-factor sign-in is already on; turn it off first to use a new key.")
    two_factor.restart_enrolment(user)
    two_factor.pending_secret(user)
    db.session.commit()
    flash("Here is a new key. Remove the old Docket entry from your app and scan this one.", "info")
    return see_other(url_for("account.two_factor_settings"))
