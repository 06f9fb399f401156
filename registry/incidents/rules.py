"""What a valid incident is: the days in their order (it happened, the company learned of it,
then reported and notified), none of them in the future."""

from __future__ import annotations

from collections.abc import Iterator

from registry.core import clock
from registry.core.i18n import Label
from registry.core.i18n import lazy_gettext as _l
from registry.core.schema import Change, Description, Problem
from registry.incidents.models import Incident

#: the days that record what was done, none before the company learned of the incident
AFTER_LEARNING = ("preliminary_reported_on", "final_reported_on", "notified_on", "published_on")


def _incident(change: Change) -> Iterator[Problem]:
    values = change.values
    learned, today = values.get("learned_on"), clock.today()
    occurred = values.get("occurred_on")
    if occurred and learned and occurred > learned:
        yield Problem("occurred_on", _l("An incident cannot be learned of before it occurred."))
    for name in ("occurred_on", "learned_on", *AFTER_LEARNING):
        day = values.get(name)
        if day and day > today:
            yield Problem(name, _l("This day is in the future: record what has happened."))
        elif day and learned and name in AFTER_LEARNING and day < learned:
            yield Problem(name, _l("This cannot come before the day the company learned of the "
                                   "incident."))
    preliminary, final = values.get("preliminary_reported_on"), values.get("final_reported_on")
    if preliminary and final and final < preliminary:
        yield Problem("final_reported_on", _l("The final report comes after the preliminary "
                                              "one (or alone, when everything was known)."))


INCIDENTS = Description(
    Incident, key=("reference",), singular=Label("Incident", "漏えい等事案"),
    plural=Label("Incidents", "漏えい等事案"), rules=_incident,
    order_by=(Incident.reference,), series="INC-")
