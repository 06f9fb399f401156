"""Evidence as it runs: gunicorn on the suite's database kind, used over HTTP. Files as large as
REGISTRY_ATTACHMENT_MAX_BYTES go through (beyond the 1 MiB of other forms), larger requests are
refused before their body is read, and `registry backup` / `restore` carry the files."""

from __future__ import annotations

import hashlib
import http.client
import os
import urllib.error
import urllib.parse

import pytest
import sqlalchemy as sa

from tests.evidence import files
from tests.served import Browser, registry, served

PASSWORD = "filing cabinet in the back office"
LIMIT = 2_000_000


def setup(env: dict) -> None:
    registry(env, "init")
    registry(env, "create-user", "keeper", "--role", "editor", "--password-stdin",
             stdin=f"{PASSWORD}\n")


def new_consignee(browser: Browser) -> str:
    """Create a consignee through its form; return its page."""
    created = browser.post("/consignees/new", {"name": "保管株式会社", "country": "JP",
                                               "risk_tier": "low", "status": "active"})
    assert created.status == 302, created.text
    return created.location


@pytest.mark.served
def test_files_as_large_as_the_setting_are_attached_and_downloaded(scratch_url, tmp_path):
    env = os.environ | {"REGISTRY_DATABASE_URL": scratch_url, "REGISTRY_SECRET_KEY": "evidence",
                        "REGISTRY_ATTACHMENT_MAX_BYTES": str(LIMIT)}
    setup(env)
    large = files.pdf(padding=1_500_000)
    assert 1024 * 1024 < len(large) < LIMIT, "more than other forms accept, within the setting"
    with served(env, tmp_path / "server.log") as base:
        browser = Browser(base)
        browser.login("keeper", PASSWORD)
        page = new_consignee(browser)
        url = f"{page}/attachments/new"
        uploaded = browser.upload(url, "file", "ISMS認証書.pdf", large, {"kind": "certificate"},
                                  form=page)
        assert uploaded.status == 302, uploaded.text[-2000:]
        listed = browser.get(page).text
        assert "ISMS認証書.pdf" in listed and hashlib.sha256(large).hexdigest() in listed
        link = listed.split('href="/attachments/', 1)[1].split('"', 1)[0]
        download = browser.get(f"/attachments/{link}")
        assert download.status == 200 and download.body == large
        assert download.headers["Content-Type"] == "application/pdf"
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        assert download.headers["Content-Disposition"].startswith(
            "attachment; filename=ISMS.pdf; filename*=UTF-8''ISMS%E8%AA%8D")

        try:
            too_large = browser.upload(url, "file", "too-large.pdf",
                                       files.pdf(padding=LIMIT + 70_000), {"kind": "certificate"},
                                       form=page)
        except (urllib.error.URLError, ConnectionError) as error:
            # the server answered from the headers and closed before the whole body was sent
            # (a loaded machine): the body was refused unread, which the file not kept below and
            # the request announcing too much show
            assert isinstance(getattr(error, "reason", error), ConnectionError), error
        else:
            assert too_large.status == 413

        # a request announcing more than the limit is answered at once, its body never read
        connection = http.client.HTTPConnection(urllib.parse.urlsplit(base).netloc, timeout=10)
        connection.putrequest("POST", url)
        connection.putheader("Cookie", "; ".join(f"{c.name}={c.value}" for c in browser.cookies))
        connection.putheader("Content-Type", "multipart/form-data; boundary=x")
        connection.putheader("Content-Length", str(10**9))
        connection.endheaders()
        answer = connection.getresponse()
        assert answer.status == 413
        connection.close()

    engine = sa.create_engine(scratch_url)
    with engine.connect() as database:
        kept = database.execute(sa.text("SELECT file_name, size FROM attachments")).all()
    engine.dispose()
    assert kept == [("ISMS認証書.pdf", len(large))]


@pytest.mark.served
@pytest.mark.slow
def test_a_backup_restored_keeps_the_attached_files(scratch, tmp_path):
    source = os.environ | {"REGISTRY_DATABASE_URL": scratch("source"), "REGISTRY_SECRET_KEY": "b"}
    target = source | {"REGISTRY_DATABASE_URL": scratch("target")}
    setup(source)
    content = files.docx()
    with served(source, tmp_path / "source.log") as base:
        browser = Browser(base)
        browser.login("keeper", PASSWORD)
        page = new_consignee(browser)
        uploaded = browser.upload(f"{page}/attachments/new", "file", "削除証明書.docx", content,
                                  {"kind": "deletion_certificate", "note": "2026年度分"},
                                  form=page)
        assert uploaded.status == 302, uploaded.text[-2000:]
    dump = tmp_path / "registry.backup"
    registry(source, "backup", str(dump))
    registry(target, "init")
    registry(target, "restore", str(dump))

    def stored(env: dict) -> tuple:
        engine = sa.create_engine(env["REGISTRY_DATABASE_URL"])
        with engine.connect() as database:
            files_kept = database.execute(sa.text(
                "SELECT c.name, a.file_name, a.kind, a.note, a.content_type, a.size, a.sha256, "
                "a.content, a.uploaded_by FROM attachments a "
                "JOIN consignees c ON c.id = a.consignee_id")).all()
            logged = database.scalars(sa.text(
                "SELECT changes FROM audit_entries WHERE entity = 'consignees' "
                "ORDER BY id")).all()
        engine.dispose()
        return [tuple(row) for row in files_kept], logged

    restored = stored(target)
    assert restored == stored(source)
    [(consignee, name, kind, note, content_type, size, digest, kept, by)] = restored[0]
    assert (consignee, name, kind, note, by) == ("保管株式会社", "削除証明書.docx",
                                                 "deletion_certificate", "2026年度分", "keeper")
    assert bytes(kept) == content and size == len(content)
    assert digest == hashlib.sha256(content).hexdigest()
    assert content_type.endswith("wordprocessingml.document")
    assert any("attachments" in str(changes) for changes in restored[1])
