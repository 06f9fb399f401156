"""Issuing a questionnaire: the right questions, a protected workbook, a signed hidden sheet."""

from __future__ import annotations

import io
import json

import openpyxl
import sqlalchemy as sa

from registry.cli import cli
from registry.core.models import AuditEntry
from registry.extensions import db
from registry.questionnaires import bank, issuance, workbook
from registry.questionnaires.models import Questionnaire
from tests import factories as f


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
    assert as_role("viewer").post(f"/consignees/{consignee.id}/questionnaire",
                                  form_url="/").status_code == 403
    response = as_role("editor").post(f"/consignees/{consignee.id}/questionnaire",
                                      form_url=f"/consignees/{consignee.id}")
    data = response.data
    response.close()
    assert response.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(data))["_questionnaire"]
    issued = db.session.scalars(sa.select(Questionnaire).order_by(Questionnaire.id)).all()
    assert len(issued) == 2
    assert (issued[1].due_on - issued[1].issued_on).days == app.config["ANSWER_DAYS"]["high"] == 14
    assert issued[1].issued_by == "editor1"
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.entity == "questionnaires", AuditEntry.record_id == issued[1].id))
    assert entry.actor == "editor1" and entry.action.value == "create"
    page = as_role("viewer").get(f"/consignees/{consignee.id}").get_data(as_text=True)
    assert issued[1].reference in page
