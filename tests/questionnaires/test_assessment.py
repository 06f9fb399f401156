"""What a returned questionnaire becomes (issue 16): the selection assessment of a new consignee
or a periodic check, as chosen on the preview or with `--as`, judged by the checks' rules; and
answers to questions that collect facts are information for the assessment, never findings."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from registry import create_app
from registry.cli import cli
from registry.extensions import db
from registry.questionnaires import bank, issuance, returned, workbook
from registry.questionnaires.models import Answer, Question, QuestionKind
from registry.supervision.models import Finding, SupervisionCheck
from tests import factories as f
from tests.factories import today
from tests.questionnaires.test_return import fill


def issued(app, consignee, folder: Path) -> tuple[str, bytes]:
    """Issue a questionnaire to the consignee with `registry questionnaire export`; its page and
    the workbook's bytes."""
    path = folder / "sent.xlsx"
    result = app.test_cli_runner().invoke(cli, ["questionnaire", "export", consignee.name,
                                                str(path), "--country", consignee.country])
    assert result.exit_code == 0, result.output
    return f"/consignees/{consignee.id}", path.read_bytes()


def answered(data: bytes, folder: Path, **answers) -> Path:
    """The workbook filled in by the vendor with openpyxl: every question answered well, those
    given (code=answer) as given."""
    issued = folder / "issued.xlsx"
    issued.write_bytes(data)
    out = fill(issued, folder / "answered.xlsx", bad={})
    book = openpyxl.load_workbook(out)
    for row in book["質問 Questions"].iter_rows(min_row=2):
        if row[0].value in answers:
            row[4].value = answers[row[0].value]
    book.save(out)
    return out


def upload(editor, consignee_url: str, path: Path) -> str:
    response = editor.post(f"{consignee_url}/questionnaire/import",
                           {"workbook": (io.BytesIO(path.read_bytes()), path.name)},
                           form_url=consignee_url, content_type="multipart/form-data")
    assert response.status_code == 302
    return response.headers["Location"]


def without_selection(app) -> set[str]:
    """The entrustments `registry check` reports as begun before any selection assessment."""
    result = app.test_cli_runner().invoke(cli, ["check", "--format", "json"])
    report = json.loads(result.output)
    return {r["label"] for r in report["results"] if r["check"] == "entrustment-without-selection"}


def test_a_new_consignees_questionnaire_is_its_selection_assessment(app, app_ctx, as_role,
                                                                  tmp_path):
    """End to end: a new consignee's work starts today; its questionnaire is issued, filled in by
    the vendor, uploaded and recorded (the preview proposes a selection assessment); the
    compliance check no longer reports the entrustment. Work that began before today stays
    reported, and the preview says so."""
    bank.seed()
    consignee = f.make_consignee(name="Northwind Cloud", country="US", risk_tier="high",
                                 cross_border_basis="consent")
    f.make_entrustment(consignee=consignee, reference="ENT-NEW", start_on=today())
    f.make_entrustment(consignee=consignee, reference="ENT-OLD",
                       start_on=today() - timedelta(days=30))
    db.session.commit()
    assert {"ENT-NEW", "ENT-OLD"} <= without_selection(app)

    editor = as_role("editor")
    consignee_url, data = issued(app, consignee, tmp_path)
    preview_url = upload(editor, consignee_url, answered(data, tmp_path))
    page = editor.get(preview_url).get_data(as_text=True)
    assert 'name="check_kind" value="selection" checked' in page
    assert 'name="check_kind" value="periodic">' in page
    assert "ENT-OLD" in page and "ENT-NEW" not in page.split("still reported")[1].split("</p>")[0]
    response = editor.post(preview_url + "/apply", {"check_kind": "selection"},
                           form_url=preview_url)
    assert response.status_code == 302 and "/exchange/batches/" in response.headers["Location"]

    db.session.expire_all()
    check = db.session.scalar(sa.select(SupervisionCheck).where(
        SupervisionCheck.consignee_id == consignee.id))
    assert check.kind.value == "selection" and check.checked_on == today()
    reported = without_selection(app)
    assert "ENT-NEW" not in reported, "assessed on the day the work began"
    assert "ENT-OLD" in reported, "the work began a month before the assessment"
    page = editor.get(consignee_url).get_data(as_text=True)
    assert "Entrusted before any selection assessment:" in page
    warning = page.split("Entrusted before any selection assessment:")[1].split("</p>")[0]
    assert "ENT-OLD" in warning and "ENT-NEW" not in warning


