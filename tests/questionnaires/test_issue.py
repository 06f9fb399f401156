"""Issuing a questionnaire: the right questions, a protected workbook, a signed hidden sheet."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from urllib.parse import quote

import openpyxl
import sqlalchemy as sa

from registry.cli import cli
from registry.core.models import AuditEntry
from registry.extensions import db
from registry.questionnaires import bank, issuance, returned, workbook
from registry.questionnaires.models import Questionnaire, WorkbookLanguage
from tests import factories as f
from tests.factories import today as registry_today


def codes(questionnaire) -> set[str]:
    return {v.question.code for v in questionnaire.questions}


def test_questions_follow_the_consignee(app_ctx):
    bank.seed()
    domestic = f.make_consignee(name="国内委託先")
    foreign = f.make_consignee(name="Foreign Cloud", country="US")
    f.make_contract(consignee=foreign, reentrustment_allowed=True)
    home = codes(issuance.issue(domestic))
    abroad = codes(issuance.issue(foreign))
    assert "EXT-01" not in home and "REE-01" not in home and "TEC-01" in home
    assert {"EXT-01", "EXT-02", "REE-01", "TEC-01"} <= abroad


def test_workbook_is_protected_and_signed(app_ctx, tmp_path):
    bank.seed()
    consignee = f.make_consignee(name="Foreign Cloud", country="US", address="Seattle")
    f.make_entrustment(consignee=consignee, categories=[f.make_category(
        name="健康情報", appi_kind="special_care")])
    issued = issuance.issue(consignee)
    path = tmp_path / "q.xlsx"
    workbook.write(issued, path)
    book = openpyxl.load_workbook(path)
    assert book["_questionnaire"].sheet_state == "veryHidden"
    questions = book["質問 Questions"]
    assert questions.protection.sheet
    assert questions["E2"].protection.locked is False and questions["C2"].protection.locked
    assert questions.max_row - 1 == len(issued.versions)
    rows = {row[0].value: row for row in questions.iter_rows(min_row=2)}
    asked = {v.question.code: v.question.evidence_requested for v in issued.versions}
    assert asked["POL-01"] and not asked["TEC-01"]
    assert rows["POL-01"][6].fill.fgColor.rgb != rows["TEC-01"][6].fill.fgColor.rgb
    prompts = {str(v.sqref) for v in questions.data_validations.dataValidation if v.prompt}
    assert f"G{rows['POL-01'][0].row}" in prompts
    details = {row[0].value: row[1] for row in book["貴社情報 Company details"].iter_rows(min_row=2)}
    assert details["所在地 / Address"].value == "Seattle"
    assert details["所在地 / Address"].protection.locked is False
    assert details["委託先名 / Name"].protection.locked
    entrusted = [c.value for c in book["委託内容 Entrusted work"][2]]
    assert "健康情報（要配慮 / special care）" in entrusted[2]
    hidden = {row[0].value: row[1].value for row in book["_questionnaire"].iter_rows()}
    data = json.loads(hidden["payload"])
    assert data["questionnaire"] == issued.reference and data["consignee"] == consignee.id
    assert hidden["signature"] == workbook.sign(data)
    forged = {**data, "consignee": consignee.id + 1}
    assert workbook.sign(forged) != hidden["signature"]


def test_issue_from_the_cli_and_the_consignee_page(app, app_ctx, as_role, tmp_path):
    bank.seed()
    consignee = f.make_consignee(name="株式会社回答", risk_tier="high")
    db.session.commit()
    result = app.test_cli_runner().invoke(
        cli, ["questionnaire", "export", "株式会社回答", str(tmp_path / "cli.xlsx")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cli.xlsx").read_bytes()[:2] == b"PK"
    form_url = f"/consignees/{consignee.id}/questionnaire"
    assert as_role("viewer").post(form_url, form_url="/").status_code == 403
    due = registry_today() + timedelta(days=14)
    response = as_role("editor").post(form_url, {"due_on": due.isoformat(), "language": "both"})
    assert response.status_code == 302
    issued = db.session.scalars(sa.select(Questionnaire).order_by(Questionnaire.id)).all()
    assert len(issued) == 2
    assert (issued[1].due_on - issued[1].issued_on).days == app.config["ANSWER_DAYS"]["high"] == 14
    assert issued[1].issued_by == "editor1"
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.entity == "questionnaires", AuditEntry.record_id == issued[1].id))
    assert entry.actor == "editor1" and entry.action.value == "create"
    page = as_role("viewer").get(f"/consignees/{consignee.id}").get_data(as_text=True)
    assert issued[1].reference in page
    response = as_role("viewer").get(f"/questionnaires/{issued[1].id}/workbook")
    data = response.data
    response.close()
    assert response.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(data))["_questionnaire"]


def test_issuing_asks_for_the_due_date_and_language_then_lists_the_new_one(app, app_ctx,
                                                                           as_role):
    """Issue 16: the issue form offers the due date (by default REGISTRY_ANSWER_DAYS for the
    tier) and the workbook's language; issuing says so and returns to the consignee page,
    whose list shows the new questionnaire with its workbook to download."""
    bank.seed()
    consignee = f.make_consignee(name="Northwind Cloud", country="US", risk_tier="medium")
    db.session.commit()
    editor = as_role("editor")
    form_url = f"/consignees/{consignee.id}/questionnaire"
    assert f'href="{form_url}"' in editor.get(f"/consignees/{consignee.id}").get_data(as_text=True)
    form = editor.get(form_url).get_data(as_text=True)
    default = registry_today() + timedelta(days=app.config["ANSWER_DAYS"]["medium"])
    assert f'value="{default.isoformat()}"' in form
    assert 'value="en"' in form and 'value="ja"' in form
    due = registry_today() + timedelta(days=45)
    response = editor.post(form_url, {"due_on": due.isoformat(), "language": "en"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/consignees/{consignee.id}#questionnaires"
    issued = db.session.scalar(sa.select(Questionnaire).where(
        Questionnaire.consignee_id == consignee.id))
    assert issued.due_on == due and issued.language.value == "en"
    page = editor.get(f"/consignees/{consignee.id}").get_data(as_text=True)
    assert f"Questionnaire {issued.reference} was issued to Northwind Cloud" in page
    download = f"/questionnaires/{issued.id}/workbook"
    assert issued.reference in page and f'href="{download}"' in page

    response = editor.get(download)
    data = response.data
    response.close()
    disposition = response.headers["Content-Disposition"]
    assert f"filename={issued.reference}-Northwind_Cloud.xlsx" in disposition
    book = openpyxl.load_workbook(io.BytesIO(data))
    questions = book["質問 Questions"]
    assert [c.value for c in questions[1]][:5] == ["Code", "Area", "Question", None, "Answer"]
    assert questions.column_dimensions["D"].hidden
    row = next(r for r in questions.iter_rows(min_row=2) if r[0].value == "TEC-01")
    assert row[2].value.startswith("Is access to personal data limited")
    assert row[1].value == "Technical measures"
    yes_no = next(v for v in questions.data_validations.dataValidation
                  if f"E{row[0].row}" in str(v.sqref).split())
    assert yes_no.formula1 == '"Yes,No,N/A"'
    instructions = [r[0].value for r in book["回答方法 Instructions"].iter_rows() if r[0].value]
    assert f"Answer by: {due.isoformat()}" in instructions
    assert not any("ください" in line for line in instructions), "English only"
    details = [r[0].value for r in book["貴社情報 Company details"].iter_rows(min_row=2)]
    assert "Address" in details


def test_a_japanese_workbook_is_answered_and_read_back(app_ctx, tmp_path):
    """A workbook in Japanese only: the reader finds its answers where a bilingual one has them,
    and reads its drop-down words."""
    bank.seed()
    consignee = f.make_consignee(name="株式会社回答")
    issued = issuance.issue(consignee, language=WorkbookLanguage.JA)
    path = tmp_path / "ja.xlsx"
    workbook.write(issued, path)
    book = openpyxl.load_workbook(path)
    questions = book["質問 Questions"]
    assert [c.value for c in questions[1]][:5] == ["コード", "分野", "質問", None, "回答"]
    for row in questions.iter_rows(min_row=2):
        row[4].value = {"yes_no": "はい", "date": "2026-04-01", "number": "100",
                        "choice": "None", "text": "日本"}[
            issued.questions[row[0].row - 2].question.answer_type.value]
    row = next(r for r in questions.iter_rows(min_row=2) if r[0].value == "INC-03")
    row[4].value = "いいえ"
    row = next(r for r in questions.iter_rows(min_row=2) if r[0].value == "INC-02")
    row[4].value = "12"
    for details in book["貴社情報 Company details"].iter_rows(min_row=2):
        if details[0].value == "所在地":
            details[1].value = "東京都千代田区1-1"
    book.save(path)
    result = returned.read(path, consignee.id)
    assert result.valid, [str(i) for i in result.issues]
    assert result.failing == []
    assert [(d.attr, d.new) for d in result.details] == [("address", "東京都千代田区1-1")]


def test_the_answers_are_due_after_the_day_of_issue(app, app_ctx, as_role, tmp_path):
    """The same rule from the form and the command line."""
    bank.seed()
    consignee = f.make_consignee(name="株式会社期限")
    db.session.commit()
    form_url = f"/consignees/{consignee.id}/questionnaire"
    response = as_role("editor").post(form_url, {"due_on": registry_today().isoformat(),
                                                 "language": "ja"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The answers are due after the day of issue" in page and 'class="field invalid"' in page
    result = app.test_cli_runner().invoke(
        cli, ["questionnaire", "export", "株式会社期限", str(tmp_path / "q.xlsx"), "--due-days", "0"])
    assert result.exit_code == 1 and "The answers are due after the day of issue" in result.output
    assert not (tmp_path / "q.xlsx").exists()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Questionnaire)) == 0


def test_the_file_name_names_the_vendor_safely(app_ctx, as_role):
    """Japanese names in RFC 5987 filename*, characters file systems refuse left out."""
    bank.seed()
    consignee = f.make_consignee(name="株式会社 回答/東京:支店")
    issued = issuance.issue(consignee)
    db.session.commit()
    assert workbook.filename(issued) == f"{issued.reference}-株式会社_回答_東京_支店.xlsx"
    response = as_role("viewer").get(f"/questionnaires/{issued.id}/workbook")
    response.close()
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" + quote(workbook.filename(issued)) in disposition
    assert disposition.isascii()
