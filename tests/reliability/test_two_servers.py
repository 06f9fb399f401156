"""Two app servers with instance folders of their own on one database (PostgreSQL, or a shared
SQLite file), as behind a load balancer: a session, a CSRF token and an upload made on one are
good on the other, and neither keeps a file."""

from __future__ import annotations

import os
import urllib.parse

import pytest
import sqlalchemy as sa

from tests.exchange.helpers import workbook
from tests.served import Browser, registry, served

PASSWORD = "two-servers-password"


@pytest.mark.served
def test_an_upload_on_one_server_is_previewed_and_applied_on_the_other(scratch, tmp_path):
    url = scratch("team")
    shared = os.environ | {"REGISTRY_DATABASE_URL": url}
    shared.pop("REGISTRY_SECRET_KEY", None)
    one = shared | {"REGISTRY_INSTANCE_PATH": str(tmp_path / "one")}
    two = shared | {"REGISTRY_INSTANCE_PATH": str(tmp_path / "two")}
    registry(one, "init")
    registry(one, "create-user", "editor", "--role", "editor", "--password-stdin",
             stdin=f"{PASSWORD}\n")
    book = workbook(tmp_path / "purposes.xlsx", {"Purposes": [
        ["Code", "Purpose of use", "Status"], ["L1", "負荷分散", "active"], ["L2", "共有", "draft"]]})
    with served(one, tmp_path / "one.log") as first, served(two, tmp_path / "two.log") as second:
        browser = Browser(first)  # one cookie jar for both: cookies are not kept per port
        browser.login("editor", PASSWORD)
        browser.base = second
        home = browser.get("/")
        assert home.status == 200 and "editor" in home.text, "the session made on one is unknown"

        browser.base = first
        uploaded = browser.upload("/exchange/import", "workbook", "purposes.xlsx", book.read_bytes(),
                                  form="/exchange/")
        assert uploaded.status == 302, uploaded.text
        preview = uploaded.location
        token = browser.token(preview)  # the CSRF token of a page shown by one ...

        browser.base = second
        shown = browser.get(preview)
        assert shown.status == 200 and "2 new" in shown.text, shown.text
        applied = browser.request(  # ... confirms on two
            preview + "/apply", urllib.parse.urlencode({"csrf_token": token}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"})
        assert applied.status == 302 and applied.location.startswith("/exchange/batches/"), \
            (tmp_path / "two.log").read_text()[-3000:]
        browser.base = first
        assert browser.get(applied.location).status == 200
        assert browser.get(preview).status == 404  # applied: gone for both

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        titles = dict(connection.execute(sa.text("SELECT code, title FROM purposes")).all())
        pending = connection.scalar(sa.text("SELECT count(*) FROM pending_uploads"))
    engine.dispose()
    assert titles == {"L1": "負荷分散", "L2": "共有"} and pending == 0
    assert not (tmp_path / "one").exists() and not (tmp_path / "two").exists()
