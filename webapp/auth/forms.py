"""Sign-up and log-in forms. Field names are part of the URL contract."""

from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField, ValidationError
from wtforms.validators import EqualTo, InputRequired

from ..accounts import AccountError, normalise_email
from ..forms import no_control_characters
from ..passwords import password_problem


def valid_email(form, field):
    try:
        field.data = normalise_email(field.data)
    except AccountError as error:
        raise ValidationError(str(error)) from None


def _email_of(form) -> str:
    """The address the password is for: the form's own (sign-up), else the signed-in person's."""
    email_field = getattr(form, "email", None)
    if email_field is not None:
        return email_field.data or ""
    if current_user and current_user.is_authenticated:
        return current_user.email
    return ""


def acceptable_password(form, field):
    """Long enough, not a common password, not built from the email address."""
    problem = password_problem(field.data or "", _email_of(form))
    if problem:
        raise ValidationError(problem)


class RegisterForm(FlaskForm):
    email = StringField("Email", validators=[no_control_characters, valid_email])
    password = PasswordField(
        "Password", validators=[InputRequired("Choose a password."), no_control_characters, acceptable_password]
    )
    password_confirm = PasswordField(
        "Repeat password",
        validators=[InputRequired("Repeat your password."), EqualTo("password", "The passwords do not match.")],
    )
    timezone = HiddenField()


class LoginForm(FlaskForm):
    email = StringField("Email", validators=[InputRequired("Enter your email address."), no_control_characters])
    password = PasswordField("Password", validators=[InputRequired("Enter your password."), no_control_characters])
    remember = BooleanField("Keep me logged in for 30 days")
    next = HiddenField()
