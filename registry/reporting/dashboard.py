"""The home page at a glance: open check results and their trend, contracts expiring, checks due,
findings by age, access reviews due, the law's clocks running (incidents, requests), who receives
special care-required data and which data goes abroad, and the inventory's totals; each from one
set-based statement (the clocks: from the open incidents and requests alone), each list its first
rows and how many there are.

The whole of it is plain values, remembered until the registry changes (core.memo), so
a repeat view reads nothing but the newest audit entry, however large the registry; each of its
parts, until a table that part reads changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext
from markupsafe import Markup

from registry.compliance import engine
from registry.compliance.catalogue import YEAR, employed, grant_active, last_review
from registry.consignees import handling
from registry.consignees.models import Consignee, ConsigneeStatus, Contract, Entrustment
from registry.core import charts, clock, memo
from registry.core.charts import Bar
from registry.core.i18n import lazy_gettext as _l
from registry.extensions import db
from registry.inventory.models import DataCategory, Purpose
from registry.people.models import AccessGrant, Employee
from registry.reporting import clocks
from registry.reporting.quarterly import INCIDENT_CHECKS, findings_by_age, quarter
from registry.supervision import cadence
from registry.supervision.models import SupervisionCheck

#: the charts' width: a dashboard box's narrowest content (26rem less its padding), so that they are
#: drawn at their own size, their labels 12 pixels high
CHART_WIDTH = 380
AGE_LABELS = (_l("up to 30 days"), _l("31 to 90 days"), _l("91 to 180 days"), _l("over 180 days"))
#: how many rows a list of the dashboard shows (and names a row of the abroad table), the rest
#: a link away: the page costs the same however large the registry
SHOWN = 10


@dataclass(frozen=True)
class ContractEnding:
    """A contract ending within the notice period, as the dashboard lists it."""

    id: int
    reference: str
    end_on: date
    consignee_id: int
    consignee: str
    auto_renewal: bool


@dataclass
class Dashboard:
    today: date
    tallies: list[engine.Tally]
    #: open results by severity at the end of the previous quarter
    previous: dict[str, int]
    previous_quarter: str
    #: how far ahead it looks: the contract notice period (REGISTRY_CONTRACT_NOTICE_DAYS)
    horizon_days: int
    #: the first SHOWN contracts ending within the horizon, and how many there are
    contracts_ending: list[ContractEnding]
    contracts_ending_count: int
    #: consignees whose supervision check is overdue (the check-overdue check's open results)
    checks_overdue: int
    #: consignees whose next check falls due within the horizon (as the calendar lists them)
    checks_due: int
    findings_by_age: list[int]
    #: access grants unreviewed for over a year (open results), and reaching a year within the horizon
    reviews: tuple[int, int]
    #: the first SHOWN consignees receiving special care-required data, and how many there are
    special_care: list[handling.SpecialCareHandler]
    special_care_count: int
    #: the foreign consignees by country and basis (the first SHOWN of each)
    abroad: list[handling.AbroadRow]
    #: the law's clocks running: the first SHOWN duties falling due by the horizon (the overdue
    #: ones first), and how many there are
    deadlines: list[clocks.Deadline]
    deadlines_count: int
    #: open results of the checks of the law's clocks and records: incidents' reports and notices,
    #: requests' answers, provisions' records
    clocks_overdue: dict[str, int]
    #: the inventory's records by kind (access grants: those not revoked)
    totals: dict[str, int]
    #: the page made of it, by language and role (rendered once each: it is remembered with it)
    pages: dict[tuple[str, str], Markup] = field(default_factory=dict, compare=False)

    @property
    def horizon(self) -> date:
        """The last day it looks ahead to."""
        return self.today + timedelta(days=self.horizon_days)

    def severity_chart(self) -> Markup:
        """Open results by severity, beside the count at the end of the previous quarter."""
        rows = [Bar(str(level.label), sum(t.open for t in self.tallies if t.severity == level),
                    self.previous[level.value], css=level.value) for level in reversed(engine.LEVELS)]
        return charts.bars(rows, gettext("Open results by severity"), current=gettext("Today"),
                           previous=gettext("End of %(quarter)s", quarter=self.previous_quarter),
                           width=CHART_WIDTH)

    def checks_chart(self) -> Markup | None:
        """The checks with open results, the most serious first."""
        rows = [Bar(str(t.check.title), t.open, css=t.severity.value,
                    href=url_for("compliance.check_detail", code=t.check.code))
                for t in self.tallies if t.open]
        return charts.bars(rows, gettext("Open results by check"), width=CHART_WIDTH) if rows else None

    def age_chart(self) -> Markup:
        rows = [Bar(str(label), count) for label, count in zip(AGE_LABELS, self.findings_by_age,
                                                                strict=True)]
        return charts.bars(rows, gettext("Open findings by age"), width=CHART_WIDTH)


def build(today: date | None = None) -> Dashboard:
    """The dashboard as of the day (today by default), remembered until the registry changes."""
    today = today or clock.today()
    at = engine.context(today)
    previous_quarter = quarter().previous
    return memo.remembered(("dashboard", engine.settings(at), str(previous_quarter)),
                           lambda: _build(today, at, previous_quarter))


def _build(today: date, at: engine.Context, previous_quarter) -> Dashboard:
    """The dashboard made again after a change: each part is remembered until a table it reads
    changes (as the checks' tallies are), so a change makes again only what it can alter."""
    horizon = today + timedelta(days=at.notice_days)

    def part(name: str, compute):
        return memo.remembered_reading(("dashboard", name, engine.settings(at), horizon), compute)

    before = engine.tallies(engine.context(previous_quarter.last_day))
    now = engine.tallies(at)
    open_results = {t.check.code: t.open for t in now}
    contracts, contracts_count = part("contracts", lambda: _contracts_ending(today, horizon))
    special_care, special_care_count = part(
        "special_care", lambda: handling.special_care_by_consignee(today, SHOWN))
    deadlines = part("deadlines", lambda: clocks.running(horizon))
    return Dashboard(
        today=today,
        tallies=now,
        previous={level.value: sum(t.open for t in before if t.severity == level)
                  for level in reversed(engine.LEVELS)},
        previous_quarter=str(previous_quarter),
        horizon_days=at.notice_days,
        contracts_ending=contracts,
        contracts_ending_count=contracts_count,
        checks_overdue=open_results["check-overdue"],
        checks_due=part("checks_due", lambda: _checks_due(today, horizon, at)),
        findings_by_age=part("findings_by_age", lambda: findings_by_age(today)),
        reviews=(open_results["access-not-reviewed"],
                 part("reviews", lambda: _reviews_falling_due(today, horizon))),
        special_care=special_care,
        special_care_count=special_care_count,
        abroad=part("abroad", lambda: handling.abroad_by_country(today, SHOWN)),
        deadlines=deadlines[:SHOWN],
        deadlines_count=len(deadlines),
        clocks_overdue={"incidents": sum(open_results[code] for code in INCIDENT_CHECKS),
                        "requests": open_results["request-response-overdue"],
                        "provisions": open_results["provision-without-record"]},
        totals=part("totals", _totals),
    )


def _contracts_ending(today: date, horizon: date) -> tuple[list[ContractEnding], int]:
    """The first SHOWN contracts ending by the horizon, and how many there are."""
    ending = Contract.end_on.between(today, horizon)
    contracts = db.session.execute(
        sa.select(Contract.id, Contract.reference, Contract.end_on, Consignee.id, Consignee.label,
                  Contract.auto_renewal)
        .join(Consignee, Consignee.id == Contract.consignee_id).where(ending)
        .order_by(Contract.end_on, Contract.reference).limit(SHOWN)).all()
    return ([ContractEnding(*row) for row in contracts],
            db.session.scalar(sa.select(sa.func.count()).select_from(Contract).where(ending)))


def _checks_due(today: date, horizon: date, at: engine.Context) -> int:
    """Active consignees whose next check falls due by the horizon (as the calendar lists them)."""
    checks = cadence.last_checks(today)
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Consignee)
        .join(checks, checks.c.consignee_id == Consignee.id)
        .where(Consignee.status == ConsigneeStatus.ACTIVE,
               cadence.due_between(checks, today, horizon, at.cadence)))


def _totals() -> dict[str, int]:
    """How many purposes, data categories, consignees, entrustments, contracts, supervision
    checks, employees and access grants not revoked the registry holds, in one statement."""
    def count(model, *where):
        return sa.select(sa.func.count()).select_from(model).where(*where).scalar_subquery()

    counts = {"purposes": count(Purpose), "categories": count(DataCategory),
              "consignees": count(Consignee), "entrustments": count(Entrustment),
              "contracts": count(Contract), "checks": count(SupervisionCheck),
              "employees": count(Employee),
              "grants": count(AccessGrant, AccessGrant.revoked_on.is_(None))}
    return dict(zip(counts, db.session.execute(sa.select(*counts.values())).one(), strict=True))


def _reviews_falling_due(today: date, horizon: date) -> int:
    """Grants in force that reach a year without review within the horizon (those already past it
    are the results of the access-not-reviewed check)."""
    reviewed = last_review()
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(AccessGrant)
        .join(Employee, Employee.id == AccessGrant.employee_id)
        .where(grant_active(today), employed(today),
               reviewed >= today - YEAR, reviewed < horizon - YEAR))
