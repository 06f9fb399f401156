"""What a valid consignee, certification, entrustment and contract are (APPI Arts. 25, 28)."""

from __future__ import annotations

from collections.abc import Iterator

from registry.consignees.identifiers import DESIGNATED_COUNTRIES
from registry.consignees.models import (
    Certification,
    Consignee,
    Contract,
    CrossBorderBasis,
    Entrustment,
)
from registry.core.i18n import Label
from registry.core.i18n import lazy_gettext as _l
from registry.core.schema import Change, Description, Problem
from registry.inventory.models import PurposeCategory

#: how far up a re-entrustment chain is followed (a longer one is refused as a loop)
CHAIN_LIMIT = 50


def period(change: Change) -> Iterator[Problem]:
    """An end on or after the start."""
    start, end = change.values.get("start_on"), change.values.get("end_on")
    if start and end and end < start:
        yield Problem("end_on", _l("The end date is before the start date."))


def _consignee(change: Change) -> Iterator[Problem]:
    values = change.values
    country, basis = values.get("country"), values.get("cross_border_basis")
    if country == "JP" and basis not in (None, CrossBorderBasis.NOT_APPLICABLE):
        yield Problem("cross_border_basis", _l(
            "A consignee in Japan needs no cross-border basis: leave it empty or choose “Not "
            "applicable (handled in Japan)”."))
    elif country != "JP" and basis == CrossBorderBasis.NOT_APPLICABLE:
        yield Problem("cross_border_basis", _l(
            "The data is handled abroad (%(country)s), so “Not applicable (handled in Japan)” "
            "cannot be its basis: choose the Art. 28 basis, or leave it empty until it is known.",
            country=country))
    elif basis == CrossBorderBasis.ADEQUATE_COUNTRY and country not in DESIGNATED_COUNTRIES:
        yield Problem("cross_border_basis", _l(
            "%(country)s is not a country the PPC designates (the EEA and the UK): choose "
            "consent or a conforming system.", country=country))
    if values.get("parent") is not None and _loops(change):
        yield Problem("parent", _l("A consignee cannot re-entrust to itself, even indirectly."))


def _loops(change: Change) -> bool:
    """Whether following the parents from this consignee comes back to it."""
    itself = (change.values["name"], change.values["country"])
    current, seen = change.values["parent"], {itself}
    if change.before is not None:
        seen.add((change.before["name"], change.before["country"]))
    for _ in range(CHAIN_LIMIT):
        if current is None:
            return False
        if current in seen:
            return True
        seen.add(current)
        parents = change.world.values("consignees", "parent", name=current[0], country=current[1])
        current = next(iter(parents), None)
    return True


def _entrustment(change: Change) -> Iterator[Problem]:
    yield from period(change)
    purpose, categories = change.values.get("purpose"), change.values.get("categories")
    if purpose and categories:
        used = change.world.values("purpose_categories", "category", purpose=purpose)
        beyond = [key[0] for key in categories if key not in used]
        if beyond:
            yield Problem("categories", _l(
                "The purpose %(purpose)s does not use %(categories)s: link the categories to the "
                "purpose first (Purpose × category), or choose the purpose that uses them.",
                purpose=purpose[0], categories="、".join(beyond)))


CONSIGNEES = Description(
    Consignee, key=("name", "country"), singular=Label("Consignee", "委託先"),
    plural=Label("Consignees", "委託先"), rules=_consignee,
    order_by=(Consignee.name, Consignee.country))

CERTIFICATIONS = Description(
    Certification, key=("consignee", "scheme", "number"),
    singular=Label("Certification", "認証"), plural=Label("Certifications", "認証"))

ENTRUSTMENTS = Description(
    Entrustment, key=("reference",), singular=Label("Entrustment", "委託業務"),
    plural=Label("Entrustments", "委託業務"), rules=_entrustment,
    order_by=(Entrustment.reference,), consults=(PurposeCategory,), series="ENT-")

CONTRACTS = Description(
    Contract, key=("reference",), singular=Label("Contract", "契約"),
    plural=Label("Contracts", "契約"), rules=period, order_by=(Contract.reference,),
    series="CON-")
