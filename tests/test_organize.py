"""tasks/organize.py on SQLite and PostgreSQL: labels, subtasks, repeats.

Every service works in the caller's transaction; each refusal leaves the
database as it was, and another person's ids are "not found".
"""

import threading
import time
import uuid
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from conftest import PASSWORD, count_statements
from webapp.accounts import create_user
from webapp.extensions import db
from webapp.models import Label, Task, TaskList, User, task_labels
from webapp.tasks import organize
from webapp.tasks.organize import (
    LabelError, NotFound, ParentError, RepeatError, apply_fields, complete_repeating, person_today, read_fields,
    resolve_parent, set_due_date, set_labels, set_parent, set_repeat, subtask_progress,
)


@pytest.fixture
def people(app):
    """Ada and Bob, each with an Inbox and a "Bills" list; returns their ids."""
    with app.app_context():
        ada = create_user("ada@example.com", PASSWORD)
        bob = create_user("bob@example.com", PASSWORD)
        bob.timezone = "Europe/Berlin"
        db.session.flush()
        for person in (ada, bob):
            db.session.add(TaskList(user_id=person.id, name="Bills", position=1))
        db.session.commit()
        return ada.id, bob.id


def person(user_id: str) -> User:
    return db.session.get(User, user_id)


def list_id(user_id: str, name: str) -> int:
    return db.session.scalar(sa.select(TaskList.id).where(TaskList.user_id == user_id, TaskList.name == name))


def add(user_id: str, title: str, *, list_name: str = "Inbox", **values) -> Task:
    task = Task(user_id=user_id, title=title, list_id=list_id(user_id, list_name), **values)
    db.session.add(task)
    db.session.flush()
    return task


def label_rows() -> list[tuple[str, str]]:
    return sorted(db.session.execute(sa.select(Label.user_id, Label.name)).all())


def labels_of(task_id) -> list[str]:
    return sorted(db.session.scalars(
        sa.select(Label.name).join(task_labels, task_labels.c.label_id == Label.id)
        .where(task_labels.c.task_id == task_id)))


# -- labels ---------------------------------------------------------------------


def test_labels_are_created_once_and_matched_whatever_their_case(app, people):
    ada_id, _ = people
    with app.app_context():
        ada = person(ada_id)
        first, second = add(ada_id, "one"), add(ada_id, "two")
        assert [label.name for label in set_labels(ada, first, "Home, errand")] == ["Home", "errand"]
        set_labels(ada, second, ["home", "ERRAND", "new"])
        db.session.commit()
        # The first spelling stays; the case of a later one finds it.
        assert label_rows() == [(ada_id, "Home"), (ada_id, "errand"), (ada_id, "new")]
        assert labels_of(second.id) == ["Home", "errand", "new"]


def test_label_names_are_trimmed_folded_and_given_once(app, people):
    ada_id, _ = people
    with app.app_context():
        ada = person(ada_id)
        task = add(ada_id, "read")
        set_labels(ada, task, "  to   read , #urgent,, To Read ,#, ")
        db.session.commit()
        assert labels_of(task.id) == ["to read", "urgent"]
        set_labels(ada, task, "")
        db.session.commit()
        assert labels_of(task.id) == [] and len(label_rows()) == 2, "cleared from the task, kept as labels"


@pytest.mark.parametrize("given, message", [
    ("x" * 61, "at most 60 characters"),
    ("fine, tab\there", "control characters"),
    ("nul\x00", "control characters"),
    ("line\nbreak", "control characters"),
    (",".join(f"l{n}" for n in range(21)), "at most 20 labels"),
    (["a,b"], "cannot contain a comma"),
    (["ok", 3], "must be a name"),
])
def test_bad_label_names_are_refused_and_nothing_changes(app, people, given, message):
    ada_id, _ = people
    with app.app_context():
        ada = person(ada_id)
        task = add(ada_id, "t")
        set_labels(ada, task, "kept")
        db.session.commit()
        with pytest.raises(LabelError, match=message) as refused:
            set_labels(ada, task, given)
        assert refused.value.field == "labels"
        db.session.rollback()
        assert label_rows() == [(ada_id, "kept")] and labels_of(task.id) == ["kept"]


def test_sixty_characters_is_fine(app, people):
    ada_id, _ = people
    with app.app_context():
        task = add(ada_id, "t")
        set_labels(person(ada_id), task, "é" * organize.LABEL_MAX)
        db.session.commit()
        assert labels_of(task.id) == ["é" * 60]


