"""Users, login attempts and the audit log."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy import orm as so
from werkzeug.security import check_password_hash, generate_password_hash

from registry.core.model import Choice, Record, choice_column, utcnow
from registry.extensions import db


class Role(Choice):
    """What a user may do: read, change the inventory, or also manage users."""

    VIEWER = "viewer", "Viewer", "閲覧者"
    EDITOR = "editor", "Editor", "編集者"
    ADMIN = "admin", "Administrator", "管理者"

    def at_least(self, other: Role) -> bool:
        order = list(Role)
        return order.index(self) >= order.index(other)


class Language(Choice):
    """Languages of the user interface."""

    JA = "ja", "日本語", "日本語"
    EN = "en", "English", "English"


class User(UserMixin, Record, db.Model):
    """A person who logs in to the registry."""

    __tablename__ = "users"
    __audit_exclude__ = ("id", "created_at", "updated_at", "revision", "password_hash",
                         "session_nonce")

    #: login name
    username: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    #: werkzeug password hash (scrypt)
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255))
    #: viewer, editor or admin
    role: so.Mapped[Role] = choice_column(Role, default=Role.VIEWER)
    #: a disabled user cannot log in and loses any open session
    active: so.Mapped[bool] = so.mapped_column(default=True)
    #: preferred interface language; None follows the browser
    language: so.Mapped[Language | None] = choice_column(Language, nullable=True)
    #: changed on logout, password, role or status change, invalidating every session
    session_nonce: so.Mapped[str] = so.mapped_column(
        sa.String(32), default=lambda: secrets.token_hex(16)
    )
    #: last successful login (UTC)
    last_login_at: so.Mapped[datetime | None]
    #: work e-mail address, lower-cased; single sign-on finds the account by it (when verified)
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254), unique=True, index=True)
    #: the single sign-on identity linked to the account: "<issuer> <subject>" as the provider
    #: names them, remembered at the first single sign-on
    oidc_subject: so.Mapped[str | None] = so.mapped_column(sa.String(512), unique=True, index=True)

    def __str__(self) -> str:
        return self.username

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"

    def set_password(self, password: str) -> None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        self.password_hash = generate_password_hash(password, method=method)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def end_sessions(self) -> None:
        self.session_nonce = secrets.token_hex(16)

    def can(self, role: Role) -> bool:
        return self.active and Role(self.role).at_least(role)


class LoginAttempt(db.Model):
    """One login attempt, kept to throttle guessing per account and per address."""

    __tablename__ = "login_attempts"
    __table_args__ = (sa.Index("ix_login_attempts_at", "at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: when (UTC)
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    #: the user name typed, lower-cased
    username: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    #: the client address
    address: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    #: whether the password was right
    success: so.Mapped[bool]


class LockoutKind(Choice):
    """What a lock-out bars: one account (any address), or one client address (any account)."""

    ACCOUNT = "account", "Account", "アカウント"
    ADDRESS = "address", "Address", "アドレス"


class Lockout(Record, db.Model):
    """A lock-out: too many failed logins for one account or from one address bar further
    attempts until a time (an administrator may end it sooner)."""

    __tablename__ = "lockouts"
    __table_args__ = (sa.Index("ix_lockouts_until", "until"),)

    #: account or address
    kind: so.Mapped[LockoutKind] = choice_column(LockoutKind)
    #: the user name (for an account) or the client address it bars
    subject: so.Mapped[str] = so.mapped_column(sa.String(64))
    #: the failed attempts that led to it
    failures: so.Mapped[int]
    #: when it ends (UTC)
    until: so.Mapped[datetime]
    #: attempts refused while it lasted
    refused: so.Mapped[int] = so.mapped_column(default=0, server_default="0")

    def __str__(self) -> str:
        return f"{self.kind.value} {self.subject}"


class AuditAction(Choice):
    """What happened to a record."""

    CREATE = "create", "Created", "作成"
    UPDATE = "update", "Updated", "更新"
    DELETE = "delete", "Deleted", "削除"


class AuditEntry(db.Model):
    """One change to one record: who, when, and each field's old and new value. The database
    dates and numbers each entry, and refuses to change, remove or replace one (migration 0012)."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        sa.Index("ix_audit_entries_record", "entity", "record_id"),
        # the newest change to a table's records (memo.table_versions)
        sa.Index("ix_audit_entries_entity", "entity", "id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: when the change was made (UTC), by the database's clock: it refuses any other date
    at: so.Mapped[datetime] = so.mapped_column(server_default=sa.FetchedValue(), index=True)
    #: user name, or cli:<os user> for the command line
    actor: so.Mapped[str] = so.mapped_column(sa.String(80), index=True)
    #: create, update or delete
    action: so.Mapped[AuditAction] = choice_column(AuditAction)
    #: table name of the changed record
    entity: so.Mapped[str] = so.mapped_column(sa.String(64))
    #: id of the changed record
    record_id: so.Mapped[int]
    #: the record's label at the time (kept after a delete)
    record_label: so.Mapped[str] = so.mapped_column(sa.String(255))
    #: {field: [old, new]}
    changes: so.Mapped[dict] = so.mapped_column(sa.JSON)
    #: the request (or command run) that made the change
    request_id: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    #: the import batch that made (or reverted) the change
    batch_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("import_batches.id"),
                                                        index=True)
