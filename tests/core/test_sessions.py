"""Sessions end on the server after REGISTRY_SESSION_IDLE_MINUTES without activity and after
REGISTRY_SESSION_MAX_HOURS in all; the CSRF token changes at login and logout (issue 15, 5-6)."""

from __future__ import annotations

import time

import pytest

from tests.conftest import CSRF_PATTERN


def _age(client, **seconds_ago: int) -> None:
    """Move the session's times into the past, as the server signed them into its cookie."""
    with client.http.session_transaction() as session:
        for key, ago in seconds_ago.items():
            session[key] = int(time.time()) - ago


@pytest.mark.parametrize("ages, ended", [
    ({"seen_at": 29 * 60}, False),
    ({"seen_at": 31 * 60}, True),
    ({"started_at": 11 * 3600}, False),
    ({"started_at": 13 * 3600}, True),
])
def test_a_session_ends_when_idle_or_too_old(app_ctx, as_role, ages, ended):
    viewer = as_role("viewer")
    _age(viewer, **ages)
    page = viewer.get("/purposes/")
    assert (page.status_code == 302 and "/login" in page.headers["Location"]) is ended


def test_a_session_from_before_the_limits_ends(app_ctx, as_role):
    """A cookie without the session's times (made before they were kept) is not honoured."""
    viewer = as_role("viewer")
    with viewer.http.session_transaction() as session:
        del session["started_at"], session["seen_at"]
    assert viewer.get("/purposes/").status_code == 302


def test_the_limits_are_settings(app, app_ctx, as_role):
    viewer = as_role("viewer")
    _age(viewer, seen_at=6 * 60)
    app.config["SESSION_IDLE_MINUTES"] = 5
    try:
        assert viewer.get("/purposes/").status_code == 302
    finally:
        app.config["SESSION_IDLE_MINUTES"] = 30


def test_the_csrf_token_changes_at_login_and_logout(app_ctx, client, users):
    before = CSRF_PATTERN.search(client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", {"username": users["editor"],
                                  "password": "correct horse battery staple"}).status_code == 302
    with client.http.session_transaction() as session:
        assert session.get("csrf_token") is None, "the token issued before the login is gone"
    stale = client.post("/purposes/new", {"code": "X1", "title": "古いトークン", "status": "active",
                                          "csrf_token": before}, csrf=False)
    assert stale.status_code == 400
    after = client.token("/purposes/new")
    assert after != before
    assert client.post("/logout", {}, form_url="/purposes/").status_code == 302
    with client.http.session_transaction() as session:
        assert session.get("csrf_token") is None
