"""Hostile input over every route and form field: never a 5xx, and a refused
request changes nothing.

Hypothesis writes the requests: each route of ``app.url_map`` (with the
methods it allows, now and then one it does not), task URLs with real, other
people's, unknown and malformed ids, and the form fields the views read,
each either a plausible value or a hostile one (NUL, lone surrogates sent as
the raw bytes a browser could send, 100 KB strings, control characters,
numbers of 5,000 digits, +-Infinity and NaN, impossible dates, bad UUIDs,
deeply nested JSON, crafted ``after`` cursors). Logged in and logged out,
plain and HTMX, with a good, missing or forged CSRF token.

After each request: the status is below 500, and when it is 400 or more the
``users``, ``tasks``, ``lists``, ``labels``, ``task_labels`` and trash tables are exactly as before.
A run collects every failure instead of stopping at the first, so one run
names all of them. ``derandomize=True``: CI tries the same cases every time.
"""

import base64
import json
import logging
import os
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from urllib.parse import quote_from_bytes

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CSRF_META, PASSWORD, AuthActions
from webapp.extensions import db
from webapp.models import INBOX, DeletedList, DeletedTask, Label, SignIn, Task, TaskList, User, task_labels
from webapp.tasks import queries
from webapp.tasks.listview import FILTERS, SORTS

# How many requests each test sends, per database (the file runs on SQLite
# and PostgreSQL). Per route, for the routes that act on input and the rest:
# today 45 x 36 + 10 x 6 logged in, 11 x 30 + 44 x 6 logged out, and 300 + 150
# cursors and uploads: 2 x 2,724 = 5,448 per run.
LOGGED_IN_CASES = (36, 6)
LOGGED_OUT_CASES = (30, 6)
CURSOR_CASES = 300
IMPORT_CASES = 150


def hostile_settings(examples: int):
    return settings(
        max_examples=examples,
        deadline=None,  # a request may take a while on a busy CI machine; speed is not the point here
        derandomize=True,  # the same cases on every run, so CI is reproducible
        database=None,  # no examples saved between runs: each run tries exactly the same cases
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                               HealthCheck.data_too_large, HealthCheck.large_base_example],
    )


# Where to append one JSON line per request (database, endpoint, method,
# logged in, status), to see what the suite reaches; unset in CI.
STATS_FILE = os.environ.get("DOCKET_HOSTILE_STATS")

# -- hostile values -----------------------------------------------------------

HUGE = "x" * 100_000
DIGITS_5000 = "9" * 5000
NESTED_JSON = "[" * 1000 + "]" * 1000
NESTED_OBJECTS = '{"a":' * 300 + "1" + "}" * 300

HOSTILE_TEXTS = [
    "", " ", "\x00", "a\x00b", "\x00" * 50, "\ud800", "a\udfffb", "\udbff\udc00", "\ud800\ud800",
    HUGE, "é" * 50_000, "\u202e" + "txt.exe", "\ufeff", "e\u0301" * 300, "\U0001f600" * 100, "\u200b",
    "\x01\x02\x1b[31m\x7f", "\r", "\r\n", "\n" * 1000, "\t", "\x85", "\u2028",
    DIGITS_5000, "-" + DIGITS_5000, "1e999", "-1e999", "Infinity", "-Infinity", "NaN", "inf", "-inf", "nan",
    "0", "-0", "1", "-1", "4", "3.0", "1.5", "0x10", "1_000", "+1", " 2 ", "\u0663", "\uff11", "32767", "32768",
    "-32769", "2147483648", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1" * 40,
    "true", "false", "on", "off", "yes", "no", "null", "None", "undefined", "[]", "{}",
    NESTED_JSON, NESTED_OBJECTS, '{"__proto__": {"admin": true}}',
    "00000000-0000-0000-0000-00000000000g", "{12345678-1234-5678-1234-567812345678}",
    "urn:uuid:12345678-1234-5678-1234-567812345678", "12345678123456781234567812345678",
    "12345678-1234-5678-1234-5678123456789", "\u0661" * 32, "00000000-0000-0000-0000-000000000000",
    "2024-02-30", "2024-13-01", "0000-01-01", "0001-01-01", "1899-12-31", "9999-12-31", "10000-01-01",
    "2024-W01-1", "20240101", "-2024-01-01", "2024-01-01T00:00:00", "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00", "2024-01-01T25:00:00+00:00", "2024-01-01T00:00:00+24:00",
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{7*7}}", "{% raw %}", "${jndi:x}",
    "' OR '1'='1", "1; DROP TABLE tasks; --", "%", "%%", "%00", "%zz", "_", "\\", "\\%",
    "../../../../etc/passwd", "..\\..\\windows", "//evil.example", "https://evil.example/", "/\\evil.example",
    "/\t/evil.example", "javascript:alert(1)", "http://[::1", "//[", "/tasks?x=[", "@", "a@b", "a@@b.c",
    "ADA@EXAMPLE.COM ", "a" * 300 + "@example.com", "ada@" + "a" * 64 + ".com", "ada@example.com\x00",
    "UTC", "Europe/Berlin", "UTC\x00", "../../../etc/localtime", "Etc/GMT+14", "posixrules", "localtime",
    "Europe/Berlin" + "/" * 100, "high", "HIGH", "none", "urgent", "up", "down", "sideways",
    "complete", "delete", "priority", "due_date", "reopen", "detail", "all", "active", "completed",
    "manual", "due", "newest", "oldest",
]

# Any code point, lone surrogates and unassigned ones included.
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)


def pick(draw, choices: list):
    """One of ``choices``, drawn as an index of a fixed range: the lists that come
    from the database change length between cases, and Hypothesis wants each
    draw to have the same shape every time it replays a case."""
    return choices[draw(st.integers(0, 255)) % len(choices)]


def wire(text: str) -> bytes:
    """What a client would put on the wire; a lone surrogate becomes the raw
    (invalid UTF-8) bytes that encode it, as a buggy or hostile client sends it."""
    return text.encode("utf-8", "surrogatepass")


HOSTILE_BYTES = st.one_of(
    st.sampled_from(HOSTILE_TEXTS).map(wire),
    st.sampled_from(HOSTILE_TEXTS).map(wire),  # twice: the hand-picked values come up most
    ANY_TEXT.map(wire),
    st.binary(max_size=40),  # arbitrary bytes: broken UTF-8, overlong forms, C1 controls
    st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE_TEXTS), ANY_TEXT).map(wire),
)

# -- crafted cursors ---------------------------------------------------------

