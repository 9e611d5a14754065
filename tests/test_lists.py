"""Lists over HTTP, on SQLite and PostgreSQL: create, rename, reorder, delete
(asked first, with Undo), the list and smart views combined with filter,
search and sort, moving tasks, other people's lists, and the cost of a page."""

import re
import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from conftest import HTMX, PASSWORD, AuthActions, count_statements
from webapp.extensions import db
from webapp.models import INBOX, DeletedTask, Label, Task, TaskList, User, task_labels
from webapp.tasks import queries

BASE = datetime(2024, 1, 1, tzinfo=timezone.utc)
LIST_URL = re.compile(r"^/tasks\?list=(\d+)$")


# -- helpers -------------------------------------------------------------------

def lists_of(app, user_id) -> list[tuple[int, str, int]]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            sa.select(TaskList.id, TaskList.name, TaskList.position).where(TaskList.user_id == user_id)
            .order_by(TaskList.position, TaskList.id))]


def list_id(app, user_id, name) -> int:
    return next(entry[0] for entry in lists_of(app, user_id) if entry[1] == name)


def create_list(client, name) -> int:
    response = client.post("/lists", data={"name": name})
    assert response.status_code == 303, response.get_data(as_text=True)[-500:]
    return int(LIST_URL.match(response.headers["Location"]).group(1))


def add_task(app, user_id, title, list_id=None, **values) -> uuid.UUID:
    with app.app_context():
        task = Task(user_id=user_id, title=title, list_id=list_id, **values)
        db.session.add(task)
        db.session.commit()
        return task.id


def tasks_of(app, user_id) -> dict[str, tuple]:
    """title -> (list_id, completed, due_date, parent_id, repeat, position)"""
    with app.app_context():
        return {task.title: (task.list_id, task.completed, task.due_date, task.parent_id, task.repeat, task.position)
                for task in db.session.scalars(sa.select(Task).where(Task.user_id == user_id))}


def titles(body: str) -> list[str]:
    return re.findall(r'<a class="title" href="[^"]*"(?: dir="auto")?>([^<]*)</a>', body)


def everything(app) -> tuple:
    """Every row of the tables a refused request must leave alone."""
    with app.app_context():
        return tuple(
            tuple(db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).all())
            for table in (User.__table__, TaskList.__table__, Task.__table__, DeletedTask.__table__)
        )


def another_person(app, email: str) -> str:
    """Someone else's account (not logged in here), with an Inbox and a list "Secret"; their id."""
    with app.app_context():
        person = User(email=email)
        person.set_password("another long password")
        db.session.add(person)
        db.session.add(TaskList(user=person, name=INBOX, position=0))
        db.session.add(TaskList(user=person, name="Secret", position=1))
        db.session.commit()
        return person.id


@pytest.fixture
def grace(app):
    """Another person, with an Inbox, a list "Secret" and a task in each."""
    person_id = another_person(app, "grace@example.com")
    secret = list_id(app, person_id, "Secret")
    add_task(app, person_id, "Grace's inbox task")
    add_task(app, person_id, "Grace's secret task", secret)
    return person_id


# -- sign-up ----------------------------------------------------------------------

def test_a_new_person_starts_with_an_inbox(app, user):
    assert [(name, position) for _, name, position in lists_of(app, user.id)] == [(INBOX, 0)]


