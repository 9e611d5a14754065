"""Export and import with lists, labels, repeats and subtasks (issue 11), on
SQLite and PostgreSQL, in JSON and CSV.

export -> import into a new account gives the same lists, labels, repeats
and subtasks; older files still import (into the Inbox); a bad value in a
file refuses it, naming the row, and nothing is imported.
"""

import csv
import io
import json
import uuid
from datetime import date

import pytest
import sqlalchemy as sa

from conftest import AuthActions, count_statements
from webapp.extensions import db
from webapp.models import Label, Task, TaskList, User
from webapp.tasks import organize
from webapp.tasks.organize import complete_repeating, set_labels, set_parent, set_repeat


def upload(client, name, content):
    data = {"file": (io.BytesIO(content.encode() if isinstance(content, str) else content), name)}
    return client.post("/account/import", data=data, content_type="multipart/form-data")


def export_bytes(client, fmt):
    response = client.get(f"/account/export.{fmt}")
    assert response.status_code == 200
    data = response.get_data()
    response.close()
    return data


def person_named(email) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def snapshot(app, email) -> dict:
    """What a person has, by names and titles (ids differ between accounts)."""
    with app.app_context():
        owner = person_named(email)
        lists = dict(db.session.execute(sa.select(TaskList.id, TaskList.name).where(TaskList.user_id == owner.id)).all())
        tasks = db.session.scalars(sa.select(Task).where(Task.user_id == owner.id)).all()
        titles = {task.id: task.title for task in tasks}
        rows = sorted(
            (task.title, lists[task.list_id], tuple(sorted((label.name for label in task.labels), key=str.casefold)),
             task.repeat or "",
             task.repeat_anchor_day or 0, titles.get(task.parent_id, ""), task.completed, str(task.due_date),
             task.priority, task.description or "")
            for task in tasks
        )
        labels = sorted(db.session.scalars(sa.select(Label.name).where(Label.user_id == owner.id)))
        return {"lists": sorted(lists.values()), "labels": labels, "tasks": rows}


def organized_account(app, email="ada@example.com"):
    """Lists, labels (one a formula), repeats (one past a month end), subtasks and a history copy."""
    with app.app_context():
        ada = person_named(email)
        for position, name in enumerate(("Bills", "Home stuff", "=Sums"), start=1):
            db.session.add(TaskList(user_id=ada.id, name=name, position=position))
        db.session.flush()
        lists = dict(db.session.execute(sa.select(TaskList.name, TaskList.id).where(TaskList.user_id == ada.id)).all())

        def add(title, list_name="Inbox", **values):
            task = Task(user_id=ada.id, title=title, list_id=lists[list_name], **values)
            db.session.add(task)
            db.session.flush()
            return task

        rent = add("rent", "Bills", due_date=date(2027, 1, 31), priority=3, description="to Sam\nby transfer")
        set_repeat(ada, rent, "monthly", date(2027, 1, 1))
        set_labels(ada, rent, "Money, home")
        complete_repeating(ada, rent, date(2027, 1, 31))  # now 28 Feb, anchor 31, and a completed copy
        pay = add("pay", "Bills")
        set_parent(ada, pay, rent.id)
        set_labels(ada, pay, "Money")
        receipt = add("file receipt", "Bills", completed=True)
        set_parent(ada, receipt, rent.id)
        plants = add("water plants", due_date=date(2027, 3, 1))
        set_repeat(ada, plants, "every 2 weeks on mon, thu", date(2027, 3, 1))
        set_labels(ada, plants, "home, =sum, -minus, to read")
        shelf = add("build shelf", "Home stuff")
        add("=cmd|' /C calc'!A0", "=Sums")
        for n in range(3):
            step = add(f"shelf step {n}", "Home stuff", completed=n == 0)
            set_parent(ada, step, shelf.id)
        add("standup", due_date=date(2027, 3, 3), repeat="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", repeat_anchor_day=3)
        db.session.commit()


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_then_import_into_a_new_account_gives_the_same_lists_labels_repeats_and_subtasks(app, client, user, fmt):
    organized_account(app)
    expected = snapshot(app, "ada@example.com")
    assert expected["lists"] == ["=Sums", "Bills", "Home stuff", "Inbox"]
    assert len([row for row in expected["tasks"] if row[5]]) == 5, "five subtasks"
    assert ("rent", "Bills", ("home", "Money"), "FREQ=MONTHLY", 31, "", False, "2027-02-28", 3,
            "to Sam\nby transfer") in expected["tasks"]
    exported = export_bytes(client, fmt)
    AuthActions(client).logout()
    assert AuthActions(client).register(email="grace@example.com").status_code == 303
    response = upload(client, f"backup.{fmt}", exported)
    assert response.status_code == 303, response.get_data(as_text=True)[-2000:]
    assert snapshot(app, "grace@example.com") == expected
    # ... and the copy exports the same file again, but for ids and times.
    again = export_bytes(client, fmt)
    assert _without_ids(again, fmt) == _without_ids(exported, fmt)


