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
INBOX = "Inbox"  # every person's first list; it cannot be renamed or deleted
LIST_NAME_MAX = 80
LABEL_NAME_MAX = 60
REPEAT_MAX = 255


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
    # Goes up whenever any of the person's tasks, lists or labels change:
    # database triggers bump it in the same transaction (DATA_VERSION_TRIGGERS
    # below), whatever wrote the rows. Rendered list pages are cached under it.
    data_version: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")

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
        # One list's tasks, in each order the list page offers (migration 0009).
        sa.Index("ix_tasks_list_id_created_at", "list_id", "created_at", "id"),
        sa.Index("ix_tasks_list_id_priority", "list_id", "priority", "created_at", "id"),
        sa.Index("ix_tasks_list_id_position", "list_id", "position", "id"),
        # The sidebar's open count per list, capped, read from the index alone.
        sa.Index("ix_tasks_list_id_completed", "list_id", "completed"),
        # Today and Upcoming (and their counts): one person's open tasks by due date.
        sa.Index("ix_tasks_user_id_completed_due_date", "user_id", "completed", "due_date"),
        # Subtasks of a task; PostgreSQL does not index a foreign key by itself.
        sa.Index("ix_tasks_parent_id", "parent_id"),
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
    # Every task is in one of its owner's lists. An INSERT that names none
    # lands in the owner's Inbox (a trigger: see ``INBOX_TRIGGERS``), so
    # tools that write tasks as before lists existed keep working.
    list_id: Mapped[int] = mapped_column(sa.Integer, sa.ForeignKey("lists.id", ondelete="CASCADE"))
    # A subtask's task (one level); deleting a task deletes its subtasks.
    parent_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, sa.ForeignKey("tasks.id", ondelete="CASCADE"))
    # How it repeats: an RFC 5545 RRULE without DTSTART (the due date is the
    # start), e.g. "FREQ=MONTHLY"; None for a task that does not repeat.
    repeat: Mapped[str | None] = mapped_column(sa.String(REPEAT_MAX))
    # The day of the month a plain monthly or yearly repeat keeps (migration
    # 0010): 31 for a task first due on 31 January, so 28 February moves on
    # to 31 March. Set with the due date or the repeat (tasks/organize.py).
    repeat_anchor_day: Mapped[int | None] = mapped_column(sa.SmallInteger)

    user: Mapped[User] = relationship(back_populates="tasks")
    labels: Mapped[list["Label"]] = relationship(secondary="task_labels", passive_deletes=True, order_by="Label.name")

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
    # Where it was (migration 0009; None in rows trashed before lists
    # existed). Undo puts a task back in its list, or in the Inbox when the
    # list is gone; under its parent while that exists.
    list_id: Mapped[int | None] = mapped_column(sa.Integer)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    repeat: Mapped[str | None] = mapped_column(sa.String(REPEAT_MAX))
    repeat_anchor_day: Mapped[int | None] = mapped_column(sa.SmallInteger)  # migration 0010


class TaskList(db.Model):
    """One of a person's lists ("Inbox", "Groceries"). The Inbox comes first
    (position 0) and stays; the others follow in the person's order."""

    __tablename__ = "lists"
    __table_args__ = (
        # Also serves "this person's lists" and the foreign key's cascade.
        sa.UniqueConstraint("user_id", "name", name="uq_lists_user_id_name"),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(sa.String(255), sa.ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(LIST_NAME_MAX))
    position: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    # The list's open and completed top-level tasks (subtasks are counted
    # under their parent), kept by database triggers (LIST_COUNT_TRIGGERS
    # below) in the same transaction as any change, so "N items left" costs
    # the same with 100 tasks as with 100,000.
    open_count: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    done_count: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")

    # Lets a new user's Inbox be added before the user has an id (one flush).
    user: Mapped[User] = relationship()

    @property
    def is_inbox(self) -> bool:
        return self.name == INBOX

    def __repr__(self) -> str:
        return f"<TaskList {self.id} {self.name!r}>"


def new_inbox(user: User) -> TaskList:
    """The Inbox every person starts with (add it to the session with the user)."""
    return TaskList(user=user, name=INBOX, position=0)


class Label(db.Model):
    """A person's label ("home", "errand"); a task has any number of them."""

    __tablename__ = "labels"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "name", name="uq_labels_user_id_name"),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(sa.String(255), sa.ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(LABEL_NAME_MAX))

    def __repr__(self) -> str:
        return f"<Label {self.id} {self.name!r}>"


