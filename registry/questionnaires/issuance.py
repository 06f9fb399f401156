"""Issuing a questionnaire: choose the questions relevant to a consignee and record the issue."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from registry.consignees.models import Consignee, Contract
from registry.core import audit, operations, transactions
from registry.extensions import db
from registry.questionnaires.models import (
    Audience,
    Question,
    Questionnaire,
    QuestionStatus,
    QuestionVersion,
)


def relevant_versions(consignee: Consignee) -> list[QuestionVersion]:
    """The current wording of every asked question that applies to this consignee: foreign
    processing questions only for foreign ones, re-entrustment ones only where allowed."""
    audiences = [Audience.ALL]
    if consignee.foreign:
        audiences.append(Audience.FOREIGN)
    may_reentrust = db.session.scalar(sa.select(sa.func.count()).where(
        Contract.consignee_id == consignee.id, Contract.reentrustment_allowed.is_(True)))
    if may_reentrust:
        audiences.append(Audience.REENTRUSTING)
    return list(db.session.scalars(
        sa.select(QuestionVersion)
        .join(Question, sa.and_(Question.id == QuestionVersion.question_id,
                                Question.version == QuestionVersion.version))
        .where(Question.status == QuestionStatus.ACTIVE, Question.audience.in_(audiences))
        .order_by(Question.code)))


#: the PostgreSQL advisory lock key under which questionnaire numbers are taken
NUMBERING_LOCK = 0x514E52  # "QNR"


def issue(consignee: Consignee, on: date | None = None, due_days: int | None = None) -> Questionnaire:
    """Record a questionnaire issued to a consignee today (who, when, due date, questions)."""
    on = on or date.today()
    days = due_days or current_app.config["ANSWER_DAYS"][consignee.risk_tier.value]
    transactions.serialised(NUMBERING_LOCK)  # one issue at a time takes a number
    count = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Questionnaire.id), 0))) + 1
    return operations.create(Questionnaire, {
        "reference": f"QNR-{on:%Y%m%d}-{count:04d}",
        "consignee": consignee, "issued_on": on, "due_on": on + timedelta(days=days),
        "issued_by": audit.current_actor(), "versions": relevant_versions(consignee),
    })
