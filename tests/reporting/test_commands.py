"""`registry check` and `registry report quarterly`, run as a scheduler runs them: real processes
on a database file of their own, exit codes as documented."""

from __future__ import annotations

import json
import sqlite3
import zipfile

import openpyxl
import pytest

from tests.served import count, run

pytestmark = pytest.mark.slow  # processes of their own, or many requests


@pytest.fixture
def example_env(fresh_env) -> dict:
    assert run(fresh_env, "init").returncode == 0
    assert run(fresh_env, "demo").returncode == 0
    return fresh_env


def test_check_exits_non_zero_at_or_above_the_level(example_env, tmp_path):
    plain = run(example_env, "check")
    assert plain.returncode == 0, "without --fail-on the run only reports"
    assert "departed-access" in plain.stdout and "open" in plain.stdout
    assert run(example_env, "check", "--fail-on", "high").returncode == 1
    assert run(example_env, "check", "--fail-on", "critical").returncode == 1
    assert run(example_env, "check", "--fail-on", "urgent").returncode == 2
    report = run(example_env, "check", "--format", "json", "--fail-on", "low")
    assert report.returncode == 1
    data = json.loads(report.stdout)
    assert data["failing"] is True and data["fail_on"] == "low"
    departed = [r for r in data["results"] if r["check"] == "departed-access"]
    assert departed and departed[0]["path"] == f"/employees/{departed[0]['record_id']}"
    assert {c["code"] for c in data["checks"]} >= {"entrustment-without-contract", "foreign-without-basis"}


def test_waived_and_fixed_results_no_longer_fail_the_run(fresh_env, tmp_path):
    assert run(fresh_env, "init").returncode == 0
    assert run(fresh_env, "check", "--fail-on", "low").returncode == 0, "an empty registry is clean"
    database = tmp_path / "cli.db"
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO data_categories (name, appi_kind, data_subjects, source, storage_location, "
            "retention_period, created_at, updated_at) VALUES ('アンケート', 'personal', '', '', '', '', "
            "'2026-01-01', '2026-01-01')")
    assert run(fresh_env, "check", "--fail-on", "high").returncode == 1, "used by no purpose: high"
    assert run(fresh_env, "check", "--fail-on", "critical").returncode == 0
    with sqlite3.connect(database) as connection:
        for code in ("category-without-purpose", "category-without-retention"):
            connection.execute(
                "INSERT INTO waivers (check_code, subject_id, subject_label, reason, waived_on, expires_on,"
                " waived_by, created_at, updated_at) VALUES (?, 1, 'アンケート', '廃止予定', date('now'), "
                "date('now', '+30 days'), 'admin', '2026-01-01', '2026-01-01')", (code,))
    waived = run(fresh_env, "check", "--fail-on", "low", "--format", "json")
    assert waived.returncode == 0, waived.stdout
    assert sum(c["waived"] for c in json.loads(waived.stdout)["checks"]) == 2


def test_quarterly_report_in_both_formats_and_languages(example_env, tmp_path):
    workbook = tmp_path / "q2.xlsx"
    made = run(example_env, "report", "quarterly", "FY2026-Q2", "--out", str(workbook), "--language", "ja")
    assert made.returncode == 0, made.stderr
    assert "2026-07-01 to 2026-09-30" in made.stdout
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames[0] == "概要" and len(book.sheetnames) == 12
    assert "リスク区分別の委託先" in book.sheetnames
    assert book.worksheets[1]["B4"].value == "FY2026-Q2" and book.worksheets[1]["C4"].value == "FY2026-Q1"
    assert sum(name.startswith("xl/charts/chart") for name in zipfile.ZipFile(workbook).namelist()) == 11
    page = tmp_path / "q2.html"
    assert run(example_env, "report", "quarterly", "fy2026-q2", "--out", str(page), "--snapshot") \
        .returncode == 0
    html = page.read_text()
    assert "Quarterly supervision report FY2026-Q2" in html and "<svg" in html and "@page" in html
    assert count(tmp_path / "cli.db", "report_snapshots") == 1
    for bad in (["FY2026-Q5", "--out", str(page)], ["FY2026-Q2", "--out", str(tmp_path / "q2.txt")],
                ["FY2026-Q2"]):
        assert run(example_env, "report", "quarterly", *bad).returncode == 2
