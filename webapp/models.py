"""The data model: a ``User`` owns many ``Task`` rows (seed 001).

Models import only ``db`` from ``extensions`` and never the app.
"""

import secrets
import uuid
from datetime import date, datetime, timezone

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship
import re

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

from .extensions import db

TITLE_MAX = 255
PRIORITIES = {0: "none", 1: "low", 2: "medium", 3: "high"}
DESCRIPTION_MAX = 1000
EMAIL_MAX = 255


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC (``datetime.utcnow`` is naive)."""
    return datetime.now(timezone.utc)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


# argon2id at OWASP's recommended cost (Password Storage Cheat Sheet): 19 MiB
# of memory, 2 passes, 1 lane. The app's PASSWORD_HASH_METHOD may only name
# something else under TESTING (webapp.config refuses it otherwise); "scrypt",
# the strong default before argon2, still means full strength here. Read
# through current_app because models never import the app.
STRONG_PASSWORD_HASH = "argon2id"
STRONG_METHOD_NAMES = frozenset({STRONG_PASSWORD_HASH, "scrypt"})
ARGON2_MEMORY_KIB = 19456
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1
STRONG_HASHER = PasswordHasher(
    time_cost=ARGON2_TIME_COST,
    memory_cost=ARGON2_MEMORY_KIB,
    parallelism=ARGON2_PARALLELISM,
    hash_len=32,
    salt_len=16,
    type=Type.ID,
)
# A cheap argon2id for the test suite only: "argon2id:m=64,t=1,p=1".
TEST_METHOD = re.compile(r"argon2id:m=(\d+),t=(\d+),p=(\d+)")
ARGON2_PREFIX = "$argon2"


def password_hash_method() -> str:
    """The configured hashing method, or full strength outside an app (scripts, shells)."""
    if not has_app_context():
        return STRONG_PASSWORD_HASH
    return current_app.config.get("PASSWORD_HASH_METHOD", STRONG_PASSWORD_HASH)


_test_hashers: dict[str, PasswordHasher] = {}


def password_hasher(method: str | None = None) -> PasswordHasher:
    """The argon2id hasher for ``method``: OWASP's cost, unless a test asked for less.

    A cheap method is honoured only in a TESTING app; anything else gets full
    strength, so no setting outside the test suite can weaken the hash."""
    method = password_hash_method() if method is None else method
    if method in STRONG_METHOD_NAMES:
        return STRONG_HASHER
    if not (has_app_context() and current_app.testing):
        return STRONG_HASHER
    match = TEST_METHOD.fullmatch(method)
    if match is None:
        raise ValueError(f"unknown PASSWORD_HASH_METHOD {method!r}: use argon2id:m=..,t=..,p=.. in tests")
    if method not in _test_hashers:
        memory, time_cost, parallelism = (int(group) for group in match.groups())
        _test_hashers[method] = PasswordHasher(
            time_cost=time_cost, memory_cost=memory, parallelism=parallelism, hash_len=32, salt_len=16, type=Type.ID
        )
    return _test_hashers[method]


def hash_password(password: str) -> str:
    """argon2's standard encoded string: ``$argon2id$v=19$m=19456,t=2,p=1$salt$hash``."""
    return password_hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches an argon2 hash or an older werkzeug one (``scrypt:...``)."""
    if password_hash.startswith(ARGON2_PREFIX):
        try:
            return password_hasher().verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
    return check_password_hash(password_hash, password)


def password_needs_rehash(password_hash: str) -> bool:
    """A werkzeug hash, an argon2 other than argon2id, or argon2id at other
    parameters than today's (argon2-cffi's check_needs_rehash)."""
    if not password_hash.startswith(ARGON2_PREFIX):
        return True
    try:
        if extract_parameters(password_hash).type is not Type.ID:
            return True
    except InvalidHashError:
        return True
    return password_hasher().check_needs_rehash(password_hash)


def due_state(due_date: date | None, completed: bool, today: date) -> str | None:
    """"overdue", "today" or "upcoming" for an open task with a due date (the rule, once)."""
    if due_date is None or completed:
        return None
    if due_date < today:
        return "overdue"
    return "today" if due_date == today else "upcoming"


POSTGRES_ONLY_INDEX_PREFIX = "ix_tasks_pg_"


def include_in_migrations(object_, name, type_, reflected, compare_to) -> bool:
    """Autogenerate's filter: PostgreSQL-only indexes live in migrations, not here."""
    return not (type_ == "index" and reflected and (name or "").startswith(POSTGRES_ONLY_INDEX_PREFIX))


