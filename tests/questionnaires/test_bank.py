"""The question bank: the default questions, versions on rewording, retiring."""

from __future__ import annotations

import sqlalchemy as sa

from registry.core.models import AuditEntry
from registry.extensions import db
from registry.questionnaires import bank
from registry.questionnaires.models import Question, QuestionVersion
from registry.questionnaires.services import update_question
from tests import factories as f


def test_default_bank_covers_the_guidelines(app_ctx):
    assert bank.seed() == len(bank.DEFAULT_QUESTIONS) >= 40
    assert bank.seed() == 0, "seeding twice adds nothing"
    areas = set(db.session.scalars(sa.select(Question.area)))
    assert {a.value for a in areas} == {"policy", "organisational", "personnel", "physical",
                                        "technical", "external", "reentrustment", "incident",
                                        "termination", "certification"}
    codes = db.session.scalars(sa.select(Question.code)).all()
    assert len(codes) == len(set(codes))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuestionVersion)) == len(codes)
    foreign = db.session.scalars(sa.select(Question.code).where(Question.audience == "foreign"))
    assert set(foreign) >= {"EXT-01", "EXT-02"}


def test_rewording_makes_a_version_and_keeps_the_old_one(app_ctx):
    question = f.make_question(text_ja="旧い質問", text_en="Old question")
    update_question(question, {"severity": "critical"})
    assert question.version == 1
    update_question(question, {"text_ja": "新しい質問"})
    db.session.flush()
    assert question.version == 2
    wordings = [(v.version, v.text_ja, v.text_en) for v in question.versions]
    assert wordings == [(1, "旧い質問", "Old question"), (2, "新しい質問", "Old question")]
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.entity == "questions", AuditEntry.record_id == question.id
    ).order_by(AuditEntry.id.desc())).first()
    assert entry.changes["text_ja"] == ["旧い質問", "新しい質問"]
    assert entry.changes["version"] == [1, 2]


def test_admin_rewords_and_retires_in_the_browser_form(app_ctx, as_role):
    question = f.make_question(code="WEB-01", text_ja="質問", text_en="Question")
    db.session.commit()
    admin = as_role("admin")
    response = admin.post(f"/questions/{question.id}/edit", {
        "code": "WEB-01", "area": "technical", "text_ja": "改訂した質問", "text_en": "Question",
        "answer_type": "yes_no", "severity": "medium", "audience": "all", "status": "retired"})
    assert response.status_code == 302
    page = admin.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "改訂した質問" in page and "質問" in page
    db.session.expire_all()
    stored = db.session.get(Question, question.id)
    assert stored.version == 2 and stored.status.value == "retired"
