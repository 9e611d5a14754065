"""Repeating tasks (issue 11): reading rules, the next due date, labels.

Plain functions on dates: no app, no database, so these run in a moment.
"""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webapp.tasks.repeats import REPEAT_MAX, RepeatError, describe_repeat, first_due, next_due, normalise_repeat

WEEKDAYS = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"


# --- normalise_repeat: what a person may type ---------------------------------

@pytest.mark.parametrize("typed, stored", [
    ("daily", "FREQ=DAILY"),
    ("Daily", "FREQ=DAILY"),
    ("  DAILY ", "FREQ=DAILY"),
    ("weekdays", WEEKDAYS),
    ("weekly", "FREQ=WEEKLY"),
    ("monthly", "FREQ=MONTHLY"),
    ("yearly", "FREQ=YEARLY"),
    ("annually", "FREQ=YEARLY"),
    ("fortnightly", "FREQ=WEEKLY;INTERVAL=2"),
    ("weekends", "FREQ=WEEKLY;BYDAY=SA,SU"),
    ("every day", "FREQ=DAILY"),
    ("every week", "FREQ=WEEKLY"),
    ("every month", "FREQ=MONTHLY"),
    ("every year", "FREQ=YEARLY"),
    ("every weekday", WEEKDAYS),
    ("Every  Workday", WEEKDAYS),
    ("every weekend", "FREQ=WEEKLY;BYDAY=SA,SU"),
    ("every 3 days", "FREQ=DAILY;INTERVAL=3"),
    ("every 1 day", "FREQ=DAILY"),
    ("every 2 weeks", "FREQ=WEEKLY;INTERVAL=2"),
    ("every 6 months", "FREQ=MONTHLY;INTERVAL=6"),
    ("every 10 years", "FREQ=YEARLY;INTERVAL=10"),
    ("every 999 days", "FREQ=DAILY;INTERVAL=999"),
    ("every other day", "FREQ=DAILY;INTERVAL=2"),
    ("every other week", "FREQ=WEEKLY;INTERVAL=2"),
    ("every two months", "FREQ=MONTHLY;INTERVAL=2"),
    ("every twelve months", "FREQ=MONTHLY;INTERVAL=12"),
    ("every monday", "FREQ=WEEKLY;BYDAY=MO"),
    ("every Mondays", "FREQ=WEEKLY;BYDAY=MO"),
    ("every mon, wed", "FREQ=WEEKLY;BYDAY=MO,WE"),
    ("every wed, mon", "FREQ=WEEKLY;BYDAY=MO,WE"),
    ("every monday and friday", "FREQ=WEEKLY;BYDAY=MO,FR"),
    ("every tue & thu & tue", "FREQ=WEEKLY;BYDAY=TU,TH"),
    ("every sat/sun", "FREQ=WEEKLY;BYDAY=SA,SU"),
    ("every 2 weeks on mon, fri", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR"),
    ("every week on thursday", "FREQ=WEEKLY;BYDAY=TH"),
    ("weekly on tues", "FREQ=WEEKLY;BYDAY=TU"),
    ("every month.", "FREQ=MONTHLY"),
])
def test_words_and_phrases_become_canonical_rrules(typed, stored):
    assert normalise_repeat(typed) == stored


@pytest.mark.parametrize("typed, stored", [
    # The contract's example, as typed and with the prefix, in any case.
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"),
    ("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"),
    ("rrule:freq=weekly;interval=2;byday=mo", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"),
    # Parts in any order come back in one order; defaults are dropped.
    ("BYDAY=MO;INTERVAL=2;FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"),
    ("FREQ=DAILY;INTERVAL=1", "FREQ=DAILY"),
    ("FREQ=WEEKLY;WKST=MO;BYDAY=MO", "FREQ=WEEKLY;BYDAY=MO"),
    ("FREQ=WEEKLY;WKST=SU;INTERVAL=2;BYDAY=TU,SU", "FREQ=WEEKLY;INTERVAL=2;WKST=SU;BYDAY=TU,SU"),
    ("FREQ=WEEKLY;BYDAY=FR,MO,TU,MO", "FREQ=WEEKLY;BYDAY=MO,TU,FR"),
    ("FREQ = DAILY ; INTERVAL = 03 ;", "FREQ=DAILY;INTERVAL=3"),
    ("FREQ=MONTHLY;BYMONTHDAY=-1", "FREQ=MONTHLY;BYMONTHDAY=-1"),
    ("FREQ=MONTHLY;BYMONTHDAY=15,1", "FREQ=MONTHLY;BYMONTHDAY=1,15"),
    ("FREQ=MONTHLY;BYDAY=2TU", "FREQ=MONTHLY;BYDAY=+2TU"),
    ("FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYDAY=-1FR"),
    ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR"),
    ("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24"),
    ("FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO", "FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO"),
    ("FREQ=YEARLY;BYYEARDAY=100", "FREQ=YEARLY;BYYEARDAY=100"),
    ("FREQ=DAILY;BYMONTH=12;BYDAY=SA,SU", "FREQ=DAILY;BYMONTH=12;BYDAY=SA,SU"),
    # UNTIL is kept as a date, whichever form it came in.
    ("FREQ=DAILY;UNTIL=20261231", "FREQ=DAILY;UNTIL=20261231"),
    ("FREQ=DAILY;UNTIL=20261231T235959Z", "FREQ=DAILY;UNTIL=20261231"),
    ("FREQ=DAILY;UNTIL=20261231T120000", "FREQ=DAILY;UNTIL=20261231"),
])
def test_rrules_are_checked_and_written_one_way(typed, stored):
    assert normalise_repeat(typed) == stored
    assert normalise_repeat(stored) == stored  # canonical is a fixed point
    rrulestr(stored, dtstart=datetime(2026, 1, 1))  # and dateutil reads it


@pytest.mark.parametrize("empty", [None, "", "   ", "\t\n"])
def test_no_rule_is_none(empty):
    assert normalise_repeat(empty) is None


@pytest.mark.parametrize("typed, message", [
    ("FREQ=DAILY;COUNT=3", "UNTIL=YYYYMMDD instead"),
    ("FREQ=DAILY;DTSTART=20260101", "Leave DTSTART out"),
    ("DTSTART:20260101T000000\nRRULE:FREQ=DAILY", "Leave DTSTART out"),
    ("RRULE:FREQ=DAILY\nEXDATE:20260105", "single RRULE"),
    ("FREQ=HOURLY", "by the day at most"),
    ("FREQ=MINUTELY;INTERVAL=5", "by the day at most"),
    ("FREQ=SECONDLY", "by the day at most"),
    ("FREQ=FORTNIGHTLY", "needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY"),
    ("INTERVAL=2", "needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY"),
    ("FREQ=DAILY;X-NAME=1", "not a rule part Docket knows"),
    ("FREQ=DAILY;COLOR=red", "not a rule part Docket knows"),
    ("FREQ=DAILY;FREQ=WEEKLY", "FREQ is given twice"),
    ("FREQ=DAILY;INTERVAL", "not a NAME=VALUE part"),
    ("FREQ=DAILY;=3", "not a NAME=VALUE part"),
    ("FREQ=DAILY;INTERVAL=0", "INTERVAL must be a whole number from 1 to 999"),
    ("FREQ=DAILY;INTERVAL=1000", "INTERVAL must be a whole number from 1 to 999"),
    ("FREQ=DAILY;INTERVAL=-1", "INTERVAL must be a whole number from 1 to 999"),
    ("FREQ=DAILY;INTERVAL=²", "INTERVAL must be a whole number from 1 to 999"),
    ("FREQ=DAILY;INTERVAL=99999999999999999999", "INTERVAL must be a whole number from 1 to 999"),
    ("FREQ=DAILY;BYHOUR=9", "dates, not times"),
    ("FREQ=DAILY;BYMINUTE=30", "dates, not times"),
    ("FREQ=YEARLY;BYEASTER=0", "not part of RFC 5545"),
    ("FREQ=WEEKLY;BYDAY=XX", "not a weekday in BYDAY"),
    ("FREQ=WEEKLY;BYDAY=MO(+1)", "not a weekday in BYDAY"),
    ("FREQ=WEEKLY;BYDAY=", "not a NAME=VALUE part"),
    ("FREQ=WEEKLY;BYDAY=1MO", "only works with FREQ=MONTHLY or YEARLY"),
    ("FREQ=MONTHLY;BYDAY=6MO", "must be 1 to 5 or -1 to -5"),
    ("FREQ=MONTHLY;BYDAY=0MO", "must be 1 to 5 or -1 to -5"),
    ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY must be 1 to 31 or -1 to -31"),
    ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY must be 1 to 31 or -1 to -31"),
    ("FREQ=YEARLY;BYMONTH=13", "BYMONTH must be 1 to 12"),
    ("FREQ=YEARLY;BYMONTH=-1", "BYMONTH must be 1 to 12"),
    ("FREQ=MONTHLY;BYYEARDAY=1", "BYYEARDAY can't be used with FREQ=MONTHLY"),
    ("FREQ=MONTHLY;BYWEEKNO=1", "BYWEEKNO can't be used with FREQ=MONTHLY"),
    ("FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY can't be used with FREQ=WEEKLY"),
    ("FREQ=DAILY;BYMONTHDAY=30;BYMONTH=2", "BYMONTHDAY can't be used with FREQ=DAILY"),
    ("FREQ=DAILY;BYSETPOS=1;BYDAY=MO", "BYSETPOS can't be used with FREQ=DAILY"),
    ("FREQ=MONTHLY;BYSETPOS=1", "add BYDAY or BYMONTHDAY"),
    ("FREQ=WEEKLY;BYDAY=MO;BYSETPOS=2", "can only pick from the 1 day(s)"),
    ("FREQ=DAILY;INTERVAL=14;BYDAY=MO", "use FREQ=WEEKLY with BYDAY"),
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "never gives a date"),
    ("FREQ=MONTHLY;BYMONTH=4,6,9,11;BYMONTHDAY=31", "never gives a date"),
    ("FREQ=YEARLY;BYMONTH=2;BYYEARDAY=1", "never gives a date"),
    ("FREQ=DAILY;UNTIL=20260231", "UNTIL must be a real date"),
    ("FREQ=DAILY;UNTIL=2026-12-31", "UNTIL must be a real date"),
    ("FREQ=DAILY;UNTIL=18991231", "UNTIL must be a real date"),
    ("every 0 days", "every 1 to 999 days"),
    ("every 1000 weeks", "every 1 to 999 weeks"),
    ("every blursday", "can't read “every blursday” as a repeat"),
    ("sometimes", "Try daily, weekdays, weekly"),
    ("every month on monday", "Name weekdays after “on” with weeks"),
    ("every 2 weeks on payday", "Name weekdays after “on” with weeks"),
    ("daily\x00", "characters that are not allowed"),
    ("x" * (REPEAT_MAX + 1), f"at most {REPEAT_MAX} characters"),
    ("FREQ=DAILY;" + "BYDAY=MO," * 30, f"at most {REPEAT_MAX} characters"),
])
def test_bad_rules_are_refused_with_a_message(typed, message):
    with pytest.raises(RepeatError) as refused:
        normalise_repeat(typed)
    assert message in str(refused.value)
    assert isinstance(refused.value, ValueError)  # callers may catch ValueError


def test_the_length_cap_counts_the_rule_not_its_surrounding_space():
    rule = "FREQ=WEEKLY;BYDAY=MO"
    assert normalise_repeat(" " * 500 + rule + " " * 500) == rule


# --- next_due: month ends ------------------------------------------------------

def walk(rule: str, due: date, steps: int, **kwargs) -> list[date]:
    """Complete the task on its due date, ``steps`` times: the dates it moves through."""
    dates = [due]
    for _ in range(steps):
        dates.append(next_due(rule, dates[-1], dates[-1], **kwargs))
    return dates


def test_the_issues_month_end_example_31_jan_28_feb_31_mar():
    assert walk("monthly", date(2026, 1, 31), 6, anchor_day=31) == [
        date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30),
        date(2026, 5, 31), date(2026, 6, 30), date(2026, 7, 31),
    ]


