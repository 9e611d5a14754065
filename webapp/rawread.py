"""One hot read, compiled once and run on the driver directly.

Every logged-in request starts with the same small query (the log-in check,
``auth/signins.py``). Through SQLAlchemy's execution machinery and ORM
session that query cost more Python time than a whole page served from the
page cache. ``PreparedRead`` keeps what SQLAlchemy would do for it, done once
per database dialect: the SQL text and parameter style from the statement's
own compilation, and each bound parameter's and column's type conversion
(UUIDs, the UTC datetimes) from the column types' own processors. What is
left per request is the driver's ``execute`` and a loop over the columns.

On PostgreSQL (psycopg2) the read runs on a pooled connection in autocommit,
so it is one round trip instead of BEGIN, SELECT and ROLLBACK, unless the
request's session already holds a transaction, which it then joins. Driver
errors come out as SQLAlchemy's own exception classes, so the friendly
"database unavailable" page and the pool's handling of dead connections work
as for any other query. SQLAlchemy's engine events are not fired for it
(their listeners expect its Connection); ``LISTENERS`` is its own hook.
"""

from sqlalchemy import exc
from sqlalchemy.pool import QueuePool

from .extensions import db


# Called with (sql, parameters) before each read: a way to watch these
# statements (the tests count them). Engine events are not fired: their
# listeners expect SQLAlchemy's Connection and execution context.
LISTENERS: list = []


def _give_back(connection, autocommit: bool, dialect) -> None:
    """Return a borrowed connection to the pool as it was lent; one that
    cannot be put back that way is discarded rather than handed out again."""
    try:
        if connection.is_valid:
            connection.driver_connection.autocommit = autocommit
    except dialect.loaded_dbapi.Error as error:
        connection.invalidate(error)
    finally:
        connection.close()


class PreparedRead:
    """``statement`` (a Core select with named bind parameters), runnable
    cheaply: ``run(params)`` gives the first row as a dict keyed by the
    selected columns' names, or None."""

    def __init__(self, statement):
        self.statement = statement
        self._compiled = {}  # dialect name -> (sql, make_params, [(name, processor)])

    def _compile(self, dialect):
        compiled = self.statement.compile(dialect=dialect)
        binds = {bind.key: bind.type.dialect_impl(dialect).bind_processor(dialect) for bind in compiled.binds.values()}
        positions = compiled.positiontup  # None for named styles (psycopg2's %(name)s)

        def make_params(values: dict):
            converted = {
                name: (processor(values[name]) if processor else values[name]) for name, processor in binds.items()
            }
            if positions:
                return tuple(converted[name] for name in positions)
            return converted

        columns = [
            (column.key, column.type.dialect_impl(dialect).result_processor(dialect, None))
            for column in self.statement.selected_columns
        ]
        return compiled.string, make_params, columns

    def run(self, values: dict) -> dict | None:
        engine = db.engine
        dialect = engine.dialect
        prepared = self._compiled.get(dialect.name)
        if prepared is None:
            prepared = self._compiled[dialect.name] = self._compile(dialect)
        sql, make_params, columns = prepared
        params = make_params(values)
        session = db.session()
        own = dialect.driver == "psycopg2" and isinstance(engine.pool, QueuePool) and not session.in_transaction()
        connection = None
        try:
            if own:
                connection = engine.raw_connection()
                driver = connection.driver_connection
                was_autocommit = driver.autocommit
                if not was_autocommit:
                    driver.rollback()  # nothing to end, normally, and then no round trip
                    driver.autocommit = True
            else:
                # The request's own transaction (and, for SQLite, its
                # connection: an in-memory database has only one).
                connection = session.connection().connection
            cursor = connection.cursor()
            try:
                for listener in LISTENERS:
                    listener(sql, params)
                cursor.execute(sql, params)
                row = cursor.fetchone()
            finally:
                cursor.close()
        except dialect.loaded_dbapi.Error as error:
            lost = dialect.is_disconnect(error, connection, None)
            if lost and own and connection is not None:
                # As SQLAlchemy's own Connection does: this connection is
                # closed, and the pool replaces every one as old (a database
                # restart killed them all) at their next checkout.
                engine.pool._invalidate(connection, error)
            raise exc.DBAPIError.instance(
                sql, params, error, dialect.loaded_dbapi.Error, connection_invalidated=lost, dialect=dialect
            ) from error
        finally:
            if own and connection is not None:
                _give_back(connection, was_autocommit, dialect)
        if row is None:
            return None
        return {
            name: (processor(value) if processor else value) for (name, processor), value in zip(columns, row)
        }
