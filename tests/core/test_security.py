"""Issue 15: what an attacker would try, one point at a time."""

from __future__ import annotations

import contextvars
import statistics
import time
from pathlib import Path

import sqlalchemy as sa

from registry.core.models import AuditEntry, Role
from registry.core.users import create_user
from registry.exchange.models import ImportBatch
from registry.extensions import db
from tests.exchange.helpers import workbook
from tests.served import registry


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


def test_an_unknown_name_costs_what_a_wrong_password_costs(app, app_ctx, client):
    """Point 1: a wrong password for an existing account took a median 105 ms, an unknown name
    6 ms (the hash was skipped), which tells which accounts exist. With the production hash
    (scrypt), both now check a hash: the medians are of the same order."""
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    try:
        create_user("timed", Role.VIEWER, "a long enough password")
        db.session.commit()

        def median(name: str) -> float:
            took = []
            for _ in range(3):
                started = time.perf_counter()
                assert client.login(name, "not the password").status_code == 401
                took.append(time.perf_counter() - started)
            return statistics.median(took)

        known, unknown = median("timed"), median("nobody-by-this-name")
    finally:
        app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"
    assert unknown > known / 2, (known, unknown)


def test_the_files_the_registry_writes_are_its_owners_alone(fresh_env, tmp_path):
    """Point 9: the SQLite database, backups and exports were created readable by everyone."""
    registry(fresh_env, "init")
    registry(fresh_env, "demo")
    database = Path(fresh_env["REGISTRY_DATABASE_URL"].removeprefix("sqlite:///"))
    registry(fresh_env, "backup", str(tmp_path / "backup.db"))
    registry(fresh_env, "export", str(tmp_path / "export.xlsx"))
    written = [database, *database.parent.glob(database.name + "-*"), tmp_path / "backup.db",
               tmp_path / "export.xlsx"]
    assert {path.name: oct(path.stat().st_mode & 0o777) for path in written} == \
        {path.name: "0o600" for path in written}
