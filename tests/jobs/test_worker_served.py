"""`registry worker` as a process beside the served app: the job's page shows its progress over
HTTP, then its result; a worker killed with SIGKILL while it writes leaves no part of the import,
and the next worker marks the job failed."""

from __future__ import annotations

import os
import re
import subprocess
import time

import pytest
import sqlalchemy as sa

from tests.exchange.helpers import workbook
from tests.reliability.test_concurrency import applying
from tests.served import REGISTRY, Browser, registry, served

pytestmark = [pytest.mark.served, pytest.mark.slow]

PASSWORD = "worker-test-password-1"
ROWS = 20_000
STALE_SECONDS = 3


def until(found, what: str, timeout: float = 90.0, every: float = 0.05):
    """found()'s first true answer, polled; fail after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = found()
        if answer:
            return answer
        time.sleep(every)
    pytest.fail(f"not seen within {timeout:.0f} s: {what}")


def import_lock_held(url: str) -> bool:
    """Whether an import is writing: it holds the lock it applies under, for longer than a
    heartbeat holds SQLite's write lock."""
    return applying(url) and not time.sleep(0.2) and applying(url)


def counts(url: str) -> dict:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = {table: connection.scalar(sa.text(f"SELECT count(*) FROM {table}"))
                 for table in ("purposes", "import_batches")}
        found["states"] = connection.execute(sa.text("SELECT state FROM jobs ORDER BY id")).scalars().all()
    engine.dispose()
    return found


def queue_import(browser: Browser, book: bytes) -> str:
    """Upload the workbook, confirm its preview; the address of the job's page."""
    preview = browser.upload("/exchange/import", "workbook", "purposes.xlsx", book,
                             form="/exchange/").location
    answer = browser.post(preview + "/apply", {}, form=preview)
    assert answer.status == 302 and answer.location.startswith("/jobs/"), answer.status
    return answer.location


def test_a_killed_worker_leaves_no_partial_import_and_its_job_is_failed(scratch_url, tmp_path):
    env = os.environ | {"REGISTRY_DATABASE_URL": scratch_url, "REGISTRY_SECRET_KEY": "jobs",
                        "REGISTRY_JOBS_IN_APP": "0", "REGISTRY_JOBS_IMPORT_MIN_BYTES": "0",
                        "REGISTRY_JOBS_STALE_SECONDS": str(STALE_SECONDS)}
    registry(env, "init")
    registry(env, "create-user", "editor", "--role", "editor", "--password-stdin",
             stdin=f"{PASSWORD}\n")
    book = workbook(tmp_path / "purposes.xlsx", {"Purposes": [["Code", "Purpose of use", "Status"]]
                                                  + [[f"K{n:05d}", "中断", "active"]
                                                     for n in range(ROWS)]}).read_bytes()
    with served(env, tmp_path / "server.log") as base:
        browser = Browser(base)
        browser.login("editor", PASSWORD)
        page = queue_import(browser, book)
        assert "待機中" in browser.get(page).text or "Queued" in browser.get(page).text
        log = (tmp_path / "worker.log").open("w")
        worker = subprocess.Popen([str(REGISTRY), "worker"], env=env, stdout=log,
                                  stderr=subprocess.STDOUT)
        try:
            shown = until(lambda: (text := browser.get(page).text)
                          and "Checking the workbook" in text and text,
                          "the job's progress on its page")
            assert "<progress" in shown and 'http-equiv="refresh"' in shown
            until(lambda: import_lock_held(scratch_url), "the worker writing the import")
        finally:
            worker.kill()
            worker.wait()
            log.close()
        assert counts(scratch_url) == {"purposes": 0, "import_batches": 0, "states": ["running"]}
        time.sleep(STALE_SECONDS + 0.5)
        registry(env, "worker", "--once")  # sweeps first: its worker is silent
        assert counts(scratch_url) == {"purposes": 0, "import_batches": 0, "states": ["failed"]}
        failed = browser.get(page).text
        assert "stopped answering" in failed and 'http-equiv="refresh"' not in failed

        again = queue_import(browser, book)
        registry(env, "worker", "--once")
        done = browser.get(again).text
        batch = re.search(r"The workbook was imported as batch (\d+)\.", done)
        assert batch and f"/exchange/batches/{batch[1]}" in done  # (PostgreSQL: not 1, used)
    assert counts(scratch_url) == {"purposes": ROWS, "import_batches": 1,
                                   "states": ["failed", "done"]}
