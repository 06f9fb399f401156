"""Giving and withdrawing waivers; each change goes to the audit log."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from registry.compliance.catalogue import Check
from registry.compliance.engine import context
from registry.compliance.models import Waiver
from registry.core import audit, clock, operations
from registry.extensions import db


def offending_label(check: Check, subject_id: int) -> str | None:
    """The record's label when it offends the check today, else None."""
    found = check.query(context()).subquery()
    subject, label, _ = found.c
    return db.session.scalar(sa.select(label).where(subject == subject_id))


def waive(check: Check, subject_id: int, label: str, reason: str, expires_on: date) -> Waiver:
    """Accept one open result until expires_on."""
    return operations.create(Waiver, {
        "check_code": check.code, "subject_id": subject_id, "subject_label": label[:255],
        "reason": reason, "waived_on": clock.today(), "expires_on": expires_on,
        "waived_by": audit.current_actor(),
    })


def withdraw(waiver: Waiver) -> None:
    """End a waiver today; the result it covered is open again."""
    operations.update(waiver, {"withdrawn_on": clock.today()})


def standing(ids: list[int] | None = None) -> list[Waiver]:
    """Waivers in force today (those of ids only, when given), the soonest to expire first."""
    query = sa.select(Waiver).where(Waiver.in_force(clock.today()))
    if ids is not None:
        query = query.where(Waiver.id.in_(ids))
    return db.session.scalars(query.order_by(Waiver.expires_on, Waiver.id)).all()
