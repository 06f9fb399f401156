"""The question bank: questions asked of consignees, each reworded question kept as a version."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.consignees.models import Consignee
from registry.core.i18n import lazy_gettext as _l
from registry.core.model import Choice, Record, choice_column, utcnow
from registry.extensions import db
from registry.supervision.models import Severity


class QuestionArea(Choice):
    """What a question is about, following the PPC guidelines' security control measures."""

    POLICY = "policy", _l("Basic policy and internal rules")
    ORGANISATIONAL = "organisational", _l("Organisational measures")
    PERSONNEL = "personnel", _l("Personnel measures")
    PHYSICAL = "physical", _l("Physical measures")
    TECHNICAL = "technical", _l("Technical measures")
    EXTERNAL = "external", _l("External environment (foreign processing)")
    REENTRUSTMENT = "reentrustment", _l("Re-entrustment")
    INCIDENT = "incident", _l("Incident notification")
    TERMINATION = "termination", _l("Return and deletion at the end")
    CERTIFICATION = "certification", _l("Certifications")


class AnswerType(Choice):
    """The kind of answer a question expects."""

    YES_NO = "yes_no", _l("Yes / no / not applicable")
    DATE = "date", _l("Date")
    NUMBER = "number", _l("Number")
    CHOICE = "choice", _l("Choice")
    TEXT = "text", _l("Free text")


class Audience(Choice):
    """Which consignees are asked a question."""

    ALL = "all", _l("Every consignee")
    FOREIGN = "foreign", _l("Consignees handling data abroad")
    REENTRUSTING = "reentrusting", _l("Consignees allowed to re-entrust")


class QuestionStatus(Choice):
    """Whether a question is still asked."""

    ACTIVE = "active", _l("Asked")
    RETIRED = "retired", _l("Retired")


class Question(Record, db.Model):
    """A question of the bank; its wording lives in versions so old answers keep their text."""

    __tablename__ = "questions"

    #: stable code, the natural key (e.g. TEC-03)
    code: so.Mapped[str] = so.mapped_column(sa.String(16), unique=True)
    #: the area of the security control measures it checks
    area: so.Mapped[QuestionArea] = choice_column(QuestionArea)
    #: the current wording in Japanese
    text_ja: so.Mapped[str] = so.mapped_column(sa.Text)
    #: the current wording in English
    text_en: so.Mapped[str] = so.mapped_column(sa.Text)
    #: yes/no, date, number, choice or free text
    answer_type: so.Mapped[AnswerType] = choice_column(AnswerType, default=AnswerType.YES_NO)
    #: the allowed answers of a choice question, separated by |
    options: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    #: the answer that passes: yes, no, a bound such as >=90 or <=24, a choice; empty: any
    passing_answer: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    #: severity of the finding a failing answer opens
    severity: so.Mapped[Severity] = choice_column(Severity, default=Severity.MEDIUM)
    #: whether the vendor is asked for evidence (a document reference)
    evidence_requested: so.Mapped[bool] = so.mapped_column(default=False)
    #: which consignees are asked
    audience: so.Mapped[Audience] = choice_column(Audience, default=Audience.ALL)
    #: asked or retired
    status: so.Mapped[QuestionStatus] = choice_column(QuestionStatus,
                                                      default=QuestionStatus.ACTIVE)
    #: the current version number (1 for a new question, raised by each rewording)
    version: so.Mapped[int] = so.mapped_column(default=1)

    versions: so.Mapped[list[QuestionVersion]] = so.relationship(
        back_populates="question", order_by="QuestionVersion.version")

    def __str__(self) -> str:
        return self.code


class QuestionVersion(db.Model):
    """One wording of a question, as it was asked; answers point to the version they answered."""

    __tablename__ = "question_versions"
    __table_args__ = (sa.UniqueConstraint("question_id", "version"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the question
    question_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("questions.id"))
    #: 1, 2, ...
    version: so.Mapped[int]
    #: the wording in Japanese at that version
    text_ja: so.Mapped[str] = so.mapped_column(sa.Text)
    #: the wording in English at that version
    text_en: so.Mapped[str] = so.mapped_column(sa.Text)
    #: when this wording was introduced (UTC)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    question: so.Mapped[Question] = so.relationship(back_populates="versions")


class QuestionnaireStatus(Choice):
    """Where an issued questionnaire stands."""

    ISSUED = "issued", _l("Sent, awaiting the answers")
    RETURNED = "returned", _l("Returned")
    CANCELLED = "cancelled", _l("Cancelled")


questionnaire_questions = sa.Table(
    "questionnaire_questions",
    db.metadata,
    sa.Column("questionnaire_id", sa.ForeignKey("questionnaires.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("version_id", sa.ForeignKey("question_versions.id"), primary_key=True, index=True),
)


class Questionnaire(Record, db.Model):
    """A questionnaire workbook issued to one consignee: which question versions, when, due when."""

    __tablename__ = "questionnaires"

    #: management number, printed in the workbook
    reference: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    #: the consignee asked
    consignee_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("consignees.id"), index=True)
    #: the day the workbook was issued
    issued_on: so.Mapped[date]
    #: the day the answers are due
    due_on: so.Mapped[date]
    #: who issued it
    issued_by: so.Mapped[str] = so.mapped_column(sa.String(80))
    #: sent, returned or cancelled
    status: so.Mapped[QuestionnaireStatus] = choice_column(QuestionnaireStatus,
                                                           default=QuestionnaireStatus.ISSUED)

    consignee: so.Mapped[Consignee] = so.relationship()
    versions: so.Mapped[list[QuestionVersion]] = so.relationship(
        secondary=questionnaire_questions, order_by=QuestionVersion.id)

    def __str__(self) -> str:
        return self.reference

    @property
    def questions(self) -> list[QuestionVersion]:
        """The question versions asked, in the order of their codes."""
        return sorted(self.versions, key=lambda v: v.question.code)


class Answer(db.Model):
    """A vendor's answer to one question version, kept with the check it was imported into."""

    __tablename__ = "answers"
    __table_args__ = (sa.UniqueConstraint("questionnaire_id", "version_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the questionnaire answered
    questionnaire_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("questionnaires.id"))
    #: the wording that was answered
    version_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("question_versions.id"),
                                                  index=True)
    #: the supervision check the answers were recorded in
    check_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("supervision_checks.id"),
                                                index=True)
    #: the answer as given (yes / no / n/a, a date, a number, a choice or text)
    answer: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: the vendor's comment
    comment: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: the vendor's evidence reference
    evidence: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: whether the answer passes the question's rule
    passed: so.Mapped[bool]

    version: so.Mapped[QuestionVersion] = so.relationship()