def test_labels_belong_to_one_person(app, people):
    ada_id, bob_id = people
    with app.app_context():
        mine, theirs = add(ada_id, "mine"), add(bob_id, "theirs")
        set_labels(person(ada_id), mine, "home")
        set_labels(person(bob_id), theirs, "home")
        db.session.commit()
        ada_home, bob_home = (db.session.scalar(sa.select(Label.id).where(Label.user_id == who)) for who in people)
        assert ada_home != bob_home and label_rows() == sorted([(ada_id, "home"), (bob_id, "home")])
        # Bob cannot label Ada's task, nor is anything of hers touched.
        with pytest.raises(NotFound):
            set_labels(person(bob_id), mine, "bob's")
        db.session.rollback()
        assert labels_of(mine.id) == ["home"] and len(label_rows()) == 2


def test_a_person_has_at_most_so_many_labels(app, people, monkeypatch):
    monkeypatch.setattr(organize, "LABELS_PER_PERSON", 3)
    ada_id, _ = people
    with app.app_context():
        task = add(ada_id, "t")
        set_labels(person(ada_id), task, "a, b")
        db.session.commit()
        set_labels(person(ada_id), task, "A, b, c")  # c is the third: fine
        db.session.commit()
        with pytest.raises(LabelError, match="That would make 4 labels: Docket keeps at most 3 per person"):
            set_labels(person(ada_id), task, "a, d")
        db.session.rollback()
        assert [name for _, name in label_rows()] == ["a", "b", "c"]
        fields, errors = read_fields(person(ada_id), MultiDict({"labels": "e"}), task=task)
        assert "as many as Docket keeps" in errors["labels"]


def test_two_requests_creating_the_same_label_at_once_share_it(app, people):
    """The unique-key race: the second INSERT waits for the first to commit,
    then finds the label, instead of failing with an IntegrityError (a 500)."""
    ada_id, _ = people
    with app.app_context():
        first_id, second_id = add(ada_id, "first").id, add(ada_id, "second").id
        db.session.commit()
    outcome = {}

    def second_request():
        try:
            with app.app_context():
                set_labels(person(ada_id), db.session.get(Task, second_id), "home")
                db.session.commit()
                outcome["ok"] = True
        except Exception as error:  # noqa: BLE001 - the test reports it
            outcome["error"] = error

    with app.app_context():
        set_labels(person(ada_id), db.session.get(Task, first_id), "home")
        db.session.flush()  # the first request's INSERT is in, not committed
        racer = threading.Thread(target=second_request)
        racer.start()
        time.sleep(0.5)  # the second request reads "no such label" and blocks on its INSERT
        assert racer.is_alive(), "the second INSERT should be waiting for the first transaction"
        db.session.commit()
    racer.join(timeout=20)
    assert outcome == {"ok": True}, outcome
    with app.app_context():
        assert label_rows() == [(ada_id, "home")]
        assert labels_of(first_id) == labels_of(second_id) == ["home"]
        db.engine.dispose()


# -- subtasks -------------------------------------------------------------------


def test_a_parent_is_one_of_the_persons_tasks(app, people):
    ada_id, bob_id = people
    with app.app_context():
        ada, bob = person(ada_id), person(bob_id)
        parent, child = add(ada_id, "parent"), add(ada_id, "child")
        theirs = add(bob_id, "theirs")
        db.session.commit()
        assert resolve_parent(ada, str(parent.id), child=child) is parent
        for other in (theirs.id, str(theirs.id), uuid.uuid4()):
            with pytest.raises(NotFound):
                resolve_parent(ada, other, child=child)
            with pytest.raises(NotFound):
                set_parent(ada, child, other)
        with pytest.raises(NotFound):  # nor may Bob hang his task under Ada's
            set_parent(bob, theirs, parent.id)
        for malformed in ("not-an-id", "1", "x" * 500, ["list"]):
            with pytest.raises(ParentError, match="Choose one of your tasks"):
                set_parent(ada, child, malformed)
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).where(Task.parent_id.is_not(None))) == 0


