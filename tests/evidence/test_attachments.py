"""Evidence attached to records (issue 16): each allowed format kept as sent, anything else
refused beside the field, downloads always as attachments of the format found, editors attach and
remove, viewers download, every change in the audit log, every record page lists its files."""

from __future__ import annotations

import hashlib
import html
import io
import re

import pytest
import sqlalchemy as sa

from registry import config
from registry.consignees.models import Contract
from registry.core import audit, operations
from registry.core.models import AuditEntry, Role
from registry.core.schema import Invalid
from registry.evidence import services
from registry.evidence.models import Attachment, owned_by
from registry.extensions import db
from registry.questionnaires import issuance
from tests import factories as f
from tests.evidence import files
from tests.evidence.conftest import attach

FIELD_ERROR = re.compile(r'<p class="error" id="file-error">(.*?)</p>', re.S)

ALLOWED = {
    "pdf": (files.pdf, "署名済み契約書.pdf", "application/pdf", "署名済み契約書.pdf"),
    "png": (files.png, "certificate.PNG", "image/png", "certificate.PNG"),
    "jpeg": (files.jpeg, "scan.jpg", "image/jpeg", "scan.jpg"),
    "xlsx": (files.xlsx, "消去証明.xlsx",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "消去証明.xlsx"),
    "docx": (files.docx, "是正報告書.docx",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "是正報告書.docx"),
    # the format is found in the bytes: a name that says otherwise is given the right ending
    "pdf-without-ending": (files.pdf, "scan", "application/pdf", "scan.pdf"),
    "pdf-named-html": (files.pdf, "report.html", "application/pdf", "report.html.pdf"),
    "docx-named-xlsx": (files.docx, "報告.xlsx",
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        "報告.xlsx.docx"),
}

REFUSED = {
    "exe-renamed-pdf": (files.exe, "contract.pdf", "not a PDF, PNG, JPEG"),
    "html-renamed-pdf": (files.html, "report.pdf", "not a PDF, PNG, JPEG"),
    "svg-renamed-png": (files.svg, "logo.png", "not a PDF, PNG, JPEG"),
    "svg": (files.svg, "logo.svg", "not a PDF, PNG, JPEG"),
    "empty": (lambda: b"", "empty.pdf", "The file is empty."),
    "plain-zip": (lambda: files.office_zip({"readme.txt": "hello"}), "archive.docx",
                  "not a PDF, PNG, JPEG"),
    "word-with-macros": (lambda: files.docx(main=files.DOCM_MAIN), "macro.docx",
                         "Files with macros"),
    "zip-bomb": (files.docx_bomb, "bomb.docx", "zip bomb"),
}


def stored(record=None) -> list[Attachment]:
    query = sa.select(Attachment).order_by(Attachment.id)
    if record is not None:
        query = query.where(owned_by(record))
    return list(db.session.scalars(query))


def entries(table: str, record_id: int) -> list[dict]:
    return [e.changes for e in db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.entity == table, AuditEntry.record_id == record_id)
        .order_by(AuditEntry.id)) if "attachments" in e.changes]


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("case", ALLOWED.values(), ids=ALLOWED.keys())
def test_each_allowed_format_is_attached_as_sent(app_ctx, as_role, case):
    make, name, content_type, kept_as = case
    content = make()
    contract = f.make_contract()
    db.session.commit()
    editor = as_role("editor")
    response = attach(editor, "contracts", contract.id, name, content, note="原本はキャビネット")
    assert response.status_code == 302, text(response)
    assert response.headers["Location"] == f"/contracts/{contract.id}#attachments"
    db.session.expire_all()
    [kept] = stored(contract)
    assert (kept.file_name, kept.content_type, kept.size) == (kept_as, content_type, len(content))
    assert kept.content == content and kept.sha256 == hashlib.sha256(content).hexdigest()
    assert (kept.kind.value, kept.note, kept.uploaded_by) == ("contract", "原本はキャビネット",
                                                              "editor1")
    page = text(editor.get(f"/contracts/{contract.id}"))
    assert kept_as in page and f'href="/attachments/{kept.id}"' in page and kept.sha256 in page


@pytest.mark.parametrize("case", REFUSED.values(), ids=REFUSED.keys())
def test_anything_else_is_refused_beside_the_field(app_ctx, as_role, case):
    make, name, says = case
    contract = f.make_contract()
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    response = attach(as_role("editor"), "contracts", contract.id, name, make())
    assert response.status_code == 200
    [message] = FIELD_ERROR.findall(response.get_data(as_text=True))
    assert says in html.unescape(message)
    assert "The file was not attached" in text(response)
    db.session.expire_all()
    assert stored() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before
    assert db.session.get(Contract, contract.id).revision == 1


