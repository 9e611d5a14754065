"""Hostile or broken import files: a 4xx with a clear message, nothing changed, never a 500.

Each case is a file that once crashed a parser, a conversion or the
database driver further down: deep nesting, huge integers, lone surrogates,
timestamps that overflow, oversized CSV fields, stray CRs, NULs, wrong
encodings, empty files and files with too many rows.
"""

import io
import re

import pytest
import sqlalchemy as sa

from conftest import AuthActions
from webapp.extensions import db
from webapp.models import Task
from webapp.tasks.portable import MAX_ROWS

FIELD_ERROR = re.compile(r'<p class="field-error" id="import-file-error">([^<]*)</p>')


def count_tasks(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Task))


def upload(client, name, content):
    data = {"file": (io.BytesIO(content.encode() if isinstance(content, str) else content), name)}
    return client.post("/account/import", data=data, content_type="multipart/form-data")


def json_tasks(inner: str) -> str:
    return '{"format": "docket-tasks", "tasks": [' + inner + "]}"


HOSTILE = {
    # name: (file name, content, words the message must contain)
    "json-nested-1000": ("deep.json", "[" * 1000 + "]" * 1000, "Nothing was imported"),
    "json-nested-100000": ("deep.json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    "json-nested-in-a-field": ("deep.json", '[{"title": ' + "[" * 900 + "]" * 900 + "}]", "Row 1: title must be text"),
    "json-object-as-title": ("obj.json", '[{"title": {"a": 1}}]', "Row 1: title must be text"),
    "json-5000-digit-integer": ("big.json", json_tasks('{"title": "x", "priority": ' + "9" * 5000 + "}"),
                                "number too long"),
    "json-4000-digit-position": ("big.json", json_tasks('{"title": "x", "position": ' + "9" * 4000 + "}"),
                                 "Row 1: position must be a whole number"),
    "json-4000-digit-title": ("big.json", json_tasks('{"title": ' + "7" * 4000 + "}"), "Row 1: A title can be at most"),
    "json-float-position": ("pos.json", json_tasks('{"title": "x", "position": 1.5}'), "Row 1: position"),
    "json-infinite-priority": ("inf.json", json_tasks('{"title": "x", "priority": 1e999}'), "Row 1: Choose a priority"),
    "json-lone-surrogate-title": ("s.json", json_tasks('{"title": "ok"}, {"title": "a\\ud800b"}'),
                                  "Row 2: title contains a broken character"),
    "json-lone-surrogate-description": ("s.json", json_tasks('{"title": "x", "description": "\\udfff"}'),
                                        "Row 1: description contains a broken character"),
    "json-escaped-nul": ("nul.json", json_tasks('{"title": "x", "description": "a\\u0000b"}'), "Row 1: description"),
    "json-year-1-east-of-utc": ("t.json", json_tasks('{"title": "x", "created_at": "0001-01-01T00:00:00+01:00"}'),
                                "Row 1: created_at"),
    "json-year-9999-west-of-utc": ("t.json", json_tasks('{"title": "x", "updated_at": "9999-12-31T23:59:59-01:00"}'),
                                   "Row 1: updated_at"),
    "json-year-1-utc": ("t.json", json_tasks('{"title": "x", "completed": true, "completed_at": "0001-01-01T00:00:00Z"}'),
                        "between the years 1900 and 9998"),
    "json-top-level-number": ("n.json", "42", "list of tasks"),
    "csv-field-over-128-kib": ("long.csv", "title,description\nok," + "x" * (130 * 1024) + "\n",
                               "longer than 131,072 characters"),
    "csv-quoted-field-over-128-kib": ("long.csv", 'title\n"' + "y" * (130 * 1024) + '"\n', "longer than"),
    "csv-bare-cr": ("cr.csv", "title,description\nfirst,one\nsec\rond,two\n", "line break (CR)"),
    "csv-5000-digit-position": ("p.csv", "title,position\nx," + "1" * 5000 + "\n", "Row 1: position"),
    "csv-timestamp-overflow": ("t.csv", "title,created_at\nx,0001-01-01T00:00:00+01:00\n", "Row 1: created_at"),
    "csv-nul": ("nul.csv", "title\nfine\nbro\x00ken\n", "NUL"),
    "text-nul": ("nul.txt", b"one\ntwo\x00\n", "NUL"),
    "non-utf8-latin1": ("latin.csv", "title\ncaf\xe9\n".encode("latin-1"), "not UTF-8"),
    "non-utf8-encoded-surrogate": ("s.txt", b"a\xed\xa0\x80b\n", "not UTF-8"),
    "utf16": ("u.txt", "hello\n".encode("utf-16"), "not UTF-8"),
    "empty-file": ("empty.json", b"", "The file is empty"),
    "only-blank-lines": ("blank.txt", "\n \n\t\n", "no tasks"),
    "csv-header-only": ("h.csv", "title,description\n", "no tasks"),
    "over-the-row-limit-text": ("many.txt", "\n".join(f"t{n}" for n in range(MAX_ROWS + 1)), "more than 50,000"),
    "over-the-row-limit-csv": ("many.csv", "title\n" + "\n".join(f"t{n}" for n in range(MAX_ROWS + 1)),
                               "more than 50,000"),
    # Kept under 500 KB: larger test uploads leak a temporary file in Werkzeug's test client.
    "over-the-row-limit-json": ("many.json", "[" + ",".join(["1"] * (MAX_ROWS + 1)) + "]", "more than 50,000"),
}