def test_one_level_of_subtasks(app, people):
    ada_id, _ = people
    with app.app_context():
        ada = person(ada_id)
        top, middle, leaf = add(ada_id, "top"), add(ada_id, "middle"), add(ada_id, "leaf")
        set_parent(ada, middle, top.id)
        db.session.commit()
        with pytest.raises(ParentError, match="“middle” is a subtask itself"):
            set_parent(ada, leaf, middle.id)
        with pytest.raises(ParentError, match="“top” has subtasks of its own"):
            set_parent(ada, top, leaf.id)
        with pytest.raises(ParentError, match="its own subtask"):
            set_parent(ada, leaf, leaf.id)
        db.session.rollback()
        assert (leaf.parent_id, top.parent_id, middle.parent_id) == (None, None, top.id)
        set_parent(ada, middle, "")  # a task of its own again
        set_parent(ada, top, leaf.id)  # top has no subtasks now
        db.session.commit()
        assert (middle.parent_id, top.parent_id) == (None, leaf.id)


def test_a_subtask_moves_into_its_parents_list(app, people):
    ada_id, _ = people
    with app.app_context():
        ada = person(ada_id)
        rent, pay = add(ada_id, "rent", list_name="Bills"), add(ada_id, "pay")
        set_parent(ada, pay, rent.id)
        db.session.commit()
        assert pay.list_id == list_id(ada_id, "Bills") and pay.parent_id == rent.id


def test_subtask_progress_is_one_statement(app, people):
    ada_id, bob_id = people
    with app.app_context():
        ada = person(ada_id)
        first, second, lonely = add(ada_id, "first"), add(ada_id, "second"), add(ada_id, "lonely")
        for n in range(5):
            add(ada_id, f"step {n}", parent_id=first.id, completed=n < 2)
        add(ada_id, "only step", parent_id=second.id, completed=True)
        theirs = add(bob_id, "theirs")
        add(bob_id, "their step", parent_id=theirs.id)
        db.session.commit()
        ids = [first.id, second.id, lonely.id, theirs.id]
        assert ada.id  # loaded before counting: the person comes with the request
        with count_statements(app) as statements:
            progress = subtask_progress(ada, ids)
        assert progress == {first.id: (2, 5), second.id: (1, 1)}
        assert len(statements) == 1, statements
        with count_statements(app) as statements:
            assert subtask_progress(ada, []) == {}
        assert statements == []
        done, total = organize.progress_columns()
        rows = db.session.execute(sa.select(Task.title, done, total).where(Task.user_id == ada_id,
                                                                          Task.parent_id.is_(None))).all()
        assert sorted(rows) == [("first", 2, 5), ("lonely", 0, 0), ("second", 1, 1)]


# -- repeats --------------------------------------------------------------------


def test_set_repeat_reads_words_and_rrules_and_seeds_the_due_date(app, people):
    ada_id, _ = people
    with app.app_context():
        ada = person(ada_id)
        wednesday = date(2027, 3, 3)
        task = add(ada_id, "standup")
        assert set_repeat(ada, task, "every monday", wednesday) == "FREQ=WEEKLY;BYDAY=MO"
        assert task.due_date == date(2027, 3, 8) and task.repeat_anchor_day == 8
        dated = add(ada_id, "rent", due_date=date(2027, 1, 31))
        assert set_repeat(ada, dated, "rrule:freq=monthly", wednesday) == "FREQ=MONTHLY"
        assert dated.due_date == date(2027, 1, 31) and dated.repeat_anchor_day == 31
        assert set_repeat(ada, dated, "", wednesday) is None
        assert (dated.repeat, dated.repeat_anchor_day, dated.due_date) == (None, None, date(2027, 1, 31))
        db.session.commit()


@pytest.mark.parametrize("typed, message", [
    ("FREQ=HOURLY", "by the day at most"),
    ("FREQ=DAILY;COUNT=3", "UNTIL"),
    ("FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30", "never gives a date"),
    ("every blue moon", "can't read “every blue moon” as a repeat"),
    ("FREQ=WEEKLY;BYDAY=XX", "not a weekday"),
    ("FREQ=DAILY;UNTIL=20200101", "no dates left"),
])
def test_a_bad_rule_is_refused_with_a_message_and_nothing_changes(app, people, typed, message):
    ada_id, _ = people
    with app.app_context():
        ada = person(ada_id)
        task = add(ada_id, "t")
        db.session.commit()
        with pytest.raises(RepeatError, match=message) as refused:
            set_repeat(ada, task, typed, date(2027, 3, 3))
        assert str(refused.value)
        assert (task.repeat, task.due_date, task.repeat_anchor_day) == (None, None, None)
        fields, errors = read_fields(ada, MultiDict({"repeat": typed}), task=task)
        if "UNTIL=2020" not in typed:
            assert errors["repeat"] == str(refused.value)


