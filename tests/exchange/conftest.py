"""Every exchange test plans with spools of three items, so that what an import keeps of its rows
goes through the disk (a chunk written, read back, a tail still in memory) as a large import's
does."""

from __future__ import annotations

import pytest

from registry.exchange import spool


@pytest.fixture(autouse=True)
def small_spools(monkeypatch):
    monkeypatch.setattr(spool, "CHUNK", 3)
