"""Login, logout, throttling of login attempts, and role checks on the server."""

from __future__ import annotations

import functools
import secrets
from functools import wraps

import sqlalchemy as sa
from flask import Flask, abort, current_app, flash, g, request, session
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from registry.core.model import utcnow
from registry.core.models import LoginAttempt, Role, User
from registry.extensions import db, login_manager

#: endpoints reachable without logging in
PUBLIC_ENDPOINTS = frozenset({"core.login", "core.login_sso", "core.login_sso_callback", "static"})
#: how often (seconds) a session's last activity is written back to its cookie
SEEN_EVERY = 60


def init_app(app: Flask) -> None:
    login_manager.login_view = "core.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    app.before_request(_expire_session)
    app.before_request(_require_login)


def start_session(user: User) -> None:
    """Log the user in with a new CSRF token (one issued before the login no longer works) and
    the times the server ends the session by."""
    login_user(user)
    session.pop("csrf_token", None)
    session["started_at"] = session["seen_at"] = _now()


def renew_session(user: User) -> None:
    """Keep this session (its CSRF token and times) under the user's new nonce, after a change
    that ended all the user's sessions, such as a new password."""
    login_user(user)


def end_session() -> None:
    """Log out, and forget the CSRF token."""
    logout_user()
    for key in ("csrf_token", "started_at", "seen_at"):
        session.pop(key, None)


def _now() -> int:
    return int(utcnow().timestamp())


def _expire_session():
    """End a session idle for REGISTRY_SESSION_IDLE_MINUTES or older than
    REGISTRY_SESSION_MAX_HOURS (a session from before these limits has no times: it ends); a
    request that sent a token (g.api_token) has no session to end."""
    if not current_user.is_authenticated or g.get("api_token") is not None:
        return None
    config, now = current_app.config, _now()
    started, seen = session.get("started_at"), session.get("seen_at")
    if started is None or seen is None or now - seen > config["SESSION_IDLE_MINUTES"] * 60 \
            or now - started > config["SESSION_MAX_HOURS"] * 3600:
        end_session()
        flash(gettext("Your session has ended; please log in again."), "info")
        return login_manager.unauthorized()
    if now - seen >= SEEN_EVERY:
        session["seen_at"] = now
    return None


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
    """Send a person to the login page; the API (its own blueprint) answers for itself."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.blueprint == "api" \
            or current_user.is_authenticated:
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


def record_attempt(username: str, address: str, success: bool) -> None:
    """Keep a login attempt (by password or single sign-on) for throttling."""
    db.session.add(LoginAttempt(username=username.strip().lower()[:64], address=address,
                                success=success))


def password_login_allowed(username: str) -> bool:
    """Whether a password may log this name in: any while REGISTRY_LOCAL_LOGIN is on, else only
    the break-glass accounts of REGISTRY_BREAK_GLASS_USERS."""
    config = current_app.config
    return config["LOCAL_LOGIN"] or username.strip().lower() in config["BREAK_GLASS_USERS"]


def authenticate(username: str, password: str, address: str,
                 admins_only: bool = False) -> User | None:
    """Check a password and record the attempt; None when wrong, or (admins_only, for the
    break-glass login) when the account is not an administrator's (lockouts.log_in throttles
    it)."""
    username = username.strip().lower()
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.username) == username))
    if user is None or not user.active or admins_only and user.role != Role.ADMIN:
        # check against a hash of the same kind anyway: an unknown name must cost what a wrong
        # password costs, or the time of the answer tells which accounts exist
        check_password_hash(_decoy(current_app.config["PASSWORD_HASH_METHOD"]), password)
        ok = False
    else:
        ok = user.check_password(password)
    record_attempt(username, address, ok)
    if ok:
        user.last_login_at = utcnow()
        return user
    return None


@functools.cache
def _decoy(method: str) -> str:
    """A hash of a random password, made with the method real passwords are hashed with."""
    return generate_password_hash(secrets.token_hex(16), method=method)
