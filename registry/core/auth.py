"""Login, logout, throttling of login attempts, and role checks on the server."""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

import sqlalchemy as sa
from flask import Flask, abort, current_app, request
from flask_login import current_user

from registry.core.model import utcnow
from registry.core.models import LoginAttempt, Role, User
from registry.extensions import db, login_manager

#: endpoints reachable without logging in
PUBLIC_ENDPOINTS = frozenset({"core.login", "static"})


def init_app(app: Flask) -> None:
    login_manager.login_view = "core.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    app.before_request(_require_login)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Find the user of a session; a changed nonce (logout, role change, disabling) ends it."""
    user_id, _, nonce = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_nonce != nonce:
        return None
    return user


def _require_login():
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    return login_manager.unauthorized()


def role_required(role: Role):
    """Refuse (403) users below role; the check runs on the server for every request."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated or not current_user.can(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def client_address() -> str:
    return (request.remote_addr or "unknown")[:64]


def locked_out(username: str, address: str) -> bool:
    """Whether too many recent failures for this account or address bar another attempt."""
    config = current_app.config
    since = utcnow() - timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"])
    failures = sa.select(
        sa.func.count().filter(LoginAttempt.username == username),
        sa.func.count().filter(LoginAttempt.address == address),
    ).where(
        LoginAttempt.at >= since,
        LoginAttempt.success.is_(False),
        sa.or_(LoginAttempt.username == username, LoginAttempt.address == address),
    )
    by_account, by_address = db.session.execute(failures).one()
    return (
        by_account >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        or by_address >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    )


def authenticate(username: str, password: str, address: str) -> User | None:
    """Check a password and record the attempt; None when wrong (callers check locked_out first)."""
    username = username.strip().lower()
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.username) == username))
    ok = user is not None and user.active and user.check_password(password)
    db.session.add(LoginAttempt(username=username[:64], address=address, success=ok))
    if ok:
        user.last_login_at = utcnow()
        return user
    return None
