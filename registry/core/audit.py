"""Writing the audit log: every change records who, when, which record and each field's old and new value."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from flask import g, has_request_context
from flask_login import current_user

from registry.core.model import Record, named
from registry.core.models import AuditAction, AuditEntry, Role
from registry.extensions import db


def act_as(actor: str, role: Role = Role.ADMIN) -> None:
    """Name the actor of changes made outside a request (the CLI), and the role they act with
    (whoever runs the command line holds the database: an administrator)."""
    g.actor = actor
    g.role = role
    g.request_id = uuid.uuid4().hex


def current_actor() -> str:
    """The user's name in a request (api:<name> when a token sent it), else the command line's."""
    if has_request_context() and current_user.is_authenticated:
        return f"api:{current_user.username}" if g.get("api_token") is not None \
            else current_user.username
    return g.get("actor", "system")


def current_role() -> Role:
    """The role the rules judge a change by: the user's in a request (none for an anonymous
    one), else the command line's (act_as), an administrator's by default."""
    if has_request_context():
        if current_user.is_authenticated:
            return Role(current_user.role) if current_user.active else Role.VIEWER
        return Role.VIEWER
    return g.get("role", Role.ADMIN)


def request_id() -> str:
    if "request_id" not in g:
        g.request_id = uuid.uuid4().hex
    return g.request_id


def diff(before: dict, after: dict) -> dict[str, list]:
    """{field: [old, new]} for each field whose value differs."""
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


@contextmanager
def in_batch(batch_id: int) -> Iterator[None]:
    """Changes recorded inside belong to an import batch (and are reverted with it)."""
    g.batch_id = batch_id
    try:
        yield
    finally:
        g.pop("batch_id")


def record(action: AuditAction, obj: Record, changes: dict[str, list]) -> AuditEntry:
    """Add one audit entry for obj to the session (obj must have its id, i.e. be flushed)."""
    entry = AuditEntry(
        actor=current_actor(),
        action=action,
        entity=obj.__tablename__,
        record_id=obj.id,
        record_label=named(obj)[:255],
        changes=changes,
        request_id=request_id(),
        batch_id=g.get("batch_id"),
    )
    db.session.add(entry)
    return entry
