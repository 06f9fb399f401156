"""Pending uploads live in the database: only the uploading user sees one, for a day at most, and
applying or refusing it removes it."""

from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from registry.core.model import utcnow
from registry.core.models import User
from registry.exchange import uploads
from registry.exchange.models import PendingUpload
from registry.extensions import db
from registry.inventory.models import Purpose
from tests.exchange.helpers import workbook


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
