"""The add box's parser: "Pay rent tomorrow !high #home every month *Bills".

Pure: text and today's date in, a ``QuickAdd`` out; the view decides what to
save. The syntax, and the decisions behind it:

- ``#name`` a label (letters and digits of any script, ``-``, ``_``); every
  label counts, repeats are dropped (case-insensitively), order is kept.
- ``!high`` ``!medium`` (``!med``) ``!low`` ``!none``, also ``!3`` ``!2``
  ``!1`` ``!0`` (the stored numbers: 3 is high) and ``!!!`` (high) ``!!``
  (medium). A lone ``!`` is punctuation.
- ``*Groceries`` a list; a name with spaces is quoted: ``*"Home stuff"``.
- A repeat: "every ..." anywhere ("every day", "every 2 weeks on mon",
  "every monday"), or one of daily, weekly, monthly, yearly, weekdays... as
  the last word ("Standup daily"; "Weekly report" stays a title).
- A date, in English: today, tomorrow, friday, next monday, in 3 days, on 5
  March, Dec 24, 2026-12-24. Only as the last words of the title, or after
  "due", "on" or "by" anywhere; and only phrases shaped like a date reach
  dateparser, so "Call May", "March report", "Fix sat nav" or "second draft"
  keep their words. Weekday abbreviations need a keyword: "on sat" at the
  end, "due fri" anywhere ("Fix the car on sat nav" keeps its words).
- Priority, list, date and repeat: the last one written wins; an earlier
  one stays in the title as text.
- A repeat with a date starts on the first date of the pattern on or after
  it; a repeat alone starts on the first one from today ("every monday"
  typed on a Wednesday is due next Monday; "every month" is due today).
- A backslash before a word keeps it as text: ``\\#1 fan``, ``\\tomorrow``
  (``keep_as_text`` puts them before a part's words).
- The title is never empty: if nothing would be left, the whole text (with
  its escapes removed) is the title and nothing is parsed, so "tomorrow"
  alone is a task called "tomorrow".
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..models import PRIORITIES
from .repeats import RepeatError, describe_repeat, first_due, normalise_repeat

# What may follow the "!": a name, a stored number, or more "!" ("!!" medium, "!!!" high).
_PRIORITY_WORDS = {name: value for value, name in PRIORITIES.items()} | {"med": 2, "!": 2, "!!": 3}
_PRIORITY_WORDS |= {str(value): value for value in PRIORITIES}
_TOKEN = re.compile(r'\\?\*(?:"[^"]*"|“[^”]*”)(?=\s|$)|\S+')
_TRAILING = ".,;:!?"
_DATE_KEYWORDS = {"due", "on", "by"}
_REPEAT_WORDS = {"daily", "weekly", "fortnightly", "monthly", "yearly", "annually", "weekdays", "weekends"}
_LONGEST_PHRASE = 7

_WEEKDAY = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_WEEKDAY_SHORT = "mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun"
_MONTH = ("january|february|march|april|may|june|july|august|september|october|november|december"
          "|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec")
_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])(?:st|nd|rd|th)?"
_COUNT = r"(?:[0-9]{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_DAY_MONTH = re.compile(rf"(?:{_DAY}(?: of)? (?:{_MONTH})\.?|(?:{_MONTH})\.? {_DAY})(?P<year>,? [0-9]{{4}})?")
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DATE_AT_END = re.compile(
    rf"(?:the )?day after tomorrow|today|tonight|tomorrow|tmrw|tmr|(?:{_WEEKDAY})"
    rf"|(?:next|this) (?:{_WEEKDAY}|{_WEEKDAY_SHORT}|week|month|year)"
    rf"|in {_COUNT} (?:day|week|month|year)s?"
)
_DATE_AFTER_KEYWORD = re.compile(_DATE_AT_END.pattern + rf"|{_WEEKDAY_SHORT}")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class QuickAdd:
    """What the add box's text says. ``parts`` holds (kind, source text,
    label) for each parsed piece, in the order written: kind is one of
    "date", "priority", "label", "list", "repeat"; the source is the words
    it came from, as typed, joined by single spaces."""

    title: str
    due_date: date | None = None
    priority: int | None = None
    labels: tuple[str, ...] = ()
    repeat: str | None = None
    list_name: str | None = None
    parts: tuple[tuple[str, str, str], ...] = ()

    def chips(self) -> list[dict]:
        """The parsed parts as JSON-ready dicts for the preview: kind, the
        text they came from, a label to show, and the value they set."""
        values = {"date": self.due_date and self.due_date.isoformat(), "priority": self.priority,
                  "repeat": self.repeat, "list": self.list_name}
        return [{"kind": kind, "text": text, "label": label, "value": values.get(kind, label)}
                for kind, text, label in self.parts]


@dataclass
class _Token:
    source: str  # as typed
    text: str  # without an escaping backslash
    escaped: bool

    @classmethod
    def read(cls, source: str) -> "_Token":
        escaped = source.startswith("\\") and len(source) > 1
        return cls(source, source[1:] if escaped else source, escaped)

    @property
    def word(self) -> str:
        """The lower-case word for phrase matching; empty when escaped."""
        return "" if self.escaped else self.text.lower().rstrip(_TRAILING)


def parse_quick_add(text: str, today: date | None = None, tz: str | None = None) -> QuickAdd:
    """Read the add box. ``today`` is the person's date (in their time
    zone); without it, today is taken in ``tz`` (an IANA name, UTC when
    missing or unknown). Never raises: what it cannot read stays title text.
    """
    return _Reader(text or "", today or _today_in(tz)).result()


def keep_as_text(text: str, source: str, *, any_case: bool = False) -> str:
    """``text`` with a backslash before each word of every run of words that
    reads ``source`` (a part's source, as ``parts`` gives it), so that
    parsing again keeps them as title text. ``any_case`` for labels, which
    are matched case-insensitively. The add box's × does the same
    (static/quickadd.js)."""
    tokens = [(match.start(), match.group()) for match in _TOKEN.finditer(text)]
    wanted = source.casefold() if any_case else source
    marks, start = [], 0
    while start < len(tokens):
        end, joined = start, ""
        while end < len(tokens) and len(joined) < len(wanted):
            joined += (" " if end > start else "") + tokens[end][1]
            end += 1
        if (joined.casefold() if any_case else joined) == wanted:
            marks += [at for at, token in tokens[start:end] if not token.startswith("\\")]
            start = end
        else:
            start += 1
    for at in reversed(marks):
        text = text[:at] + "\\" + text[at:]
    return text


def warm_up() -> None:
    """Load dateparser and its English data now (about half a second), so
    that the first quick add a process serves does not wait for it."""
    _dateparser_date("tomorrow", date.today())


def _today_in(tz: str | None) -> date:
    try:
        zone = ZoneInfo(tz or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.now(zone).date()


class _Reader:
    """One parse: the tokens, which of them are used up, and what they said."""

    def __init__(self, text: str, today: date):
        self.tokens = [_Token.read(source) for source in _TOKEN.findall(text)]
        self.today = today
        self.used: set[int] = set()
        self.found: dict[str, tuple[tuple[int, ...], object, str]] = {}  # kind -> (tokens, value, label)
        self.labels: list[tuple[int, str]] = []

    def take(self, kind: str, indexes, value, label: str) -> None:
        """Keep what ``indexes`` say; a later piece of the same kind wins, and
        the earlier one goes back to the title."""
        if kind in self.found:
            self.used -= set(self.found[kind][0])
        self.found[kind] = (tuple(indexes), value, label)
        self.used |= set(indexes)

    def result(self) -> QuickAdd:
        for index, token in enumerate(self.tokens):
            if not token.escaped:
                self.read_marker(index, token.text)
        self.read_every()
        self.read_dates()
        title = " ".join(" ".join(token.text for index, token in enumerate(self.tokens) if index not in self.used).split())
        if not title:
            return QuickAdd(title=" ".join(" ".join(token.text for token in self.tokens).split()))
        value = {kind: found[1] for kind, found in self.found.items()}
        due, repeat = value.get("date"), value.get("repeat")
        if repeat:
            due = first_due(repeat, due or self.today) or due
        pieces = [(indexes, kind, label) for kind, (indexes, _, label) in self.found.items()]
        pieces += [((index,), "label", name) for index, name in self.labels]
        parts = tuple((kind, " ".join(self.tokens[i].source for i in indexes), label)
                      for indexes, kind, label in sorted(pieces))
        return QuickAdd(title=title, due_date=due, priority=value.get("priority"),
                        labels=tuple(name for _, name in self.labels), repeat=repeat,
                        list_name=value.get("list"), parts=parts)

    def read_marker(self, index: int, text: str) -> None:
        """#label, !priority, *list: one token each."""
        marker, rest = text[:1], text[1:]
        if marker == "#" and _is_name(rest):
            name = unicodedata.normalize("NFC", rest)
            self.used.add(index)
            if name.casefold() not in {known.casefold() for _, known in self.labels}:
                self.labels.append((index, name))
        elif marker == "!" and rest.lower() in _PRIORITY_WORDS:
            value = _PRIORITY_WORDS[rest.lower()]
            self.take("priority", [index], value, f"{PRIORITIES[value].capitalize()} priority")
        elif marker == "*":
            quoted = len(rest) > 2 and rest[0] + rest[-1] in ('""', "“”")
            name = " ".join(rest[1:-1].split()) if quoted else rest
            if _is_name(name) or (quoted and _is_quoted_name(name)):
                self.take("list", [index], name, name)

    def free(self) -> list[int]:
        """Indexes of the tokens still in the title, in order."""
        return [index for index in range(len(self.tokens)) if index not in self.used]

    def read_every(self) -> None:
        """The last "every ..." phrase that reads as a repeat, longest first."""
        free = self.free()
        for start in reversed(range(len(free))):
            if self.tokens[free[start]].word != "every":
                continue
            for length in range(min(_LONGEST_PHRASE, len(free) - start), 1, -1):
                span = free[start:start + length]
                rule = _rule(self.words(span))
                if rule:
                    self.take("repeat", span, rule, describe_repeat(rule))
                    return

    def read_dates(self) -> None:
        """A repeat word and a date at the end, in either order ("monthly
        tomorrow", "tomorrow monthly"); else a date after a keyword."""
        for _ in range(2):
            if not (self.read_repeat_word() or ("date" not in self.found and self.read_date_at_end())):
                break
        if "date" not in self.found:
            self.read_date_after_keyword()

    def read_repeat_word(self) -> bool:
        free = self.free()
        if not free or "repeat" in self.found or self.tokens[free[-1]].word not in _REPEAT_WORDS:
            return False
        rule = _rule(self.tokens[free[-1]].word)
        self.take("repeat", free[-1:], rule, describe_repeat(rule))
        return True

    def read_date_at_end(self) -> bool:
        free = self.free()
        return any(self.try_date(free[-length:], free[-length - 1] if length < len(free) else None)
                   for length in range(min(_LONGEST_PHRASE, len(free)), 0, -1))

    def read_date_after_keyword(self) -> bool:
        free = self.free()
        for position in reversed(range(len(free) - 1)):
            if self.tokens[free[position]].word in _DATE_KEYWORDS:
                for length in range(min(_LONGEST_PHRASE, len(free) - position - 1), 0, -1):
                    if self.try_date(free[position + 1:position + 1 + length], free[position]):
                        return True
        return False

    def try_date(self, span: list[int], before: int | None) -> bool:
        """Take ``span`` as the date if it is one, with the keyword ``before`` it.

        Weekday abbreviations ("fri") need a keyword, and in the middle of a
        title "due": "on sat nav" is not a date, "meet on sat" and "report
        due fri for Anna" are.
        """
        keyword = self.tokens[before].word if before is not None else ""
        keyword = keyword if keyword in _DATE_KEYWORDS else ""
        at_end = span[-1] == self.free()[-1]
        short_days = keyword == "due" or (keyword and at_end)
        phrase = self.words(span)
        value = _date_value(phrase, _DATE_AFTER_KEYWORD if short_days else _DATE_AT_END, self.today) if phrase else None
        if value is None:
            return False
        if keyword:
            span = [before, *span]
        self.take("date", span, value, _date_label(value, self.today))
        return True

    def words(self, span: list[int]) -> str:
        """The span as one lower-case phrase, or "" when a word in it is escaped."""
        words = [self.tokens[index].word for index in span]
        return "" if not all(words) else " ".join(words)


def _rule(phrase: str) -> str | None:
    try:
        return normalise_repeat(phrase) if "=" not in phrase and ":" not in phrase else None
    except RepeatError:
        return None


def _date_value(phrase: str, shape: re.Pattern, today: date) -> date | None:
    """The date a phrase of a date's shape names, or None."""
    iso = _ISO.fullmatch(phrase)
    if iso:
        try:
            value = date(*map(int, iso.groups()))
        except ValueError:
            return None
    elif shape.fullmatch(phrase) or _DAY_MONTH.fullmatch(phrase):
        value = _dateparser_date(phrase, today)
    else:
        return None
    return value if value and 1900 <= value.year <= 9999 else None


@lru_cache(maxsize=512)  # the preview parses again at every key press
def _dateparser_date(phrase: str, today: date) -> date | None:
    import dateparser  # slow to load: only when a phrase is shaped like a date

    phrase = {"tmr": "tomorrow", "tmrw": "tomorrow"}.get(phrase, phrase)
    day_month = _DAY_MONTH.fullmatch(phrase)
    # "5 March" typed on 5 March is today, not next year: count from yesterday.
    base = today - timedelta(days=1) if day_month and not day_month.group("year") and today > date.min else today
    settings = {"PREFER_DATES_FROM": "future", "RELATIVE_BASE": datetime.combine(base, time(12)),
                "RETURN_AS_TIMEZONE_AWARE": False}
    try:
        found = dateparser.parse(phrase, languages=["en"], settings=settings)
    except (ValueError, OverflowError, TypeError, KeyError, AttributeError):
        return None  # dateparser's own slips on odd input: leave the words in the title
    return found.date() if found else None


def _date_label(value: date, today: date) -> str:
    if value == today:
        return "Today"
    if today < date.max and value == today + timedelta(days=1):
        return "Tomorrow"
    label = f"{_WEEKDAYS[value.weekday()]} {value.day} {_MONTHS[value.month - 1]}"
    return label if value.year == today.year else f"{label} {value.year}"


def _is_quoted_name(text: str) -> bool:
    """Any printable text with a letter or digit: "Mum's birthday", "Home & garden"."""
    return text.isprintable() and any(unicodedata.category(ch)[0] in "LN" for ch in text)


def _is_name(text: str) -> bool:
    """Letters, marks and digits of any script, with - and _; at least one letter or digit."""
    return bool(text) and all(unicodedata.category(ch)[0] in "LMN" or ch in "-_" for ch in text) and any(
        unicodedata.category(ch)[0] in "LN" for ch in text)