def test_the_cli_gives_an_inbox_too(app, runner):
    result = runner.invoke(args=["users", "create", "cli@example.com", "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        person = db.session.scalar(sa.select(User).where(User.email == "cli@example.com"))
    assert [name for _, name, _ in lists_of(app, person.id)] == [INBOX]


def test_a_person_without_any_list_still_gets_pages_and_an_inbox_on_first_need(app, client, user):
    with app.app_context():
        db.session.execute(sa.delete(TaskList).where(TaskList.user_id == user.id))
        db.session.commit()
    assert client.get("/tasks").status_code == 200
    assert client.get("/lists").status_code == 200
    assert client.post("/tasks", data={"title": "First"}).status_code == 303
    assert [name for _, name, _ in lists_of(app, user.id)] == [INBOX]
    assert tasks_of(app, user.id)["First"][0] == list_id(app, user.id, INBOX)


# -- creating, renaming, reordering --------------------------------------------

def test_create_answers_303_to_the_new_list(app, client, user):
    response = client.post("/lists", data={"name": "  Groceries   and  more "})
    assert response.status_code == 303
    new_id = int(LIST_URL.match(response.headers["Location"]).group(1))
    assert lists_of(app, user.id)[-1] == (new_id, "Groceries and more", 1)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<h1 id="tasks-heading" dir="auto">Groceries and more</h1>' in page
    assert f'href="/tasks?list={new_id}" aria-current="page"><span>Groceries and more</span>' in page


@pytest.mark.parametrize("name, message", [
    ("", "Enter a name for the list."),
    ("   ", "Enter a name for the list."),
    ("x" * 81, "A list name can be at most 80 characters (this one has 81)."),
    ("Home\x00", "A list name cannot contain line breaks, tabs or other control characters."),
    ("Two\nlines", "A list name cannot contain line breaks, tabs or other control characters."),
    ("Tab\there", "A list name cannot contain line breaks, tabs or other control characters."),
    ("Esc\x1b[31m", "A list name cannot contain line breaks, tabs or other control characters."),
    ("Work", "You already have a list called “Work”."),
    ("wORK", "You already have a list called “Work”."),
    ("inbox", "You already have a list called “Inbox”."),
])
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_bad_names_are_refused_beside_the_field(app, client, user, name, message, headers):
    create_list(client, "Work")
    before = everything(app)

    response = client.post("/lists", data={"name": name}, headers=headers)

    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f'<p id="new-list-error" class="field-error">{message}</p>' in body
    assert 'aria-describedby="new-list-error"' in body and 'aria-invalid="true"' in body
    assert everything(app) == before


def test_at_most_a_hundred_lists(app, client, user):
    with app.app_context():
        db.session.add_all(TaskList(user_id=user.id, name=f"List {n}", position=n) for n in range(1, 100))
        db.session.commit()
    response = client.post("/lists", data={"name": "One too many"})
    assert response.status_code == 422
    assert "You have 100 lists" in response.get_data(as_text=True)
    assert len(lists_of(app, user.id)) == 100


def test_rename(app, client, user):
    work = create_list(client, "Work")
    create_list(client, "Home")
    response = client.post(f"/lists/{work}", data={"name": "Office"})
    assert response.status_code == 303 and response.headers["Location"] == f"/tasks?list={work}"
    assert (work, "Office", 1) in lists_of(app, user.id)

    response = client.post(f"/lists/{work}", data={"name": "home"})
    assert response.status_code == 422
    assert 'id="list-name-error">You already have a list called “Home”.' in response.get_data(as_text=True)
    assert client.post(f"/lists/{work}", data={"name": "office"}).status_code == 303  # its own name, recased
    assert (work, "office", 1) in lists_of(app, user.id)


def test_the_inbox_keeps_its_name_and_cannot_be_deleted(app, client, user):
    inbox = list_id(app, user.id, INBOX)
    before = everything(app)
    renamed = client.post(f"/lists/{inbox}", data={"name": "Stuff"})
    deleted = client.post(f"/lists/{inbox}/delete", data={"confirm": "yes"})
    moved = client.post(f"/lists/{inbox}/move", data={"direction": "down"})
    assert (renamed.status_code, deleted.status_code, moved.status_code) == (422, 422, 400)
    assert "The Inbox keeps its name" in renamed.get_data(as_text=True)
    assert "The Inbox cannot be deleted" in deleted.get_data(as_text=True)
    assert everything(app) == before


def test_reorder_with_up_down_and_after(app, client, user):
    one, two, three = (create_list(client, name) for name in ("One", "Two", "Three"))

    def order():
        return [name for _, name, _ in lists_of(app, user.id)]

    assert order() == [INBOX, "One", "Two", "Three"]
    response = client.post(f"/lists/{three}/move", data={"direction": "up"})
    assert response.status_code == 303 and response.headers["Location"] == f"/lists/{three}"
    assert order() == [INBOX, "One", "Three", "Two"]
    client.post(f"/lists/{one}/move", data={"direction": "up"})  # already first after the Inbox
    assert order() == [INBOX, "One", "Three", "Two"]
    assert client.post(f"/lists/{two}/move", data={"after": ""}, headers=HTMX).status_code == 204
    assert order() == [INBOX, "Two", "One", "Three"]
    client.post(f"/lists/{two}/move", data={"after": str(three)}, headers=HTMX)
    assert order() == [INBOX, "One", "Three", "Two"]
    before = everything(app)
    assert client.post(f"/lists/{two}/move", data={"direction": "sideways"}).status_code == 400
    assert client.post(f"/lists/{two}/move", data={"after": "not-a-list"}).status_code == 404
    assert everything(app) == before


# -- somebody else's lists ---------------------------------------------------------

@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_another_persons_list_is_not_found_and_nothing_changes(app, client, user, grace, headers):
    secret = list_id(app, grace, "Secret")
    mine = add_task(app, user.id, "Mine")
    before = everything(app)
    requests = [
        ("get", f"/tasks?list={secret}", None),
        ("get", f"/tasks?list={secret}&after=x", None),
        ("get", f"/lists/{secret}", None),
        ("post", f"/lists/{secret}", {"name": "Taken over"}),
        ("post", f"/lists/{secret}/delete", {"confirm": "yes"}),
        ("post", f"/lists/{secret}/move", {"direction": "up"}),
        ("post", "/tasks", {"title": "Planted", "list_id": str(secret)}),
        ("post", "/tasks", {"title": "Planted", "list": str(secret)}),
        ("post", f"/tasks/{mine}", {"list_id": str(secret)}),
        ("post", f"/tasks/{mine}/complete", {"list": str(secret)}),
        ("post", "/tasks/bulk", {"action": "move", "ids": str(mine), "list_id": str(secret)}),
        ("post", "/tasks/clear-completed", {"list": str(secret)}),
        ("post", "/tasks/toggle-all", {"list": str(secret)}),
        ("get", f"/lists/{2**31}", None),
        ("get", "/lists/99999999999999999999", None),
    ]
    for method, url, data in requests:
        response = getattr(client, method)(url, data=data, headers=headers)
        assert response.status_code == 404, (method, url, response.status_code)
    assert everything(app) == before


def test_bad_list_ids_in_a_form_are_refused(app, client, user):
    mine = add_task(app, user.id, "Mine")
    before = everything(app)
    for value in ("", "abc", "-1", "1.5", "0x10", "99999999999"):
        created = client.post("/tasks", data={"title": "New", "list_id": value})
        moved = client.post(f"/tasks/{mine}", data={"list_id": value, "view": "detail"})
        assert (created.status_code, moved.status_code) == (422, 422), value
        assert "Choose one of your lists." in moved.get_data(as_text=True)
    assert everything(app) == before


# -- adding and moving tasks ----------------------------------------------------------

def test_a_task_goes_to_the_list_shown_to_the_one_named_or_to_the_inbox(app, client, user):
    work = create_list(client, "Work")
    inbox = list_id(app, user.id, INBOX)
    assert client.post("/tasks", data={"title": "In work", "list": str(work)}).headers["Location"] == f"/tasks?list={work}"
    client.post("/tasks", data={"title": "Anywhere"})
    client.post("/tasks", data={"title": "Named", "list_id": str(work)})
    client.post("/tasks", data={"title": "Named wins", "list": str(inbox), "list_id": str(work)})
    today = date.today()
    client.post("/tasks", data={"title": "Made in the Today view", "view": "today"})
    client.post("/tasks", data={"title": "Dated in Upcoming", "view": "upcoming", "due_date": "2031-01-02"})
    found = tasks_of(app, user.id)
    assert found["In work"][0] == work and found["Named"][0] == work and found["Named wins"][0] == work
    assert found["Anywhere"][0] == inbox and found["Anywhere"][2] is None
    made = found["Made in the Today view"]  # no date in the title: due the person's today
    assert made[0] == inbox and abs((made[2] - today).days) <= 1
    assert found["Dated in Upcoming"][2] == date(2031, 1, 2)


def test_move_a_task_and_its_subtasks(app, client, user):
    work = create_list(client, "Work")
    parent = add_task(app, user.id, "Parent")
    add_task(app, user.id, "Child", parent_id=parent)
    inbox = list_id(app, user.id, INBOX)

    response = client.post(f"/tasks/{parent}", data={"list_id": str(work), "list": str(inbox)}, headers=HTMX)

    assert response.status_code == 200
    found = tasks_of(app, user.id)
    assert found["Parent"][0] == work and found["Child"][0] == work
    body = response.get_data(as_text=True)
    assert f'id="task-{parent}"' not in body  # it left the Inbox shown
    # The sidebar's count, out of band: a list counts the tasks it shows, so
    # the parent alone (its subtask is in its progress, "0/1").
    assert re.search(rf'href="/tasks\?list={work}"><span>Work</span>'
                     r'<span class="count">1</span>', body)


def test_bulk_move(app, client, user):
    someday = create_list(client, "Someday")
    ids = [add_task(app, user.id, title) for title in ("a", "b", "c")]
    response = client.post("/tasks/bulk", data={"action": "move", "ids": [str(ids[0]), str(ids[1])],
                                                  "list_id": str(someday), "select": "1"})
    assert response.status_code == 303
    found = tasks_of(app, user.id)
    assert [found[t][0] == someday for t in "abc"] == [True, True, False]
    refused = client.post("/tasks/bulk", data={"action": "move", "ids": str(ids[2]), "list_id": "x"})
    assert refused.status_code == 422 and "Choose one of your lists." in refused.get_data(as_text=True)


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_bulk_move_never_splits_a_subtask_from_its_parent(app, client, user, headers):
    """Today, a label or a search show subtasks as rows of their own, so one
    can be selected alone: moving it would leave its parent behind. Refused
    beside the bulk controls, nothing changed; with its parent it goes along."""
    work = create_list(client, "Work")
    inbox = list_id(app, user.id, INBOX)
    parent = add_task(app, user.id, "Parent")
    child = add_task(app, user.id, "Child", parent_id=parent)
    other = add_task(app, user.id, "Other")
    before = tasks_of(app, user.id)

    refused = client.post("/tasks/bulk", data={"action": "move", "ids": [str(child), str(other)],
                                               "list_id": str(work), "q": "h", "select": "1"}, headers=headers)
    assert refused.status_code == 422
    assert "A subtask stays in its parent&#39;s list" in refused.get_data(as_text=True)
    assert tasks_of(app, user.id) == before

    moved = client.post("/tasks/bulk", data={"action": "move", "ids": [str(parent), str(child)],
                                             "list_id": str(work), "select": "1"}, headers=headers)
    assert moved.status_code == (200 if headers else 303)
    found = tasks_of(app, user.id)
    assert (found["Parent"][0], found["Child"][0], found["Other"][0]) == (work, work, inbox)


# -- deleting a list, and Undo ------------------------------------------------------------

def test_deleting_an_empty_list_needs_no_question_and_offers_undo(app, client, user):
    empty = create_list(client, "Empty")
    response = client.post(f"/lists/{empty}/delete")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/tasks?list={list_id(app, user.id, INBOX)}"
    assert [name for _, name, _ in lists_of(app, user.id)] == [INBOX]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Deleted the list “Empty”." in page
    batch = re.search(r'name="batch" value="([0-9a-f]{32})"', page).group(1)
    assert client.post("/tasks/undo", data={"batch": batch}).status_code == 303
    assert (empty, "Empty", 1) in lists_of(app, user.id)


def test_deleting_a_list_with_tasks_asks_first_then_undo_restores_it_exactly(app, client, user):
    work = create_list(client, "Work")
    create_list(client, "Home")
    parent = add_task(app, user.id, "Report", work, due_date=date(2030, 5, 31), priority=3, repeat="FREQ=MONTHLY")
    add_task(app, user.id, "Draft", work, parent_id=parent)
    add_task(app, user.id, "Elsewhere")
    with app.app_context():
        label = Label(user_id=user.id, name="office")
        db.session.add(label)
        db.session.flush()
        db.session.execute(sa.insert(task_labels).values(task_id=parent, label_id=label.id))
        db.session.commit()
    before = everything(app)
    with app.app_context():
        rows_before = {task.id: tuple(getattr(task, c.key) for c in Task.__table__.columns)
                       for task in db.session.scalars(sa.select(Task))}

    asked = client.post(f"/lists/{work}/delete")
    assert asked.status_code == 200
    assert "Delete the list and 2 tasks" in asked.get_data(as_text=True)
    assert everything(app) == before

    done = client.post(f"/lists/{work}/delete", data={"confirm": "yes"})
    assert done.status_code == 303
    assert set(tasks_of(app, user.id)) == {"Elsewhere"}
    assert "Work" not in [name for _, name, _ in lists_of(app, user.id)]
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Deleted the list “Work” and its 2 tasks." in page
    batch = re.search(r'name="batch" value="([0-9a-f]{32})"', page).group(1)

    assert client.post("/tasks/undo", data={"batch": batch}).status_code == 303
    assert lists_of(app, user.id)[1] == (work, "Work", 1)
    with app.app_context():
        rows_after = {task.id: tuple(getattr(task, c.key) for c in Task.__table__.columns)
                      for task in db.session.scalars(sa.select(Task))}
        labels = db.session.execute(sa.select(task_labels.c.task_id)).scalars().all()
    assert rows_after == rows_before
    assert labels == [parent]


def test_undo_of_a_task_delete_keeps_its_list_parent_repeat_and_labels(app, client, user):
    work = create_list(client, "Work")
    task = add_task(app, user.id, "Weekly review", work, repeat="FREQ=WEEKLY;BYDAY=FR", due_date=date(2030, 1, 4))
    child = add_task(app, user.id, "Collect notes", work, parent_id=task)
    with app.app_context():
        label = Label(user_id=user.id, name="habit")
        db.session.add(label)
        db.session.flush()
        db.session.execute(sa.insert(task_labels).values(task_id=task, label_id=label.id))
        db.session.commit()
    before = tasks_of(app, user.id)
    response = client.post(f"/tasks/{task}/delete", headers=HTMX)
    batch = re.search(r'name="batch" value="([0-9a-f]{32})"', response.get_data(as_text=True)).group(1)
    assert tasks_of(app, user.id) == {}  # the subtask went with it
    client.post("/tasks/undo", data={"batch": batch})
    assert tasks_of(app, user.id) == before
    with app.app_context():
        assert db.session.execute(sa.select(task_labels.c.task_id)).scalars().all() == [task]
        assert db.session.get(Task, child).parent_id == task


def test_undo_puts_a_task_whose_list_is_gone_in_the_inbox(app, client, user):
    work = create_list(client, "Work")
    task = add_task(app, user.id, "Orphan to be", work)
    response = client.post(f"/tasks/{task}/delete", headers=HTMX)
    batch = re.search(r'name="batch" value="([0-9a-f]{32})"', response.get_data(as_text=True)).group(1)
    client.post(f"/lists/{work}/delete")  # empty now
    client.post("/tasks/undo", data={"batch": batch})
    assert tasks_of(app, user.id)["Orphan to be"][0] == list_id(app, user.id, INBOX)


# -- the views ----------------------------------------------------------------------------

def test_a_list_view_shows_its_own_tasks_combined_with_filter_search_and_sort(app, client, user):
    work = create_list(client, "Work")
    for n, (title, completed, priority) in enumerate([("Write report", False, 1), ("Report expenses", True, 3),
                                                       ("Plan offsite", False, 2), ("Report bug", False, 3)]):
        add_task(app, user.id, title, work, completed=completed, priority=priority,
                 created_at=BASE + timedelta(minutes=n))
    add_task(app, user.id, "Report in the inbox")

    def shown(query):
        response = client.get(f"/tasks?list={work}{query}")
        assert response.status_code == 200
        return titles(response.get_data(as_text=True))

    assert shown("") == ["Report bug", "Plan offsite", "Report expenses", "Write report"]
    assert shown("&filter=active") == ["Report bug", "Plan offsite", "Write report"]
    assert shown("&q=report") == ["Report bug", "Report expenses", "Write report"]
    assert shown("&q=report&filter=active&sort=priority") == ["Report bug", "Write report"]
    assert shown("&sort=oldest&filter=completed") == ["Report expenses"]


def test_every_url_the_page_builds_keeps_the_list_and_view(app, client, user):
    work = create_list(client, "Work")
    for n in range(55):
        add_task(app, user.id, f"Task {n}", work, created_at=BASE + timedelta(minutes=n), due_date=date.today())
    page = client.get(f"/tasks?list={work}&view=today&filter=active&sort=priority&label=x").get_data(as_text=True)
    # Filters, load more, select mode, and each row's link carry the whole view.
    for url in re.findall(r'href="(/tasks[^"#]*)"', page.split('<section class="todoapp"')[1]):
        url = url.replace("&amp;", "&")
        if url.startswith("/tasks/"):
            assert f"list={work}" in url and "view=today" in url and "label=x" in url, url
        elif "after=" in url or "select=" in url or "filter=completed" in url:
            assert url.startswith(f"/tasks?list={work}&view=today&label=x"), url
    # The forms carry it as hidden fields, and the search form as its own.
    assert page.count(f'<input type="hidden" name="list" value="{work}">') >= 3
    assert '<input type="hidden" name="view" value="today">' in page
    assert '<input type="hidden" name="list" value="%d" form="new-task">' % work in page
    # The sidebar leaves the list but keeps the filter and the chosen sort.
    assert 'href="/tasks?view=upcoming&amp;filter=active&amp;sort=priority" class="nav-upcoming"' in page


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"])
def test_today_and_upcoming_are_judged_in_the_persons_time_zone(app, client, user, zone):
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == user.id).values(timezone=zone))
        db.session.commit()
    today = datetime.now(ZoneInfo(zone)).date()
    for title, offset in [("overdue", -3), ("yesterday", -1), ("today", 0), ("tomorrow", 1), ("in a week", 7),
                          ("in eight days", 8), ("next month", 30)]:
        add_task(app, user.id, title, due_date=today + timedelta(days=offset))
    add_task(app, user.id, "undated")
    add_task(app, user.id, "done today", due_date=today, completed=True)

    today_page = client.get("/tasks?view=today").get_data(as_text=True)
    upcoming_page = client.get("/tasks?view=upcoming").get_data(as_text=True)

    # Sorted by due date unless the person chose another order.
    assert titles(today_page) == ["overdue", "yesterday", "done today", "today"] or \
        titles(today_page) == ["overdue", "yesterday", "today", "done today"]
    assert titles(upcoming_page)[-2:] == ["tomorrow", "in a week"]
    assert set(titles(upcoming_page)) == {"today", "done today", "tomorrow", "in a week"}
    assert titles(client.get("/tasks?view=today&filter=active").get_data(as_text=True)) == \
        ["overdue", "yesterday", "today"]
    # The sidebar counts open tasks only.
    assert re.search(r'class="nav-today"( aria-current="page")?>Today<span class="count">3</span>', today_page)
    assert re.search(r'class="nav-upcoming">Upcoming<span class="count">3</span>', today_page)


