"""Single sign-on against a real OpenID provider (tests/oidc_provider.py, run as a process of its
own): the registry's redirect carries state, nonce and a PKCE challenge (S256); the provider's
answer is checked (state, ID-token signature against the provider's JWKS, issuer, audience,
expiry, nonce); accounts are found by subject, else by verified e-mail address; the role claim;
password login turned off but for break-glass administrators. The registry runs in this process,
on the suite's database (SQLite or PostgreSQL), and talks to the provider over HTTP; the browser's
part (following redirects, signing in at the provider) is done with requests."""

from __future__ import annotations

import logging
import urllib.parse

import pytest
import requests
import sqlalchemy as sa

from registry import config, create_app
from registry.core import transactions
from registry.core import users as user_service
from registry.core.models import AuditEntry, LoginAttempt, Role, User
from registry.extensions import db
from tests.conftest import Client
from tests.factories import PASSWORD
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, MODES, running

CALLBACK = "http://localhost/login/sso/callback"
UNVERIFIED = "The answer of the identity provider could not be verified"
#: what the registry logs when it refuses an ID token the provider made faulty in each way
FAULTS = {"other-key": "BadSignatureError", "wrong-nonce": "'nonce'", "replay": "'nonce'",
          "wrong-audience": "'aud'", "wrong-issuer": "'iss'", "expired": "ExpiredTokenError"}


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    with running(tmp_path_factory.mktemp("provider"), [CALLBACK]) as provider:
        yield provider


@pytest.fixture(autouse=True)
def behaving(request):
    """The provider answers rightly again after a test that made it misbehave."""
    yield
    if "provider" in request.fixturenames:
        request.getfixturevalue("provider").misbehave("")


def registry_app(app, issuer: str, **settings):
    """The registry on the suite's database (migrated by app), signing in through issuer."""
    made = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "sso-test",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        **settings,
    })
    yield made
    with made.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def registry(app, provider):
    yield from registry_app(app, provider.url)


@pytest.fixture(scope="module")
def with_roles(app, provider):
    yield from registry_app(app, provider.url, OIDC_ROLE_CLAIM="roles")


@pytest.fixture(scope="module")
def passwords_off(app, provider):
    yield from registry_app(app, provider.url, LOCAL_LOGIN=False,
                            BREAK_GLASS_USERS=frozenset({"admin1", "editor1"}))


def start(client: Client) -> str:
    """The address at the provider that the single sign-on button leads to."""
    answer = client.get("/login/sso")
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return answer.headers["Location"]


def at_provider(authorization_url: str, username: str | None) -> str:
    """Sign in as username on the provider's page (deny without one); the address it sends the
    browser back to."""
    form = {"username": username, "sign-in": "1"} if username else {"deny": "1"}
    answer = requests.post(authorization_url, data=form, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def sign_in(client: Client, username: str | None):
    """Sign in with single sign-on as username; the registry's answer to the callback."""
    return client.get(at_provider(start(client), username))


def refusal(client: Client, answer) -> str:
    """The message the login page shows after a refused sign-in (and that nobody is logged in)."""
    assert answer.status_code == 302 and answer.headers["Location"] == "/login", \
        answer.get_data(as_text=True)
    page = client.get("/login").get_data(as_text=True)
    assert client.get("/").status_code == 302
    return page


def logged_in_as(client: Client) -> str:
    home = client.get("/")
    assert home.status_code == 200
    return home.get_data(as_text=True)


def account(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username == username))


def attempts(username: str) -> list[bool]:
    return db.session.scalars(sa.select(LoginAttempt.success)
                              .where(LoginAttempt.username == username)).all()


def make_user(name: str, role: Role = Role.VIEWER, **values) -> User:
    user = user_service.create_user(name, role, PASSWORD, email=values.pop("email", None))
    for key, value in values.items():
        setattr(user, key, value)
    db.session.commit()
    return user


def test_the_redirect_carries_state_nonce_and_a_pkce_challenge(app_ctx, registry, provider):
    url = start(Client(registry.test_client()))
    assert url.startswith(f"{provider.url}/authorize?")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["response_type"] == ["code"] and query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == [CALLBACK]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20
    again = urllib.parse.parse_qs(urllib.parse.urlsplit(start(Client(registry.test_client()))).query)
    assert {key: again[key] for key in ("state", "nonce", "code_challenge")} != \
        {key: query[key] for key in ("state", "nonce", "code_challenge")}


