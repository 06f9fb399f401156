"""The supervision calendar: checks due and overdue by month (supervision.cadence), questionnaires
not returned, consignees never checked; each list from one set-based query."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm as so

from registry.consignees.models import Consignee, ConsigneeStatus
from registry.core import clock
from registry.extensions import db
from registry.questionnaires.models import Questionnaire, QuestionnaireStatus
from registry.supervision import cadence
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
    today = today or clock.today()
    horizon = date(today.year + (today.month + MONTHS_AHEAD - 1) // 12,
                   (today.month + MONTHS_AHEAD - 1) % 12 + 1, 1)
    days = current_app.config["CHECK_CADENCE_DAYS"]
    checks = cadence.last_checks(today)
    listed = (sa.select(Consignee, checks.c.last, checks.c.set_on)
              .join(checks, checks.c.consignee_id == Consignee.id)
              .where(Consignee.status == ConsigneeStatus.ACTIVE,
                     cadence.due_before(checks, horizon, days)))
    due = sorted(((consignee, cadence.due_on(last, consignee.risk_tier.value, set_on, days))
                  for consignee, last, set_on in db.session.execute(listed)),
                 key=lambda pair: (pair[1], pair[0].name))
    overdue, by_month = [], defaultdict(list)
    for consignee, day in due:
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
