"""Single sign-on in a real browser: Playwright drives Debian's chromium through the real
redirects between the served registry (on the suite's database kind, with the role claim) and
the test OpenID provider, a process of its own: the button on the login page, the provider's
sign-in page, and back to the registry logged in, as the account with the person's verified
e-mail address, or, for someone the registry does not know, as a new account with the role
the claim maps."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser import _watch_console
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, running
from tests.served import free_port, registry, served

pytestmark = pytest.mark.browser


def _single_sign_on(page: Page, base: str, provider_url: str, username: str) -> None:
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/login"))
    page.get_by_role("link", name="Log in with single sign-on").click()
    expect(page).to_have_url(re.compile(re.escape(f"{provider_url}/authorize?")))
    page.fill("#username", username)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")


def test_single_sign_on_through_the_real_redirects(page: Page, scratch, tmp_path) -> None:
    console_errors = _watch_console(page)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running(tmp_path, [f"{base}/login/sso/callback"]) as provider:
        env = os.environ | {
            "REGISTRY_DATABASE_URL": scratch("sso_browser"),
            "REGISTRY_SECRET_KEY": "browser-sso",
            "REGISTRY_OIDC_ISSUER": provider.url,
            "REGISTRY_OIDC_CLIENT_ID": CLIENT_ID,
            "REGISTRY_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "REGISTRY_OIDC_ROLE_CLAIM": "roles",
        }
        registry(env, "init")
        registry(env, "create-user", "alice", "--role", "viewer", "--email",
                 "alice@example.co.jp", "--password-stdin", stdin="browser-sso-password\n")
        with served(env, tmp_path / "server.log", port=port):
            _single_sign_on(page, base, provider.url, "alice")
            expect(page.locator(".who")).to_have_text("alice (Editor)")  # registry-editor
            page.screenshot(path=str(tmp_path / "signed-in.png"), full_page=True)

            page.get_by_role("button", name="Log out").click()
            expect(page.locator(".flash")).to_contain_text("You have logged out")
            _single_sign_on(page, base, provider.url, "newcomer")
            expect(page.locator(".who")).to_have_text("newcomer@example.co.jp (Administrator)")
            page.get_by_role("link", name="Users").click()
            expect(page.locator("table.list")).to_contain_text("newcomer@example.co.jp")

            page.get_by_role("button", name="Log out").click()
            page.get_by_role("link", name="Log in with single sign-on").click()
            page.get_by_role("button", name="Deny").click()
            expect(page).to_have_url(f"{base}/login")
            expect(page.locator(".flash.error")).to_have_text(
                "The identity provider did not sign you in.")
    assert console_errors == []
