"""Sign up, log in and log out."""

import secrets
from functools import lru_cache

from flask import Blueprint, current_app, flash, g, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import IntegrityError

from ..accounts import EmailTaken, create_user, email_taken, find_user
from ..extensions import db, limiter
from ..htmx import render, see_other
from ..models import password_hash_method, password_hasher, verify_password
from ..timezones import is_known_timezone
from .forms import LoginForm, RegisterForm
from . import pending_login, signins
from .session import is_safe_next

bp = Blueprint("auth", __name__, url_prefix="/auth")


@lru_cache(maxsize=4)
def _unknown_user_hash(method: str) -> str:
    """Checked when no such user exists, so a miss takes as long as a wrong password
    (hashed the way real passwords are, hence keyed by the method)."""
    return password_hasher(method).hash(secrets.token_hex(16))


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _submitted_email() -> str:
    return "email:" + (request.form.get("email") or "").strip().lower()[:255]


def _failed(response) -> bool:
    """Only failed attempts count towards the limit."""
    return response.status_code >= 400


def _rate_limited(view):
    per_address = limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
    per_email = limiter.limit(_login_limit, methods=["POST"], key_func=_submitted_email, deduct_when=_failed)
    return per_address(per_email(view))


def _signup_limit() -> str:
    return current_app.config["SIGNUP_RATE_LIMIT"]


def _signups_limited(view):
    """Every sign-up attempt counts, successful ones too, per client address: one
    address cannot mass-create accounts (SIGNUP_RATE_LIMIT)."""
    return limiter.limit(_signup_limit, methods=["POST"], scope="signup")(view)


def _start_session(user, remember: bool = False) -> None:
    """Log ``user`` in on this browser: a new sign-in (listed on the account
    page) and a fresh session, so a planted session id is worthless.

    The session cookie is a browser-session cookie (no Expires: it ends when
    the browser closes); the sign-in also ends SESSION_HOURS after log-in,
    or REMEMBER_DAYS with "keep me logged in", whose cookie brings it back
    after a restart. Commits."""
    signins.purge_expired(user)
    signins.start(user, remember)
    db.session.commit()
    session.clear()
    login_user(user, remember=remember)
    session.permanent = False
    # The first page after log-in needs a CSRF secret in the session: made
    # here, the log-in's own cookie carries it, rather than the next page
    # having to re-sign and re-send the session cookie.
    g.pop("csrf_token", None)  # signed from the secret session.clear() dropped
    generate_csrf()


EMAIL_TAKEN_HERE = "An account with this email address already exists. Log in instead?"


def _create_account(form: RegisterForm):
    """The new account, committed; None when the address is taken, also when a
    parallel sign-up with the same address committed first (two tabs, a double
    submit): the unique index refuses the second insert, and that person gets
    the same answer as for an address taken long ago, not a 500."""
    try:
        user = create_user(form.email.data, form.password.data)
        if is_known_timezone(form.timezone.data):
            user.timezone = form.timezone.data
        db.session.commit()
    except EmailTaken:
        db.session.rollback()
        return None
    except IntegrityError:
        db.session.rollback()
        if email_taken(form.email.data):
            return None
        raise  # another constraint failed: a bug, not a race
    return user


@bp.route("/register", methods=["GET", "POST"])
@_signups_limited
@_rate_limited
def register():
    """Create an account and log straight into it."""
    if current_user.is_authenticated:
        return see_other(url_for("tasks.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        user = _create_account(form)
        if user is None:
            form.email.errors.append(EMAIL_TAKEN_HERE)
        else:
            _start_session(user)
            flash("Welcome to Docket! Add your first task below.", "success")
            return see_other(url_for("tasks.index"))
    status = 422 if request.method == "POST" else 200
    return render("auth/register.html", form=form, status=status)


@bp.route("/login", methods=["GET", "POST"])
@_rate_limited
def login():
    """Log in with email and password; go on to a local ``next`` page only."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        if current_user.is_authenticated:
            return see_other(url_for("tasks.index"))
    if form.validate_on_submit():
        user = find_user(form.email.data)
        if user is None:
            verify_password(_unknown_user_hash(password_hash_method()), form.password.data)
        elif user.check_password(form.password.data):
            if user.password_needs_rehash():
                # An older scrypt hash, or argon2 below today's cost: the password
                # is at hand only now, so this is when it moves to the new hash.
                user.set_password(form.password.data)
                db.session.commit()
            target = form.next.data if is_safe_next(form.next.data) else url_for("tasks.index")
            if user.two_factor_enabled:
                # The password alone logs nobody in: the code page finishes the job.
                pending_login.start(user, form.remember.data, target)
                return see_other(url_for("auth.login_code"))
            _start_session(user, remember=form.remember.data)
            return see_other(target)
        form.password.errors.append("That email and password do not match an account.")
    status = 422 if request.method == "POST" else 200
    return render("auth/login.html", form=form, status=status)


@bp.post("/logout")
@login_required
def logout():
    """Log out this browser: its sign-in ends, so every copy of its cookies is
    void. Other devices stay logged in (the account page can end them)."""
    user = current_user._get_current_object()
    if user.sign_in is not None:
        signins.end(user, user.sign_in.id)
    db.session.commit()
    # Clear first: logout_user() then marks the remember-me cookie for deletion.
    session.clear()
    logout_user()
    flash("You are logged out.", "info")
    return see_other(url_for("auth.login"))
