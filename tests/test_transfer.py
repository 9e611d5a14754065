"""Export and import: round trips, all-or-nothing imports, size limits."""

import csv
import io
import json
import re
import time

import pytest
import sqlalchemy as sa

from conftest import AuthActions, count_statements
from webapp.extensions import db
from webapp.models import Task, User


def tasks_of(app, email):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        rows = db.session.scalars(sa.select(Task).where(Task.user_id == user.id).order_by(Task.created_at))
        return [(t.title, t.description, t.completed, t.due_date, t.priority) for t in rows]


def upload(client, name, content):
    data = {"file": (io.BytesIO(content.encode() if isinstance(content, str) else content), name)}
    return client.post("/account/import", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_then_import_into_a_new_account_gives_the_same_tasks(app, client, user, fmt):
    client.post("/tasks", data={"title": "Pay rent", "due_date": "2031-01-05", "priority": "high"})
    client.post("/tasks", data={"title": 'Quote "this", please'})
    with app.app_context():
        first = db.session.scalars(sa.select(Task)).first()
        first.description = "line one\nline two"
        db.session.commit()
        first_id = first.id
    client.post(f"/tasks/{first_id}/toggle")
    exported = client.get(f"/account/export.{fmt}")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    exported_bytes = exported.get_data()
    exported.close()
    AuthActions(client).logout()
    registered = AuthActions(client).register(email="grace@example.com")
    assert registered.status_code == 303, registered.get_data(as_text=True)[-3000:]
    response = upload(client, f"backup.{fmt}", exported_bytes)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert sorted(tasks_of(app, "grace@example.com"), key=str) == sorted(tasks_of(app, "ada@example.com"), key=str)


def test_json_export_is_a_document_with_every_field(app, client, user):
    client.post("/tasks", data={"title": "One"})
    document = json.loads(client.get("/account/export.json").data)
    assert document["format"] == "docket-tasks" and len(document["tasks"]) == 1
    assert set(document["tasks"][0]) >= {"id", "title", "completed", "due_date", "priority", "created_at"}


def test_plain_text_import_makes_one_task_per_line(app, client, user):
    response = upload(client, "list.txt", "Milk\n\n  Bread  \nEggs\n")
    assert response.status_code == 303
    assert sorted(t[0] for t in tasks_of(app, "ada@example.com")) == ["Bread", "Eggs", "Milk"]


@pytest.mark.parametrize("name, content, message", [
    ("bad.json", '[{"title": "ok"}, {"title": "   "}]', "Row 2"),
    ("bad.json", '[{"title": "ok"}, {"title": "x", "due_date": "2030-02-31"}]', "Row 2"),
    ("bad.csv", "title,priority\nfine,low\nnot fine,urgent\n", "Row 2"),
    ("bad.csv", "name\nx\n", "header row"),
    ("bad.json", "{not json", "not valid"),
    ("bad.json", '{"tasks": 3}', "list of tasks"),
    ("bad.txt", "a\x00b", "NUL"),
    ("bad.txt", b"\xff\xfe\xfa", "UTF-8"),
    ("empty.txt", "\n\n", "no tasks"),
])
def test_a_bad_file_imports_nothing_and_says_which_row(app, client, user, name, content, message):
    response = upload(client, name, content)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert tasks_of(app, "ada@example.com") == []


def test_ten_thousand_rows_import_in_one_go(app, client, user):
    response = upload(client, "many.txt", "\n".join(f"task {n}" for n in range(10_000)))
    assert response.status_code == 303
    assert len(tasks_of(app, "ada@example.com")) == 10_000


def test_oversized_upload_is_413(variant_app):
    client = variant_app(MAX_CONTENT_LENGTH=2000).test_client()
    AuthActions(client).register(email="big@example.com")
    assert upload(client, "big.txt", "x\n" * 5000).status_code == 413


def test_export_needs_login(client):
    assert client.get("/account/export.json").status_code in (302, 303)


# -- manual order -------------------------------------------------------------


def manual_order(app, email):
    """Titles as "My order" shows them: position, then id."""
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        statement = sa.select(Task.title).where(Task.user_id == user.id).order_by(Task.position, Task.id)
        return list(db.session.scalars(statement))


def add_with_positions(app, user_id, positions: dict):
    with app.app_context():
        for title, position in positions.items():
            db.session.add(Task(user_id=user_id, title=title, position=position))
        db.session.commit()


def export_bytes(client, fmt):
    response = client.get(f"/account/export.{fmt}")
    assert response.status_code == 200
    data = response.get_data()
    response.close()
    return data


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_then_import_keeps_my_order(app, client, user, fmt):
    # Neither creation order nor title order; two share a position (then id decides).
    add_with_positions(app, user.id, {"c": -5000, "a": 7, "e": 7, "b": -3, "d": 2**40})
    expected = manual_order(app, "ada@example.com")
    exported = export_bytes(client, fmt)
    AuthActions(client).logout()
    assert AuthActions(client).register(email="grace@example.com").status_code == 303
    assert upload(client, f"backup.{fmt}", exported).status_code == 303
    assert manual_order(app, "grace@example.com") == expected


def test_exports_carry_the_position(app, client, user):
    add_with_positions(app, user.id, {"first": -2048, "second": 1024})
    document = json.loads(export_bytes(client, "json"))
    assert [(t["title"], t["position"]) for t in document["tasks"]] == [("first", -2048), ("second", 1024)]
    rows = list(csv.DictReader(io.StringIO(export_bytes(client, "csv").decode())))
    assert [(r["title"], r["position"]) for r in rows] == [("first", "'-2048"), ("second", "1024")]


def test_positions_in_the_file_decide_the_order(app, client, user):
    content = json.dumps([{"title": "third", "position": 30}, {"title": "first", "position": -10},
                          {"title": "second", "position": "0"}])
    assert upload(client, "order.json", content).status_code == 303
    assert manual_order(app, "ada@example.com") == ["first", "second", "third"]


@pytest.mark.parametrize("name, content", [
    ("list.txt", "one\ntwo\nthree\n"),
    ("old.csv", "title,priority\none,low\ntwo,\nthree,high\n"),
    ("old.json", '[{"title": "one"}, {"title": "two"}, {"title": "three"}]'),
    ("some.json", '[{"title": "one", "position": 9}, {"title": "two"}, {"title": "three", "position": 1}]'),
])
def test_files_without_positions_keep_the_file_order(app, client, user, name, content):
    assert upload(client, name, content).status_code == 303
    assert manual_order(app, "ada@example.com") == ["one", "two", "three"]


def test_imported_tasks_go_on_top_in_their_own_order(app, client, user):
    add_with_positions(app, user.id, {"old top": 0, "old bottom": 1024})
    assert upload(client, "new.txt", "new one\nnew two\n").status_code == 303
    assert manual_order(app, "ada@example.com") == ["new one", "new two", "old top", "old bottom"]


@pytest.mark.parametrize("name, blank", [("list.txt", "\n  \n"), ("list.csv", "\n,,\n")])
def test_blank_lines_do_not_count_towards_the_row_limit(app, client, user, monkeypatch, name, blank):
    from webapp.tasks import portable

    monkeypatch.setattr(portable, "MAX_ROWS", 3)
    header = "title\n" if name.endswith(".csv") else ""
    content = header + blank + "a\n" + blank + "b\n" + blank + "c\n" + blank
    assert upload(client, name, content).status_code == 303
    assert manual_order(app, "ada@example.com") == ["a", "b", "c"], "every task of the file, none dropped"
    too_many = upload(client, "more-" + name, header + "a\nb\n" + blank + "c\nd\n")
    assert too_many.status_code == 422 and "more than 3 tasks" in too_many.get_data(as_text=True)


# -- spreadsheets and caches ----------------------------------------------------

RISKY_TITLES = ["=1+1", "+41 555 0100", "-5", "@SUM(A1:A9)", "'=already quoted", "''-two quotes",
                "it's fine", "'", "=HYPERLINK(\"http://evil.example\")"]


def test_csv_cells_cannot_start_a_formula_and_import_gives_the_text_back(app, client, user):
    add_with_positions(app, user.id, {title: n for n, title in enumerate(RISKY_TITLES)})
    with app.app_context():  # fields the forms would trim, written straight to the database
        db.session.add(Task(user_id=user.id, title="tab", description="\tindented", position=100))
        db.session.add(Task(user_id=user.id, title="cr", description="\rreturn", position=101))
        db.session.commit()
    exported = export_bytes(client, "csv")
    cells = [cell for row in csv.reader(io.StringIO(exported.decode(), newline="")) for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "'=1+1" in cells and "'\tindented" in cells and "'\rreturn" in cells and "it's fine" in cells
    AuthActions(client).logout()
    AuthActions(client).register(email="grace@example.com")
    assert upload(client, "backup.csv", exported).status_code == 303
    assert manual_order(app, "grace@example.com") == RISKY_TITLES + ["tab", "cr"]


def test_a_leading_quote_is_only_removed_before_a_formula_character(app, client, user):
    content = "title\n'=sum\n'plain\n''@x\n"
    assert upload(client, "hand-made.csv", content).status_code == 303
    assert manual_order(app, "ada@example.com") == ["=sum", "'plain", "'@x"]


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_exports_are_never_cached(client, user, fmt):
    response = client.get(f"/account/export.{fmt}")
    assert response.headers["Cache-Control"] == "no-store"
    response.close()


# -- speed and double submits ---------------------------------------------------


def test_import_is_a_bulk_insert(app, client, user):
    content = "\n".join(f"task {n}" for n in range(2_000))
    with count_statements(app) as statements:
        assert upload(client, "many.txt", content).status_code == 303
    # SQLite: one executemany or a few multi-row INSERTs. PostgreSQL: one COPY
    # on the raw connection, which these statement events do not even see.
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO TASKS")]
    assert len(inserts) <= 4 and len(statements) < 20, f"{len(statements)} statements for 2,000 rows"
    assert len(manual_order(app, "ada@example.com")) == 2_000


def test_text_and_times_arrive_exactly(app, client, user):
    """Backslashes, tabs, line breaks and a literal \\N must not be taken for COPY syntax."""
    description = "back\\slash \\N\ttab\nnew line\r\nwindows \"quoted\" 'single' ünïcødé 🎉"
    record = {"title": "\\N", "description": description, "completed": True, "priority": "high",
              "due_date": "2031-02-28", "created_at": "2029-01-02T09:00:00+01:00",
              "updated_at": "2029-01-03T10:00:00", "completed_at": "2029-01-04T23:30:00-02:00"}
    assert upload(client, "exact.json", json.dumps([record])).status_code == 303
    with app.app_context():
        task = db.session.scalars(sa.select(Task)).one()
        assert task.title == "\\N"
        assert task.description == description.replace("\r\n", "\n")
        assert (task.completed, task.priority, task.due_date.isoformat()) == (True, 3, "2031-02-28")
        assert task.created_at.isoformat() == "2029-01-02T08:00:00+00:00"
        assert task.updated_at.isoformat() == "2029-01-03T10:00:00+00:00"
        assert task.completed_at.isoformat() == "2029-01-05T01:30:00+00:00"


def test_the_same_file_twice_in_a_row_is_imported_once(app, client, user):
    assert upload(client, "list.txt", "one\ntwo\n").status_code == 303
    again = upload(client, "list.txt", "one\ntwo\n")
    assert again.status_code == 409
    assert "imported moments ago" in again.get_data(as_text=True)
    assert 'id="import-file-error"' in again.get_data(as_text=True)
    assert manual_order(app, "ada@example.com") == ["one", "two"]
    assert upload(client, "other.txt", "three\n").status_code == 303, "a different file is fine"
    boosted = upload_boosted(client, "list.txt", "one\ntwo\n")
    assert boosted.status_code == 409 and boosted.headers["HX-Push-Url"] == "false"


def test_the_same_file_imports_again_after_a_pause(app, client, user, monkeypatch):
    from limits import RateLimitItemPerSecond

    from webapp.account import same_file

    monkeypatch.setattr(same_file, "WINDOW", RateLimitItemPerSecond(1, 1))
    assert upload(client, "list.txt", "one\n").status_code == 303
    time.sleep(1.1)
    assert upload(client, "list.txt", "one\n").status_code == 303
    assert manual_order(app, "ada@example.com") == ["one", "one"]


def test_another_person_may_import_the_same_file(app, client, user):
    assert upload(client, "list.txt", "one\n").status_code == 303
    AuthActions(client).logout()
    AuthActions(client).register(email="grace@example.com")
    assert upload(client, "list.txt", "one\n").status_code == 303


def upload_boosted(client, name, content):
    data = {"file": (io.BytesIO(content.encode()), name)}
    headers = {"HX-Request": "true", "HX-Boosted": "true"}
    return client.post("/account/import", data=data, content_type="multipart/form-data", headers=headers)


# -- the form -------------------------------------------------------------------


def test_the_import_form_loads_its_script_and_no_inline_code(client, user):
    page = client.get("/account").get_data(as_text=True)
    assert re.search(r'<script src="/static/transfer\.js(\?[^"]*)?" defer></script>', page)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "an inline script would break the CSP"
    assert not re.search(r"\son[a-z]+=", page), "no inline event handlers either"
    form = re.search(r'<form[^>]*action="/account/import"[^>]*>', page).group(0)
    assert 'enctype="multipart/form-data"' in form and "data-import-form" in form
    assert 'hx-sync="this:drop"' in form and 'hx-boost="false"' not in form
    assert "<progress" in page and "data-import-status" in page


def test_the_script_is_served_and_uses_no_eval(client):
    response = client.get("/static/transfer.js")
    assert response.status_code == 200 and "javascript" in response.mimetype
    script = response.get_data(as_text=True)
    response.close()
    assert "eval(" not in script and "new Function" not in script and "innerHTML" not in script
    for event in ("submit", "htmx:xhr:progress", "htmx:afterRequest", "htmx:beforeSwap"):
        assert f'"{event}"' in script