def _without_ids(data: bytes, fmt: str) -> list:
    if fmt == "json":
        records = json.loads(data)["tasks"]
    else:
        records = list(csv.DictReader(io.StringIO(data.decode(), newline="")))
    titles = {record["id"]: record["title"] for record in records}
    return sorted(
        json.dumps({**{name: value for name, value in record.items() if name not in ("id", "position", "created_at",
                                                                                      "updated_at", "completed_at")},
                    "parent_id": titles.get(record["parent_id"])}, sort_keys=True)
        for record in records
    )


def test_json_export_carries_list_labels_repeat_and_parent(app, client, user):
    organized_account(app)
    every = json.loads(export_bytes(client, "json"))["tasks"]
    records = {record["title"]: record for record in every if not (record["title"] == "rent" and record["completed"])}
    rent, pay, shelf = records["rent"], records["pay"], records["build shelf"]
    assert (rent["list"], rent["labels"], rent["repeat"], rent["repeat_anchor_day"], rent["parent_id"]) == (
        "Bills", ["home", "Money"], "FREQ=MONTHLY", 31, None)
    assert pay["parent_id"] == rent["id"] and pay["repeat"] is None and pay["labels"] == ["Money"]
    assert shelf["labels"] == [] and shelf["list"] == "Home stuff"
    history = [record for record in every if record["title"] == "rent" and record["completed"]]
    assert [(h["due_date"], h["repeat"], h["repeat_anchor_day"], h["list"], h["labels"]) for h in history] == [
        ("2027-01-31", None, None, "Bills", ["home", "Money"])]


def test_csv_export_has_the_columns_and_neutralises_formulas(app, client, user):
    organized_account(app)
    text = export_bytes(client, "csv").decode()
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert {"list", "labels", "repeat", "repeat_anchor_day", "parent_id"} <= set(rows[0])
    plants = next(row for row in rows if row["title"] == "water plants")
    assert plants["labels"] == "'-minus, =sum, home, to read"  # a spreadsheet shows it, never runs it
    assert plants["repeat"] == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH" and plants["parent_id"] == ""
    formula = next(row for row in rows if row["list"].endswith("=Sums"))
    assert formula["list"] == "'=Sums" and formula["title"].startswith("'=cmd")
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]


@pytest.mark.parametrize("name, content", [
    ("old.json", json.dumps({"format": "docket-tasks", "version": 1, "tasks": [
        {"id": str(uuid.uuid4()), "title": "one", "description": "", "completed": False, "completed_at": "",
         "due_date": "2031-01-05", "priority": "high", "position": 0, "created_at": "2029-01-01T09:00:00+00:00",
         "updated_at": "2029-01-01T09:00:00+00:00"}, {"title": "two"}]})),
    ("old.csv", "id,title,description,completed,completed_at,due_date,priority,position,created_at,updated_at\n"
                ",one,,false,,2031-01-05,high,0,,\n,two,,false,,,,1,,\n"),
    ("list.txt", "one\ntwo\n"),
])
def test_older_files_import_into_the_inbox(app, client, user, name, content):
    assert upload(client, name, content).status_code == 303
    got = snapshot(app, "ada@example.com")
    assert got["labels"] == [] and got["lists"] == ["Inbox"]
    assert sorted((row[0], row[1], row[3], row[5]) for row in got["tasks"]) == [
        ("one", "Inbox", "", ""), ("two", "Inbox", "", "")]


def test_existing_lists_and_labels_are_found_by_name_whatever_the_case(app, client, user):
    with app.app_context():
        ada = person_named("ada@example.com")
        db.session.add(TaskList(user_id=ada.id, name="Bills", position=1))
        task = Task(user_id=ada.id, title="old", list_id=db.session.scalar(sa.select(TaskList.id).where(
            TaskList.user_id == ada.id, TaskList.name == "Bills")))
        db.session.add(task)
        db.session.flush()
        set_labels(ada, task, "Home")
        db.session.commit()
    content = json.dumps([{"title": "new", "list": "  bills ", "labels": ["HOME", "#new one", "home"]},
                          {"title": "inboxed", "list": "INBOX", "labels": "a,  b ,,"}])
    assert upload(client, "mixed.json", content).status_code == 303
    got = snapshot(app, "ada@example.com")
    assert got["lists"] == ["Bills", "Inbox"] and got["labels"] == ["Home", "a", "b", "new one"]
    assert ("new", "Bills", ("Home", "new one")) in [row[:3] for row in got["tasks"]]
    assert ("inboxed", "Inbox", ("a", "b")) in [row[:3] for row in got["tasks"]]


