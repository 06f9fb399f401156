"""What falls due and whose it is: open findings by their due day, consignees' next supervision
checks, contracts ending, questionnaires not returned, and the law's clocks of incidents and
requests; each with its owner as written on the record, and the reminder stage it is in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from registry.compliance.catalogue import entrustment_active
from registry.consignees.models import Consignee, Contract, Entrustment
from registry.core.i18n import Label
from registry.core.web import DETAIL_ENDPOINTS
from registry.extensions import db
from registry.incidents.models import Incident
from registry.questionnaires.models import Questionnaire, QuestionnaireStatus
from registry.reporting import clocks
from registry.rights.models import RightsRequest
from registry.supervision import cadence
from registry.supervision.models import Finding, FindingStatus

KINDS = {
    "finding": Label("Finding", "指摘事項"),
    "check": Label("Supervision check", "委託先点検"),
    "contract": Label("Contract ending", "契約満了"),
    "questionnaire": Label("Questionnaire not returned", "確認書の未回収"),
    "incident": Label("Incident", "漏えい等事案"),
    "request": Label("Request", "開示等の請求"),
}

NEXT_CHECK = Label("the next periodic check, by its risk tier's cadence",
                   "リスク区分に応じた次回の定期点検")


@dataclass(frozen=True)
class Due:
    """One thing that falls due: its record, what it is, the day, and its owner's words."""

    kind: str
    record_type: str
    record_id: int
    reference: str
    subject: str | Label
    due_on: date
    owner: str
    #: which of a record's duties (an incident's preliminary report ...), else ""
    duty: str = ""

    @property
    def endpoint(self) -> str:
        """The endpoint of the record's page."""
        return DETAIL_ENDPOINTS[MODELS[self.record_type]]

    @property
    def what(self) -> Label:
        return KINDS[self.kind]

    def topic(self, stage: date) -> str:
        """The reminder this is at the stage: "finding:2026-12-10", "incident-final:…"."""
        return f"{self.kind}{'-' + self.duty if self.duty else ''}:{stage.isoformat()}"


def stage(due_on: date, today: date, before: tuple[int, ...], every: int,
          overdue: bool = True) -> date | None:
    """The day the current reminder stage began: each of `before` days ahead of the due day,
    the due day, then (while overdue) the day after it and every `every` days from there; None
    before the first. A stage missed by a scheduler that did not run is caught up on."""
    points = [due_on - timedelta(days=days) for days in before] + [due_on]
    if overdue and today > due_on:
        late = (today - due_on).days - 1
        points.append(due_on + timedelta(days=1 + late // every * every))
    passed = [point for point in points if point <= today]
    return max(passed) if passed else None


def before_days() -> tuple[int, ...]:
    """REGISTRY_REMIND_BEFORE_DAYS, farthest first."""
    return current_app.config["REMIND_BEFORE_DAYS"]


def everything(today: date) -> list[Due]:
    """Everything that falls due within the reminders' reach (the farthest `before` day, or a
    contract's notice period), overdue things included, soonest first."""
    reach = today + timedelta(days=max(before_days(), default=0))
    notice = today + timedelta(days=max(current_app.config["CONTRACT_NOTICE_DAYS"],
                                        max(before_days(), default=0)))
    found = [*findings(reach), *checks(today, reach), *contracts(today, notice),
             *questionnaires(reach), *deadlines(reach)]
    return sorted(found, key=lambda d: (d.due_on, d.kind, d.reference))


def findings(reach: date) -> list[Due]:
    rows = db.session.execute(
        sa.select(Finding.id, Finding.reference, Finding.description, Finding.due_on,
                  Finding.owner)
        .where(Finding.status.in_((FindingStatus.OPEN, FindingStatus.IN_PROGRESS)),
               Finding.due_on <= reach))
    return [Due("finding", "findings", id, reference, _short(text), due, owner)
            for id, reference, text, due, owner in rows]


def checks(today: date, reach: date) -> list[Due]:
    """Consignees with work in progress whose next check falls due by the reach."""
    at_work = sa.exists().where(Entrustment.consignee_id == Consignee.id, entrustment_active(today))
    last = cadence.last_checks(today)
    days = current_app.config["CHECK_CADENCE_DAYS"]
    rows = db.session.execute(
        sa.select(Consignee.id, Consignee.label, Consignee.risk_tier, Consignee.owner,
                  last.c.last, last.c.set_on)
        .join(last, last.c.consignee_id == Consignee.id)
        .where(at_work, cadence.due_before(last, reach + timedelta(days=1), days)))
    return [Due("check", "consignees", id, label, NEXT_CHECK,
                cadence.due_on(checked, tier.value, set_on, days), owner)
            for id, label, tier, owner, checked, set_on in rows]


def contracts(today: date, reach: date) -> list[Due]:
    """Contracts that end (without renewing themselves) from today to the reach."""
    rows = db.session.execute(
        sa.select(Contract.id, Contract.reference, Consignee.label, Contract.end_on,
                  Consignee.owner)
        .join(Consignee, Consignee.id == Contract.consignee_id)
        .where(Contract.end_on.between(today, reach), Contract.auto_renewal.is_(False)))
    return [Due("contract", "contracts", *row) for row in rows]


def questionnaires(reach: date) -> list[Due]:
    """Questionnaires awaiting their answers: the consignee's owner's, else their issuer's."""
    rows = db.session.execute(
        sa.select(Questionnaire.id, Questionnaire.reference, Consignee.label,
                  Questionnaire.due_on, Consignee.owner, Questionnaire.issued_by)
        .join(Consignee, Consignee.id == Questionnaire.consignee_id)
        .where(Questionnaire.status == QuestionnaireStatus.ISSUED,
               Questionnaire.due_on <= reach))
    return [Due("questionnaire", "questionnaires", id, reference, label, due,
                owner or issued_by)
            for id, reference, label, due, owner, issued_by in rows]


def deadlines(reach: date) -> list[Due]:
    """The law's clocks still running (reporting.clocks), with their records' owners."""
    running = clocks.running(reach)
    owners = {}
    for model in (Incident, RightsRequest):
        ids = [d.id for d in running if d.endpoint == DETAIL_ENDPOINTS[model]]
        if ids:
            owners[model] = dict(db.session.execute(
                sa.select(model.id, model.owner).where(model.id.in_(ids))).all())
    found = []
    for d in running:
        model = Incident if d.endpoint == DETAIL_ENDPOINTS[Incident] else RightsRequest
        kind = "incident" if model is Incident else "request"
        found.append(Due(kind, model.__tablename__, d.id, d.reference, d.duty, d.due_on,
                         owners[model].get(d.id, ""), d.code))
    return found


MODELS = {model.__tablename__: model
          for model in (Finding, Consignee, Contract, Questionnaire, Incident, RightsRequest)}


def _short(text: str, size: int = 80) -> str:
    line = " ".join(text.split())
    return line if len(line) <= size else line[:size - 1] + "…"
