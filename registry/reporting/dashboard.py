"""The home page at a glance: open check results and their trend, contracts expiring, checks due,
findings by age, access reviews due, who receives special care-required data and which data goes
abroad; each list from one set-based statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext
from markupsafe import Markup
from sqlalchemy import orm as so

from registry.compliance import engine
from registry.compliance.catalogue import YEAR, employed, grant_active, last_review
from registry.consignees import handling
from registry.consignees.models import Consignee, ConsigneeStatus, Contract
from registry.core import charts, clock
from registry.core.charts import Bar
from registry.core.i18n import lazy_gettext as _l
from registry.extensions import db
from registry.people.models import AccessGrant, Employee
from registry.reporting.quarterly import findings_by_age, quarter
from registry.supervision import cadence

#: the charts' width: a dashboard box's narrowest content (26rem less its padding), so that they are
#: drawn at their own size, their labels 12 pixels high
CHART_WIDTH = 380
AGE_LABELS = (_l("up to 30 days"), _l("31 to 90 days"), _l("91 to 180 days"), _l("over 180 days"))


@dataclass
class Dashboard:
    today: date
    tallies: list[engine.Tally]
    #: open results by severity at the end of the previous quarter
    previous: dict[str, int]
    previous_quarter: str
    #: how far ahead it looks: the contract notice period (REGISTRY_CONTRACT_NOTICE_DAYS)
    horizon_days: int
    contracts_ending: list[Contract]
    #: consignees whose supervision check is overdue (the check-overdue check's open results)
    checks_overdue: int
    #: consignees whose next check falls due within the horizon (as the calendar lists them)
    checks_due: int
    findings_by_age: list[int]
    #: access grants unreviewed for over a year (open results), and reaching a year within the horizon
    reviews: tuple[int, int]
    #: the consignees receiving special care-required data, and the foreign ones by country and basis
    special_care: list[handling.SpecialCareHandler]
    abroad: list[handling.AbroadRow]

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
    today = today or clock.today()
    at = engine.context(today)
    horizon = today + timedelta(days=at.notice_days)
    previous_quarter = quarter().previous
    before = engine.tallies(engine.context(previous_quarter.last_day))
    now = engine.tallies(at)
    open_results = {t.check.code: t.open for t in now}
    contracts = db.session.scalars(
        sa.select(Contract).where(Contract.end_on.between(today, horizon))
        .options(so.joinedload(Contract.consignee)).order_by(Contract.end_on, Contract.reference)).all()
    checks = cadence.last_checks(today)
    return Dashboard(
        today=today,
        tallies=now,
        previous={level.value: sum(t.open for t in before if t.severity == level)
                  for level in reversed(engine.LEVELS)},
        previous_quarter=str(previous_quarter),
        horizon_days=at.notice_days,
        contracts_ending=contracts,
        checks_overdue=open_results["check-overdue"],
        checks_due=db.session.scalar(
            sa.select(sa.func.count()).select_from(Consignee)
            .join(checks, checks.c.consignee_id == Consignee.id)
            .where(Consignee.status == ConsigneeStatus.ACTIVE,
                   cadence.due_between(checks, today, horizon, at.cadence))),
        findings_by_age=findings_by_age(today),
        reviews=(open_results["access-not-reviewed"], _reviews_falling_due(today, horizon)),
        special_care=handling.special_care_by_consignee(today),
        abroad=handling.abroad_by_country(today),
    )


def _reviews_falling_due(today: date, horizon: date) -> int:
    """Grants in force that reach a year without review within the horizon (those already past it
    are the results of the access-not-reviewed check)."""
    reviewed = last_review()
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(AccessGrant)
        .join(Employee, Employee.id == AccessGrant.employee_id)
        .where(grant_active(today), employed(today),
               reviewed >= today - YEAR, reviewed < horizon - YEAR))