def test_month_end_in_a_leap_year_stops_at_29_feb():
    assert walk("FREQ=MONTHLY", date(2024, 1, 31), 2, anchor_day=31) == [
        date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31)]


@pytest.mark.parametrize("anchor, february, march", [(30, 28, 30), (29, 28, 29), (28, 28, 28), (15, 15, 15)])
def test_any_anchor_day_comes_back_after_february(anchor, february, march):
    assert walk("monthly", date(2026, 1, anchor), 2, anchor_day=anchor)[1:] == [
        date(2026, 2, february), date(2026, 3, march)]


def test_without_the_anchor_day_the_due_dates_day_is_the_anchor():
    # Documented: the caller keeps the anchor; without it 28 Feb stays on the 28th.
    assert next_due("monthly", date(2026, 2, 28), date(2026, 2, 28)) == date(2026, 3, 28)
    assert next_due("monthly", date(2026, 1, 31), date(2026, 1, 31)) == date(2026, 2, 28)


def test_every_two_months_from_31_december_keeps_its_anchor():
    assert walk("every 2 months", date(2023, 12, 31), 4, anchor_day=31) == [
        date(2023, 12, 31), date(2024, 2, 29), date(2024, 4, 30), date(2024, 6, 30), date(2024, 8, 31)]


def test_yearly_on_29_february_falls_back_to_28_and_returns_in_leap_years():
    assert walk("yearly", date(2024, 2, 29), 4, anchor_day=29) == [
        date(2024, 2, 29), date(2025, 2, 28), date(2026, 2, 28), date(2027, 2, 28), date(2028, 2, 29)]