CURSOR_TEXTS = [
    "Infinity", "-Infinity", "NaN", "1e999", "9" * 30, "-9223372036854775809", "9223372036854775808",
    "9223372036854775807", "-9223372036854775808", "32768", "-32769", "-1", "4", "3", "0", "-0", "007", "+1",
    " 1", "1 ", "1_0", "\u0663", "1.0", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00",
    "0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59.999999+00:00", "2024-01-01T00:00:00",
    "2024-02-30T00:00:00+00:00", "2024-01-01T00:00:00Z", "2024-01-01 00:00:00+00:00", "20240101T000000+0000",
    "0001-01-01", "9999-12-31", "2024-02-30", "20240101", "2024-W01-1", "1899-12-31",
    uuid.UUID(int=0).hex, uuid.UUID(int=2**128 - 1).hex, str(uuid.uuid4()), "{%s}" % uuid.uuid4(),
    "urn:uuid:%s" % uuid.uuid4(), uuid.uuid4().hex.upper(), "\u0661" * 32, "g" * 32, "", "\x00", "\ud800",
]
JSON_LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(), st.sampled_from([float("inf"), float("-inf"), float("nan"), 1e308, -0.0, 2.0**63]),
    ANY_TEXT, st.sampled_from(CURSOR_TEXTS),
)
JSON_VALUE = st.recursive(
    JSON_LEAF, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ANY_TEXT, inner, max_size=2),
    max_leaves=6,
)


def b64(raw: bytes, style: int) -> str:
    if style == 0:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")  # how encode_cursor writes it
    if style == 1:
        return base64.urlsafe_b64encode(raw).decode()  # with padding
    return base64.b64encode(raw).decode()  # the other alphabet (+ and /)


# What each slot of a cursor holds, by sort (encode_cursor's order), and the
# values that once got through to the database for a slot of that kind.
SLOT_KINDS = {"newest": ("datetime", "uuid"), "oldest": ("datetime", "uuid"), "due": ("date", "datetime", "uuid"),
              "priority": ("priority", "datetime", "uuid"), "manual": ("position", "uuid")}
BAD_NUMBERS = [float("inf"), float("-inf"), float("nan"), 1e308, 1.5, -0.0, True, 2**63, -(2**63) - 1, 2**200]
SLOT_HOSTILE = {
    "datetime": ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+00:00",
                 "9999-12-31T23:59:59.999999+00:00", "0001-01-01T00:00:00-23:59", "2024-01-01T00:00:00",
                 "2024-02-30T00:00:00+00:00", "2024-01-01T00:00:00Z", "2024-01-01 00:00:00+00:00", "2024-01-01",
                 "20240101T000000+0000", "2024-01-01T00:00:00+00:00\x00", 0, 1e999, 2**64],
    "date": ["0001-01-01", "9999-12-31", "10000-01-01", "2024-02-30", "20240101", "2024-W01-1", "1899-12-31",
             "2024-01-01T00:00:00+00:00", 20240101],
    "uuid": [uuid.UUID(int=0).hex, uuid.UUID(int=2**128 - 1).hex, "{%s}" % uuid.UUID(int=7),
             "urn:uuid:%s" % uuid.UUID(int=7), str(uuid.UUID(int=7)), uuid.UUID(int=7).hex.upper(),
             "\u0661" * 32, "g" * 32, "", 12345678123456781234567812345678],
    "priority": ["99999999999999999999", "32768", "-32769", "-1", "4", "3", "0", "-0", "007", "+1", " 1", "1_0",
                 "\u0663", "1.0", "Infinity", "NaN", "9" * 30],
    "position": ["9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
                 "99999999999999999999", "-0", "007", "+1", " 1", "1_0", "\u0663\u0663", "1e3", "9" * 30],
}


@st.composite
def crafted_cursors(draw, real: dict[str, list[str]], sort: str | None = None) -> bytes:
    """An ``after`` value for ``sort`` (any sort if None): a cursor of ours with
    some values swapped for hostile ones of the same kind or of any JSON type,
    a list of the wrong length, nested JSON, or no base64 at all."""
    sort = sort or draw(st.sampled_from(list(SLOT_KINDS)))
    kinds = SLOT_KINDS[sort]
    kind = draw(st.integers(0, 7))
    if kind <= 3:
        ours = real.get(sort)
        values = json.loads(base64.urlsafe_b64decode(pick(draw, ours) + "==")) if ours else \
            ["2024-01-01", "2024-01-01T00:00:00+00:00", uuid.UUID(int=1).hex][-len(kinds):]
        for slot in draw(st.lists(st.integers(0, len(kinds) - 1), min_size=1, max_size=len(kinds))):
            values[slot] = draw(st.one_of(st.sampled_from(SLOT_HOSTILE[kinds[slot]]), st.sampled_from(BAD_NUMBERS),
                                          JSON_VALUE) if kind == 3 else st.sampled_from(SLOT_HOSTILE[kinds[slot]]))
        if kind == 2:  # one value too many or too few
            values = values + [values[-1]] if draw(st.booleans()) else values[:-1]
        body = json.dumps(values)
    elif kind == 4:
        body = json.dumps(draw(st.lists(JSON_VALUE, min_size=1, max_size=4)))
    elif kind == 5:
        body = json.dumps(draw(JSON_VALUE))
    elif kind == 6:
        body = draw(st.sampled_from(['[' * 150 + ']' * 150, '["a", ' * 50 + '1' + ']' * 50, "[1e999, 1e999]",
                                     "[NaN, NaN, NaN]", "[Infinity, -Infinity]", '["\\ud800", "\\udfff"]', "",
                                     "[", "\x00", '{"0": "a", "1": "b"}']))
    else:
        raw = draw(HOSTILE_BYTES)
        return raw if draw(st.booleans()) else b64(raw[:300], 0).encode()
    return b64(wire(body), draw(st.sampled_from([0, 0, 0, 1, 2]))).encode()


# -- import files --------------------------------------------------------------

def _json_tasks(*rows: str) -> str:
    return '{"format": "docket-tasks", "tasks": [' + ", ".join(rows) + "]}"