def test_a_consignee_already_checked_gets_a_periodic_check_unless_chosen(app, app_ctx, as_role,
                                                                        tmp_path):
    bank.seed()
    consignee = f.make_consignee(name="株式会社既存", risk_tier="low")
    f.make_check(consignee=consignee, kind="periodic", checked_on=today() - timedelta(days=200))
    db.session.commit()
    editor = as_role("editor")
    consignee_url, data = issued(app, consignee, tmp_path)
    preview_url = upload(editor, consignee_url, answered(data, tmp_path))
    page = editor.get(preview_url).get_data(as_text=True)
    assert 'name="check_kind" value="periodic" checked' in page
    assert editor.post(preview_url + "/apply", {"check_kind": "ad_hoc"},
                       form_url=preview_url).status_code == 302
    db.session.expire_all()
    kinds = set(db.session.scalars(sa.select(SupervisionCheck.kind).where(
        SupervisionCheck.consignee_id == consignee.id)))
    assert {k.value for k in kinds} == {"periodic", "ad_hoc"}


def test_the_kind_of_check_is_judged_by_the_checks_rules_from_the_web_and_the_cli(
        app, app_ctx, as_role, tmp_path):
    """A kind the supervision check's form would refuse is refused by the confirmation and by
    `--as`, with the same message, and nothing is written; `--as periodic` records one."""
    bank.seed()
    consignee = f.make_consignee(name="株式会社新規")
    db.session.commit()
    editor = as_role("editor")
    consignee_url, data = issued(app, consignee, tmp_path)
    path = answered(data, tmp_path)
    preview_url = upload(editor, consignee_url, path)
    response = editor.post(preview_url + "/apply", {"check_kind": "annual"}, form_url=preview_url)
    assert response.status_code == 302 and response.headers["Location"] == preview_url
    assert "Not one of the choices." in editor.get(preview_url).get_data(as_text=True)
    runner = app.test_cli_runner()
    result = runner.invoke(cli, ["questionnaire", "import", str(path), "--as", "annual"])
    assert result.exit_code == 1, result.output
    assert "Kind of check" in result.output and "Not one of the choices." in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SupervisionCheck)) == 0

    result = runner.invoke(cli, ["questionnaire", "import", str(path), "--dry-run"])
    assert result.exit_code == 0 and "Kind of check: Selection assessment" in result.output
    db.session.commit()  # (the command rolls back its reading transaction, as far as this)
    result = runner.invoke(cli, ["questionnaire", "import", str(path), "--as", "periodic"])
    assert result.exit_code == 0, result.output
    assert "Kind of check: Periodic check" in result.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(SupervisionCheck.kind)).value == "periodic"


def test_an_honest_foreign_vendor_reports_facts_not_failings(app, app_ctx, as_role, tmp_path):
    """A US vendor answers truthfully that its government may access the data by law and that
    the data is processed in the US: no finding, the check passes, and the facts are on the
    check's page for the assessment of the foreign environment."""
    bank.seed()
    consignee = f.make_consignee(name="Northwind Cloud", country="US", risk_tier="high",
                                 cross_border_basis="consent")
    db.session.commit()
    editor = as_role("editor")
    consignee_url, data = issued(app, consignee, tmp_path)
    path = answered(data, tmp_path, **{"EXT-03": "Yes", "EXT-01": "United States (Oregon)"})
    preview_url = upload(editor, consignee_url, path)
    page = editor.get(preview_url).get_data(as_text=True)
    assert "0 failing" in page
    facts = page.split('id="facts"')[1]
    assert "EXT-03" in facts and "EXT-01" in facts and "United States (Oregon)" in facts
    assert editor.post(preview_url + "/apply", form_url=preview_url).status_code == 302

    db.session.expire_all()
    check = db.session.scalar(sa.select(SupervisionCheck).where(
        SupervisionCheck.consignee_id == consignee.id))
    assert check.result.value == "pass"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Finding)) == 0
    answers = {a.version.question.code: a for a in db.session.scalars(
        sa.select(Answer).where(Answer.check_id == check.id))}
    assert answers["EXT-03"].answer == "yes" and answers["EXT-03"].passed is None
    assert answers["TEC-01"].passed is True
    page = editor.get(f"/checks/{check.id}").get_data(as_text=True)
    facts = page.split('id="facts"')[1]
    assert "EXT-03" in facts and "United States (Oregon)" in facts
    assert "failing: 0; facts reported: 6." in page
    assert 'class="failing"' not in page


