"""Supervision checks of consignees and the findings they raise (APPI Art. 25)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.consignees.models import Consignee
from registry.core.i18n import lazy_gettext as _l
from registry.core.model import Choice, Record, choice_column
from registry.extensions import db


class CheckMethod(Choice):
    """How the handling status was grasped."""

    QUESTIONNAIRE = "questionnaire", _l("Questionnaire")
    ONSITE_AUDIT = "onsite_audit", _l("On-site audit")
    DOCUMENT_REVIEW = "document_review", _l("Document review")
    REPORT = "report", _l("Report from the consignee")


class CheckKind(Choice):
    """Why the check was made."""

    SELECTION = "selection", _l("Selection assessment")
    PERIODIC = "periodic", _l("Periodic check")
    AD_HOC = "ad_hoc", _l("Ad hoc check")


class CheckResult(Choice):
    """The outcome of a check."""

    PASS = "pass", _l("Pass")
    PASS_WITH_FINDINGS = "pass_with_findings", _l("Pass with findings")
    FAIL = "fail", _l("Fail")
    PENDING = "pending", _l("Pending")


class Severity(Choice):
    """How serious a finding (or a check result) is."""

    LOW = "low", _l("Low")
    MEDIUM = "medium", _l("Medium")
    HIGH = "high", _l("High")
    CRITICAL = "critical", _l("Critical")


class FindingStatus(Choice):
    """Where the remediation of a finding stands."""

    OPEN = "open", _l("Open")
    IN_PROGRESS = "in_progress", _l("In progress")
    RESOLVED = "resolved", _l("Resolved")
    ACCEPTED = "accepted", _l("Risk accepted")


class SupervisionCheck(Record, db.Model):
    """One check of how a consignee handles the data (取扱状況の把握)."""

    __tablename__ = "supervision_checks"

    #: management number, the natural key
    reference: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    #: the consignee checked
    consignee_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("consignees.id"), index=True)
    #: selection assessment, periodic or ad hoc
    kind: so.Mapped[CheckKind] = choice_column(CheckKind, default=CheckKind.PERIODIC)
    #: the day of the check
    checked_on: so.Mapped[date] = so.mapped_column(index=True)
    #: questionnaire, on-site audit, document review or report
    method: so.Mapped[CheckMethod] = choice_column(CheckMethod)
    #: the outcome
    result: so.Mapped[CheckResult] = choice_column(CheckResult, default=CheckResult.PENDING)
    #: who performed it
    performed_by: so.Mapped[str] = so.mapped_column(sa.String(128), default="")
    #: when the next check is due
    next_due_on: so.Mapped[date | None]
    #: what was looked at and concluded
    notes: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    consignee: so.Mapped[Consignee] = so.relationship()
    findings: so.Mapped[list[Finding]] = so.relationship(back_populates="check")

    def __str__(self) -> str:
        return self.reference


class Finding(Record, db.Model):
    """A problem found by a check, and its remediation."""

    __tablename__ = "findings"

    #: management number, the natural key
    reference: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    #: the check that found it
    check_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("supervision_checks.id"), index=True)
    #: what is wrong
    description: so.Mapped[str] = so.mapped_column(sa.Text)
    #: how serious it is
    severity: so.Mapped[Severity] = choice_column(Severity, default=Severity.MEDIUM)
    #: who is responsible for the remediation
    owner: so.Mapped[str] = so.mapped_column(sa.String(128), default="")
    #: remediation deadline
    due_on: so.Mapped[date | None]
    #: open, in progress, resolved or accepted
    status: so.Mapped[FindingStatus] = choice_column(FindingStatus, default=FindingStatus.OPEN)
    #: what was done about it
    resolution: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: the day it was resolved
    resolved_on: so.Mapped[date | None]

    check: so.Mapped[SupervisionCheck] = so.relationship(back_populates="findings")

    def __str__(self) -> str:
        return self.reference

    @property
    def overdue(self) -> bool:
        """Still open (or in progress) after its due date."""
        return (self.status in (FindingStatus.OPEN, FindingStatus.IN_PROGRESS)
                and self.due_on is not None and self.due_on < date.today())