IMPORT_FILES = [
    ("deep.json", NESTED_JSON),
    ("deep.json", "[" * 100_000 + "]" * 100_000),
    ("big.json", _json_tasks('{"title": "x", "priority": %s}' % DIGITS_5000)),
    ("big.json", _json_tasks('{"title": "x", "position": %s}' % ("9" * 4000))),
    ("big.json", _json_tasks('{"title": "x", "position": 9223372036854775808}')),
    ("big.json", _json_tasks('{"title": "x", "position": -9223372036854775809}')),
    ("inf.json", _json_tasks('{"title": "x", "priority": 1e999}', '{"title": "y", "position": NaN}')),
    ("s.json", _json_tasks('{"title": "a\\ud800b"}')),
    ("nul.json", _json_tasks('{"title": "x\\u0000", "description": "a\\u0000b"}')),
    ("t.json", _json_tasks('{"title": "x", "created_at": "0001-01-01T00:00:00+01:00"}')),
    ("t.json", _json_tasks('{"title": "x", "updated_at": "9999-12-31T23:59:59-01:00"}')),
    ("t.json", _json_tasks('{"title": "x", "completed": true, "completed_at": "0001-01-01T00:00:00Z"}')),
    ("t.json", _json_tasks('{"title": "x", "due_date": "0001-01-01"}')),
    ("t.json", _json_tasks('{"title": "x", "id": "not-a-uuid", "completed": "maybe"}')),
    ("t.json", '{"format": "docket-tasks", "tasks": {"title": "x"}}'),
    ("t.json", '"just a string"'),
    ("t.json", "\ufeff[]"),
    ("t.csv", "title,description\n" + "x" * 140_000 + ",y\n"),
    ("t.csv", "title\rbare cr\r"),
    ("t.csv", "title\n\x00\n"),
    ("t.csv", 'title\n"unterminated\n'),
    ("t.csv", "title,priority,due_date\nx," + DIGITS_5000 + ",2024-02-30\n"),
    ("t.csv", "title,position\nx,1e999\ny,-Infinity\n"),
    ("t.csv", "=HYPERLINK(\"http://evil\")\n+1\n-1\n@SUM(A1)\n"),
    ("t.txt", "\n".join(HUGE[:300] for _ in range(3))),
    ("t.txt", "a\udcffb"),
    ("t.txt", ""),
    ("", "title\nx\n"),
    ("../../etc/passwd", "x"),
    ("tasks.exe", "MZ\x00\x00"),
]


@st.composite
def import_uploads(draw) -> tuple[str, bytes]:
    kind = draw(st.integers(0, 4))
    if kind <= 1:
        name, text = draw(st.sampled_from(IMPORT_FILES))
        return name, wire(text)
    if kind == 2:
        rows = draw(st.lists(st.dictionaries(st.sampled_from(
            ["id", "title", "description", "completed", "completed_at", "due_date", "priority", "position",
             "created_at", "updated_at", "extra"]), JSON_VALUE, max_size=5), max_size=3))
        document = {"format": "docket-tasks", "version": draw(JSON_LEAF), "tasks": rows}
        return draw(st.sampled_from(["t.json", "T.JSON", "t"])), wire(json.dumps(document))
    if kind == 3:
        lines = draw(st.lists(st.lists(HOSTILE_BYTES, min_size=1, max_size=4), max_size=4))
        header = draw(st.sampled_from([b"title,description,priority,due_date", b"title", b"", b"id,id,id"]))
        body = b"\n".join([header] + [b",".join(cells) for cells in lines])
        return draw(st.sampled_from(["t.csv", "t.txt", "t.CSV"])), body
    return draw(st.sampled_from(["t.json", "t.csv", "t.txt", "x"])), draw(st.binary(max_size=400))


# Per field, the values of its own kind that parsers and databases trip on.
FIELD_HOSTILE = {
    "due_date": SLOT_HOSTILE["date"] + ["2024-1-1", "2024-01-01 ", "\uff12\uff10\uff12\uff14-01-01", "0000-00-00"],
    "completed_at": SLOT_HOSTILE["datetime"] + ["2024-01-01T00:00:00+99:00", "2024-01-01T00:00:00.1234567+00:00"],
    "batch": SLOT_HOSTILE["uuid"],
    "ids": SLOT_HOSTILE["uuid"],
    "after": SLOT_HOSTILE["uuid"],  # as the task to move below
    "priority": SLOT_HOSTILE["priority"],
    "completed": ["TRUE", " yes ", "ja", "\u2713", "2", "-1", "1e999", "true\x00"],
    "timezone": ["UTC\x00", "Etc/GMT+14", "Etc/GMT-15", "../../../etc/passwd", "posixrules", "localtime", "Factory",
                 "right/UTC", "Europe/Berlin ", "europe/berlin", "Europe\\Berlin", "/usr/share/zoneinfo/UTC"],
    "email": ["\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a", "a@xn--", "ada@example.com\x00", "ada@[127.0.0.1]",
              '"a b"@example.com', "ada@example", "ada@-example.com", "ada@" + "a" * 250 + ".com", "ada@localhost"],
    "next": ["/\\evil.example", "/%2F/evil.example", "/\t/evil", "https:evil.example", "/" + "a" * 10_000, "/\x85",
             "/\u2028", "/tasks?after=" + "A" * 500, "\\\\evil"],
    "sort": ["manual\x00", "MANUAL", "manual "], "filter": ["active\x00", "ACTIVE"], "select": ["1\x00", "true"],
    # List ids are 32-bit integers in the database: everything else is no list.
    "list": ["0", "-1", "2147483647", "2147483648", "99999999999999999999", "1e3", " 1", "01", "\u0661", "1.0"],
    "list_id": ["0", "-1", "2147483647", "2147483648", "99999999999999999999", "1e3", " 1", "01", "\u0661", "1.0"],
    "view": ["today\x00", "TODAY", "upcoming ", "detail", "today"],
    "name": ["Inbox", "INBOX", "a\tb", "a\nb", " ", "x" * 81, "\u202e", "\u200b"],
    "confirm": ["YES", "1", "0", "no"],
    "quick": ["0\x00", "FALSE", " off ", "\u0660"],
    # Labels are names, commas between; a parent is a task id; a repeat is a word or an RRULE.
    "labels": ["a," * 2000, ",,,", "#", "# ,#", "\u202e", "x" * 60, "x" * 61, "home,\x00", "Home, HOME, home"],
    "parent_id": SLOT_HOSTILE["uuid"],
    "repeat": ["FREQ=DAILY;INTERVAL=99999999999", "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2", "FREQ=YEARLY;BYWEEKNO=53",
               "FREQ=WEEKLY;BYDAY=+99MO", "FREQ=DAILY;UNTIL=99999999", "FREQ=DAILY;UNTIL=00010101",
               "RRULE:FREQ=DAILY\nEXDATE:20200101", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;INTERVAL=999",
               "FREQ=MONTHLY;BYSETPOS=-366;BYDAY=MO", "every 0 days", "every 99999 years", "FREQ=DAILY;;", "="],
}

