"""The report's keys as words in the reader's language, for the page, the PDF and the workbook:
the same words the record pages use (field and choice labels come from the models' descriptions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from markupsafe import Markup

from registry.compliance.catalogue import CATALOGUE
from registry.core import charts
from registry.core.charts import Bar
from registry.core.i18n import lazy_gettext as _l
from registry.core.schema import describe_model
from registry.core.web import show, when
from registry.incidents.models import Incident, IncidentKind
from registry.people.models import Employee
from registry.provisions.models import Basis, Provision, ProvisionKind
from registry.rights.models import Decision, RequestKind, RightsRequest
from registry.supervision.models import (
    CheckKind,
    CheckMethod,
    CheckResult,
    Finding,
    FindingStatus,
    Severity,
    SupervisionCheck,
)


class Term:
    """A field's label as its record pages show it, or "field: choice" for a count of one choice
    ("Result: Fail"), resolved when shown (the descriptions are complete by then)."""

    def __init__(self, model: type, field: str, choice: object = None):
        self.model, self.field, self.choice = model, field, choice

    def __str__(self) -> str:
        label = str(describe_model(self.model).by_name[self.field].label)
        return label if self.choice is None else f"{label}: {self.choice.label}"


class Of:
    """A figure named by a message and one choice ("Open results: High"), resolved when shown."""

    def __init__(self, text, choice: object):
        self.text, self.choice = text, choice

    def __str__(self) -> str:
        return f"{self.text}: {self.choice.label}"


SECTIONS = {
    "consignees": _l("Consignees by tier"),
    "checks": _l("Supervision checks"),
    "findings": _l("Findings"),
    "contracts": _l("Contracts"),
    "transfers": _l("Re-entrustment and foreign transfers"),
    "access": _l("Access to personal data"),
    "training": _l("Training and pledges"),
    "incidents": _l("Incidents and their deadlines"),
    "requests": _l("Individuals' requests and response times"),
    "provisions": _l("Provisions to and receipts from third parties"),
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
    "selection": Term(SupervisionCheck, "kind", CheckKind.SELECTION),
    "periodic": Term(SupervisionCheck, "kind", CheckKind.PERIODIC),
    "ad_hoc": Term(SupervisionCheck, "kind", CheckKind.AD_HOC),
    "passed": Term(SupervisionCheck, "result", CheckResult.PASS),
    "with_findings": Term(SupervisionCheck, "result", CheckResult.PASS_WITH_FINDINGS),
    "failed": Term(SupervisionCheck, "result", CheckResult.FAIL),
    "pending": Term(SupervisionCheck, "result", CheckResult.PENDING),
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
    **{f"open_{level.value}": Of(_l("Open results"), level) for level in Severity},
    "waived": _l("Waived results"),
    "incidents_learned": _l("Incidents learned of"),
    "incidents_reportable": _l("of which to be reported to the PPC"),
    "incidents_late": _l("of which a report or notice was late"),
    "incident_clocks_overdue_at_end": _l("Incident reports and notices overdue at quarter end"),
    "requests_received": _l("Requests received"),
    "requests_answered": _l("of which answered"),
    "requests_answer_median_days": _l("Days from receipt to answer (median)"),
    "requests_overdue_at_end": _l("Requests not answered in time at quarter end"),
    "provided": _l("Provisions to third parties (personal data, personally referable information)"),
    "provided_abroad": _l("of which to a third party abroad"),
    "received": _l("Receipts from third parties"),
    "joint_uses": _l("Joint uses begun"),
    "without_record_at_end": _l("Provisions without a complete record at quarter end"),
    "retention_ended_at_end": _l("Records kept past their period at quarter end"),
}

#: figures that are parts of the one above them (they add up to it, or count some of it)
PARTS = frozenset({"tier_high", "tier_medium", "tier_low", "selection", "periodic", "ad_hoc",
                   "passed", "with_findings", "failed", "pending", "age_30", "age_90", "age_180",
                   "age_older", "renewed", "pledged", "trained", "incidents_reportable",
                   "incidents_late", "requests_answered", "provided_abroad"})

#: the one-page summary, each figure's section and key, and whether a rise is good news (+1), bad
#: news (-1) or neither (0), which the sections' figures show too
SUMMARY = (
    ("consignees", "engaged", 0),
    ("checks", "done", 1), ("checks", "failed", -1), ("checks", "overdue_at_end", -1),
    ("checks", "never_checked_at_end", -1),
    ("findings", "opened", 0), ("findings", "resolved", 1), ("findings", "open_at_end", -1),
    ("findings", "past_due_at_end", -1),
    ("contracts", "signed", 0), ("contracts", "expired", -1),
    ("access", "departed", 0), ("access", "departed_with_access", -1),
    ("training", "pledge_coverage_pct", 1), ("training", "training_coverage_pct", 1),
    ("incidents", "incidents_learned", 0), ("incidents", "incident_clocks_overdue_at_end", -1),
    ("requests", "requests_received", 0), ("requests", "requests_overdue_at_end", -1),
    ("provisions", "provided", 0), ("provisions", "without_record_at_end", -1),
    *(("results", f"open_{level.value}", -1) for level in reversed(Severity)),
)
BETTER = {(section, key): better for section, key, better in SUMMARY}
#: the summary's chart
SUMMARY_CHART = _l("Open compliance results by severity")

TABLES = {
    "checks_done": _l("Checks done in the quarter"),
    "overdue_at_end": _l("Checks overdue at quarter end"),
    "open_at_end": _l("Findings open at quarter end, with their age"),
    "contract_events": _l("Contracts signed and expired"),
    "transfer_events": _l("Re-entrustment and foreign-transfer changes"),
    "departures": _l("Departed employees and how fast their access was revoked"),
    "results_at_end": _l("Results of each check at quarter end"),
    "incidents_learned": _l("Incidents learned of in the quarter, with their deadlines"),
    "requests_received": _l("Requests received in the quarter, with their answers"),
    "provisions_made": _l("Provisions, receipts and joint uses of the quarter, with how long "
                          "their records are kept"),
}

#: the tables' columns: the record pages' own field labels wherever the column is a field
COLUMNS = {
    **{name: Term(SupervisionCheck, name)
       for name in ("reference", "consignee", "checked_on", "kind", "method", "result")},
    **{name: Term(Finding, name) for name in ("severity", "due_on", "status")},
    **{name: Term(Employee, name) for name in ("number", "name", "departed_on")},
    "last_checked_on": _l("Last checked on"), "opened_on": _l("Found on"), "age_days": _l("Age (days)"),
    "event": _l("Event"), "date": _l("Date"), "detail": _l("Detail"),
    "last_revoked_on": _l("Last revocation"), "days_to_revoke": _l("Days to revoke"),
    "grants_in_force": _l("Grants in force at quarter end"),
    "check": _l("Check"), "open": _l("Open"), "waived": _l("Waived"),
    **{name: Term(Incident, name) for name in ("learned_on", "persons", "preliminary_reported_on",
                                                "final_reported_on")},
    "incident_kind": Term(Incident, "kind"), "reportable": _l("To be reported"),
    "preliminary_due_on": _l("Preliminary report due"), "final_due_on": _l("Final report due"),
    "notice_due_on": _l("Notice due"), "notice_done_on": _l("Notified or made public on"),
    **{name: Term(RightsRequest, name) for name in ("received_on", "decision", "responded_on")},
    "request_kind": Term(RightsRequest, "kind"), "answer_due_on": _l("Answer due"),
    **{name: Term(Provision, name) for name in ("counterparty", "country", "provided_on")},
    "provision_kind": Term(Provision, "kind"), "provision_basis": Term(Provision, "basis"),
    "kept_until": _l("Record kept until"),
}

EVENTS = {
    "signed": _l("Signed"),
    "expired": _l("Expired"),
    "reentrustment_approved": _l("Re-entrustment approved"),
    "foreign_started": _l("Entrustment begun abroad"),
    "cross_border_confirmed": _l("Conforming system confirmed"),
}

_CHOICES = {"check_kind": CheckKind, "check_method": CheckMethod, "check_result": CheckResult,
            "severity": Severity, "finding_status": FindingStatus, "incident_kind": IncidentKind,
            "request_kind": RequestKind, "decision": Decision, "provision_kind": ProvisionKind,
            "provision_basis": Basis}


@dataclass
class Table:
    title: str
    columns: list[str]
    kinds: list[str]
    #: the values as the reader sees them, and as stored (a severity's code gives its colour)
    rows: list[list]
    codes: list[list]


@dataclass
class Figure:
    key: str
    label: str
    current: object
    previous: object
    #: +1 when a rise is good news, -1 when it is bad news, 0 when it is neither
    better: int = 0
    #: a part of the figure above it (the checks done of one kind), shown indented
    part: bool = False

    @property
    def count(self) -> bool:
        """A count of things, drawn in the section's chart (not a percentage or a number of days)."""
        return not self.key.endswith(("_pct", "_days"))

    @property
    def change(self) -> float | int | None:
        """The difference from the previous quarter (None when either figure is missing)."""
        if self.current is None or self.previous is None:
            return None
        change = self.current - self.previous
        return round(change, 1) if isinstance(change, float) else change

    @property
    def change_text(self) -> str:
        change = self.change
        if change is None:
            return "—"
        if change == 0:
            return "±0"
        return f"{'+' if change > 0 else '−'}{abs(change):g}"

    @property
    def trend(self) -> str:
        """"better" or "worse" for a change that is good or bad news, else ""."""
        if not self.change or not self.better:
            return ""
        return "better" if (self.change > 0) == (self.better > 0) else "worse"


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