def test_the_provider_refuses_an_authorization_request_without_pkce(registry, app_ctx):
    url = start(Client(registry.test_client()))
    parts = urllib.parse.urlsplit(url)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if not k.startswith("code_")]
    bare = parts._replace(query=urllib.parse.urlencode(query)).geturl()
    answer = requests.post(bare, data={"username": "alice", "sign-in": "1"},
                           allow_redirects=False, timeout=10)
    assert answer.status_code == 400 and "PKCE is required" in answer.text


def test_a_verified_e_mail_address_finds_the_account_and_links_its_subject(app_ctx, registry,
                                                                          provider):
    alice = make_user("alice", Role.EDITOR, email="alice@example.co.jp")
    client = Client(registry.test_client())
    answer = sign_in(client, "alice")
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert "alice" in logged_in_as(client)
    db.session.refresh(alice)
    assert alice.oidc_subject == f"{provider.url} alice-sub"
    assert alice.role == Role.EDITOR  # no role claim: the registry's role stays
    assert alice.last_login_at is not None
    assert attempts("alice") == [True]
    linked = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.entity == "users", AuditEntry.record_id == alice.id,
        AuditEntry.action == "update"))
    assert linked.actor == "sso" and linked.changes == {
        "oidc_subject": [None, f"{provider.url} alice-sub"]}


def test_the_linked_subject_finds_the_account_first(app_ctx, registry, provider):
    make_user("a.linked", oidc_subject=f"{provider.url} alice-sub")
    make_user("a.mailbox", email="alice@example.co.jp")
    client = Client(registry.test_client())
    assert sign_in(client, "alice").headers["Location"] == "/"
    assert "a.linked" in logged_in_as(client)


def test_a_session_goes_on_to_the_page_asked_for(app_ctx, registry):
    make_user("alice", email="alice@example.co.jp")
    client = Client(registry.test_client())
    login = client.get("/purposes/?q=x")
    assert login.headers["Location"] == "/login?next=%2Fpurposes%2F%3Fq%3Dx"
    button = client.get(login.headers["Location"]).get_data(as_text=True)
    assert 'href="/login/sso?next=/purposes/?q%3Dx"' in button
    authorization_url = client.get("/login/sso?next=/purposes/?q%3Dx").headers["Location"]
    answer = client.get(at_provider(authorization_url, "alice"))
    assert answer.headers["Location"] == "/purposes/?q=x"


def test_an_unverified_e_mail_address_finds_no_account(app_ctx, registry):
    bob = make_user("bob", Role.ADMIN, email="bob@example.co.jp")
    client = Client(registry.test_client())
    page = refusal(client, sign_in(client, "mallory"))
    assert "There is no registry account for you" in page
    db.session.refresh(bob)
    assert bob.oidc_subject is None
    assert attempts("") == [False]  # mallory's address is not verified: it names no one


def test_entra_id_domain_verification_counts_as_verified(app_ctx, registry):
    make_user("entra", email="entra@example.co.jp")
    client = Client(registry.test_client())
    assert sign_in(client, "entra").headers["Location"] == "/"
    assert "entra" in logged_in_as(client)


def test_a_disabled_account_is_refused(app_ctx, registry):
    alice = make_user("alice", email="alice@example.co.jp", active=False)
    client = Client(registry.test_client())
    assert "Your registry account is disabled" in refusal(client, sign_in(client, "alice"))
    db.session.refresh(alice)
    assert alice.oidc_subject is None and attempts("alice") == [False]


def test_without_the_role_claim_an_unknown_person_is_refused(app_ctx, registry):
    client = Client(registry.test_client())
    page = refusal(client, sign_in(client, "newcomer"))
    assert "There is no registry account for you" in page
    assert account("newcomer@example.co.jp") is None
    assert attempts("newcomer@example.co.jp") == [False]


def test_an_account_linked_to_another_identity_is_not_taken_over(app_ctx, registry, provider):
    make_user("alice", email="alice@example.co.jp", oidc_subject=f"{provider.url} someone-else")
    client = Client(registry.test_client())
    assert "linked to another single sign-on identity" in refusal(client, sign_in(client, "alice"))


