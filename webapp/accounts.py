"""Account operations shared by the web views and the operator CLI.

The caller owns the transaction: these functions change the session and
leave the commit to the view or command that called them.
"""

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, select

from .extensions import db
from .models import EMAIL_MAX, User, new_inbox

PASSWORD_MIN = 8
PASSWORD_MAX = 1024


class AccountError(ValueError):
    """A request about an account that cannot be carried out, with the reason."""


class EmailTaken(AccountError):
    """The address already belongs to an account."""


EMAIL_TAKEN = "An account with this email address already exists."


def normalise_email(raw: str) -> str:
    """Trim, lower-case and check an address; raise ``AccountError`` if it is not one."""
    email = (raw or "").strip().lower()
    if not email:
        raise AccountError("Enter your email address.")
    if len(email) > EMAIL_MAX:
        raise AccountError(f"An email address can be at most {EMAIL_MAX} characters.")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise AccountError(f"That is not a valid email address: {error}") from None
    return email


def password_problem(password: str) -> str | None:
    """Why a new password is unacceptable, or None. No composition rules."""
    if len(password) < PASSWORD_MIN:
        return f"Use at least {PASSWORD_MIN} characters."
    if len(password) > PASSWORD_MAX:
        return f"Use at most {PASSWORD_MAX} characters."
    return None


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def email_taken(email: str) -> bool:
    return db.session.scalar(select(func.count()).select_from(User).where(User.email == email)) > 0


def create_user(email: str, password: str) -> User:
    email = normalise_email(email)
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    if email_taken(email):
        # Only a first check: a parallel sign-up can still take the address
        # before the commit, which the unique index then refuses (IntegrityError).
        raise EmailTaken(EMAIL_TAKEN)
    user = User(email=email)
    user.set_password(password)
    db.session.add(user)
    db.session.add(new_inbox(user))  # every person starts with an Inbox
    return user


def delete_user(user: User) -> None:
    """Delete a user in one statement; the database cascades to their tasks."""
    db.session.execute(delete(User).where(User.id == user.id))
    db.session.expunge(user)
