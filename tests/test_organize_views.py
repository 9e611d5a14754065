"""Labels, repeats and subtasks over HTTP, on SQLite and PostgreSQL: the
fields of POST /tasks and POST /tasks/<id>, other people's ids (404, nothing
changed), refusals beside their field, completing repeating tasks (toggle,
edit form, bulk, complete all), the task page's subtasks, the label filter,
and what a list page with all of it costs (statements, bytes)."""

import html
import re
import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from conftest import HTMX, count_statements
from test_lists import add_task, another_person, create_list, list_id, titles
from webapp.extensions import db
from webapp.models import INBOX, DeletedTask, Label, Task, TaskList, User, task_labels

BASE = datetime(2024, 1, 1, tzinfo=timezone.utc)
FAR = 2031  # a year whose dates are all still ahead: a repeat moves on from its due date


# -- helpers -------------------------------------------------------------------

def everything(app) -> tuple:
    """Every row of every table a refused request must leave alone."""
    tables = (User.__table__, TaskList.__table__, Label.__table__, task_labels, Task.__table__, DeletedTask.__table__)
    with app.app_context():
        return tuple(tuple(db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).all())
                     for table in tables)


def task_of(app, task_id) -> dict:
    with app.app_context():
        task = db.session.get(Task, task_id)
        return {"title": task.title, "list_id": task.list_id, "labels": [label.name for label in task.labels],
                "repeat": task.repeat, "anchor": task.repeat_anchor_day, "due": task.due_date,
                "completed": task.completed, "parent_id": task.parent_id}


def by_title(app, user_id, title) -> list[dict]:
    with app.app_context():
        ids = db.session.scalars(sa.select(Task.id).where(Task.user_id == user_id, Task.title == title)
                                 .order_by(Task.completed, Task.due_date)).all()
    return [{"id": task_id, **task_of(app, task_id)} for task_id in ids]


def labels_of_person(app, user_id) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(sa.select(Label.name).where(Label.user_id == user_id)))


def created_id(app, user_id, title) -> uuid.UUID:
    return by_title(app, user_id, title)[0]["id"]


def set_zone(app, user_id, zone: str) -> None:
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == user_id).values(timezone=zone))
        db.session.commit()


def row_html(body: str, task_id) -> str:
    match = re.search(rf'<li id="task-{task_id}".*?</li>', body, re.S)
    assert match, f"no row for {task_id}"
    return match.group(0)


@pytest.fixture
def bob(app):
    """Another person, with a list, a label ("home") and a task."""
    person_id = another_person(app, "bob@example.com")
    task = add_task(app, person_id, "Bob's task")
    with app.app_context():
        label = Label(user_id=person_id, name="home")
        db.session.add(label)
        db.session.flush()
        db.session.execute(sa.insert(task_labels).values(task_id=task, label_id=label.id))
        db.session.commit()
    return {"id": person_id, "list": list_id(app, person_id, "Secret"), "task": task}


# -- the fields of POST /tasks and POST /tasks/<id> ---------------------------------

def test_create_with_a_list_labels_a_repeat_and_a_parent(app, client, user):
    work = create_list(client, "Work")
    response = client.post("/tasks", data={"title": "Pay rent", "list_id": str(work), "labels": " home, Errands ,, HOME",
                                           "repeat": "monthly", "due_date": f"{FAR}-01-31", "quick": "0"})
    assert response.status_code == 303
    rent = created_id(app, user.id, "Pay rent")
    assert task_of(app, rent) == {"title": "Pay rent", "list_id": work, "labels": ["Errands", "home"],
                                       "repeat": "FREQ=MONTHLY", "anchor": 31, "due": date(FAR, 1, 31),
                                       "completed": False, "parent_id": None}
    assert labels_of_person(app, user.id) == ["Errands", "home"]

    # A subtask goes to its parent's list, whatever the view or form say; labels are reused.
    response = client.post("/tasks", data={"title": "Transfer", "parent_id": str(rent), "labels": "Home", "quick": "0"})
    assert response.status_code == 303
    transfer = task_of(app, created_id(app, user.id, "Transfer"))
    assert (transfer["parent_id"], transfer["list_id"], transfer["labels"]) == (rent, work, ["home"])
    assert labels_of_person(app, user.id) == ["Errands", "home"]


