"""Operator commands: ``flask users create|list|set-password|delete``."""

import pytest
import sqlalchemy as sa
from conftest import make_app

from webapp.extensions import db
from webapp.models import Task, User

PASSWORD = "amber-kestrel-lantern"


def create(runner, email="ops@example.com", password=PASSWORD):
    return runner.invoke(args=["users", "create", email, "--password-stdin"], input=password + "\n")


def get_user(app, email) -> User | None:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        db.session.expunge_all()
        return user


def add_tasks(app, email, n):
    with app.app_context():
        owner = db.session.scalar(sa.select(User.id).where(User.email == email))
        db.session.add_all(Task(title=f"task {i}", user_id=owner) for i in range(n))
        db.session.commit()


def task_count(app, user_id) -> int:
    with app.app_context():
        query = sa.select(sa.func.count()).select_from(Task).where(Task.user_id == user_id)
        return db.session.scalar(query)


def test_create_user_from_stdin(app, runner):
    """The address is normalised and the piped password (no newline) works."""
    result = create(runner, email="  Ops@Example.COM ")
    assert result.exit_code == 0, result.output
    assert "created user ops@example.com" in result.output
    user = get_user(app, "ops@example.com")
    assert user is not None
    assert user.check_password(PASSWORD)
    assert not user.check_password(PASSWORD + "\n")


def test_create_duplicate_is_refused(app, runner):
    """A second account for the same address (any case) fails and changes nothing."""
    assert create(runner).exit_code == 0
    result = create(runner, email="OPS@example.com", password="another-password")
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert get_user(app, "ops@example.com").check_password(PASSWORD)


@pytest.mark.parametrize(
    "email, password, message",
    [
        ("ops@example.com", "short", "at least 8"),
        ("ops@example.com", "", "at least 8"),
        ("not-an-email", PASSWORD, "not a valid email"),
    ],
)
def test_create_refuses_bad_input(app, runner, email, password, message):
    """A short password or a bad address: non-zero exit, a reason, no user."""
    result = create(runner, email=email, password=password)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_list_shows_users_and_task_counts(app, runner):
    """One line per user: email, id and number of tasks."""
    assert create(runner, email="busy@example.com").exit_code == 0
    assert create(runner, email="idle@example.com").exit_code == 0
    add_tasks(app, "busy@example.com", 3)
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0, result.output
    lines = {line.split("\t")[0]: line for line in result.output.splitlines()}
    assert lines["busy@example.com"].endswith("3 tasks")
    assert lines["idle@example.com"].endswith("0 tasks")
    assert get_user(app, "busy@example.com").id in lines["busy@example.com"]


def test_list_with_no_users(runner):
    """An empty database says so instead of printing nothing."""
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0
    assert result.output.strip() == "no users"


def test_set_password_rotates_the_session_and_the_password(app, runner, auth):
    """The new password logs in, the old one no longer does, old sessions die."""
    assert create(runner).exit_code == 0
    before = get_user(app, "ops@example.com")
    result = runner.invoke(
        args=["users", "set-password", "ops@example.com", "--password-stdin"], input="brand-new-secret\n"
    )
    assert result.exit_code == 0, result.output
    assert "password set for ops@example.com" in result.output
    after = get_user(app, "ops@example.com")
    assert after.session_token != before.session_token
    assert auth.login("ops@example.com", PASSWORD).status_code == 422
    assert auth.login("ops@example.com", "brand-new-secret").status_code == 303


def test_set_password_refuses_a_short_password(app, runner):
    """A too-short new password changes neither the password nor the token."""
    assert create(runner).exit_code == 0
    before = get_user(app, "ops@example.com")
    result = runner.invoke(
        args=["users", "set-password", "ops@example.com", "--password-stdin"], input="tiny\n"
    )
    assert result.exit_code != 0
    assert "at least 8" in result.output
    after = get_user(app, "ops@example.com")
    assert after.check_password(PASSWORD)
    assert after.session_token == before.session_token


def test_delete_removes_the_user_and_cascades_to_tasks(app, runner):
    """``--yes`` deletes the user and their tasks; other users keep theirs."""
    assert create(runner, email="gone@example.com").exit_code == 0
    assert create(runner, email="kept@example.com").exit_code == 0
    add_tasks(app, "gone@example.com", 4)
    add_tasks(app, "kept@example.com", 2)
    gone_id = get_user(app, "gone@example.com").id
    kept_id = get_user(app, "kept@example.com").id

    result = runner.invoke(args=["users", "delete", "gone@example.com", "--yes"])
    assert result.exit_code == 0, result.output
    assert "deleted user gone@example.com" in result.output
    assert get_user(app, "gone@example.com") is None
    assert task_count(app, gone_id) == 0
    assert task_count(app, kept_id) == 2


def test_delete_without_yes_asks_and_can_be_declined(app, runner):
    """Without ``--yes`` the command asks; answering no keeps the user."""
    assert create(runner).exit_code == 0
    result = runner.invoke(args=["users", "delete", "ops@example.com"], input="n\n")
    assert result.exit_code != 0
    assert "Delete ops@example.com" in result.output
    assert get_user(app, "ops@example.com") is not None


@pytest.mark.parametrize(
    "args",
    [["users", "delete", "ghost@example.com", "--yes"], ["users", "set-password", "ghost@example.com"]],
)
def test_unknown_email_is_a_clear_error(runner, args):
    """An address with no account: non-zero exit and "no user", no traceback."""
    result = runner.invoke(args=args, input="whatever-password\n")
    assert result.exit_code != 0
    assert "no user" in result.output
    assert "ghost@example.com" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "url", ["sqlite:////nonexistent-docket-dir/db.sqlite3", "postgresql+psycopg2://postgres@127.0.0.1:1/nowhere"]
)
def test_unreachable_database_is_one_clear_line(url, tmp_path, monkeypatch):
    """A database that cannot be reached gives a message, not a traceback."""
    monkeypatch.setenv("DOCKET_INSTANCE_PATH", str(tmp_path))
    result = make_app(url).test_cli_runner().invoke(args=["users", "list"])
    assert result.exit_code != 0
    assert "the database refused the command" in result.output
    assert "flask db upgrade" in result.output
    assert "Traceback" not in result.output
