"""`registry backup`, then `registry restore` into an empty registry, gives the same export
(on the database kind the suite runs on: SQLite's backup API, or pg_dump and pg_restore)."""

from __future__ import annotations

import os

import openpyxl
import pytest

from tests.served import registry, run

pytestmark = pytest.mark.slow  # processes of their own, or many requests


def sheets(path) -> dict[str, list[tuple]]:
    """Every visible sheet's cells (the hidden _meta sheet holds the export time)."""
    book = openpyxl.load_workbook(path)
    return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets if sheet.sheet_state == "visible"}


def test_backup_then_restore_into_an_empty_registry_gives_the_same_export(scratch, tmp_path):
    source = os.environ | {"REGISTRY_DATABASE_URL": scratch("source"), "REGISTRY_SECRET_KEY": "b"}
    target = source | {"REGISTRY_DATABASE_URL": scratch("target")}
    registry(source, "init")
    registry(source, "demo")
    dump = tmp_path / "registry.backup"
    registry(source, "backup", str(dump))
    registry(source, "export", str(tmp_path / "before.xlsx"), "--language", "ja")

    registry(target, "init")
    registry(target, "restore", str(dump))
    registry(target, "export", str(tmp_path / "after.xlsx"), "--language", "ja")
    before, after = sheets(tmp_path / "before.xlsx"), sheets(tmp_path / "after.xlsx")
    assert sum(len(rows) for rows in before.values()) > 150
    assert after == before
    check = run(target, "check", "--format", "json")
    assert check.returncode == 0 and '"departed-access"' in check.stdout

    again = run(target, "restore", str(dump))
    assert again.returncode == 1 and "holds data" in again.stderr, "never over a registry with data"
    assert run(target, "backup", str(dump)).returncode == 1, "never overwrite a backup"


def test_restore_refuses_what_is_not_a_backup(fresh_env, tmp_path):
    registry(fresh_env, "init")
    text_file, empty = tmp_path / "notes.txt", tmp_path / "empty.backup"
    text_file.write_text("not a database")
    empty.write_bytes(b"")
    for file in (text_file, empty):
        refused = run(fresh_env, "restore", str(file))
        assert refused.returncode == 1, refused
        assert "is not a registry backup" in refused.stderr and "Traceback" not in refused.stderr
