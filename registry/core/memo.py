"""Figures and pages computed from the registry's records, remembered until the registry changes.

Every change writes an audit entry in its own transaction, so the newest entry (data_version) and
the day tell whether a remembered value still holds; a value asked for again before the next
change costs one indexed lookup. Each process keeps its own (a few hundred values, the oldest
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


def data_version() -> tuple:
    """Where the registry's data stands: every change writes an audit entry, so the newest one
    (its id and time) changes with every change committed. On PostgreSQL an entry is numbered
    when written, not when committed, so a transaction still writing may commit an entry numbered
    below the newest: the transactions in progress are part of it there (one of them ending
    changes it)."""
    newest = sa.select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1).scalar_subquery()
    columns = [newest, sa.select(AuditEntry.at).where(AuditEntry.id == newest).scalar_subquery()]
    if db.engine.dialect.name == "postgresql":
        snapshot = sa.cast(sa.func.pg_current_snapshot(), sa.Text)
        columns.append(sa.func.split_part(snapshot, ":", 3))
    found = tuple(db.session.execute(sa.select(*columns)).one())  # one round trip a page
    return (str(db.engine.url), *found)


def remembered(key: tuple, compute: Callable[[], T]) -> T:
    """compute()'s value for the key, computed again only once the registry has changed. The
    value is shared by every reader asking with the same key: what it shows in a language or for
    a role (a rendered page) must have that language and role in the key."""
    full = (data_version(), clock.today(), *key)
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
