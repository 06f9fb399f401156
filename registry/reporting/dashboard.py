"""The home page at a glance: open check results and their trend, contracts expiring, checks due,
findings by age and access reviews due; each list from one set-based statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import orm as so

from registry.compliance import engine
from registry.compliance.catalogue import Context, _finding_open
from registry.consignees.models import Consignee, ConsigneeStatus, Contract
from registry.core import charts
from registry.core.charts import Bar
from registry.extensions import db
from registry.people.models import AccessGrant, Employee
from registry.reporting.quarterly import AGE_BUCKETS, quarter
from registry.supervision.models import Finding, SupervisionCheck

#: how far ahead the dashboard looks for contracts ending and checks and reviews falling due
HORIZON_DAYS = 90

AGE_LABELS = (_l("up to 30 days"), _l("31 to 90 days"), _l("91 to 180 days"), _l("over 180 days"))


@dataclass
class Dashboard:
    today: date
    tallies: list[engine.Tally]
    #: open results by severity at the end of the previous quarter
    previous: dict[str, int]
    previous_quarter: str
    contracts_ending: list[Contract]
    checks_overdue: int
    checks_due: int
    findings_by_age: list[int]
    #: access grants unreviewed for over a year, and reaching a year within the horizon
    reviews: tuple[int, int]

    def severity_chart(self) -> Markup:
        """Open results by severity, beside the count at the end of the previous quarter."""
        rows = [Bar(str(level.label), sum(t.open for t in self.tallies if t.severity == level),
                    self.previous[level.value], css=level.value) for level in reversed(engine.LEVELS)]
        return charts.bars(rows, gettext("Open results by severity"), current=gettext("Today"),
                           previous=gettext("End of %(quarter)s", quarter=self.previous_quarter))

    def checks_chart(self) -> Markup | None:
        """The checks with open results, the most serious first."""
        rows = [Bar(str(t.check.title), t.open, css=t.severity.value,
                    href=url_for("compliance.check_detail", code=t.check.code))
                for t in self.tallies if t.open]
        return charts.bars(rows, gettext("Open results by check")) if rows else None

    def age_chart(self) -> Markup:
        rows = [Bar(str(label), count) for label, count in zip(AGE_LABELS, self.findings_by_age,
                                                                strict=True)]
        return charts.bars(rows, gettext("Open findings by age"))


def build(today: date | None = None) -> Dashboard:
    today = today or date.today()
    horizon = today + timedelta(days=HORIZON_DAYS)
    config = current_app.config
    previous_end = quarter().previous.last_day
    before = engine.tallies(Context(previous_end, config["CHECK_CADENCE_DAYS"],
                                    config["CONTRACT_NOTICE_DAYS"]))
    contracts = db.session.scalars(
        sa.select(Contract).where(Contract.end_on.between(today, horizon))
        .options(so.joinedload(Contract.consignee)).order_by(Contract.end_on, Contract.reference)).all()
    checks_overdue, checks_due = _checks_falling_due(today, horizon)
    return Dashboard(
        today=today,
        tallies=engine.tallies(engine.context(today)),
        previous={level.value: sum(t.open for t in before if t.severity == level)
                  for level in reversed(engine.LEVELS)},
        previous_quarter=str(quarter().previous),
        contracts_ending=contracts,
        checks_overdue=checks_overdue,
        checks_due=checks_due,
        findings_by_age=_findings_by_age(today),
        reviews=_reviews(today, horizon),
    )


def _checks_falling_due(today: date, horizon: date) -> tuple[int, int]:
    """Active consignees whose latest check set a next due date: how many are past it, how many
    reach it within the horizon."""
    latest = (sa.select(SupervisionCheck.consignee_id,
                        sa.func.max(SupervisionCheck.checked_on).label("checked_on"))
              .group_by(SupervisionCheck.consignee_id).subquery())
    due = (sa.select(sa.func.max(SupervisionCheck.next_due_on).label("due"))
           .join(latest, sa.and_(latest.c.consignee_id == SupervisionCheck.consignee_id,
                                 latest.c.checked_on == SupervisionCheck.checked_on))
           .join(Consignee, Consignee.id == SupervisionCheck.consignee_id)
           .where(Consignee.status == ConsigneeStatus.ACTIVE)
           .group_by(SupervisionCheck.consignee_id).subquery())
    return db.session.execute(sa.select(
        sa.func.count(sa.case((due.c.due < today, 1))),
        sa.func.count(sa.case((due.c.due.between(today, horizon), 1))))).one()


def _findings_by_age(today: date) -> list[int]:
    """Open findings counted by age: up to 30 days, 31-90, 91-180, older."""
    limits = [today - timedelta(days=days) for days in AGE_BUCKETS]
    found = SupervisionCheck.checked_on
    buckets = [found >= limits[0], sa.and_(found < limits[0], found >= limits[1]),
               sa.and_(found < limits[1], found >= limits[2]), found < limits[2]]
    return list(db.session.execute(
        sa.select(*(sa.func.count(sa.case((bucket, 1))) for bucket in buckets))
        .select_from(Finding).join(SupervisionCheck, SupervisionCheck.id == Finding.check_id)
        .where(_finding_open(today))).one())


def _reviews(today: date, horizon: date) -> tuple[int, int]:
    """Grants in force of employees still employed: how many went unreviewed for over a year, how
    many reach a year without review within the horizon."""
    reviewed = sa.func.coalesce(AccessGrant.last_reviewed_on, AccessGrant.granted_on)
    year = timedelta(days=365)
    return db.session.execute(
        sa.select(sa.func.count(sa.case((sa.or_(reviewed.is_(None), reviewed < today - year), 1))),
                  sa.func.count(sa.case((sa.and_(reviewed >= today - year,
                                                 reviewed < horizon - year), 1))))
        .select_from(AccessGrant).join(Employee, Employee.id == AccessGrant.employee_id)
        .where(AccessGrant.revoked_on.is_(None), Employee.departed_on.is_(None))).one()
