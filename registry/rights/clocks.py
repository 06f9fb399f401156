"""The clocks of a request: the company's target for answering "without delay" (the law sets no
number of days: REGISTRY_REQUEST_RESPONSE_DAYS, 14 by default, from the day it reached the
company, moved past a closed day like the PPC's deadlines), and the day from which the
individual may sue (APPI Art. 39: two weeks after the request reached the company)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app

from registry.core import clock, workdays
from registry.rights.models import RequestKind, RightsRequest

#: the requests a suit may follow (APPI Art. 39(1): Arts. 33(1), 34(1), 35(1), (3), (5))
SUABLE = frozenset({RequestKind.DISCLOSURE, RequestKind.CORRECTION, RequestKind.SUSPENSION,
                    RequestKind.STOP_PROVISION, RequestKind.PROVISION_RECORDS})
#: Art. 39(1): two weeks after the request reached the company
TWO_WEEKS = timedelta(days=14)


def answer_due(received: date) -> date:
    return workdays.next_working(received + timedelta(days=current_app.config["REQUEST_RESPONSE_DAYS"]))


def suit_possible_from(request: RightsRequest) -> date | None:
    """The first day the individual may sue over the request (None: Art. 39 does not apply):
    the two weeks run from the day after it reached the company (Civil Code Art. 140)."""
    if request.kind not in SUABLE:
        return None
    return request.received_on + TWO_WEEKS + timedelta(days=1)


def overdue(request: RightsRequest, on: date | None = None) -> bool:
    """Not answered by the end of its target day, as of the day (today by default)."""
    on = on or clock.today()
    return answer_due(request.received_on) < on and (
        request.responded_on is None or request.responded_on > on)
