"""The report's keys as words in the reader's language, for the HTML page and the workbook."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from registry.compliance.catalogue import CATALOGUE
from registry.core import charts
from registry.core.charts import Bar
from registry.core.i18n import lazy_gettext as _l
from registry.supervision.models import CheckKind, CheckMethod, CheckResult, FindingStatus, Severity

SECTIONS = {
    "consignees": _l("Consignees by tier"),
    "checks": _l("Supervision checks"),
    "findings": _l("Findings"),
    "contracts": _l("Contracts"),
    "transfers": _l("Re-entrustment and foreign transfers"),
    "access": _l("Access to personal data"),
    "training": _l("Training and pledges"),
    "results": _l("Compliance check results at quarter end"),
}

FIGURES = {
    "engaged": _l("Consignees with work in progress at quarter end"),
    "tier_high": _l("High tier"),
    "tier_medium": _l("Medium tier"),
    "tier_low": _l("Low tier"),
    "foreign": _l("Handling data abroad"),
    "sub": _l("Sub-consignees (再委託先)"),
    "done": _l("Checks done"),
    "selection": _l("Selection assessments"),
    "periodic": _l("Periodic checks"),
    "ad_hoc": _l("Ad hoc checks"),
    "with_findings": _l("Passed with findings"),
    "failed": _l("Failed"),
    "overdue_at_end": _l("Consignees overdue for a check at quarter end"),
    "never_checked_at_end": _l("Consignees never checked at quarter end"),
    "opened": _l("Findings opened"),
    "resolved": _l("Findings resolved"),
    "open_at_end": _l("Findings open at quarter end"),
    "age_30": _l("open up to 30 days"),
    "age_90": _l("open 31 to 90 days"),
    "age_180": _l("open 91 to 180 days"),
    "age_older": _l("open over 180 days"),
    "past_due_at_end": _l("Past their due date at quarter end"),
    "signed": _l("Contracts signed"),
    "renewed": _l("of which renewals"),
    "expired": _l("Contracts expired without renewal"),
    "reentrustments_approved": _l("Re-entrustments approved"),
    "foreign_started": _l("Entrustments begun with foreign consignees"),
    "cross_border_confirmed": _l("Conforming-system bases confirmed"),
    "granted": _l("Access granted"),
    "revoked": _l("Access revoked"),
    "reviewed": _l("Access reviewed"),
    "departed": _l("Employees departed"),
    "departed_revoked_median_days": _l("Days from departure to revocation (median)"),
    "departed_revoked_max_days": _l("Days from departure to revocation (longest)"),
    "departed_with_access": _l("Departed employees still with access at quarter end"),
    "holders": _l("Employees with access at quarter end"),
    "pledged": _l("with a confidentiality pledge"),
    "pledge_coverage_pct": _l("Pledge coverage (%)"),
    "trained": _l("trained in the last 12 months"),
    "training_coverage_pct": _l("Training coverage (%)"),
    "open_critical": _l("Open results: critical"),
    "open_high": _l("Open results: high"),
    "open_medium": _l("Open results: medium"),
    "open_low": _l("Open results: low"),
    "waived": _l("Waived results"),
}

TABLES = {
    "checks_done": _l("Checks done in the quarter"),
    "overdue_at_end": _l("Checks overdue at quarter end"),
    "open_at_end": _l("Findings open at quarter end, with their age"),
    "contract_events": _l("Contracts signed and expired"),
    "transfer_events": _l("Re-entrustment and foreign-transfer changes"),
    "departures": _l("Departed employees and how fast their access was revoked"),
    "results_at_end": _l("Results of each check at quarter end"),
}

COLUMNS = {
    "reference": _l("Management number"), "consignee": _l("Consignee"), "checked_on": _l("Checked on"),
    "kind": _l("Kind"), "method": _l("Method"), "result": _l("Result"),
    "last_checked_on": _l("Last checked on"), "severity": _l("Severity"), "opened_on": _l("Found on"),
    "due_on": _l("Due"), "status": _l("Status"), "age_days": _l("Age (days)"), "event": _l("Event"),
    "date": _l("Date"), "detail": _l("Detail"), "number": _l("Employee number"), "name": _l("Name"),
    "departed_on": _l("Departed on"), "last_revoked_on": _l("Last revocation"),
    "days_to_revoke": _l("Days to revoke"), "grants_in_force": _l("Grants in force at quarter end"),
    "check": _l("Check"), "open": _l("Open"), "waived": _l("Waived"),
}

EVENTS = {
    "signed": _l("Signed"),
    "expired": _l("Expired"),
    "reentrustment_approved": _l("Re-entrustment approved"),
    "foreign_started": _l("Entrustment begun abroad"),
    "cross_border_confirmed": _l("Conforming system confirmed"),
}

_CHOICES = {"check_kind": CheckKind, "check_method": CheckMethod, "check_result": CheckResult,
            "severity": Severity, "finding_status": FindingStatus}


def cell(kind: str, value: object) -> object:
    """A stored value as the reader sees it: labels for choices, events and checks."""
    if value is None:
        return ""
    if kind in _CHOICES:
        return str(_CHOICES[kind](value).label)
    if kind == "event":
        return str(EVENTS.get(value, value))
    if kind == "check":
        return str(CATALOGUE[value].title) if value in CATALOGUE else value
    return value


@dataclass
class Table:
    title: str
    columns: list[str]
    kinds: list[str]
    rows: list[list]


@dataclass
class Figure:
    key: str
    label: str
    current: object
    previous: object

    @property
    def count(self) -> bool:
        """A count of things, drawn in the section's chart (not a percentage or a number of days)."""
        return not self.key.endswith(("_pct", "_days"))


@dataclass
class Section:
    key: str
    title: str
    #: counts first (they form the chart), then percentages and durations
    figures: list[Figure]
    tables: list[Table]

    @property
    def counts(self) -> list[Figure]:
        return [f for f in self.figures if f.count]

    def chart(self, current: str, previous: str) -> Markup:
        return charts.bars([Bar(f.label, f.current or 0, f.previous or 0) for f in self.counts],
                           self.title, current=current, previous=previous)


def present(report: dict) -> list[Section]:
    """The report's sections with every key turned into words."""
    sections = []
    for section in report["sections"]:
        tables = [Table(str(TABLES[t["key"]]), [str(COLUMNS[key]) for key, _ in t["columns"]],
                        [kind for _, kind in t["columns"]],
                        [[cell(kind, value) for (_, kind), value in zip(t["columns"], row, strict=True)]
                         for row in t["rows"]])
                  for t in section["tables"]]
        figures = sorted((Figure(key, str(FIGURES[key]), current, previous)
                          for key, current, previous in section["figures"]), key=lambda f: not f.count)
        sections.append(Section(section["key"], str(SECTIONS[section["key"]]), figures, tables))
    return sections
