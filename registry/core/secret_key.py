"""The secret key that signs sessions, CSRF tokens and questionnaire workbooks, kept in the
database so that every app server on it signs and checks with the same key."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.core.model import utcnow
from registry.extensions import db

#: what to tell someone serving a database that has no key yet
NOT_SET_UP = "The database is not set up yet: run `registry init` first."


class SecretKey(db.Model):
    """The registry's secret key: one row, written by the migration that made the table."""

    __tablename__ = "secret_keys"
    __table_args__ = (sa.CheckConstraint("id = 1", name="one_row"),)

    #: always 1: there is one key
    id: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    #: the key: REGISTRY_SECRET_KEY or instance/secret_key when the table was made, else random
    value: so.Mapped[str] = so.mapped_column(sa.Text)
    #: when it was stored (UTC)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


def stored() -> str | None:
    """The database's key, or None when the database is not migrated that far yet. Leaves no
    connection open (a server may fork after reading it)."""
    try:
        with db.engine.connect() as connection:
            if not sa.inspect(connection).has_table(SecretKey.__tablename__):
                return None
            return connection.scalar(sa.select(SecretKey.value).where(SecretKey.id == 1))
    finally:
        db.engine.dispose()
