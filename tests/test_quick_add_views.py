"""Quick add over HTTP, on SQLite and PostgreSQL: ``POST /tasks`` reads its
title ("Pay rent tomorrow !high #home every month *Groceries") in the
person's time zone unless ``quick=0``; form fields win; ``*List`` finds the
person's own list or makes one; a refusal writes nothing; and the add box's
chips (``GET /tasks/quick-preview``) say what Enter will do."""

import html
import re
from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from markupsafe import escape

from conftest import HTMX, AuthActions, count_statements
from webapp.extensions import db
from webapp.models import Label, Task, TaskList, User
from webapp.tasks import organize
from webapp.tasks.quickadd import keep_as_text, parse_quick_add

EXAMPLE = "Pay rent tomorrow !high #home every month"
FAR_ZONES = ("Pacific/Kiritimati", "Pacific/Pago_Pago")  # UTC+14 and UTC-11


# -- helpers ---------------------------------------------------------------------

def sign_up(client, email="ada@example.com", zone="UTC") -> str:
    response = AuthActions(client).register(email=email, timezone=zone)
    assert response.status_code == 303, response.get_data(as_text=True)[-400:]
    return user_id(client.application, email)


def user_id(app, email) -> str:
    with app.app_context():
        return db.session.scalar(sa.select(User.id).where(User.email == email))


def today_in(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


def add(client, title, **fields):
    return client.post("/tasks", data={"title": title, "due_date": "", "priority": "none", **fields})


def saved(app, owner) -> dict[str, dict]:
    """title -> what was stored, for each of ``owner``'s tasks."""
    with app.app_context():
        tasks = db.session.scalars(sa.select(Task).where(Task.user_id == owner)).all()
        names = dict(db.session.execute(sa.select(TaskList.id, TaskList.name)).all())
        return {task.title: {"due": task.due_date, "priority": task.priority, "repeat": task.repeat,
                             "anchor": task.repeat_anchor_day, "list": names[task.list_id],
                             "labels": sorted(label.name for label in task.labels)} for task in tasks}


def lists_of(app, owner) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(sa.select(TaskList.name).where(TaskList.user_id == owner)))


def labels_of(app, owner) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(sa.select(Label.name).where(Label.user_id == owner)))


def everything(app) -> tuple:
    with app.app_context():
        return tuple(tuple(db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).all())
                     for table in (Task.__table__, TaskList.__table__, Label.__table__))


def flashes(client) -> list[str]:
    page = client.get("/tasks").get_data(as_text=True)
    return [html.unescape(text) for text in re.findall(r'<p class="flash flash-\w+">(.*?)</p>', page)]


def preview(client, title, **fields):
    return client.get("/tasks/quick-preview?" + urlencode({"title": title, **fields}), headers=HTMX)


def chip_names(body: str) -> list[str]:
    """Each chip's accessible name: its text, without what is hidden from screen readers and the ×."""
    names = []
    for chip in re.findall(r'<li class="quick-part[^"]*">(.*?)</li>', body):
        chip = re.sub(r'<span aria-hidden="true">.*?</span>|<button.*?</button>', "", chip)
        names.append(" ".join(html.unescape(re.sub(r"<[^>]+>", "", chip)).split()))
    return names


# -- the issue's example -----------------------------------------------------------

def test_the_issues_example_is_due_tomorrow_where_the_person_is(app):
    """Two people at the ends of the world's time zones: whatever the hour, at
    least one of them has another "tomorrow" than the server's."""
    server_tomorrow = date.today() + timedelta(days=1)
    tomorrows = []
    for index, zone in enumerate(FAR_ZONES):
        client = app.test_client()
        owner = sign_up(client, f"far{index}@example.com", zone)
        tomorrow = today_in(zone) + timedelta(days=1)
        tomorrows.append(tomorrow)

        response = add(client, EXAMPLE)

        assert response.status_code == 303 and response.headers["Location"] == "/tasks"
        assert saved(app, owner) == {"Pay rent": {"due": tomorrow, "priority": 3, "repeat": "FREQ=MONTHLY",
                                                  "anchor": tomorrow.day, "list": "Inbox", "labels": ["home"]}}
        # Without JavaScript the next page says what was understood.
        assert flashes(client) == ["Added “Pay rent”: due tomorrow, high priority, #home, repeats monthly. "
                                   "Type \\ before a word to keep it as text."]
    assert any(tomorrow != server_tomorrow for tomorrow in tomorrows), (tomorrows, server_tomorrow)


