"""Account settings forms. Field names are part of the URL contract."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, ValidationError
from wtforms.validators import EqualTo, InputRequired

from ..auth.forms import acceptable_password
from ..forms import no_control_characters
from ..timezones import is_known_timezone, timezone_names


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[InputRequired("Enter your current password."), no_control_characters]
    )
    new_password = PasswordField(
        "New password", validators=[InputRequired("Choose a new password."), no_control_characters, acceptable_password]
    )
    new_password_confirm = PasswordField(
        "Repeat new password",
        validators=[InputRequired("Repeat your new password."), EqualTo("new_password", "The passwords do not match.")],
    )


class DeleteAccountForm(FlaskForm):
    password = PasswordField("Password", validators=[InputRequired("Enter your password to confirm."), no_control_characters])


class TimezoneForm(FlaskForm):
    timezone = SelectField(
        "Time zone",
        choices=lambda: [(name, name.replace("_", " ")) for name in timezone_names()],
        validate_choice=False,
    )

    def validate_timezone(self, field):
        if not is_known_timezone(field.data):
            raise ValidationError("Choose a time zone from the list.")