def test_due_date_changes_set_the_anchor_and_a_resent_date_keeps_it(app, people):
    ada_id, _ = people
    with app.app_context():
        ada = person(ada_id)
        task = add(ada_id, "rent", due_date=date(2027, 1, 31))
        set_repeat(ada, task, "monthly", date(2027, 1, 1))
        complete_repeating(ada, task, date(2027, 1, 31))
        assert (task.due_date, task.repeat_anchor_day) == (date(2027, 2, 28), 31)
        # The edit form sends every field: the same date and rule again change nothing.
        set_due_date(task, date(2027, 2, 28))
        set_repeat(ada, task, "FREQ=MONTHLY", date(2027, 2, 1))
        assert task.repeat_anchor_day == 31
        set_due_date(task, date(2027, 2, 15))  # the person moved it
        assert task.repeat_anchor_day == 15
        plain = add(ada_id, "plain")
        set_due_date(plain, date(2027, 5, 31))
        assert plain.repeat_anchor_day is None


def complete_and_reload(app, task_id, today):
    """One request: complete, commit; then read back from the database (the anchor must persist)."""
    with app.app_context():
        task = db.session.get(Task, task_id)
        done = complete_repeating(task.user, task, today)
        db.session.commit()
        history = done.history.id if done.history else None
    with app.app_context():
        task = db.session.get(Task, task_id)
        return (task.due_date, task.completed, task.repeat_anchor_day), history


def history_of(app, user_id, title):
    with app.app_context():
        rows = db.session.scalars(sa.select(Task).where(Task.user_id == user_id, Task.title == title,
                                                        Task.completed.is_(True)).order_by(Task.due_date)).all()
        return [(t.due_date, t.repeat, t.priority, t.description, t.list_id, [l.name for l in t.labels])
                for t in rows]


def test_month_end_31_jan_then_28_feb_then_31_mar(app, people):
    ada_id, _ = people
    with app.app_context():
        ada = person(ada_id)
        task = add(ada_id, "rent", list_name="Bills", due_date=date(2027, 1, 31), priority=3, description="to Sam")
        set_repeat(ada, task, "every month", date(2027, 1, 10))
        set_labels(ada, task, "home, money")
        db.session.commit()
        task_id, bills = task.id, list_id(ada_id, "Bills")

    assert complete_and_reload(app, task_id, date(2027, 1, 31))[0] == (date(2027, 2, 28), False, 31)
    assert complete_and_reload(app, task_id, date(2027, 2, 28))[0] == (date(2027, 3, 31), False, 31)
    assert complete_and_reload(app, task_id, date(2027, 3, 31))[0] == (date(2027, 4, 30), False, 31)
    copies = history_of(app, ada_id, "rent")
    assert copies == [(due, None, 3, "to Sam", bills, ["home", "money"])
                      for due in (date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31))]


def test_month_end_in_a_leap_year_and_done_late(app, people):
    ada_id, _ = people
    with app.app_context():
        task = add(ada_id, "report", due_date=date(2028, 1, 31))
        set_repeat(person(ada_id), task, "monthly", date(2028, 1, 1))
        db.session.commit()
        task_id = task.id
    assert complete_and_reload(app, task_id, date(2028, 1, 30))[0] == (date(2028, 2, 29), False, 31)
    # Done late, on 3 April: March's date is skipped, the anchor still holds.
    assert complete_and_reload(app, task_id, date(2028, 4, 3))[0] == (date(2028, 4, 30), False, 31)


