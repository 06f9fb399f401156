"""Single sign-on with OpenID Connect (Authlib): the redirect to the identity provider, the checks
of its answer, and the registry account the answer signs in."""

from __future__ import annotations

import requests
import sqlalchemy as sa
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from authlib.integrations.flask_client.apps import FlaskOAuth2App
from flask import Flask, current_app, request, session
from flask_babel import gettext
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from registry.core import audit, auth, users
from registry.core.model import utcnow
from registry.core.models import Role, User
from registry.extensions import db

#: what the registry asks the identity provider for: an ID token with the e-mail address
SCOPES = "openid email profile"
#: the session keys under which Authlib keeps a pending sign-in's state, nonce and PKCE verifier
PENDING = "_state_sso_"
#: seconds the registry waits for the identity provider's discovery document, keys and tokens
PROVIDER_TIMEOUT = 10
#: the values of the role claim (REGISTRY_OIDC_ROLE_CLAIM) that grant a role, case aside; the
#: highest role granted wins
ROLE_VALUES = {prefix + role.value: role for role in Role for prefix in ("", "registry-")}


class Refused(Exception):
    """A single sign-on the registry does not accept; the message is for the person signing in,
    username names the account (or e-mail address) the attempt is recorded under."""

    def __init__(self, message: str, username: str = ""):
        super().__init__(message)
        self.username = username