# -- the routes and fields ------------------------------------------------------

VIEW_FIELDS = ("filter", "sort", "q", "select", "list", "view", "label")
# What each view reads (the rest of FIELDS may come along too, as noise).
ROUTE_FIELDS = {
    "main.index": (),
    "auth.register": ("email", "password", "password_confirm", "timezone", "next"),
    "auth.login": ("email", "password", "remember", "next"),
    "auth.logout": (),
    "auth.login_code": ("code",),
    "account.two_factor_settings": (),
    "account.enable_two_factor": ("code", "password"),
    "account.disable_two_factor": ("code", "password"),
    "account.new_recovery_codes": ("code", "password"),
    "account.new_two_factor_key": (),
    "account.settings": (),
    "account.update_timezone": ("timezone",),
    "account.change_password": ("current_password", "new_password", "new_password_confirm"),
    "account.delete": ("password",),
    "recovery.forgot": ("email",),
    "recovery.reset": ("new_password", "new_password_confirm"),
    "email_change.request_change": ("email", "password"),
    "email_change.confirm": (),
    "transfer.export_json": (),
    "transfer.export_csv": (),
    "transfer.import_tasks": ("file",),
    "tasks.index": VIEW_FIELDS + ("after",),
    "tasks.create": VIEW_FIELDS + ("title", "description", "due_date", "priority", "list_id", "quick", "labels",
                                   "repeat", "parent_id"),
    "tasks.show": VIEW_FIELDS + ("edit",),
    "tasks.update": VIEW_FIELDS + ("title", "description", "due_date", "priority", "completed", "list_id", "labels",
                                   "repeat", "parent_id"),
    "tasks.toggle": VIEW_FIELDS + ("completed",),
    "tasks.complete": VIEW_FIELDS,
    "tasks.reopen": VIEW_FIELDS,
    "tasks.delete": VIEW_FIELDS,
    "tasks.move": VIEW_FIELDS + ("direction", "after"),
    "tasks.toggle_all": VIEW_FIELDS,
    "tasks.clear_completed": VIEW_FIELDS,
    "bulk.apply": VIEW_FIELDS + ("ids", "action", "priority", "due_date", "list_id"),
    "bulk.undo": VIEW_FIELDS + ("batch", "completed_at"),
    "lists.index": (),
    "lists.create": VIEW_FIELDS + ("name",),
    "lists.edit": (),
    "lists.rename": ("name",),
    "lists.delete": ("confirm",),
    "lists.move": ("direction", "after"),
    "quick.preview": ("title", "quick", "due_date", "priority"),
}
FIELDS = ("title", "description", "due_date", "priority", "completed", "filter", "sort", "q", "after", "ids",
          "action", "batch", "completed_at", "direction", "email", "password", "password_confirm", "remember",
          "next", "timezone", "current_password", "new_password", "new_password_confirm", "select", "edit", "view",
          "code", "list", "label", "list_id", "name", "confirm", "quick", "labels", "repeat", "parent_id")
NEW_PASSWORD = "a brand new passphrase"


def plausible_values(state: "State", endpoint: str) -> dict[str, list[str]]:
    """Values a real page could send, so hostile ones also reach the code behind the first check."""
    now = datetime.now(timezone.utc)
    cursors = [cursor for cursors in state.cursors.values() for cursor in cursors]
    return {
        "title": ["Buy milk", "  padded   title ", "é" * 255, "t" * 256,
                  # quick add: a new list and label, an escape, a label too long to keep
                  "Pay rent tomorrow !high #home every month *Groceries", "\\#1 fan \\tomorrow", "x #" + "l" * 61],
        "description": ["Some notes", "", "d" * 1000],
        "due_date": ["2026-12-24", "", "1900-01-01", "9999-12-31"],
        "priority": ["0", "3", "high", "none", ""],
        "completed": ["true", "false", "on", ""],
        "filter": list(FILTERS),
        "sort": list(SORTS),
        "q": ["milk", "", "%", "_"],
        # /tasks pages on with a cursor; a move names the task (or list) to go below.
        "after": ([str(i) for i in state.own_ids] + [""] if endpoint == "tasks.move" else
                  [str(i) for i in state.own_list_ids + state.other_list_ids] + [""] if endpoint == "lists.move"
                  else cursors),
        "ids": [str(i) for i in state.own_ids + state.other_ids],
        "action": ["complete", "reopen", "delete", "priority", "due_date"],
        "batch": [uuid.uuid4().hex] + state.batches,
        "completed_at": [now.isoformat(), (now - timedelta(days=1)).isoformat()],
        "direction": ["up", "down"],
        "email": ["ada@example.com", "fresh@example.com", "ADA@Example.com ", "bob@example.com"],
        "password": [PASSWORD, "wrong password"],
        "password_confirm": [PASSWORD],
        "remember": ["y", "on"],
        "next": ["/tasks", "/account", "//evil.example", "https://evil.example/"],
        "timezone": ["Europe/Berlin", "UTC", "America/New_York"],
        "current_password": [PASSWORD],
        "new_password": [NEW_PASSWORD],
        "new_password_confirm": [NEW_PASSWORD],
        "select": ["1", "0"],
        "edit": ["1", ""],
        "view": ["detail", "list", "today", "upcoming"],
        "list": [str(i) for i in state.own_list_ids] + [str(i) for i in state.other_list_ids] + [""],
        "list_id": [str(i) for i in state.own_list_ids] + [str(i) for i in state.other_list_ids],
        "label": ["home", "", "#home", "Work stuff"],
        "name": ["Groceries", "Work", "", "x" * 81, "Inbox", "  spaced   out  "],
        "confirm": ["yes", ""],
        "quick": ["0", "1", ""],
        "labels": ["home", "home, work", "", "#errands, Home", "x" * 61, ", ".join(f"l{n}" for n in range(21))],
        "repeat": ["daily", "monthly", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "", "every 2 weeks", "FREQ=HOURLY",
                   "FREQ=DAILY;UNTIL=20200101"],
        "parent_id": [str(i) for i in state.own_ids + state.other_ids] + [""],
        "code": ["123456", " 123 456 ", "abcde-fghjk", "ABCDE FGHJK"],
    }


HEADER_NAMES = ["HX-Current-URL", "HX-Target", "HX-Trigger", "HX-Prompt", "HX-Boosted",
                "HX-History-Restore-Request", "X-Request-ID", "X-Forwarded-For", "X-Forwarded-Proto",
                "Accept-Encoding", "Accept", "If-None-Match", "If-Modified-Since", "Range", "User-Agent",
                "Referer", "Origin"]
