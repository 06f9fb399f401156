"""Services for user accounts: create, change role, status or e-mail address, set a password."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from registry.consignees.identifiers import email as email_problem
from registry.core import audit, operations
from registry.core.models import AuditAction, Language, Role, User
from registry.extensions import db

MIN_PASSWORD_LENGTH = 12


class UserError(ValueError):
    """A user account request that cannot be carried out, because of the value of field."""

    def __init__(self, message: str, field: str = "username"):
        super().__init__(message)
        self.field = field


def random_password() -> str:
    return secrets.token_urlsafe(15)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.",
                        "password")


def find(username: str) -> User | None:
    return db.session.scalar(
        sa.select(User).where(sa.func.lower(User.username) == username.strip().lower())
    )


def clean_email(value: str | None, user: User | None = None) -> str | None:
    """An e-mail address as stored (trimmed, lower-cased; None for none); refuses one that is
    not an address or that another user has."""
    value = (value or "").strip().lower()
    if not value:
        return None
    problem = email_problem(value)
    if problem is not None or len(value) > 254:
        raise UserError(str(problem or "An e-mail address has at most 254 characters."), "email")
    holder = db.session.scalar(sa.select(User).where(User.email == value))
    if holder is not None and holder is not user:
        raise UserError(f"The e-mail address “{value}” belongs to the user “{holder.username}”.",
                        "email")
    return value


def create_user(username: str, role: Role, password: str, language: Language | None = None,
                email: str | None = None) -> User:
    """Create a user with a hashed password; refuses a taken name or e-mail address, or a short
    password."""
    username = username.strip()
    if not username or len(username) > 64:
        raise UserError("A user name has 1 to 64 characters.")
    if find(username) is not None:
        raise UserError(f"The user name “{username}” is already taken.")
    check_password_strength(password)
    email = clean_email(email)
    user = User(username=username, role=role, language=language, active=True, email=email)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(AuditAction.CREATE, user, audit.diff({}, {
        "username": username, "role": role.value, "active": True,
        "language": language.value if language else None, "email": email}))
    return user


def update_user(user: User, values: dict) -> dict:
    """Change role, status, language, e-mail address or single sign-on identity; any change of
    role or status ends the user's sessions, and a new e-mail address forgets the single sign-on
    identity (the next single sign-on with the new address links one again)."""
    values = dict(values)
    if "email" in values:
        values["email"] = clean_email(values["email"], user)
        if values["email"] != user.email:
            values["oidc_subject"] = None
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
