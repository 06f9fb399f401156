"""The quarterly supervision report: figures for a fiscal quarter beside the previous quarter's,
with the detail behind them.

Every figure comes from the records' own dates (checked on, signed on, granted on ...), so a past
quarter generated again gives the same figures unless a record is back-dated. The report is plain
JSON-ready data with label keys, so a snapshot of it can be shown later in either language."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from statistics import median

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm as so

from registry.compliance import engine
from registry.compliance.catalogue import (
    CATALOGUE,
    YEAR,
    employed,
    entrustment_active,
    finding_open,
    grant_active,
)
from registry.consignees.models import Consignee, Contract, Entrustment
from registry.core import audit
from registry.core.clock import local_day
from registry.core.model import utcnow
from registry.extensions import db
from registry.incidents import assessment
from registry.incidents.models import Incident
from registry.people.models import AccessGrant, Employee
from registry.provisions import record as provision_record
from registry.provisions.models import Provision, ProvisionKind
from registry.reporting.quarters import Quarter
from registry.rights import clocks as request_clocks
from registry.rights.models import RightsRequest
from registry.supervision.models import CheckKind, CheckResult, Finding, SupervisionCheck

#: the provisions that give data to a third party
GIVEN = (ProvisionKind.PROVISION, ProvisionKind.REFERABLE)
#: upper bounds (days) of the age buckets of open findings; the last bucket is open-ended
AGE_BUCKETS = (30, 90, 180)
#: the checks that find an incident's clock run out
INCIDENT_CHECKS = ("incident-preliminary-report-overdue", "incident-final-report-overdue",
                   "incident-notice-overdue")
#: the checks done, by result (the keys of their figures): they add up to the checks done
RESULTS = {CheckResult.PASS: "passed", CheckResult.PASS_WITH_FINDINGS: "with_findings",
           CheckResult.FAIL: "failed", CheckResult.PENDING: "pending"}


def quarter(text: str | None = None) -> Quarter:
    """The named quarter, or the current one (in the registry's time zone), under
    REGISTRY_FISCAL_YEAR_START."""
    start = current_app.config["FISCAL_YEAR_START"]
    return Quarter.parse(text, start) if text else Quarter.containing(local_day(), start)


def build(q: Quarter, now: datetime | None = None) -> dict:
    """The report for quarter q, generated now (a UTC moment; its day is taken in the registry's
    time zone, REGISTRY_TIMEZONE)."""
    now = now or utcnow()
    today = local_day(now)
    end, previous_end = _cutoff(q, today), _cutoff(q.previous, today)
    tallies, departed = _at_end(q, end)
    current = _figures(q, end, tallies, departed)
    previous = _figures(q.previous, previous_end, *_at_end(q.previous, previous_end))
    sections = []
    for key, tables in _tables(q, end, tallies, departed).items():
        keys = [k for k in current if k.split(".")[0] == key]
        sections.append({
            "key": key,
            "figures": [[k.split(".", 1)[1], current[k], previous.get(k)] for k in keys],
            "tables": tables,
        })
    return {
        "quarter": str(q), "previous": str(q.previous),
        "period": [q.first_day.isoformat(), q.last_day.isoformat()],
        "previous_period": [q.previous.first_day.isoformat(), q.previous.last_day.isoformat()],
        "as_of": end.isoformat(),
        "generated_at": now.isoformat(timespec="seconds"),
        "generated_by": audit.current_actor(),
        "company": current_app.config["COMPANY_NAME"],
        "sections": sections,
    }


def _at_end(q: Quarter, end: date) -> tuple[list, list[tuple]]:
    """The checks' tallies at the quarter's end, and the employees who left in it (the figures
    and the tables both use them)."""
    return engine.tallies(engine.context(end)), _departures(q, end)


def _cutoff(q: Quarter, today: date) -> date:
    """The day 'at quarter end' figures are taken: the last day, or today for a quarter in progress."""
    return min(q.last_day, today)


def _between(column, q: Quarter):
    return column.between(q.first_day, q.last_day)


def _count(*conditions, of=None) -> sa.ScalarSelect:
    query = sa.select(sa.func.count()).select_from(of) if of is not None else sa.select(sa.func.count())
    return query.where(*conditions).scalar_subquery()


def findings_by_age(on: date) -> list[int]:
    """Findings open on the day, counted by age: up to 30 days, 31-90, 91-180, older."""
    limits = [on - timedelta(days=days) for days in AGE_BUCKETS]
    found = SupervisionCheck.checked_on
    buckets = [found >= limits[0], sa.and_(found < limits[0], found >= limits[1]),
               sa.and_(found < limits[1], found >= limits[2]), found < limits[2]]
    return list(db.session.execute(
        sa.select(*(sa.func.count(sa.case((bucket, 1))) for bucket in buckets))
        .select_from(Finding).join(SupervisionCheck, SupervisionCheck.id == Finding.check_id)
        .where(finding_open(on))).one())


def _figures(q: Quarter, end: date, tallies: list, departed: list[tuple]) -> dict:
    """Every figure of the quarter, keyed 'section.figure', from a few set-based statements (the
    checks' tallies and the departures at its end are given)."""
    engaged = sa.exists().where(Entrustment.consignee_id == Consignee.id, entrustment_active(end))
    tier = {t: sa.func.count(sa.case((Consignee.risk_tier == t, 1))) for t in ("high", "medium", "low")}
    consignees = db.session.execute(
        sa.select(sa.func.count(), tier["high"], tier["medium"], tier["low"],
                  sa.func.count(sa.case((Consignee.country != "JP", 1))),
                  sa.func.count(Consignee.parent_id)).where(engaged)).one()
    earlier = so.aliased(Contract)
    renewal = sa.exists().where(earlier.consignee_id == Contract.consignee_id, earlier.id != Contract.id,
                                sa.func.coalesce(earlier.signed_on, earlier.start_on) < Contract.signed_on)
    found_in_quarter = sa.and_(Finding.check_id == SupervisionCheck.id,
                               _between(SupervisionCheck.checked_on, q))
    open_at_end = sa.and_(Finding.check_id == SupervisionCheck.id, finding_open(end))
    counts = db.session.execute(sa.select(
        _count(_between(SupervisionCheck.checked_on, q)),
        *(_count(_between(SupervisionCheck.checked_on, q), SupervisionCheck.kind == kind)
          for kind in CheckKind),
        *(_count(_between(SupervisionCheck.checked_on, q), SupervisionCheck.result == result)
          for result in RESULTS),
        _count(found_in_quarter, of=Finding),
        _count(_between(Finding.resolved_on, q)),
        _count(open_at_end, Finding.due_on < end, of=Finding),
        _count(_between(Contract.signed_on, q)),
        _count(_between(Contract.signed_on, q), renewal),
        _count(_between(Contract.end_on, q), Contract.auto_renewal.is_(False)),
        _count(_between(Consignee.reentrustment_approved_on, q)),
        _count(_between(Entrustment.start_on, q), Entrustment.consignee_id == Consignee.id,
               Consignee.country != "JP", of=Entrustment),
        _count(_between(Consignee.cross_border_checked_on, q)),
        _count(_between(AccessGrant.granted_on, q)),
        _count(_between(AccessGrant.revoked_on, q)),
        _count(_between(AccessGrant.last_reviewed_on, q)),
    )).one()
    revoked_days = [row[4] for row in departed if row[4] is not None and not row[5]]
    holding = holders(end)
    ages = findings_by_age(end)
    by_code = {t.check.code: t for t in tallies}
    figures = {
        "consignees.engaged": consignees[0], "consignees.tier_high": consignees[1],
        "consignees.tier_medium": consignees[2], "consignees.tier_low": consignees[3],
        "consignees.foreign": consignees[4], "consignees.sub": consignees[5],
    }
    names = ["checks.done", "checks.selection", "checks.periodic", "checks.ad_hoc",
             *(f"checks.{name}" for name in RESULTS.values()),
             "findings.opened", "findings.resolved", "findings.past_due_at_end",
             "contracts.signed", "contracts.renewed", "contracts.expired",
             "transfers.reentrustments_approved", "transfers.foreign_started",
             "transfers.cross_border_confirmed",
             "access.granted", "access.revoked", "access.reviewed"]
    figures.update(zip(names, counts, strict=True))
    past_due = figures.pop("findings.past_due_at_end")  # shown after the open findings' ages
    figures["findings.open_at_end"] = sum(ages)
    figures.update(zip(["findings.age_30", "findings.age_90", "findings.age_180", "findings.age_older"],
                       ages, strict=True))
    figures["findings.past_due_at_end"] = past_due
    figures["checks.overdue_at_end"] = by_code["check-overdue"].open + by_code["check-overdue"].waived
    figures["checks.never_checked_at_end"] = (by_code["never-checked"].open
                                              + by_code["never-checked"].waived)
    figures.update({
        "access.departed": len(departed),
        "access.departed_revoked_median_days": median(revoked_days) if revoked_days else None,
        "access.departed_revoked_max_days": max(revoked_days) if revoked_days else None,
        "access.departed_with_access": sum(1 for row in departed if row[5]),
        "training.holders": holding[0],
        "training.pledged": holding[1],
        "training.pledge_coverage_pct": _percent(holding[1], holding[0]),
        "training.trained": holding[2],
        "training.training_coverage_pct": _percent(holding[2], holding[0]),
    })
    for level in reversed(engine.LEVELS):
        figures[f"results.open_{level.value}"] = sum(t.open for t in tallies if t.severity == level)
    figures["results.waived"] = sum(t.waived for t in tallies)
    learned = _incidents(q)
    figures.update({
        "incidents.incidents_learned": len(learned),
        "incidents.incidents_reportable": sum(1 for _, reportable, _ in learned if reportable),
        "incidents.incidents_late": sum(1 for _, _, clocks in learned
                                        if any(c.late or c.overdue(end) for c in clocks)),
        "incidents.incident_clocks_overdue_at_end": sum(by_code[code].open + by_code[code].waived
                                                        for code in INCIDENT_CHECKS),
    })
    received = _requests(q)
    waited = [(r.responded_on - r.received_on).days for r in received if r.responded_on]
    figures.update({
        "requests.requests_received": len(received),
        "requests.requests_answered": len(waited),
        "requests.requests_answer_median_days": median(waited) if waited else None,
        "requests.requests_overdue_at_end": (by_code["request-response-overdue"].open
                                             + by_code["request-response-overdue"].waived),
    })
    made = _provisions(q)
    given = [p for p in made if p.kind in GIVEN]
    figures.update({
        "provisions.provided": len(given),
        "provisions.provided_abroad": sum(1 for p in given if p.country != "JP"),
        "provisions.received": sum(1 for p in made if p.kind == ProvisionKind.RECEIPT),
        "provisions.joint_uses": sum(1 for p in made if p.kind == ProvisionKind.JOINT_USE),
        **{f"provisions.{key}": by_code[code].open + by_code[code].waived
           for key, code in (("without_record_at_end", "provision-without-record"),
                             ("retention_ended_at_end", "provision-record-retention-ended"))},
    })
    return figures


def _provisions(q: Quarter) -> list[Provision]:
    """The provisions, receipts and joint uses of the quarter."""
    return list(db.session.scalars(
        sa.select(Provision).where(_between(Provision.provided_on, q))
        .order_by(Provision.provided_on, Provision.reference)))


def _requests(q: Quarter) -> list[RightsRequest]:
    """The requests received in the quarter."""
    return list(db.session.scalars(
        sa.select(RightsRequest).where(_between(RightsRequest.received_on, q))
        .order_by(RightsRequest.received_on, RightsRequest.reference)))


def _incidents(q: Quarter) -> list[tuple[Incident, bool, list[assessment.Clock]]]:
    """The incidents learned of in the quarter, whether each must be reported, and its clocks."""
    found = db.session.scalars(
        sa.select(Incident).where(_between(Incident.learned_on, q))
        .options(so.selectinload(Incident.categories))
        .order_by(Incident.learned_on, Incident.reference)).all()
    return [(incident, assessment.assess(incident).reportable, assessment.clocks(incident))
            for incident in found]


def _incident_rows(q: Quarter) -> list[tuple]:
    """Each incident of the quarter with its reports' deadlines and the days they went out."""
    rows = []
    for incident, reportable, clocks in _incidents(q):
        by_code = {clock.code: clock for clock in clocks}
        days = [value for code in ("preliminary", "final", "notice") for value in
                ((by_code[code].due_on, by_code[code].done_on) if code in by_code else
                 (None, None))]
        rows.append((incident.reference, incident.learned_on, incident.kind, incident.persons,
                     reportable, *days))
    return rows


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _departures(q: Quarter, end: date) -> list[tuple]:
    """Employees who left in the quarter: number, name, left on, last revocation, days to revoke
    (None while access remains), grants still in force at quarter end."""
    still = sa.func.count(sa.case((sa.or_(AccessGrant.revoked_on.is_(None),
                                          AccessGrant.revoked_on > end), AccessGrant.id)))
    rows = db.session.execute(
        sa.select(Employee.number, Employee.name, Employee.departed_on,
                  sa.func.max(AccessGrant.revoked_on), still)
        .outerjoin(AccessGrant, AccessGrant.employee_id == Employee.id)
        .where(_between(Employee.departed_on, q))
        .group_by(Employee.id, Employee.number, Employee.name, Employee.departed_on)
        .order_by(Employee.departed_on, Employee.number)).all()
    return [(number, name, left, last,
             None if last is None or remaining else max((last - left).days, 0), remaining)
            for number, name, left, last, remaining in rows]


def holders(end: date) -> tuple[int, int, int]:
    """Employees with access in force at the day: how many, how many pledged, how many trained
    in the year before."""
    holding = sa.exists().where(AccessGrant.employee_id == Employee.id, grant_active(end))
    return db.session.execute(
        sa.select(sa.func.count(),
                  sa.func.count(sa.case((Employee.pledge_signed_on <= end, 1))),
                  sa.func.count(sa.case((Employee.last_training_on.between(end - YEAR, end), 1))))
        .where(holding, employed(end))).one()


def _tables(q: Quarter, end: date, tallies: list, departed: list[tuple]) -> dict[str, list[dict]]:
    """The detail behind the figures, section by section (the quarter only)."""
    consignee = Consignee.label
    checks = db.session.execute(
        sa.select(SupervisionCheck.reference, consignee, SupervisionCheck.checked_on,
                  SupervisionCheck.kind, SupervisionCheck.method, SupervisionCheck.result)
        .join(Consignee, Consignee.id == SupervisionCheck.consignee_id)
        .where(_between(SupervisionCheck.checked_on, q))
        .order_by(SupervisionCheck.checked_on, SupervisionCheck.reference)).all()
    overdue_at_end, _ = engine.results(CATALOGUE["check-overdue"], engine.context(end))
    findings = db.session.execute(
        sa.select(Finding.reference, consignee, Finding.severity, SupervisionCheck.checked_on,
                  Finding.due_on, Finding.status)
        .join(SupervisionCheck, SupervisionCheck.id == Finding.check_id)
        .join(Consignee, Consignee.id == SupervisionCheck.consignee_id)
        .where(finding_open(end))
        .order_by(SupervisionCheck.checked_on, Finding.reference)).all()
    contracts = db.session.execute(sa.union_all(
        sa.select(sa.literal("signed"), Contract.signed_on, Contract.reference, consignee)
        .join(Consignee, Consignee.id == Contract.consignee_id).where(_between(Contract.signed_on, q)),
        sa.select(sa.literal("expired"), Contract.end_on, Contract.reference, consignee)
        .join(Consignee, Consignee.id == Contract.consignee_id)
        .where(_between(Contract.end_on, q), Contract.auto_renewal.is_(False)),
    ).order_by(sa.text("2"), sa.text("3"))).all()
    parent = so.aliased(Consignee)
    transfers = db.session.execute(sa.union_all(
        sa.select(sa.literal("reentrustment_approved"), Consignee.reentrustment_approved_on, consignee,
                  parent.name)
        .join(parent, parent.id == Consignee.parent_id)
        .where(_between(Consignee.reentrustment_approved_on, q)),
        sa.select(sa.literal("foreign_started"), Entrustment.start_on, consignee, Entrustment.reference)
        .join(Consignee, Consignee.id == Entrustment.consignee_id)
        .where(_between(Entrustment.start_on, q), Consignee.country != "JP"),
        sa.select(sa.literal("cross_border_confirmed"), Consignee.cross_border_checked_on, consignee,
                  Consignee.country)
        .where(_between(Consignee.cross_border_checked_on, q)),
    ).order_by(sa.text("2"), sa.text("3"))).all()
    return {
        "consignees": [],
        "checks": [
            _table("checks_done", [("reference", "text"), ("consignee", "text"), ("checked_on", "date"),
                                   ("kind", "check_kind"), ("method", "check_method"),
                                   ("result", "check_result")], checks),
            _table("overdue_at_end", [("consignee", "text"), ("last_checked_on", "date")],
                   [(r.label, r.detail) for r in overdue_at_end]),
        ],
        "findings": [
            _table("open_at_end", [("reference", "text"), ("consignee", "text"), ("severity", "severity"),
                                   ("opened_on", "date"), ("due_on", "date"), ("status", "finding_status"),
                                   ("age_days", "number")],
                   [(*row, (end - row[3]).days) for row in findings]),
        ],
        "contracts": [_table("contract_events", [("event", "event"), ("date", "date"),
                                                 ("reference", "text"), ("consignee", "text")], contracts)],
        "transfers": [_table("transfer_events", [("event", "event"), ("date", "date"),
                                                 ("consignee", "text"), ("detail", "text")], transfers)],
        "access": [_table("departures", [("number", "text"), ("name", "text"), ("departed_on", "date"),
                                         ("last_revoked_on", "date"), ("days_to_revoke", "number"),
                                         ("grants_in_force", "number")], departed)],
        "training": [],
        "incidents": [_table("incidents_learned", [
            ("reference", "text"), ("learned_on", "date"), ("incident_kind", "incident_kind"),
            ("persons", "number"), ("reportable", "yes_no"), ("preliminary_due_on", "date"),
            ("preliminary_reported_on", "date"), ("final_due_on", "date"),
            ("final_reported_on", "date"), ("notice_due_on", "date"), ("notice_done_on", "date")],
            _incident_rows(q))],
        "requests": [_table("requests_received", [
            ("reference", "text"), ("request_kind", "request_kind"), ("received_on", "date"),
            ("decision", "decision"), ("answer_due_on", "date"), ("responded_on", "date")],
            [(r.reference, r.kind, r.received_on, r.decision,
              request_clocks.answer_due(r.received_on), r.responded_on) for r in _requests(q)])],
        "provisions": [_table("provisions_made", [
            ("reference", "text"), ("provision_kind", "provision_kind"),
            ("provision_basis", "provision_basis"), ("counterparty", "text"), ("country", "text"),
            ("provided_on", "date"), ("kept_until", "date")],
            [(p.reference, p.kind, p.basis, p.counterparty, p.country, p.provided_on,
              provision_record.kept_until(p)) for p in _provisions(q)])],
        "results": [_table("results_at_end", [("check", "check"), ("severity", "severity"),
                                              ("open", "number"), ("waived", "number")],
                           [(t.check.code, t.severity.value, t.open, t.waived) for t in tallies])],
    }


def _table(key: str, columns: list[tuple[str, str]], rows) -> dict:
    return {"key": key, "columns": [list(c) for c in columns],
            "rows": [[_plain(value) for value in row] for row in rows]}


def _plain(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value
