"""The benchmarks `make bench` runs, at a hundredth of the reference size, on a database of the
kind the suite runs on: each finishes and prints its table. Their figures are for people to read
(docs/performance.md) and are never asserted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("module", "options", "rows"), [
    pytest.param("benchmarks.exchange", [],
                 ["bare_read_insert", "import_new", "import_update", "export", "reimport"], id="exchange"),
    pytest.param("benchmarks.compliance", [], ["checks", "dashboard", "report"], id="compliance"),
    pytest.param("benchmarks.pages", ["--requests", "20"],
                 ["floor", "dashboard", "matrix", "consignee", "audit", "grants", "consignees",
                  "entrustments", "certifications", "questions"], id="pages"),
    pytest.param("benchmarks.lists", ["--requests", "2"],
                 ["/grants/", "/entrustments/", "/audit/", "/bench-floor"],
                 id="lists"),
])
def test_benchmark_runs_and_prints_its_table(scratch, tmp_path, module, options, rows):
    database = scratch(module.rsplit(".", 1)[1])
    done = subprocess.run(
        [sys.executable, "-m", module, "--database", database, "--scale", "0.01",
         "--work", str(tmp_path), *options],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env=os.environ | {"BENCH_RESULTS": str(tmp_path / "results")})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    for row in rows:
        assert any(line.split()[:1] == [row] for line in lines), f"{module} printed no {row} row"
