"""Several writers at once, for real: gunicorn workers saving into one SQLite file, and two
`registry import` processes racing with overlapping workbooks (on the suite's database kind)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from registry.exchange.apply import IMPORT_LOCK
from tests.exchange.helpers import workbook
from tests.served import REGISTRY, Browser, registry, served

pytestmark = pytest.mark.slow  # processes of their own, or many requests

PASSWORD = "concurrent-password-1"
WRITERS = 6
SAVES = 8


@pytest.mark.served
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
            browser.login("writer", PASSWORD)
            for save in range(SAVES):
                code = f"C{number}{save:02d}"
                statuses.append(browser.post("/purposes/new", {
                    "code": code, "title": f"並行 {code}", "status": "active"}).status)
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


@contextmanager
def lock_held(url: str):
    """Hold the lock imports apply under (SQLite's write lock, or the PostgreSQL advisory lock)."""
    if url.startswith("sqlite"):
        holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.rollback()
            holder.close()
        return
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as holder:
        holder.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": IMPORT_LOCK})
        try:
            yield
        finally:
            holder.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": IMPORT_LOCK})
    engine.dispose()


def planned(racer: subprocess.Popen) -> None:
    """Return once an import has printed its plan: it has read the registry, and goes on to wait
    for the lock."""
    for line in racer.stdout:
        if line.startswith("Purposes:"):
            return
    raise AssertionError(f"the import ended before it planned: {racer.communicate()}")


def test_overlapping_imports_end_with_one_applied_whole_never_a_mix(scratch_url, tmp_path):
    env = os.environ | {"REGISTRY_DATABASE_URL": scratch_url, "REGISTRY_SECRET_KEY": "race",
                        "PYTHONUNBUFFERED": "1"}
    registry(env, "init")
    header = ["Code", "Purpose of use", "Status"]
    start = workbook(tmp_path / "start.xlsx", {"Purposes": [header] + [
        [f"P{n:05d}", "初期", "active"] for n in range(ROWS)]})
    registry(env, "import", str(start))
    first = workbook(tmp_path / "a.xlsx", {"Purposes": [header] + [
        [f"P{n:05d}", "甲", "active"] for n in range(0, ROWS * 2 // 3)]})
    second = workbook(tmp_path / "b.xlsx", {"Purposes": [header] + [
        [f"P{n:05d}", "乙", "active"] for n in range(ROWS // 3, ROWS)]})
    with lock_held(scratch_url):  # both plan before either may apply: the second to apply is stale
        racers = [subprocess.Popen([str(REGISTRY), "import", str(book)], env=env, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                  for book in (first, second)]
        for racer in racers:
            planned(racer)
    outputs = [racer.communicate(timeout=300) for racer in racers]
    codes = [racer.returncode for racer in racers]
    assert all(code in (0, 3) for code in codes), outputs
    assert 0 in codes, outputs
    assert sum("checking the workbook again" in out for out, _ in outputs) == 1, outputs
    found = titles(scratch_url)
    only_first = {found[f"P{n:05d}"] for n in range(0, ROWS // 3)}
    shared = {found[f"P{n:05d}"] for n in range(ROWS // 3, ROWS * 2 // 3)}
    only_second = {found[f"P{n:05d}"] for n in range(ROWS * 2 // 3, ROWS)}
    assert len(shared) == 1, "the overlapping rows hold a mix of both workbooks"
    assert only_first == ({"甲"} if codes[0] == 0 else {"初期"})
    assert only_second == ({"乙"} if codes[1] == 0 else {"初期"})


def applying(url: str) -> bool:
    """Whether an import holds the lock it applies under (so it is writing, uncommitted)."""
    if url.startswith("sqlite"):
        probe = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None, timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.rollback()
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        held = connection.scalar(sa.text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"))
    engine.dispose()
    return bool(held)


def test_an_import_killed_midway_leaves_the_database_as_it_was(scratch_url, tmp_path):
    env = os.environ | {"REGISTRY_DATABASE_URL": scratch_url, "REGISTRY_SECRET_KEY": "kill"}
    registry(env, "init")
    book = workbook(tmp_path / "big.xlsx", {"Purposes": [["Code", "Purpose of use", "Status"]] + [
        [f"K{n:05d}", "中断", "active"] for n in range(ROWS * 3)]})
    process = subprocess.Popen([str(REGISTRY), "import", str(book)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not applying(scratch_url) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert process.poll() is None, "the import finished before it could be killed while writing"
    process.kill()  # SIGKILL: no clean-up of any kind
    process.wait()
    assert titles(scratch_url) == {}, "a killed import left records behind"
    engine = sa.create_engine(scratch_url)
    with engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT count(*) FROM import_batches")) == 0
        assert connection.scalar(sa.text("SELECT count(*) FROM audit_entries "
                                         "WHERE entity = 'purposes'")) == 0
        if engine.dialect.name == "sqlite":
            assert connection.scalar(sa.text("PRAGMA integrity_check")) == "ok"
    engine.dispose()
    registry(env, "import", str(book))
    assert len(titles(scratch_url)) == ROWS * 3, "the database takes the same import afterwards"


def test_a_report_killed_midway_leaves_no_file_and_no_snapshot(tmp_path, fresh_env):
    """Killed at several points of its run (from a timed run), a report leaves either a whole
    workbook or none, and never a snapshot of a report that was not written."""
    registry(fresh_env, "init")
    registry(fresh_env, "demo")
    command = [str(REGISTRY), "report", "quarterly", "FY2026-Q2", "--snapshot", "--out"]
    started = time.monotonic()
    registry(fresh_env, *command[1:-2], "--out", str(tmp_path / "timed.xlsx"))
    took = time.monotonic() - started
    outs, killed = [], 0
    for fraction in (0.5, 0.7, 0.85, 0.95):
        out = tmp_path / f"report-{fraction}.xlsx"
        outs.append(out)
        process = subprocess.Popen([*command, str(out)], env=fresh_env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(took * fraction)
        if process.poll() is None:
            process.kill()  # SIGKILL: no clean-up of any kind
            killed += 1
        process.wait()
        assert not out.exists() or zipfile_is_whole(out)
    assert killed, "every report finished before it could be killed"
    database = fresh_env["REGISTRY_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        snapshots = connection.execute("SELECT count(*) FROM report_snapshots").fetchone()[0]
    written = sum(out.exists() for out in outs)
    assert snapshots <= written, "a snapshot is saved only after its report is written"


def zipfile_is_whole(path: Path) -> bool:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return archive.testzip() is None
