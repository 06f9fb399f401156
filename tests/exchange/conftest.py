"""Every exchange test plans as a large import does: with spools of three items, so that what an
import keeps of its rows goes through the disk (a chunk written, read back, a tail still in
memory), and with the stored records looked up by key rather than read whole."""

from __future__ import annotations

import pytest

from registry.exchange import spool, stored


@pytest.fixture(autouse=True)
def as_large(monkeypatch):
    monkeypatch.setattr(spool, "CHUNK", 3)
    monkeypatch.setattr(stored, "LOADED_ROWS", 0)
