"""Supervision checks of consignees and the findings they raise (APPI Art. 25)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.consignees.models import CONSIGNEE, OWNER_HINT, REFERENCE, Consignee
from registry.core import clock
from registry.core.model import Choice, Record, choice_column, list_index
from registry.core.schema import describe
from registry.extensions import db


class CheckMethod(Choice):
    """How the handling status was grasped."""

    QUESTIONNAIRE = "questionnaire", "Questionnaire", "チェックシート"
    ONSITE_AUDIT = "onsite_audit", "On-site audit", "実地監査"
    DOCUMENT_REVIEW = "document_review", "Document review", "書面確認"
    REPORT = "report", "Report from the consignee", "委託先からの報告"


class CheckKind(Choice):
    """Why the check was made."""

    SELECTION = "selection", "Selection assessment", "選定時評価"
    PERIODIC = "periodic", "Periodic check", "定期点検"
    AD_HOC = "ad_hoc", "Ad hoc check", "臨時点検"


class CheckResult(Choice):
    """The outcome of a check."""

    PASS = "pass", "Pass", "適合", "合格", "問題なし"
    PASS_WITH_FINDINGS = ("pass_with_findings", "Pass with findings", "適合（指摘事項あり）",
                          "条件付き適合", "指摘あり")
    FAIL = "fail", "Fail", "不適合", "不合格"
    PENDING = "pending", "Pending", "判定待ち"


class Severity(Choice):
    """How serious a finding (or a check result) is."""

    LOW = "low", "Low", "低"
    MEDIUM = "medium", "Medium", "中"
    HIGH = "high", "High", "高"
    CRITICAL = "critical", "Critical", "重大"


class FindingStatus(Choice):
    """Where the remediation of a finding stands."""

    OPEN = "open", "Open", "未対応", "未着手"
    IN_PROGRESS = "in_progress", "In progress", "対応中"
    RESOLVED = "resolved", "Resolved", "対応済み", "完了", "対応済", "是正済"
    ACCEPTED = "accepted", "Risk accepted", "リスク受容"


class SupervisionCheck(Record, db.Model):
    """One check of how a consignee handles the data (取扱状況の把握)."""

    __tablename__ = "supervision_checks"
    __table_args__ = (
        sa.CheckConstraint("next_due_on IS NULL OR next_due_on > checked_on", name="next_after"),
        # the check list's filters, newest first, and its sorts
        list_index("supervision_checks", "kind", "checked_on"),
        list_index("supervision_checks", "kind"),
        list_index("supervision_checks", "method", "checked_on"),
        list_index("supervision_checks", "method"),
        list_index("supervision_checks", "result", "checked_on"),
        list_index("supervision_checks", "result"),
        list_index("supervision_checks", "next_due_on"),
        # a consignee's last check and the next-due day it recorded (cadence.last_checks), read
        # from the index alone
        sa.Index("ix_supervision_checks_consignee_checked_on", "consignee_id", "checked_on",
                 "next_due_on"),
    )

    #: management number, the natural key
    reference: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True, info=describe(
        *REFERENCE))
    #: the consignee checked
    consignee_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("consignees.id"))
    #: selection assessment, periodic or ad hoc
    kind: so.Mapped[CheckKind] = choice_column(CheckKind, default=CheckKind.PERIODIC, info=describe(
        "Kind of check", "点検の種類"))
    #: the day of the check
    checked_on: so.Mapped[date] = so.mapped_column(index=True, info=describe("Checked on", "点検日"))
    #: questionnaire, on-site audit, document review or report
    method: so.Mapped[CheckMethod] = choice_column(CheckMethod, info=describe("Method", "点検方法"))
    #: the outcome
    result: so.Mapped[CheckResult] = choice_column(CheckResult, default=CheckResult.PENDING,
                                                   info=describe("Result", "結果"))
    #: who performed it
    performed_by: so.Mapped[str] = so.mapped_column(sa.String(128), default="", info=describe(
        "Performed by", "実施者"))
    #: when the next check is due, if sooner than the tier's cadence (a later day changes nothing)
    next_due_on: so.Mapped[date | None] = so.mapped_column(info=describe(
        "Next check due", "次回点検期限"))
    #: what was looked at and concluded
    notes: so.Mapped[str] = so.mapped_column(sa.Text, default="", info=describe(
        "Notes", "備考", max=8000, width=40))

    consignee: so.Mapped[Consignee] = so.relationship(info=describe(*CONSIGNEE, width=28))
    findings: so.Mapped[list[Finding]] = so.relationship(back_populates="check")

    def __str__(self) -> str:
        return self.reference


def _reads(description: str) -> str:
    """A finding's description in the reader's language (registry.questionnaires.findings)."""
    from registry.questionnaires.findings import reads  # the questionnaires build on supervision

    return reads(description)


class Finding(Record, db.Model):
    """A problem found by a check, and its remediation."""

    __tablename__ = "findings"
    __table_args__ = (
        sa.CheckConstraint("status NOT IN ('resolved', 'accepted') OR resolution <> ''",
                           name="closed_with_resolution"),
        # the finding list's filters, by due day, and its sorts
        list_index("findings", "due_on"),
        list_index("findings", "severity", "due_on", where="status IN ('open', 'in_progress')",
                   name="ix_findings_open_severity_due_on"),
        list_index("findings", "status", "due_on"),
        list_index("findings", "status"),
        list_index("findings", "severity", "due_on"),
        list_index("findings", "severity"),
        list_index("findings", "owner"),
    )

    #: management number, the natural key
    reference: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True, info=describe(
        *REFERENCE))
    #: the check that found it
    check_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("supervision_checks.id"), index=True)
    #: what is wrong
    description: so.Mapped[str] = so.mapped_column(sa.Text, info=describe(
        "Description", "指摘内容", max=8000, width=40, synonyms=("内容",), shows=_reads))
    #: how serious it is
    severity: so.Mapped[Severity] = choice_column(Severity, default=Severity.MEDIUM, info=describe(
        "Severity", "重要度"))
    #: who is responsible for the remediation
    owner: so.Mapped[str] = so.mapped_column(sa.String(128), default="", info=describe(
        "Owner", "担当者", hint=OWNER_HINT))
    #: remediation deadline
    due_on: so.Mapped[date | None] = so.mapped_column(info=describe("Due", "期限"))
    #: open, in progress, resolved or accepted
    status: so.Mapped[FindingStatus] = choice_column(FindingStatus, default=FindingStatus.OPEN,
                                                     info=describe("Status", "状態"))
    #: what was done about it (for an accepted risk: why it is accepted)
    resolution: so.Mapped[str] = so.mapped_column(sa.Text, default="", info=describe(
        "Resolution", "対応内容", max=8000, width=30))
    #: the day it was resolved
    resolved_on: so.Mapped[date | None] = so.mapped_column(info=describe(
        "Resolved on", "対応完了日", synonyms=("完了日",)))

    check: so.Mapped[SupervisionCheck] = so.relationship(back_populates="findings", info=describe(
        "Supervision check", "委託先点検", width=12, synonyms=("Check reference", "点検管理番号")))

    def __str__(self) -> str:
        return self.reference

    @property
    def text(self) -> str:
        """The description in the reader's language."""
        return _reads(self.description)

    @property
    def overdue(self) -> bool:
        """Still open (or in progress) after its due date."""
        return (self.status in (FindingStatus.OPEN, FindingStatus.IN_PROGRESS)
                and self.due_on is not None and self.due_on < clock.today())