def init_app(app: Flask) -> None:
    """Register the identity provider of REGISTRY_OIDC_ISSUER, found through its discovery
    document; PKCE (S256) on every sign-in."""
    issuer = app.config["OIDC_ISSUER"]
    if not issuer:
        return
    OAuth(app).register(
        "sso",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{issuer.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={"scope": SCOPES, "code_challenge_method": "S256",
                       "default_timeout": PROVIDER_TIMEOUT},
    )


def enabled() -> bool:
    return bool(current_app.config["OIDC_ISSUER"])


def _client() -> FlaskOAuth2App:
    client = current_app.extensions["authlib.integrations.flask_client"].create_client("sso")
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        current_app.logger.error("Single sign-on: the discovery document cannot be read: %s", error)
        raise Refused(gettext("The identity provider cannot be reached. Please try again later.")) \
            from error
    if metadata.get("issuer") != current_app.config["OIDC_ISSUER"]:
        # OpenID Connect Discovery 1.0, section 4.3: the issuer must be the one asked
        current_app.logger.error("Single sign-on: the discovery document names the issuer %r, "
                                 "not REGISTRY_OIDC_ISSUER", metadata.get("issuer"))
        raise Refused(gettext("Single sign-on is not set up correctly. Please tell an administrator."))
    return client


def redirect_to_provider(callback_url: str) -> Response:
    """The redirect that starts a sign-in at the identity provider; its state, nonce and PKCE
    verifier wait in this browser's session, in place of any sign-in started before (which keeps
    the session cookie small however often the button is pressed)."""
    client = _client()
    for key in [key for key in session if key.startswith(PENDING)]:
        del session[key]
    return client.authorize_redirect(callback_url)


def verified_claims() -> dict:
    """The claims of the ID token the identity provider's answer brings, once the state matches
    the sign-in this browser started, the code was exchanged with its PKCE verifier, and the ID
    token's signature (the provider's JWKS), issuer, audience, expiry and nonce are right."""
    client = _client()
    config = current_app.config
    try:
        token = client.authorize_access_token(claims_options={
            "iss": {"essential": True, "value": config["OIDC_ISSUER"]},
            "aud": {"essential": True, "value": config["OIDC_CLIENT_ID"]},
            "exp": {"essential": True},
            "sub": {"essential": True},
        })
    except OAuthError as error:
        current_app.logger.warning("Single sign-on refused: %s", error)
        if request.args.get("error"):  # access_denied, or any other the provider sends back
            raise Refused(gettext("The identity provider did not sign you in.")) from error
        if error.error == "mismatching_state":
            raise Refused(gettext("This answer of the identity provider belongs to no sign-in "
                                  "started here. Please log in again.")) from error
        raise Refused(_unverified()) from error
    except (JoseError, requests.RequestException, ValueError) as error:
        current_app.logger.warning("Single sign-on refused: the ID token failed its checks: %r",
                                   error)
        raise Refused(_unverified()) from error
    if not token.get("userinfo"):  # an answer without an ID token
        current_app.logger.warning("Single sign-on refused: the answer has no ID token")
        raise Refused(_unverified())
    return dict(token["userinfo"])


def _unverified() -> str:
    return gettext("The answer of the identity provider could not be verified. Please log in again.")


def account_for(claims: dict) -> User:
    """The account verified claims sign in: the one linked to their subject, else the one whose
    e-mail address they give as verified (which is then linked). With REGISTRY_OIDC_ROLE_CLAIM
    the claim sets the role, and someone without an account gets one; without it, only existing
    accounts sign in, with their registry role. Refused for a disabled account, and for anyone
    without an account or (with the role claim) a role."""
    config = current_app.config
    subject = f"{config['OIDC_ISSUER']} {claims['sub']}"
    email = _verified_email(claims)
    role = _role(claims) if config["OIDC_ROLE_CLAIM"] else None
    audit.act_as("sso")  # the actor of the changes single sign-on makes to accounts
    user = db.session.scalar(sa.select(User).where(User.oidc_subject == subject))
    if user is None and email:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is not None and user.oidc_subject is not None:
            raise Refused(gettext("The registry account with your e-mail address is linked to "
                                  "another single sign-on identity. Please ask an administrator."),
                          user.username)
    if user is None:
        if role is None:
            raise Refused(gettext("There is no registry account for you. Please ask an "
                                  "administrator to add one with your e-mail address."),
                          email or "")
        user = _create(claims, email, role)
    if not user.active:
        raise Refused(gettext("Your registry account is disabled."), user.username)
    changes = {"oidc_subject": subject}
    if role is not None:
        changes["role"] = role
    users.update_user(user, changes)
    return user


def _verified_email(claims: dict) -> str | None:
    """The e-mail address, lower-cased, when the provider says it verified it: email_verified, or
    Entra ID's xms_edov (the tenant owns the address's domain) when it sends no email_verified."""
    email = claims.get("email")
    verified = claims.get("email_verified", claims.get("xms_edov"))
    if isinstance(email, str) and email.strip() and verified in (True, "true"):
        return email.strip().lower()
    return None


def _role(claims: dict) -> Role:
    values = claims.get(current_app.config["OIDC_ROLE_CLAIM"])
    values = [values] if isinstance(values, str) else values if isinstance(values, list) else []
    granted = [ROLE_VALUES[value.lower()] for value in values
               if isinstance(value, str) and value.lower() in ROLE_VALUES]
    if not granted:
        raise Refused(gettext("Your identity provider grants you no role in the registry."),
                      str(claims.get("email") or ""))
    return max(granted, key=list(Role).index)


def _create(claims: dict, email: str | None, role: Role) -> User:
    """A new account named by the e-mail address (else the preferred user name); it has a random
    password nobody is told."""
    name = claims.get("email") or claims.get("preferred_username")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 64:
        raise Refused(gettext("The identity provider sent no user name the registry can use."))
    name = name.strip()
    if users.find(name) is not None:
        raise Refused(gettext("A registry account named “%(name)s” exists already. Please ask an "
                              "administrator to give it your e-mail address.", name=name), name)
    return users.create_user(name, role, users.random_password(), email=email)


def sign_in(address: str) -> User:
    """Check the identity provider's answer and find its account; the attempt is recorded either
    way (Refused when it signs nobody in)."""
    try:
        user = account_for(verified_claims())
    except Refused as refusal:
        db.session.rollback()
        auth.record_attempt(refusal.username, address, success=False)
        raise
    auth.record_attempt(user.username, address, success=True)
    user.last_login_at = utcnow()
    return user