def test_2100_is_not_a_leap_year():
    assert walk("yearly", date(2096, 2, 29), 8, anchor_day=29)[1:] == [
        date(2097, 2, 28), date(2098, 2, 28), date(2099, 2, 28), date(2100, 2, 28),
        date(2101, 2, 28), date(2102, 2, 28), date(2103, 2, 28), date(2104, 2, 29)]


def test_rules_with_by_parts_follow_rfc_5545_exactly():
    # BYMONTHDAY=31 skips months without a 31st; BYMONTHDAY=-1 is the last day.
    assert walk("FREQ=MONTHLY;BYMONTHDAY=31", date(2026, 1, 31), 2) == [
        date(2026, 1, 31), date(2026, 3, 31), date(2026, 5, 31)]
    assert walk("FREQ=MONTHLY;BYMONTHDAY=-1", date(2026, 1, 31), 3) == [
        date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]


def test_a_stale_anchor_day_gives_way_to_the_due_date():
    # The task was pinned to the 31st, then the person moved it to the 15th.
    assert next_due("monthly", date(2026, 4, 15), date(2026, 4, 15), anchor_day=31) == date(2026, 5, 15)
    # A fitting anchor is kept: 30 April is the 31st, clamped.
    assert next_due("monthly", date(2026, 4, 30), date(2026, 4, 30), anchor_day=31) == date(2026, 5, 31)


