"""Issue 15: what an attacker would try, one point at a time."""

from __future__ import annotations

import contextvars

import sqlalchemy as sa

from registry.core.models import AuditEntry
from registry.exchange.models import ImportBatch
from registry.extensions import db
from tests.exchange.helpers import workbook


def test_viewers_and_editors_do_not_read_the_user_accounts_audit(app_ctx, as_role, users):
    """Point 8: /audit/?entity=users listed every account, role and password event to viewers."""
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.entity == "users"))
    for role in ("viewer", "editor"):
        page = as_role(role).get("/audit/?entity=users").get_data(as_text=True)
        assert users["admin"] not in page, role
        everything = as_role(role).get("/audit/").get_data(as_text=True)
        assert "users #" not in everything and ">users<" not in everything, role
    admin = as_role("admin").get("/audit/?entity=users").get_data(as_text=True)
    assert users["viewer"] in admin


def test_an_upload_named_with_line_breaks_is_stored_and_downloaded_cleanly(app_ctx, as_role,
                                                                           tmp_path):
    """Point 10: a file name with CR/LF was stored as is, and the batch's file then gave a 500."""
    book = workbook(tmp_path / "p.xlsx", {"Purposes": [["Code", "Purpose of use", "Status"],
                                                       ["N1", "改行", "active"]]})
    editor = as_role("editor")
    token = editor.token("/exchange/")
    boundary = "registry-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"workbook\"; "
            "filename*=UTF-8''a%0D%0ASet-Cookie%3A%20x%3D1%0D%0A.xlsx\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + book.read_bytes() + \
        f"\r\n--{boundary}--\r\n".encode()
    uploaded = contextvars.Context().run(  # a request of its own, as the test client's are
        editor.http.post, "/exchange/import", data=body,
        content_type=f"multipart/form-data; boundary={boundary}")
    preview = uploaded.headers["Location"]
    assert editor.post(preview + "/apply", form_url=preview).status_code == 302
    batch = db.session.scalar(sa.select(ImportBatch))
    assert "\r" not in batch.filename and "\n" not in batch.filename
    download = editor.get(f"/exchange/batches/{batch.id}/file")
    assert download.status_code == 200 and "Set-Cookie" not in download.headers
    download.close()
