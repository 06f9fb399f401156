"""How transactions begin: writers wait for each other instead of failing.

SQLite allows one writer. A transaction that reads first and writes later (BEGIN DEFERRED) fails
at once with "database is locked" when another writer committed in between; one that takes the
write lock when it begins (BEGIN IMMEDIATE) waits for it (busy_timeout) and succeeds. Requests
that change data (POST ...) and commands marked with ``writing()`` begin immediate; the rest read
without blocking writers. PostgreSQL needs none of this; imports there take an advisory lock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import g, has_app_context, has_request_context, request

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def intends_to_write() -> bool:
    """Whether the transaction about to begin is expected to write."""
    if has_app_context() and g.get("writing"):
        return True
    return has_request_context() and request.method not in READ_METHODS


@contextmanager
def writing() -> Iterator[None]:
    """Transactions begun inside take the write lock at once (SQLite)."""
    before = g.get("writing", False)
    g.writing = True
    try:
        yield
    finally:
        g.writing = before
