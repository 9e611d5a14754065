"""Two-factor sign-in (TOTP, RFC 6238) and its single-use recovery codes.

The secret lives in ``User.totp_secret``; it counts only once
``totp_enabled_at`` is set, after a first right code (until then it is a
pending enrolment). ``totp_last_step`` is the time step of the last code
accepted: a code for that step or an earlier one is refused, so a code seen
over someone's shoulder cannot be used again. Recovery codes are random, so
they are kept as plain SHA-256 hashes, and each one is spent by a single
conditional UPDATE: two requests racing with the same code cannot both win.

The caller owns the transaction (these functions never commit).
"""

import hashlib
import secrets
import time
from urllib.parse import quote

import pyotp
import segno
from pyotp.utils import strings_equal
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value

from .extensions import db
from .models import RecoveryCode, User, utcnow

ISSUER = "Docket"
DIGITS = 6
VALID_WINDOW = 1  # the current 30-second step, one before and one after (clock drift)
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: a code copied from paper reads one way only. 31 symbols x 10 = 49 bits.
RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
RECOVERY_HALF = 5
CODE_MAX = 64  # longer than any code: refused before any work


def new_secret() -> str:
    """160 random bits, base32 (what authenticator apps expect)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, email: str) -> str:
    """``otpauth://totp/Docket:<email>?secret=...&issuer=Docket``."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code: black on white whatever the page's
    colours (a scanner wants dark modules on light), sized by CSS."""
    return segno.make(uri, error="m").svg_inline(
        scale=1, border=4, dark="#000", light="#fff", omitsize=True, svgclass="qr-code"
    )


def download_href(codes: list[str]) -> str:
    """A ``data:`` URL holding the codes as a text file, for "Download"."""
    text = "Docket recovery codes\n\nEach code works once, instead of a code from your app.\n\n"
    text += "\n".join(codes) + "\n"
    return "data:text/plain;charset=utf-8," + quote(text)


def normalise(code: str) -> str:
    """What the person typed, without spaces and dashes, lower case."""
    return "".join(code.split()).replace("-", "").lower()


def is_totp_shaped(code: str) -> bool:
    return len(code) == DIGITS and code.isascii() and code.isdigit()


# -- TOTP codes -------------------------------------------------------------------


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step ``code`` belongs to (now, or one step either side), or None."""
    code = normalise(code)
    if not is_totp_shaped(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(time.time() if now is None else now)
    # Newest first: if two neighbouring steps ever gave the same code, the
    # later step is the one that leaves no room for a replay.
    for step in (current + 1, current, current - 1):
        if strings_equal(code, totp.generate_otp(step)):
            return step
    return None


def accept_totp(user: User, code: str, secret: str | None = None) -> bool:
    """True when ``code`` is right for ``secret`` (the user's own by default)
    and newer than the last code accepted; records its step in the same
    statement, so the same code cannot pass twice, even in parallel."""
    secret = secret or user.totp_secret
    if not secret:
        return False
    step = matching_step(secret, code)
    if step is None:
        return False
    result = db.session.execute(
        update(User)
        .where(User.id == user.id, User.totp_secret == secret)
        .where((User.totp_last_step.is_(None)) | (User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    set_committed_value(user, "totp_last_step", step)  # already written: not dirty
    return True


# -- recovery codes -----------------------------------------------------------------


def _hash(normalised_code: str) -> str:
    return hashlib.sha256(normalised_code.encode()).hexdigest()


def _new_recovery_code() -> str:
    letters = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(2 * RECOVERY_HALF))
    return f"{letters[:RECOVERY_HALF]}-{letters[RECOVERY_HALF:]}"


def replace_recovery_codes(user: User) -> list[str]:
    """Ten new codes for ``user``, replacing any old ones; the plain codes are
    returned to show once and are kept nowhere."""
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(_new_recovery_code())
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(
        insert(RecoveryCode), [{"user_id": user.id, "code_hash": _hash(normalise(code))} for code in codes]
    )
    return sorted(codes)


def use_recovery_code(user: User, code: str) -> bool:
    """Spend one unused recovery code; False when it is wrong or already used."""
    code = normalise(code)
    if len(code) != 2 * RECOVERY_HALF or not code.isascii() or not code.isalnum():
        return False
    result = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code), RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )


# -- what a person (or the operator) does -----------------------------------------------


def accept_second_factor(user: User, code: str) -> str | None:
    """Check a code from the app or a recovery code for an enabled user:
    "totp" or "recovery" for the kind that was accepted, None when refused."""
    if not user.two_factor_enabled or len(code) > CODE_MAX:
        return None
    if is_totp_shaped(normalise(code)):
        return "totp" if accept_totp(user, code) else None
    return "recovery" if use_recovery_code(user, code) else None


def pending_secret(user: User) -> str:
    """The secret being enrolled: the one already pending (so a QR code
    scanned a minute ago stays good), else a new one. Set with a conditional
    UPDATE, so two tabs opening the page at once end up with one secret."""
    if user.totp_secret and not user.two_factor_enabled:
        return user.totp_secret
    db.session.execute(
        update(User)
        .where(User.id == user.id, User.totp_secret.is_(None))
        .values(totp_secret=new_secret(), totp_enabled_at=None, totp_last_step=None)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user, ["totp_secret", "totp_enabled_at", "totp_last_step"])
    return user.totp_secret


def restart_enrolment(user: User) -> None:
    """Forget a pending secret (say it was seen by someone): the next visit makes a new one."""
    if not user.two_factor_enabled:
        user.totp_secret = None
        user.totp_last_step = None


def enable(user: User, code: str) -> list[str] | None:
    """Turn two-factor on with a first right code for the pending secret: the
    ten new recovery codes, or None when the code is wrong (or another
    request turned it on first)."""
    secret = user.totp_secret
    if user.two_factor_enabled or not secret or len(code) > CODE_MAX:
        return None
    if not accept_totp(user, code, secret):
        return None
    now = utcnow()
    result = db.session.execute(
        update(User)
        .where(User.id == user.id, User.totp_secret == secret, User.totp_enabled_at.is_(None))
        .values(totp_enabled_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    set_committed_value(user, "totp_enabled_at", now)
    return replace_recovery_codes(user)


def disable(user: User) -> int:
    """Turn two-factor off and delete the recovery codes (how many there were)."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    deleted = db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    return deleted.rowcount


def send_changed_notice(user, turned_on: bool, by_operator: bool = False) -> None:
    """Tell the person, by mail, that two-factor sign-in was turned on or off:
    if it was not them, they learn at once that someone has their password
    (or, turned off, that their account is weaker now)."""
    from . import mail

    if turned_on:
        subject = "Two-factor sign-in is on for your Docket account"
        what = ("two-factor sign-in was just turned on: logging in now asks for a code\n"
                "from an authenticator app, or one of the recovery codes.")
    else:
        subject = "Two-factor sign-in is off for your Docket account"
        who = "by the site's operator, as is done for someone who lost their phone" if by_operator \
            else "on the account page"
        what = (f"two-factor sign-in was just turned off ({who}): the password alone\n"
                "logs in again, and the old recovery codes no longer work.")
    mail.send(
        user.email,
        subject,
        f"""Hello,

on the Docket account {user.email}, {what}

If that was not you, change your password at once (or ask for a reset link:
{mail.link("recovery.forgot")}), then look at where you are logged in:
{mail.link("account.settings")}
""",
    )