def test_with_htmx_the_row_comes_back_with_a_line_saying_what_was_understood(app, client):
    owner = sign_up(client, zone="Pacific/Kiritimati")
    tomorrow = today_in("Pacific/Kiritimati") + timedelta(days=1)

    response = client.post("/tasks", data={"title": EXAMPLE + " *Bills", "due_date": "", "priority": "none"},
                           headers=HTMX)

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert re.search(r'<a class="title" href="[^"]+">Pay rent</a>', body)  # all tasks are on view
    said = re.search(r'<p id="quick-said" class="quick-said" role="status" hx-swap-oob="innerHTML">(.*?)</p>', body)
    assert html.unescape(said.group(1)) == ("Added “Pay rent” to a new list, Bills: due tomorrow, high priority, "
                                            "#home, repeats monthly.")
    assert saved(app, owner)["Pay rent"]["list"] == "Bills"
    assert saved(app, owner)["Pay rent"]["due"] == tomorrow
    assert "Bills" in body  # the sidebar, out of band, has the new list
    assert flashes(client) == []  # nothing is left over for a later page


def test_an_add_in_the_view_shows_its_row(app, client):
    sign_up(client)
    body = client.post("/tasks", data={"title": "Water plants every 3 days !low"}, headers=HTMX).get_data(as_text=True)
    assert re.search(r'<a class="title" href="[^"]+">Water plants</a>', body)
    assert "Added “Water plants”: repeats every 3 days, from today, low priority." in html.unescape(body)


# -- lists by name --------------------------------------------------------------

@pytest.mark.parametrize("typed", ["*Groceries", "*groceries", "*GROCERIES"])
def test_a_list_is_found_by_name_whatever_its_case(app, client, typed):
    owner = sign_up(client)
    assert client.post("/lists", data={"name": "Groceries"}).status_code == 303

    assert add(client, f"Buy milk {typed}").status_code == 303

    assert saved(app, owner)["Buy milk"]["list"] == "Groceries"
    assert lists_of(app, owner) == ["Groceries", "Inbox"]  # none made
    assert flashes(client) == ["Added “Buy milk” to Groceries. Type \\ before a word to keep it as text."]


def test_an_unknown_list_is_made_and_the_answer_says_so(app, client):
    owner = sign_up(client)

    assert add(client, 'Paint the fence *"Home and garden"').status_code == 303

    assert saved(app, owner)["Paint the fence"]["list"] == "Home and garden"
    assert lists_of(app, owner) == ["Home and garden", "Inbox"]
    assert flashes(client)[0].startswith("Added “Paint the fence” to a new list, Home and garden.")


def test_another_persons_list_of_that_name_is_never_used(app):
    grace = app.test_client()
    grace_id = sign_up(grace, "grace@example.com")
    assert grace.post("/lists", data={"name": "Groceries"}).status_code == 303
    ada = app.test_client()
    ada_id = sign_up(ada, "ada@example.com")

    assert preview(ada, "Milk *Groceries").get_data(as_text=True).count("New list") == 1
    assert add(ada, "Milk *Groceries").status_code == 303

    assert lists_of(app, ada_id) == ["Groceries", "Inbox"]
    with app.app_context():
        graces = db.session.scalar(sa.select(TaskList.id).where(TaskList.user_id == grace_id,
                                                                  TaskList.name == "Groceries"))
        assert db.session.scalar(sa.select(sa.func.count()).where(Task.list_id == graces)) == 0
    assert saved(app, ada_id)["Milk"]["list"] == "Groceries"
    assert saved(app, grace_id) == {}


