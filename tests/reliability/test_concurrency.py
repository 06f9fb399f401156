"""Several writers at once, for real: gunicorn workers saving into one SQLite file, and two
`registry import` processes racing with overlapping workbooks (on the suite's database kind)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import sqlalchemy as sa

from tests.exchange.helpers import workbook
from tests.served import REGISTRY, registry, served

PASSWORD = "concurrent-password-1"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
WRITERS = 6
SAVES = 8


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A client with its own cookies, posting forms with their CSRF token."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode()

    def post(self, path: str, data: dict, form: str | None = None) -> int:
        token = CSRF.search(self.get(form or path)).group(1)
        body = urllib.parse.urlencode({**data, "csrf_token": token}).encode()
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


def test_sqlite_writers_in_several_workers_wait_and_succeed(tmp_path):
    database = tmp_path / "team.db"
    env = os.environ | {"REGISTRY_DATABASE_URL": f"sqlite:///{database}",
                        "REGISTRY_SECRET_KEY": "concurrency-test"}
    registry(env, "init")
    registry(env, "create-user", "writer", "--role", "editor", "--password-stdin",
             stdin=f"{PASSWORD}\n")
    statuses: list[int] = []
    with served(env, tmp_path / "server.log", workers=4) as base:
        def work(number: int) -> None:
            browser = Browser(base)
            browser.post("/login", {"username": "writer", "password": PASSWORD})
            for save in range(SAVES):
                code = f"C{number}{save:02d}"
                statuses.append(browser.post("/purposes/new", {
                    "code": code, "title": f"並行 {code}", "status": "active"}))
        threads = [threading.Thread(target=work, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    log = (tmp_path / "server.log").read_text()
    assert statuses == [302] * (WRITERS * SAVES), log[-3000:]
    assert "database is locked" not in log
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT count(*) FROM purposes")) == WRITERS * SAVES
        assert connection.scalar(sa.text(
            "SELECT count(*) FROM audit_entries WHERE entity = 'purposes'")) == WRITERS * SAVES
    engine.dispose()


ROWS = 3000


def titles(url: str) -> dict[str, str]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = dict(connection.execute(sa.text("SELECT code, title FROM purposes")).all())
    engine.dispose()
    return found


def test_overlapping_imports_end_with_one_applied_whole_never_a_mix(scratch_url, tmp_path):
    env = os.environ | {"REGISTRY_DATABASE_URL": scratch_url, "REGISTRY_SECRET_KEY": "race"}
    registry(env, "init")
    header = ["Code", "Purpose of use", "Status"]
    start = workbook(tmp_path / "start.xlsx", {"Purposes": [header] + [
        [f"P{n:05d}", "初期", "active"] for n in range(ROWS)]})
    registry(env, "import", str(start))
    first = workbook(tmp_path / "a.xlsx", {"Purposes": [header] + [
        [f"P{n:05d}", "甲", "active"] for n in range(0, ROWS * 2 // 3)]})
    second = workbook(tmp_path / "b.xlsx", {"Purposes": [header] + [
        [f"P{n:05d}", "乙", "active"] for n in range(ROWS // 3, ROWS)]})
    racers = [subprocess.Popen([str(REGISTRY), "import", str(book)], env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
              for book in (first, second)]
    outputs = [racer.communicate(timeout=300) for racer in racers]
    codes = [racer.returncode for racer in racers]
    assert all(code in (0, 3) for code in codes), outputs
    assert 0 in codes, outputs
    assert any("checking the workbook again" in out for out, _ in outputs), \
        f"the two imports did not overlap: {outputs}"
    found = titles(scratch_url)
    only_first = {found[f"P{n:05d}"] for n in range(0, ROWS // 3)}
    shared = {found[f"P{n:05d}"] for n in range(ROWS // 3, ROWS * 2 // 3)}
    only_second = {found[f"P{n:05d}"] for n in range(ROWS * 2 // 3, ROWS)}
    assert len(shared) == 1, "the overlapping rows hold a mix of both workbooks"
    assert only_first == ({"甲"} if codes[0] == 0 else {"初期"})
    assert only_second == ({"乙"} if codes[1] == 0 else {"初期"})


def test_an_import_killed_midway_leaves_the_database_as_it_was(scratch_url, tmp_path):
    env = os.environ | {"REGISTRY_DATABASE_URL": scratch_url, "REGISTRY_SECRET_KEY": "kill"}
    registry(env, "init")
    book = workbook(tmp_path / "big.xlsx", {"Purposes": [["Code", "Purpose of use", "Status"]] + [
        [f"K{n:05d}", "中断", "active"] for n in range(ROWS * 2)]})
    killed = 0
    for delay in (0.8, 1.6, 2.4, 3.2, 4.0):
        process = subprocess.Popen([str(REGISTRY), "import", str(book)], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            killed += 1
            state = titles(scratch_url)
            assert state == {}, f"killed after {delay} s, {len(state)} purposes remained"
        else:
            break  # it finished: the rest of the delays would only find it applied
    assert killed, "every import finished before it could be killed"
    engine = sa.create_engine(scratch_url)
    with engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT count(*) FROM import_batches")) in (0, 1)
        if engine.dialect.name == "sqlite":
            assert connection.scalar(sa.text("PRAGMA integrity_check")) == "ok"
    engine.dispose()
    registry(env, "import", str(book))
    assert len(titles(scratch_url)) == ROWS * 2, "the database takes the same import afterwards"
    assert not list(Path(tmp_path).glob(".*.part"))
