"""Figures and pages computed from the registry's records, remembered until the registry changes.

Every change writes an audit entry in its own transaction, so the newest entry (data_version) and
the day tell whether a remembered value still holds; a value asked for again before the next
change costs one indexed lookup. A value may instead be remembered until one of the tables it was
computed from changes (remembered_each): the newest entry about each table's records tells. Each
process keeps its own (a few hundred values, the oldest forgotten first)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import TypeVar

import sqlalchemy as sa

from registry.core import clock
from registry.core.model import Record
from registry.core.models import AuditEntry
from registry.extensions import db

T = TypeVar("T")
KEPT = 512
#: what a value reading a table no audit entry tells of depends on: any change at all
ANY = "*"
_kept: OrderedDict[tuple, object] = OrderedDict()
#: the tables each value of remembered_each was last computed from, by its key
_read: dict[tuple, frozenset[str]] = {}
#: marks the statement that reads where the tables stand, which a value does not depend on
VERSIONS = {"memo_versions": True}
#: the sets of tables being gathered by reading(), innermost last
_readers: ContextVar[tuple[set[str], ...]] = ContextVar("readers", default=())


def data_version() -> tuple:
    """Where the registry's data stands: every change writes an audit entry, so the newest one
    (its id and time) changes with every change committed. On PostgreSQL an entry is numbered
    when written, not when committed, so a transaction still writing may commit an entry numbered
    below the newest: the transactions in progress are part of it there (one of them ending
    changes it)."""
    found = tuple(db.session.execute(sa.select(*_newest(), *_in_progress())).one())  # one round trip
    return (str(db.engine.url), *found)


def _newest(*where) -> list[sa.ScalarSelect]:
    """The newest audit entry (among those matching where): its id and time (the time tells two
    databases that reuse a number apart, as a test's rolled-back one and the next)."""
    newest = sa.select(AuditEntry.id).where(*where).order_by(AuditEntry.id.desc()).limit(1)
    return [newest.scalar_subquery(),
            sa.select(AuditEntry.at).where(AuditEntry.id == newest.scalar_subquery()).scalar_subquery()]


def _in_progress() -> list[sa.ColumnElement]:
    """On PostgreSQL, the transactions in progress (see data_version); nothing elsewhere."""
    if db.engine.dialect.name != "postgresql":
        return []
    return [sa.func.split_part(sa.cast(sa.func.pg_current_snapshot(), sa.Text), ":", 3)]


@cache
def audited() -> tuple[str, ...]:
    """The tables whose every change writes an audit entry naming them: the records'."""
    return tuple(sorted(mapper.local_table.name for mapper in db.Model.registry.mappers
                        if issubclass(mapper.class_, Record)))


def table_versions() -> dict[str, tuple]:
    """Where each audited table's records stand: the newest audit entry about one of them, with
    the transactions in progress on PostgreSQL (as data_version), and where the registry stands
    (ANY); one statement, two index probes a table."""
    tables = audited()
    found = db.session.execute(sa.select(
        *(column for table in tables for column in _newest(AuditEntry.entity == table)),
        *_newest(), *_in_progress()).execution_options(**VERSIONS)).one()
    rest = tuple(found[2 * len(tables) + 2:])
    return {table: (*found[2 * i:2 * i + 2], *rest)
            for i, table in enumerate((*tables, ANY))}


@cache
def depending(table: sa.Table) -> frozenset[str]:
    """The audited tables whose entries tell of a change to this table's rows: its own (when its
    records are audited), and those of every table it refers to, and so on, since a delete there
    may cascade here or empty a reference without an entry of this table's own (and a link table's
    rows change with their records'). A table that no audited one tells of depends on ANY."""
    found = {table.name} & set(audited())
    for key in table.foreign_keys:
        if key.column.table is not table:
            found |= depending(key.column.table)
    return frozenset(found or {ANY})


@contextmanager
def reading() -> Iterator[set[str]]:
    """The audited tables that the statements run inside (and those added to the set) depend on,
    with those of the remembered values used inside."""
    tables: set[sa.Table] = set()
    read: set[str] = set()

    def seen(state) -> None:
        if not state.execution_options.get("memo_versions"):
            tables.update(statement_tables(state.statement))

    session = db.session()
    sa.event.listen(session, "do_orm_execute", seen)
    outer = _readers.set((*_readers.get(), read))
    try:
        yield read
    finally:
        _readers.reset(outer)
        sa.event.remove(session, "do_orm_execute", seen)
        read.update(*(depending(table) for table in tables))


def _also_read(tables: Iterable[str]) -> None:
    """A remembered value used while reading(): what it was computed from is read too."""
    for read in _readers.get():
        read.update(tables)


def statement_tables(statement) -> set[sa.Table]:
    """The tables a statement reads (its subqueries' included)."""
    return {element for element in sa.sql.visitors.iterate(statement)
            if isinstance(element, sa.Table)}


def remembered(key: tuple, compute: Callable[[], T]) -> T:
    """compute()'s value for the key, computed again only once the registry has changed. The
    value is shared by every reader asking with the same key: what it shows in a language or for
    a role (a rendered page) must have that language and role in the key."""
    _also_read((ANY,))
    full = (data_version(), clock.today(), *key)
    if full in _kept:
        _kept.move_to_end(full)
        return _kept[full]
    value = compute()
    _kept[full] = value
    while len(_kept) > KEPT:
        _kept.popitem(last=False)
    return value


def remembered_each(keys: list[tuple],
                    compute: Callable[[list[int]], Iterable[tuple[T, Iterable[str]]]]) -> list[T]:
    """A value for each key, each remembered until one of the tables it was computed from
    changes. compute(positions) computes those of the keys at these positions, all at once, each
    with the audited tables it read (reading() finds them)."""
    stand = table_versions()  # before computing: a change made meanwhile is seen next time
    base = [(str(db.engine.url), clock.today(), *key) for key in keys]
    full = [(*key, *(stand[t] for t in sorted(_read[key]))) if key in _read else None for key in base]
    values: dict[int, T] = {}
    for position, key in enumerate(full):
        if key in _kept:
            _kept.move_to_end(key)
            values[position] = _kept[key]
    missing = [position for position in range(len(keys)) if position not in values]
    for position, (value, tables) in zip(missing, compute(missing) if missing else (), strict=True):
        tables = _read[base[position]] = frozenset(tables)
        values[position] = _kept[(*base[position], *(stand[t] for t in sorted(tables)))] = value
    while len(_kept) > KEPT:
        _kept.popitem(last=False)
    _also_read(frozenset().union(*(_read[key] for key in base)))
    while len(_read) > KEPT:
        _read.pop(next(iter(_read)), None)
    return [values[position] for position in range(len(keys))]


def remembered_reading(key: tuple, compute: Callable[[], T]) -> T:
    """compute()'s value for the key, remembered until a table it read changes."""
    def computed(_positions: list[int]) -> list[tuple[T, set[str]]]:
        with reading() as read:
            value = compute()
        return [(value, read)]
    return remembered_each([key], computed)[0]


def forget() -> None:
    """Forget every remembered figure, as a process just started does."""
    _kept.clear()
    _read.clear()
