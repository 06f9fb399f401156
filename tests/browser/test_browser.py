"""Real-browser test: Playwright drives Debian's chromium against a served registry.

The registry runs as its own process (`registry run`, i.e. gunicorn) on a committed SQLite
database in a temporary directory, prepared with `registry init`, `registry demo` and an editor
account. One test logs in, creates a purpose, links a data category to it, finds the link in the
purpose x data-category matrix and switches the interface to Japanese; another follows a check
result from the dashboard to its record, fixes it, waives another result and prints the quarterly
report. Both watch the browser console for errors (a Content-Security-Policy violation would show
there).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.factories import today as registry_today
from tests.served import registry, served

pytestmark = pytest.mark.browser

USERNAME = "browser"
ADMIN = "browser-admin"
PASSWORD = "chromium-drives-1"
CATEGORY = "メールアドレス"
MARK = "●"


@pytest.fixture(scope="module")
def tmp_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="module")
def base_url(tmp_dir: Path) -> Iterator[str]:
    """A registry served by gunicorn on a free port, with the example inventory and an editor."""
    env = os.environ | {
        "REGISTRY_DATABASE_URL": f"sqlite:///{tmp_dir / 'browser.db'}",
        "REGISTRY_SECRET_KEY": "browser-test-secret-key",
        "REGISTRY_JOBS_IN_APP": "1",  # the export job runs in the app's own thread
    }
    registry(env, "init")
    registry(env, "demo")
    registry(env, "create-user", USERNAME, "--role", "editor", "--password-stdin",
             stdin=f"{PASSWORD}\n")
    registry(env, "create-user", ADMIN, "--role", "admin", "--password-stdin",
             stdin=f"{PASSWORD}\n")
    with served(env, tmp_dir / "server.log") as url:
        yield url


def _watch_console(page: Page) -> list[str]:
    """Collect the text of console errors (favicon noise aside) as the page reports them."""
    errors: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if message.type == "error" and "favicon" not in message.text.lower():
            errors.append(message.text)

    page.on("console", record)
    return errors


def _submit(page: Page) -> None:
    page.locator("form.record-form button[type=submit]").click()


def _log_in(page: Page, base_url: str, username: str = USERNAME) -> None:
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/login"))
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    _submit(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")


def _create_purpose(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/purposes/new")
    page.fill("#code", "P90")
    page.fill("#title", "Browser test purpose")
    page.select_option("#status", "active")
    _submit(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("P90")


def _link_category(page: Page) -> None:
    page.get_by_role("link", name="Link a data category").click()
    expect(page).to_have_url(re.compile(r"/purpose-categories/new\?purpose=\d+"))
    page.select_option("#category", label=CATEGORY)
    page.fill("#reason", "Sending notices")
    _submit(page)
    expect(page.locator(".flash.success")).to_contain_text("was created")


def _matrix_row(page: Page, code: str) -> list[str]:
    """The texts of the cells of the purpose's row, in the order of the category columns."""
    row = page.locator("table.matrix tbody tr").filter(
        has=page.locator("th[scope=row]", has_text=code))
    expect(row).to_have_count(1)
    return [text.strip() for text in row.locator("td").all_inner_texts()]


def test_log_in_link_a_category_and_see_it_in_the_matrix(page: Page, base_url: str,
                                                         tmp_dir: Path) -> None:
    console_errors = _watch_console(page)

    _log_in(page, base_url)
    _create_purpose(page, base_url)
    _link_category(page)

    page.goto(f"{base_url}/matrix?status=active")
    categories = [text.strip() for text in page.locator("table.matrix thead th.cat a").all_inner_texts()]
    assert CATEGORY in categories
    column = categories.index(CATEGORY)
    cells = _matrix_row(page, "P90")
    assert len(cells) == len(categories)
    assert cells[column] == MARK
    assert any(cell == "" for index, cell in enumerate(cells) if index != column)
    page.screenshot(path=str(tmp_dir / "matrix.png"), full_page=True)

    page.get_by_role("button", name="日本語").click()
    expect(page.locator("nav.main")).to_contain_text("利用目的")

    assert console_errors == []


