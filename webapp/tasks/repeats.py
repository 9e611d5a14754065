"""Repeating tasks: read what a person typed, store it as an RFC 5545 RRULE,
and find a task's next due date.

Pure functions on dates: no database, no Flask. python-dateutil parses and
expands the rules; this module only decides which rules a task may have and
how a completed task moves on.

Decisions (the tests pin each one):

- Stored form: one canonical RRULE without the ``RRULE:`` prefix, in
  dateutil's own part order (``FREQ=WEEKLY;INTERVAL=2;BYDAY=MO``), so equal
  rules compare equal. The start (DTSTART) is the task's due date, so a rule
  may not carry one.
- Allowed: FREQ DAILY, WEEKLY, MONTHLY or YEARLY (tasks have dates, not
  times); INTERVAL 1..999; UNTIL (the series ends: ``next_due`` answers None);
  WKST; and the BY parts RFC 5545 allows for that FREQ, except that a DAILY
  rule may only filter by BYDAY and BYMONTH (the other filters can make a
  daily rule that never happens, and scanning for it takes seconds).
- Refused, with a message: COUNT (a repeating task moves itself forward and
  keeps no tally; UNTIL ends a series instead), DTSTART, BYHOUR, BYMINUTE,
  BYSECOND, BYEASTER (not RFC 5545), unknown parts, rules over 200
  characters, and rules that can never give a date (30 February).
- Month ends: a plain monthly or yearly rule (no BY parts) keeps its anchor
  day and falls back to the month's last day when the month is shorter:
  31 Jan, 28 Feb, 31 Mar; 29 Feb 2024, 28 Feb 2025, 29 Feb 2028. Rules with
  explicit BY parts follow RFC 5545 exactly (``BYMONTHDAY=31`` skips short
  months; ``BYMONTHDAY=-1`` is the last day).
"""

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr

from .repeat_words import WEEKDAY_CODES, RepeatError, describe, friendly_rule

__all__ = ["RepeatError", "describe_repeat", "first_due", "next_due", "normalise_repeat"]

REPEAT_MAX = 200
INTERVAL_MAX = 999
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")

_ALWAYS = {"INTERVAL", "UNTIL", "WKST"}
_PARTS_BY_FREQ = {
    "DAILY": _ALWAYS | {"BYDAY", "BYMONTH"},
    "WEEKLY": _ALWAYS | {"BYDAY", "BYMONTH", "BYSETPOS"},
    "MONTHLY": _ALWAYS | {"BYDAY", "BYMONTH", "BYMONTHDAY", "BYSETPOS"},
    "YEARLY": _ALWAYS | {"BYDAY", "BYMONTH", "BYMONTHDAY", "BYSETPOS", "BYYEARDAY", "BYWEEKNO"},
}
_KNOWN = set().union(*_PARTS_BY_FREQ.values()) | {"FREQ"}
_REFUSED = {
    "COUNT": "A repeating task can't count its repeats (COUNT): end it on a date with UNTIL=YYYYMMDD instead.",
    "DTSTART": "Leave DTSTART out: a repeat starts from the task's due date.",
    "BYHOUR": "Tasks repeat on dates, not times: leave BYHOUR out.",
    "BYMINUTE": "Tasks repeat on dates, not times: leave BYMINUTE out.",
    "BYSECOND": "Tasks repeat on dates, not times: leave BYSECOND out.",
    "BYEASTER": "BYEASTER is not part of RFC 5545; use BYMONTH and BYMONTHDAY.",
}
# Largest absolute value of each numeric list part (zero is never allowed).
_INT_LIMITS = {"BYMONTHDAY": 31, "BYMONTH": 12, "BYYEARDAY": 366, "BYWEEKNO": 53, "BYSETPOS": 366}
_DAY_PARTS = ("BYMONTHDAY", "BYDAY", "BYYEARDAY", "BYWEEKNO")  # these replace DTSTART's day
_BYDAY_ITEM = re.compile(r"([+-]?[0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_REFERENCE_START = date(2000, 1, 1)  # a leap year starting on a Saturday


def normalise_repeat(text: str | None) -> str | None:
    """The canonical RRULE for ``text``, or None when it is empty.

    ``text`` may be a word (``daily``, ``weekdays``, ``weekly``, ``monthly``,
    ``yearly``), a phrase (``every 3 days``, ``every other week``,
    ``every mon, wed``, ``every 2 weeks on friday``) or an RRULE with or
    without the ``RRULE:`` prefix. Raises ``RepeatError`` with a message a
    person can act on for anything else.
    """
    cleaned = " ".join((text or "").split())
    if not cleaned:
        return None
    if len(cleaned) > REPEAT_MAX:
        raise RepeatError(f"A repeat rule can be at most {REPEAT_MAX} characters (this one has {len(cleaned)}).")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in cleaned):
        raise RepeatError("The repeat rule contains characters that are not allowed.")
    return _canonical(cleaned)


