"""Real-browser test of the record forms (issue 16): a new entrustment's form suggests the next
management number and groups the data categories by their kind; Cancel and Save go back to the
filtered list the user came from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser import ADMIN, _log_in, _submit, _watch_console, base_url, tmp_dir

pytestmark = pytest.mark.browser
__all__ = ["base_url", "tmp_dir"]  # the served registry of the browser tests, for this module too

LIST = "/entrustments/?kind=special_care&sort=-reference"


def test_a_new_entrustment_suggests_its_number_and_cancel_returns_to_the_list(
        page: Page, base_url: str, tmp_dir: Path) -> None:
    console_errors = _watch_console(page)
    _log_in(page, base_url, ADMIN)
    page.goto(base_url + LIST)
    page.locator(".heading .tools").get_by_role("link", name="New").click()
    expect(page).to_have_url(re.compile(r"/entrustments/new$"))
    expect(page.locator("#reference")).to_have_value("ENT-0014")  # the demo's last is ENT-0013
    special = page.locator('#categories optgroup[label="Special care-required personal information"]')
    expect(special.locator("option")).not_to_have_count(0)
    page.screenshot(path=str(tmp_dir / "entrustment-form.png"), full_page=True)
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(base_url + LIST)

    page.locator("table.list tbody a").first.click()
    expect(page.locator("#compliance h2")).to_contain_text("Compliance check results")
    page.screenshot(path=str(tmp_dir / "entrustment-page.png"), full_page=True)
    record = page.url
    page.get_by_role("link", name="Edit").click()
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(record)

    page.goto(base_url + LIST)
    page.locator(".heading .tools").get_by_role("link", name="New").click()
    page.select_option("#consignee", index=1)
    page.select_option("#purpose", index=1)
    page.fill("#work", "Browser test work")
    _submit(page)
    expect(page.locator(".flash.success")).to_contain_text("ENT-0014")
    page.get_by_role("link", name="Edit").click()
    page.fill("#work", "Browser test work, changed")
    _submit(page)
    expect(page.locator(".flash.success")).to_contain_text("was saved")
    assert console_errors == []
