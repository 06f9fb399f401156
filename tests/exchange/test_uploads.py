"""Pending uploads live in the database: only the uploading user sees one, for a day at most, and
applying or refusing it removes it."""

from __future__ import annotations

import io
import os
import secrets
from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from registry.core.model import utcnow
from registry.core.models import User
from registry.exchange import uploads
from registry.exchange.models import PendingUpload
from registry.extensions import db
from registry.inventory.models import Purpose
from tests.exchange.helpers import workbook
from tests.served import Browser, registry, served


def user_id(name: str) -> int:
    return db.session.scalar(sa.select(User.id).where(User.username == name))


def post_workbook(client, content: bytes, name: str):
    return client.post("/exchange/import", {"workbook": (io.BytesIO(content), name)},
                       form_url="/exchange/", content_type="multipart/form-data")


def test_only_the_uploading_user_sees_an_upload_and_applying_it_removes_it(app_ctx, as_role,
                                                                           tmp_path):
    book = workbook(tmp_path / "purposes.xlsx", {"Purposes": [
        ["Code", "Purpose of use", "Status"], ["U1", "確認待ち", "active"]]}).read_bytes()
    editor = as_role("editor")
    preview = post_workbook(editor, book, "purposes.xlsx").headers["Location"]
    token = preview.rsplit("/", 1)[1]
    kept = db.session.get(PendingUpload, token)
    assert (kept.filename, kept.details, kept.content) == ("purposes.xlsx", {"sync": False}, book)
    admin = as_role("admin")
    assert admin.get(preview).status_code == 404
    assert admin.post(preview + "/apply", form_url="/exchange/").status_code == 404
    assert editor.get(preview).status_code == 200
    assert editor.post(preview + "/apply", form_url=preview).status_code == 302
    db.session.expire_all()
    assert db.session.get(PendingUpload, token) is None
    assert db.session.scalars(sa.select(Purpose.title)).all() == ["確認待ち"]
    assert editor.get(preview).status_code == 404


def test_a_refused_upload_is_removed(app_ctx, as_role):
    editor = as_role("editor")
    preview = post_workbook(editor, b"code,title\n", "\x00ledger.csv").headers["Location"]
    token = preview.rsplit("/", 1)[1]
    assert db.session.get(PendingUpload, token).filename == "ledger.csv"
    refused = editor.get(preview)
    assert refused.status_code == 422 and "ledger.csv" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PendingUpload, token) is None


def test_unconfirmed_uploads_are_gone_after_a_day(app_ctx, users):
    editor, admin = user_id(users["editor"]), user_id(users["admin"])
    old = uploads.save(FileStorage(io.BytesIO(b"old"), "old.xlsx"), editor, {"sync": False})
    db.session.get(PendingUpload, old).created_at = utcnow() - uploads.KEEP - timedelta(minutes=1)
    db.session.flush()
    assert uploads.load(old, editor) is None
    new = uploads.save(FileStorage(io.BytesIO(b"new"), "../folder/new.xlsx"), editor, {"sync": True})
    assert db.session.get(PendingUpload, old) is None
    assert uploads.load(new, editor) == uploads.Stored("new.xlsx", {"sync": True}, b"new")
    assert uploads.load(new, admin) is None
    assert uploads.load("../" + new[3:], editor) is None
    with uploads.load(new, editor).path() as path:
        assert path.read_bytes() == b"new"
    assert not path.exists()


@pytest.mark.served
def test_a_workbook_may_be_as_large_as_the_import_limit_and_other_forms_stay_small(scratch_url,
                                                                                   tmp_path):
    """Issue 15, 11: one setting, REGISTRY_IMPORT_MAX_FILE_BYTES, for the web as for the CLI (the
    CSRF check used to read the body under the 1 MiB default first). Served for real: a large
    body is what a proxy and gunicorn see."""
    env = os.environ | {"REGISTRY_DATABASE_URL": scratch_url, "REGISTRY_SECRET_KEY": "large"}
    registry(env, "init")
    registry(env, "create-user", "big", "--role", "editor", "--password-stdin",
             stdin="a long enough password\n")
    noise = [[secrets.token_hex(15_000)] for _ in range(80)]  # hardly compressible: 1.3 MB
    book = workbook(tmp_path / "large.xlsx", {"Purposes": [["Code", "Purpose of use", "Status"],
                                                           ["L1", "大きな台帳", "active"]] + noise})
    content = book.read_bytes()
    assert len(content) > 1024 * 1024, "more than the web used to accept"
    with served(env, tmp_path / "server.log") as base:
        browser = Browser(base)
        browser.login("big", "a long enough password")
        uploaded = browser.upload("/exchange/import", "workbook", "large.xlsx", content,
                                  form="/exchange/")
        assert uploaded.status == 302 and "/exchange/import/" in uploaded.headers["Location"]
        too_large = browser.post("/purposes/new", {"code": "L2", "title": "x" * (2 * 1024 * 1024)},
                                 form="/purposes/new")
        assert too_large.status == 413