def test_an_assessed_question_still_fails(app_ctx, tmp_path):
    """Facts do not soften the assessed questions: a failing answer still opens its finding."""
    bank.seed()
    consignee = f.make_consignee(name="Northwind Cloud", country="US")
    issued = issuance.issue(consignee)
    workbook.write(issued, tmp_path / "issued.xlsx")
    db.session.flush()
    filled = answered((tmp_path / "issued.xlsx").read_bytes(), tmp_path,
                      **{"EXT-03": "はい / Yes", "EXT-04": "いいえ / No"})
    result = returned.read(filled)
    assert [a.version.question.code for a in result.failing] == ["EXT-04"]
    assert "EXT-03" in [a.version.question.code for a in result.facts]


def test_the_bank_marks_its_fact_questions_and_a_migrated_bank_too(app_ctx, scratch_url):
    """The default bank's factual questions collect facts, in a new bank and in one loaded
    before the migration that brought the kind of question."""
    bank.seed()
    kinds = dict(db.session.execute(sa.select(Question.code, Question.kind)).all())
    facts = {code for code, kind in kinds.items() if kind == QuestionKind.FACT}
    assert facts == {"POL-03", "PER-03", "EXT-01", "EXT-03", "REE-02", "CER-01", "CER-02"}
    assert kinds["TEC-01"] == QuestionKind.ASSESSED

    old = create_app({"SQLALCHEMY_DATABASE_URI": scratch_url, "SECRET_KEY": "m"})
    with old.app_context():
        upgrade(revision="0014")
        with db.engine.begin() as connection:
            for code, answer in (("EXT-03", "no"), ("TEC-01", "yes")):
                connection.execute(sa.text(
                    "INSERT INTO questions (code, area, text_ja, text_en, answer_type, options, "
                    "passing_answer, severity, evidence_requested, audience, status, version, "
                    "created_at, updated_at) VALUES (:code, 'external', 'q', 'q', 'yes_no', '', "
                    ":answer, 'high', false, 'all', 'active', 1, :now, :now)"),
                    {"code": code, "answer": answer, "now": today()})
        upgrade()
        with db.engine.connect() as connection:
            migrated = dict(connection.execute(sa.text("SELECT code, kind FROM questions")).all())
        db.engine.dispose()
    assert migrated == {"EXT-03": "fact", "TEC-01": "assessed"}


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_error_page_of_a_returned_workbook_counts_and_takes_a_corrected_one(
        app, app_ctx, as_role, tmp_path, language):
    """One unanswered question: "1 problem" (Japanese has no plural), and an upload control on
    the page sends the corrected workbook for the same consignee."""
    bank.seed()
    consignee = f.make_consignee(name="株式会社訂正")
    db.session.commit()
    editor = as_role("editor")
    editor.post("/language", {"language": language}, form_url="/")
    consignee_url, data = issued(app, consignee, tmp_path)
    (tmp_path / "issued.xlsx").write_bytes(data)
    partial = fill(tmp_path / "issued.xlsx", tmp_path / "partial.xlsx", bad={}, skip="ORG-01")
    page = editor.get(upload(editor, consignee_url, partial)).get_data(as_text=True)
    if language == "en":
        assert "1 problem was found. Nothing will be written until it is fixed." in page
    else:
        assert "1件の問題が見つかりました" in page
    assert "problems were found" not in page
    form = page.split('class="filters reupload"')[0].rsplit("<form", 1)[1]
    assert f'action="{consignee_url}/questionnaire/import"' in form
    assert 'enctype="multipart/form-data"' in form
    whole = fill(tmp_path / "issued.xlsx", tmp_path / "whole.xlsx", bad={})
    page = editor.get(upload(editor, consignee_url, whole)).get_data(as_text=True)
    assert 'name="check_kind"' in page and "reupload" not in page
