"""A user's e-mail address (single sign-on finds accounts by it): one rule for the form, the
command line and the service; a new address forgets the linked single sign-on identity."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from registry.cli import cli
from registry.core import users as user_service
from registry.core.models import AuditEntry, Role, User
from registry.extensions import db
from tests.factories import PASSWORD


def by_name(name: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == name))


def test_the_address_is_stored_lower_cased_and_must_be_an_address_of_one_user(app_ctx):
    alice = user_service.create_user("alice", Role.EDITOR, PASSWORD, email=" Alice@Example.CO.JP ")
    assert alice.email == "alice@example.co.jp"
    with pytest.raises(user_service.UserError, match="belongs to the user “alice”") as taken:
        user_service.create_user("bob", Role.VIEWER, PASSWORD, email="ALICE@example.co.jp")
    assert taken.value.field == "email"
    with pytest.raises(user_service.UserError, match="Expected an e-mail address"):
        user_service.create_user("bob", Role.VIEWER, PASSWORD, email="bob at example")
    bob = user_service.create_user("bob", Role.VIEWER, PASSWORD, email="")
    assert bob.email is None
    with pytest.raises(user_service.UserError, match="belongs to the user"):
        user_service.update_user(bob, {"email": "alice@example.co.jp"})
    user_service.update_user(alice, {"email": "alice@example.co.jp"})  # her own: no change
    assert alice.email == "alice@example.co.jp"


def test_a_new_address_forgets_the_single_sign_on_identity(app_ctx):
    user = user_service.create_user("carol", Role.VIEWER, PASSWORD, email="carol@example.co.jp")
    user_service.update_user(user, {"oidc_subject": "https://idp.example 123"})
    user_service.update_user(user, {"email": "carol@example.co.jp", "role": Role.EDITOR})
    assert user.oidc_subject == "https://idp.example 123"
    user_service.update_user(user, {"email": "carol.new@example.co.jp"})
    assert user.oidc_subject is None
    changes = db.session.scalars(sa.select(AuditEntry.changes).where(
        AuditEntry.entity == "users", AuditEntry.record_id == user.id)).all()
    assert {"email": ["carol@example.co.jp", "carol.new@example.co.jp"],
            "oidc_subject": ["https://idp.example 123", None]} in changes


def test_an_administrator_sets_the_address_in_the_forms(app_ctx, as_role):
    admin = as_role("admin")
    created = admin.post("/users/new", {"username": "dave", "email": "Dave@Example.co.jp",
                                        "role": "viewer", "password": PASSWORD, "confirm": PASSWORD})
    assert created.status_code == 302
    dave = by_name("dave")
    assert dave.email == "dave@example.co.jp"
    assert "dave@example.co.jp" in admin.get("/users/").get_data(as_text=True)
    refused = admin.post(f"/users/{dave.id}/edit", {"email": "not an address", "role": "viewer",
                                                    "active": "y"})
    assert refused.status_code == 200
    assert "Expected an e-mail address" in refused.get_data(as_text=True)
    taken = admin.post("/users/new", {"username": "eve", "email": "dave@example.co.jp",
                                      "role": "viewer", "password": PASSWORD, "confirm": PASSWORD})
    assert "belongs to the user “dave”" in taken.get_data(as_text=True)
    assert by_name("eve") is None
    saved = admin.post(f"/users/{dave.id}/edit", {"email": "", "role": "viewer", "active": "y"})
    assert saved.status_code == 302
    db.session.refresh(dave)
    assert dave.email is None


def test_create_user_takes_an_address_on_the_command_line(app, app_ctx):
    runner = app.test_cli_runner()
    args = ["create-user", "frank", "--role", "viewer", "--email", "Frank@Example.co.jp",
            "--password-stdin"]
    assert runner.invoke(cli, args, input=f"{PASSWORD}\n").exit_code == 0
    assert by_name("frank").email == "frank@example.co.jp"
    again = runner.invoke(cli, ["create-user", "grace", "--role", "viewer", "--email",
                                "frank@example.co.jp", "--password-stdin"], input=f"{PASSWORD}\n")
    assert again.exit_code == 1 and "belongs to the user “frank”" in again.output
