"""Login, sessions, throttling, roles and the security headers."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.core import users as user_service
from registry.core.models import LoginAttempt, Role, User
from registry.extensions import db
from tests.conftest import Client
from tests.factories import PASSWORD


def test_every_page_requires_login(app, client):
    skipped = {"core.login", "core.login_sso", "core.login_sso_callback", "static"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in skipped or "GET" not in rule.methods:
            continue
        url = rule.rule.replace("<int:id>", "1").replace("<kind>", "employees")
        response = client.get(url)
        if _program(rule):
            assert response.status_code == 401 and response.mimetype == "application/problem+json", url
            continue
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login"), url


def _program(rule) -> bool:
    """An address a program uses (the API) answers 401 where a page sends a person to log in."""
    return rule.endpoint.startswith("api.") and rule.endpoint != "api.docs"


def test_post_endpoints_require_login(app, client):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and rule.endpoint != "core.login":
            url = rule.rule.replace("<int:id>", "1").replace("<kind>", "employees")
            response = client.post(url, {}, form_url="/login")
            assert response.status_code == (401 if _program(rule) else 302), url


def test_login_and_logout_ends_the_session(app_ctx, client, users):
    response = client.login(users["viewer"])
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    cookie = client.http.get_cookie("session")
    assert client.post("/logout", form_url="/").status_code == 302
    assert client.get("/").status_code == 302
    # replaying the old session cookie does not bring the session back
    client.http.set_cookie("session", cookie.value)
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused(client, users):
    response = client.login(users["viewer"], "wrong password!")
    assert response.status_code == 401
    assert "Wrong user name or password" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_throttled_per_account(app, client, users):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        assert client.login(users["editor"], "not the password").status_code == 401
    response = client.login(users["editor"])  # right password, but locked out
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)
    # another account from another address is not affected
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    response = Client(other).login(users["viewer"])
    assert response.status_code == 302, response.get_data(as_text=True)


def test_behind_a_reverse_proxy_attempts_count_against_the_forwarded_address(app, database_url):
    """With REGISTRY_TRUSTED_PROXIES, the client's address is the one the proxy forwards (else every
    user behind the proxy would share one lock-out); without it, the header is not trusted."""
    proxied = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "p", "TRUSTED_PROXIES": 1})
    for served_app, name in ((proxied, "proxied"), (app, "direct")):
        client = served_app.test_client()
        client.environ_base["REMOTE_ADDR"] = "10.0.0.2"  # the proxy
        Client(client).post("/login", {"username": name, "password": "guess"},
                            headers={"X-Forwarded-For": "203.0.113.7"})
    addresses = dict(db.session.execute(sa.select(LoginAttempt.username, LoginAttempt.address)
                                        .where(LoginAttempt.username.in_(["proxied", "direct"]))).all())
    assert addresses == {"proxied": "203.0.113.7", "direct": "10.0.0.2"}
    with proxied.app_context():
        db.engine.dispose()


def test_login_throttled_per_address(app, client, users):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    for n in range(limit):
        client.login(f"nobody{n}", "guess")
    assert client.login(users["viewer"]).status_code == 429


def test_disabled_user_loses_access_on_next_request(app_ctx, as_role, users):
    viewer = as_role("viewer")
    assert viewer.get("/").status_code == 200
    user_service.update_user(users_by_name(users["viewer"]), {"active": False})
    db.session.commit()
    assert viewer.get("/").status_code == 302


def test_lowered_role_takes_effect_on_next_request(app_ctx, as_role, users):
    editor = as_role("editor")
    assert editor.get("/purposes/new").status_code == 200
    user_service.update_user(users_by_name(users["editor"]), {"role": Role.VIEWER})
    db.session.commit()
    # the session ends; logging in again gives the lower role
    assert editor.get("/purposes/new").status_code == 302
    editor.login(users["editor"])
    assert editor.get("/purposes/new").status_code == 403


def test_open_redirect_after_login_is_refused(client, users):
    response = client.post("/login?next=//evil.example/x",
                           {"username": users["viewer"], "password": PASSWORD}, form_url="/login")
    assert response.headers["Location"] == "/"


def test_csrf_token_required(client, users):
    response = client.post("/login", {"username": users["viewer"], "password": PASSWORD},
                           csrf=False)
    assert response.status_code == 400
    editor_client = client
    editor_client.login(users["editor"])
    response = editor_client.post("/purposes/new", {"code": "X1", "title": "t",
                                                    "status": "active"}, csrf=False)
    assert response.status_code == 400


def test_security_headers_and_cookie_flags(client, users):
    response = client.login(users["viewer"])
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["Cache-Control"] == "no-store"  # pages of a logged-in user are not kept
    # the one script is a static file: no code inline
    assert re.findall(r"<script[^>]*>[^<]*", page.get_data(as_text=True)) == [
        '<script src="/static/layout.js">']


def test_passwords_are_hashed(app_ctx, users):
    user = users_by_name(users["admin"])
    assert PASSWORD not in user.password_hash
    assert user.check_password(PASSWORD)


def test_short_password_refused(app_ctx):
    with pytest.raises(user_service.UserError, match="at least"):
        user_service.create_user("shorty", Role.VIEWER, "short")


def users_by_name(name: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == name))


def test_an_administrator_cannot_take_away_their_own_administrator_access(app_ctx, users):
    admin = users_by_name(users["admin"])
    for values in ({"role": Role.EDITOR}, {"active": False}):
        with pytest.raises(user_service.UserError, match="own administrator access") as refused:
            user_service.update_user(admin, values, by=admin)
        assert refused.value.field == "role"
    other = user_service.create_user("second-admin", Role.ADMIN, "another-long-passphrase-9")
    user_service.update_user(admin, {"role": Role.EDITOR}, by=other)
    assert admin.role == Role.EDITOR


def test_the_user_form_refuses_taking_away_ones_own_administrator_access(app_ctx, as_role):
    admin = as_role("admin")
    me = users_by_name("admin1")
    refused = admin.post(f"/users/{me.id}/edit", {"email": "", "role": "editor", "active": "y"})
    assert refused.status_code == 200
    assert "You cannot remove your own administrator access." in refused.get_data(as_text=True)
    db.session.refresh(me)
    assert me.role == Role.ADMIN
