"""Generic create / update / delete services: change the data, flush, and log the change."""

from __future__ import annotations

from typing import TypeVar

import sqlalchemy as sa

from registry.core import audit
from registry.core.model import Record, utcnow
from registry.core.models import AuditAction
from registry.extensions import db

T = TypeVar("T", bound=Record)


def create(model: type[T], values: dict) -> T:
    """Create a record from plain values and log every field set."""
    obj = model(**coerce(model, values))
    db.session.add(obj)
    db.session.flush()
    audit.record(AuditAction.CREATE, obj, audit.diff({}, _non_empty(obj.audit_snapshot())))
    return obj


def update(obj: Record, values: dict) -> dict[str, list]:
    """Apply values to obj; log and return {field: [old, new]} (empty when nothing changed)."""
    before = obj.audit_snapshot()
    for key, value in coerce(type(obj), values).items():
        setattr(obj, key, value)
    changes = audit.diff(before, obj.audit_snapshot())
    if changes:
        obj.updated_at = utcnow()  # the row is written, and its revision raised, even when only
        db.session.flush()         # its links (e.g. an entrustment's categories) changed
        audit.record(AuditAction.UPDATE, obj, changes)
    return changes


def delete(obj: Record) -> None:
    """Delete obj, logging the values it had."""
    audit.record(AuditAction.DELETE, obj, audit.diff(_non_empty(obj.audit_snapshot()), {}))
    db.session.delete(obj)
    db.session.flush()


def coerce(model: type[Record], values: dict) -> dict:
    """Values with choice strings turned into their enumeration members."""
    columns = sa.inspect(model).columns
    result = dict(values)
    for key, value in values.items():
        kind = columns[key].type if key in columns else None
        if isinstance(value, str) and isinstance(kind, sa.Enum) and kind.enum_class is not None:
            result[key] = kind.enum_class(value)
    return result


def _non_empty(snapshot: dict) -> dict:
    return {k: v for k, v in snapshot.items() if v not in (None, "", [])}
