"""What an incident at a consignee sets off in its supervision: an ad hoc check of the consignee,
reported by it, with a finding that names the incident (APPI Art. 25: an incident is a reason to
check a consignee again). Made through the same rules and audit log as any other change."""

from __future__ import annotations

from datetime import timedelta

from registry.core import clock, records, references
from registry.core.i18n import lazy_gettext as _l
from registry.core.schema import Invalid, Problem
from registry.incidents.models import Incident
from registry.supervision.models import (
    CheckKind,
    CheckMethod,
    CheckResult,
    Finding,
    Severity,
    SupervisionCheck,
)

#: days the consignee is given to remedy what the incident showed
REMEDY_DAYS = 30


def open_finding(incident: Incident) -> Finding:
    """Open the ad hoc check and its finding for an incident at a consignee, once."""
    if incident.consignee is None:
        raise Invalid([Problem(None, _l("This incident happened at no consignee."))])
    if incident.finding is not None:
        raise Invalid([Problem(None, _l("A finding is already open for this incident."))])
    check = records.create(SupervisionCheck, {
        **records.suggested(SupervisionCheck), "consignee": incident.consignee,
        "kind": CheckKind.AD_HOC, "method": CheckMethod.REPORT,
        "result": CheckResult.PASS_WITH_FINDINGS, "checked_on": incident.learned_on,
        "notes": f"{incident.reference}: {incident.summary}"})
    finding = records.create(Finding, {
        "reference": references.next_in_series(Finding.reference, "FND-"), "check": check,
        "description": f"{incident.reference}: {incident.summary}", "severity": Severity.HIGH,
        "due_on": clock.today() + timedelta(days=REMEDY_DAYS)})
    records.update(incident, {"finding": finding})
    return finding
