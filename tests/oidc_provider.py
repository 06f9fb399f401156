"""A small OpenID provider for the single sign-on tests, built with Authlib's server side:
discovery, JWKS (an RSA key made at start), an authorization endpoint with a sign-in form where a
person types a user name (or denies), and a token endpoint that issues signed ID tokens. Every
client must use PKCE with S256, as Entra ID, Google and Okta can be set to require.

It runs as a process of its own, `python -m tests.oidc_provider PORT CONFIG.json`, the config
naming the client (id, secret, redirect URIs) and the people with their claims. For the tests that
the registry refuses bad answers, `POST /test/misbehave` with `mode=` one of MODES makes the
following ID tokens faulty (an empty mode behaves again)."""

from __future__ import annotations

import hmac
import json
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin, InvalidRequestError, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.models import AuthorizationCodeMixin
from flask import Flask, jsonify, request
from joserfc.jwk import KeySet, RSAKey
from markupsafe import escape

ROOT = Path(__file__).resolve().parent.parent
KID = "provider-key"
CLIENT_ID = "registry"
CLIENT_SECRET = "registry-client-secret"
#: the people the provider signs in, by the user name typed on its sign-in page, with their claims
PEOPLE = {
    "alice": {"sub": "alice-sub", "email": "Alice@Example.co.jp", "email_verified": True,
              "preferred_username": "alice", "roles": ["registry-editor", "sales"]},
    "mallory": {"sub": "mallory-sub", "email": "bob@example.co.jp", "email_verified": False,
                "roles": "registry-admin"},
    "newcomer": {"sub": "newcomer-sub", "email": "newcomer@example.co.jp", "email_verified": True,
                 "roles": ["viewer", "admin"]},
    "norole": {"sub": "norole-sub", "email": "norole@example.co.jp", "email_verified": True,
               "roles": ["sales"]},
    "entra": {"sub": "entra-sub", "email": "entra@example.co.jp", "xms_edov": True},
}
#: how the provider can misbehave: sign with a key that is not in its JWKS (under the same key
#: id), send a nonce other than the one asked for, send again the ID token of the sign-in
#: before, address the token to another client, name another issuer, send an expired token
MODES = ("other-key", "wrong-nonce", "replay", "wrong-audience", "wrong-issuer", "expired")
SIGN_IN_PAGE = """<!doctype html><html><head><title>Test identity provider</title>
<link rel="icon" href="data:,"></head><body>
<h1>Test identity provider</h1>{message}
<form method="post" action="{action}">
<label for="username">User name</label> <input id="username" name="username" autofocus>
<button type="submit" name="sign-in" value="1">Sign in</button>
<button type="submit" name="deny" value="1">Deny</button>
</form></body></html>"""


@dataclass
class Client(ClientMixin):
    """The one client: the registry."""

    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        return " ".join(s for s in scope.split() if s in ("openid", "email", "profile"))

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return hmac.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Code(AuthorizationCodeMixin):
    """An authorization code waiting to be exchanged."""

    code: str
    client_id: str
    redirect_uri: str
    scope: str
    person: dict
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None


@dataclass
class State:
    """What the provider knows: its keys, codes, the nonces it has seen, how it misbehaves."""

    issuer: str
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": KID}))
    other_key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": KID}))
    codes: dict[str, Code] = field(default_factory=dict)
    nonces: set[str] = field(default_factory=set)
    mode: str = ""
    last_id_token: str | None = None