def test_anchor_day_must_be_a_day_of_the_month():
    with pytest.raises(ValueError):
        next_due("monthly", date(2026, 1, 31), date(2026, 1, 31), anchor_day=32)


# --- next_due: early, on time, late ---------------------------------------------

WED, THU, FRI, SAT, SUN, MON = (date(2026, 3, day) for day in (4, 5, 6, 7, 8, 9))


@pytest.mark.parametrize("rule, due, today, expected", [
    # Done on the day: the next date of the pattern.
    ("daily", WED, WED, THU),
    ("weekly", WED, WED, WED + timedelta(days=7)),
    ("weekdays", FRI, FRI, MON),
    ("weekends", SAT, SAT, SUN),
    ("every 3 days", WED, WED, SAT),
    ("every 2 weeks on mon", MON, MON, MON + timedelta(days=14)),
    ("every mon, wed", MON, MON, MON + timedelta(days=2)),
    ("FREQ=MONTHLY;BYDAY=2TU", date(2026, 3, 10), date(2026, 3, 10), date(2026, 4, 14)),
    ("FREQ=MONTHLY;BYDAY=-1FR", date(2026, 3, 27), date(2026, 3, 27), date(2026, 4, 24)),
    ("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24", date(2026, 12, 24), date(2026, 12, 24), date(2027, 12, 24)),
    # Done early: the date after the due date, not after today.
    ("every friday", FRI, WED, FRI + timedelta(days=7)),
    ("daily", FRI, WED, SAT),
    ("monthly", date(2026, 3, 31), WED, date(2026, 4, 30)),
    # Done late: missed dates are skipped, the next one after today comes.
    ("daily", MON - timedelta(days=7), THU, FRI),
    ("every monday", MON - timedelta(days=14), WED, MON),
    ("every 3 days", date(2026, 3, 1), date(2026, 3, 9), date(2026, 3, 10)),  # 1, 4, 7, 10: the pattern holds
    ("every 2 weeks on mon", date(2026, 2, 2), WED, date(2026, 3, 16)),  # Feb 2, 16, Mar 2, 16
    ("monthly", date(2026, 1, 15), WED, date(2026, 3, 15)),
    ("monthly", date(2026, 1, 15), date(2026, 3, 15), date(2026, 4, 15)),
    ("yearly", date(2020, 6, 1), WED, date(2026, 6, 1)),
    ("every 2 years", date(2021, 6, 1), WED, date(2027, 6, 1)),
    # No due date: counted from today.
    ("daily", None, WED, THU),
    ("every monday", None, MON, MON + timedelta(days=7)),
    ("monthly", None, date(2026, 1, 31), date(2026, 2, 28)),
])
def test_next_due(rule, due, today, expected):
    assert next_due(rule, due, today) == expected


