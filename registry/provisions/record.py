"""The record the law asks of a provision (APPI Arts. 29-31; PPC rules 19-21, 23-25, 27-30): which
provisions need one, the items each must hold, and how long it is kept. One table feeds the
record page, the list's filters and the catalogue's checks, in Python and in SQL alike.

Provisions under an exception of Art. 27(1), a business succession and a joint use (Art. 27(5))
need no record, nor does an entrustment, which is not a provision."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import current_app

from registry.provisions.models import Basis, Provision, ProvisionKind, RecordForm, provision_categories

#: the items each record holds beyond the third party and the day, by kind and basis (PPC rules
#: 20(1), 24(1), 28(1)); the personally referable information's confirmation comes before it is given
ITEMS: dict[tuple[ProvisionKind, Basis | None], tuple[str, ...]] = {
    (ProvisionKind.PROVISION, Basis.CONSENT): ("consent", "individuals", "categories"),
    (ProvisionKind.PROVISION, Basis.OPT_OUT): ("counterparty_address", "individuals", "categories"),
    (ProvisionKind.RECEIPT, Basis.CONSENT): ("consent", "counterparty_address", "acquisition",
                                            "confirmed_on", "individuals", "categories"),
    (ProvisionKind.RECEIPT, Basis.OPT_OUT): ("ppc_filing", "counterparty_address", "acquisition",
                                            "confirmed_on", "individuals", "categories"),
    (ProvisionKind.REFERABLE, None): ("consent", "confirmed_on", "categories"),
}


def recorded(provision: Provision) -> bool:
    """Whether the law asks for a record of it."""
    return (provision.kind, provision.basis) in ITEMS


def missing(provision: Provision) -> list[str]:
    """The names of the items its record lacks; a confirmation made after the provision counts as
    missing (Art. 31 asks for it beforehand)."""
    lacking = [name for name in ITEMS.get((provision.kind, provision.basis), ())
               if not getattr(provision, name)]
    if (provision.kind == ProvisionKind.REFERABLE and provision.confirmed_on
            and provision.confirmed_on > provision.provided_on):
        lacking.append("confirmed_on")
    return lacking


def _empty(name: str) -> sa.ColumnElement[bool]:
    if name == "categories":
        return ~sa.exists().where(provision_categories.c.provision_id == Provision.id)
    column = getattr(Provision, name)
    return column.is_(None) if name == "confirmed_on" else column == ""


def _is(kind: ProvisionKind, basis: Basis | None) -> sa.ColumnElement[bool]:
    return sa.and_(Provision.kind == kind,
                   Provision.basis.is_(None) if basis is None else Provision.basis == basis)


def incomplete() -> sa.ColumnElement[bool]:
    """SQL: the record the law asks for lacks an item (as ``missing``)."""
    late = sa.and_(Provision.kind == ProvisionKind.REFERABLE,
                   Provision.confirmed_on > Provision.provided_on)
    return sa.or_(late, *(sa.and_(_is(kind, basis), sa.or_(*map(_empty, items)))
                          for (kind, basis), items in ITEMS.items()))


def needs_record() -> sa.ColumnElement[bool]:
    """SQL: the law asks for a record (as ``recorded``)."""
    return sa.or_(*(_is(kind, basis) for kind, basis in ITEMS))


def _years() -> dict[str, int]:
    return current_app.config["PROVISION_RECORD_YEARS"]


def _years_later(day: date, years: int) -> date:
    """The same day so many years later (earlier, when negative); 29 February falls on the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def kept_until(provision: Provision) -> date | None:
    """The last day its record must be kept (None: no record is asked for): a year after the last
    provision when the contract serves as the record (PPC rule 21(1)(i)), three otherwise; both
    are REGISTRY_PROVISION_RECORD_YEARS."""
    if not recorded(provision):
        return None
    years = _years()["contract" if provision.record_form == RecordForm.CONTRACT else "other"]
    return _years_later(provision.last_on or provision.provided_on, years)


def retention_ended(on: date) -> sa.ColumnElement[bool]:
    """SQL: the record's keeping ended before the day (it may now be deleted)."""
    last = sa.func.coalesce(Provision.last_on, Provision.provided_on)
    years = _years()
    contract = Provision.record_form == RecordForm.CONTRACT
    return sa.and_(needs_record(), sa.or_(
        sa.and_(contract, last < _years_later(on, -years["contract"])),
        sa.and_(~contract, last < _years_later(on, -years["other"]))))
