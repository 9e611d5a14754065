"""The words of repeating tasks, in English: the phrases a person may type
("every other week", "every mon, wed") turned into RRULE parts, and a
canonical rule turned back into a short label ("Every 2 weeks on Mon").

``repeats`` owns the rules themselves; this module only translates.
"""

import re
from datetime import date


class RepeatError(ValueError):
    """A repeat rule that Docket cannot use; ``str()`` is the message to show."""


WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_LABELS = dict(zip(WEEKDAY_CODES, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")))
DAY_NAMES = {
    "monday": "MO", "mon": "MO",
    "tuesday": "TU", "tue": "TU", "tues": "TU",
    "wednesday": "WE", "wed": "WE", "weds": "WE",
    "thursday": "TH", "thu": "TH", "thur": "TH", "thurs": "TH",
    "friday": "FR", "fri": "FR",
    "saturday": "SA", "sat": "SA",
    "sunday": "SU", "sun": "SU",
}
NUMBER_WORDS = {
    "other": 2, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}
UNITS = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY", "year": "YEARLY"}
WEEKDAYS = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
WEEKENDS = "FREQ=WEEKLY;BYDAY=SA,SU"
WORDS = {
    "daily": "FREQ=DAILY", "every day": "FREQ=DAILY",
    "weekly": "FREQ=WEEKLY", "every week": "FREQ=WEEKLY",
    "fortnightly": "FREQ=WEEKLY;INTERVAL=2",
    "monthly": "FREQ=MONTHLY", "every month": "FREQ=MONTHLY",
    "yearly": "FREQ=YEARLY", "annually": "FREQ=YEARLY", "every year": "FREQ=YEARLY",
    "weekdays": WEEKDAYS, "every weekday": WEEKDAYS, "workdays": WEEKDAYS, "every workday": WEEKDAYS,
    "weekends": WEEKENDS, "every weekend": WEEKENDS,
}
_EVERY_UNIT = re.compile(
    r"every (?:(?P<count>[0-9]{1,4}|" + "|".join(NUMBER_WORDS) + r") )?(?P<unit>day|week|month|year)s?"
    r"(?: on (?P<days>.+))?"
)
_WEEKLY_ON = re.compile(r"weekly on (?P<days>.+)")
_EVERY_DAYS = re.compile(r"every (?P<days>.+)")
_DAY_SEPARATORS = re.compile(r"\s*(?:,|&|/|\+|\band\b)\s*|\s+")

HINT = ("Try daily, weekdays, weekly, monthly, yearly, every 3 days, every monday, "
        "or an RRULE such as FREQ=WEEKLY;INTERVAL=2;BYDAY=MO.")


def friendly_rule(text: str) -> str:
    """An RRULE for a phrase such as "every 2 weeks on mon, fri"; RepeatError if it is none."""
    phrase = " ".join(text.lower().split()).rstrip(".")
    if phrase in WORDS:
        return WORDS[phrase]
    match = _EVERY_UNIT.fullmatch(phrase)
    if match:
        return _every_unit(match)
    match = _WEEKLY_ON.fullmatch(phrase) or _EVERY_DAYS.fullmatch(phrase)
    days = weekday_codes(match.group("days")) if match else None
    if days:
        return f"FREQ=WEEKLY;BYDAY={','.join(days)}"
    raise RepeatError(f"Docket can't read “{text}” as a repeat. {HINT}")


def _every_unit(match: re.Match) -> str:
    count_text, unit = match.group("count"), match.group("unit")
    count = NUMBER_WORDS.get(count_text) or int(count_text or 1)
    if not 1 <= count <= 999:
        raise RepeatError(f"A task can repeat every 1 to 999 {unit}s.")
    rule = f"FREQ={UNITS[unit]}" + (f";INTERVAL={count}" if count > 1 else "")
    if match.group("days"):
        days = weekday_codes(match.group("days"))
        if unit != "week" or not days:
            raise RepeatError("Name weekdays after “on” with weeks, as in “every 2 weeks on mon, fri”.")
        rule += f";BYDAY={','.join(days)}"
    return rule


def weekday_codes(text: str) -> list[str] | None:
    """["MO", "WE"] for "mon, wednesday" or "mondays and weds"; None if a word is no weekday."""
    codes = set()
    for word in filter(None, _DAY_SEPARATORS.split(text.lower())):
        code = DAY_NAMES.get(word) or (DAY_NAMES.get(word[:-1]) if word.endswith("s") else None)
        if code is None:
            return None
        codes.add(code)
    return [code for code in WEEKDAY_CODES if code in codes] or None


def ordinal(number: int) -> str:
    if number == -1:
        return "last"
    if number < 0:
        return f"{ordinal(-number)} to last"
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


_EVERY = {"DAILY": ("Daily", "day"), "WEEKLY": ("Weekly", "week"),
          "MONTHLY": ("Monthly", "month"), "YEARLY": ("Yearly", "year")}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def describe(freq: str, interval: int, parts: dict, until: date | None) -> str:
    """The label of a canonical rule, taken apart by ``repeats``."""
    word, unit = _EVERY[freq]
    rest = set(parts) - {"WKST"}
    byday = parts.get("BYDAY", "")
    if rest == {"BYDAY"} and interval == 1 and freq in ("DAILY", "WEEKLY") and byday in ("MO,TU,WE,TH,FR", "SA,SU"):
        label = "Weekdays" if byday.startswith("MO") else "Weekends"
    else:
        label = (word if interval == 1 else f"Every {interval} {unit}s") + _details(freq, parts, rest, byday)
    if until is not None:
        label += f", until {until.day} {_MONTHS[until.month - 1]} {until.year}"
    return label


def _details(freq: str, parts: dict, rest: set, byday: str) -> str:
    if not rest:
        return ""
    if rest == {"BYDAY"} and freq in ("DAILY", "WEEKLY"):  # only these take plain weekdays (no 2TU)
        return " on " + ", ".join(WEEKDAY_LABELS[code] for code in byday.split(","))
    if freq == "MONTHLY" and rest == {"BYMONTHDAY"} and "," not in parts["BYMONTHDAY"]:
        day = int(parts["BYMONTHDAY"])
        return " on the last day" if day == -1 else f" on the {ordinal(day)}"
    match = re.fullmatch(r"([+-]?[0-9]+)([A-Z]{2})", byday)
    if freq == "MONTHLY" and rest == {"BYDAY"} and match:
        return f" on the {ordinal(int(match.group(1)))} {WEEKDAY_LABELS[match.group(2)]}"
    if freq == "YEARLY" and rest == {"BYMONTH", "BYMONTHDAY"} and "," not in parts["BYMONTH"] + parts["BYMONTHDAY"]:
        day, month = int(parts["BYMONTHDAY"]), _MONTHS[int(parts["BYMONTH"]) - 1]
        return f" on the last day of {month}" if day == -1 else (f" on {day} {month}" if day > 0 else " (custom)")
    return " (custom)"
