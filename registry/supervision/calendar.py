"""The supervision calendar: checks due and overdue by month, questionnaires not returned,
consignees never checked; each list from one set-based query."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.consignees.models import Consignee, ConsigneeStatus
from registry.extensions import db
from registry.questionnaires.models import Questionnaire, QuestionnaireStatus
from registry.supervision.models import SupervisionCheck

#: how far ahead the calendar looks
MONTHS_AHEAD = 12


@dataclass
class Calendar:
    """What supervision work is due, overdue or missing."""

    overdue: list[tuple[Consignee, date]]
    by_month: dict[str, list[tuple[Consignee, date]]]
    unanswered: list[Questionnaire]
    never_checked: list[Consignee]
    today: date


def next_due() -> sa.Subquery:
    """Each active consignee's next check date (consignee_id, due), as set by its most recent
    check; consignees never checked, or whose last check set no date, are not in it."""
    latest = (sa.select(SupervisionCheck.consignee_id,
                        sa.func.max(SupervisionCheck.checked_on).label("checked_on"))
              .group_by(SupervisionCheck.consignee_id).subquery())
    return (sa.select(SupervisionCheck.consignee_id,
                      sa.func.max(SupervisionCheck.next_due_on).label("due"))
            .join(latest, sa.and_(latest.c.consignee_id == SupervisionCheck.consignee_id,
                                  latest.c.checked_on == SupervisionCheck.checked_on))
            .join(Consignee, Consignee.id == SupervisionCheck.consignee_id)
            .where(Consignee.status == ConsigneeStatus.ACTIVE,
                   SupervisionCheck.next_due_on.is_not(None))
            .group_by(SupervisionCheck.consignee_id).subquery())


def build(today: date | None = None) -> Calendar:
    today = today or date.today()
    horizon = date(today.year + (today.month + MONTHS_AHEAD - 1) // 12,
                   (today.month + MONTHS_AHEAD - 1) % 12 + 1, 1)
    due = next_due()
    listed = (sa.select(Consignee, due.c.due).join(due, due.c.consignee_id == Consignee.id)
              .where(due.c.due < horizon).order_by(due.c.due))
    overdue, by_month = [], defaultdict(list)
    for consignee, day in db.session.execute(listed):
        if day < today:
            overdue.append((consignee, day))
        else:
            by_month[f"{day:%Y-%m}"].append((consignee, day))
    unanswered = db.session.scalars(
        sa.select(Questionnaire).where(Questionnaire.status == QuestionnaireStatus.ISSUED)
        .options(so.joinedload(Questionnaire.consignee)).order_by(Questionnaire.due_on)).all()
    never = db.session.scalars(
        sa.select(Consignee).where(
            Consignee.status == ConsigneeStatus.ACTIVE,
            ~sa.exists().where(SupervisionCheck.consignee_id == Consignee.id))
        .order_by(Consignee.name)).all()
    return Calendar(overdue, dict(by_month), unanswered, never, today)
