"""Every kind of page, in English and Japanese, on a 1366 px screen and a 390 px phone: axe-core
finds no serious or critical WCAG 2.1 AA violation, no page scrolls sideways, and every word is in
the reader's language (tests.catalogue.misses).

The registry is served by gunicorn on a SQLite file of its own (`registry init`, `registry demo`,
two administrators: one working in English, one in Japanese). A crawl over HTTP from the home page
finds the addresses the interface links to and keeps the first of each URL pattern (one purpose's
page, one purpose's form ...), plus the error pages a GET reaches and the login page. Chromium then
visits each of them once per language and screen width, in one browser with one context for each;
the tests below judge what the visits recorded.
"""

from __future__ import annotations

import json
import os
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Browser as Chromium
from playwright.sync_api import Page, expect, sync_playwright
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter

from tests.browser.conftest import CHROMIUM_ARGS
from tests.catalogue import misses, visible_text
from tests.served import Browser, registry, served
from tests.test_crawl import links

pytestmark = pytest.mark.browser

PASSWORD = "every-page-admin-1"
#: an administrator per interface language (the language is the user's setting)
ADMINS = {"en": "admin-en", "ja": "admin-ja"}
#: viewport width: height
SCREENS = {1366: 900, 390: 844}
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}
SERIOUS = ("serious", "critical")
#: addresses of files to download, not pages
DOWNLOADS = {"static", "exchange.export", "exchange.batch_file", "evidence.download",
             "questionnaires.questionnaire_workbook", "reporting.quarterly_download",
             "reporting.snapshot_download", "notice.download", "incidents.report_workbook",
             "rights.letter_text"}
#: error pages a GET reaches: an unknown address, a malformed report quarter
ERROR_PAGES = ("/no-such-page", "/reports/quarterly?quarter=FY-Q9")
#: addresses of a URL pattern whose links the crawl follows (its first one is the one visited)
SAMPLES = 3
#: the pages photographed, as the issue asked: (URL pattern, file name)
SHOTS = {"/": "home", "/consignees/<int:id>": "consignee", "/entrustments/": "entrustments",
         "/matrix": "matrix", "/entrustments/new": "entrustment-form"}
#: the page's width against the viewport's, and the outermost elements that stick out of it
#: (unless a scrolling box of their own holds them)
MEASURE = """() => {
  const width = window.innerWidth;
  const clipped = el => {
    for (let p = el.parentElement; p && p !== document.documentElement; p = p.parentElement)
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    return false;
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + [...el.classList].map(c => '.' + c).join('');
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.getBoundingClientRect().right <= width + 1 || clipped(el)) continue;
    const parent = el.parentElement;
    if (parent !== document.body && parent.getBoundingClientRect().right > width + 1) continue;
    culprits.push(name(el) + ' (' + Math.round(el.getBoundingClientRect().right) + ' px)');
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width,
          culprits: culprits.slice(0, 6)};
}"""


@dataclass
class PageView:
    """What one visit of a page, in one language on one screen width, found."""

    language: str
    width: int
    path: str
    pattern: str
    status: int
    #: serious and critical axe-core violations: rule id, impact, target selectors
    violations: list[dict] = field(default_factory=list)
    scroll_width: int = 0
    inner_width: int = 0
    culprits: list[str] = field(default_factory=list)
    text: str = ""

    @property
    def scrolls_sideways(self) -> bool:
        return self.scroll_width > self.inner_width + 1


def _pattern(adapter: MapAdapter, path: str) -> tuple[str, str] | None:
    """The endpoint and URL pattern a GET of path reaches, None if none."""
    try:
        rule, _ = adapter.match(urlsplit(path).path, method="GET", return_rule=True)
    except HTTPException:
        return None
    return rule.endpoint, rule.rule


def page_kinds(base: str, adapter: MapAdapter) -> dict[str, str]:
    """The first address of every URL pattern the interface links to, from the home page on, as
    an administrator sees it: {pattern: path}."""
    browser = Browser(base)
    browser.login(ADMINS["en"], PASSWORD)
    first: dict[str, str] = {}
    followed: Counter[str] = Counter()
    queue, seen = deque(["/"]), {"/"}
    while queue:
        path = queue.popleft()
        reached = _pattern(adapter, path)
        if reached is None or reached[0] in DOWNLOADS or followed[reached[1]] >= SAMPLES:
            continue
        followed[reached[1]] += 1
        answer = browser.get(path)
        if answer.status == 200 and answer.headers.get("Content-Type", "").startswith("text/html"):
            first.setdefault(reached[1], path)
        for link in links(answer):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return first


def _log_in(page: Page, base: str, username: str) -> None:
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.locator("form.record-form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/")


def _visit(page: Page, base: str, language: str, width: int, path: str, pattern: str) -> PageView:
    answer = page.goto(base + path)
    page.evaluate(AXE_SCRIPT)
    found = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    measured = page.evaluate(MEASURE)
    return PageView(
        language, width, path, pattern, answer.status if answer else 0,
        violations=[{"rule": v["id"], "impact": v["impact"],
                     "targets": [" ".join(map(str, node["target"])) for node in v["nodes"]]}
                    for v in found["violations"] if v["impact"] in SERIOUS],
        scroll_width=measured["scrollWidth"], inner_width=measured["innerWidth"],
        culprits=measured["culprits"], text=visible_text(page.content()))