@pytest.mark.parametrize("name, content, words", [
    ("bad.json", json.dumps([{"title": "ok", "repeat": "weekly"}, {"title": "x", "repeat": "FREQ=HOURLY"}]),
     "Row 2: the repeat 'FREQ=HOURLY' can't be used. Tasks repeat by the day at most"),
    ("bad.csv", "title,repeat\nok,daily\nx,every blue moon\n", "Row 2: the repeat 'every blue moon' can't be used"),
    ("bad.csv", "title,repeat\nx,FREQ=DAILY;COUNT=2\n", "Row 1: the repeat"),
    ("bad.json", json.dumps([{"title": "x", "repeat": ["FREQ=DAILY"]}]), "Row 1: repeat must be text"),
    ("bad.json", json.dumps([{"title": "x", "labels": ["ok", "a\tb"]}]), "Row 1: A label name cannot contain"),
    ("bad.json", json.dumps([{"title": "x", "labels": [{"name": "a"}]}]), "Row 1: labels must be text"),
    ("bad.csv", "title,labels\nok,home\nx," + "y" * 61 + "\n", "Row 2: A label name can be at most 60"),
    ("bad.csv", 'title,labels\nx,"' + ", ".join(f"l{n}" for n in range(21)) + '"\n', "Row 1: A task can have at most 20"),
    ("bad.json", json.dumps([{"title": "x", "list": "z" * 81}]), "Row 1: A list name can be at most 80"),
    ("bad.json", json.dumps([{"title": "x", "list": "a\nb"}]), "Row 1: A list name cannot contain"),
    ("bad.json", json.dumps([{"title": "x", "list": {"a": 1}}]), "Row 1: list must be text"),
    ("bad.json", json.dumps([{"title": "x", "repeat": "monthly", "due_date": "2031-01-31",
                              "repeat_anchor_day": 32}]), "Row 1: repeat_anchor_day must be a day of the month"),
    ("bad.json", json.dumps([{"id": "a", "title": "x", "parent_id": "a"}]), "Row 1: a task cannot be its own parent"),
    ("bad.json", json.dumps([{"id": "a", "title": "top"}, {"id": "b", "title": "mid", "parent_id": "a"},
                             {"id": "c", "title": "leaf", "parent_id": "b"}]),
     "Row 3: its parent (row 2) is a subtask itself"),
    ("bad.json", json.dumps([{"id": "a", "title": "one"}, {"id": "a", "title": "two"},
                             {"title": "child", "parent_id": "a"}]), "Row 3: parent_id 'a' is the id of more than one"),
    ("bad.json", json.dumps([{"title": "x", "parent_id": ["a"]}]), "Row 1: parent_id ['a'] is not the id of a task"),
    # Hostile shapes: each a 422 naming the row, never a 500.
    ("big.json", '[{"title": "x", "parent_id": ' + "9" * 4000 + "}]", "Row 1: parent_id 9999"),
    ("big.json", '[{"title": "x", "repeat": "monthly", "due_date": "2031-01-31", "repeat_anchor_day": '
                 + "3" * 4000 + "}]", "Row 1: repeat_anchor_day must be a day of the month"),
    ("big.json", json.dumps([{"title": "x", "repeat": "FREQ=DAILY;" + "INTERVAL=2;" * 40}]), "at most 200 characters"),
    ("big.json", json.dumps([{"title": "x", "labels": ["a"] * 1001}]), "Row 1: labels holds 1,001 names"),
    ("nul.json", json.dumps([{"title": "x", "labels": ["a\u0000"]}]), "Row 1: labels contains a NUL character"),
    ("s.json", '[{"title": "x", "list": "a\\ud800"}]', "Row 1: list contains a broken character"),
    ("bool.json", json.dumps([{"title": "x", "repeat_anchor_day": True, "repeat": "monthly"}]),
     "Row 1: repeat_anchor_day must be a day of the month, 1 to 31, not 'true'"),
])
def test_a_bad_value_refuses_the_file_naming_the_row(app, client, user, name, content, words):
    response = upload(client, name, content)
    page = response.get_data(as_text=True).replace("&#39;", "'").replace("&#34;", '"').replace("&quot;", '"')
    assert response.status_code == 422, page[-2000:]
    assert "Nothing was imported." in page and words in page, page[-3000:]
    got = snapshot(app, "ada@example.com")
    assert got == {"lists": ["Inbox"], "labels": [], "tasks": []}


