"""A throw-away PostgreSQL database for a benchmark run, dropped afterwards."""

import contextlib
import uuid

import sqlalchemy as sa

ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"


@contextlib.contextmanager
def throwaway_postgres():
    """Yield the URL of a new, empty database; drop it (and its connections) after."""
    name = f"docket_bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
