"""Sign-up and log-in forms. Field names are part of the URL contract."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField, ValidationError
from wtforms.validators import EqualTo, InputRequired

from ..accounts import AccountError, normalise_email, password_problem
from ..forms import no_control_characters


def valid_email(form, field):
    try:
        field.data = normalise_email(field.data)
    except AccountError as error:
        raise ValidationError(str(error)) from None


def acceptable_password(form, field):
    problem = password_problem(field.data or "")
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
