"""Issuing a questionnaire: choose the questions relevant to a consignee and record the issue."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from registry.consignees.models import Consignee, Contract
from registry.core import audit, clock, operations, transactions
from registry.core.schema import Invalid
from registry.extensions import db
from registry.questionnaires.models import (
    Audience,
    Question,
    Questionnaire,
    QuestionStatus,
    QuestionVersion,
    WorkbookLanguage,
)
from registry.questionnaires.rules import issue_problems


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


def default_due_on(consignee: Consignee, on: date) -> date:
    """The day the answers are due by default: REGISTRY_ANSWER_DAYS for the consignee's tier."""
    return on + timedelta(days=current_app.config["ANSWER_DAYS"][consignee.risk_tier.value])


def issue(consignee: Consignee, on: date | None = None, due_on: date | None = None,
          language: WorkbookLanguage = WorkbookLanguage.BOTH) -> Questionnaire:
    """Record a questionnaire issued to a consignee today (who, when, due date, language,
    questions); raises Invalid when the answers would be due before it was issued."""
    on = on or clock.today()
    due_on = due_on or default_due_on(consignee, on)
    problems = issue_problems(on, due_on)
    if problems:
        raise Invalid(problems)
    transactions.serialised(NUMBERING_LOCK)  # one issue at a time takes a number
    count = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Questionnaire.id), 0))) + 1
    return operations.create(Questionnaire, {
        "reference": f"QNR-{on:%Y%m%d}-{count:04d}",
        "consignee": consignee, "issued_on": on, "due_on": due_on,
        "language": WorkbookLanguage(language), "issued_by": audit.current_actor(),
        "versions": relevant_versions(consignee),
    })
