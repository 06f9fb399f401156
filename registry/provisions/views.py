"""Pages for provisions, receipts and joint uses: the list with the record's state, and each with
the items its record lacks and how long it is kept."""

from __future__ import annotations

from flask import Blueprint

from registry.core import clock
from registry.core.entity import Column, DateRange, Entity, Filter
from registry.core.i18n import lazy_gettext as _l
from registry.provisions import record
from registry.provisions.models import Basis, Provision, ProvisionKind
from registry.provisions.rules import PROVISIONS

bp = Blueprint("provisions", __name__)


def _context(provision: Provision) -> dict:
    return {"recorded": record.recorded(provision),
            "lacks": [PROVISIONS.by_name[name].label for name in record.missing(provision)]}


provisions = Entity(
    name="provisions",
    description=PROVISIONS,
    columns=[
        Column("reference", Provision.reference, link=True),
        Column("kind", Provision.kind),
        Column("basis", Provision.basis),
        Column("counterparty", Provision.counterparty),
        Column("country", Provision.country),
        Column("provided_on", Provision.provided_on),
        Column("kept_until", label=_l("Record kept until")),
    ],
    search=(Provision.reference, Provision.counterparty, Provision.notes),
    filters=(
        Filter.on(Provision.kind, "kind", PROVISIONS.by_name["kind"].label, ProvisionKind.choices),
        Filter.on(Provision.basis, "basis", PROVISIONS.by_name["basis"].label, Basis.choices),
        Filter("record", _l("State of the record"), lambda: [("incomplete", _l("Lacks an item")),
                                                ("ended", _l("Keeping ended"))],
               lambda v: record.incomplete() if v == "incomplete"
               else record.retention_ended(clock.today())),
        DateRange("provided_on", PROVISIONS.by_name["provided_on"].label, Provision.provided_on),
    ),
    default_sort="-provided_on",
    detail_template="provisions/detail.html",
    detail_context=_context,
)
provisions.register(bp)
