"""What a valid supervision check and finding are, and how a finding's status may move."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa

from registry.core import clock
from registry.core.i18n import Label
from registry.core.i18n import lazy_gettext as _l
from registry.core.models import Role
from registry.core.schema import Change, Description, Problem
from registry.evidence.models import Attachment
from registry.extensions import db
from registry.supervision.models import Finding, FindingStatus, Severity, SupervisionCheck

#: the statuses a finding may move to from each status
NEXT_STATUSES = {
    FindingStatus.OPEN: set(FindingStatus),
    FindingStatus.IN_PROGRESS: {FindingStatus.IN_PROGRESS, FindingStatus.RESOLVED,
                                FindingStatus.ACCEPTED},
    FindingStatus.RESOLVED: {FindingStatus.RESOLVED},
    FindingStatus.ACCEPTED: {FindingStatus.ACCEPTED},
}
CLOSED = (FindingStatus.RESOLVED, FindingStatus.ACCEPTED)
#: the severities of the findings that are resolved only with their evidence attached
EVIDENCED = (Severity.HIGH, Severity.CRITICAL)


def _check(change: Change) -> Iterator[Problem]:
    checked, due = change.values.get("checked_on"), change.values.get("next_due_on")
    if checked and due and due <= checked:
        yield Problem("next_due_on", _l("The next check is due after this one."))


def _finding(change: Change) -> Iterator[Problem]:
    """Findings move open -> in progress -> resolved or risk accepted, never back; accepting a
    risk needs an administrator and a reason; resolving needs a resolution and, for a high or
    critical finding, its evidence: a file attached to the finding."""
    values = change.values
    was = FindingStatus(change.before["status"]) if change.before else FindingStatus.OPEN
    new = FindingStatus(values["status"])
    if new not in NEXT_STATUSES[was]:
        yield Problem("status", _l("A finding moves from open to in progress, then to resolved or "
                                   "risk accepted; it cannot go back."))
    elif new == FindingStatus.ACCEPTED and was != FindingStatus.ACCEPTED:
        if not change.role.at_least(Role.ADMIN):
            yield Problem("status", _l("Only an administrator can accept a risk."))
        elif not values.get("resolution"):
            yield Problem("status", _l("Accepting a risk needs a reason: write it under "
                                       "Resolution."))
    elif new == FindingStatus.RESOLVED and not values.get("resolution"):
        yield Problem("status", _l("Resolving a finding needs a resolution: write it under "
                                   "Resolution."))
    elif evidence_required(values) and not evidence_required(change.before or {}) \
            and not _evidenced(change.before):
        yield Problem("status", _l("A finding of high or critical severity is resolved only with "
                                   "its evidence: attach the file that shows the remediation to "
                                   "the finding first."))


def evidence_required(values: dict) -> bool:
    """Whether a finding with these values must have its evidence attached: it is resolved, and
    of high or critical severity."""
    return values.get("status") == FindingStatus.RESOLVED and values.get("severity") in EVIDENCED


def _evidenced(before: dict | None) -> bool:
    """Whether the stored finding (None: a new one) has a file attached. Files are attached in
    the registry alone, so a workbook's plan asks the registry too."""
    if before is None:
        return False
    return db.session.scalar(
        sa.select(Attachment.id).join(Finding, Finding.id == Attachment.finding_id)
        .where(Finding.reference == before["reference"]).limit(1)) is not None


def _close(values: dict, before: dict | None) -> None:
    """A finding resolved or accepted now is dated today unless a day is given."""
    status = values.get("status")
    if status in CLOSED and not values.get("resolved_on") \
            and (before is None or before.get("status") != status):
        values["resolved_on"] = clock.today()


CHECKS = Description(
    SupervisionCheck, key=("reference",), singular=Label("Supervision check", "委託先点検"),
    plural=Label("Supervision checks", "委託先点検"), rules=_check,
    order_by=(SupervisionCheck.reference,), series="CHK-")

FINDINGS = Description(
    Finding, key=("reference",), singular=Label("Finding", "指摘事項"),
    plural=Label("Findings", "指摘事項"), rules=_finding, prepare=_close,
    order_by=(Finding.reference,))
