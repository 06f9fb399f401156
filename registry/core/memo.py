"""Figures computed from the registry's records, remembered until the registry changes.

Every change writes an audit entry in its own transaction, so the newest entry (its id and time)
and the day tell whether a remembered figure still holds; a figure asked for again before the next
change costs one indexed lookup. Each process keeps its own (a few hundred figures, the oldest
forgotten first)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa

from registry.core import clock
from registry.core.models import AuditEntry
from registry.extensions import db

T = TypeVar("T")
KEPT = 512
_kept: OrderedDict[tuple, object] = OrderedDict()


def registry_state() -> tuple:
    """What every figure depends on: the database, its newest audit entry, and the day."""
    newest = db.session.execute(sa.select(AuditEntry.id, AuditEntry.at)
                                .order_by(AuditEntry.id.desc()).limit(1)).first()
    return str(db.engine.url), tuple(newest or ()), clock.today()


def remembered(key: tuple, compute: Callable[[], T]) -> T:
    """compute()'s value for the key, computed again only once the registry has changed. The
    value must be plain data, the same for every reader (no translated text, nothing per user)."""
    full = (registry_state(), *key)
    if full in _kept:
        _kept.move_to_end(full)
        return _kept[full]
    value = compute()
    _kept[full] = value
    while len(_kept) > KEPT:
        _kept.popitem(last=False)
    return value


def forget() -> None:
    """Forget every remembered figure, as a process just started does."""
    _kept.clear()
