"""Login throttling: lock-outs per account and per address, recorded in the audit log, shown on the
administrator's Security page, and atomic under concurrent guessing."""

from __future__ import annotations

import os
import threading
import urllib.parse

import pytest
import sqlalchemy as sa

from registry.core import lockouts
from registry.core.models import AuditEntry, Lockout, LockoutKind, LoginAttempt
from registry.extensions import db
from tests.factories import PASSWORD
from tests.served import Browser, registry, served


def fail(client, username: str, times: int) -> list[int]:
    return [client.login(username, "not the password").status_code for _ in range(times)]


def test_reaching_the_limit_locks_the_account_out_as_an_audit_entry(app, client, users):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    assert fail(client, users["editor"], limit) == [401] * limit
    lockout = db.session.scalars(sa.select(Lockout)).one()
    assert (lockout.kind, lockout.subject, lockout.failures) == \
        (LockoutKind.ACCOUNT, users["editor"], limit)
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "lockouts")).one()
    assert entry.record_id == lockout.id and entry.changes["subject"] == [None, users["editor"]]
    # the right password is refused while it lasts, unchecked and unrecorded, but counted
    assert client.login(users["editor"]).status_code == 429
    assert client.login(users["editor"]).status_code == 429
    db.session.refresh(lockout)
    assert lockout.refused == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)) == limit


def test_an_address_is_locked_out_across_accounts(app, client, users):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    try:
        fail(client, "nobody-1", 1)
        fail(client, "nobody-2", 1)
        assert fail(client, "nobody-3", 1) == [401]
        assert client.login(users["viewer"]).status_code == 429
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 20
    lockout = db.session.scalars(sa.select(Lockout)).one()
    assert lockout.kind == LockoutKind.ADDRESS and lockout.subject == "127.0.0.1"


def test_an_administrator_ends_a_lock_out_and_its_failures_no_longer_count(app, client, users,
                                                                          as_role):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    fail(client, users["editor"], limit)
    lockout = db.session.scalars(sa.select(Lockout)).one()
    admin = as_role("admin")
    page = admin.get("/security/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert users["editor"] in text and "127.0.0.1" in text
    assert admin.post(f"/security/lockouts/{lockout.id}/end", form_url="/security/").status_code == 302
    assert client.login(users["editor"]).status_code == 302
    client.post("/logout", form_url="/")
    # one more failure starts counting afresh: no immediate new lock-out
    assert fail(client, users["editor"], 1) == [401]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Lockout)) == 1
    changes = db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.entity == "lockouts")).all()
    assert [action.value for action in changes] == ["create", "update"]


def test_the_security_page_and_lockout_entries_are_for_administrators(client, users):
    client.login(users["editor"])
    assert client.get("/security/").status_code == 403
    assert client.post("/security/lockouts/1/end", form_url="/").status_code == 403
    assert "lockouts" not in client.get("/audit/?entity=lockouts").get_data(as_text=True) \
        .split("<tbody>")[-1]


def test_lock_key_separates_accounts_from_addresses():
    assert lockouts._lock_key(LockoutKind.ACCOUNT, "10.0.0.1") != \
        lockouts._lock_key(LockoutKind.ADDRESS, "10.0.0.1")


GUESSES = 40


@pytest.mark.served
@pytest.mark.slow
def test_concurrent_wrong_logins_get_no_more_than_the_limit_checked(scratch, tmp_path):
    url = scratch("throttle")
    env = os.environ | {"REGISTRY_DATABASE_URL": url, "REGISTRY_SECRET_KEY": "throttle-test"}
    registry(env, "init")
    registry(env, "create-user", "target", "--role", "viewer", "--password-stdin",
             stdin=f"{PASSWORD}\n")
    with served(env, tmp_path / "server.log", workers=8) as base:
        ready = threading.Barrier(GUESSES)
        statuses: list[int] = []

        def guess(number: int) -> None:
            browser = Browser(base)
            body = urllib.parse.urlencode({"username": "target", "password": f"guess {number}",
                                           "csrf_token": browser.token("/login")}).encode()
            ready.wait()
            statuses.append(browser.request(
                "/login", body, {"Content-Type": "application/x-www-form-urlencoded"}).status)

        threads = [threading.Thread(target=guess, args=(n,)) for n in range(GUESSES)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        right = Browser(base)
        answer = right.post("/login", {"username": "target", "password": PASSWORD})
    log = (tmp_path / "server.log").read_text()
    assert sorted(statuses) == [401] * 5 + [429] * (GUESSES - 5), log[-3000:]
    assert answer.status == 429  # locked: the right password is not even checked
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        checked = connection.scalar(sa.text("SELECT count(*) FROM login_attempts"))
        refused = connection.scalar(sa.text("SELECT refused FROM lockouts"))
    engine.dispose()
    assert (checked, refused) == (5, GUESSES - 5 + 1)