def test_a_file_over_the_limit_is_refused(app_ctx, as_role, attachment_limit):
    """REGISTRY_ATTACHMENT_MAX_BYTES: a file over it is refused beside the field; a request larger
    than it and the form's other fields is refused (413) before its body is read."""
    attachment_limit(2_000)
    contract = f.make_contract()
    db.session.commit()
    editor = as_role("editor")
    small, large = files.pdf(), files.pdf(padding=3_000)
    assert len(small) < 2_000 < len(large)
    refused = attach(editor, "contracts", contract.id, "large.pdf", large)
    assert refused.status_code == 200
    [message] = FIELD_ERROR.findall(refused.get_data(as_text=True))
    assert message == f"The file has {len(large):,} bytes; the limit is 2,000."
    too_large = attach(editor, "contracts", contract.id, "huge.pdf", files.pdf(padding=80_000))
    assert too_large.status_code == 413
    assert attach(editor, "contracts", contract.id, "small.pdf", small).status_code == 302
    db.session.expire_all()
    assert [a.file_name for a in stored()] == ["small.pdf"]


def test_a_download_is_always_an_attachment_of_the_format_found(app_ctx, as_role):
    content = files.pdf()
    contract = f.make_contract()
    db.session.commit()
    editor = as_role("editor")
    attach(editor, "contracts", contract.id, "契約書 (署名済み).pdf", content)
    attach(editor, "contracts", contract.id, "index.html", content)
    audit.act_as("cli:test", Role.EDITOR)  # browsers send quotes as %22; the service keeps them
    db.session.expire_all()
    services.attach(contract, 'plain "name".png', files.png(), "other")
    db.session.commit()
    japanese, renamed, plain = stored()
    viewer = as_role("viewer")

    response = viewer.get(f"/attachments/{japanese.id}")
    assert response.status_code == 200 and response.data == content
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Length"] == str(len(content))
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=attachment.pdf; filename*=UTF-8''"
        "%E5%A5%91%E7%B4%84%E6%9B%B8%20%28%E7%BD%B2%E5%90%8D%E6%B8%88%E3%81%BF%29.pdf")
    assert "no-store" in response.headers["Cache-Control"]

    response = viewer.get(f"/attachments/{renamed.id}")
    assert response.headers["Content-Disposition"] == 'attachment; filename=index.html.pdf'
    response = viewer.get(f"/attachments/{plain.id}")
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Disposition"] == r'attachment; filename="plain \"name\".png"'
    assert viewer.get("/attachments/999999").status_code == 404


def test_a_japanese_name_without_ascii_gets_a_stand_in(app_ctx, as_role):
    contract = f.make_contract()
    db.session.commit()
    editor = as_role("editor")
    attach(editor, "contracts", contract.id, "削除証明書.pdf", files.pdf(), kind="deletion_certificate")
    [kept] = stored()
    disposition = editor.get(f"/attachments/{kept.id}").headers["Content-Disposition"]
    assert disposition == ("attachment; filename=attachment.pdf; filename*=UTF-8''"
                           "%E5%89%8A%E9%99%A4%E8%A8%BC%E6%98%8E%E6%9B%B8.pdf")


def test_viewers_download_but_neither_attach_nor_remove(app_ctx, as_role):
    contract = f.make_contract()
    db.session.commit()
    attach(as_role("editor"), "contracts", contract.id, "contract.pdf", files.pdf())
    [kept] = stored()
    viewer = as_role("viewer")
    page = text(viewer.get(f"/contracts/{contract.id}"))
    assert "contract.pdf" in page and "attachments/new" not in page and "/remove" not in page
    assert viewer.get(f"/attachments/{kept.id}").status_code == 200
    url = f"/contracts/{contract.id}/attachments/new"
    assert viewer.get(url).status_code == 403
    token = viewer.token(f"/contracts/{contract.id}")
    posted = viewer.post(url, {"file": (io.BytesIO(files.pdf()), "x.pdf"), "kind": "other",
                               "csrf_token": token}, csrf=False, content_type="multipart/form-data")
    assert posted.status_code == 403
    assert viewer.get(f"/attachments/{kept.id}/remove").status_code == 403
    assert viewer.post(f"/attachments/{kept.id}/remove", {"csrf_token": token},
                       csrf=False).status_code == 403
    db.session.expire_all()
    assert len(stored()) == 1


def test_the_service_refuses_a_viewer_too(app_ctx):
    contract = f.make_contract()
    audit.act_as("cli:someone", Role.VIEWER)
    with pytest.raises(Invalid, match="may not attach or remove files"):
        services.attach(contract, "x.pdf", files.pdf(), "other")
    audit.act_as("cli:someone", Role.EDITOR)
    kept = services.attach(contract, "x.pdf", files.pdf(), "other")
    audit.act_as("cli:someone", Role.VIEWER)
    with pytest.raises(Invalid, match="may not attach or remove files"):
        services.remove(kept)