def test_a_task_overdue_for_a_century_moves_at_once():
    assert next_due("daily", date(1900, 1, 1), WED) == THU
    assert next_due("FREQ=MONTHLY;BYMONTHDAY=15", date(1900, 1, 15), WED) == date(2026, 3, 15)
    # 1 Jan 1900 was a Monday, 6,584 weeks (an even number) before 9 March 2026.
    assert next_due("every 2 weeks on mon", date(1900, 1, 1), WED) == MON
    assert next_due("every 2 weeks on mon", date(1900, 1, 8), WED) == MON + timedelta(days=7)


def test_until_ends_the_series():
    rule = "FREQ=WEEKLY;UNTIL=20260318"
    assert next_due(rule, WED, WED) == date(2026, 3, 11)
    assert next_due(rule, date(2026, 3, 11), date(2026, 3, 11)) == date(2026, 3, 18)  # UNTIL is inclusive
    assert next_due(rule, date(2026, 3, 18), date(2026, 3, 18)) is None
    assert next_due("FREQ=MONTHLY;UNTIL=20260331", date(2026, 1, 31), date(2026, 1, 31), anchor_day=31) == date(2026, 2, 28)
    assert next_due("FREQ=MONTHLY;UNTIL=20260330", date(2026, 2, 28), date(2026, 2, 28), anchor_day=31) is None