def test_a_label_filter(app, client, user):
    home = add_task(app, user.id, "Fix the tap")
    add_task(app, user.id, "Buy stamps")
    with app.app_context():
        label = Label(user_id=user.id, name="home")
        db.session.add(label)
        db.session.flush()
        db.session.execute(sa.insert(task_labels).values(task_id=home, label_id=label.id))
        db.session.commit()
    assert titles(client.get("/tasks?label=home").get_data(as_text=True)) == ["Fix the tap"]
    assert titles(client.get("/tasks?label=nothing").get_data(as_text=True)) == []


def test_the_sidebar_counts_stop_at_999_plus(app, client, user):
    with app.app_context():
        inbox = list_id(app, user.id, INBOX)
        db.session.execute(sa.insert(Task), [
            {"id": uuid.uuid4(), "user_id": user.id, "list_id": inbox, "title": f"t{n}", "completed": False,
             "created_at": BASE, "updated_at": BASE} for n in range(1001)])
        db.session.commit()
    page = client.get("/tasks").get_data(as_text=True)
    assert 'class="nav-inbox"><span>Inbox</span><span class="count">999+</span>' in page
    with app.app_context():
        # The number behind it is exact (lists.open_count): only the label stops.
        assert queries.overview(user.id).lists[0].open == 1001