def test_attaching_and_removing_are_changes_in_the_audit_log(app_ctx, as_role):
    content = files.pdf()
    digest = hashlib.sha256(content).hexdigest()
    contract = f.make_contract()
    db.session.commit()
    editor = as_role("editor")
    attach(editor, "contracts", contract.id, "契約書.pdf", content)
    [kept] = stored()
    shown = f"契約書.pdf · application/pdf · {len(content):,} B · SHA-256 {digest}"
    assert entries("contracts", contract.id) == [{"attachments": [None, shown]}]
    db.session.expire_all()
    assert db.session.get(Contract, contract.id).revision == 2, "a change of the record"

    confirm = text(editor.get(f"/attachments/{kept.id}/remove"))
    assert "Remove this file from" in confirm and "audit log" in confirm
    assert editor.post(f"/attachments/{kept.id}/remove").status_code == 302
    db.session.expire_all()
    assert stored() == []
    assert entries("contracts", contract.id) == [{"attachments": [None, shown]},
                                                 {"attachments": [shown, None]}]
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.entity == "contracts").order_by(AuditEntry.id.desc())).first()
    assert (entry.actor, entry.action.value, entry.record_label) == (
        "editor1", "update", contract.reference)
    for page in (f"/contracts/{contract.id}/history", "/audit/?entity=contracts"):
        shown_page = text(editor.get(page))
        assert "Attached files" in shown_page and digest in shown_page
    assert editor.post("/language", {"language": "ja"}, form_url="/").status_code == 302
    assert "添付ファイル" in text(editor.get(f"/contracts/{contract.id}/history"))


def test_every_record_page_lists_its_files(app_ctx, as_role):
    consignee = f.make_consignee()
    contract = f.make_contract(consignee=consignee)
    check = f.make_check(consignee=consignee)
    finding = f.make_finding(check=check)
    questionnaire = issuance.issue(consignee)
    db.session.commit()
    editor = as_role("editor")
    pages = {"consignees": consignee, "contracts": contract, "checks": check,
             "findings": finding, "questionnaires": questionnaire}
    for path, record in pages.items():
        assert "No file is attached." in text(editor.get(f"/{path}/{record.id}"))
        response = attach(editor, path, record.id, f"{path}.pdf", files.pdf(), kind="other")
        assert response.status_code == 302, (path, text(response))
    for path, record in pages.items():
        page = text(editor.get(f"/{path}/{record.id}"))
        section = page.split('<section id="attachments">', 1)[1].split("</section>", 1)[0]
        assert [other for other in pages if f"{other}.pdf" in section] == [path], "its own files"
        assert f'action="/{path}/{record.id}/attachments/new"' in section, path
    consignee_page = text(editor.get(f"/consignees/{consignee.id}"))
    assert f'href="/questionnaires/{questionnaire.id}"' in consignee_page
    assert "Attached files" not in text(editor.get(f"/purposes/{f.make_purpose().id}"))


def test_a_record_with_files_is_deleted_only_once_they_are_removed(app_ctx, as_role, transaction):
    contract_id = f.make_contract().id
    db.session.commit()
    editor = as_role("editor")
    attach(editor, "contracts", contract_id, "contract.pdf", files.pdf())
    [kept] = stored()
    refused = editor.post(f"/contracts/{contract_id}/delete")
    assert refused.status_code == 409 and "Attached files: 1" in text(refused)
    db.session.expire_all()
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        operations.delete(db.session.get(Contract, contract_id))  # the database refuses too
    db.session.expire_all()
    assert editor.post(f"/attachments/{kept.id}/remove").status_code == 302
    assert editor.post(f"/contracts/{contract_id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Contract, contract_id) is None


def test_one_record_has_each_file(app_ctx, transaction):
    """The database keeps an attachment with exactly one record."""
    contract = f.make_contract()
    columns = {"kind": "other", "note": "", "file_name": "x.pdf", "content_type": "application/pdf",
               "size": 1, "sha256": "0" * 64, "content": b"%", "uploaded_by": "t"}
    for owners in ({}, {"contract_id": contract.id, "consignee_id": contract.consignee_id}):
        with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
            db.session.execute(sa.insert(Attachment).values(**columns, **owners))


def test_the_limit_is_a_setting(monkeypatch, tmp_path):
    assert config.from_environment(tmp_path)["ATTACHMENT_MAX_BYTES"] == 20 * 1024 * 1024
    monkeypatch.setenv("REGISTRY_ATTACHMENT_MAX_BYTES", "5000000")
    assert config.from_environment(tmp_path)["ATTACHMENT_MAX_BYTES"] == 5_000_000
    for wrong in ("20MB", "0", str(2**30)):
        monkeypatch.setenv("REGISTRY_ATTACHMENT_MAX_BYTES", wrong)
        with pytest.raises(ValueError, match="REGISTRY_ATTACHMENT_MAX_BYTES"):
            config.from_environment(tmp_path)