@dataclass
class Document:
    """The report as its reader sees it: a cover, a one-page summary, then the sections."""

    company: str
    quarter: str
    previous: str
    period: list[str]
    previous_period: list[str]
    #: the day "at quarter end" figures were taken, when the quarter was still in progress
    in_progress_on: str | None
    #: when the report was generated, in the registry's time zone, and by whom
    generated_at: str
    generated_by: str
    sections: list[Section]

    @property
    def summary(self) -> list[Figure]:
        """The figures management looks at first, each beside the previous quarter's."""
        found = {(s.key, f.key): f for s in self.sections for f in s.figures}
        return [Figure(f.key, f.label, f.current, f.previous, f.better)
                for section, key, _ in SUMMARY if (f := found.get((section, key)))]

    @property
    def summary_chart_title(self) -> str:
        return str(SUMMARY_CHART)

    def summary_chart(self) -> Markup:
        """Open compliance results by severity in the two quarters."""
        results = {f.key: f for s in self.sections if s.key == "results" for f in s.figures}
        rows = [Bar(str(level.label), results[key].current or 0, results[key].previous or 0)
                for level in reversed(Severity) if (key := f"open_{level.value}") in results]
        return charts.bars(rows, self.summary_chart_title, current=self.quarter, previous=self.previous)