# -- what a page costs --------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["?list={inbox}", "?list={inbox}&filter=active&sort=due", "?view=today",
                                   "?view=upcoming&q=Task", "?label=home", "?list={inbox}&view=today&sort=manual"])
def test_list_views_cost_three_statements_whatever_the_number_of_tasks(app, client, user, query):
    inbox = list_id(app, user.id, INBOX)
    url = "/tasks" + query.format(inbox=inbox)
    create_list(client, "Work")
    counts = []
    for more in (5, 200):
        with app.app_context():
            start = db.session.scalar(sa.select(sa.func.count(Task.id)))
            db.session.execute(sa.insert(Task), [
                {"id": uuid.uuid4(), "user_id": user.id, "list_id": inbox, "title": f"Task {n}", "completed": n % 3 == 0,
                 "due_date": date.today() + timedelta(days=n % 9 - 3), "created_at": BASE + timedelta(seconds=n),
                 "updated_at": BASE} for n in range(start, start + more)])
            db.session.commit()
        client.get(url)
        with count_statements(app) as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 3, counts


def test_a_list_view_of_fifty_rows_is_at_most_40_kb(app, client, user):
    inbox = list_id(app, user.id, INBOX)
    for name in ("Groceries", "Work", "Someday"):
        create_list(client, name)
    with app.app_context():
        db.session.execute(sa.insert(Task), [
            {"id": uuid.uuid4(), "user_id": user.id, "list_id": inbox, "title": f"Task number {n} <b>&</b>",
             "completed": False, "priority": 3, "created_at": BASE + timedelta(seconds=n), "updated_at": BASE}
            for n in range(60)])
        db.session.commit()
    body = client.get(f"/tasks?list={inbox}").get_data()
    assert body.count(b'<li id="task-') == 50
    assert len(body) <= 40 * 1024, f"{len(body)} bytes"