@pytest.fixture
def seeded(app, client, user):
    """A person with one task already, so "nothing changed" means something."""
    assert client.post("/tasks", data={"title": "Already here"}).status_code == 303
    return count_tasks(app)


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_import_is_refused_and_changes_nothing(app, client, seeded, case):
    name, content, words = HOSTILE[case]
    response = upload(client, name, content)
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[-3000:]
    shown = FIELD_ERROR.search(page)
    assert shown, "the message stands next to the file field"
    assert shown.group(1).startswith("Nothing was imported.")
    assert words in shown.group(1).replace("&#39;", "'"), shown.group(1)
    assert count_tasks(app) == seeded


def test_the_cases_are_really_hostile():
    """Guard the premises: each of these breaks a naive parser."""
    import csv
    import json
    from datetime import datetime, timezone

    with pytest.raises(ValueError):
        json.loads("9" * 5000)
    with pytest.raises(UnicodeEncodeError):
        json.loads('"\\ud800"').encode("utf-8")
    with pytest.raises(OverflowError):
        datetime.fromisoformat("0001-01-01T00:00:00+01:00").astimezone(timezone.utc)
    with pytest.raises(csv.Error):
        list(csv.reader(io.StringIO("x" * (130 * 1024))))
    with pytest.raises(csv.Error):
        list(csv.reader(io.StringIO("a\rb\n")))


def test_too_large_upload_is_413_and_changes_nothing(app, variant_app):
    small = variant_app(MAX_CONTENT_LENGTH=4096)
    client = small.test_client()
    assert AuthActions(client).register(email="big@example.com").status_code == 303
    before = count_tasks(app)
    response = upload(client, "big.txt", "a task\n" * 2000)
    assert response.status_code == 413
    assert "larger than Docket accepts" in response.get_data(as_text=True)
    assert count_tasks(app) == before


def test_a_refused_file_does_not_block_the_corrected_one(app, client, seeded):
    """A 422 must not count as "imported moments ago"."""
    assert upload(client, "bad.csv", "title,priority\nx,urgent\n").status_code == 422
    assert upload(client, "bad.csv", "title,priority\nx,urgent\n").status_code == 422
    assert upload(client, "good.csv", "title,priority\nx,high\n").status_code == 303
    assert count_tasks(app) == seeded + 1