def test_follow_a_check_result_fix_it_waive_another_and_print_the_report(page: Page, base_url: str,
                                                                          tmp_dir: Path) -> None:
    console_errors = _watch_console(page)
    _log_in(page, base_url, ADMIN)
    expect(page.locator("svg.chart").first).to_be_visible()
    page.screenshot(path=str(tmp_dir / "dashboard.png"), full_page=True)

    page.locator("svg.chart a", has_text="Data category with no retention period").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Data category with no retention")
    page.locator("table.results a", has_text="アンケート回答").click()
    page.get_by_role("link", name="Edit").click()
    page.fill("#retention_period", "回答から3年")
    _submit(page)
    expect(page.locator(".flash.success")).to_contain_text("was saved")
    page.goto(f"{base_url}/compliance/category-without-retention")
    expect(page.locator("p.empty")).to_have_text("No record offends this check.")

    page.goto(f"{base_url}/compliance/contract-expiring")
    page.locator("table.results").get_by_role("link", name="Waive").first.click()
    page.fill("#reason", "Renewal agreed, signature pending")
    page.fill("#expires_on", registry_today().replace(day=1).replace(year=registry_today().year + 1)
              .isoformat())
    _submit(page)
    expect(page.locator(".flash")).to_contain_text("waived until")
    page.get_by_role("link", name="Waived").click()
    expect(page.locator("table.results")).to_contain_text("Renewal agreed")

    page.goto(f"{base_url}/reports/quarterly")
    page.get_by_role("button", name="Save as snapshot").click()
    expect(page.locator(".flash").first).to_contain_text("saved as snapshot #")
    expect(page.locator("main")).to_contain_text("Its content is intact")
    page.emulate_media(media="print")
    pdf = tmp_dir / "report.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    assert pdf.stat().st_size > 10_000 and pdf.read_bytes().startswith(b"%PDF")

    assert console_errors == []


#: the smallest a chart's text may show on the dashboard, in CSS pixels
READABLE = 11


def test_dashboard_chart_labels_show_at_least_11_pixels_high(page: Page, base_url: str):
    _log_in(page, base_url, ADMIN)  # in English (the editor's language may be switched already)
    for width in (900, 1280):  # one column or two, at a box's narrowest and wider
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base_url}/")
        sizes = page.eval_on_selector_all("svg.chart", """charts => charts.flatMap(svg => {
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return [...svg.querySelectorAll('text')].map(
                text => parseFloat(getComputedStyle(text).fontSize) * scale);
        })""")
        assert sizes and min(sizes) >= READABLE, (width, min(sizes))
    expect(page.get_by_role("heading", name="Special care-required data by consignee")).to_be_visible()


def test_the_export_runs_as_a_job_whose_page_shows_progress_then_the_download(
        page: Page, base_url: str, tmp_dir: Path):
    """The app's own job thread (REGISTRY_JOBS_IN_APP, on by default and here) runs the export; the job's
    page reloads itself (no script) until it offers the workbook."""
    errors = _watch_console(page)
    _log_in(page, base_url, ADMIN)  # whose language stays English when the whole file runs
    page.goto(f"{base_url}/exchange/")
    page.get_by_role("button", name="Download (English headers)").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Export of the whole inventory")
    page.screenshot(path=str(tmp_dir / "job-running.png"), full_page=True)
    link = page.get_by_role("link", name=re.compile(r"Download registry-inventory-.*\.xlsx"))
    expect(link).to_be_visible(timeout=60_000)  # after some reloads
    expect(page.locator(".job-state")).to_have_attribute("data-state", "done")
    page.screenshot(path=str(tmp_dir / "job-done.png"), full_page=True)
    with page.expect_download() as download:
        link.click()
    saved = tmp_dir / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"PK")
    assert errors == []


def test_the_menu_folds_behind_its_button_on_a_phone_and_opens_from_the_keyboard(page: Page,
                                                                                   base_url: str):
    _log_in(page, base_url, ADMIN)
    menu = page.get_by_role("navigation", name="Main menu")
    button = page.get_by_role("button", name="Menu")
    expect(button).to_be_hidden()  # a wide screen shows the whole menu
    expect(menu).to_be_visible()

    page.set_viewport_size({"width": 390, "height": 844})
    expect(menu).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(menu).to_be_visible()
    page.keyboard.press("Tab")
    expect(menu.get_by_role("link", name="Purposes")).to_be_focused()
    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()
    expect(menu).to_be_hidden()
    page.keyboard.press("Space")
    menu.get_by_role("link", name="Consignees").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Consignees")
    expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "false")
