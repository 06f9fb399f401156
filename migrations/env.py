"""Alembic environment: migrate the registry's database with the application's engine."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
engine = target_db.engine
config.set_main_option(
    "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def run_migrations_offline():
    """Emit the SQL of the migrations without a database connection."""
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=target_db.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run the migrations on the application's engine."""

    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    options = current_app.extensions["migrate"].configure_args
    options.setdefault("process_revision_directives", process_revision_directives)
    with engine.connect() as connection:
        driver = connection.connection.driver_connection if connection.dialect.name == "sqlite" \
            else None
        if driver is not None:
            # a migration that copies a table (SQLite's way to add a constraint) must not let the
            # drop of the old table cascade to, or fail on, the rows that refer to it
            driver.execute("PRAGMA foreign_keys=OFF")
        context.configure(connection=connection, target_metadata=target_db.metadata, **options)
        try:
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if driver is not None:
                if connection.in_transaction():  # what SQLAlchemy began after the last migration
                    connection.commit()
                driver.execute("PRAGMA foreign_keys=ON")
        if driver is not None and driver.execute("PRAGMA foreign_key_check").fetchone():
            raise RuntimeError("a migration left rows that refer to missing records")

if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