def test_subtasks_link_by_the_files_ids_in_any_order(app, client, user):
    content = json.dumps([{"id": 7, "title": "child", "parent_id": "1", "list": "Ignored"},
                          {"id": "1", "title": "parent", "list": "Trip"},
                          {"id": "B5F1C7E2-0000-4000-8000-000000000001", "title": "upper"},
                          {"title": "lower", "parent_id": "b5f1c7e2-0000-4000-8000-000000000001"}])
    assert upload(client, "linked.json", content).status_code == 303
    got = snapshot(app, "ada@example.com")
    by_title = {row[0]: row for row in got["tasks"]}
    assert by_title["child"][5] == "parent" and by_title["child"][1] == "Trip", "a subtask goes into its parent's list"
    assert by_title["lower"][5] == "upper"
    assert "Ignored" in got["lists"], "the list named in the file is made all the same"


def test_a_parent_not_in_the_file_leaves_a_task_of_its_own_and_says_so(app, client, user):
    """Also when the id is someone else's task: a file never reaches outside itself."""
    with app.app_context():
        bob = User(email="bob@example.com")  # made through the model: no second login needed
        db.session.add(bob)
        db.session.flush()
        db.session.add(TaskList(user_id=bob.id, name="Inbox", position=0))
        db.session.flush()
        theirs = Task(user_id=bob.id, title="bob's", list_id=db.session.scalar(
            sa.select(TaskList.id).where(TaskList.user_id == bob.id)))
        db.session.add(theirs)
        db.session.commit()
        theirs_id, bob_id = theirs.id, bob.id
    content = json.dumps([{"title": "mine", "parent_id": str(theirs_id)}, {"title": "also", "parent_id": "gone"}])
    response = upload(client, "orphans.json", content)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Imported 2 tasks. 2 subtasks whose parent was not in the file became tasks of their own." in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(Task.parent_id.is_not(None))) == 0
        assert [t.title for t in db.session.scalars(sa.select(Task).where(Task.user_id == bob_id))] == ["bob's"]


def test_repeats_keep_their_anchor_or_take_the_due_dates_day(app, client, user):
    content = ("title,due_date,repeat,repeat_anchor_day\n"
               "rent,2031-02-28,monthly,31\nreport,2031-03-15,RRULE:FREQ=MONTHLY,\nplain,2031-03-15,,9\n"
               "undated,,daily,5\n")
    assert upload(client, "repeats.csv", content).status_code == 303
    got = {row[0]: (row[3], row[4], row[7]) for row in snapshot(app, "ada@example.com")["tasks"]}
    assert got == {"rent": ("FREQ=MONTHLY", 31, "2031-02-28"), "report": ("FREQ=MONTHLY", 15, "2031-03-15"),
                   "plain": ("", 0, "2031-03-15"), "undated": ("FREQ=DAILY", 0, "None")}
    with app.app_context():
        rent = db.session.scalar(sa.select(Task).where(Task.title == "rent"))
        assert complete_repeating(rent.user, rent, date(2031, 2, 28)).next_due == date(2031, 3, 31)
        db.session.rollback()


def test_too_many_lists_or_labels_refuse_the_file(app, client, user, monkeypatch):
    monkeypatch.setattr(organize, "LISTS_PER_PERSON", 3)
    content = json.dumps([{"title": f"t{n}", "list": f"L{n}"} for n in range(3)])
    response = upload(client, "lists.json", content)
    assert response.status_code == 422
    assert ("Nothing was imported. That would make 4 lists: Docket keeps at most 3 per person."
            in response.get_data(as_text=True))
    monkeypatch.setattr(organize, "LABELS_PER_PERSON", 2)
    response = upload(client, "labels.json", json.dumps([{"title": "t", "labels": ["a", "b", "c"]}]))
    assert response.status_code == 422 and "That would make 3 labels" in response.get_data(as_text=True)
    assert snapshot(app, "ada@example.com") == {"lists": ["Inbox"], "labels": [], "tasks": []}
    # The refusal did not count as "imported moments ago".
    assert upload(client, "fine.json", json.dumps([{"title": "t", "list": "L1", "labels": ["a"]}])).status_code == 303


def test_an_organized_import_is_still_a_handful_of_statements(app, client, user):
    records = [{"id": str(n), "title": f"task {n}", "list": f"List {n % 4}", "labels": [f"l{n % 5}", "all"],
                "repeat": "weekly" if n % 3 else "", "due_date": "2031-01-31",
                "parent_id": str(n - 1) if n % 2 else ""} for n in range(2_000)]
    with count_statements(app) as statements:
        assert upload(client, "many.json", json.dumps(records)).status_code == 303
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO TASKS")]
    assert len(inserts) <= 4 and len(statements) < 20, f"{len(statements)} statements for 2,000 rows"
    got = snapshot(app, "ada@example.com")
    assert len(got["tasks"]) == 2_000 and len(got["labels"]) == 6 and len(got["lists"]) == 5
    assert sum(1 for row in got["tasks"] if row[5]) == 1_000
    assert sum(len(row[2]) for row in got["tasks"]) == 4_000
