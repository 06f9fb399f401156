"""What a valid request record is: days in their order and none in the future; a decision only
once the identity is verified (policy Art. 9); a refusal with its statutory ground; an answer
only with a decision; a fee only where the law allows one (APPI Art. 38)."""

from __future__ import annotations

from collections.abc import Iterator

from registry.core import clock
from registry.core.i18n import Label
from registry.core.i18n import lazy_gettext as _l
from registry.core.schema import Change, Description, Problem
from registry.rights.models import Decision, RequestKind, RightsRequest

#: the requests a fee may be charged for (APPI Art. 38(1): Arts. 32(2) and 33(1), (5))
FEE_ALLOWED = frozenset({RequestKind.PURPOSE_NOTICE, RequestKind.DISCLOSURE,
                         RequestKind.PROVISION_RECORDS})
REFUSING = (Decision.REFUSED, Decision.PARTLY)


def _request(change: Change) -> Iterator[Problem]:
    values = change.values
    received, today = values.get("received_on"), clock.today()
    for name in ("received_on", "verified_on", "responded_on"):
        day = values.get(name)
        if day and day > today:
            yield Problem(name, _l("This day is in the future: record what has happened."))
        elif day and received and name != "received_on" and day < received:
            yield Problem(name, _l("This cannot come before the day the request was received."))
    decision = values.get("decision") or Decision.PENDING
    if decision != Decision.PENDING and not (values.get("identity_document")
                                             and values.get("verified_on")):
        yield Problem("decision", _l("Decide only once the requester's identity is verified: "
                                     "record the document seen and the day."))
    if decision in REFUSING and not values.get("ground"):
        yield Problem("ground", _l("A refusal needs its ground: name the provision it rests on."))
    if values.get("responded_on") and decision == Decision.PENDING:
        yield Problem("responded_on", _l("An answer gives a decision: record it first."))
    if values.get("fee") and values.get("kind") not in FEE_ALLOWED:
        yield Problem("fee", _l("A fee may be charged only for a notice of the purposes of use "
                                "or a disclosure (APPI Art. 38)."))


REQUESTS = Description(
    RightsRequest, key=("reference",), singular=Label("Request", "開示等の請求"),
    plural=Label("Requests", "開示等の請求"), rules=_request,
    order_by=(RightsRequest.reference,), series="REQ-")