def test_berlin_on_the_night_the_clocks_change(app, people):
    """Just after midnight in Berlin it is still yesterday in UTC: the
    person's today decides, on both nights the clocks change."""
    _, bob_id = people
    spring = datetime(2027, 3, 27, 23, 30, tzinfo=timezone.utc)  # 00:30 CET on Sunday 28 March, clocks go forward at 2
    autumn = datetime(2027, 10, 30, 22, 30, tzinfo=timezone.utc)  # 00:30 CEST on Sunday 31 October, clocks go back at 3
    with app.app_context():
        bob = person(bob_id)
        assert person_today(bob, spring) == date(2027, 3, 28) and spring.date() == date(2027, 3, 27)
        assert person_today(bob, autumn) == date(2027, 10, 31)
        daily = add(bob_id, "water plants", due_date=date(2027, 3, 27))
        set_repeat(bob, daily, "daily", date(2027, 3, 27))
        weekly = add(bob_id, "call mum", due_date=date(2027, 10, 24))
        set_repeat(bob, weekly, "every sunday", date(2027, 10, 24))
        db.session.commit()
        daily_id, weekly_id = daily.id, weekly.id
        spring_today, autumn_today = person_today(bob, spring), person_today(bob, autumn)
    # Done at 00:30 on the 28th (overdue since the 27th): next is the 29th, not the 28th.
    assert complete_and_reload(app, daily_id, spring_today)[0] == (date(2027, 3, 29), False, 27)
    assert complete_and_reload(app, daily_id, spring_today)[0] == (date(2027, 3, 30), False, 27)
    # Done at 00:30 on Sunday the 31st: next is the Sunday after, not "today".
    assert complete_and_reload(app, weekly_id, autumn_today)[0] == (date(2027, 11, 7), False, 24)


def test_completing_keeps_a_copy_and_reopens_the_subtasks(app, people):
    ada_id, _ = people
    with app.app_context():
        ada = person(ada_id)
        review = add(ada_id, "weekly review", due_date=date(2027, 6, 4))
        set_repeat(ada, review, "weekly", date(2027, 6, 1))
        steps = [add(ada_id, f"step {n}", parent_id=review.id, completed=True) for n in range(2)]
        steps[0].set_completed(True)
        db.session.commit()
        done = complete_repeating(ada, review, date(2027, 6, 4))
        db.session.commit()
        assert done.repeated and done.next_due == date(2027, 6, 11) == review.due_date
        assert not review.completed and done.history.completed and done.history.completed_at is not None
        assert done.history.due_date == date(2027, 6, 4) and done.history.repeat is None
        assert done.history.parent_id is None and done.history.id != review.id
        assert subtask_progress(ada, [review.id]) == {review.id: (0, 2)}, "reopened for next week"


def test_a_repeating_subtask_leaves_its_copy_under_the_parent(app, people):
    ada_id, _ = people
    with app.app_context():
        ada = person(ada_id)
        trip = add(ada_id, "trip")
        pack = add(ada_id, "pack", parent_id=trip.id, due_date=date(2027, 6, 4), repeat="FREQ=DAILY")
        done = complete_repeating(ada, pack, date(2027, 6, 4))
        db.session.commit()
        assert done.history.parent_id == trip.id and subtask_progress(ada, [trip.id]) == {trip.id: (1, 2)}


def test_plain_ended_and_completed_tasks_are_just_completed(app, people):
    ada_id, bob_id = people
    with app.app_context():
        ada = person(ada_id)
        plain = add(ada_id, "plain", due_date=date(2027, 6, 4))
        ended = add(ada_id, "ended", due_date=date(2027, 6, 4), repeat="FREQ=DAILY;UNTIL=20270604")
        stale = add(ada_id, "stale", due_date=date(2027, 6, 4), repeat="FREQ=DAILY;COUNT=3")  # refused today
        for task in (plain, ended, stale):
            done = complete_repeating(ada, task, date(2027, 6, 4))
            assert done.task.completed and done.history is None and done.next_due is None
        again = complete_repeating(ada, plain, date(2027, 6, 5))
        assert again.history is None and plain.completed
        with pytest.raises(NotFound):
            complete_repeating(person(bob_id), add(ada_id, "hers", repeat="FREQ=DAILY"), date(2027, 6, 4))
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Task)) == 4, "no copies"