class S256Required(CodeChallenge):
    """PKCE with S256 for every client, confidential ones too."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        if grant.request.payload.data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE is required: code_challenge with "
                                      "code_challenge_method=S256")
        super().validate_code_challenge(grant, redirect_uri)


def create_app(port: int, config: dict) -> Flask:
    app = Flask(__name__)
    app.config["SESSION_COOKIE_NAME"] = "provider_session"  # cookies are shared across ports
    state = State(issuer=f"http://127.0.0.1:{port}")
    client = Client(config["client_id"], config["client_secret"], config["redirect_uris"])
    people: dict[str, dict] = config["people"]

    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

        def save_authorization_code(self, code, request):
            data = request.payload.data
            state.nonces.add(data.get("nonce"))
            state.codes[code] = Code(code, request.client.client_id, request.payload.redirect_uri,
                                     request.scope, request.user, data.get("nonce"),
                                     data.get("code_challenge"), data.get("code_challenge_method"))

        def query_authorization_code(self, code, client):
            found = state.codes.get(code)
            return found if found and found.client_id == client.client_id else None

        def delete_authorization_code(self, authorization_code):
            state.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code):
            return authorization_code.person

    class OpenID(OpenIDCode):
        def exists_nonce(self, nonce, request):
            return nonce in state.nonces

        def resolve_client_private_key(self, client):
            return state.other_key if state.mode == "other-key" else state.key

        def get_client_algorithm(self, client):
            return "RS256"

        def get_encode_header(self, client):
            return {"alg": "RS256", "kid": KID}

        def get_client_claims(self, client):
            now = int(time.time())
            claims = {"iss": state.issuer, "aud": [client.get_client_id()], "iat": now,
                      "exp": now + 300}
            if state.mode == "wrong-audience":
                claims["aud"] = ["another-client"]
            elif state.mode == "wrong-issuer":
                claims["iss"] = "http://127.0.0.1:9/another-issuer"
            elif state.mode == "expired":
                claims.update(iat=now - 3600, exp=now - 1800)
            return claims

        def get_authorization_code_claims(self, authorization_code):
            claims = super().get_authorization_code_claims(authorization_code)
            if state.mode == "wrong-nonce":
                claims["nonce"] = "not-the-nonce-asked-for"
            return claims

        def generate_user_info(self, user, scope):
            return UserInfo(user)

        def encode_id_token(self, token, request):
            fresh = super().encode_id_token(token, request)
            before, state.last_id_token = state.last_id_token, fresh
            return before if state.mode == "replay" and before else fresh

    server = AuthorizationServer(app, query_client=lambda client_id: client
                                 if client_id == client.client_id else None,
                                 save_token=lambda token, request: None)
    server.register_grant(CodeGrant, [OpenID(require_nonce=True), S256Required(required=True)])

    @app.get("/.well-known/openid-configuration")
    def discovery():
        return jsonify({
            "issuer": state.issuer,
            "authorization_endpoint": f"{state.issuer}/authorize",
            "token_endpoint": f"{state.issuer}/token",
            "jwks_uri": f"{state.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        })

    @app.get("/jwks")
    def jwks():
        return jsonify(KeySet([state.key]).as_dict(private=False))

    @app.route("/authorize", methods=["GET", "POST"])
    def authorize():
        person = people.get(request.form.get("username", ""))
        try:
            grant = server.get_consent_grant(end_user=person)
        except OAuth2Error as error:
            return f"{error.error}: {error.description}", 400
        if request.method == "POST" and (person is not None or request.form.get("deny")):
            return server.create_authorization_response(grant_user=person, grant=grant)
        message = "<p>Unknown user name.</p>" if request.method == "POST" else ""
        return SIGN_IN_PAGE.format(message=message, action=escape(request.full_path))

    @app.post("/token")
    def token():
        return server.create_token_response()

    @app.post("/test/misbehave")
    def misbehave():
        mode = request.form.get("mode", "")
        if mode and mode not in MODES:
            return f"unknown mode {mode!r}", 400
        state.mode = mode
        return "", 204

    return app



@dataclass(frozen=True)
class Provider:
    """A running test provider, as a test uses it."""

    url: str

    def misbehave(self, mode: str) -> None:
        """Make the following ID tokens faulty (one of MODES), or right again ("")."""
        body = urllib.parse.urlencode({"mode": mode}).encode()
        with urllib.request.urlopen(f"{self.url}/test/misbehave", body, timeout=10) as answer:
            assert answer.status == 204


@contextmanager
def running(folder: Path, redirect_uris: list[str]) -> Iterator[Provider]:
    """Run the provider on a free port (its log in folder) for the registry at redirect_uris."""
    from tests.served import _stop, _wait_until_up, free_port  # not in the provider's process

    port = free_port()
    config = folder / "provider.json"
    config.write_text(json.dumps({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                                  "redirect_uris": redirect_uris, "people": PEOPLE}))
    log = folder / "provider.log"
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "tests.oidc_provider", str(port),
                                    str(config)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{url}/.well-known/openid-configuration", process, log)
        yield Provider(url)
    finally:
        _stop(process)


if __name__ == "__main__":
    port = int(sys.argv[1])
    with open(sys.argv[2]) as file:
        provider = create_app(port, json.load(file))
    provider.run(host="127.0.0.1", port=port, threaded=True)
