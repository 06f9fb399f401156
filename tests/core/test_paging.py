"""Lists count up to a cap ("1,000+", exact on request) and, past their numbered pages, go on
after the last row shown: every row once, in order, nulls included, on either database."""

from __future__ import annotations

import re
from datetime import date

import pytest

from registry.core import paging
from registry.extensions import db
from tests import factories as f

NEXT = re.compile(r'<a href="([^"]+)">Next ›</a>')
CELL = re.compile(r'<td><a href="/employees/\d+">([^<]+)</a></td>')


@pytest.fixture
def small_pages(app, monkeypatch):
    """A cap of 5 rows and pages of 2, so that seven rows need pages after a row."""
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)


def walk(client, url: str) -> tuple[list[str], list[str]]:
    """The employee numbers on every page from url on, following Next, and the addresses."""
    seen, addresses = [], []
    while url and len(addresses) < 10:  # a page repeating itself would never end
        page = client.get(url).get_data(as_text=True)
        addresses.append(url)
        seen += CELL.findall(page)
        found = NEXT.search(page)
        url = found.group(1).replace("&amp;", "&") if found else None
    return seen, addresses


def test_the_count_stops_at_the_cap_and_is_exact_on_request(app_ctx, as_role, small_pages):
    for n in range(7):
        f.make_employee(number=f"P{n}")
    db.session.commit()
    viewer = as_role("viewer")
    capped = viewer.get("/employees/?q=P").get_data(as_text=True)
    assert '<span class="count">5+</span>' in capped
    assert "?q=P&amp;count=exact" in capped
    exact = viewer.get("/employees/?q=P&count=exact").get_data(as_text=True)
    assert '<span class="count">7</span>' in exact


@pytest.mark.parametrize("sort", ["number", "-number", "last_training_on", "-last_training_on",
                                  "department", "-department"])
def test_pages_after_a_row_show_every_row_once_in_order(app_ctx, as_role, small_pages, sort):
    days = [date(2026, 1, 5), None, date(2026, 1, 5), date(2025, 3, 1), None, date(2026, 2, 1),
            date(2024, 7, 7)]
    for n, day in enumerate(days):  # departments: empty texts among values
        f.make_employee(number=f"P{n}", last_training_on=day, department="" if n % 3 else "総務")
    db.session.commit()
    viewer = as_role("viewer")
    seen, addresses = walk(viewer, f"/employees/?q=P&sort={sort}")
    assert sorted(seen) == [f"P{n}" for n in range(7)]  # each row once
    if sort.endswith("number"):
        assert seen == sorted(seen, reverse=sort.startswith("-"))
    assert any("after=" in address for address in addresses)  # beyond the numbered pages
    everything = CELL.findall(viewer.get(f"/employees/?q=P&sort={sort}&count=exact&page=1")
                              .get_data(as_text=True))
    assert seen[:2] == everything  # the first page is the same either way


def test_an_after_argument_that_is_not_a_row_shows_the_first_page(app_ctx, as_role, small_pages):
    for n in range(3):
        f.make_employee(number=f"P{n}")
    db.session.commit()
    viewer = as_role("viewer")
    for after in ("x", "2026-13-01,1", ",", "1,notanid", "1" * 400):
        response = viewer.get(f"/employees/?q=P&sort=last_training_on&after={after}")
        assert response.status_code == 200
        assert CELL.findall(response.get_data(as_text=True)) == ["P0", "P1"]
