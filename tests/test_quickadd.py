"""The add box's parser (issue 11): "Pay rent tomorrow !high #home every month".

Plain functions: no app, no database. ``today`` is fixed to Wednesday
4 March 2026 unless a test says otherwise.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.tasks import quickadd
from webapp.tasks.quickadd import QuickAdd, parse_quick_add, warm_up

TODAY = date(2026, 3, 4)  # a Wednesday
TOMORROW = date(2026, 3, 5)
FRIDAY = date(2026, 3, 6)
MONDAY = date(2026, 3, 9)


def parse(text: str, today: date = TODAY) -> QuickAdd:
    return parse_quick_add(text, today)


def test_the_issues_example_exactly():
    parsed = parse("Pay rent tomorrow !high #home every month")
    assert parsed == QuickAdd(
        title="Pay rent", due_date=TOMORROW, priority=3, labels=("home",), repeat="FREQ=MONTHLY", list_name=None,
        parts=(("date", "tomorrow", "Tomorrow"), ("priority", "!high", "High priority"),
               ("label", "#home", "home"), ("repeat", "every month", "Monthly")),
    )


def test_a_list_with_a_star():
    parsed = parse("Milk *Groceries")
    assert (parsed.title, parsed.list_name, parsed.parts) == ("Milk", "Groceries", (("list", "*Groceries", "Groceries"),))


def test_chips_are_json_for_the_preview():
    chips = parse("Pay rent tomorrow !high #home #bills every month *Flat").chips()
    assert json.loads(json.dumps(chips)) == [
        {"kind": "date", "text": "tomorrow", "label": "Tomorrow", "value": "2026-03-05"},
        {"kind": "priority", "text": "!high", "label": "High priority", "value": 3},
        {"kind": "label", "text": "#home", "label": "home", "value": "home"},
        {"kind": "label", "text": "#bills", "label": "bills", "value": "bills"},
        {"kind": "repeat", "text": "every month", "label": "Monthly", "value": "FREQ=MONTHLY"},
        {"kind": "list", "text": "*Flat", "label": "Flat", "value": "Flat"},
    ]
    assert parse("Just a title").chips() == []


# --- priority -----------------------------------------------------------------

@pytest.mark.parametrize("token, priority", [
    ("!high", 3), ("!HIGH", 3), ("!High", 3), ("!medium", 2), ("!med", 2), ("!low", 1), ("!none", 0),
    ("!3", 3), ("!2", 2), ("!1", 1), ("!0", 0), ("!!!", 3), ("!!", 2),
])
def test_priority_tokens(token, priority):
    parsed = parse(f"Call the bank {token}")
    assert (parsed.title, parsed.priority) == ("Call the bank", priority)
    assert parsed.parts[0][:2] == ("priority", token)


@pytest.mark.parametrize("text", ["Hurry!", "Do it !", "Read !important", "Go !4", "Wow !!!!", "!highest"])
def test_other_exclamation_marks_are_title_text(text):
    parsed = parse(text)
    assert (parsed.title, parsed.priority) == (text, None)


def test_the_last_priority_wins_and_the_earlier_one_stays_text():
    parsed = parse("Fix !low roof !high")
    assert (parsed.title, parsed.priority) == ("Fix !low roof", 3)


# --- labels -------------------------------------------------------------------

def test_labels_keep_their_order_and_drop_repeats_case_insensitively():
    parsed = parse("Plan #Trip #work #trip #TRIP #home")
    assert parsed.title == "Plan"
    assert parsed.labels == ("Trip", "work", "home")
    assert [part[1] for part in parsed.parts] == ["#Trip", "#work", "#home"]


@pytest.mark.parametrize("label", [
    "дом", "家", "हिंदी", "العربية", "ελληνικά", "日本語", "café", "a-b_c", "2026", "Straße",
])
def test_labels_in_any_script(label):
    parsed = parse(f"Task #{label}")
    assert (parsed.title, parsed.labels) == ("Task", (label,))


def test_labels_are_stored_in_composed_form():
    decomposed = "cafe\u0301"
    assert parse(f"Task #{decomposed}").labels == ("caf\u00e9",)


@pytest.mark.parametrize("text", ["Task #", "Task #home,", "Task #c++", "Task #🏠", "Task ##", "Task #-_", "Task a#b"])
def test_things_that_are_not_labels_stay_in_the_title(text):
    parsed = parse(text)
    assert (parsed.title, parsed.labels) == (text, ())


# --- lists --------------------------------------------------------------------

@pytest.mark.parametrize("text, name", [
    ("Paint fence *Home", "Home"),
    ('Paint fence *"Home stuff"', "Home stuff"),
    ('Paint fence *"  Home   stuff "', "Home stuff"),
    ("Paint fence *“Home stuff”", "Home stuff"),
    ("Paint fence *\"Mum's birthday\"", "Mum's birthday"),
    ("Paint fence *Дача", "Дача"),
])
def test_list_names(text, name):
    parsed = parse(text)
    assert (parsed.title, parsed.list_name) == ("Paint fence", name)


@pytest.mark.parametrize("text", ["Read *bold* text", 'Paint *"Home stuff', "Rate 5 *", 'Paint *""', "2 * 3"])
def test_things_that_are_not_lists_stay_in_the_title(text):
    parsed = parse(text)
    assert (parsed.title, parsed.list_name) == (text, None)


def test_the_last_list_wins():
    parsed = parse("Buy paint *Home *Work")
    assert (parsed.title, parsed.list_name) == ("Buy paint *Home", "Work")


# --- dates --------------------------------------------------------------------

@pytest.mark.parametrize("phrase, due", [
    ("today", TODAY),
    ("tonight", TODAY),
    ("tomorrow", TOMORROW),
    ("Tomorrow", TOMORROW),
    ("tmrw", TOMORROW),
    ("the day after tomorrow", FRIDAY),
    ("day after tomorrow", FRIDAY),
    ("friday", FRIDAY),
    ("Friday", FRIDAY),
    ("wednesday", TODAY + timedelta(days=7)),  # a weekday named on that day is next week's
    ("next monday", MONDAY),
    ("this friday", FRIDAY),
    ("next week", TODAY + timedelta(days=7)),
    ("next month", date(2026, 4, 4)),
    ("in 3 days", date(2026, 3, 7)),
    ("in two weeks", date(2026, 3, 18)),
    ("in a week", date(2026, 3, 11)),
    ("in 1 month", date(2026, 4, 4)),
    ("on 5 March", TOMORROW),
    ("5 March", TOMORROW),
    ("5th of March", TOMORROW),
    ("March 5th", TOMORROW),
    ("Dec 24", date(2026, 12, 24)),
    ("24 dec", date(2026, 12, 24)),
    ("Dec. 24", date(2026, 12, 24)),
    ("24 Dec 2027", date(2027, 12, 24)),
    ("December 24, 2026", date(2026, 12, 24)),
    ("2026-12-24", date(2026, 12, 24)),
    ("2026-1-5", date(2026, 1, 5)),
    ("due fri", FRIDAY),
    ("due tomorrow", TOMORROW),
    ("on sat", date(2026, 3, 7)),
    ("by tmrw", TOMORROW),
    ("by friday", FRIDAY),
    ("tomorrow.", TOMORROW),
])
def test_date_phrases_at_the_end(phrase, due):
    parsed = parse(f"Send the report {phrase}")
    assert (parsed.title, parsed.due_date) == ("Send the report", due)
    assert parsed.parts == (("date", phrase, parsed.parts[0][2]),)


@pytest.mark.parametrize("text, title, due", [
    ("Call mom on friday about the party", "Call mom about the party", FRIDAY),
    ("Report due fri for Anna", "Report for Anna", FRIDAY),
    ("Pay by tomorrow or else", "Pay or else", TOMORROW),
    ("Meet on 5 March at the station", "Meet at the station", TOMORROW),
])
def test_a_keyword_brings_a_date_from_the_middle(text, title, due):
    parsed = parse(text)
    assert (parsed.title, parsed.due_date) == (title, due)


def test_a_day_and_month_without_a_year_is_today_or_later():
    assert parse("Thing 4 March").due_date == TODAY
    assert parse("Thing 3 March").due_date == date(2027, 3, 3)
    assert parse("Thing 29 Feb").due_date == date(2028, 2, 29)


@pytest.mark.parametrize("text", [
    "Call May", "March report", "Fix sat nav", "second draft", "Sun cream", "Wed plans", "Read may 2026",
    "Chapter 5", "Call Mom at 5", "Work on report", "Stand by me", "The second coming", "Mon Cheri",
    "Watch Friday the 13th", "Sat exam", "Check the mar", "Invalid 2026-02-30", "Old 24 Dec 1850",
    "Buy 3 march hares", "Tuesday is Belgium",
])
def test_ordinary_words_are_not_dates(text):
    parsed = parse(text)
    assert (parsed.title, parsed.due_date, parsed.parts) == (text, None, ())


def test_words_that_are_no_date_shape_never_reach_dateparser(monkeypatch):
    calls = []
    real = quickadd._dateparser_date
    monkeypatch.setattr(quickadd, "_dateparser_date", lambda phrase, today: calls.append(phrase) or real(phrase, today))
    parse("Call May about the March report and the second draft on sat nav by me")
    assert calls == []
    parse("Call May tomorrow")
    assert calls == ["tomorrow"]


def test_the_last_date_wins():
    parsed = parse("Move meeting on friday to tomorrow")
    assert (parsed.title, parsed.due_date) == ("Move meeting on friday to", TOMORROW)


# --- repeats ------------------------------------------------------------------

@pytest.mark.parametrize("text, title, repeat, due", [
    ("Gym every monday", "Gym", "FREQ=WEEKLY;BYDAY=MO", MONDAY),
    ("Every monday gym", "gym", "FREQ=WEEKLY;BYDAY=MO", MONDAY),
    ("Standup daily", "Standup", "FREQ=DAILY", TODAY),
    ("Standup every weekday", "Standup", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", TODAY),
    ("Rent every month", "Rent", "FREQ=MONTHLY", TODAY),
    ("Water plants every 3 days", "Water plants", "FREQ=DAILY;INTERVAL=3", TODAY),
    ("Water plants every other day", "Water plants", "FREQ=DAILY;INTERVAL=2", TODAY),
    ("Bins every 2 weeks on mon, fri", "Bins", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR", FRIDAY),
    ("Bins every mon and thu please", "Bins please", "FREQ=WEEKLY;BYDAY=MO,TH", date(2026, 3, 5)),
    ("Review yearly", "Review", "FREQ=YEARLY", TODAY),
    ("Clean weekends", "Clean", "FREQ=WEEKLY;BYDAY=SA,SU", date(2026, 3, 7)),
    # With a date: the date starts it, moved to the pattern's first date from there.
    ("Pay rent monthly tomorrow", "Pay rent", "FREQ=MONTHLY", TOMORROW),
    ("Pay rent tomorrow monthly", "Pay rent", "FREQ=MONTHLY", TOMORROW),
    ("Standup weekdays tomorrow", "Standup", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", TOMORROW),
    ("Standup every weekday on saturday", "Standup", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", MONDAY),
    ("Gym every monday from next monday", "Gym from", "FREQ=WEEKLY;BYDAY=MO", MONDAY),
])
def test_repeats(text, title, repeat, due):
    parsed = parse(text)
    assert (parsed.title, parsed.repeat, parsed.due_date) == (title, repeat, due)


@pytest.mark.parametrize("text", ["Weekly report", "Daily standup notes", "Monthly budget review", "Read every book",
                                  "Thank everyone", "every blursday"])
def test_repeat_words_inside_a_title_stay_text(text):
    parsed = parse(text)
    assert (parsed.title, parsed.repeat) == (text, None)


# --- escapes and the never-empty title -----------------------------------------

@pytest.mark.parametrize("text, title", [
    ("\\#1 fan", "#1 fan"),
    ("Read \\!important", "Read !important"),
    ("Meet \\tomorrow", "Meet tomorrow"),
    ("Buy \\*Groceries", "Buy *Groceries"),
    ("Go \\every day", "Go every day"),
    ("Standup \\daily", "Standup daily"),
    ("Black \\Friday", "Black Friday"),
    ("Call \\May 5", "Call May 5"),
    ("Pay \\!high now", "Pay !high now"),
])
def test_a_backslash_keeps_a_word_as_text(text, title):
    parsed = parse(text)
    assert (parsed.title, parsed.parts) == (title, ())


def test_an_escape_touches_only_its_own_word():
    parsed = parse("\\#1 fan #music tomorrow")
    assert (parsed.title, parsed.labels, parsed.due_date) == ("#1 fan", ("music",), TOMORROW)


def test_a_backslash_elsewhere_is_kept():
    assert parse("Back up C:\\temp").title == "Back up C:\\temp"
    assert parse("\\").title == "\\"


@pytest.mark.parametrize("text", ["tomorrow", "#home", "!high", "*Groceries", "daily", "every monday",
                                  "!high #home tomorrow", "next friday"])
def test_when_nothing_would_be_left_the_whole_text_is_the_title(text):
    parsed = parse(text)
    assert parsed == QuickAdd(title=text)


def test_blank_text_gives_an_empty_title_for_the_form_to_refuse():
    assert parse("  \t ").title == ""
    assert parse("").title == ""


def test_white_space_is_folded_as_the_title_field_does():
    assert parse("  Pay   the\trent  ").title == "Pay the rent"


# --- today and the time zone ---------------------------------------------------

def test_without_today_the_time_zone_decides_it():
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Berlin"):
        before = datetime.now(ZoneInfo(zone)).date()
        due = parse_quick_add("Call tomorrow", tz=zone).due_date
        after = datetime.now(ZoneInfo(zone)).date()
        assert due in {before + timedelta(days=1), after + timedelta(days=1)}


@pytest.mark.parametrize("today, text, due", [
    (date(2026, 3, 28), "x tomorrow", date(2026, 3, 29)),    # Berlin's clocks go forward on the 29th
    (date(2026, 3, 7), "x tomorrow", date(2026, 3, 8)),      # New York's on the 8th
    (date(2026, 10, 24), "x in 1 week", date(2026, 10, 31)),
    (date(2026, 10, 31), "x every day", date(2026, 10, 31)),
])
def test_dates_are_dates_so_a_dst_change_moves_nothing(today, text, due):
    assert parse(text, today).due_date == due


@pytest.mark.parametrize("server_zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_the_servers_own_time_zone_changes_nothing(server_zone):
    child = (
        "from datetime import date\n"
        "from webapp.tasks.quickadd import parse_quick_add\n"
        "phrases = ['today', 'tomorrow', 'in 3 days', 'next week', 'friday', 'next monday', '5 March', 'Dec 24']\n"
        "print(' '.join(str(parse_quick_add('x ' + p, date(2026, 3, 4)).due_date) for p in phrases))\n"
    )
    result = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "TZ": server_zone})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2026-03-04", "2026-03-05", "2026-03-07", "2026-03-11", "2026-03-06",
                                     "2026-03-09", "2026-03-05", "2026-12-24"]


def test_an_unknown_time_zone_falls_back_to_utc():
    assert parse_quick_add("Call today", tz="Mars/Olympus").due_date in {
        datetime.now(ZoneInfo("UTC")).date(), datetime.now(ZoneInfo("UTC")).date() - timedelta(days=1)}


@pytest.mark.parametrize("today", [date.min, date(1900, 1, 1), date(9999, 12, 25), date.max])
@pytest.mark.parametrize("text", ["x tomorrow", "x 5 March", "x 1 Jan", "x in 999 years", "x every monday",
                                  "x monthly", "x friday", "x today", "x 9999-12-30", "x every day tomorrow"])
def test_the_ends_of_the_calendar_never_break_it(text, today):
    parsed = parse(text, today)
    assert parsed.title.startswith("x")
    assert parsed.due_date is None or parsed.due_date.year >= 1900 or parsed.repeat


# --- speed and the lazy import ---------------------------------------------------

def test_dateparser_is_imported_only_when_a_date_shaped_phrase_comes():
    child = (
        "import sys; from datetime import date\n"
        "from webapp.tasks.quickadd import parse_quick_add\n"
        "assert 'dateparser' not in sys.modules, 'imported with the module'\n"
        "parse_quick_add('Call May about the March report #work !high', date(2026, 3, 4))\n"
        "assert 'dateparser' not in sys.modules, 'imported for plain words'\n"
        "assert parse_quick_add('Call May tomorrow', date(2026, 3, 4)).due_date == date(2026, 3, 5)\n"
        "assert 'dateparser' in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_parsing_is_fast_after_warm_up():
    warm_up()
    texts = ["Pay rent tomorrow !high #home every month", "Buy gift on 5 March *Family", "Call May about the report",
             "Send it next monday #work", "x " * 120]
    timings = []
    for _ in range(20):
        for text in texts:
            started = time.perf_counter()
            parse(text)
            timings.append(time.perf_counter() - started)
    assert statistics.median(timings) < 0.020  # measured about 0.4 ms on the shared machine


# --- properties ---------------------------------------------------------------------

WORDS = ["Pay", "rent", "tomorrow", "today", "friday", "fri", "next", "monday", "in", "3", "two", "days", "on", "by",
         "due", "5", "March", "may", "Dec", "24", "2026-12-24", "every", "day", "week", "month", "other", "mon,",
         "and", "daily", "weekly", "weekdays", "#home", "#Home", "#дом", "#", "!high", "!!", "!", "!3", "*Groceries",
         '*"Home', 'stuff"', '*"Home stuff"', "\\#1", "\\tomorrow", "\\", "the", "after", "of", "second", ".", ","]


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=255), st.lists(st.sampled_from(WORDS), max_size=30).map(" ".join)), st.dates())
def test_any_text_parses_to_a_title(text, today):
    parsed = parse_quick_add(text, today)
    assert isinstance(parsed.title, str)
    assert bool(parsed.title) == bool(text.split())
    json.dumps(parsed.chips())
    for kind, source, label in parsed.parts:
        assert set(source.split()) <= set(text.split()) and label
    assert len({label.casefold() for label in parsed.labels}) == len(parsed.labels)
    assert parsed.priority in (None, 0, 1, 2, 3)
    if parsed.due_date is not None:
        assert {"date", "repeat"} & {kind for kind, _, _ in parsed.parts}
    if not parsed.parts:
        assert parsed.title == " ".join(word.removeprefix("\\") if len(word) > 1 else word for word in text.split()) \
            or '*"' in text or "*“" in text  # a quoted token keeps its own escapes
