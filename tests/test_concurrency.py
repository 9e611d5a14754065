"""Requests that race each other, for real: threads on PostgreSQL.

Each thread has its own test client (its own cookies and session); the app
and its connection pool are shared, as in a threaded server. A Barrier lets
the requests go at the same moment, after each thread has done its set-up
(logging in, fetching a CSRF token), so they overlap in the database.
SQLite serialises writers on one file, so these races are PostgreSQL's.
"""

import re
import threading
import uuid

import pytest
import sqlalchemy as sa

from conftest import CSRF_META, HTMX, PASSWORD, AuthActions
from webapp.extensions import db
from webapp.models import DeletedTask, Task, User

EMAIL_ERROR = re.compile(r'<p class="field-error" id="email-error">([^<]*)</p>')


@pytest.fixture
def database_url(postgres_url):
    """Only PostgreSQL: row locks and unique indexes decide these races there."""
    return postgres_url


@pytest.fixture
def race_app(app):
    # Refused sign-ups count towards the limit per address, and every thread
    # comes from 127.0.0.1: keep the limit out of the way of what is tested.
    app.config["LOGIN_RATE_LIMIT"] = "100000 per minute"
    return app


def race(app, count: int, prepare, go) -> list:
    """Run ``go(client, prepared)`` in ``count`` threads at once; return what each
    returned (or raised). ``prepare(client, index)`` runs before the start line."""
    barrier = threading.Barrier(count, timeout=30)
    results: list = [None] * count

    def worker(index: int) -> None:
        client = app.test_client()
        try:
            prepared = prepare(client, index)
            barrier.wait()
            results[index] = go(client, prepared)
        except Exception as error:  # reported by the test, with the thread's result
            barrier.abort()
            results[index] = error

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racing request hung"
    errors = [result for result in results if isinstance(result, Exception)]
    assert not errors, errors
    return results


def token_of(client, path: str = "/") -> str:
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    return CSRF_META.search(page).group(1)


def logged_in(client) -> str:
    """Log this client in as ada; return a CSRF token of its session."""
    assert AuthActions(client).login().status_code == 303
    return token_of(client, "/tasks")


# -- parallel sign-ups ----------------------------------------------------------

@pytest.mark.parametrize("round_", range(3))
def test_parallel_sign_ups_with_one_email_make_one_account(race_app, round_):
    """Eight sign-ups with one address at the same moment: one account, and for
    the other seven a 422 that says so beside the email field; never a 500."""
    email = f"twin-{round_}@example.com"

    def prepare(client, index):
        # Spelt differently, normalised alike: the unique index sees one address.
        return token_of(client, "/auth/register"), email.upper() if index % 2 else f"  {email} "

    def go(client, prepared):
        token, address = prepared
        data = {"email": address, "password": PASSWORD, "password_confirm": PASSWORD, "csrf_token": token}
        response = client.post("/auth/register", data=data)
        return response.status_code, response.get_data(as_text=True)

    results = race(race_app, 8, prepare, go)
    statuses = sorted(status for status, _ in results)
    assert statuses == [303] + [422] * 7, statuses
    for status, body in results:
        if status == 422:
            assert EMAIL_ERROR.findall(body) == ["An account with this email address already exists. Log in instead?"]
    with race_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.email == email)) == 1


def test_a_lost_sign_up_race_is_answered_like_a_taken_email(race_app):
    """The other sign-up commits between this one's check and its insert (forced
    here, so it does not hang on how threads interleave): the unique index
    refuses the insert, and the answer is the 422 for a taken address."""
    with race_app.app_context():
        engine = db.engine
    sneaked_in = []

    def other_sign_up_first(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO USERS") and not sneaked_in:
            sneaked_in.append(True)
            with engine.begin() as other:  # another connection: its own, committed transaction
                other.execute(sa.insert(User).values(email="first@example.com"))

    sa.event.listen(engine, "before_cursor_execute", other_sign_up_first)
    try:
        response = AuthActions(race_app.test_client()).register(email="first@example.com")
    finally:
        sa.event.remove(engine, "before_cursor_execute", other_sign_up_first)
    assert sneaked_in
    assert response.status_code == 422
    assert EMAIL_ERROR.findall(response.get_data(as_text=True)) == [
        "An account with this email address already exists. Log in instead?"]
    with race_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


# -- concurrent toggles ---------------------------------------------------------

def add_task(app, user_id: str, **values) -> uuid.UUID:
    with app.app_context():
        task = Task(user_id=user_id, title=values.pop("title", "Race me"), **values)
        db.session.add(task)
        db.session.commit()
        return task.id


def task_state(app, task_id: uuid.UUID):
    with app.app_context():
        return db.session.execute(sa.select(Task.completed, Task.completed_at).where(Task.id == task_id)).one()


@pytest.mark.parametrize("wanted", ["true", "false"])
def test_concurrent_toggles_with_one_state_converge_to_it(race_app, user, wanted):
    """Seven clicks on the same checkbox, from seven tabs that all showed the same
    state, at once: the task ends in the state they asked for (no lost update
    flips it back), and only a completed task has a completion time. Twice:
    the second seven find it already so, and must leave it (a flip would not)."""
    task_id = add_task(race_app, user.id, completed=wanted == "false")
    uses_htmx = {}

    def prepare(client, index):
        uses_htmx[id(client)] = index % 2 == 0  # plain form posts and HTMX alike
        return logged_in(client)

    def go(client, token):
        if uses_htmx[id(client)]:
            return client.post(f"/tasks/{task_id}/toggle", data={"completed": wanted},
                               headers={**HTMX, "X-CSRFToken": token}).status_code
        return client.post(f"/tasks/{task_id}/toggle", data={"completed": wanted, "csrf_token": token}).status_code

    for _ in range(2):
        statuses = race(race_app, 7, prepare, go)
        assert all(status < 400 for status in statuses), statuses
        completed, completed_at = task_state(race_app, task_id)
        assert completed is (wanted == "true")
        assert (completed_at is not None) is completed


# -- a double-posted Undo -------------------------------------------------------

@pytest.mark.parametrize("round_", range(3))
def test_a_double_posted_undo_restores_once(race_app, user, client, round_):
    """Undo clicked twice (two requests, one batch) at the same moment: the
    tasks come back once, the trash is empty, and neither request fails."""
    task_ids = [add_task(race_app, user.id, title=f"Task {n}", completed=True) for n in range(3)]
    assert client.post("/tasks/clear-completed", data={}, headers=HTMX).status_code == 200
    with race_app.app_context():
        batch = db.session.scalar(sa.select(DeletedTask.batch_id).distinct())
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Task)) == 0

    def go(client, token):
        return client.post("/tasks/undo", data={"batch": batch.hex, "csrf_token": token}).status_code

    statuses = race(race_app, 2, lambda client, index: logged_in(client), go)
    assert all(status < 400 for status in statuses), statuses
    with race_app.app_context():
        restored = db.session.scalars(sa.select(Task.id)).all()
        assert sorted(restored) == sorted(task_ids)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DeletedTask)) == 0
