"""Personal access tokens: who a program acts as, with which scope, until when."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.core.model import Choice, choice_column, utcnow
from registry.core.models import User
from registry.extensions import db


class Scope(Choice):
    READ = "read", "Read", "読み取り"
    WRITE = "write", "Read and write", "読み書き"


class ApiToken(db.Model):
    """A token a program sends as `Authorization: Bearer …`: kept only as its SHA-256 digest
    (the token is shown once, when made), bounded by its user's role and its scope."""

    __tablename__ = "api_tokens"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: what the token is for, unique for its user ("nightly HR sync")
    name: so.Mapped[str] = so.mapped_column(sa.String(80))
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    user: so.Mapped[User] = so.relationship()
    scope: so.Mapped[Scope] = choice_column(Scope)
    #: the token's first characters, to tell tokens apart in a list (never enough to use one)
    prefix: so.Mapped[str] = so.mapped_column(sa.String(16))
    #: hex SHA-256 of the whole token
    digest: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    #: the last day the token works (None: until revoked)
    expires_on: so.Mapped[date | None]
    revoked_at: so.Mapped[datetime | None]
    last_used_at: so.Mapped[datetime | None]

    __table_args__ = (sa.UniqueConstraint("user_id", "name"),)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
