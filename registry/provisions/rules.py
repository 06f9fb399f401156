"""What a valid provision record is: days in their order and none in the future; a basis for a
provision or a receipt and none for a joint use or personally referable information; an opt-out
filed with the PPC and never for special care-required data (APPI Art. 27(2)); a joint use told
to the individuals in advance (Art. 27(5)(iii))."""

from __future__ import annotations

from collections.abc import Iterator

from registry.core import clock
from registry.core.i18n import Label
from registry.core.i18n import lazy_gettext as _l
from registry.core.schema import Change, Description, Problem
from registry.inventory.models import AppiKind, DataCategory
from registry.provisions.models import Basis, Provision, ProvisionKind

#: the kinds that rest on a basis of Art. 27
BASED = (ProvisionKind.PROVISION, ProvisionKind.RECEIPT)


def _provision(change: Change) -> Iterator[Problem]:
    values = change.values
    today = clock.today()
    for name in ("provided_on", "last_on", "confirmed_on"):
        day = values.get(name)
        if day and day > today:
            yield Problem(name, _l("This day is in the future: record what has happened."))
    first, last = values.get("provided_on"), values.get("last_on")
    if first and last and last < first:
        yield Problem("last_on", _l("The last day cannot come before the first."))
    kind, basis = values.get("kind"), values.get("basis")
    if kind in BASED and basis is None:
        yield Problem("basis", _l("Give the basis that allows it (APPI Art. 27)."))
    elif kind not in BASED and basis is not None:
        yield Problem("basis", _l("A joint use or personally referable information has no basis "
                                  "of provision: leave it empty."))
    if basis == Basis.OPT_OUT:
        if not values.get("ppc_filing"):
            yield Problem("ppc_filing", _l("An opt-out needs its filing with the PPC (APPI Art. "
                                           "27(2)): record it."))
        special = [key[0] for key in values.get("categories") or ()
                   if AppiKind.SPECIAL_CARE in change.world.values(
                       "data_categories", "appi_kind", name=key[0])]
        if special:
            yield Problem("categories", _l(
                "An opt-out never covers special care-required data (APPI Art. 27(2)): "
                "%(categories)s needs the individual's consent.", categories="、".join(special)))
    if kind == ProvisionKind.JOINT_USE and not values.get("announced"):
        yield Problem("announced", _l("A joint use needs the individuals told in advance of what "
                                      "is shared, with whom, for what and who answers for it "
                                      "(APPI Art. 27(5)(iii)): record how."))


PROVISIONS = Description(
    Provision, key=("reference",), singular=Label("Provision", "第三者提供等"),
    plural=Label("Provisions", "第三者提供等"), rules=_provision,
    order_by=(Provision.reference,), consults=(DataCategory,), series="PRV-")
