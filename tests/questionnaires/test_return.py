"""A questionnaire goes out, comes back filled in and re-saved by LibreOffice, and is recorded;
forged, edited and misdirected workbooks are refused."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from registry.cli import cli
from registry.core.models import AuditEntry
from registry.exchange import pipeline
from registry.exchange.apply import Stale, apply
from registry.exchange.models import ImportBatch
from registry.extensions import db
from registry.questionnaires import bank, issuance, returned, workbook
from registry.questionnaires.models import Answer, Question
from registry.questionnaires.services import update_question
from registry.supervision.models import Finding, SupervisionCheck
from tests import factories as f

BAD = {"TEC-05": "いいえ / No", "PER-02": "いいえ"}
ANSWERS = {"yes_no": "はい / Yes", "date": "2026-04-01", "number": "12", "text": "東京・シアトル",
           "choice": "ISMS (ISO/IEC 27001)"}


def fill(path: Path, out: Path, bad=BAD, address: str | None = None, skip: str | None = None):
    """Answer every question as a vendor would (two badly), optionally correcting the address."""
    book = openpyxl.load_workbook(path)
    sheet = book["質問 Questions"]
    questions = {q.code: q for q in db.session.scalars(sa.select(Question))}
    for row in sheet.iter_rows(min_row=2):
        code = row[0].value
        if code == skip:
            continue
        good = "いいえ" if questions[code].passing_answer == "no" else \
            ANSWERS[questions[code].answer_type.value]
        row[4].value = bad.get(code, good)
        if code == "INC-02":
            row[4].value = 12
        if code == "TEC-04":
            row[4].value = "１８０"
        if code in bad:
            row[5].value = "対応予定"
    if address:
        for row in book["貴社情報 Company details"].iter_rows(min_row=2):
            if row[0].value.startswith("所在地"):
                row[1].value = address
    book.save(out)
    return out


def libreoffice(path: Path, folder: Path) -> Path:
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) is missing: `make test` installs libreoffice-calc"
    folder.mkdir()
    subprocess.run([soffice, "--headless", "--convert-to", "xlsx", "--outdir", str(folder),
                    str(path)], check=True, capture_output=True, timeout=180)
    return folder / path.name


@pytest.fixture
def issued(app_ctx, tmp_path):
    bank.seed()
    consignee = f.make_consignee(name="Northwind Cloud", country="US", risk_tier="high",
                                 address="1200 Example Ave, Seattle")
    questionnaire = issuance.issue(consignee)
    path = tmp_path / "issued.xlsx"
    workbook.write(questionnaire, path)
    db.session.flush()
    return questionnaire, path


@pytest.mark.slow
def test_libreoffice_return_is_recorded(issued, tmp_path, app):
    questionnaire, path = issued
    filled = fill(path, tmp_path / "filled.xlsx", address="500 New Street, Seattle")
    saved = libreoffice(filled, tmp_path / "lo")
    result = returned.read(saved, questionnaire.consignee_id)
    assert result.valid, [str(i) for i in result.issues]
    original = returned.read(filled, questionnaire.consignee_id)
    assert [(a.version.id, a.answer, a.comment, a.passed) for a in original.answers] == \
        [(a.version.id, a.answer, a.comment, a.passed) for a in result.answers], \
        "a workbook re-saved by LibreOffice imports the same as the original"
    assert {a.version.question.code for a in result.failing} == set(BAD)
    assert [(d.attr, d.new) for d in result.details] == [("address", "500 New Street, Seattle")]
    returned.record(result, {"address"}, on=date(2026, 11, 25))
    db.session.flush()
    check = db.session.scalar(sa.select(SupervisionCheck))
    assert check.method.value == "questionnaire" and check.result.value == "fail"
    assert check.next_due_on == date(2026, 11, 25) + timedelta(days=90)
    findings = db.session.scalars(sa.select(Finding).where(Finding.check_id == check.id)).all()
    assert sorted((x.reference.rsplit("-", 1)[-1], x.severity.value, x.due_on) for x in findings) \
        == [("02", "high", date(2026, 12, 25)), ("05", "high", date(2026, 12, 25))]
    assert questionnaire.consignee.address == "500 New Street, Seattle"
    assert questionnaire.status.value == "returned"
    again = returned.read(saved)
    assert again.already_imported, "importing the same workbook again changes nothing"
    runner = app.test_cli_runner()
    result = runner.invoke(cli, ["questionnaire", "import", str(saved)])
    assert result.exit_code == 0 and "already imported" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SupervisionCheck)) == 1


def test_unanswered_and_invalid_answers_are_located(issued, tmp_path, app):
    _questionnaire, path = issued
    filled = fill(path, tmp_path / "partial.xlsx", bad={"TEC-01": "たぶん"}, skip="ORG-01")
    result = app.test_cli_runner().invoke(cli, ["questionnaire", "import", str(filled)])
    assert result.exit_code == 1
    assert "ORG-01 (E" in result.output and "unanswered" in result.output
    assert "TEC-01 (E" in result.output and "たぶん" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SupervisionCheck)) == 0


def test_formulas_without_computed_values_are_errors_not_blanks(issued, tmp_path, app):
    """openpyxl saves formulas without their values: an answer or a corrected detail that is such a
    formula is reported at its cell, not read as unanswered text or as a cleared address."""
    _questionnaire, path = issued
    filled = fill(path, tmp_path / "filled.xlsx")
    book = openpyxl.load_workbook(filled)
    questions = book["質問 Questions"]
    row = next(r for r in questions.iter_rows(min_row=2) if r[0].value == "ORG-01")
    row[4].value = '=IF(TRUE,"はい / Yes","")'
    row[5].value = '="see " & "policy"'
    for details in book["貴社情報 Company details"].iter_rows(min_row=2):
        if details[0].value.startswith("所在地"):
            details[1].value = '=UPPER("500 new street")'
    book.save(tmp_path / "formulas.xlsx")
    result = app.test_cli_runner().invoke(cli, ["questionnaire", "import",
                                                str(tmp_path / "formulas.xlsx"), "--accept-details"])
    assert result.exit_code == 1, result.output
    row_number = row[0].row
    assert f"row {row_number}, column “ORG-01 (E{row_number})”: a formula without a computed " \
        "value" in result.stderr
    assert f"column “ORG-01 (F{row_number})”" in result.stderr
    assert "column “所在地 / Address”: a formula without a computed value" in result.stderr
    assert "Details:" not in result.output, "no correction to an empty address is offered"
    assert questionnaire_address(issued) == "1200 Example Ave, Seattle"


def questionnaire_address(issued) -> str:
    questionnaire, _path = issued
    db.session.expire_all()
    return questionnaire.consignee.address


def test_forged_edited_and_misdirected_workbooks_are_refused(issued, tmp_path, app):
    questionnaire, path = issued
    runner = app.test_cli_runner()
    edited = openpyxl.load_workbook(path)
    hidden = edited["_questionnaire"]
    hidden["B1"].value = hidden["B1"].value.replace("Northwind Cloud", "Someone Else")
    edited.save(tmp_path / "edited.xlsx")
    result = runner.invoke(cli, ["questionnaire", "import", str(tmp_path / "edited.xlsx")])
    assert result.exit_code == 2 and "signature does not match" in result.output
    other = f.make_consignee(name="別の委託先")
    db.session.flush()
    result = runner.invoke(cli, ["questionnaire", "import", str(path), "--consignee", other.name])
    assert result.exit_code == 2 and "another consignee" in result.output
    plain = openpyxl.Workbook()
    plain.save(tmp_path / "plain.xlsx")
    result = runner.invoke(cli, ["questionnaire", "import", str(tmp_path / "plain.xlsx")])
    assert result.exit_code == 2 and "not a questionnaire" in result.output
    unknown = openpyxl.load_workbook(path)
    data = json.loads(unknown["_questionnaire"]["B1"].value)
    data["questionnaire"] = "QNR-20990101-9999"
    unknown["_questionnaire"]["B1"].value = json.dumps(data, sort_keys=True, ensure_ascii=False)
    unknown["_questionnaire"]["B2"].value = workbook.sign(data)
    unknown.save(tmp_path / "unknown.xlsx")
    result = runner.invoke(cli, ["questionnaire", "import", str(tmp_path / "unknown.xlsx")])
    assert result.exit_code == 2 and "unknown questionnaire" in result.output
    update_question(questionnaire.questions[0].question, {"text_en": "Reworded"})
    db.session.flush()
    still = returned.read(path)
    assert still.questionnaire == questionnaire, "a reworded question keeps the issued wording"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SupervisionCheck)) == 0


def test_a_damaged_return_is_refused_in_one_line(issued, tmp_path, app):
    """A byte changed inside the questions sheet's compressed data: exit 2, one line."""
    _questionnaire, path = issued
    filled = fill(path, tmp_path / "filled.xlsx")
    with zipfile.ZipFile(filled) as archive:
        entry = next(e for e in archive.infolist() if e.filename.startswith("xl/worksheets/"))
    data = bytearray(filled.read_bytes())
    at = entry.header_offset + 30 + len(entry.filename) + len(entry.extra) + entry.compress_size // 2
    data[at] ^= 0xFF
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(bytes(data))
    result = app.test_cli_runner().invoke(cli, ["questionnaire", "import", str(damaged)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Refused: damaged.xlsx: the file is damaged")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SupervisionCheck)) == 0


def test_upload_on_the_consignee_page(issued, tmp_path, as_role):
    questionnaire, path = issued
    db.session.commit()
    filled = fill(path, tmp_path / "filled.xlsx", address="500 New Street, Seattle")
    editor = as_role("editor")
    consignee_url = f"/consignees/{questionnaire.consignee_id}"
    other = f.make_consignee(name="別の委託先")
    db.session.commit()
    response = editor.post(f"/consignees/{other.id}/questionnaire/import",
                           {"workbook": (io.BytesIO(filled.read_bytes()), "filled.xlsx")},
                           form_url=consignee_url, content_type="multipart/form-data")
    refused = editor.get(response.headers["Location"])
    assert refused.status_code == 422 and "another consignee" in refused.get_data(as_text=True)
    response = editor.post(f"{consignee_url}/questionnaire/import",
                           {"workbook": (io.BytesIO(filled.read_bytes()), "filled.xlsx")},
                           form_url=consignee_url, content_type="multipart/form-data")
    preview_url = response.headers["Location"]
    assert preview_url.startswith("/exchange/import/"), "the same preview as any workbook"
    page = editor.get(preview_url).get_data(as_text=True)
    assert "500 New Street, Seattle" in page and "2 failing" in page and "TEC-05" in page
    response = editor.post(preview_url + "/apply", {"accept": "address"}, form_url=preview_url)
    assert response.status_code == 302 and response.headers["Location"].startswith(
        "/exchange/batches/")
    db.session.expire_all()
    check = db.session.scalar(sa.select(SupervisionCheck))
    assert check.result.value == "fail" and check.performed_by == "editor1"
    assert questionnaire.consignee.address == "500 New Street, Seattle"
    assert len(db.session.scalars(sa.select(Finding)).all()) == 2
    page = editor.get(f"/checks/{check.id}").get_data(as_text=True)
    assert "TEC-05" in page and "対応予定" in page and page.count('class="failing"') == 2


def test_next_questionnaire_is_prefilled_with_unchanged_answers(issued, tmp_path):
    questionnaire, path = issued
    filled = fill(path, tmp_path / "filled.xlsx")
    returned.record(returned.read(filled), set())
    reworded = db.session.scalar(sa.select(Question).where(Question.code == "TEC-01"))
    update_question(reworded, {"text_en": "Is access to personal data restricted?"})
    second = issuance.issue(questionnaire.consignee)
    workbook.write(second, tmp_path / "second.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "second.xlsx")["質問 Questions"]
    answers = {row[0].value: (row[4].value, row[5].value) for row in sheet.iter_rows(min_row=2)}
    assert answers["TEC-05"] == ("いいえ / No", "対応予定")
    assert answers["POL-01"] == ("はい / Yes", None)
    assert answers["TEC-01"] == (None, None), "a reworded question starts empty"


def test_a_return_is_an_import_batch_that_an_administrator_can_revert(issued, tmp_path, app,
                                                                         as_role):
    """The same pipeline as an inventory workbook: planned, applied under the lock as an import
    batch with its audit entries, and reverted whole (then it can be imported again)."""
    questionnaire, path = issued
    filled = fill(path, tmp_path / "filled.xlsx", address="500 New Street, Seattle")
    db.session.commit()
    result = app.test_cli_runner().invoke(cli, ["questionnaire", "import", str(filled),
                                                "--accept-details"])
    assert result.exit_code == 0, result.output
    assert "Applied as import batch" in result.output
    batch = db.session.scalar(sa.select(ImportBatch))
    assert batch.counts == {"supervision_checks": {"create": 1}, "findings": {"create": 2},
                            "consignees": {"update": 1}}
    logged = {(e.entity, e.action.value) for e in db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.batch_id == batch.id))}
    assert logged == {("supervision_checks", "create"), ("findings", "create"),
                      ("questionnaires", "update"), ("consignees", "update")}
    db.session.commit()
    admin = as_role("admin")
    assert admin.post(f"/exchange/batches/{batch.id}/revert",
                      {"batch": batch.id}).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SupervisionCheck)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Finding)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0
    assert questionnaire.status.value == "issued"
    assert questionnaire.consignee.address == "1200 Example Ave, Seattle"
    db.session.commit()  # (the command rolls back its reading transaction, as far as this)
    again = app.test_cli_runner().invoke(cli, ["questionnaire", "import", str(filled)])
    assert again.exit_code == 0 and "Applied as import batch" in again.output


