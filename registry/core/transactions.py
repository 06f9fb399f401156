"""How transactions begin: writers wait for each other instead of failing.

SQLite allows one writer. A transaction that reads first and writes later (BEGIN DEFERRED) fails
at once with "database is locked" when another writer committed in between; one that takes the
write lock when it begins (BEGIN IMMEDIATE) waits for it (busy_timeout) and succeeds. Requests
that change data (POST ..., and GET pages marked with ``writes_on_get``) and commands marked with
``writing()`` begin immediate; the rest read without blocking writers. PostgreSQL needs none of
this; imports there take an advisory lock.

On PostgreSQL, pages that only read send their statements in autocommit, except the pages marked
with ``snapshot``, which read one consistent state of the data in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import current_app, g, has_app_context, has_request_context, request

from registry.extensions import db

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def intends_to_write() -> bool:
    """Whether the transaction about to begin is expected to write."""
    if has_app_context() and "writing" in g:
        return g.writing
    if not has_request_context():
        return False
    if request.method not in READ_METHODS:
        return True
    return getattr(current_app.view_functions.get(request.endpoint), "writes_on_get", False)


def writes_on_get(view: Callable) -> Callable:
    """Mark a page that changes data although it answers GET: the single sign-on callback, to
    which the identity provider sends the browser back with a redirect."""
    view.writes_on_get = True
    return view


@contextmanager
def writing(intent: bool = True) -> Iterator[None]:
    """Transactions begun inside take the write lock at once (SQLite); with intent False they
    only read, even in a request that changes data (an import plans so, then applies)."""
    before = g.pop("writing", None)
    g.writing = intent
    try:
        yield
    finally:
        g.pop("writing")
        if before is not None:
            g.writing = before


def snapshot(view: Callable) -> Callable:
    """Mark a page that reads in one transaction, seeing one state of the data throughout
    (REPEATABLE READ on PostgreSQL; a SQLite read transaction is one already): the downloads and
    previews that stream rows with a server-side cursor, which PostgreSQL opens only inside a
    transaction, and which must not mix rows committed while they read."""
    view.reads_one_snapshot = True
    return view


def one_snapshot() -> None:
    """Read what follows in one transaction seeing one state of the data (REPEATABLE READ on
    PostgreSQL; a SQLite read transaction is one already): what a job or command that reads
    many tables, such as the whole export, must not mix with rows committed while it reads."""
    db.session.rollback()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def read_in_autocommit() -> None:
    """before_request on PostgreSQL: a request that only reads (GET ...) sends its statements
    without a transaction around them. Under READ COMMITTED every statement takes its own
    snapshot anyway, so a page sees what it saw before; it saves the BEGIN and ROLLBACK round
    trips, and psycopg keeps its prepared statements (it forgets them at every ROLLBACK).
    Pages marked with ``snapshot`` begin a REPEATABLE READ transaction instead."""
    if intends_to_write() or db.session().in_transaction():
        return  # (a session already at work, such as a test's outer transaction, is left as it is)
    if not isinstance(db.session.get_bind(), sa.Engine):
        return
    view = current_app.view_functions.get(request.endpoint)
    isolation = "REPEATABLE READ" if getattr(view, "reads_one_snapshot", False) else "AUTOCOMMIT"
    db.session.connection(execution_options={"isolation_level": isolation})


def serialised(key: int) -> None:
    """Take, until the transaction ends, the PostgreSQL advisory lock key: transactions that take
    the same key run one after another (on SQLite the write lock already does this)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


#: SQLite's page cache (KiB) during an import's plan and apply: they visit each page about once,
#: and the 64 MiB the pages are given would hold, in the process, pages never read again
BULK_CACHE_KIB = 8192


@contextmanager
def bulk_cache() -> Iterator[None]:
    """Run what follows (bulk work that visits each page about once: an import's plan, its
    apply) with a small SQLite page cache, then with the connection's own again (a write
    transaction spills its changed pages to the WAL beyond it). SQLite's cache is the process's
    memory; PostgreSQL's is the server's, and nothing changes there."""
    if db.session.get_bind().dialect.name != "sqlite":
        yield
        return
    connection = db.session.connection()
    size = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(size)}")