@lru_cache(maxsize=1024)
def _canonical(cleaned: str) -> str:
    if "=" not in cleaned and ":" not in cleaned:
        return _canonical(friendly_rule(cleaned))
    return _canonical_rrule(cleaned)


def _canonical_rrule(text: str) -> str:
    body = text.upper().replace(" ", "")
    body = body.removeprefix("RRULE:")
    if "DTSTART" in body:
        raise RepeatError(_REFUSED["DTSTART"])
    if ":" in body:
        raise RepeatError("Give a single RRULE, without RDATE, EXRULE or EXDATE lines.")
    parts: dict[str, str] = {}
    for piece in filter(None, body.split(";")):
        name, equals, value = piece.partition("=")
        if not equals or not name or not value:
            raise RepeatError(f"“{piece}” is not a NAME=VALUE part of an RRULE.")
        if name in _REFUSED:
            raise RepeatError(_REFUSED[name])
        if name not in _KNOWN:
            raise RepeatError(f"“{name}” is not a rule part Docket knows. Use FREQ, INTERVAL, UNTIL, WKST or a BY part.")
        if name in parts:
            raise RepeatError(f"{name} is given twice.")
        parts[name] = value
    freq = parts.pop("FREQ", None)
    if freq not in FREQUENCIES:
        if freq in ("HOURLY", "MINUTELY", "SECONDLY"):
            raise RepeatError("Tasks repeat by the day at most: use FREQ=DAILY, WEEKLY, MONTHLY or YEARLY.")
        raise RepeatError("An RRULE needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY.")
    for name, value in parts.items():
        if name not in _PARTS_BY_FREQ[freq]:
            raise RepeatError(f"{name} can't be used with FREQ={freq}.")
        parts[name] = _checked_value(name, value, freq)
    if "BYSETPOS" in parts and not set(parts) & {"BYDAY", "BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO"}:
        raise RepeatError("BYSETPOS picks from the days another BY part gives: add BYDAY or BYMONTHDAY.")
    # Two ways a daily or weekly rule could never happen, which dateutil would
    # only find by scanning every day until the year 9999.
    if freq == "WEEKLY" and "BYSETPOS" in parts:
        days = len(parts.get("BYDAY", "MO").split(","))
        if any(abs(int(item)) > days for item in parts["BYSETPOS"].split(",")):
            raise RepeatError(f"BYSETPOS can only pick from the {days} day(s) in BYDAY.")
    if freq == "DAILY" and "BYDAY" in parts and int(parts.get("INTERVAL", 1)) % 7 == 0:
        raise RepeatError("Every 7 days (or 14, 21...) on set weekdays is a weekly rule: use FREQ=WEEKLY with BYDAY.")
    rule_text = ";".join([f"FREQ={freq}"] + [f"{name}={value}" for name, value in parts.items()])
    try:
        rule = rrulestr(rule_text, dtstart=datetime.combine(_REFERENCE_START, datetime.min.time()))
    except (ValueError, TypeError, OverflowError) as error:  # dateutil's own checks
        raise RepeatError(f"That RRULE can't be used: {error}.") from error
    canonical = str(rule).splitlines()[-1].removeprefix("RRULE:")
    canonical = re.sub(r"UNTIL=([0-9]{8})T000000", r"UNTIL=\1", canonical)
    spec = _spec(canonical)
    if not spec.clamped and _after(spec, _REFERENCE_START, _REFERENCE_START, inclusive=True, any_interval=True) is None:
        raise RepeatError("This rule never gives a date (like 30 February): check its BY parts.")
    return canonical


