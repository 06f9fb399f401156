"""Every page and download the interface links to, two levels deep from the home page, answers
without a server error for every role in both languages, on the registry served by gunicorn on the
suite's database kind (PostgreSQL reads in autocommit there, unlike inside a test's transaction),
and shows no word outside the reader's language (tests.catalogue.misses)."""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.catalogue import misses, visible_text
from tests.served import Browser, Response, registry, served

PASSWORD = "crawling-password-1"
ROLES = ("viewer", "editor", "admin")
LANGUAGES = ("en", "ja")
ACCESS_LOG = re.compile(r'\S+ - \S+ \[[^]]+\] "')
#: requests at once: enough to keep both gunicorn workers busy
CLIENTS = 4


class Links(HTMLParser):
    """The local addresses of a page's links (<a href>), without fragments."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag != "a" or not href:
            return
        path = urldefrag(href).url
        parts = urlsplit(path)
        if path.startswith("/") and not parts.netloc and not path.startswith("//"):
            self.found.append(path)


def page(response: Response) -> bool:
    """Whether the answer is a page to read, not a file to download (the public notice as HTML
    is a file, in the language asked for, whatever the reader's)."""
    return (response.headers.get("Content-Type", "").startswith("text/html")
            and not response.headers.get("Content-Disposition", "").startswith("attachment"))


def links(response: Response) -> list[str]:
    if response.status != 200 or not page(response):
        return []
    parser = Links()
    parser.feed(response.text)
    return parser.found


def crawl(browser: Browser, failing: dict[str, str], who: str, language: str,
          missing: dict[tuple[str, str], list[str]]) -> int:
    """Get the home page, every page it links to, and every page those link to; a server error
    is recorded in failing with who met it, the words of an HTML page not in the language in
    missing. Returns how many addresses were fetched."""
    seen = {"/"}
    level = ["/"]
    with ThreadPoolExecutor(CLIENTS) as pool:
        for depth in range(3):
            answers = list(pool.map(browser.get, level))
            for path, answer in zip(level, answers, strict=True):
                if answer.status >= 500:
                    failing.setdefault(path, f"{answer.status} ({who})")
                elif page(answer):
                    words = misses(visible_text(answer.text), language)
                    if words:
                        missing.setdefault((path, language), words)
            if depth == 2:
                break
            level = sorted({link for answer in answers for link in links(answer)} - seen)
            seen.update(level)
    return len(seen)


@pytest.mark.served
def test_every_page_linked_two_levels_deep_answers_for_every_role_and_language(scratch, tmp_path):
    env = os.environ | {"REGISTRY_DATABASE_URL": scratch("crawl"),
                        "REGISTRY_INSTANCE_PATH": str(tmp_path / "instance")}
    env.pop("REGISTRY_SECRET_KEY", None)
    registry(env, "init")
    registry(env, "demo")
    for role in ROLES:
        registry(env, "create-user", f"{role}1", "--role", role, "--password-stdin",
                 stdin=f"{PASSWORD}\n")
    failing: dict[str, str] = {}
    missing: dict[tuple[str, str], list[str]] = {}
    fetched = {}
    with served(env, tmp_path / "server.log", workers=2) as base:
        for role in ROLES:
            browser = Browser(base)
            browser.login(f"{role}1", PASSWORD)
            for language in LANGUAGES:
                switched = browser.post("/language", {"language": language}, form="/")
                assert switched.status == 302
                assert f'<html lang="{language}">' in browser.get("/").text
                fetched[role, language] = crawl(browser, failing, f"{role}, {language}",
                                                 language, missing)
    report = "\n".join(f"{path}: {status}" for path, status in sorted(failing.items()))
    errors = "\n".join(line for line in (tmp_path / "server.log").read_text().splitlines()
                       if not ACCESS_LOG.match(line))
    assert not failing, f"server errors on {len(failing)} addresses:\n{report}\n\n{errors[-5000:]}"
    assert all(count > 100 for count in fetched.values()), fetched
    words = {word for found in missing.values() for word in found}
    shown = "\n".join(f"{path} ({language}): {', '.join(found)}"
                       for (path, language), found in sorted(missing.items()))
    assert not missing, (f"{len(missing)} pages show {len(words)} distinct words outside their "
                         f"language:\n{shown}")