HEADER_VALUES = ["true", "false", "http://[::1", "//evil.example/x", "http://localhost/tasks?x=[",
                 "http://localhost/\x00", "gzip", "br;q=1e999, gzip;q=NaN", "*", "bytes=99999999999999999999-",
                 "bytes=5-1", "Mon, 99 Foo 99999 99:99:99 GMT", '"x", W/"', "../../x", "x" * 8000, "\x00",
                 "é", "1.2.3.4, 5.6.7.8, ::1", "https, http"]


CURRENT_URLS = ["http://[::1", "http://[::1]/tasks", "//[", "http://a:b@[x/", "http://localhost:99999999/tasks",
                "http://localhost/tasks?q=%ff", "http://localhost//evil.example", "http://localhost/\x00",
                "javascript:alert(1)", "http://localhost/" + "x" * 9000, "/tasks", "tasks"]


def header_value(raw: bytes) -> str:
    """Headers reach the app as Latin-1 text; a line break cannot be in one."""
    return raw.decode("latin-1").replace("\r", "").replace("\n", "")


# -- the fixture: a logged-in and a logged-out browser, and the database ------

@dataclass
class State:
    own_ids: list[uuid.UUID]
    other_ids: list[uuid.UUID]
    own_list_ids: list[int]
    other_list_ids: list[int]
    cursors: dict[str, list[str]]  # sort -> cursors of real tasks
    batches: list[str]


@dataclass
class Outcome:
    cases: int = 0
    failures: dict = field(default_factory=dict)  # (kind, endpoint, detail) -> an example request

    def fail(self, kind: str, endpoint: str, detail: str, example: str) -> None:
        self.failures.setdefault((kind, endpoint, detail), example)

    def report(self) -> str:
        lines = [f"{len(self.failures)} kinds of failure in {self.cases} hostile requests:"]
        for (kind, endpoint, detail), example in sorted(self.failures.items()):
            lines.append(f"- {kind} at {endpoint}: {detail}\n    e.g. {example[:300]}")
        return "\n".join(lines)


class ErrorLog(logging.Handler):
    """Collects what the app's error handler logs, to say what a 5xx was."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)

    def summary(self) -> str:
        for record in reversed(self.records):
            if record.exc_info and record.exc_info[1] is not None:
                error = record.exc_info[1]
                return f"{type(error).__name__}: {str(error).splitlines()[0][:160] if str(error) else ''}"
        return self.records[-1].getMessage()[:160] if self.records else "no error logged"


class Hostile:
    """Sends hostile requests and checks each answer against the database."""

    def __init__(self, app):
        self.app = app
        self.outcome = Outcome()
        # Enough attempts for the whole run: the suite is about what a request
        # does, not about the log-in limit (tests/test_ratelimit.py is).
        app.config["LOGIN_RATE_LIMIT"] = "100000 per minute"
        app.config["FORGOT_RATE_LIMIT"] = "100000 per minute"
        with app.app_context():
            self.engine = db.engine
        self.cookie_name = app.config["SESSION_COOKIE_NAME"]
        self.batches: list[str] = []
        self._sign_up()

    def _cookie_and_token(self, client) -> tuple[str, str]:
        page = client.get("/", follow_redirects=True).get_data(as_text=True)
        return client.get_cookie(self.cookie_name).value, CSRF_META.search(page).group(1)

    def _sign_up(self) -> None:
        other = self.app.test_client()
        assert AuthActions(other).register(email="bob@example.com").status_code == 303
        mine = self.app.test_client()
        assert AuthActions(mine).register(email="ada@example.com").status_code == 303
        self.logged_in = self._cookie_and_token(mine)
        self.logged_out = self._cookie_and_token(self.app.test_client())
        with self.engine.begin() as connection:
            users = {row.email: row for row in connection.execute(sa.select(User.__table__))}
        self.me, self.other = users["ada@example.com"], users["bob@example.com"]
        with self.engine.connect() as connection:  # the logged-in browser's sign-in, to bring back after a log-out
            self.my_sign_ins = connection.execute(sa.select(SignIn.__table__).where(SignIn.user_id == self.me.id)).all()
        self._add_tasks(self.me.id, 6)
        self._add_tasks(self.other.id, 2)
        with self.engine.begin() as connection:  # a list beside each Inbox, to rename, move and delete
            connection.execute(sa.insert(TaskList), [{"user_id": self.me.id, "name": "Work", "position": 1},
                                                     {"user_id": self.other.id, "name": "Secret", "position": 1}])

    def _add_tasks(self, user_id: str, count: int) -> None:
        now = datetime.now(timezone.utc)
        rows = [{"id": uuid.uuid4(), "user_id": user_id, "title": f"Task {n}", "description": "notes" if n % 2 else None,
                 "completed": n % 3 == 0, "completed_at": now if n % 3 == 0 else None,
                 "due_date": date(2026, 1, 1 + n) if n % 2 else None, "priority": n % 4, "position": n * 1024,
                 "created_at": now - timedelta(minutes=n), "updated_at": now} for n in range(count)]
        with self.engine.begin() as connection:
            connection.execute(sa.insert(Task), rows)

    # -- the database before and after --------------------------------------

    def snapshot(self) -> tuple:
        """Every row of the tables a request may change (small: a few dozen rows):
        users, tasks, deleted tasks, lists, deleted lists, labels and tasks' labels."""
        with self.engine.connect() as connection:
            return tuple(
                tuple(connection.execute(sa.select(table).order_by(*table.primary_key.columns)).all())
                for table in (User.__table__, Task.__table__, DeletedTask.__table__, TaskList.__table__,
                              DeletedList.__table__, Label.__table__, task_labels)
            )

    def repair(self, snapshot: tuple) -> tuple:
        """Undo what earlier successful requests did to the two browsers' footing
        (a deleted account, a changed password, a logout, too few or too many tasks),
        so every case starts from a logged-in session that works."""
        users, tasks, lists = snapshot[0], snapshot[1], snapshot[3]
        mine = [task for task in tasks if task.user_id == self.me.id]
        current = next((user for user in users if user.id == self.me.id), None)
        fixes = []
        if current is None:
            fixes.append(sa.insert(User).values(**self.me._asdict()))
        elif (current.session_token, current.password_hash) != (self.me.session_token, self.me.password_hash):
            fixes.append(sa.update(User).where(User.id == self.me.id).values(
                session_token=self.me.session_token, password_hash=self.me.password_hash))
        if len(mine) > 150:  # imports and creations pile up: keep pages and snapshots small
            fixes.append(sa.delete(Task).where(Task.user_id == self.me.id))
            mine = []
        if sum(entry.user_id == self.me.id for entry in lists) > 12:  # lists too (their tasks go with them)
            fixes.append(sa.delete(TaskList).where(TaskList.user_id == self.me.id, TaskList.name != INBOX))
        if fixes:
            with self.engine.begin() as connection:
                for statement in fixes:
                    connection.execute(statement)
        with self.engine.begin() as connection:  # logged out (or the account deleted): sign back in
            known = set(connection.execute(sa.select(SignIn.id).where(SignIn.user_id == self.me.id)).scalars())
            lost = [row._asdict() for row in self.my_sign_ins if row.id not in known]
            if lost:
                connection.execute(sa.insert(SignIn), lost)
        if current is None or len(mine) < 3:  # a deleted account took its tasks along
            self._add_tasks(self.me.id, 6)
        return self.snapshot() if fixes or len(mine) < 3 else snapshot

    def state(self, snapshot: tuple) -> State:
        tasks, lists = snapshot[1], snapshot[3]
        own = [task for task in tasks if task.user_id == self.me.id]
        cursors = {sort: [queries.encode_cursor(task, sort) for task in own[:3]] for sort in queries.SORT_KEYS}
        return State(own_ids=[task.id for task in own], other_ids=[task.id for task in tasks if task.user_id == self.other.id],
                     own_list_ids=[entry.id for entry in lists if entry.user_id == self.me.id],
                     other_list_ids=[entry.id for entry in lists if entry.user_id == self.other.id],
                     cursors=cursors, batches=self.batches[-3:])

    # -- one request ----------------------------------------------------------

    def send(self, before: tuple, *, logged_in: bool, method: str, path: str, endpoint: str, query: bytes = b"",
             body: bytes | None = None, content_type: str | None = None, csrf: str = "form",
             headers: dict | None = None, extra_cookies: str = "", describe: str = "") -> None:
        cookie, token = self.logged_in if logged_in else self.logged_out
        headers = dict(headers or {})
        # The browser's cookie, sent by hand: answers do not change it, so
        # every case starts from the same session (and a forged one stays forged).
        headers["Cookie"] = f"{self.cookie_name}={cookie}" + extra_cookies
        if csrf == "header":
            headers["X-CSRFToken"] = token
        elif csrf == "form" and body is not None and content_type == "application/x-www-form-urlencoded":
            body = body + (b"&" if body else b"") + b"csrf_token=" + token.encode()
        elif csrf == "forged":
            headers["X-CSRFToken"] = token[:-4] + "AAAA"
        client = self.app.test_client(use_cookies=False)
        log = ErrorLog()
        logging.getLogger("webapp").addHandler(log)
        try:
            response = client.open(path, method=method, query_string=query.decode("ascii"), data=body,
                                   content_type=content_type, headers=headers)
            response.close()
        finally:
            logging.getLogger("webapp").removeHandler(log)
        self.outcome.cases += 1
        status = response.status_code
        if STATS_FILE:
            with open(STATS_FILE, "a") as stats:
                stats.write(json.dumps([self.engine.dialect.name, endpoint, method, logged_in, status]) + "\n")
        example = f"{method} {path}?{query.decode()[:200]} body={body[:200] if body else b''!r} {describe}"
        if status >= 500:
            self.outcome.fail(f"{status}", endpoint, log.summary(), example)
        elif status >= 400 and self.snapshot() != before:
            self.outcome.fail(f"{status} changed the database", endpoint, "", example)
        elif endpoint in ("tasks.delete", "tasks.clear_completed", "bulk.apply", "lists.delete") and status < 400:
            self._remember_batch()

    def _remember_batch(self) -> None:
        with self.engine.connect() as connection:
            batch = connection.execute(sa.select(DeletedTask.batch_id).order_by(DeletedTask.deleted_at.desc())
                                       .limit(1)).scalar()
        if batch is not None:
            self.batches.append(batch.hex)