def test_a_return_planned_before_another_import_of_it_is_stale(issued, tmp_path):
    """Two people confirming the same return: the second plan is stale under the lock."""
    _questionnaire, path = issued
    filled = fill(path, tmp_path / "filled.xlsx")
    first = pipeline.plan_file(filled)
    second = pipeline.plan_file(filled)
    assert first.kind == second.kind == "questionnaire" and first.changes_anything
    apply(first, "filled.xlsx", filled.read_bytes())
    db.session.flush()
    with pytest.raises(Stale):
        apply(second, "filled.xlsx", filled.read_bytes())


def test_a_refused_correction_cannot_be_accepted(issued, tmp_path, app):
    """Observation 2: corrections that the consignee's form would refuse are refused here too
    (the country column holds a two-letter ISO code), and nothing is stored."""
    questionnaire, path = issued
    filled = fill(path, tmp_path / "filled.xlsx")
    book = openpyxl.load_workbook(filled)
    wrong = {"国": "Japan (Tokyo)", "法人番号": "123", "窓口メールアドレス": "not an address"}
    for details in book["貴社情報 Company details"].iter_rows(min_row=2):
        for label, value in wrong.items():
            if details[0].value.startswith(label):
                details[1].value = value
    book.save(tmp_path / "wrong.xlsx")
    plan = pipeline.plan_file(tmp_path / "wrong.xlsx")
    problems = {d.attr: d.problem for d in plan.returned.details}
    assert set(problems) == {"country", "corporate_number", "contact_email"}
    assert "two-letter ISO 3166" in problems["country"]
    assert "check digit" in problems["corporate_number"]
    assert "e-mail address" in problems["contact_email"]
    assert plan.valid, "the answers themselves can still be recorded"
    result = app.test_cli_runner().invoke(cli, ["questionnaire", "import",
                                                str(tmp_path / "wrong.xlsx"), "--accept-details"])
    assert result.exit_code == 1 and "cannot be accepted" in result.output
    db.session.expire_all()
    assert questionnaire.consignee.country == "US" and questionnaire.status.value == "issued"
