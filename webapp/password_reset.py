"""Password-reset links: made for the "forgot password" page and for the
operator's ``flask users reset-link``, checked by the reset page.

A link carries the user's id and a fingerprint of their current password
hash and address (``tokens.fingerprint``). Nothing is stored: the reset
itself changes the hash, so the link works once; so does any other password
change, and moving the account to another address kills links sent to the
old one. Links expire after ``RESET_LINK_SECONDS``.
"""

from flask import current_app

from . import mail
from .extensions import db
from .models import User
from .tokens import fingerprint, make_token, read_token, same

PURPOSE = "password-reset"


def _state(user: User) -> str:
    return fingerprint(user.id, user.email, user.password_hash)


def make_reset_token(user: User) -> str:
    return make_token(PURPOSE, {"user": user.id, "state": _state(user)})


def reset_link(user: User) -> str:
    """The absolute link, on DOCKET_BASE_URL, whatever host the request named."""
    return mail.link("recovery.reset", token=make_reset_token(user))


def link_minutes() -> int:
    return max(1, current_app.config["RESET_LINK_SECONDS"] // 60)


def user_for_token(token: str, *, lock: bool = False) -> User | None:
    """The user a live token is for; None when it is forged, expired, used, or
    the account changed (or went) since. ``lock`` holds the row until the
    commit, so two submissions of one link cannot both set a password."""
    payload = read_token(PURPOSE, token, current_app.config["RESET_LINK_SECONDS"])
    if payload is None or not isinstance(payload.get("user"), str):
        return None
    user = db.session.get(User, payload["user"], with_for_update=True if lock else None,
                          populate_existing=lock)
    if user is None or not same(payload.get("state"), _state(user)):
        return None
    return user


def send_reset_mail(user: User) -> None:
    minutes = link_minutes()
    mail.send(
        user.email,
        "Reset your Docket password",
        f"""Hello,

someone (we hope you) asked to reset the password of the Docket account {user.email}.
To choose a new password, open this link within {minutes} minutes:

{reset_link(user)}

The link works once. If you did not ask for this, ignore this mail:
your password stays as it is.
""",
    )


def send_changed_notice(user: User) -> None:
    mail.send(
        user.email,
        "Your Docket password was changed",
        f"""Hello,

the password of the Docket account {user.email} was just changed with a
reset link, and every device that was logged in has been logged out.

If that was not you, ask for a new reset link at once:
{mail.link("recovery.forgot")}
""",
    )