def test_a_rule_whose_interval_never_meets_its_filter_gives_none():
    # Every 12 months, in February, started in March: never. Reported, not looped on.
    assert next_due("FREQ=MONTHLY;INTERVAL=12;BYMONTH=2", date(2026, 3, 1), date(2026, 3, 1)) is None
    assert next_due("FREQ=MONTHLY;INTERVAL=12;BYMONTH=2", date(2026, 2, 1), date(2026, 2, 1)) == date(2027, 2, 1)


def test_the_end_of_the_calendar_gives_none():
    assert next_due("daily", date(9999, 12, 31), date(9999, 12, 31)) is None
    assert next_due("yearly", date(9999, 6, 1), date(9999, 6, 1)) is None
    assert next_due("FREQ=MONTHLY;BYMONTHDAY=1", date(9999, 12, 1), date(9999, 12, 1)) is None


def test_next_due_reads_any_rule_normalise_repeat_accepts_and_refuses_the_rest():
    assert next_due("Every Other Week", WED, WED) == WED + timedelta(days=14)
    with pytest.raises(RepeatError):
        next_due("FREQ=DAILY;COUNT=2", WED, WED)
    with pytest.raises(RepeatError):
        next_due("", WED, WED)


@pytest.mark.parametrize("rule, start, expected", [
    ("every monday", WED, MON),
    ("every monday", MON, MON),
    ("weekdays", SAT, MON),
    ("daily", SAT, SAT),
    ("monthly", date(2026, 1, 31), date(2026, 1, 31)),
    ("FREQ=MONTHLY;BYDAY=1MO", WED, date(2026, 4, 6)),
    ("FREQ=DAILY;UNTIL=20260301", WED, None),
])
def test_first_due_is_the_first_date_of_the_pattern_from_start(rule, start, expected):
    assert first_due(rule, start) == expected


# --- the person's time zone: dates only, so DST cannot move a task ---------------

DST_CHANGES = [
    ("Europe/Berlin", date(2026, 3, 29)),     # clocks go forward at 02:00
    ("Europe/Berlin", date(2026, 10, 25)),    # and back at 03:00
    ("America/New_York", date(2026, 3, 8)),
    ("America/New_York", date(2026, 11, 1)),
]


def local_today(instant_utc: datetime, zone: str) -> date:
    """What a caller does: the person's date at the moment they complete the task."""
    return instant_utc.astimezone(ZoneInfo(zone)).date()


@pytest.mark.parametrize("zone, change", DST_CHANGES)
@pytest.mark.parametrize("clock", [time(0, 30), time(12, 0), time(23, 30)])
def test_a_daily_repeat_steps_one_local_date_across_a_dst_change(zone, change, clock):
    due = change - timedelta(days=3)
    seen = [due]
    for _ in range(6):
        done_at = datetime.combine(due, clock, tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)
        due = next_due("daily", due, local_today(done_at, zone))
        seen.append(due)
    assert seen == [change + timedelta(days=offset) for offset in range(-3, 4)]


@pytest.mark.parametrize("zone, change", DST_CHANGES)
def test_a_weekly_repeat_lands_on_the_same_weekday_across_a_dst_change(zone, change):
    due = change - timedelta(days=7)  # the Sunday before the change
    done_at = datetime.combine(due, time(23, 30), tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)
    assert next_due("weekly", due, local_today(done_at, zone)) == change
    done_at = datetime.combine(change, time(0, 30), tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)
    assert next_due("every sunday", change, local_today(done_at, zone)) == change + timedelta(days=7)


def test_the_trap_the_date_only_design_avoids():
    # 23:30 in Berlin the evening before clocks go forward, plus 24 hours, is
    # 00:30 two local dates later: stepping instants would skip 29 March.
    zone = ZoneInfo("Europe/Berlin")
    evening = datetime(2026, 3, 28, 23, 30, tzinfo=zone)
    assert (evening.astimezone(timezone.utc) + timedelta(hours=24)).astimezone(zone).date() == date(2026, 3, 30)
    assert next_due("daily", date(2026, 3, 28), local_today(evening.astimezone(timezone.utc), "Europe/Berlin")) \
        == date(2026, 3, 29)