def test_in_a_list_view_the_title_s_list_wins_over_the_one_shown(app, client):
    owner = sign_up(client)
    work = client.post("/lists", data={"name": "Work"}).headers["Location"].split("=")[1]
    client.post("/lists", data={"name": "Home"})

    response = client.post("/tasks", data={"title": "Fix tap *home", "list": work})

    assert response.status_code == 303 and response.headers["Location"] == f"/tasks?list={work}"
    assert saved(app, owner)["Fix tap"]["list"] == "Home"


# -- escapes and quick=0 -----------------------------------------------------------

@pytest.mark.parametrize("typed, title", [
    ("\\#1 fan", "#1 fan"),
    ("Call \\tomorrow", "Call tomorrow"),
    ("Read \\*Dune \\!high", "Read *Dune !high"),
    ("Ship it \\every \\month", "Ship it every month"),
])
def test_a_backslash_keeps_a_word_as_text(app, client, typed, title):
    owner = sign_up(client)

    assert add(client, typed).status_code == 303

    assert saved(app, owner) == {title: {"due": None, "priority": 0, "repeat": None, "anchor": None,
                                         "list": "Inbox", "labels": []}}
    assert lists_of(app, owner) == ["Inbox"] and labels_of(app, owner) == []
    assert flashes(client) == []  # nothing was understood, so nothing to say


@pytest.mark.parametrize("off", ["0", "false", "off", "no", " OFF "])
def test_quick_0_keeps_the_title_exactly_as_typed(app, client, off):
    owner = sign_up(client)
    typed = "Pay rent tomorrow !high #home every month *Bills"

    assert add(client, typed, quick=off).status_code == 303

    assert saved(app, owner) == {typed: {"due": None, "priority": 0, "repeat": None, "anchor": None,
                                         "list": "Inbox", "labels": []}}
    assert lists_of(app, owner) == ["Inbox"] and labels_of(app, owner) == []


def test_the_add_form_offers_to_keep_the_title_as_typed(app, client):
    sign_up(client)
    page = client.get("/tasks").get_data(as_text=True)
    form = page.split('<form id="new-task"')[1].split("</form>")[0]
    assert re.search(r'<label class="keep-title"><input id="new-quick" type="checkbox" name="quick" value="0">'
                     r" Keep title as typed</label>", form)
    assert 'data-preview="/tasks/quick-preview"' in form
    # A refusal keeps the box ticked, and the title as typed.
    refused = client.post("/tasks", data={"title": "x" * 256, "quick": "0"})
    assert refused.status_code == 422
    assert 'name="quick" value="0" checked' in refused.get_data(as_text=True)


@pytest.mark.parametrize("text, source, any_case, expected", [
    ("Dentist today", "today", False, "Dentist \\today"),
    ("Call  on friday tomorrow", "on friday", False, "Call  \\on \\friday tomorrow"),
    ("x #home #Home y", "#home", True, "x \\#home \\#Home y"),
    ('Meet *"Home stuff" now', '*"Home stuff"', False, 'Meet \\*"Home stuff" now'),
    ("a \\tomorrow tomorrow", "tomorrow", False, "a \\tomorrow \\tomorrow"),
    ("nothing here", "tomorrow", False, "nothing here"),
])
def test_keep_as_text_marks_every_run_of_a_parts_words(text, source, any_case, expected):
    assert keep_as_text(text, source, any_case=any_case) == expected
    assert not [part for part in parse_quick_add(expected).parts if part[1].casefold() == source.casefold()]


# -- fields set in the form win ---------------------------------------------------------

def test_a_date_from_the_picker_wins_and_the_words_stay_in_the_title(app, client):
    owner = sign_up(client)

    add(client, "Dentist today", due_date="2031-01-02")
    add(client, "Call on friday tomorrow", due_date="2031-01-03")

    assert saved(app, owner)["Dentist today"]["due"] == date(2031, 1, 2)
    assert saved(app, owner)["Call on friday tomorrow"]["due"] == date(2031, 1, 3)


