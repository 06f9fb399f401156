"""Pages for individuals' requests: the list with its clocks, each request with its deadline and
the day from which a suit may follow, and the letter answering it."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template

from registry.core.entity import Column, DateRange, Entity, Filter
from registry.core.i18n import lazy_gettext as _l
from registry.rights import clocks, letters
from registry.rights.models import Decision, RequestKind, RightsRequest
from registry.rights.rules import REQUESTS

bp = Blueprint("rights", __name__)


def _context(request: RightsRequest) -> dict:
    return {"suit_from": clocks.suit_possible_from(request)}


requests = Entity(
    name="requests",
    description=REQUESTS,
    columns=[
        Column("reference", RightsRequest.reference, link=True),
        Column("kind", RightsRequest.kind),
        Column("channel", RightsRequest.channel),
        Column("received_on", RightsRequest.received_on),
        Column("decision", RightsRequest.decision),
        Column("due_on", label=_l("Answer due")),
        Column("responded_on", RightsRequest.responded_on),
        Column("overdue", label=_l("Overdue")),
    ],
    search=(RightsRequest.reference, RightsRequest.requester, RightsRequest.notes),
    filters=(
        Filter.on(RightsRequest.kind, "kind", _l("Kind of request"), RequestKind.choices),
        Filter.on(RightsRequest.decision, "decision", _l("Decision"), Decision.choices),
        Filter("open", _l("Not answered"), lambda: [("yes", _l("Not answered"))],
               lambda v: RightsRequest.responded_on.is_(None)),
        DateRange("received_on", REQUESTS.by_name["received_on"].label,
                  RightsRequest.received_on),
    ),
    default_sort="-received_on",
    detail_template="rights/detail.html",
    detail_context=_context,
)
requests.register(bp)



@bp.route("/requests/<int:id>/letter")
def letter_page(id: int):
    """The letter answering the request as it stands, from its template, to print or download."""
    request = requests.get_or_404(id)
    try:
        written, problem = letters.write(request), None
    except letters.TemplateError as error:
        written, problem = None, str(error)
    return render_template("rights/letter.html", obj=request, letter=written,
                           problem=problem)


@bp.route("/requests/<int:id>/letter.txt")
def letter_text(id: int):
    """The same letter as a text file, to finish in a word processor."""
    request = requests.get_or_404(id)
    try:
        text = letters.write(request).text
    except letters.TemplateError as error:
        abort(500, description=str(error))
    return Response(text, headers={
        "Content-Type": "text/plain; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{request.reference}-letter.txt"'})
