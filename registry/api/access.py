"""Who an API request acts as: the user of the bearer token it sends, within the token's scope
and the user's role. The browser's session never reaches /api/v1 (no cookie, no CSRF)."""

from __future__ import annotations

from flask import g, request
from flask_babel import gettext
from flask_login import current_user

from registry.api import tokens
from registry.api.models import ApiToken, Scope
from registry.api.problems import Refused
from registry.core.models import Role
from registry.extensions import login_manager

#: the methods that read; any other needs a token of the write scope
READING = frozenset({"GET", "HEAD", "OPTIONS"})


@login_manager.request_loader
def token_user(req):
    """The user of a usable `Authorization: Bearer` token sent to the API (flask-login asks when
    the request has no session); the token is kept in g.api_token."""
    if not req.path.startswith("/api/"):
        return None
    scheme, _, secret = req.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    token = tokens.find(secret.strip())
    if token is None:
        return None
    g.api_token = token
    return token.user


def token() -> ApiToken | None:
    current_user.is_authenticated  # noqa: B018  (loads the request's user, and its token)
    return g.get("api_token")


def require_token() -> ApiToken:
    """The request's token, else 401; 403 for a change asked with a read token."""
    found = token()
    if found is None:
        sent = "Authorization" in request.headers
        raise Refused(401, gettext("The token is unknown, expired or revoked.") if sent else
                      gettext("Send a personal access token: Authorization: Bearer <token>."),
                      headers={"WWW-Authenticate": 'Bearer realm="registry"'
                               + (', error="invalid_token"' if sent else "")})
    if request.method not in READING and found.scope is not Scope.WRITE:
        raise Refused(403, gettext("This token may only read; changes need a token of the write scope."))
    tokens.used(found)
    return found


def require_role(role: Role, what: str) -> None:
    """403 unless the token's user holds role (their role bounds what the token does)."""
    if not current_user.can(role):
        raise Refused(403, gettext("Your role (%(role)s) may not change %(records)s.",
                              role=str(Role(current_user.role).label), records=what))


def rate_key() -> str:
    """What the rate limit counts: the token (the client's address for a request without one)."""
    found = token()
    return f"token:{found.id}" if found is not None else f"address:{request.remote_addr}"
