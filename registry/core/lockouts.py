"""Login throttling: failed attempts are counted per account and per client address, and reaching
the limit locks the account (or the address) out for a while, as an audit entry.

Each attempt counts and records under locks of its account and its address (PostgreSQL advisory
locks; on SQLite the write lock a POST request takes when it begins), so concurrent guesses are
judged one after another and no more than the limit ever reach the password check."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from registry.core import audit, operations
from registry.core.auth import authenticate, record_attempt
from registry.core.model import utcnow
from registry.core.models import AuditAction, Lockout, LockoutKind, LoginAttempt, User
from registry.core.transactions import serialised
from registry.extensions import db


class LockedOut(Exception):
    """The account or the address is locked out: the password was not checked. Its message says
    how long the lock-out still lasts."""

    def __init__(self, lockout: Lockout):
        left = max(lockout.until - utcnow(), timedelta(0))
        minutes = max(1, math.ceil(left.total_seconds() / 60))
        super().__init__(gettext("Too many failed attempts. Try again in %(minutes)s minutes.",
                                 minutes=minutes))


def log_in(username: str, password: str, address: str, admins_only: bool = False) -> User | None:
    """Check a password unless the account or address is locked out (LockedOut), record the
    attempt, and lock out what reached its limit; None when the password is wrong (or, with
    admins_only, the account no administrator's: the break-glass login)."""
    return _throttled(username, address,
                      lambda name: authenticate(name, password, address, admins_only))


def confirm_password(user: User, password: str, address: str) -> bool:
    """Check a signed-in user's password (before changing it), throttled and recorded as a login
    is: a stolen session cannot be used to guess it."""

    def check(name: str) -> User | None:
        ok = user.check_password(password)
        record_attempt(name, address, ok)
        return user if ok else None

    return _throttled(user.username, address, check) is not None


def _throttled(username: str, address: str, check: Callable[[str], User | None]) -> User | None:
    username = username.strip().lower()[:64]
    for kind, subject in ((LockoutKind.ACCOUNT, username), (LockoutKind.ADDRESS, address)):
        serialised(_lock_key(kind, subject))  # always account first: no two requests wait in a cycle
    lockout = current(username, address)
    if lockout is not None:
        lockout.refused += 1
        raise LockedOut(lockout)
    user = check(username)
    if user is None:
        db.session.flush()
        _lock_out_at_limit(username, address)
    return user


def current(username: str, address: str) -> Lockout | None:
    """The lock-out barring this account or address now, if any."""
    return db.session.scalars(
        sa.select(Lockout)
        .where(Lockout.until > utcnow(),
               sa.or_(sa.and_(Lockout.kind == LockoutKind.ACCOUNT, Lockout.subject == username),
                      sa.and_(Lockout.kind == LockoutKind.ADDRESS, Lockout.subject == address)))
        .order_by(Lockout.until.desc()).limit(1)
    ).first()


def end(lockout: Lockout) -> None:
    """End a lock-out now (an administrator's decision, logged); its failures no longer count."""
    operations.update(lockout, {"until": utcnow()})


def _lock_out_at_limit(username: str, address: str) -> None:
    config = current_app.config
    window = timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"])
    limits = {LockoutKind.ACCOUNT: (LoginAttempt.username, username,
                                    config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]),
              LockoutKind.ADDRESS: (LoginAttempt.address, address,
                                    config["LOGIN_MAX_FAILURES_PER_ADDRESS"])}
    now = utcnow()
    for kind, (column, subject, limit) in limits.items():
        if _failures(kind, column, subject, now - window) >= limit:
            lockout = Lockout(kind=kind, subject=subject, failures=limit, until=now + window)
            db.session.add(lockout)
            db.session.flush()
            audit.record(AuditAction.CREATE, lockout, audit.diff({}, lockout.audit_snapshot()))


def _failures(kind: LockoutKind, column, subject: str, since) -> int:
    """Failed attempts since the window began, not counting those an earlier lock-out (of this
    account or address) already answered."""
    answered = sa.select(sa.func.max(Lockout.created_at)).where(
        Lockout.kind == kind, Lockout.subject == subject).scalar_subquery()
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(LoginAttempt).where(
            column == subject, LoginAttempt.success.is_(False), LoginAttempt.at >= since,
            sa.or_(answered.is_(None), LoginAttempt.at > answered))
    )


def _lock_key(kind: LockoutKind, subject: str) -> int:
    """A 64-bit advisory lock key for one account or address."""
    digest = hashlib.sha256(f"login:{kind.value}:{subject}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
