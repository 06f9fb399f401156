"""INSERT many rows at driver speed: SQLAlchemy's own bind processors convert the values, the
driver's executemany sends them. At 100,000 rows SQLAlchemy's per-row statement machinery costs
more than the database does (see docs/performance.md)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from registry.extensions import db


def insert_rows(table: sa.Table, rows: list[dict]) -> None:
    """Insert rows (dicts with the same keys) into table in the session's transaction."""
    if not rows:
        return
    names = list(rows[0])
    connection = db.session.connection()
    dialect = connection.dialect
    compiled = sa.insert(table).values({n: sa.bindparam(n) for n in names}).compile(dialect=dialect)
    order = list(compiled.positiontup) if dialect.positional else names
    processors = [(name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
                  for name in order]
    converted = [[process(row[name]) if process else row[name] for name, process in processors]
                 for row in rows]
    params = [tuple(values) for values in converted] if dialect.positional else \
        [dict(zip(order, values, strict=True)) for values in converted]
    connection.exec_driver_sql(compiled.string, params)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector during bulk work: planning 100,000 rows allocates
    millions of small objects, and each automatic collection walks them all again (about a
    third of the import's time); the work makes no reference cycles worth collecting."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
