"""Pages for supervision checks and findings."""


import sqlalchemy as sa
from flask import Blueprint, render_template
from sqlalchemy import orm as so

from registry.consignees.models import Consignee
from registry.core import clock
from registry.core.entity import Column, DateRange, Dependent, Entity, Filter, RecordFilter
from registry.core.i18n import lazy_gettext as _l
from registry.extensions import db
from registry.questionnaires.models import Answer, Questionnaire, QuestionVersion
from registry.supervision import calendar as supervision_calendar
from registry.supervision.models import (
    CheckKind,
    CheckMethod,
    CheckResult,
    Finding,
    FindingStatus,
    Severity,
    SupervisionCheck,
)
from registry.supervision.rules import CHECKS, FINDINGS

bp = Blueprint("supervision", __name__)

def _check_context(check: SupervisionCheck) -> dict:
    """The findings of a check and, for a questionnaire, every answer given."""
    findings = db.session.scalars(sa.select(Finding).where(Finding.check_id == check.id)
                                  .order_by(Finding.reference)).all()
    answers = db.session.scalars(
        sa.select(Answer).where(Answer.check_id == check.id)
        .options(so.joinedload(Answer.version).joinedload(QuestionVersion.question))
        .order_by(Answer.id)).all()
    questionnaire = db.session.get(Questionnaire, answers[0].questionnaire_id) if answers else None
    return {"findings": findings, "answers": answers, "questionnaire": questionnaire}


checks = Entity(
    name="checks",
    description=CHECKS,
    columns=[
        Column("reference", SupervisionCheck.reference, link=True),
        Column("consignee", Consignee.name),
        Column("kind", SupervisionCheck.kind),
        Column("checked_on", SupervisionCheck.checked_on),
        Column("method", SupervisionCheck.method),
        Column("result", SupervisionCheck.result),
        Column("next_due_on", SupervisionCheck.next_due_on),
    ],
    search=(SupervisionCheck.reference, Consignee.name, SupervisionCheck.performed_by,
            SupervisionCheck.notes),
    filters=(
        RecordFilter("consignee", _l("Consignee"), Consignee,
                     lambda v: SupervisionCheck.consignee_id == int(v),
                     value=lambda: Consignee.id, name=lambda: Consignee.label),
        Filter.on(SupervisionCheck.kind, "kind", _l("Kind of check"), CheckKind.choices),
        Filter.on(SupervisionCheck.method, "method", _l("Method"), CheckMethod.choices),
        Filter.on(SupervisionCheck.result, "result", _l("Result"), CheckResult.choices),
        DateRange("checked_on", CHECKS.by_name["checked_on"].label, SupervisionCheck.checked_on),
    ),
    default_sort="-checked_on",
    joins=(SupervisionCheck.consignee,),
    dependents=(
        Dependent(_l("Findings"), Finding, lambda c: Finding.check_id == c.id),
        Dependent(_l("Questionnaire answers"), Answer, lambda c: Answer.check_id == c.id),
    ),
    detail_template="supervision/check_detail.html",
    detail_context=_check_context,
)

findings = Entity(
    name="findings",
    description=FINDINGS,
    columns=[
        Column("reference", Finding.reference, link=True),
        Column("check", SupervisionCheck.reference),
        Column("description"),  # free text up to 8,000 characters: not a sort an index serves
        Column("severity", Finding.severity),
        Column("owner", Finding.owner),
        Column("due_on", Finding.due_on),
        Column("status", Finding.status),
        Column("overdue", label=_l("Overdue")),
    ],
    search=(Finding.reference, Finding.description, Finding.owner, SupervisionCheck.reference),
    filters=(
        Filter.on(Finding.severity, "severity", _l("Severity"), Severity.choices),
        Filter.on(Finding.status, "status", _l("Status"), FindingStatus.choices),
        Filter("overdue", _l("Overdue"), lambda: [("yes", _l("Overdue"))], lambda v: sa.and_(
            Finding.status.in_([FindingStatus.OPEN, FindingStatus.IN_PROGRESS]),
            Finding.due_on < clock.today())),
        DateRange("due_on", FINDINGS.by_name["due_on"].label, Finding.due_on),
    ),
    default_sort="due_on",
    joins=(Finding.check,),
)

for entity in (checks, findings):
    entity.register(bp)


@bp.route("/calendar")
def calendar():
    """Checks due and overdue per month, questionnaires not returned, consignees never checked."""
    return render_template("supervision/calendar.html", calendar=supervision_calendar.build())