def _checked_value(name: str, value: str, freq: str) -> str:
    if name == "INTERVAL":
        if not re.fullmatch(r"[0-9]{1,3}", value) or not 1 <= int(value) <= INTERVAL_MAX:
            raise RepeatError(f"INTERVAL must be a whole number from 1 to {INTERVAL_MAX}.")
        return str(int(value))
    if name == "UNTIL":
        return _checked_until(value).strftime("%Y%m%d")
    if name == "WKST":
        if value not in WEEKDAY_CODES:
            raise RepeatError("WKST must be a weekday: MO, TU, WE, TH, FR, SA or SU.")
        return value
    items = value.split(",")
    if name == "BYDAY":
        for item in items:
            match = _BYDAY_ITEM.fullmatch(item)
            if not match:
                raise RepeatError(f"“{item}” is not a weekday in BYDAY (use MO, TU, WE, TH, FR, SA, SU, or 2TU, -1FR).")
            if match.group(1) is not None:
                limit = {"MONTHLY": 5, "YEARLY": 53}.get(freq)
                if limit is None:
                    raise RepeatError("A number before a weekday (like 1MO) only works with FREQ=MONTHLY or YEARLY.")
                if not 1 <= abs(int(match.group(1))) <= limit:
                    raise RepeatError(f"The number before a weekday in BYDAY must be 1 to {limit} or -1 to -{limit}.")
        return value
    limit = _INT_LIMITS[name]
    lowest = 1 if name == "BYMONTH" else -limit
    for item in items:
        if not re.fullmatch(r"[+-]?[0-9]{1,3}", item) or int(item) == 0 or not lowest <= int(item) <= limit:
            allowed = f"1 to {limit}" if lowest == 1 else f"1 to {limit} or -1 to -{limit}"
            raise RepeatError(f"Each value of {name} must be {allowed}.")
    return value