def test_with_the_role_claim_the_role_follows_it_and_newcomers_get_an_account(app_ctx,
                                                                             with_roles):
    alice = make_user("alice", Role.VIEWER, email="alice@example.co.jp")
    client = Client(with_roles.test_client())
    assert sign_in(client, "alice").headers["Location"] == "/"
    db.session.refresh(alice)
    assert alice.role == Role.EDITOR  # "registry-editor" among her roles
    changed = db.session.scalars(sa.select(AuditEntry.changes).where(
        AuditEntry.entity == "users", AuditEntry.record_id == alice.id, AuditEntry.actor == "sso"))
    assert any(c.get("role") == ["viewer", "editor"] for c in changed)

    newcomer = Client(with_roles.test_client())
    assert sign_in(newcomer, "newcomer").headers["Location"] == "/"
    created = account("newcomer@example.co.jp")
    assert created.role == Role.ADMIN  # viewer and admin: the highest
    assert created.email == "newcomer@example.co.jp" and created.oidc_subject.endswith(" newcomer-sub")
    assert newcomer.get("/users/").status_code == 200

    nobody = Client(with_roles.test_client())
    assert "grants you no role in the registry" in refusal(nobody, sign_in(nobody, "norole"))
    assert account("norole@example.co.jp") is None


def test_a_claim_without_a_role_refuses_even_an_existing_account(app_ctx, with_roles):
    make_user("norole", Role.ADMIN, email="norole@example.co.jp")
    client = Client(with_roles.test_client())
    assert "grants you no role" in refusal(client, sign_in(client, "norole"))


def test_an_unverified_address_never_names_a_new_account_after_someone_else(app_ctx, with_roles):
    make_user("bob@example.co.jp", Role.VIEWER)
    client = Client(with_roles.test_client())
    assert "exists already" in refusal(client, sign_in(client, "mallory"))


def test_a_denial_at_the_provider_is_said_on_the_login_page(app_ctx, registry):
    client = Client(registry.test_client())
    callback = at_provider(start(client), None)
    assert "error=access_denied" in callback
    assert "The identity provider did not sign you in" in refusal(client, client.get(callback))


def test_a_wrong_state_is_refused(app_ctx, registry):
    make_user("alice", email="alice@example.co.jp")
    client = Client(registry.test_client())
    callback = at_provider(start(client), "alice")
    forged = callback.replace("state=", "state=forged")
    assert "belongs to no sign-in started here" in refusal(client, client.get(forged))
    # an answer to a sign-in begun in another browser (a login CSRF) is refused alike
    victim = Client(registry.test_client())
    assert "belongs to no sign-in" in refusal(victim, victim.get(callback))
    assert attempts("") == [False, False]


def test_only_the_last_sign_in_started_in_a_browser_is_pending(app_ctx, registry):
    make_user("alice", email="alice@example.co.jp")
    client = Client(registry.test_client())
    first, second = start(client), start(client)
    assert "belongs to no sign-in" in refusal(client, client.get(at_provider(first, "alice")))
    assert client.get(at_provider(second, "alice")).headers["Location"] == "/"


def test_an_answer_is_used_once(app_ctx, registry):
    make_user("alice", email="alice@example.co.jp")
    client = Client(registry.test_client())
    callback = at_provider(start(client), "alice")
    assert client.get(callback).headers["Location"] == "/"
    client.post("/logout", form_url="/")
    assert "belongs to no sign-in" in refusal(client, client.get(callback))


@pytest.mark.parametrize("mode", MODES)
def test_a_faulty_id_token_is_refused(app_ctx, registry, provider, mode, caplog):
    """Signed with a key not in the provider's JWKS, a nonce other than the one sent (or an ID
    token of an earlier sign-in, whose nonce was another), another audience, another issuer,
    expired: each refused for that reason, nobody logged in."""
    make_user("alice", email="alice@example.co.jp")
    sign_in(Client(registry.test_client()), "alice")  # an earlier sign-in, for "replay"
    provider.misbehave(mode)
    client = Client(registry.test_client())
    with caplog.at_level(logging.WARNING):
        assert UNVERIFIED in refusal(client, sign_in(client, "alice"))
    assert FAULTS[mode] in caplog.text
    assert attempts("alice") == [True] and attempts("") == [False]