def test_the_lists_pages_answer(app, client, user):
    work = create_list(client, "Work")
    add_task(app, user.id, "Something", work)
    assert client.get("/lists").status_code == 200
    edit = client.get(f"/lists/{work}")
    assert edit.status_code == 200 and "1 open task." in edit.get_data(as_text=True)
    other = AuthActions(client.application.test_client())
    assert other.client.get(f"/lists/{work}").status_code == 303  # logged out: to the login page


def test_only_right_to_left_titles_carry_dir_auto(app, client, user):
    """Left-to-right text lays out the same with or without it; 50 rows save 550 bytes."""
    add_task(app, user.id, "שלום עולם")
    add_task(app, user.id, "Hello world")
    add_task(app, user.id, "Meet مرحبا")
    page = client.get("/tasks").get_data(as_text=True)
    assert '<a class="title" href="/tasks/' in page
    assert re.search(r'dir="auto">שלום עולם</a>', page) and re.search(r'dir="auto">Meet مرحبا</a>', page)
    assert re.search(r'href="/tasks/[0-9a-f-]{36}">Hello world</a>', page)


def test_the_task_page_returns_to_a_smart_view_and_moves_the_task(app, client, user):
    """The task page's own "view=detail" field and the view's "view=today" travel side by side."""
    work = create_list(client, "Work")
    task = add_task(app, user.id, "Plan", due_date=date.today())
    page = client.get(f"/tasks/{task}?view=today").get_data(as_text=True)
    assert '<input type="hidden" name="view" value="today">' in page
    assert '<input type="hidden" name="view" value="detail">' in page
    assert f'<option value="{work}" >Work</option>' in page  # the list menu

    response = client.post(f"/tasks/{task}", data={"view": ["today", "detail"], "title": "Plan it",
                                                    "list_id": str(work)})

    assert response.status_code == 303 and response.headers["Location"] == "/tasks?view=today"
    assert tasks_of(app, user.id)["Plan it"][0] == work
    refused = client.post(f"/tasks/{task}", data={"view": ["today", "detail"], "title": " "})
    assert refused.status_code == 422 and '<input type="hidden" name="view" value="today">' in refused.get_data(as_text=True)
