"""Form pieces shared by every blueprint."""

from wtforms import ValidationError


def no_control_characters(form, field):
    """NUL and other control characters are never part of a real entry."""
    value = field.data if isinstance(field.data, str) else ""
    if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in value):
        raise ValidationError("This contains characters that are not allowed.")