def test_a_discovery_document_of_another_issuer_is_refused(app, app_ctx, provider):
    """The discovery document must name the issuer it was fetched for (here the same provider
    is asked for as localhost, and answers as 127.0.0.1)."""
    for misnamed in registry_app(app, provider.url.replace("127.0.0.1", "localhost")):
        client = Client(misnamed.test_client())
        answer = client.get("/login/sso")
        assert answer.headers["Location"] == "/login"
        assert "Single sign-on is not set up correctly" in client.get("/login").get_data(as_text=True)


def test_an_unreachable_provider_is_said_on_the_login_page(app, app_ctx):
    from tests.served import free_port

    for unreachable in registry_app(app, f"http://127.0.0.1:{free_port()}"):
        client = Client(unreachable.test_client())
        assert client.get("/login/sso").headers["Location"] == "/login"
        assert "cannot be reached" in client.get("/login").get_data(as_text=True)


def test_the_callback_writes_in_one_transaction(registry):
    """On SQLite it takes the write lock at once, on PostgreSQL it does not run in autocommit."""
    with registry.test_request_context("/login/sso/callback?code=x&state=y"):
        assert transactions.intends_to_write()
    with registry.test_request_context("/login/sso"):
        assert not transactions.intends_to_write()


def test_without_single_sign_on_there_is_no_button_and_no_endpoint(client):
    assert "single sign-on" not in client.get("/login").get_data(as_text=True)
    assert client.get("/login/sso").status_code == 404
    assert client.get("/login/sso/callback?code=x&state=y").status_code == 404


def test_with_password_login_off_only_break_glass_administrators_use_passwords(
        app_ctx, passwords_off, users, caplog):
    client = Client(passwords_off.test_client())
    page = client.get("/login").get_data(as_text=True)
    assert "Log in with single sign-on" in page and 'name="password"' not in page
    assert 'name="password"' in client.get("/login?password").get_data(as_text=True)

    refused = client.post("/login?password", {"username": users["viewer"], "password": PASSWORD})
    assert refused.status_code == 403
    assert "Password login is turned off" in refused.get_data(as_text=True)
    assert attempts(users["viewer"]) == [False]
    # listed, but not an administrator: no break-glass (the same answer as a wrong password)
    listed = client.post("/login?password", {"username": users["editor"], "password": PASSWORD})
    assert listed.status_code == 401 and attempts(users["editor"]) == [False]
    assert client.get("/").status_code == 302

    with caplog.at_level(logging.WARNING):
        admitted = client.post("/login?password", {"username": users["admin"],
                                                   "password": PASSWORD})
    assert admitted.status_code == 302
    assert "break-glass" in logged_in_as(client)  # the warning, flashed on the next page
    assert f"Break-glass password login by {users['admin']}" in caplog.text


def test_password_login_off_needs_single_sign_on(monkeypatch, tmp_path):
    monkeypatch.setenv("REGISTRY_LOCAL_LOGIN", "0")
    monkeypatch.delenv("REGISTRY_OIDC_ISSUER", raising=False)
    with pytest.raises(ValueError, match="REGISTRY_LOCAL_LOGIN=0 needs single sign-on"):
        config.from_environment(tmp_path)
    monkeypatch.setenv("REGISTRY_OIDC_ISSUER", "http://idp.example.co.jp")
    with pytest.raises(ValueError, match="must be an https:// address"):
        config.from_environment(tmp_path)
    monkeypatch.setenv("REGISTRY_OIDC_ISSUER", "https://idp.example.co.jp/")
    with pytest.raises(ValueError, match="needs REGISTRY_OIDC_CLIENT_ID"):
        config.from_environment(tmp_path)
    monkeypatch.setenv("REGISTRY_OIDC_CLIENT_ID", "registry")
    monkeypatch.setenv("REGISTRY_OIDC_CLIENT_SECRET", "s3cret")
    monkeypatch.setenv("REGISTRY_BREAK_GLASS_USERS", "Admin, root")
    settings = config.from_environment(tmp_path)
    assert settings["OIDC_ISSUER"] == "https://idp.example.co.jp/"  # as the provider names it
    assert settings["LOCAL_LOGIN"] is False
    assert settings["BREAK_GLASS_USERS"] == {"admin", "root"}
    monkeypatch.setenv("REGISTRY_LOCAL_LOGIN", "no")
    with pytest.raises(ValueError, match="must be 0 or 1"):
        config.from_environment(tmp_path)
