"""Single sign-on with the registry served by gunicorn (two workers, on the suite's database kind)
and the test OpenID provider, used over HTTP as a browser uses them, with password login turned
off: an account found by its e-mail address signs in, a forged state is refused, passwords are
refused but for the break-glass administrator, whose login is logged."""

from __future__ import annotations

import os

import pytest
import requests

from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, running
from tests.served import Browser, free_port, registry, served

PASSWORD = "served-sso-password"


def at_provider(authorization_url: str, username: str) -> str:
    """Sign in on the provider's page; the path of the registry it sends the browser back to."""
    answer = requests.post(authorization_url, data={"username": username, "sign-in": "1"},
                           allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


@pytest.mark.served
def test_single_sign_on_and_the_break_glass_login_when_served(scratch, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running(tmp_path, [f"{base}/login/sso/callback"]) as provider:
        env = os.environ | {
            "REGISTRY_DATABASE_URL": scratch("sso"),
            "REGISTRY_SECRET_KEY": "served-sso",
            "REGISTRY_OIDC_ISSUER": provider.url,
            "REGISTRY_OIDC_CLIENT_ID": CLIENT_ID,
            "REGISTRY_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "REGISTRY_LOCAL_LOGIN": "0",
            "REGISTRY_BREAK_GLASS_USERS": "root",
        }
        registry(env, "init")
        for name, role, email in (("alice", "editor", "alice@example.co.jp"),
                                  ("root", "admin", "root@example.co.jp")):
            registry(env, "create-user", name, "--role", role, "--email", email,
                     "--password-stdin", stdin=f"{PASSWORD}\n")
        log = tmp_path / "server.log"
        with served(env, log, workers=2, port=port):
            alice = Browser(base)
            login = alice.get("/login")
            assert "Log in with single sign-on" in login.text and 'name="password"' not in login.text
            started = alice.get("/login/sso")
            assert started.status == 302 and "code_challenge_method=S256" in started.headers["Location"]
            back = alice.get(at_provider(started.headers["Location"], "alice").removeprefix(base))
            assert back.status == 302 and back.location == "/", log.read_text()[-3000:]
            home = alice.get("/")
            assert home.status == 200 and "alice (Editor)" in home.text

            forger = Browser(base)
            started = forger.get("/login/sso").headers["Location"]
            forged = at_provider(started, "alice").replace("state=", "state=x").removeprefix(base)
            refused = forger.get(forged)
            assert refused.status == 302 and refused.location == "/login"
            assert "belongs to no sign-in started here" in forger.get("/login").text
            assert forger.get("/").status == 302

            password = Browser(base)
            assert password.post("/login?password", {"username": "alice", "password": PASSWORD}
                                 ).status == 403
            assert password.get("/").status == 302
            admitted = password.post("/login?password", {"username": "root", "password": PASSWORD})
            assert admitted.status == 302
            assert "break-glass password" in password.get("/").text
    assert "Break-glass password login by root" in log.read_text()
