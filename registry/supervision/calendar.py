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


def build(today: date | None = None) -> Calendar:
    today = today or date.today()
    horizon = date(today.year + (today.month + MONTHS_AHEAD - 1) // 12,
                   (today.month + MONTHS_AHEAD - 1) % 12 + 1, 1)
    # the next due date is the one set by each consignee's most recent check
    latest = (sa.select(SupervisionCheck.consignee_id,
                        sa.func.max(SupervisionCheck.checked_on).label("checked_on"))
              .group_by(SupervisionCheck.consignee_id).subquery())
    next_due = sa.func.max(SupervisionCheck.next_due_on)
    due = (sa.select(Consignee, next_due)
           .join(latest, latest.c.consignee_id == Consignee.id)
           .join(SupervisionCheck, sa.and_(SupervisionCheck.consignee_id == Consignee.id,
                                           SupervisionCheck.checked_on == latest.c.checked_on))
           .where(Consignee.status == ConsigneeStatus.ACTIVE)
           .group_by(Consignee.id)
           .having(next_due < horizon)
           .order_by(next_due))
    overdue, by_month = [], defaultdict(list)
    for consignee, next_due in db.session.execute(due):
        if next_due is None:
            continue
        if next_due < today:
            overdue.append((consignee, next_due))
        else:
            by_month[f"{next_due:%Y-%m}"].append((consignee, next_due))
    unanswered = db.session.scalars(
        sa.select(Questionnaire).where(Questionnaire.status == QuestionnaireStatus.ISSUED)
        .options(so.joinedload(Questionnaire.consignee)).order_by(Questionnaire.due_on)).all()
    never = db.session.scalars(
        sa.select(Consignee).where(
            Consignee.status == ConsigneeStatus.ACTIVE,
            ~sa.exists().where(SupervisionCheck.consignee_id == Consignee.id))
        .order_by(Consignee.name)).all()
    return Calendar(overdue, dict(by_month), unanswered, never, today)
