"""Who a mail goes to: an owner as the records write it (a user name or an e-mail address), and
the compliance officer who gets the weekly digest."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from registry.core.models import Role, User
from registry.extensions import db

ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class Recipient:
    address: str
    #: the user's name, else the address
    name: str
    #: ja or en: the user's language, else REGISTRY_MAIL_LANGUAGE
    language: str


def resolve(owners: Iterable[str]) -> dict[str, Recipient]:
    """Each owner that can be reached, by the text the records give (in one statement): a user
    name of an active user with an e-mail address, or an e-mail address (a user's, whose
    language it takes, or anyone's). Owners left out cannot be reached."""
    texts = {owner.strip() for owner in owners if owner and owner.strip()}
    keys = {text.lower() for text in texts}
    users = db.session.scalars(sa.select(User).where(
        User.active.is_(True), User.email.is_not(None),
        sa.or_(sa.func.lower(User.username).in_(keys), User.email.in_(keys)))).all() if keys else []
    by_key = {user.username.lower(): user for user in users}
    by_key.update({user.email: user for user in users})
    default = current_app.config["MAIL_LANGUAGE"]
    found = {}
    for text in texts:
        user = by_key.get(text.lower())
        if user is not None:
            language = user.language.value if user.language else default
            found[text] = Recipient(user.email, user.username, language)
        elif ADDRESS.fullmatch(text):
            found[text] = Recipient(text, text, default)
    return found


def officers() -> list[Recipient]:
    """Who gets the weekly digest: REGISTRY_COMPLIANCE_OFFICER (user names or addresses),
    else every active administrator with an e-mail address."""
    named = current_app.config["COMPLIANCE_OFFICER"]
    if named:
        reached = resolve(named)
        return [reached[text] for text in named if text in reached]
    admins = db.session.scalars(sa.select(User.username).where(
        User.active.is_(True), User.role == Role.ADMIN, User.email.is_not(None))
        .order_by(User.username)).all()
    reached = resolve(admins)
    return [reached[name] for name in admins if name in reached]