@pytest.mark.parametrize("typed, stored", [
    ("daily", "FREQ=DAILY"), ("weekdays", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"), ("weekly", "FREQ=WEEKLY"),
    ("monthly", "FREQ=MONTHLY"), ("yearly", "FREQ=YEARLY"), ("every 3 days", "FREQ=DAILY;INTERVAL=3"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"),
    ("rrule:freq=monthly;bymonthday=-1", "FREQ=MONTHLY;BYMONTHDAY=-1"),
])
def test_repeat_words_and_rrules(app, client, user, typed, stored):
    task = add_task(app, user.id, "Review")
    assert client.post(f"/tasks/{task}", data={"repeat": typed}).status_code == 303
    found = task_of(app, task)
    assert found["repeat"] == stored
    assert found["due"] is not None, "a repeating task always has a due date"


def test_update_changes_only_what_was_sent_and_empty_clears(app, client, user):
    parent = add_task(app, user.id, "Trip")
    task = add_task(app, user.id, "Pack", due_date=date(FAR, 5, 31))
    client.post(f"/tasks/{task}", data={"labels": "travel, home", "repeat": "monthly", "parent_id": str(parent)})
    found = task_of(app, task)
    assert (found["labels"], found["repeat"], found["anchor"], found["parent_id"]) == (
        ["home", "travel"], "FREQ=MONTHLY", 31, parent)

    client.post(f"/tasks/{task}", data={"title": "Pack bags"})  # nothing else sent: nothing else changes
    found = task_of(app, task)
    assert (found["title"], found["labels"], found["repeat"], found["parent_id"]) == (
        "Pack bags", ["home", "travel"], "FREQ=MONTHLY", parent)

    client.post(f"/tasks/{task}", data={"labels": "", "repeat": "", "parent_id": ""})
    found = task_of(app, task)
    assert (found["labels"], found["repeat"], found["anchor"], found["parent_id"]) == ([], None, None, None)
    assert labels_of_person(app, user.id) == ["home", "travel"], "labels stay the person's, for next time"


def test_an_edit_form_sending_everything_again_keeps_the_anchor(app, client, user):
    task = add_task(app, user.id, "Rent", due_date=date(FAR, 2, 28), repeat="FREQ=MONTHLY", repeat_anchor_day=31)
    data = {"title": "Rent", "due_date": f"{FAR}-02-28", "priority": "none", "labels": "", "repeat": "monthly",
            "view": "detail", "completed": "false"}
    assert client.post(f"/tasks/{task}", data=data).status_code == 303
    assert task_of(app, task)["anchor"] == 31
    client.post(f"/tasks/{task}", data={**data, "due_date": f"{FAR}-02-15"})
    assert task_of(app, task)["anchor"] == 15, "a new date the person chose is the new anchor"


# -- other people's ids ------------------------------------------------------------

@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_another_persons_list_or_parent_is_not_found_and_nothing_changes(app, client, user, bob, headers):
    mine = add_task(app, user.id, "Mine")
    before = everything(app)
    unknown = uuid.uuid4()
    for url, data in [
        ("/tasks", {"title": "Planted", "list_id": str(bob["list"]), "labels": "x"}),
        ("/tasks", {"title": "Planted", "parent_id": str(bob["task"]), "labels": "x"}),
        ("/tasks", {"title": "Planted", "parent_id": str(unknown)}),
        ("/tasks", {"title": "Planted", "parent_id": str(bob["task"]), "view": "detail", "quick": "0"}),
        (f"/tasks/{mine}", {"list_id": str(bob["list"]), "labels": "x", "repeat": "daily"}),
        (f"/tasks/{mine}", {"parent_id": str(bob["task"]), "labels": "x"}),
        (f"/tasks/{mine}", {"parent_id": str(unknown), "view": "detail"}),
        (f"/tasks/{bob['task']}", {"labels": "mine now", "repeat": "daily"}),
        (f"/tasks/{bob['task']}/complete", {}),
    ]:
        response = client.post(url, data=data, headers=headers)
        assert response.status_code == 404, (url, data, response.status_code)
    assert everything(app) == before


def test_labels_are_names_and_each_persons_own(app, client, user, bob):
    """Labels travel by name, so there is no label id to take over: typing a
    name that another person uses makes one's own, and their tasks stay theirs."""
    response = client.post("/tasks", data={"title": "Sweep", "labels": "home", "quick": "0"})
    assert response.status_code == 303
    assert labels_of_person(app, user.id) == ["home"] and labels_of_person(app, bob["id"]) == ["home"]
    body = client.get("/tasks?label=home").get_data(as_text=True)
    assert titles(body) == ["Sweep"] and "Bob's task" not in body


# -- refusals beside their field -------------------------------------------------------

BAD_RULES = [
    ("FREQ=HOURLY", "Tasks repeat by the day at most"),
    ("FREQ=DAILY;COUNT=3", "COUNT"),
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", ""),
    ("FREQ=WEEKLY;BYDAY=XX", ""),
    ("every blursday", "can't read"),
    ("FREQ=DAILY;DTSTART=20260101", "DTSTART"),
]


@pytest.mark.parametrize("rule, message", BAD_RULES)
def test_bad_rrules_are_refused_beside_the_field(app, client, user, rule, message):
    task = add_task(app, user.id, "Water plants", due_date=date(FAR, 1, 5))
    before = everything(app)

    page = client.post(f"/tasks/{task}", data={"repeat": rule, "view": "detail"})
    body = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 422
    error = re.search(r'<p class="field-error" id="repeat-error">([^<]+)</p>', body)
    assert error and message in error.group(1), body[-3000:]
    assert re.search(r'<input id="repeat" name="repeat"[^>]*aria-describedby="repeat-hint repeat-error"'
                     r'[^>]*aria-invalid="true"', body)
    assert f'value="{rule}"' in body, "what was typed is shown again"

    editor = client.post(f"/tasks/{task}", data={"title": "Water plants", "repeat": rule}, headers=HTMX)
    body = html.unescape(editor.get_data(as_text=True))
    assert editor.status_code == 422 and 'class="edit-form"' in body
    assert re.search(rf'id="edit-repeat-{task}-error">[^<]*{re.escape(message)}', body)

    added = client.post("/tasks", data={"title": "New", "repeat": rule, "quick": "0"})
    assert added.status_code == 422 and message in html.unescape(added.get_data(as_text=True))
    assert everything(app) == before


@pytest.mark.parametrize("labels, message", [
    ("home, bad\tname", "control characters"),
    ("x" * 61, "at most 60 characters"),
    (", ".join(f"l{n}" for n in range(21)), "at most 20 labels"),
])
def test_bad_label_names_are_refused_beside_the_field(app, client, user, labels, message):
    task = add_task(app, user.id, "Sort post")
    before = everything(app)
    page = client.post(f"/tasks/{task}", data={"labels": labels, "view": "detail"})
    body = page.get_data(as_text=True)
    assert page.status_code == 422
    error = re.search(r'<p class="field-error" id="labels-error">([^<]+)</p>', body)
    assert error and message in error.group(1)
    editor = client.post(f"/tasks/{task}", data={"labels": labels}, headers=HTMX)
    assert editor.status_code == 422 and f'id="edit-labels-{task}-error"' in editor.get_data(as_text=True)
    added = client.post("/tasks", data={"title": "New", "labels": labels, "quick": "0"}, headers=HTMX)
    assert added.status_code == 422 and message in added.get_data(as_text=True)
    assert everything(app) == before


def test_a_repeat_that_has_ended_on_a_task_without_a_date_is_refused(app, client, user):
    task = add_task(app, user.id, "Old habit")
    before = everything(app)
    response = client.post(f"/tasks/{task}", data={"repeat": "FREQ=DAILY;UNTIL=20200101", "labels": "new",
                                                   "view": "detail"})
    assert response.status_code == 422
    assert "UNTIL has passed" in response.get_data(as_text=True)
    assert everything(app) == before, "the label it would have made is not kept either"


# -- completing a repeating task ----------------------------------------------------------

def test_a_month_end_repeat_toggled_twice_goes_31_jan_28_feb_31_mar(app, client, user):
    rent = add_task(app, user.id, "Rent", due_date=date(FAR, 1, 31), repeat="FREQ=MONTHLY", repeat_anchor_day=31)

    response = client.post(f"/tasks/{rent}/complete", headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    moved, copy = by_title(app, user.id, "Rent")
    assert (moved["id"], moved["due"], moved["completed"]) == (rent, date(FAR, 2, 28), False)
    assert (copy["due"], copy["completed"], copy["repeat"]) == (date(FAR, 1, 31), True, None)
    # Both rows come back, the task first (open, on its new date), then the copy.
    assert body.index(f'id="task-{rent}"') < body.index(f'id="task-{copy["id"]}"')
    assert 'datetime="%d-02-28"' % FAR in row_html(body, rent)
    assert 'class="task completed"' in row_html(body, copy["id"])

    response = client.post(f"/tasks/{rent}/toggle", data={"completed": "true"})  # without JavaScript
    assert response.status_code == 303 and response.headers["Location"] == "/tasks"
    rows = by_title(app, user.id, "Rent")
    assert [(row["due"], row["completed"]) for row in rows] == [
        (date(FAR, 3, 31), False), (date(FAR, 1, 31), True), (date(FAR, 2, 28), True)]
    page = client.get("/tasks").get_data(as_text=True)
    assert "next due 31 Mar %d" % FAR in page, "the plain form's answer says where the task went"
    completed = client.get("/tasks?filter=completed").get_data(as_text=True)
    assert titles(completed) == ["Rent", "Rent"]


def test_the_completed_filter_swaps_the_row_for_its_copy(app, client, user):
    rent = add_task(app, user.id, "Rent", due_date=date(FAR, 1, 31), repeat="FREQ=MONTHLY")
    body = client.post(f"/tasks/{rent}/complete", data={"filter": "active"}, headers=HTMX).get_data(as_text=True)
    assert body.count('<li id="task-') == 1 and f'id="task-{rent}"' in body and "completed" not in row_html(body, rent)
    again = client.post(f"/tasks/{rent}/complete", data={"filter": "completed"}, headers=HTMX).get_data(as_text=True)
    assert body.count('<li id="task-') == 1 and f'id="task-{rent}"' not in again
    assert 'class="task completed"' in again


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_an_overdue_repeat_moves_past_the_persons_today(app, client, user, zone):
    """Judged in the person's time zone: at any hour, Kiritimati (UTC+14) or
    Pago Pago (UTC-11) is on another date than UTC, so this fails for code
    that asks the server's clock for the date."""
    set_zone(app, user.id, zone)
    task = add_task(app, user.id, "Stretch", due_date=date(2020, 1, 1), repeat="FREQ=DAILY")
    before = datetime.now(ZoneInfo(zone)).date()
    client.post(f"/tasks/{task}/complete", headers=HTMX)
    after = datetime.now(ZoneInfo(zone)).date()
    assert task_of(app, task)["due"] in {before + timedelta(days=1), after + timedelta(days=1)}


@pytest.mark.parametrize("rule, due, expected", [
    ("FREQ=WEEKLY", date(FAR, 3, 30), date(FAR, 4, 6)),  # clocks go forward in Berlin on 30 March 2031
    ("FREQ=DAILY", date(FAR, 3, 29), date(FAR, 3, 30)),
    ("FREQ=DAILY", date(FAR, 10, 25), date(FAR, 10, 26)),  # and back on 26 October 2031
    ("FREQ=DAILY", date(FAR, 10, 26), date(FAR, 10, 27)),
    ("FREQ=MONTHLY", date(FAR, 3, 30), date(FAR, 4, 30)),
])
def test_daylight_saving_changes_never_move_a_repeat_by_a_day(app, client, user, rule, due, expected):
    set_zone(app, user.id, "Europe/Berlin")
    task = add_task(app, user.id, "Check the boiler", due_date=due, repeat=rule)
    assert client.post(f"/tasks/{task}/complete").status_code == 303
    assert task_of(app, task)["due"] == expected
    assert [row["due"] for row in by_title(app, user.id, "Check the boiler") if row["completed"]] == [due]


def test_completing_from_the_edit_form_moves_a_repeat_on(app, client, user):
    task = add_task(app, user.id, "Bins", due_date=date(FAR, 6, 2), repeat="FREQ=WEEKLY")
    response = client.post(f"/tasks/{task}", data={"title": "Bins", "completed": ["false", "true"], "view": "detail"})
    assert response.status_code == 303
    assert task_of(app, task)["due"] == date(FAR, 6, 9) and not task_of(app, task)["completed"]
    assert "next due 9 Jun %d" % FAR in client.get(response.headers["Location"]).get_data(as_text=True)
    editor = client.post(f"/tasks/{task}", data={"completed": "true"}, headers=HTMX).get_data(as_text=True)
    assert editor.count('<li id="task-') == 2 and task_of(app, task)["due"] == date(FAR, 6, 16)
    client.post(f"/tasks/{task}", data={"completed": "false"})  # reopening the open task: nothing more
    assert len(by_title(app, user.id, "Bins")) == 3


def test_bulk_complete_and_complete_all_move_repeats_on_and_undo_leaves_them(app, client, user):
    weekly = add_task(app, user.id, "Weekly", due_date=date(FAR, 6, 2), repeat="FREQ=WEEKLY")
    plain = add_task(app, user.id, "Plain")
    other = add_task(app, user.id, "Other")
    response = client.post("/tasks/bulk", data={"action": "complete", "ids": [str(weekly), str(plain)]})
    assert response.status_code == 303
    assert task_of(app, weekly)["due"] == date(FAR, 6, 9) and not task_of(app, weekly)["completed"]
    assert task_of(app, plain)["completed"] and not task_of(app, other)["completed"]

    response = client.post("/tasks/toggle-all", data={"filter": "active"})
    assert response.status_code == 303
    assert task_of(app, weekly)["due"] == date(FAR, 6, 16) and task_of(app, other)["completed"]
    page = client.get("/tasks").get_data(as_text=True)
    assert "Completed 1 task. 1 repeating task moved on to its next date." in page
    moment = re.search(r'name="completed_at" value="([^"]+)"', page).group(1)
    assert client.post("/tasks/undo", data={"completed_at": moment}).status_code == 303
    # Undo reopens what "Complete all" completed; the repeat stays on its new date, its copies in history.
    assert not task_of(app, other)["completed"]
    assert task_of(app, weekly)["due"] == date(FAR, 6, 16) and not task_of(app, weekly)["completed"]
    assert sorted(row["due"] for row in by_title(app, user.id, "Weekly") if row["completed"]) == [
        date(FAR, 6, 2), date(FAR, 6, 9)]


def test_bulk_due_date_sets_a_repeats_anchor(app, client, user):
    rent = add_task(app, user.id, "Rent", due_date=date(FAR, 1, 15), repeat="FREQ=MONTHLY", repeat_anchor_day=15)
    plain = add_task(app, user.id, "Plain")
    client.post("/tasks/bulk", data={"action": "due_date", "due_date": f"{FAR}-01-31", "ids": [str(rent), str(plain)]})
    assert (task_of(app, rent)["anchor"], task_of(app, plain)["anchor"]) == (31, None)
    client.post(f"/tasks/{rent}/complete")
    client.post(f"/tasks/{rent}/complete")
    assert task_of(app, rent)["due"] == date(FAR, 3, 31)


# -- subtasks ------------------------------------------------------------------------------

def test_subtasks_show_as_progress_in_their_parents_row_not_as_rows(app, client, user):
    trip = add_task(app, user.id, "Trip", created_at=BASE)
    for n, title in enumerate(("Passport", "Tickets", "Bags")):
        add_task(app, user.id, title, parent_id=trip, completed=title == "Tickets",
                 due_date=date.today(), created_at=BASE + timedelta(minutes=n + 1))
    page = client.get("/tasks").get_data(as_text=True)
    assert titles(page) == ["Trip"]
    assert '<span class="vh">Subtasks done: </span>1/3</span>' in row_html(page, trip)
    assert '<strong id="todo-count">1</strong>' in page, "the count is of the rows the list shows"
    # Today, a search and a label show subtasks that match, with their parent's title.
    today = client.get("/tasks?view=today").get_data(as_text=True)
    assert set(titles(today)) == {"Passport", "Tickets", "Bags"}
    assert today.count('<span class="parent"><span class="vh">Subtask of </span>Trip</span>') == 3
    assert titles(client.get("/tasks?q=pass").get_data(as_text=True)) == ["Passport"]
    # "Complete all" in the list completes what it shows: the trip, not its steps.
    client.post("/tasks/toggle-all")
    assert [row["completed"] for row in by_title(app, user.id, "Passport")] == [False]


def test_one_level_of_subtasks(app, client, user):
    trip = add_task(app, user.id, "Trip")
    passport = add_task(app, user.id, "Passport", parent_id=trip)
    loner = add_task(app, user.id, "Loner")
    before = everything(app)
    deeper = client.post("/tasks", data={"title": "Photo", "parent_id": str(passport), "quick": "0"})
    assert deeper.status_code == 422 and "subtasks cannot have subtasks" in deeper.get_data(as_text=True)
    adopt = client.post(f"/tasks/{trip}", data={"parent_id": str(loner), "view": "detail"})
    body = adopt.get_data(as_text=True)
    assert adopt.status_code == 422 and "has subtasks of its own" in body
    own = client.post(f"/tasks/{loner}", data={"parent_id": str(loner)}, headers=HTMX)
    assert own.status_code == 422 and "its own subtask" in own.get_data(as_text=True)
    assert client.post(f"/tasks/{loner}", data={"parent_id": "not-an-id"}).status_code == 422
    # A subtask stays in its parent's list.
    work = create_list(client, "Work")
    before = everything(app)
    moved = client.post(f"/tasks/{passport}", data={"list_id": str(work), "view": "detail"})
    assert moved.status_code == 422 and "stays in its parent's list" in html.unescape(moved.get_data(as_text=True))
    assert everything(app) == before


def test_the_task_page_lists_subtasks_and_adds_one_without_javascript(app, client, user):
    trip = add_task(app, user.id, "Trip")
    add_task(app, user.id, "Passport", parent_id=trip, completed=True)
    page = client.get(f"/tasks/{trip}?view=today").get_data(as_text=True)
    assert '<h2 id="subtasks-heading">Subtasks <span class="progress all-done"><span class="vh">done: </span>1/1</span>' in page
    assert 'aria-label="Done: Passport"' in page and 'name="parent_id" value="%s"' % trip in page

    response = client.post("/tasks", data={"title": "Book flights tomorrow", "parent_id": str(trip),
                                           "view": ["today", "detail"], "quick": "0"})
    assert response.status_code == 303 and response.headers["Location"] == f"/tasks/{trip}?view=today"
    flights = by_title(app, user.id, "Book flights tomorrow")[0]
    assert flights["parent_id"] == trip and flights["due"] is None, "not dated by the view it was added from"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Book flights tomorrow" in page and ">0/1<" not in page and "1/2</span>" in page

    # Ticking it there comes back there.
    response = client.post(f"/tasks/{flights['id']}/complete", data={"view": ["today", "detail"]})
    assert response.status_code == 303 and response.headers["Location"] == f"/tasks/{trip}?view=today"
    assert task_of(app, flights["id"])["completed"]

    refused = client.post("/tasks", data={"title": "  ", "parent_id": str(trip), "view": "detail", "quick": "0"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and '<h1 class="task-heading" dir="auto">Trip</h1>' in body
    assert re.search(r'id="subtask-title-error">Enter a title', body)
    assert 'aria-describedby="subtask-title-error"' in body


def test_the_task_page_swaps_its_subtasks_with_htmx(app, client, user):
    trip = add_task(app, user.id, "Trip")
    response = client.post("/tasks", data={"title": "Passport", "parent_id": str(trip), "view": "detail",
                                           "quick": "0"}, headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<section id="subtasks"')
    assert "Passport" in body and "0/1" in body and "hx-swap-oob" not in body
    passport = created_id(app, user.id, "Passport")
    toggled = client.post(f"/tasks/{passport}/complete", data={"view": "detail"}, headers=HTMX).get_data(as_text=True)
    assert toggled.lstrip().startswith('<section id="subtasks"') and "1/1" in toggled
    refused = client.post("/tasks", data={"title": "", "parent_id": str(trip), "view": "detail", "quick": "0"},
                          headers=HTMX)
    assert refused.status_code == 422 and 'id="subtask-title-error"' in refused.get_data(as_text=True)
    dated = client.post("/tasks", data={"title": "Visa", "due_date": "2031-02-30", "parent_id": str(trip),
                                        "view": "detail", "quick": "0"}, headers=HTMX).get_data(as_text=True)
    assert re.search(r'id="subtask-title-error">Enter the due date as a real date', dated)


def test_a_subtasks_page_names_its_parent_and_can_leave_it(app, client, user):
    trip = add_task(app, user.id, "Trip")
    passport = add_task(app, user.id, "Passport", parent_id=trip)
    page = client.get(f"/tasks/{passport}").get_data(as_text=True)
    assert f'Subtask of <a href="/tasks/{trip}" dir="auto">Trip</a>' in page
    assert 'id="subtasks"' not in page and 'name="list_id"' not in page
    response = client.post(f"/tasks/{passport}", data={"parent_id": "", "view": "detail"})
    assert response.status_code == 303 and task_of(app, passport)["parent_id"] is None


# -- rows, the label filter and the sidebar ----------------------------------------------------

def test_a_row_shows_its_labels_repeat_and_progress(app, client, user):
    rent = add_task(app, user.id, "Rent", due_date=date(FAR, 1, 31))
    client.post(f"/tasks/{rent}", data={"labels": "home, bills", "repeat": "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"})
    row = row_html(client.get("/tasks?filter=active&sort=oldest").get_data(as_text=True), rent)
    assert ('<span class="labels" hx-boost="false"><span class="vh">Labels: </span>'
            '<a href="/tasks?label=bills&amp;filter=active&amp;sort=oldest">bills</a>'
            '<a href="/tasks?label=home&amp;filter=active&amp;sort=oldest">home</a></span>') in row
    assert ('<span class="repeat" title="Repeats: Every 2 weeks on Mon"><span class="vh">Repeats: Every 2 weeks on Mon'
            '</span><span aria-hidden="true">Every 2 weeks</span></span>') in row
    client.post(f"/tasks/{rent}", data={"repeat": "monthly"})
    row = row_html(client.get("/tasks").get_data(as_text=True), rent)
    assert '<span class="repeat"><span class="vh">Repeats: </span>Monthly</span>' in row


def test_the_label_filter_combines_with_filter_search_and_sort(app, client, user):
    for n, (title, labels, done) in enumerate([("Fix the tap", "home", False), ("Paint the fence", "home, garden", True),
                                               ("Buy paint", "errands", False), ("Fix the gate", "home", False)]):
        task = add_task(app, user.id, title, created_at=BASE + timedelta(minutes=n), completed=done)
        client.post(f"/tasks/{task}", data={"labels": labels})
    page = client.get("/tasks?label=home").get_data(as_text=True)
    assert titles(page) == ["Fix the gate", "Paint the fence", "Fix the tap"]
    assert '<h1 id="tasks-heading" dir="auto">Label: home</h1>' in page
    assert re.search(r'<a class="label-filter" href="/tasks">Clear label', page)
    assert titles(client.get("/tasks?label=home&filter=active&sort=oldest").get_data(as_text=True)) == [
        "Fix the tap", "Fix the gate"]
    assert titles(client.get("/tasks?label=home&q=fix&sort=oldest").get_data(as_text=True)) == [
        "Fix the tap", "Fix the gate"]
    assert titles(client.get("/tasks?label=home&filter=completed").get_data(as_text=True)) == ["Paint the fence"]
    assert titles(client.get("/tasks?label=nobody").get_data(as_text=True)) == []
    inbox = list_id(app, user.id, INBOX)
    page = client.get(f"/tasks?label=home&view=today&list={inbox}").get_data(as_text=True)
    assert '<h1 id="tasks-heading" dir="auto">Label: home · Today · Inbox</h1>' in page
    # "Complete all" under a label completes that label's tasks only.
    client.post("/tasks/toggle-all", data={"label": "home"})
    assert [t["completed"] for t in by_title(app, user.id, "Buy paint")] == [False]
    assert [t["completed"] for t in by_title(app, user.id, "Fix the tap")] == [True]


def test_the_sidebar_lists_labels_with_their_open_tasks(app, client, user):
    for title, labels, done in [("a", "home", False), ("b", "home, Work", False), ("c", "Work", True)]:
        task = add_task(app, user.id, title, completed=done)
        client.post(f"/tasks/{task}", data={"labels": labels})
    page = client.get("/tasks?label=home").get_data(as_text=True)
    sidebar = page.split('<h2 id="my-labels">Labels</h2>')[1].split("</ul>")[0]
    assert re.findall(r'href="([^"]+)"[^>]*>(?:<span>)?([^<]+)</span>(?:<span class="count">(\d+)</span>)?', sidebar) == [
        ("/tasks?label=home", "home", "2"), ("/tasks?label=Work", "Work", "1")]
    assert 'class="nav-label" aria-current="page"><span>home' in sidebar


def test_a_labels_count_stops_at_99_plus(app, client, user):
    inbox = list_id(app, user.id, INBOX)
    with app.app_context():
        label = Label(user_id=user.id, name="busy")
        db.session.add(label)
        db.session.flush()
        ids = [uuid.uuid4() for _ in range(101)]
        db.session.execute(sa.insert(Task), [{"id": task_id, "user_id": user.id, "list_id": inbox, "title": "t",
                                              "created_at": BASE, "updated_at": BASE} for task_id in ids])
        db.session.execute(sa.insert(task_labels), [{"task_id": task_id, "label_id": label.id} for task_id in ids])
        db.session.commit()
    page = client.get("/tasks").get_data(as_text=True)
    assert 'class="nav-label"><span>busy</span><span class="count">99+</span>' in page
    client.post("/tasks/bulk", data={"action": "complete", "ids": [str(task_id) for task_id in ids[:2]]})
    page = client.get("/tasks").get_data(as_text=True)
    assert 'class="nav-label"><span>busy</span><span class="count">99</span>' in page


def test_the_sidebar_names_thirty_labels_and_lists_names_them_all(app, client, user):
    task = add_task(app, user.id, "Many")
    client.post(f"/tasks/{task}", data={"labels": ", ".join(f"tag{n:02}" for n in range(20))})
    other = add_task(app, user.id, "More")
    client.post(f"/tasks/{other}", data={"labels": ", ".join(f"zz{n:02}" for n in range(15))})
    page = client.get("/tasks").get_data(as_text=True)
    assert page.count('class="nav-label"') == 30 and "All labels</a>" in page
    assert client.get("/lists").get_data(as_text=True).count('class="nav-label"') == 35


# -- the inline editor ---------------------------------------------------------------------------

def test_the_editor_offers_labels_and_repeats(app, client, user):
    task = add_task(app, user.id, "Rent", due_date=date(FAR, 1, 31))
    client.post(f"/tasks/{task}", data={"labels": "home, bills", "repeat": "every 2 weeks on mon"})
    other = add_task(app, user.id, "Other")
    client.post(f"/tasks/{other}", data={"labels": "work"})
    editor = client.get(f"/tasks/{task}?edit=1", headers=HTMX).get_data(as_text=True)
    assert f'name="labels" list="edit-label-choices-{task}"' in editor
    assert 'value="bills, home" data-original="bills, home"' in editor
    assert re.search(rf'<datalist id="edit-label-choices-{task}"><option value="bills"><option value="home">'
                     r'<option value="work"></datalist>', editor)
    assert 'value="every 2 weeks on mon" data-original="every 2 weeks on mon"' in editor
    assert '<option value="weekdays">Every weekday, Monday to Friday</option>' in editor
    saved = client.post(f"/tasks/{task}", data={"title": "Rent", "labels": "bills", "repeat": "monthly"}, headers=HTMX)
    assert saved.status_code == 200 and "Monthly" in row_html(saved.get_data(as_text=True), task)
    assert task_of(app, task)["labels"] == ["bills"]


# -- what a page costs --------------------------------------------------------------------------

def organised_tasks(app, user_id, count: int) -> None:
    """``count`` tasks: half with a due date, a quarter with a priority, a third
    with two labels, a fifth repeating (and so dated), a tenth with three subtasks."""
    inbox = list_id(app, user_id, INBOX)
    with app.app_context():
        start = db.session.scalar(sa.select(sa.func.count(Task.id)))
        labels = {}
        for name in ("home", "errands", "work"):
            label = db.session.scalar(sa.select(Label).where(Label.user_id == user_id, Label.name == name))
            if label is None:
                label = Label(user_id=user_id, name=name)
                db.session.add(label)
                db.session.flush()
            labels[name] = label.id
        rows, links = [], []
        for n in range(start, start + count):
            task_id = uuid.uuid4()
            rows.append({"id": task_id, "user_id": user_id, "list_id": inbox, "title": f"Task number {n} <b>&</b>",
                         "completed": False, "priority": 3 if n % 4 == 0 else 0,
                         "due_date": date(FAR, 1, 1 + n % 28) if n % 2 == 0 or n % 5 == 0 else None,
                         "repeat": "FREQ=MONTHLY" if n % 5 == 0 else None,
                         "created_at": BASE + timedelta(seconds=n), "updated_at": BASE})
            if n % 3 == 0:
                links += [{"task_id": task_id, "label_id": labels["home"]}, {"task_id": task_id, "label_id": labels["errands"]}]
            if n % 10 == 0:
                rows += [{"id": uuid.uuid4(), "user_id": user_id, "list_id": inbox, "parent_id": task_id,
                          "title": f"Step {m}", "completed": m == 0, "created_at": BASE, "updated_at": BASE}
                         for m in range(3)]
        db.session.execute(sa.insert(Task), rows)
        db.session.execute(sa.insert(task_labels), links)
        db.session.commit()


@pytest.mark.parametrize("query", ["", "?label=home", "?view=upcoming&q=Task", "?list={inbox}&sort=manual",
                                   "?filter=completed&label=errands"])
def test_a_list_with_labels_repeats_and_subtasks_costs_three_statements(app, client, user, query):
    url = "/tasks" + query.format(inbox=list_id(app, user.id, INBOX))
    counts = []
    for more in (6, 150):
        organised_tasks(app, user.id, more)
        with count_statements(app) as statements:
            response = client.get(url)
            assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 3, counts
    if not query:
        body = response.get_data(as_text=True)
        assert body.count('class="labels"') and body.count('class="repeat"') and body.count('class="progress"')


def test_labels_repeats_and_progress_add_little_to_a_page_of_fifty(app, client, user):
    """The 40 KB bar is the plain page's (tests/test_list_weight.py: fifty rows
    with a priority, 39.6 KB today). What organising adds is measured against
    the same fifty rows without it: two labels on a third of them, a repeat
    on a fifth, progress on a tenth and three labels in the sidebar cost
    about 4 KB (80 bytes a row); a person who organises everything gets a
    heavier page (gzip takes most of it off the wire)."""
    organised_tasks(app, user.id, 60)
    organised = client.get("/tasks").get_data()
    with app.app_context():
        db.session.execute(sa.delete(Task).where(Task.parent_id.is_not(None)))
        db.session.execute(sa.update(Task).values(repeat=None))
        db.session.execute(sa.delete(Label))
        db.session.commit()
    plain = client.get("/tasks").get_data()
    assert organised.count(b'<li id="task-') == plain.count(b'<li id="task-') == 50
    assert organised.count(b'<span class="labels"') == 16 and organised.count(b'class="repeat"') == 10
    extra = len(organised) - len(plain)
    assert 0 < extra <= 4.5 * 1024, f"{extra} bytes more ({len(organised)} in all)"


def test_a_subtask_deleted_on_its_own_page_returns_to_its_parent_with_undo(app, client, user):
    """Deleting a subtask from its page lands on its parent's page (where it
    was listed), which offers Undo; Undo brings it back and stays there."""
    parent_id = add_task(app, user.id, "Plan the trip")
    child_id = add_task(app, user.id, "Book the train", parent_id=parent_id)
    page = client.get(f"/tasks/{child_id}").get_data(as_text=True)
    assert 'name="view" value="detail"' in page

    deleted = client.post(f"/tasks/{child_id}/delete", data={"view": "detail"})
    assert deleted.status_code == 303
    assert deleted.headers["Location"].startswith(f"/tasks/{parent_id}")
    parent_page = client.get(deleted.headers["Location"]).get_data(as_text=True)
    assert "Deleted “Book the train”." in parent_page and ">Undo</button>" in parent_page
    assert f'name="task_page" value="{parent_id}"' in parent_page
    batch = re.search(r'name="batch" value="([0-9a-f]+)"', parent_page).group(1)

    undone = client.post("/tasks/undo", data={"batch": batch, "task_page": str(parent_id)})
    assert undone.status_code == 303 and undone.headers["Location"].startswith(f"/tasks/{parent_id}")
    back = client.get(undone.headers["Location"]).get_data(as_text=True)
    assert "Book the train" in back and "Restored 1 task." in back
    # A task page that is not the person's is never a place to return to.
    stray = client.post("/tasks/undo", data={"batch": batch, "task_page": str(uuid.uuid4())})
    assert stray.status_code == 303 and not stray.headers["Location"].startswith("/tasks/" + str(parent_id))