task_labels = sa.Table(
    "task_labels",
    db.metadata,
    sa.Column("task_id", sa.Uuid, sa.ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("label_id", sa.Integer, sa.ForeignKey("labels.id", ondelete="CASCADE"), primary_key=True),
    # "Tasks with this label" (the label filter) and the labels' cascade.
    sa.Index("ix_task_labels_label_id", "label_id"),
)


class DeletedList(db.Model):
    """A deleted list, kept beside its tasks in ``deleted_tasks`` (same batch)
    for a few minutes, so that Undo brings the list back with them."""

    __tablename__ = "deleted_lists"

    batch_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    user_id: Mapped[str] = mapped_column(sa.String(255), sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    name: Mapped[str] = mapped_column(sa.String(LIST_NAME_MAX))
    position: Mapped[int] = mapped_column(sa.Integer)


class DeletedTaskLabel(db.Model):
    """A deleted task's labels, gone with it from the trash when it is restored or expires."""

    __tablename__ = "deleted_task_labels"
    __table_args__ = (
        sa.ForeignKeyConstraint(["batch_id", "task_id"], ["deleted_tasks.batch_id", "deleted_tasks.id"],
                                ondelete="CASCADE"),
    )

    batch_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    task_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    label_id: Mapped[int] = mapped_column(sa.Integer, sa.ForeignKey("labels.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)


# A task inserted without a list goes to its owner's Inbox, made if missing:
# so the tools and scripts that wrote tasks before lists existed (the
# benchmarks, an operator's SQL) still work. PostgreSQL fills in NEW.list_id;
# SQLite cannot change NEW, so it inserts the row again with the list and
# skips the original (RAISE(IGNORE)), which needs every column named here:
# a migration that adds a column to tasks recreates this trigger, and so does
# any SQLite batch rebuild of tasks (a rebuilt table has no triggers).
# The latest migration that touched tasks (0010) writes the same SQL;
# tests/test_lists_migration.py compares.
TASK_COLUMNS = ("id", "title", "description", "completed", "completed_at", "due_date", "priority", "position",
                "created_at", "updated_at", "user_id", "list_id", "parent_id", "repeat", "repeat_anchor_day")
POSTGRES_INBOX_FUNCTION = f"""
CREATE OR REPLACE FUNCTION tasks_into_inbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT id INTO NEW.list_id FROM lists WHERE user_id = NEW.user_id AND name = '{INBOX}';
    IF NEW.list_id IS NULL THEN
        INSERT INTO lists (user_id, name, position) VALUES (NEW.user_id, '{INBOX}', 0)
            ON CONFLICT ON CONSTRAINT uq_lists_user_id_name DO NOTHING;
        SELECT id INTO NEW.list_id FROM lists WHERE user_id = NEW.user_id AND name = '{INBOX}';
    END IF;
    RETURN NEW;
END
$$"""
POSTGRES_INBOX_TRIGGER = ("CREATE TRIGGER tr_tasks_into_inbox BEFORE INSERT ON tasks FOR EACH ROW "
                          "WHEN (NEW.list_id IS NULL) EXECUTE FUNCTION tasks_into_inbox()")
_INBOX_OF_NEW = f"(SELECT id FROM lists WHERE user_id = NEW.user_id AND name = '{INBOX}')"
SQLITE_INBOX_TRIGGER = (
    "CREATE TRIGGER tr_tasks_into_inbox BEFORE INSERT ON tasks FOR EACH ROW WHEN NEW.list_id IS NULL BEGIN "
    f"INSERT OR IGNORE INTO lists (user_id, name, position) VALUES (NEW.user_id, '{INBOX}', 0); "
    f"INSERT INTO tasks ({', '.join(TASK_COLUMNS)}) VALUES "
    f"({', '.join(_INBOX_OF_NEW if name == 'list_id' else 'NEW.' + name for name in TASK_COLUMNS)}); "
    "SELECT RAISE(IGNORE); END"
)
INBOX_TRIGGERS = {
    "postgresql": (POSTGRES_INBOX_FUNCTION, POSTGRES_INBOX_TRIGGER),
    "sqlite": (SQLITE_INBOX_TRIGGER,),
}

for _dialect, _statements in INBOX_TRIGGERS.items():
    for _statement in _statements:
        sa.event.listen(Task.__table__, "after_create", sa.DDL(_statement).execute_if(dialect=_dialect))


# The person's data_version goes up in the same transaction as any change to
# their tasks, lists, labels or task labels, whoever makes it (the app, an
# import's COPY, an operator's SQL), so a page cached under the old version
# can never be served after the change (webapp/pagecache.py). PostgreSQL: one
# UPDATE per statement (transition tables), not one per row, so an import of
# 50,000 tasks bumps it once. SQLite has only row triggers. Written in
# migration 0011 too; tests/test_data_version.py checks both agree.
DATA_VERSION_TABLES = ("tasks", "lists", "labels")
POSTGRES_DATA_VERSION_FUNCTIONS = (
    """CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users SET data_version = data_version + 1 WHERE id IN (SELECT DISTINCT user_id FROM changed);
    RETURN NULL;
END
$$""",
    """CREATE OR REPLACE FUNCTION bump_data_version_by_label() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users SET data_version = data_version + 1
        WHERE id IN (SELECT DISTINCT labels.user_id FROM changed JOIN labels ON labels.id = changed.label_id);
    RETURN NULL;
END
$$""",
)
_TRANSITION = {"INSERT": "NEW", "UPDATE": "NEW", "DELETE": "OLD"}


def _postgres_data_version_triggers(table: str) -> list[str]:
    function = "bump_data_version_by_label" if table == "task_labels" else "bump_data_version"
    events = ("INSERT", "DELETE") if table == "task_labels" else ("INSERT", "UPDATE", "DELETE")
    return [
        f"CREATE TRIGGER tr_{table}_data_version_{event.lower()} AFTER {event} ON {table} "
        f"REFERENCING {_TRANSITION[event]} TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        for event in events
    ]


def _sqlite_data_version_triggers(table: str) -> list[str]:
    events = ("INSERT", "DELETE") if table == "task_labels" else ("INSERT", "UPDATE", "DELETE")
    statements = []
    for event in events:
        row = "OLD" if event == "DELETE" else "NEW"
        owner = f"(SELECT user_id FROM labels WHERE id = {row}.label_id)" if table == "task_labels" else f"{row}.user_id"
        statements.append(
            f"CREATE TRIGGER tr_{table}_data_version_{event.lower()} AFTER {event} ON {table} FOR EACH ROW BEGIN "
            f"UPDATE users SET data_version = data_version + 1 WHERE id = {owner}; END"
        )
    return statements


DATA_VERSION_TRIGGER_TABLES = DATA_VERSION_TABLES + ("task_labels",)


def data_version_ddl(dialect: str, table: str) -> list[str]:
    """The statements that make ``table`` bump its owner's data_version."""
    if dialect == "postgresql":
        return _postgres_data_version_triggers(table)
    return _sqlite_data_version_triggers(table)


for _function in POSTGRES_DATA_VERSION_FUNCTIONS:
    sa.event.listen(User.__table__, "after_create", sa.DDL(_function).execute_if(dialect="postgresql"))
for _table in (Task.__table__, TaskList.__table__, Label.__table__, task_labels):
    for _dialect in ("postgresql", "sqlite"):
        for _statement in data_version_ddl(_dialect, _table.name):
            sa.event.listen(_table, "after_create", sa.DDL(_statement).execute_if(dialect=_dialect))


# lists.open_count / done_count follow every insert, update and delete of a
# top-level task, whoever writes it. PostgreSQL: one UPDATE per statement,
# from its transition tables; SQLite: row triggers. Migration 0012 writes the
# same statements (tests/test_list_counts.py checks they agree and that the
# counters always equal a real count).
def _postgres_count_function(event: str) -> str:
    parts = []
    if event != "DELETE":
        parts.append("SELECT list_id, CASE WHEN completed THEN 0 ELSE 1 END AS open, "
                     "CASE WHEN completed THEN 1 ELSE 0 END AS done FROM new_rows WHERE parent_id IS NULL")
    if event != "INSERT":
        parts.append("SELECT list_id, CASE WHEN completed THEN 0 ELSE -1 END AS open, "
                     "CASE WHEN completed THEN -1 ELSE 0 END AS done FROM old_rows WHERE parent_id IS NULL")
    moved = " UNION ALL ".join(parts)
    return f"""CREATE OR REPLACE FUNCTION count_list_tasks_{event.lower()}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE lists SET open_count = lists.open_count + delta.open, done_count = lists.done_count + delta.done
        FROM (SELECT list_id, sum(open) AS open, sum(done) AS done FROM ({moved}) AS moved GROUP BY list_id) AS delta
        WHERE lists.id = delta.list_id AND (delta.open <> 0 OR delta.done <> 0);
    RETURN NULL;
END
$$"""


_COUNT_TRANSITIONS = {"INSERT": "NEW TABLE AS new_rows", "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                      "DELETE": "OLD TABLE AS old_rows"}


def _sqlite_count_change(row: str, sign: str) -> str:
    return (f"UPDATE lists SET open_count = open_count {sign} ({row}.parent_id IS NULL AND NOT {row}.completed), "
            f"done_count = done_count {sign} ({row}.parent_id IS NULL AND {row}.completed) WHERE id = {row}.list_id;")


def list_count_ddl(dialect: str) -> list[str]:
    """The statements that keep lists.open_count and done_count."""
    statements = []
    for event in ("INSERT", "UPDATE", "DELETE"):
        name = f"tr_tasks_list_counts_{event.lower()}"
        if dialect == "postgresql":
            statements.append(_postgres_count_function(event))
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event} ON tasks REFERENCING {_COUNT_TRANSITIONS[event]} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION count_list_tasks_{event.lower()}()"
            )
        else:
            body = {
                "INSERT": _sqlite_count_change("NEW", "+"),
                "DELETE": _sqlite_count_change("OLD", "-"),
                "UPDATE": _sqlite_count_change("OLD", "-") + " " + _sqlite_count_change("NEW", "+"),
            }[event]
            when = " OF completed, list_id, parent_id" if event == "UPDATE" else ""
            statements.append(f"CREATE TRIGGER {name} AFTER {event}{when} ON tasks FOR EACH ROW BEGIN {body} END")
    return statements


for _dialect in ("postgresql", "sqlite"):
    for _statement in list_count_ddl(_dialect):
        sa.event.listen(Task.__table__, "after_create", sa.DDL(_statement).execute_if(dialect=_dialect))
