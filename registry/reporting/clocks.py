"""The law's clocks still running, for the dashboard: each reportable incident's report and notice
not yet done, and each request not yet answered, with the day each falls due (overdue ones
included), the soonest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.core.i18n import Label
from registry.extensions import db
from registry.incidents import assessment
from registry.incidents.models import Incident
from registry.rights import clocks as request_clocks
from registry.rights.models import RightsRequest

ANSWER = Label("Answer to the requester", "請求者への回答")


@dataclass(frozen=True)
class Deadline:
    """A duty not yet done: the record it belongs to (its page's endpoint and id) and its day."""

    due_on: date
    endpoint: str
    id: int
    reference: str
    #: which duty: preliminary, final, notice (an incident's reports and notice) or answer
    code: str
    duty: Label

    def overdue(self, on: date) -> bool:
        return self.due_on < on


def running(until: date) -> list[Deadline]:
    """The duties not done that fall due by the day (all the overdue ones among them), soonest
    first. Only incidents with a report or notice not done and requests not answered are read."""
    incidents = db.session.scalars(
        sa.select(Incident).where(sa.or_(
            Incident.preliminary_reported_on.is_(None), Incident.final_reported_on.is_(None),
            sa.and_(Incident.notified_on.is_(None), Incident.published_on.is_(None))))
        .options(so.selectinload(Incident.categories)))
    found = [Deadline(c.due_on, "incidents.incidents_detail", incident.id, incident.reference,
                      c.code, c.label)
             for incident in incidents for c in assessment.clocks(incident)
             if c.done_on is None and c.due_on <= until]
    requests = db.session.execute(
        sa.select(RightsRequest.id, RightsRequest.reference, RightsRequest.received_on)
        .where(RightsRequest.responded_on.is_(None)))
    found += [Deadline(due, "rights.requests_detail", id, reference, "answer", ANSWER)
              for id, reference, received in requests
              if (due := request_clocks.answer_due(received)) <= until]
    return sorted(found, key=lambda d: (d.due_on, d.reference))