def test_a_chosen_priority_wins_but_none_lets_the_title_say(app, client):
    owner = sign_up(client)

    add(client, "Fix roof !high", priority="low")
    add(client, "Fix door !high", priority="none")

    assert saved(app, owner)["Fix roof !high"]["priority"] == 1
    assert saved(app, owner)["Fix door"]["priority"] == 3


def test_a_named_list_id_wins_and_no_list_is_made(app, client):
    owner = sign_up(client)
    with app.app_context():
        inbox = db.session.scalar(sa.select(TaskList.id).where(TaskList.user_id == owner))

    add(client, "Milk *Groceries #food", list_id=str(inbox))

    assert saved(app, owner)["Milk *Groceries"]["list"] == "Inbox"
    assert saved(app, owner)["Milk *Groceries"]["labels"] == ["food"]  # labels add up, never clash
    assert lists_of(app, owner) == ["Inbox"]


def test_labels_from_the_field_and_the_title_add_up_and_a_repeat_field_wins(app, client):
    owner = sign_up(client)

    assert add(client, "Milk #food #Shop every week", labels="shop, errands", repeat="monthly").status_code == 303

    task = saved(app, owner)["Milk every week"]
    assert task["labels"] == ["errands", "food", "shop"] and task["repeat"] == "FREQ=MONTHLY"
    assert labels_of(app, owner) == ["errands", "food", "shop"]  # "#Shop" is the field's "shop"


def test_in_today_a_date_in_the_title_beats_the_views_today(app, client):
    owner = sign_up(client, zone="Pacific/Pago_Pago")
    today = today_in("Pacific/Pago_Pago")

    client.post("/tasks", data={"title": "Dentist in 3 days", "view": "today"})
    client.post("/tasks", data={"title": "Haircut", "view": "today"})

    assert {title: task["due"] for title, task in saved(app, owner).items()} == {
        "Dentist": today + timedelta(days=3), "Haircut": today}


# -- what is not understood, and refusals ----------------------------------------------

@pytest.mark.parametrize("typed", ["Water plants every 0 days", "Gym every blursday", "Review every 1000 weeks"])
def test_a_repeat_it_cannot_read_stays_in_the_title(app, client, typed):
    owner = sign_up(client)

    assert add(client, typed).status_code == 303
    assert preview(client, typed).get_data(as_text=True) == ""  # and no chip promised otherwise

    assert saved(app, owner)[typed]["repeat"] is None


@pytest.mark.parametrize("typed, message", [
    ("Plan trip *Trips #" + "l" * 61, "A label name can be at most 60 characters"),
    ("Plan trip *Trips " + " ".join(f"#l{n}" for n in range(21)), "A task can have at most 20 labels (this has 21)."),
    ('Plan trip #trip *"' + "n" * 81 + '"', "A list name can be at most 80 characters"),
])
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_a_refused_add_writes_nothing_and_says_why_beside_the_title(app, client, typed, message, headers):
    sign_up(client)
    before = everything(app)

    response = client.post("/tasks", data={"title": typed, "due_date": "", "priority": "none"}, headers=headers)

    assert response.status_code == 422
    body = html.unescape(response.get_data(as_text=True))
    error = re.search(r'<p id="new-title-error" class="field-error">(.*?)</p>', body, re.S)
    assert error and message in error.group(1)
    assert 'aria-describedby="new-title-error"' in body
    assert f'value="{escape(typed)}"' in response.get_data(as_text=True)  # as typed, to put right
    assert everything(app) == before
    shown = preview(client, typed)  # the chips said so first: a preview that worked
    assert shown.status_code == 200 and message in html.unescape(shown.get_data(as_text=True))


def test_a_new_list_past_the_hundredth_is_refused(app, client):
    owner = sign_up(client)
    with app.app_context():
        db.session.add_all(TaskList(user_id=owner, name=f"List {n}", position=n + 1)
                           for n in range(organize.LISTS_PER_PERSON - 1))
        db.session.commit()
    before = everything(app)

    refused = add(client, "One more *Another #new")
    assert refused.status_code == 422
    assert "Docket keeps at most 100 lists" in html.unescape(refused.get_data(as_text=True))
    assert everything(app) == before

    assert add(client, 'Into one I have *"list 7"').status_code == 303
    assert len(everything(app)[1]) == len(before[1]) and everything(app)[2] == before[2]
    assert saved(app, owner)["Into one I have"]["list"] == "List 7"


