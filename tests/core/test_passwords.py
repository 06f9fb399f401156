"""Password policy (length, not the user name, not easy to guess) through every way in, and the
page where users change their own password."""

from __future__ import annotations

import subprocess

import pytest
import sqlalchemy as sa

from registry.core import users as user_service
from registry.core.models import AuditEntry, LoginAttempt, Role, User
from registry.extensions import db
from tests.factories import PASSWORD
from tests.served import REGISTRY

WEAK = {
    "password1234": "too easy to guess",        # a common password
    " " * 12: "too easy to guess",              # repeats
    "qwertyuiop12": "too easy to guess",        # a keyboard row
    "1234567890ab": "too easy to guess",        # a sequence
    "P@ssw0rd1234": "too easy to guess",        # a common word with substitutions
}
STRONG = "tangerine orbit lantern 48"


@pytest.mark.parametrize("password", list(WEAK))
def test_easy_passwords_are_refused(app_ctx, password):
    with pytest.raises(user_service.UserError, match=WEAK[password]) as refused:
        user_service.create_user("carol", Role.VIEWER, password)
    assert refused.value.field == "password"


def test_a_password_holding_the_user_name_is_refused(app_ctx):
    for password in ("hiroshi.tanaka", "my-HIROSHI.TANAKA-secret-99"):
        with pytest.raises(user_service.UserError, match="user name"):
            user_service.create_user("hiroshi.tanaka", Role.VIEWER, password)
    user = user_service.create_user("hiroshi.tanaka", Role.VIEWER, STRONG)
    with pytest.raises(user_service.UserError, match="user name"):
        user_service.set_password(user, "Hiroshi.Tanaka 2026 ok!")


def test_the_admin_form_shows_the_refusal_beside_the_password(as_role):
    admin = as_role("admin")
    response = admin.post("/users/new", {"username": "dave", "role": "viewer",
                                         "password": "password1234", "confirm": "password1234"})
    assert response.status_code == 200
    assert "too easy to guess" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.username == "dave")) is None


def test_the_admin_edit_form_refuses_a_weak_password_without_saving_anything(as_role, users):
    admin = as_role("admin")
    viewer = db.session.scalar(sa.select(User).where(User.username == users["viewer"]))
    response = admin.post(f"/users/{viewer.id}/edit", {
        "role": "editor", "active": "y", "password": users["viewer"] + "-123456",
        "confirm": users["viewer"] + "-123456"})
    assert response.status_code == 200
    assert "must not contain the user name" in response.get_data(as_text=True)
    db.session.expire_all()
    assert viewer.role == Role.VIEWER and viewer.check_password(PASSWORD)


def test_the_command_line_refuses_a_weak_password(fresh_env):
    subprocess.run([str(REGISTRY), "init"], env=fresh_env, check=True, capture_output=True)
    made = subprocess.run([str(REGISTRY), "create-user", "erin", "--role", "viewer",
                           "--password-stdin"], env=fresh_env, input="password1234\n",
                          capture_output=True, text=True)
    assert made.returncode != 0
    assert "too easy to guess" in made.stderr + made.stdout


def test_users_change_their_own_password_and_their_other_sessions_end(app, as_role, users):
    other = as_role("viewer")
    mine = as_role("viewer")
    page = mine.get("/account/password")
    assert page.status_code == 200 and "Current password" in page.get_data(as_text=True)

    wrong = mine.post("/account/password", {"current": "not my password", "password": STRONG,
                                            "confirm": STRONG})
    assert "not your current password" in wrong.get_data(as_text=True)
    weak = mine.post("/account/password", {"current": PASSWORD, "password": "password1234",
                                           "confirm": "password1234"})
    assert "too easy to guess" in weak.get_data(as_text=True)

    changed = mine.post("/account/password", {"current": PASSWORD, "password": STRONG,
                                              "confirm": STRONG})
    assert changed.status_code == 302
    assert mine.get("/").status_code == 200      # this session goes on
    assert other.get("/").status_code == 302     # the other one has ended
    viewer = db.session.scalar(sa.select(User).where(User.username == users["viewer"]))
    db.session.refresh(viewer)
    assert viewer.check_password(STRONG)
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.entity == "users", AuditEntry.record_id == viewer.id)
        .order_by(AuditEntry.id.desc())).first()
    assert entry.changes == {"password": ["********", "(changed)"]} and entry.actor == viewer.username
    # the wrong current password counted as a failed login of the account
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt).where(
        LoginAttempt.username == users["viewer"], LoginAttempt.success.is_(False))) == 1


def test_guessing_the_current_password_locks_the_account_out(app, as_role, users):
    mine = as_role("viewer")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        mine.post("/account/password", {"current": "a guess at it", "password": STRONG,
                                        "confirm": STRONG})
    locked = mine.post("/account/password", {"current": PASSWORD, "password": STRONG,
                                              "confirm": STRONG})
    assert "Too many failed attempts" in locked.get_data(as_text=True)
    viewer = db.session.scalar(sa.select(User).where(User.username == users["viewer"]))
    db.session.refresh(viewer)
    assert viewer.check_password(PASSWORD)
