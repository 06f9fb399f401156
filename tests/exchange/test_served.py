"""Workbook downloads and the import preview, served by gunicorn on the suite's database kind and
used over HTTP: outside a test's transaction, reads run as the server runs them (on PostgreSQL,
in autocommit unless the page streams)."""

from __future__ import annotations

import io
import os

import openpyxl
import pytest

from registry.demo import EXAMPLE_PATH as EXAMPLE
from tests.served import Browser, registry, served

PASSWORD = "served-over-http-1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows(download: bytes, sheet: str) -> int:
    """Records on one sheet of a downloaded workbook (the header row left out)."""
    book = openpyxl.load_workbook(io.BytesIO(download), read_only=True)
    try:
        return sum(1 for _ in book[sheet].iter_rows(min_row=2))
    finally:
        book.close()


@pytest.mark.served
def test_exports_and_the_import_preview_answer_when_served(scratch, tmp_path):
    env = os.environ | {"REGISTRY_DATABASE_URL": scratch("exports"),
                        "REGISTRY_SECRET_KEY": "served-exports"}
    registry(env, "init")
    registry(env, "demo")
    registry(env, "create-user", "editor", "--role", "editor", "--password-stdin",
             stdin=f"{PASSWORD}\n")
    with served(env, tmp_path / "server.log", workers=2) as base:
        browser = Browser(base)
        browser.login("editor", PASSWORD)
        downloads = {path: browser.get(path) for path in (
            "/exchange/export",
            "/exchange/export?entity=purposes&status=active",
            "/exchange/export?entity=purposes&q=P01",
            "/exchange/export?language=ja",
        )}
        uploaded = browser.upload("/exchange/import", "workbook", "inventory.xlsx",
                                  EXAMPLE.read_bytes(), form="/exchange/")
        assert uploaded.status == 302, uploaded.text
        preview = browser.get(uploaded.location)
    failing = {path: answer.status for path, answer in downloads.items()
               if answer.status != 200 or answer.headers["Content-Type"] != XLSX}
    if preview.status != 200:
        failing[uploaded.location] = preview.status
    assert not failing, (tmp_path / "server.log").read_text()[-3000:]
    assert rows(downloads["/exchange/export"].body, "Purposes of use") == 12
    assert rows(downloads["/exchange/export?entity=purposes&status=active"].body, "Purposes of use") == 11
    assert rows(downloads["/exchange/export?entity=purposes&q=P01"].body, "Purposes of use") == 1
    assert rows(downloads["/exchange/export?language=ja"].body, "利用目的") == 12
    assert "inventory.xlsx" in preview.text
