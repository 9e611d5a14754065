"""Export and import: round trips, all-or-nothing imports, size limits."""

import io
import json

import pytest
import sqlalchemy as sa

from conftest import AuthActions
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