class UTCDateTime(sa.TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    PostgreSQL keeps ``timestamptz``; SQLite has no time zones and hands back
    naive values, which we mark as UTC because that is all we ever write.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given; use timezone-aware UTC")
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(sa.String(255), primary_key=True, default=lambda: str(uuid.uuid4()))
    email: Mapped[str] = mapped_column(sa.String(EMAIL_MAX), unique=True)
    # NULL for placeholder users adopted from legacy data: they cannot log in.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    # Part of every login cookie; rotating it ends every session at once.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC", server_default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Two-factor sign-in (TOTP, RFC 6238). The secret is set when enrolment
    # starts and counts only once ``totp_enabled_at`` is set, after a first
    # right code. ``totp_last_step`` is the time step of the last code
    # accepted, so no code works twice.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    tasks: WriteOnlyMapped["Task"] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        # Let the database's ON DELETE CASCADE remove the tasks: deleting a
        # user is one DELETE, never a load of every task first.
        passive_deletes=True,
    )

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        if not self.password_hash:
            return False
        return verify_password(self.password_hash, password)

    def password_needs_rehash(self) -> bool:
        """True when the stored hash is older or weaker than today's method."""
        return bool(self.password_hash) and password_needs_rehash(self.password_hash)

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_enabled_at is not None and bool(self.totp_secret)

    def rotate_session_token(self) -> None:
        """Invalidate every session and remember-me cookie issued so far."""
        self.session_token = new_session_token()

    # Flask-Login's "alternative id" pattern: the cookie carries the id, the
    # session secret and the sign-in, so a rotated secret or an ended sign-in
    # turns old cookies into nothing (webapp/auth/signins.py).
    is_active = True
    is_authenticated = True
    is_anonymous = False
    # The SignIn of the request this user object serves: set at log-in and when
    # a cookie is read; not a column.
    sign_in = None

    def get_id(self) -> str:
        if self.sign_in is None:
            return f"{self.id}:{self.session_token}"  # names no sign-in: never logs in
        return f"{self.id}:{self.session_token}:{self.sign_in.id}"

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class SignIn(db.Model):
    """One signed-in browser: created at log-in, listed on the account page,
    ended by logging out there or by "log out everywhere else".

    The login cookie names its sign-in (``User.get_id``), so a sign-in that is
    gone, or past ``expires_at``, logs that browser out at its next request.
    """

    __tablename__ = "sign_ins"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[str] = mapped_column(sa.String(255), sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The absolute end: SESSION_HOURS after log-in, or REMEMBER_DAYS when remembered.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    remember: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    user_agent: Mapped[str | None] = mapped_column(sa.String(255))
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))


class RecoveryCode(db.Model):
    """A single-use two-factor recovery code, kept only as a SHA-256 hash (the
    codes are random, so a fast hash is enough)."""

    __tablename__ = "recovery_codes"
    __table_args__ = (sa.UniqueConstraint("user_id", "code_hash", name="uq_recovery_codes_user_id_code_hash"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(sa.String(255), sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Task(db.Model):
    __tablename__ = "tasks"
    __table_args__ = (
        sa.CheckConstraint("length(trim(title)) > 0", name="title_not_empty"),
        sa.CheckConstraint("priority BETWEEN 0 AND 3", name="priority_range"),
        # Serves the list query: one user's tasks in creation order, keyset paged.
        sa.Index("ix_tasks_user_id_created_at", "user_id", "created_at", "id"),
        sa.Index("ix_tasks_user_id_priority", "user_id", "priority", "created_at", "id"),
        sa.Index("ix_tasks_user_id_position", "user_id", "position", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    description: Mapped[str | None] = mapped_column(sa.String(DESCRIPTION_MAX))
    completed: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_date: Mapped[date | None] = mapped_column(sa.Date)
    priority: Mapped[int] = mapped_column(sa.SmallInteger, default=0, server_default="0")
    # Manual order, ascending; sparse, so a move rewrites one row (tasks/ordering.py).
    position: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    user_id: Mapped[str] = mapped_column(
        sa.String(255), sa.ForeignKey("users.id", ondelete="CASCADE")
    )

    user: Mapped[User] = relationship(back_populates="tasks")

    def set_completed(self, completed: bool) -> None:
        """Mark done or not done, remembering when it was done."""
        if completed != self.completed:
            self.completed = completed
            self.completed_at = utcnow() if completed else None

    @property
    def priority_name(self) -> str:
        return PRIORITIES.get(self.priority, "none")

    def due_state(self, today: date) -> str | None:
        """"overdue", "today" or "upcoming" for an open task with a due date."""
        return due_state(self.due_date, self.completed, today)

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.title!r}>"


class DeletedTask(db.Model):
    """A deleted task, kept for a few minutes so that Undo can put it back exactly.

    One delete (a task, a bulk delete, "Clear completed") is one ``batch_id``.
    Rows are copied here whole, so a restore brings back the same ids, fields
    and order; nothing about them comes from the browser.
    """

    __tablename__ = "deleted_tasks"
    __table_args__ = (sa.Index("ix_deleted_tasks_deleted_at", "deleted_at"),)

    batch_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.String(255), sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    description: Mapped[str | None] = mapped_column(sa.String(DESCRIPTION_MAX))
    completed: Mapped[bool] = mapped_column(sa.Boolean)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_date: Mapped[date | None] = mapped_column(sa.Date)
    priority: Mapped[int] = mapped_column(sa.SmallInteger)
    position: Mapped[int] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
