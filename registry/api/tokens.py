"""Services for personal access tokens: make one (shown once), find the one a request sends,
list and revoke them. Who may do what: a user manages their own tokens, an administrator
anyone's; a token never does more than its user's role allows."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy import orm as so

from registry.api.models import ApiToken, Scope
from registry.core import audit, clock
from registry.core.model import utcnow
from registry.core.models import AuditAction, Role, User
from registry.extensions import db

#: what every token starts with, so that a secret scanner (and a person) knows one when seen
PREFIX = "reg_"
#: the characters of a token kept in the clear to tell tokens apart
SHOWN = 12
NAME_MAX = 80
#: the longest a token may last
MAX_DAYS = 3660


class TokenError(ValueError):
    """A token request that cannot be carried out, and the field it concerns."""

    def __init__(self, message: str, field: str = "name"):
        super().__init__(message)
        self.field = field


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(user: User, name: str, scope: Scope, days: int | None) -> tuple[ApiToken, str]:
    """A new token for user (the caller commits); returns it with its secret, which is not kept."""
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise TokenError(gettext("Give the token a name of 1 to %(max)s characters.", max=NAME_MAX))
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise TokenError(gettext("A token lasts from 1 to %(max)s days.", max=MAX_DAYS), "days")
    if not user.active:
        raise TokenError(gettext("The user “%(name)s” is disabled.", name=user.username), "user")
    if db.session.scalar(sa.select(ApiToken.id).where(ApiToken.user_id == user.id,
                                                      ApiToken.name == name)):
        raise TokenError(gettext("“%(user)s” already has a token named “%(name)s”.",
                                 user=user.username, name=name))
    if scope is Scope.WRITE and user.role is Role.VIEWER:
        raise TokenError(gettext("A viewer may not change records: a write token would not "
                                 "write anything."), "scope")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, user=user, scope=scope, prefix=secret[:SHOWN],
                     digest=digest(secret),
                     expires_on=None if days is None else clock.today() + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    audit.record(AuditAction.CREATE, token, {
        "name": [None, name], "user": [None, user.username], "scope": [None, scope.value],
        "expires_on": [None, token.expires_on and token.expires_on.isoformat()]})
    return token, secret


def usable(token: ApiToken) -> bool:
    return (token.revoked_at is None and token.user.active
            and (token.expires_on is None or token.expires_on >= clock.today()))


def find(secret: str) -> ApiToken | None:
    """The usable token whose secret this is."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(sa.select(ApiToken).options(so.joinedload(ApiToken.user))
                              .where(ApiToken.digest == digest(secret)))
    return token if token is not None and usable(token) else None


def used(token: ApiToken) -> None:
    """Note the token's use, at most once a minute (a busy program writes no row a request)."""
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        db.session.execute(sa.update(ApiToken).where(ApiToken.id == token.id)
                           .values(last_used_at=now))
        db.session.commit()


def revoke(token: ApiToken) -> None:
    """End a token now (the caller commits); revoking it again changes nothing."""
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    audit.record(AuditAction.UPDATE, token, {"revoked_at": [None, token.revoked_at.isoformat()]})


def visible_to_all() -> sa.Select:
    """Every token, by user and name."""
    return sa.select(ApiToken).join(ApiToken.user).options(so.contains_eager(ApiToken.user)) \
        .order_by(User.username, ApiToken.name)


def visible(user: User) -> sa.Select:
    """The tokens a user sees and may revoke: their own, and everyone's for an administrator."""
    query = visible_to_all()
    return query if user.can(Role.ADMIN) else query.where(ApiToken.user_id == user.id)


def owned(user: User, token_id: int) -> ApiToken | None:
    return db.session.scalar(visible(user).where(ApiToken.id == token_id))


def state(token: ApiToken) -> str:
    """Active, expired or revoked, as the Tokens page and `registry token list` say it."""
    if token.revoked_at is not None:
        return gettext("revoked")
    if token.expires_on is not None and token.expires_on < clock.today():
        return gettext("expired")
    return gettext("active")