def _visit_all(chromium: Chromium, base: str, language: str, width: int, kinds: dict[str, str],
               shots: Path) -> Iterator[PageView]:
    """Visit the login page, then every kind of page as the language's administrator."""
    context = chromium.new_context(viewport={"width": width, "height": SCREENS[width]},
                                   locale="ja-JP" if language == "ja" else "en-US")
    try:
        page = context.new_page()
        yield _visit(page, base, language, width, "/login", "/login")
        _log_in(page, base, ADMINS[language])
        for pattern, path in kinds.items():
            yield _visit(page, base, language, width, path, pattern)
            if pattern in SHOTS:
                page.screenshot(path=str(shots / f"{SHOTS[pattern]}-{language}-{width}.png"),
                                full_page=True)
    finally:
        context.close()


@pytest.fixture(scope="module")
def tmp_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("every-page")


@pytest.fixture(scope="module")
def visited_pages(app, chromium_path: str, tmp_dir: Path) -> dict[tuple[str, int, str], PageView]:
    """Every kind of page visited in each language at each width: {(language, width, path): view}.
    Full-page screenshots of a few of them land in the test's shots/ folder."""
    env = os.environ | {"REGISTRY_DATABASE_URL": f"sqlite:///{tmp_dir / 'every-page.db'}",
                        "REGISTRY_SECRET_KEY": "every-page-secret-key"}
    registry(env, "init")
    registry(env, "demo")
    for username in ADMINS.values():
        registry(env, "create-user", username, "--role", "admin", "--password-stdin",
                 stdin=f"{PASSWORD}\n")
    shots = tmp_dir / "shots"
    shots.mkdir()
    with served(env, tmp_dir / "server.log", workers=2) as base:
        japanese = Browser(base)
        japanese.login(ADMINS["ja"], PASSWORD)
        assert japanese.post("/language", {"language": "ja"}, form="/").status == 302
        kinds = page_kinds(base, app.url_map.bind("127.0.0.1"))
        kinds.update({path: path for path in ERROR_PAGES})
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
            try:
                return {(view.language, view.width, view.path): view
                        for language in ADMINS for width in SCREENS
                        for view in _visit_all(chromium, base, language, width, kinds, shots)}
            finally:
                chromium.close()


def _summarise(views: dict, tmp_dir: Path, check: str, offending: list[PageView], figures: dict) -> str:
    """Print the figures of a check and write them, with its offending pages, as JSON."""
    summary = {"pages": len({view.pattern for view in views.values()}), "page views": len(views),
               **figures, "offending page views": len(offending)}
    print(f"{check}: " + ", ".join(f"{key} {value}" for key, value in summary.items()))
    report = tmp_dir / f"{check}.json"
    report.write_text(json.dumps(
        {**summary, "offending": [{k: v for k, v in asdict(view).items() if k != "text"}
                                  for view in offending]}, ensure_ascii=False, indent=1))
    return f"{summary} (details in {report})"


def test_no_page_has_a_serious_accessibility_violation(visited_pages, tmp_dir):
    offending = [view for view in visited_pages.values() if view.violations]
    by_rule = Counter(v["rule"] for view in offending for v in view.violations)
    figures = _summarise(visited_pages, tmp_dir, "axe", offending,
                         {"violations": sum(by_rule.values()), "by rule": dict(by_rule)})
    details = "\n".join(
        f"{view.language} {view.width} px {view.path}: " + "; ".join(
            f"{v['rule']} ({v['impact']}) at {', '.join(v['targets'][:4])}"
            + (f" and {len(v['targets']) - 4} more" if len(v["targets"]) > 4 else "")
            for v in view.violations)
        for view in offending)
    assert not offending, f"{figures}\n{details}"


def test_no_page_scrolls_sideways(visited_pages, tmp_dir):
    offending = [view for view in visited_pages.values() if view.scrolls_sideways]
    figures = _summarise(visited_pages, tmp_dir, "width", offending, {})
    details = "\n".join(
        f"{view.language} {view.width} px {view.path}: {view.scroll_width} px wide in "
        f"{view.inner_width} px; sticking out: {', '.join(view.culprits)}" for view in offending)
    assert not offending, f"{figures}\n{details}"


def test_every_page_reads_in_the_readers_language(visited_pages, tmp_dir):
    found = {key: misses(view.text, view.language) for key, view in visited_pages.items()}
    offending = [visited_pages[key] for key, words in found.items() if words]
    figures = _summarise(visited_pages, tmp_dir, "catalogue", offending,
                         {"words": len({w for words in found.values() for w in words})})
    details = "\n".join(f"{language} {width} px {path}: {found[language, width, path]}"
                        for (language, width, path), words in found.items() if words)
    assert not offending, f"{figures}\n{details}"


def test_every_page_answers(visited_pages):
    """The crawl reached pages of every kind; only the error pages answer with an error."""
    assert len({view.pattern for view in visited_pages.values()}) > 60
    failing = [f"{view.language} {view.width} {view.path}: {view.status}"
               for view in visited_pages.values()
               if view.status != 200 and view.path not in ERROR_PAGES]
    assert not failing
