"""Services for user accounts: create, change role, status or e-mail address, set a password."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask_babel import gettext

from registry.consignees.identifiers import email as email_problem
from registry.core import audit, lockouts, operations
from registry.core.models import AuditAction, Language, Role, User
from registry.extensions import db

MIN_PASSWORD_LENGTH = 12
#: zxcvbn's score a password needs (0-4; 3: safe from an offline attack on a slow hash)
MIN_PASSWORD_SCORE = 3
#: zxcvbn judges this many characters at most; a longer password is judged by its beginning
JUDGED_LENGTH = 72


class UserError(ValueError):
    """A user account request that cannot be carried out, and the field it concerns."""

    def __init__(self, message: str, field: str = "username"):
        super().__init__(message)
        self.field = field


def random_password() -> str:
    return secrets.token_urlsafe(15)


def check_password_strength(password: str, username: str) -> None:
    """Refuse a short password, one holding the user name, and one easy to guess: common and
    breached passwords, words with a few changes, keyboard patterns, repeats, dates (zxcvbn)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(gettext("The password must have at least %(count)s characters.",
                                count=MIN_PASSWORD_LENGTH), "password")
    name = username.strip().lower()
    if name and (name in password.lower() if len(name) >= 3 else name == password.lower()):
        raise UserError(gettext("The password must not contain the user name."), "password")
    # its word lists are loaded only to judge a password: they add ~13 MiB to every process
    from zxcvbn import zxcvbn

    judged = zxcvbn(password[:JUDGED_LENGTH], user_inputs=[name])
    if judged["score"] < MIN_PASSWORD_SCORE:
        raise UserError(gettext("This password is too easy to guess: it is common or known from "
                                "breaches, or a word, pattern or repeat with few changes. Choose "
                                "a longer one, e.g. several unrelated words."), "password")


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
        raise UserError(str(problem or gettext("An e-mail address has at most 254 characters.")),
                        "email")
    holder = db.session.scalar(sa.select(User).where(User.email == value))
    if holder is not None and holder is not user:
        raise UserError(gettext("The e-mail address “%(address)s” belongs to the user “%(name)s”.",
                                address=value, name=holder.username), "email")
    return value


def create_user(username: str, role: Role, password: str, language: Language | None = None,
                email: str | None = None) -> User:
    """Create a user with a hashed password; refuses a taken name or e-mail address, or a short
    password."""
    username = username.strip()
    if not username or len(username) > 64:
        raise UserError(gettext("A user name has 1 to 64 characters."))
    if find(username) is not None:
        raise UserError(gettext("The user name “%(name)s” is already taken.", name=username))
    check_password_strength(password, username)
    email = clean_email(email)
    user = User(username=username, role=role, language=language, active=True, email=email)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(AuditAction.CREATE, user, audit.diff({}, {
        "username": username, "role": role.value, "active": True,
        "language": language.value if language else None, "email": email}))
    return user


def update_user(user: User, values: dict, by: User | None = None) -> dict:
    """Change role, status, language, e-mail address or single sign-on identity; any change of
    role or status ends the user's sessions, and a new e-mail address forgets the single sign-on
    identity (the next single sign-on with the new address links one again). An administrator
    (`by`) cannot take away their own administrator access."""
    values = dict(values)
    if by is not None and by.id == user.id and user.role == Role.ADMIN and (
            values.get("role", Role.ADMIN) != Role.ADMIN or values.get("active") is False):
        raise UserError(gettext("You cannot remove your own administrator access."), "role")
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
    check_password_strength(password, user.username)
    user.set_password(password)
    db.session.flush()
    audit.record(AuditAction.UPDATE, user, {"password": ["********", "(changed)"]})


def change_own_password(user: User, current: str, new: str, address: str) -> None:
    """A user's own new password, given with the current one: a wrong current password is
    throttled and recorded as a failed login is (callers commit it either way)."""
    try:
        confirmed = lockouts.confirm_password(user, current, address)
    except lockouts.LockedOut as locked:
        raise UserError(str(locked), "current") from None
    if not confirmed:
        raise UserError(gettext("This is not your current password."), "current")
    set_password(user, new)