def test_the_persons_zone_decides_which_date_today_is():
    # 04:30 UTC on 8 March is still the evening of 7 March in New York.
    instant = datetime(2026, 3, 8, 4, 30, tzinfo=timezone.utc)
    assert next_due("daily", None, local_today(instant, "America/New_York")) == date(2026, 3, 8)
    assert next_due("daily", None, local_today(instant, "Europe/Berlin")) == date(2026, 3, 9)


# --- describe_repeat -------------------------------------------------------------

@pytest.mark.parametrize("rule, label", [
    ("daily", "Daily"),
    ("weekdays", "Weekdays"),
    ("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "Weekdays"),
    ("weekends", "Weekends"),
    ("weekly", "Weekly"),
    ("monthly", "Monthly"),
    ("yearly", "Yearly"),
    ("every 3 days", "Every 3 days"),
    ("every 2 weeks", "Every 2 weeks"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "Every 2 weeks on Mon"),
    ("every mon, wed, fri", "Weekly on Mon, Wed, Fri"),
    ("every 6 months", "Every 6 months"),
    ("every 2 years", "Every 2 years"),
    ("FREQ=MONTHLY;BYMONTHDAY=15", "Monthly on the 15th"),
    ("FREQ=MONTHLY;BYMONTHDAY=1", "Monthly on the 1st"),
    ("FREQ=MONTHLY;BYMONTHDAY=22", "Monthly on the 22nd"),
    ("FREQ=MONTHLY;BYMONTHDAY=13", "Monthly on the 13th"),
    ("FREQ=MONTHLY;BYMONTHDAY=-1", "Monthly on the last day"),
    ("FREQ=MONTHLY;BYMONTHDAY=-2", "Monthly on the 2nd to last"),
    ("FREQ=MONTHLY;BYDAY=2TU", "Monthly on the 2nd Tue"),
    ("FREQ=MONTHLY;BYDAY=-1FR", "Monthly on the last Fri"),
    ("FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO", "Every 3 months on the 1st Mon"),
    ("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24", "Yearly on 24 Dec"),
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1", "Yearly on the last day of Feb"),
    ("FREQ=DAILY;UNTIL=20261231", "Daily, until 31 Dec 2026"),
    ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "Monthly (custom)"),
    ("FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO", "Yearly (custom)"),
    ("FREQ=MONTHLY;BYDAY=MO", "Monthly (custom)"),  # every Monday, month by month: not "on Mon"
    ("FREQ=YEARLY;BYDAY=1MO", "Yearly (custom)"),
    ("FREQ=WEEKLY;BYMONTH=12", "Weekly (custom)"),
])
def test_describe_repeat(rule, label):
    assert describe_repeat(rule) == label


# --- properties --------------------------------------------------------------------

dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
simple_rules = st.builds(
    lambda freq, interval, days: f"FREQ={freq}" + (f";INTERVAL={interval}" if interval > 1 else "")
    + (f";BYDAY={','.join(days)}" if days and freq == "WEEKLY" else ""),
    st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]),
    st.integers(1, 12),
    st.lists(st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]), unique=True, max_size=7),
)


def longest_step(rule: str) -> relativedelta:
    """One period of ``rule``, plus the month-end slack (a clamped 28 Feb is 3 days short of 31 Mar)."""
    parts = dict(part.split("=") for part in rule.split(";"))
    interval = int(parts.get("INTERVAL", 1))
    return {"DAILY": relativedelta(days=interval), "WEEKLY": relativedelta(weeks=interval),
            "MONTHLY": relativedelta(months=interval, days=3),
            "YEARLY": relativedelta(years=interval, days=1)}[parts["FREQ"]]


