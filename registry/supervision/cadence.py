"""When a consignee's next supervision check is due: its last check plus its risk tier's cadence
(REGISTRY_CHECK_CADENCE_DAYS), or the next-due day that check recorded when that is sooner. A
recorded day can bring a check forward, never put it off. The compliance check, the calendar,
the dashboard and the quarterly report all ask this module."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.consignees.models import Consignee
from registry.supervision.models import SupervisionCheck


def last_checks(as_of: date) -> sa.Subquery:
    """Per consignee checked by the day: the day of its last check (``last``) and the next-due
    day that check recorded, if any (``set_on``)."""
    latest = (sa.select(SupervisionCheck.consignee_id,
                        sa.func.max(SupervisionCheck.checked_on).label("last"))
              .where(SupervisionCheck.checked_on <= as_of)
              .group_by(SupervisionCheck.consignee_id).subquery())
    recorded = so.aliased(SupervisionCheck)
    return (sa.select(latest.c.consignee_id, latest.c.last,
                      sa.func.min(recorded.next_due_on).label("set_on"))
            .join(recorded, sa.and_(recorded.consignee_id == latest.c.consignee_id,
                                    recorded.checked_on == latest.c.last))
            .group_by(latest.c.consignee_id, latest.c.last).subquery())


def due_on(last: date, tier: str, set_on: date | None, cadence: dict[str, int]) -> date:
    """The day the next check is due."""
    by_tier = last + timedelta(days=cadence[tier])
    return min(by_tier, set_on) if set_on else by_tier


def due_before(checks: sa.Subquery, day: date, cadence: dict[str, int]) -> sa.ColumnElement:
    """The next check (of the consignee joined to `checks`) falls due before the day."""
    by_tier = sa.or_(*(sa.and_(Consignee.risk_tier == tier, checks.c.last < day - timedelta(days=days))
                       for tier, days in cadence.items()))
    return sa.or_(by_tier, sa.and_(checks.c.set_on.is_not(None), checks.c.set_on < day))


def due_between(checks: sa.Subquery, first: date, last: date,
                cadence: dict[str, int]) -> sa.ColumnElement:
    """The next check falls due from the first day to the last, both included."""
    return sa.and_(~due_before(checks, first, cadence), due_before(checks, last + timedelta(days=1),
                                                                    cadence))
