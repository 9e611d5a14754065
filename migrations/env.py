"""Alembic environment, driven by Flask-Migrate inside an app context.

It uses the app's own engine and metadata, so migrations run against exactly
the database the app is configured for. Batch mode lets SQLite alter tables.
"""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from webapp.models import include_in_migrations

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
log = logging.getLogger("alembic.env")

migrate_extension = current_app.extensions["migrate"]
target_metadata = migrate_extension.db.metadata


def skip_empty_autogenerate(context_, revision, directives):
    """Don't write a revision file when autogenerate finds no change."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("No changes in schema detected.")


def run_migrations_offline():
    url = migrate_extension.db.engine.url.render_as_string(hide_password=False)
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    options = dict(migrate_extension.configure_args)
    options.setdefault("process_revision_directives", skip_empty_autogenerate)
    options.setdefault("render_as_batch", True)
    options.setdefault("compare_type", True)
    options.setdefault("include_object", include_in_migrations)
    with migrate_extension.db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            # The app's statement timeout guards requests; a migration that
            # rewrites a large table must be allowed to take its time.
            connection.exec_driver_sql("SET statement_timeout = 0")
            connection.commit()  # end the implicit transaction, or Alembic would not commit its own
        context.configure(connection=connection, target_metadata=target_metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
