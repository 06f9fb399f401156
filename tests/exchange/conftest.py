"""Every exchange test plans as a large import does: with spools of three items, so that what an
import keeps of its rows goes through the disk (a chunk written, read back, a tail still in
memory), rows planned three at a time (the keys seen kept in several runs), and with the stored
records looked up by key rather than read whole."""

from __future__ import annotations

import pytest

from registry.exchange import plan, spool, stored


@pytest.fixture(autouse=True)
def as_large(monkeypatch):
    monkeypatch.setattr(spool, "CHUNK", 3)
    monkeypatch.setattr(plan, "PROGRESS_ROWS", 3)
    monkeypatch.setattr(stored, "LOADED_ROWS", 0)


@pytest.fixture(params=["hash", "one hash for all"])
def colliding(request, monkeypatch):
    """Keys hashed as they are, and all hashed alike (each look-up meets every record, and every
    row after the first looks like a repeat until its key is compared)."""
    if request.param != "hash":
        monkeypatch.setattr(stored, "key_hash", lambda key: 7)
