"""The account page's "Where you're signed in": every live sign-in of the
person, with its device and when it was last used; end one, or all but this one."""

import re
import uuid

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, flash, url_for
from flask_login import current_user, login_required

from ..auth import signins
from ..extensions import db
from ..htmx import see_other
from ..models import utcnow
from .views import bp, settings_section

# (pattern, name) in the order that tells them apart: Edge and Opera say
# "Chrome" too, and Chrome says "Safari".
BROWSERS = [
    (re.compile(r"Edg(e|A|iOS)?/"), "Edge"),
    (re.compile(r"OPR/|Opera"), "Opera"),
    (re.compile(r"SamsungBrowser/"), "Samsung Internet"),
    (re.compile(r"Firefox/|FxiOS/"), "Firefox"),
    (re.compile(r"Chrome/|CriOS/|Chromium/"), "Chrome"),
    (re.compile(r"Safari/"), "Safari"),
    (re.compile(r"curl/|python-requests|Wget|HTTPie", re.I), "a script"),
]
SYSTEMS = [
    (re.compile(r"iPhone"), "iPhone"),
    (re.compile(r"iPad"), "iPad"),
    (re.compile(r"Android"), "Android"),
    (re.compile(r"Windows"), "Windows"),
    (re.compile(r"CrOS"), "ChromeOS"),
    (re.compile(r"Mac OS X|Macintosh"), "macOS"),
    (re.compile(r"Linux"), "Linux"),
]


def describe_device(user_agent: str | None) -> str:
    """"Firefox on Linux", "Safari on iPhone", or "Unknown device": a reading
    of the User-Agent header, which the browser chooses and may disguise."""
    text = user_agent or ""
    browser = next((name for pattern, name in BROWSERS if pattern.search(text)), None)
    system = next((name for pattern, name in SYSTEMS if pattern.search(text)), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown device"


def when(moment: datetime, tz: str, now: datetime | None = None) -> str:
    """"just now", "12 minutes ago", "3 hours ago", else the date and time in the person's zone."""
    now = now or utcnow()
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 120:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} minutes ago"
    if seconds < 6 * 3600:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours > 1 else ''} ago"
    local = moment.astimezone(ZoneInfo(tz))
    same_year = local.year == now.astimezone(ZoneInfo(tz)).year
    return local.strftime("%a %-d %b, %H:%M" if same_year else "%-d %b %Y, %H:%M")


@settings_section
def _sign_ins_context() -> dict:
    current = current_user.sign_in
    tz = current_user.timezone
    now = utcnow()
    context = {
        "sign_ins": [
            {
                "id": sign_in.id,
                "device": describe_device(sign_in.user_agent),
                "ip_address": sign_in.ip_address,
                "signed_in": when(sign_in.created_at, tz, now),
                "last_seen": when(sign_in.last_seen_at, tz, now),
                "remember": sign_in.remember,
                "current": current is not None and sign_in.id == current.id,
            }
            for sign_in in signins.active(current_user)
        ],
    }
    # This browser first, then the others by last use.
    context["sign_ins"].sort(key=lambda entry: not entry["current"])
    return context


@bp.post("/sign-ins/<uuid:sign_in_id>/end")
@login_required
def end_sign_in(sign_in_id: uuid.UUID):
    """Log one other browser out (this one logs out with the Log out button)."""
    current = current_user.sign_in
    if current is not None and sign_in_id == current.id:
        abort(400)
    if not signins.end(current_user, sign_in_id):
        abort(404)
    db.session.commit()
    flash("That device has been logged out.", "success")
    return see_other(url_for("account.settings") + "#sign-ins-heading")


@bp.post("/sign-ins/end-others")
@login_required
def end_other_sign_ins():
    """Log out everywhere else: every sign-in but this browser's ends."""
    ended = signins.end_all_but(current_user, current_user.sign_in)
    db.session.commit()
    if ended:
        flash(f"Logged out everywhere else ({ended} {'device' if ended == 1 else 'devices'}).", "success")
    else:
        flash("You were not logged in anywhere else.", "info")
    return see_other(url_for("account.settings") + "#sign-ins-heading")