def test_a_title_too_long_is_refused_before_it_is_read(app, client):
    sign_up(client)
    before = everything(app)
    response = add(client, "x" * 250 + " *Newlist")
    assert response.status_code == 422
    assert "A title can be at most 255 characters (this one has 259)." in response.get_data(as_text=True)
    assert everything(app) == before


# -- the chips ----------------------------------------------------------------------

def test_the_chips_name_each_part_in_the_persons_time_zone(app, client):
    sign_up(client, zone="Pacific/Kiritimati")
    client.post("/lists", data={"name": "Bills"})
    tomorrow = today_in("Pacific/Kiritimati") + timedelta(days=1)
    spoken = f"{tomorrow:%A} {tomorrow.day} {tomorrow:%B}"

    response = preview(client, "Pay rent *bills *Home tomorrow !high #home every month")

    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = response.get_data(as_text=True)
    # The last *list wins; the first stays in the title.
    assert chip_names(body) == ["New list Home", f"Due tomorrow, {spoken}", "Priority high", "Label home",
                                "Repeats monthly"]
    assert '<ul class="quick-parts" aria-label="Read from the title">' in body
    assert '<button type="button" class="quick-x" data-source="every month" aria-label="Keep “every month” as text"' \
        in body
    assert chip_names(preview(client, "Pay *BILLS").get_data(as_text=True)) == ["List Bills"]
    later = today_in("Pacific/Kiritimati") + timedelta(days=9)
    assert chip_names(preview(client, "Trip in 9 days").get_data(as_text=True)) == [
        f"Due {later:%A} {later.day} {later:%B}" + ("" if later.year == tomorrow.year else f" {later.year}")]


def test_the_chips_follow_the_form_fields_that_win(app, client):
    sign_up(client)
    assert chip_names(preview(client, "Dentist tomorrow !high").get_data(as_text=True))[1] == "Priority high"
    body = preview(client, "Dentist tomorrow !high", due_date="2031-01-02", priority="low").get_data(as_text=True)
    assert body == ""  # both words stay text
    assert preview(client, EXAMPLE, quick="0").get_data(as_text=True) == ""


@pytest.mark.parametrize("title, status, text", [
    ("", 200, ""),
    ("   ", 200, ""),
    ("Buy milk", 200, ""),
    ("x" * 256, 422, "A title can be at most 255 characters (this one has 256)."),
    ("bad\x00title tomorrow", 422, "The title contains characters that are not allowed."),
])
def test_the_preview_answers_any_text_calmly(app, client, title, status, text):
    sign_up(client)
    response = preview(client, title)
    assert response.status_code == status
    assert text in html.unescape(response.get_data(as_text=True))
    assert bool(response.get_data()) == bool(text)


def test_the_preview_writes_nothing_costs_little_and_needs_a_login(app, client):
    sign_up(client)
    before = everything(app)
    with count_statements(app) as plain:
        assert preview(client, "Buy milk tomorrow !high every monday").status_code == 200
    with count_statements(app) as named:
        assert preview(client, "Buy milk #food #new *Somewhere").status_code == 200
    assert len(plain) == 1  # the log-in check
    assert len(named) == 3  # ... and the person's labels and lists, read
    assert everything(app) == before
    assert client.post("/tasks/quick-preview", data={"title": "x"}).status_code == 405
    client.post("/auth/logout")
    assert client.get("/tasks/quick-preview?title=x").status_code == 303
    assert client.get("/tasks/quick-preview?title=x", headers=HTMX).status_code == 401


def test_the_list_page_costs_no_more_with_the_add_box(app, client):
    sign_up(client)
    add(client, EXAMPLE)
    with count_statements(app) as statements:
        assert client.get("/tasks").status_code == 200
    assert len(statements) <= 3
