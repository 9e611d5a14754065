"""Operator commands: ``flask --app webapp users ...``."""

import sys

import click
from flask import has_app_context
from flask.cli import AppGroup
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from .accounts import AccountError, create_user, delete_user, find_user, normalise_email
from .passwords import password_problem
from .extensions import db
from .models import Task, User



class UsersGroup(AppGroup):
    """Turns database failures into one clear line instead of a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SQLAlchemyError as error:
            # Under ``flask`` the app context is still open here; under a bare
            # ``app.cli`` (a test runner) it has already closed, with its session.
            if has_app_context():
                db.session.rollback()
            reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
            raise click.ClickException(
                f"the database refused the command ({reason}). Is it reachable, and has `flask db upgrade` been run?"
            ) from None


users_cli = UsersGroup("users", help="Create, list and manage user accounts.")


def _read_password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        # Scripts pipe the password in; take the first line, without its newline.
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _user_or_fail(email: str) -> User:
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"no user with email {email.strip().lower()!r}")
    return user


@users_cli.command("create")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_command(email: str, password_stdin: bool):
    """Create a user with EMAIL; the password is prompted for (or read from stdin)."""
    password = _read_password(password_stdin)
    try:
        problem = password_problem(password, normalise_email(email))
        if problem:
            raise AccountError(problem)
        user = create_user(email, password)
        db.session.commit()
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    except IntegrityError:
        db.session.rollback()
        raise click.ClickException("An account with this email address already exists.") from None
    click.echo(f"created user {user.email} ({user.id})")


@users_cli.command("list")
def list_command():
    """List every user with their number of tasks."""
    counts = (
        select(Task.user_id, func.count().label("n")).group_by(Task.user_id).subquery()
    )
    rows = db.session.execute(
        select(User.email, User.id, User.password_hash.is_not(None), func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.user_id == User.id)
        .order_by(User.email)
    ).all()
    if not rows:
        click.echo("no users")
        return
    for email, user_id, can_log_in, n_tasks in rows:
        status = "" if can_log_in else "  (placeholder: cannot log in)"
        click.echo(f"{email}\t{user_id}\t{n_tasks} tasks{status}")


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password_command(email: str, password_stdin: bool):
    """Set a new password for EMAIL and end all of that user's sessions."""
    user = _user_or_fail(email)
    password = _read_password(password_stdin)
    problem = password_problem(password, user.email)
    if problem:
        raise click.ClickException(problem)
    user.set_password(password)
    user.rotate_session_token()
    db.session.commit()
    click.echo(f"password set for {user.email}")


@users_cli.command("delete")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Don't ask for confirmation.")
def delete_command(email: str, yes: bool):
    """Delete the user EMAIL and, by cascade, all of their tasks."""
    user = _user_or_fail(email)
    if not yes:
        click.confirm(f"Delete {user.email} and all their tasks?", abort=True)
    address = user.email
    delete_user(user)
    db.session.commit()
    click.echo(f"deleted user {address}")


@users_cli.command("reset-link")
@click.argument("email")
def reset_link_command(email: str):
    """Print a password-reset link for EMAIL (on DOCKET_BASE_URL), to hand over yourself."""
    from .password_reset import link_minutes, reset_link

    user = _user_or_fail(email)
    click.echo(reset_link(user))
    note = f"Works once, for {link_minutes()} minutes, for {user.email}; nothing was mailed."
    if user.password_hash is None:
        note += " This account has no password yet: the link lets its owner choose one."
    click.echo(note, err=True)


@users_cli.command("disable-2fa")
@click.argument("email")
def disable_two_factor_command(email: str):
    """Turn two-factor sign-in off for EMAIL (a lost phone and no recovery codes):
    the password alone logs in again, and the recovery codes are deleted."""
    from . import two_factor

    user = _user_or_fail(email)
    if not user.two_factor_enabled and not user.totp_secret:
        click.echo(f"two-factor sign-in was already off for {user.email}")
        return
    was_on = user.two_factor_enabled
    deleted = two_factor.disable(user)
    db.session.commit()
    if was_on:
        from . import mail

        two_factor.send_changed_notice(user, turned_on=False, by_operator=True)
        mail.wait_until_sent()  # this process ends next: let the notice go first
        click.echo(f"two-factor sign-in turned off for {user.email} ({deleted} recovery codes deleted)")
    else:
        click.echo(f"two-factor sign-in was not on for {user.email}; its unfinished set-up was cleared")