def _checked_until(value: str) -> date:
    match = re.fullmatch(r"([0-9]{4})([0-9]{2})([0-9]{2})(T[0-9]{6}Z?)?", value)
    try:
        until = date(int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None
    except ValueError:
        until = None
    if until is None or until.year < 1900:
        raise RepeatError("UNTIL must be a real date written YYYYMMDD (for example 20261231).")
    return until


@dataclass(frozen=True)
class _Spec:
    """A canonical rule taken apart: what ``next_due`` and the labels need."""

    text: str
    freq: str
    interval: int
    until: date | None
    parts: dict  # BY parts and WKST, as written in the canonical rule

    @property
    def clamped(self) -> bool:
        """Plain monthly/yearly: keeps its anchor day, clamped to short months."""
        return self.freq in ("MONTHLY", "YEARLY") and not any(name.startswith("BY") for name in self.parts)


@lru_cache(maxsize=1024)
def _spec(canonical: str) -> _Spec:
    fields = dict(piece.split("=", 1) for piece in canonical.split(";"))
    until = fields.pop("UNTIL", None)
    text = ";".join(f"{name}={value}" for name, value in fields.items())  # UNTIL is checked apart
    freq, interval = fields.pop("FREQ"), int(fields.pop("INTERVAL", 1))
    until_date = datetime.strptime(until, "%Y%m%d").date() if until else None
    return _Spec(text=text, freq=freq, interval=interval, until=until_date, parts=fields)


def _compiled(rule: str) -> _Spec:
    canonical = normalise_repeat(rule)
    if canonical is None:
        raise RepeatError("There is no repeat rule.")
    return _spec(canonical)


def next_due(rule: str, due: date | None, today: date, *, anchor_day: int | None = None) -> date | None:
    """The date a repeating task moves to when it is completed on ``today``.

    The pattern starts at ``due`` (or ``today`` when the task has no due
    date), and the answer is its first date strictly after both ``due`` and
    ``today``. So a task completed early (due Friday, done Wednesday) moves
    to the Friday after; a task completed late skips the dates it missed and
    lands on the first one after today (a daily task overdue since Monday,
    done on Thursday, is due Friday; "every Monday" done on a Wednesday is
    due next Monday), like Todoist's "every". ``today`` is the date in the
    person's time zone; the function works on dates only, so a daylight
    saving change can never move a task by a day.

    ``anchor_day`` keeps a plain monthly or yearly task on its day of the
    month: pass the day of the due date the person chose (31 for a task first
    due on 31 January), and 28 Feb moves to 31 Mar, not 28 Mar. Without it,
    or when it does not fit ``due`` (due on the 15th, anchor 31: the person
    moved the task), the day of ``due`` is used. Rules with BY parts ignore it.

    None when the rule's UNTIL has passed, or no date comes within 400 years.
    """
    spec = _compiled(rule)
    start = due or today
    after = max(start, today)
    if spec.clamped:
        if anchor_day is not None and not 1 <= anchor_day <= 31:
            raise ValueError("anchor_day must be a day of the month, 1 to 31.")
        # An anchor that does not fit the due date is stale (the person moved
        # the task since): the due date's own day wins.
        fits = anchor_day is not None and start.day == min(anchor_day, monthrange(start.year, start.month)[1])
        found = _next_clamped(spec, start, after, anchor_day if fits else start.day)
    else:
        found = _after(spec, start, after, inclusive=False)
    return _within_until(spec, found)


def first_due(rule: str, start: date) -> date | None:
    """The first date of the pattern on or after ``start`` (a new task's due date).

    "every monday" added on a Wednesday is due next Monday; a plain rule is
    due on ``start`` itself.
    """
    spec = _compiled(rule)
    found = start if spec.clamped else _after(spec, start, start, inclusive=True)
    return _within_until(spec, found)


def _within_until(spec: _Spec, found: date | None) -> date | None:
    if found is None or (spec.until is not None and found > spec.until):
        return None
    return found


def _next_clamped(spec: _Spec, start: date, after: date, anchor_day: int) -> date | None:
    step = spec.interval * (12 if spec.freq == "YEARLY" else 1)
    gap = (after.year - start.year) * 12 + after.month - start.month
    steps = max(1, gap // step)  # lands in after's month or just before it
    while True:
        try:
            # An absolute day in relativedelta is clamped to the month's length.
            found = start + relativedelta(months=steps * step, day=anchor_day)
        except (ValueError, OverflowError):  # past the year 9999
            return None
        if found > after:
            return found
        steps += 1


def _after(spec: _Spec, start: date, after: date, *, inclusive: bool, any_interval: bool = False) -> date | None:
    """The first occurrence after ``after`` of ``spec`` started at ``start``, via dateutil.

    dateutil scans until the year 9999 for a date that never comes, which
    takes seconds. The Gregorian calendar repeats every 400 years, so both
    dates move up by a multiple of 400 years to leave 400 to 800 years below
    the end: the scan stays short, and the answer is moved back down.
    """
    start = _fast_forward(spec, start, after)
    shift = 400 * max(0, (9599 - after.year) // 400)
    midnight = datetime.min.time()
    rule = rrulestr(spec.text, dtstart=datetime.combine(_years_later(start, shift), midnight))
    if any_interval:
        rule = rule.replace(interval=1)
    found = rule.after(datetime.combine(_years_later(after, shift), midnight), inc=inclusive)
    return None if found is None else _years_later(found.date(), -shift)


def _years_later(day: date, years: int) -> date:
    return day.replace(year=day.year + years)  # multiples of 400 keep 29 February valid


def _fast_forward(spec: _Spec, start: date, after: date) -> date:
    """A later start that gives the same dates after ``after``: a task overdue
    for decades costs no more than one due yesterday."""
    if spec.freq in ("DAILY", "WEEKLY"):
        unit = spec.interval * (1 if spec.freq == "DAILY" else 7)
        steps = (after - start).days // unit - 1
        return start + timedelta(days=steps * unit) if steps > 0 else start
    if any(name in spec.parts for name in _DAY_PARTS):
        unit = spec.interval * (1 if spec.freq == "MONTHLY" else 12)  # the start's day plays no part
    else:
        unit = spec.interval * 4800  # the start's day counts: move by whole 400-year cycles
    steps = ((after.year - start.year) * 12 + after.month - start.month) // unit - 1
    return start + relativedelta(months=steps * unit) if steps > 0 else start


def describe_repeat(rule: str) -> str:
    """A short label for a rule: "Daily", "Weekdays", "Every 2 weeks on Mon",
    "Monthly on the last day", "Yearly on 24 Dec", "Every 3 days"."""
    spec = _compiled(rule)
    return describe(spec.freq, spec.interval, spec.parts, spec.until)
