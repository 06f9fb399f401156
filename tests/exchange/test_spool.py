"""The spool that keeps an import's rows on disk between the planner's passes."""

from __future__ import annotations

from datetime import date

import pytest

from registry.exchange.spool import Spool


def test_items_come_back_in_order_as_often_as_asked():
    items = [(number, ["名前", date(2025, 4, number % 28 + 1), None]) for number in range(10)]
    spool = Spool(items[:4], chunk=3)
    spool.extend(items[4:])
    assert len(spool) == 10 and spool
    assert list(spool) == items
    assert list(spool) == items, "read twice"
    assert spool[0] == items[0] and spool[7] == items[7] and spool[-1] == items[-1]
    with pytest.raises(IndexError):
        spool[10]


def test_appending_while_reading_and_clearing():
    spool = Spool(range(4), chunk=2)
    read = []
    for item in spool:
        read.append(item)
        if item == 0:
            spool.append(4)
    assert read[:4] == [0, 1, 2, 3]
    assert list(spool) == [0, 1, 2, 3, 4]
    spool.clear()
    assert len(spool) == 0 and not spool and list(spool) == []
    spool.append("again")
    assert list(spool) == ["again"]