def test_bulk_completion_moves_repeating_tasks_on_and_leaves_the_rest(app, people):
    ada_id, bob_id = people
    with app.app_context():
        ada = person(ada_id)
        daily = add(ada_id, "daily", due_date=date(2027, 6, 4), repeat="FREQ=DAILY", repeat_anchor_day=4)
        set_labels(ada, daily, "home")
        ended = add(ada_id, "ended", due_date=date(2027, 6, 4), repeat="FREQ=DAILY;UNTIL=20270604")
        other_list = add(ada_id, "elsewhere", list_name="Bills", due_date=date(2027, 6, 4), repeat="FREQ=DAILY")
        plain = add(ada_id, "plain")
        theirs = add(bob_id, "theirs", due_date=date(2027, 6, 4), repeat="FREQ=DAILY")
        db.session.commit()
        done = organize.complete_repeating_matching(ada, date(2027, 6, 4), Task.list_id == list_id(ada_id, "Inbox"))
        # The caller's bulk UPDATE then completes the rest, keeping off the repeating ones.
        db.session.execute(sa.update(Task).where(Task.user_id == ada_id, Task.list_id == list_id(ada_id, "Inbox"),
                                                 Task.repeat.is_(None), Task.completed.is_(False))
                           .values(completed=True, completed_at=sa.func.now()))
        db.session.commit()
        db.session.expire_all()
        assert sorted((c.task.title, str(c.next_due)) for c in done) == [("daily", "2027-06-05"), ("ended", "None")]
        assert (daily.completed, daily.due_date, ended.completed, plain.completed) == (False, date(2027, 6, 5),
                                                                                       True, True)
        assert (other_list.completed, theirs.completed, theirs.due_date) == (False, False, date(2027, 6, 4))
        assert history_of(app, ada_id, "daily") == [(date(2027, 6, 4), None, 0, None, list_id(ada_id, "Inbox"),
                                                     ["home"])]


def test_bulk_due_date_values_keep_the_anchor(app, people):
    ada_id, _ = people
    with app.app_context():
        rent = add(ada_id, "rent", due_date=date(2027, 1, 31), repeat="FREQ=MONTHLY", repeat_anchor_day=31)
        plain = add(ada_id, "plain", due_date=date(2027, 1, 31))
        db.session.execute(sa.update(Task).where(Task.user_id == ada_id).values(**organize.anchor_values(date(2027, 5, 30))))
        db.session.commit()
        db.session.expire_all()
        assert (rent.due_date, rent.repeat_anchor_day) == (date(2027, 5, 30), 30)
        assert (plain.due_date, plain.repeat_anchor_day) == (date(2027, 5, 30), None)


# -- a form's fields at once -------------------------------------------------------


def test_read_then_apply_a_forms_fields(app, people):
    ada_id, _ = people
    with app.app_context():
        ada = person(ada_id)
        parent = add(ada_id, "move house", list_name="Bills")
        task = add(ada_id, "book van")
        db.session.commit()
        form = MultiDict({"labels": "errand, Home", "repeat": "every 2 weeks", "parent_id": str(parent.id)})
        fields, errors = read_fields(ada, form, task=task)
        assert errors == {} and label_rows() == [], "reading writes nothing"
        apply_fields(ada, task, fields, date(2027, 6, 2))
        db.session.commit()
        assert (task.repeat, task.due_date, task.parent_id) == ("FREQ=WEEKLY;INTERVAL=2", date(2027, 6, 2), parent.id)
        assert task.list_id == parent.list_id and labels_of(task.id) == ["Home", "errand"]
        # Fields not sent are left alone; "" clears.
        fields, errors = read_fields(ada, MultiDict({"parent_id": ""}), task=task)
        apply_fields(ada, task, fields, date(2027, 6, 2))
        db.session.commit()
        assert task.parent_id is None and task.repeat and labels_of(task.id) == ["Home", "errand"]


def test_read_fields_reports_each_bad_field_and_refuses_another_persons_parent(app, people):
    ada_id, bob_id = people
    with app.app_context():
        ada = person(ada_id)
        task = add(ada_id, "t")
        theirs = add(bob_id, "theirs")
        db.session.commit()
        form = MultiDict({"labels": "a\tb", "repeat": "FREQ=SECONDLY", "parent_id": "nope"})
        _, errors = read_fields(ada, form, task=task)
        assert set(errors) == {"labels", "repeat", "parent_id"}
        assert "control characters" in errors["labels"] and "by the day" in errors["repeat"]
        with pytest.raises(NotFound):
            read_fields(ada, MultiDict({"parent_id": str(theirs.id)}), task=task)
        with pytest.raises(NotFound):
            read_fields(ada, MultiDict({"labels": "x"}), task=theirs)
        _, errors = read_fields(ada, MultiDict({"parent_id": str(task.id)}), task=task)
        assert "its own subtask" in errors["parent_id"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Label)) == 0


def test_the_list_cap_is_the_one_the_sidebar_uses():
    from webapp.tasks.lists import MAX_LISTS

    assert organize.LISTS_PER_PERSON == MAX_LISTS