@settings(max_examples=400, deadline=None)
@given(simple_rules, st.one_of(st.none(), dates), dates, st.one_of(st.none(), st.integers(1, 31)))
def test_next_due_is_after_the_due_date_and_today_and_at_most_one_period_later(rule, due, today, anchor_day):
    found = next_due(rule, due, today, anchor_day=anchor_day)
    after = max(due or today, today)
    assert found is not None
    assert found > after
    assert found <= after + longest_step(rule)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["monthly", "every 2 months", "every 5 months", "yearly"]), dates, st.integers(1, 31),
       st.integers(1, 40))
def test_a_plain_monthly_or_yearly_task_always_returns_to_its_anchor_day(rule, first, anchor_day, completions):
    due = first.replace(day=min(anchor_day, month_length(first)))
    for _ in range(completions):
        due = next_due(rule, due, due, anchor_day=anchor_day)
        assert due.day == min(anchor_day, month_length(due))


def month_length(day: date) -> int:
    return (day.replace(day=1) + relativedelta(months=1) - timedelta(days=1)).day


rule_parts = st.lists(
    st.tuples(
        st.sampled_from(["FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "BYYEARDAY",
                         "BYWEEKNO", "WKST", "UNTIL", "COUNT", "BYHOUR", "DTSTART", "X-Y", ""]),
        st.one_of(
            st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY", "MO", "1MO", "-1FR", "MO,WE,FR",
                             "+5SU", "20261231", "20260230", "20261231T235959Z", ""]),
            st.integers(-400, 400).map(str),
            st.lists(st.integers(-60, 60), min_size=1, max_size=4).map(lambda values: ",".join(map(str, values))),
            st.text(max_size=6),
        ),
    ),
    max_size=6,
).map(lambda pairs: ";".join(f"{name}={value}" for name, value in pairs))


def comma_list(values):
    return st.lists(values, min_size=1, max_size=4).map(lambda items: ",".join(map(str, items)))


nonzero = st.integers(-60, 60).filter(bool)
well_formed_rules = st.tuples(
    st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]),
    st.fixed_dictionaries({}, optional={
        "INTERVAL": st.integers(1, 999).map(str),
        "BYDAY": comma_list(st.tuples(st.sampled_from(["", "1", "2", "-1", "5", "+3"]),
                                      st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"])).map("".join)),
        "BYMONTHDAY": comma_list(st.integers(-31, 31).filter(bool)),
        "BYMONTH": comma_list(st.integers(1, 12)),
        "BYSETPOS": comma_list(nonzero),
        "BYYEARDAY": comma_list(st.integers(-366, 366).filter(bool)),
        "BYWEEKNO": comma_list(st.integers(-53, 53).filter(bool)),
        "WKST": st.sampled_from(["MO", "SU", "WE"]),
        "UNTIL": st.dates(min_value=date(1900, 1, 1)).map(lambda day: day.strftime("%Y%m%d")),
    }),
).map(lambda rule: ";".join([f"FREQ={rule[0]}"] + [f"{name}={value}" for name, value in rule[1].items()]))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(well_formed_rules, well_formed_rules, rule_parts, rule_parts.map(lambda text: "FREQ=MONTHLY;" + text),
                 rule_parts.map(lambda text: "FREQ=YEARLY;" + text), st.text(max_size=250)),
       dates, dates)
def test_any_text_is_a_usable_rule_or_a_repeat_error(text, due, today):
    try:
        canonical = normalise_repeat(text)
    except RepeatError as refused:
        assert str(refused)
        return
    if canonical is None:
        assert not text.split()
        return
    assert normalise_repeat(canonical) == canonical
    assert describe_repeat(canonical)
    rrulestr(canonical, dtstart=datetime(2000, 1, 1))
    found = next_due(canonical, due, today)
    assert found is None or found > max(due, today)