@pytest.fixture
def hostile(app):
    return Hostile(app)


def urlencoded(pairs: list[tuple[bytes, bytes]]) -> bytes:
    return b"&".join(quote_from_bytes(name, safe="").encode() + b"=" + quote_from_bytes(value, safe="").encode()
                     for name, value in pairs)


BOUNDARY = b"hostile-boundary-7d1f0c"


def multipart(pairs: list[tuple[bytes, bytes]], files: list[tuple[bytes, bytes]] = (), token: str | None = None) -> bytes:
    parts = [(b'form-data; name="' + name + b'"', value) for name, value in pairs]
    if token is not None:
        parts.append((b'form-data; name="csrf_token"', token.encode()))
    parts += [(b'form-data; name="file"; filename="' + filename + b'"', content) for filename, content in files]
    body = b"".join(b"--" + BOUNDARY + b"\r\nContent-Disposition: " + disposition + b"\r\n\r\n" + value + b"\r\n"
                    for disposition, value in parts)
    return body + b"--" + BOUNDARY + b"--\r\n"


def path_for(draw, rule, state: State) -> str:
    """The rule's URL with its arguments filled in: real, foreign, unknown or malformed."""
    def argument(match):
        converter = match.group(1)
        if converter == "uuid":
            whose = draw(st.sampled_from(["own"] * 15 + ["other", "other", "unknown", "malformed", "malformed"]))
            if whose == "own":
                task_id = pick(draw, state.own_ids)
                return draw(st.sampled_from([str(task_id), str(task_id), task_id.hex, str(task_id).upper()]))
            if whose == "other":
                return str(pick(draw, state.other_ids))  # someone else's: 404, not 403
            if whose == "unknown":
                return str(uuid.UUID(int=draw(st.integers(0, 2**128 - 1))))
            return quote_from_bytes(draw(HOSTILE_BYTES)[:2000], safe="") or "x"
        if converter == "int":  # a list: own, someone else's, unknown, or out of range
            whose = draw(st.sampled_from(["own"] * 12 + ["other", "other", "unknown", "huge", "malformed"]))
            if whose == "own" and state.own_list_ids:
                return str(pick(draw, state.own_list_ids))
            if whose == "other" and state.other_list_ids:
                return str(pick(draw, state.other_list_ids))
            if whose == "huge":
                return draw(st.sampled_from(["2147483648", "99999999999999999999", "9" * 400]))
            if whose == "malformed":
                return quote_from_bytes(draw(HOSTILE_BYTES)[:2000], safe="") or "x"
            return str(draw(st.integers(0, 2**31 - 1)))
        if converter == "path":
            return draw(st.sampled_from(["app.css", "icon.svg", "../app.css", "..%2F..%2Fpyproject.toml",
                                         "%00", "app.css%00.png", "x" * 5000, "%ED%A0%80", "."]))
        return quote_from_bytes(draw(HOSTILE_BYTES)[:2000], safe="") or "x"

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>", argument, rule.rule)