def cell(kind: str, value: object) -> object:
    """A stored value as the reader sees it: labels for choices, events and checks."""
    if value is None:
        return ""
    if kind in _CHOICES:
        return str(_CHOICES[kind](value).label)
    if kind == "event":
        return str(EVENTS.get(value, value))
    if kind == "yes_no":
        return show(bool(value))
    if kind == "check":
        return str(CATALOGUE[value].title) if value in CATALOGUE else value
    return value


def present(report: dict, saved_by: str = "") -> Document:
    """The report with every key turned into words; saved_by names who generated a report
    saved before reports said so themselves."""
    sections = []
    for section in report["sections"]:
        tables = [Table(str(TABLES[t["key"]]), [str(COLUMNS[key]) for key, _ in t["columns"]],
                        [kind for _, kind in t["columns"]],
                        [[cell(kind, value) for (_, kind), value in zip(t["columns"], row, strict=True)]
                         for row in t["rows"]], t["rows"])
                  for t in section["tables"]]
        figures = sorted((Figure(key, str(FIGURES[key]), current, previous,
                                 BETTER.get((section["key"], key), 0), key in PARTS)
                          for key, current, previous in section["figures"]), key=lambda f: not f.count)
        sections.append(Section(section["key"], str(SECTIONS[section["key"]]), figures, tables))
    as_of = report.get("as_of")
    return Document(
        company=report.get("company") or current_app.config["COMPANY_NAME"],
        quarter=report["quarter"], previous=report["previous"],
        period=report["period"], previous_period=report["previous_period"],
        in_progress_on=as_of if as_of and as_of != report["period"][1] else None,
        generated_at=f"{when(datetime.fromisoformat(report['generated_at']))} "
                     f"({current_app.config['BABEL_DEFAULT_TIMEZONE']})",
        generated_by=report.get("generated_by") or saved_by,
        sections=sections)
