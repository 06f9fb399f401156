"""Services for user accounts: create, change role or status, set a password."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from registry.core import audit, operations
from registry.core.models import AuditAction, Language, Role, User
from registry.extensions import db

MIN_PASSWORD_LENGTH = 12


class UserError(ValueError):
    """A user account request that cannot be carried out."""


def random_password() -> str:
    return secrets.token_urlsafe(15)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")


def find(username: str) -> User | None:
    return db.session.scalar(
        sa.select(User).where(sa.func.lower(User.username) == username.strip().lower())
    )


def create_user(username: str, role: Role, password: str,
                language: Language | None = None) -> User:
    """Create a user with a hashed password; refuses a taken name or a short password."""
    username = username.strip()
    if not username or len(username) > 64:
        raise UserError("A user name has 1 to 64 characters.")
    if find(username) is not None:
        raise UserError(f"The user name “{username}” is already taken.")
    check_password_strength(password)
    user = User(username=username, role=role, language=language, active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(AuditAction.CREATE, user, audit.diff({}, {
        "username": username, "role": role.value, "active": True,
        "language": language.value if language else None}))
    return user


def update_user(user: User, values: dict) -> dict:
    """Change role, status or language; any change of role or status ends the user's sessions."""
    changes = operations.update(user, values)
    if {"role", "active"} & changes.keys():
        user.end_sessions()
    return changes


def set_password(user: User, password: str) -> None:
    """Replace the password (ending every session) and log that it changed."""
    check_password_strength(password)
    user.set_password(password)
    db.session.flush()
    audit.record(AuditAction.UPDATE, user, {"password": ["********", "(changed)"]})