# 5xx known and not yet fixed, by (endpoint or "*", words of the logged
# error), each pinned by a strict xfail test until its fix lands. None today:
# the two this suite found (an Undo time with no UTC equivalent, a malformed
# HX-Current-URL) are fixed and kept as regression tests at the end.
KNOWN_ELSEWHERE: dict[tuple[str, str], str] = {}


def _known(kind: str, endpoint: str, detail: str) -> bool:
    return kind.isdigit() and any(where in ("*", endpoint) and words in detail for where, words in KNOWN_ELSEWHERE)


def assert_clean(outcome: Outcome, expected_cases: int) -> None:
    unknown = {key: example for key, example in outcome.failures.items() if not _known(*key)}
    assert not unknown, Outcome(outcome.cases, unknown).report()
    assert outcome.cases >= expected_cases, f"only {outcome.cases} hostile requests were sent"


# -- the tests -------------------------------------------------------------------

def test_every_route_has_its_fields_listed(app):
    """A new route or field joins the suite: its fields are known here, or it gets them all."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(ROUTE_FIELDS) <= endpoints
    assert {name for names in ROUTE_FIELDS.values() for name in names} - {"file"} == set(FIELDS)


# The views that act on input get more cases than those that only serve a page or a file.
BUSY_BLUEPRINTS = ("tasks.", "bulk.", "lists.", "auth.", "account.", "transfer.import", "recovery.", "email_change.")


def routes(app, busy: int, quiet: int, busy_blueprints=BUSY_BLUEPRINTS) -> list:
    """Every (rule, method) the app allows, with how many cases each gets: one
    Hypothesis run per route, so every route gets its share."""
    entries = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint)):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            entries.append((rule, method, busy if rule.endpoint.startswith(busy_blueprints) else quiet))
    return entries


def _field_value(data, name: str, endpoint: str, state: State, values: dict, hostile_value: bool) -> bytes:
    if not hostile_value and values.get(name):
        return pick(data.draw, values[name]).encode()
    if name == "after" and endpoint != "tasks.move" and data.draw(st.booleans()):
        return data.draw(crafted_cursors(state.cursors))
    if name in FIELD_HOSTILE and data.draw(st.booleans()):
        return wire(str(data.draw(st.sampled_from(FIELD_HOSTILE[name]))))
    return data.draw(HOSTILE_BYTES)


def _random_request(hostile: Hostile, data, rule, method: str, logged_in: bool) -> None:
    before = hostile.repair(hostile.snapshot())
    state = hostile.state(before)
    values = plausible_values(state, rule.endpoint)
    if data.draw(st.integers(0, 11)) == 0:  # a method the route does not allow
        method = data.draw(st.sampled_from(["PUT", "DELETE", "PATCH", "GET", "POST"]))
    path = path_for(data.draw, rule, state)
    if data.draw(st.integers(0, 40)) == 0:  # no such page at all
        path = "/" + quote_from_bytes(data.draw(HOSTILE_BYTES)[:3000], safe="/")
    names = list(ROUTE_FIELDS.get(rule.endpoint, FIELDS)) or list(FIELDS)
    if data.draw(st.booleans()):
        # Every field the view reads, plausible but for one or two: the hostile
        # value gets past the other checks to the code behind them.
        chosen = names
        hostile_names = set(data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=2)))
    else:
        chosen = data.draw(st.lists(st.sampled_from(names), max_size=6))
        hostile_names = {name for name in chosen if data.draw(st.booleans())}
    chosen = chosen + data.draw(st.lists(st.sampled_from(FIELDS), max_size=1))  # noise the view does not read
    pairs, files = [], []
    for name in chosen:
        if name == "file":
            filename, content = data.draw(import_uploads())
            files.append((filename.encode(), content))
        else:
            pairs.append((name.encode(), _field_value(data, name, rule.endpoint, state, values, name in hostile_names)))
    headers = {}
    if data.draw(st.booleans()):
        headers["HX-Request"] = "true"
        if data.draw(st.booleans()):  # the page HTMX says it is on, which the login redirect reads
            headers["HX-Current-URL"] = data.draw(st.sampled_from(CURRENT_URLS)) if data.draw(st.integers(0, 2)) \
                else header_value(data.draw(HOSTILE_BYTES))
    for name in data.draw(st.lists(st.sampled_from(HEADER_NAMES), max_size=2, unique=True)):
        headers[name] = data.draw(st.one_of(st.sampled_from(HEADER_VALUES), HOSTILE_BYTES.map(header_value)))
    csrf = data.draw(st.sampled_from(["form"] * 9 + ["header"] * 2 + ["none", "forged"]))
    extra_cookies = ""
    if data.draw(st.integers(0, 15)) == 0:
        garbage = header_value(data.draw(HOSTILE_BYTES)).replace(";", "")
        extra_cookies = "; remember_token=" + garbage
    query, body, content_type = b"", None, None
    if method == "GET":
        query = urlencoded(pairs)
    else:
        encoding = data.draw(st.sampled_from(["form"] * 6 + ["multipart"] * 2 + ["json", "broken"]))
        if files or encoding == "multipart":
            content_type = "multipart/form-data; boundary=" + BOUNDARY.decode()
            token = hostile.logged_in[1] if logged_in else hostile.logged_out[1]
            body = multipart(pairs, files, token if csrf == "form" else None)
        elif encoding == "json":
            content_type, body = "application/json", wire(data.draw(st.sampled_from([NESTED_JSON, NESTED_OBJECTS,
                                                                                       '{"title": 1e999}'])))
        elif encoding == "broken":
            content_type = "application/x-www-form-urlencoded"
            body = data.draw(st.sampled_from([b"%", b"title=%zz&&==&", b"title", b"=" * 1000, b"\xff\xfe\x00"]))
        else:
            content_type, body = "application/x-www-form-urlencoded", urlencoded(pairs)
        if data.draw(st.integers(0, 4)) == 0:  # fields in the query string of a POST too
            query = urlencoded(data.draw(st.lists(st.sampled_from(pairs), max_size=2)) if pairs else [])
    hostile.send(before, logged_in=logged_in, method=method, path=path, endpoint=rule.endpoint, query=query, body=body,
                 content_type=content_type, csrf=csrf, headers=headers, extra_cookies=extra_cookies,
                 describe=f"headers={headers!r:.200} csrf={csrf} files={[f[0] for f in files]}")


def _every_route(hostile: Hostile, logged_in: bool, busy: int, quiet: int, busy_blueprints=BUSY_BLUEPRINTS) -> int:
    expected = 0
    for rule, method, examples in routes(hostile.app, busy, quiet, busy_blueprints):
        @hostile_settings(examples)
        @given(st.data())
        def run(data):
            _random_request(hostile, data, rule, method, logged_in=logged_in)

        run()
        expected += examples
    return expected


def test_hostile_requests_logged_in(hostile):
    assert_clean(hostile.outcome, _every_route(hostile, True, *LOGGED_IN_CASES))


def test_hostile_requests_logged_out(hostile):
    # Logged out, only sign-up, log-in and password reset get past the login wall: they get the cases.
    assert_clean(hostile.outcome, _every_route(hostile, False, *LOGGED_OUT_CASES, busy_blueprints=("auth.", "recovery.")))


def test_crafted_cursors(hostile):
    """``?after=`` is opaque to people but not to attackers: anything that is not
    a cursor we wrote is ignored (the first page), never a 5xx."""
    @hostile_settings(CURSOR_CASES)
    @given(st.data())
    def run(data):
        before = hostile.repair(hostile.snapshot())
        state = hostile.state(before)
        sort = data.draw(st.sampled_from(list(SORTS)))
        # Mostly shaped for the sort asked for, so it gets past the length check.
        after = data.draw(crafted_cursors(state.cursors, sort if data.draw(st.integers(0, 4)) else None))
        pairs = [(b"after", after), (b"sort", sort.encode())]
        if data.draw(st.booleans()):
            pairs.append((b"filter", data.draw(st.sampled_from(FILTERS)).encode()))
        if data.draw(st.integers(0, 3)) == 0:
            pairs.append((b"q", data.draw(st.sampled_from([b"Task", b"%", b"\x00"]))))
        headers = {"HX-Request": "true"} if data.draw(st.booleans()) else {}
        hostile.send(before, logged_in=True, method="GET", path="/tasks", endpoint="tasks.index", query=urlencoded(pairs),
                     headers=headers, describe=f"after={after[:300]!r}")

    run()
    assert_clean(hostile.outcome, CURSOR_CASES)


def test_hostile_imports(hostile):
    """Upload files that once broke a parser or the driver: 4xx and nothing imported, or a clean import."""
    @hostile_settings(IMPORT_CASES)
    @given(import_uploads(), st.booleans())
    def run(upload, htmx):
        filename, content = upload
        body = multipart([], [(filename.encode(), content)], hostile.logged_in[1])
        hostile.send(hostile.repair(hostile.snapshot()), logged_in=True, method="POST", path="/account/import", endpoint="transfer.import_tasks",
                     body=body, content_type="multipart/form-data; boundary=" + BOUNDARY.decode(),
                     csrf="multipart", headers={"HX-Request": "true"} if htmx else {},
                     describe=f"file={filename!r} {content[:200]!r}")

    run()
    assert_clean(hostile.outcome, IMPORT_CASES)


# -- the cursor decoder on its own (no database: many cases, cheaply) --------------

@hostile_settings(600)
@given(st.one_of(
    st.sampled_from(list(SORTS)).flatmap(lambda sort: st.tuples(crafted_cursors({}, sort), st.just(sort))),
    st.tuples(HOSTILE_BYTES, st.sampled_from(list(SORTS) + ["bogus"])),
))
def test_decode_cursor_takes_only_what_encode_cursor_writes(case):
    """Whatever decode_cursor lets through is a value a column of ours can hold,
    so binding and comparing it cannot fail in either database."""
    raw, sort = case
    values = queries.decode_cursor(raw.decode("utf-8", "surrogateescape"), sort)
    if values is None:
        return
    keys = queries.SORT_KEYS[sort]
    assert len(values) == len(keys)
    for key, value in zip(keys, values):
        kind = KEY_KINDS[key.from_text]
        assert isinstance(value, kind), (key, value)
        if kind is datetime:
            assert value.utcoffset() is not None
            assert datetime.min.replace(tzinfo=timezone.utc) <= value <= datetime.max.replace(tzinfo=timezone.utc)
        elif kind is int:
            assert type(value) is int
            low, high = (0, 3) if key.expression is Task.priority else (-(2**63), 2**63 - 1)
            assert low <= value <= high, (key, value)
    # ...and reads back as the same cursor.
    text = base64.urlsafe_b64encode(json.dumps([key.to_text(v) for key, v in zip(keys, values)]).encode())
    assert queries.decode_cursor(text.decode().rstrip("="), sort) == values


KEY_KINDS = {}
for _keys in queries.SORT_KEYS.values():
    for _key in _keys:
        KEY_KINDS[_key.from_text] = {"created_at": datetime, "id": uuid.UUID, "priority": int, "position": int}.get(
            getattr(_key.expression, "key", None), date)


@pytest.mark.parametrize("sort", list(SORTS))
def test_real_cursors_still_work(sort):
    """The strict decoder still takes back every cursor encode_cursor writes, extremes included."""
    extremes = [
        dict(created_at=datetime(1, 1, 1, tzinfo=timezone.utc), id=uuid.UUID(int=0), due_date=None, priority=0,
             position=-(2**63)),
        dict(created_at=datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc),
             id=uuid.UUID(int=2**128 - 1), due_date=date(9999, 12, 31), priority=3, position=2**63 - 1),
        dict(created_at=datetime(2024, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=2))), id=uuid.uuid4(),
             due_date=date(2026, 12, 24), priority=2, position=0),
    ]
    for values in extremes:
        task = Task(**values)
        decoded = queries.decode_cursor(queries.encode_cursor(task, sort), sort)
        assert decoded == [key.value_of(task) for key in queries.SORT_KEYS[sort]]


# -- 5xx this suite found elsewhere, now fixed: kept as plain regression tests ----

@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_undo_of_a_time_out_of_range(client, user, moment):
    """A time with no UTC equivalent is refused (404), not a 500 from the database."""
    assert client.post("/tasks/undo", data={"completed_at": moment}).status_code == 404


@pytest.mark.parametrize("current_url", ["http://[::1", "//[", "http://a:b@[x/"])
def test_logged_out_htmx_request_from_a_malformed_page_url(client, current_url):
    """A malformed HX-Current-URL is treated as absent: 401 with the login redirect."""
    response = client.get("/tasks", headers={"HX-Request": "true", "HX-Current-URL": current_url})
    assert response.status_code == 401
