"""The question bank: questions asked of consignees, each reworded question kept as a version."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.consignees.models import Consignee
from registry.core.i18n import Label
from registry.core.i18n import lazy_gettext as _l
from registry.core.model import Choice, Record, choice_column, utcnow
from registry.core.schema import describe
from registry.extensions import db
from registry.supervision.models import Severity


class QuestionArea(Choice):
    """What a question is about, following the PPC guidelines' security control measures."""

    POLICY = "policy", "Basic policy and internal rules", "基本方針・取扱規程"
    ORGANISATIONAL = "organisational", "Organisational measures", "組織的安全管理措置"
    PERSONNEL = "personnel", "Personnel measures", "人的安全管理措置"
    PHYSICAL = "physical", "Physical measures", "物理的安全管理措置"
    TECHNICAL = "technical", "Technical measures", "技術的安全管理措置"
    EXTERNAL = "external", "External environment (foreign processing)", "外的環境の把握（外国での取扱い）"
    REENTRUSTMENT = "reentrustment", "Re-entrustment", "再委託"
    INCIDENT = "incident", "Incident notification", "事故報告"
    TERMINATION = "termination", "Return and deletion at the end", "終了時の返却・削除"
    CERTIFICATION = "certification", "Certifications", "認証"


class AnswerType(Choice):
    """The kind of answer a question expects."""

    YES_NO = "yes_no", "Yes / no / not applicable", "はい／いいえ／該当なし"
    DATE = "date", "Date", "日付"
    NUMBER = "number", "Number", "数値"
    CHOICE = "choice", "Choice", "選択肢"
    TEXT = "text", "Free text", "自由記述"


class Audience(Choice):
    """Which consignees are asked a question."""

    ALL = "all", "Every consignee", "すべての委託先"
    FOREIGN = "foreign", "Consignees handling data abroad", "外国で取り扱う委託先"
    REENTRUSTING = "reentrusting", "Consignees allowed to re-entrust", "再委託が認められた委託先"


class QuestionKind(Choice):
    """Whether an answer is judged, or is a fact the assessment takes into account."""

    ASSESSED = "assessed", "Assessed (pass or fail)", "評価（合否を判定）"
    FACT = "fact", "Fact (information for the assessment)", "事実（評価の参考情報）"


class QuestionStatus(Choice):
    """Whether a question is still asked."""

    ACTIVE = "active", "Asked", "使用中"
    RETIRED = "retired", "Retired", "廃止"


#: how the stored answers of a yes/no question read
ANSWER_WORDS = {"yes": _l("Yes"), "no": _l("No"), "n/a": _l("Not applicable")}


def answer_text(answer: str) -> object:
    """A stored answer as the reader reads it: yes, no and n/a in their language, any other
    (a date, a number, a choice, text) as given."""
    return ANSWER_WORDS.get(answer, answer)


class Question(Record, db.Model):
    """A question of the bank; its wording lives in versions so old answers keep their text."""

    __tablename__ = "questions"

    #: stable code, the natural key (e.g. TEC-03)
    code: so.Mapped[str] = so.mapped_column(sa.String(16), unique=True, info=describe(
        "Code", "コード", code=True, upper=True))
    #: the area of the security control measures it checks
    area: so.Mapped[QuestionArea] = choice_column(QuestionArea, info=describe("Area", "分野"))
    #: the current wording in Japanese
    text_ja: so.Mapped[str] = so.mapped_column(sa.Text, info=describe(
        "Question (Japanese)", "質問（日本語）", max=2000, language="ja"))
    #: the current wording in English
    text_en: so.Mapped[str] = so.mapped_column(sa.Text, info=describe(
        "Question (English)", "質問（英語）", max=2000, language="en"))
    #: assessed (pass or fail, a failing answer opens a finding) or a fact (information only,
    #: such as the countries of processing or a foreign government's access under its law)
    kind: so.Mapped[QuestionKind] = choice_column(QuestionKind, default=QuestionKind.ASSESSED,
                                                  info=describe("Kind of question", "質問の種類", hint=(
        "A failing answer to an assessed question opens a finding; the answer to a fact is "
        "shown on the check and never fails.",
        "評価する質問に不合格の回答があると指摘事項になります。事実を尋ねる質問の回答は点検記録に"
        "表示され、不合格にはなりません。")))
    #: yes/no, date, number, choice or free text
    answer_type: so.Mapped[AnswerType] = choice_column(AnswerType, default=AnswerType.YES_NO,
                                                       info=describe("Answer type", "回答形式"))
    #: the allowed answers of a choice question, separated by |
    options: so.Mapped[str] = so.mapped_column(sa.String(500), default="", info=describe(
        "Choices (separated by |)", "選択肢（|で区切る）"))
    #: the answer that passes an assessed question: yes, no, a bound such as >=90 or <=24, a
    #: choice; empty: any
    passing_answer: so.Mapped[str] = so.mapped_column(sa.String(100), default="", info=describe(
        "Passing answer (assessed questions; empty: any answer passes)",
        "合格となる回答（評価する質問。空欄：どの回答も合格）", shows=answer_text))
    #: severity of the finding a failing answer opens
    severity: so.Mapped[Severity] = choice_column(Severity, default=Severity.MEDIUM, info=describe(
        "Severity of a failing answer", "不合格の回答の重要度"))
    #: whether the vendor is asked for evidence (a document reference)
    evidence_requested: so.Mapped[bool] = so.mapped_column(default=False, info=describe(
        "Evidence requested", "根拠資料を求める"))
    #: which consignees are asked
    audience: so.Mapped[Audience] = choice_column(Audience, default=Audience.ALL, info=describe(
        "Asked of", "対象"))
    #: asked or retired
    status: so.Mapped[QuestionStatus] = choice_column(QuestionStatus,
                                                      default=QuestionStatus.ACTIVE,
                                                      info=describe("Status", "状態"))
    #: the current version number (1 for a new question, raised by each rewording)
    version: so.Mapped[int] = so.mapped_column(default=1)

    versions: so.Mapped[list[QuestionVersion]] = so.relationship(
        back_populates="question", order_by="QuestionVersion.version")

    def __str__(self) -> str:
        return self.code

    @property
    def wording(self) -> Label:
        """The current wording in the reader's language."""
        return Label(self.text_en, self.text_ja)


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

    @property
    def wording(self) -> Label:
        """This wording in the reader's language."""
        return Label(self.text_en, self.text_ja)


class WorkbookLanguage(Choice):
    """The language of the texts of a questionnaire workbook (its sheet names stay bilingual)."""

    BOTH = "both", "Japanese and English", "日本語と英語"
    JA = "ja", "Japanese", "日本語"
    EN = "en", "English", "英語"


class QuestionnaireStatus(Choice):
    """Where an issued questionnaire stands."""

    ISSUED = "issued", "Sent, awaiting the answers", "送付済み（回答待ち）"
    RETURNED = "returned", "Returned", "回答済み"
    CANCELLED = "cancelled", "Cancelled", "取消"


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
    #: the language of the workbook's texts
    language: so.Mapped[WorkbookLanguage] = choice_column(WorkbookLanguage,
                                                          default=WorkbookLanguage.BOTH)

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
    #: whether the answer passes the question's rule; None for a fact, which is not judged
    passed: so.Mapped[bool | None]

    version: so.Mapped[QuestionVersion] = so.relationship()
