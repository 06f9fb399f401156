"""Who handles which data categories, and where: the consignees that entrustments hand them to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from registry.consignees.models import (
    Consignee,
    Contract,
    CrossBorderBasis,
    Entrustment,
    entrustment_categories,
)
from registry.core import memo
from registry.core.i18n import lazy_gettext as _l
from registry.core.model import Choice
from registry.extensions import db
from registry.inventory.models import AppiKind, DataCategory, Purpose

#: how many of a category's entrustments its page lists before linking to the full list
SECTION_LIMIT = 100

_CATEGORY = sa.bindparam("category")
_HANDED_OVER = sa.and_(entrustment_categories.c.entrustment_id == Entrustment.id,
                       entrustment_categories.c.category_id == _CATEGORY)
#: the entrustments handing a category over, with their consignee and purpose, as plain rows
_CATEGORY_ENTRUSTMENTS = (
    sa.select(Entrustment.id, Entrustment.reference, Entrustment.work, Entrustment.start_on,
              Entrustment.end_on, Entrustment.consignee_id, Consignee.label.label("consignee"),
              Entrustment.purpose_id, Purpose.code.label("purpose_code"),
              Purpose.title.label("purpose_title"))
    .join(entrustment_categories, _HANDED_OVER)
    .join(Consignee, Consignee.id == Entrustment.consignee_id)
    .join(Purpose, Purpose.id == Entrustment.purpose_id)
    .order_by(Entrustment.reference).limit(SECTION_LIMIT))
#: the consignees those entrustments hand it to, where they handle it, and by how many entrustments
_CATEGORY_CONSIGNEES = (
    sa.select(Consignee.id, Consignee.label.label("label"), Consignee.country,
              Consignee.cross_border_basis, sa.func.count(Entrustment.id).label("entrustments"))
    .select_from(Entrustment).join(entrustment_categories, _HANDED_OVER)
    .join(Consignee, Consignee.id == Entrustment.consignee_id)
    .group_by(Consignee.id, Consignee.name, Consignee.country, Consignee.cross_border_basis)
    .order_by(Consignee.name, Consignee.country))


def category_handling(category_id: int) -> dict:
    """A category's entrustments (the first SECTION_LIMIT) and all the consignees they hand it
    to, each with its country and entrustment count: two statements whatever the numbers."""
    connection = db.session.connection()
    return {
        "entrustments": connection.execute(_CATEGORY_ENTRUSTMENTS, {"category": category_id}).all(),
        "consignees": connection.execute(_CATEGORY_CONSIGNEES, {"category": category_id}).all(),
        "limit": SECTION_LIMIT,
    }


class EntrustmentState(Choice):
    """Where an entrustment's period stands on a day (from its dates, not stored)."""

    UPCOMING = "upcoming", "Not yet started", "開始前"
    ACTIVE = "active", "In progress", "実施中"
    ENDED = "ended", "Ended", "終了"


def entrustment_state(on: date) -> sa.ColumnElement[str]:
    """The entrustment's EntrustmentState value on the day."""
    return sa.case((Entrustment.end_on < on, EntrustmentState.ENDED.value),
                   (Entrustment.start_on > on, EntrustmentState.UPCOMING.value),
                   else_=EntrustmentState.ACTIVE.value)


def entrustment_in(state: str, on: date) -> sa.ColumnElement[bool]:
    """The entrustments in the state on the day: entrustment_state's cases as ranges of their
    dates, which the dates' indexes serve (a list filtered by state reads only those rows)."""
    not_ended = sa.or_(Entrustment.end_on.is_(None), Entrustment.end_on >= on)
    if state == EntrustmentState.ENDED.value:
        return Entrustment.end_on < on
    if state == EntrustmentState.UPCOMING.value:
        return sa.and_(Entrustment.start_on > on, not_ended)
    return sa.and_(not_ended, sa.or_(Entrustment.start_on.is_(None), Entrustment.start_on <= on))


class ContractState(Choice):
    """Where a contract stands on a day (from its dates and renewal, not stored)."""

    UPCOMING = "upcoming", "Not yet in force", "発効前"
    IN_FORCE = "in_force", "In force", "有効"
    ENDED = "ended", "Ended", "終了"


def contract_state(on: date) -> sa.ColumnElement[str]:
    """The contract's ContractState value on the day (one renewing itself has not ended)."""
    return sa.case((sa.and_(Contract.end_on < on, Contract.auto_renewal.is_(False)),
                    ContractState.ENDED.value),
                   (Contract.start_on > on, ContractState.UPCOMING.value),
                   else_=ContractState.IN_FORCE.value)


def contract_in(state: str, on: date) -> sa.ColumnElement[bool]:
    """The contracts in the state on the day: contract_state's cases as ranges of their dates,
    which the dates' indexes serve (a list filtered by state reads only those rows)."""
    ended = sa.and_(Contract.end_on < on, Contract.auto_renewal.is_(False))
    if state == ContractState.ENDED.value:
        return ended
    not_ended = sa.or_(Contract.end_on.is_(None), Contract.end_on >= on,
                       Contract.auto_renewal.is_not(False))
    if state == ContractState.UPCOMING.value:
        return sa.and_(Contract.start_on > on, not_ended)
    return sa.and_(not_ended, sa.or_(Contract.start_on.is_(None), Contract.start_on <= on))


def locations() -> list[tuple[str, object]]:
    """Where a consignee handles the data: the choices of the location filters."""
    return [("domestic", _l("Japan")), ("foreign", _l("Foreign"))]


def location(value: str) -> sa.ColumnElement[bool]:
    """The consignee handles the data in Japan (domestic) or abroad (foreign)."""
    return (Consignee.country == "JP") if value == "domestic" else (Consignee.country != "JP")


def located() -> sa.ColumnElement[str]:
    """The consignee's location: domestic or foreign."""
    return sa.case((Consignee.country == "JP", "domestic"), else_="foreign")


def handed_to(*where: sa.ColumnElement) -> sa.ColumnElement[bool]:
    """The data category is handed over by an entrustment to a consignee matching the clauses:
    each category probes its entrustments through the index and stops at the first that does
    (OFFSET 0 keeps PostgreSQL from joining every entrustment of every category to find out)."""
    return sa.select(1).select_from(entrustment_categories) \
        .join(Entrustment, Entrustment.id == entrustment_categories.c.entrustment_id) \
        .join(Consignee, Consignee.id == Entrustment.consignee_id) \
        .where(entrustment_categories.c.category_id == DataCategory.id, *where) \
        .offset(0).correlate(DataCategory).exists()


#: the joins from a data category to the consignees its entrustments hand it to
CONSIGNEE_JOINS = (
    (entrustment_categories, entrustment_categories.c.category_id == DataCategory.id),
    (Entrustment, Entrustment.id == entrustment_categories.c.entrustment_id),
    (Consignee, Consignee.id == Entrustment.consignee_id))


def handing_over(*where: sa.ColumnElement) -> sa.ColumnElement[bool]:
    """The entrustment hands over a data category matching the clauses."""
    return Entrustment.id.in_(
        sa.select(entrustment_categories.c.entrustment_id)
        .join(DataCategory, DataCategory.id == entrustment_categories.c.category_id).where(*where))


#: the share of the data categories of a kind above which an entrustment is better asked one by one
#: whether it hands one over (most of them do) than looked up among that kind's entrustments
COMMON_KIND = 0.5


def kind_shares() -> dict[str, float]:
    """The share of the data categories of each kind, remembered until they change."""
    def shares() -> dict[str, float]:
        counts = dict(db.session.execute(sa.select(DataCategory.appi_kind, sa.func.count())
                                         .group_by(DataCategory.appi_kind)).all())
        return {kind: count / sum(counts.values()) for kind, count in counts.items()}

    return memo.remembered_reading(("kind_shares",), shares)


def handing_over_kind(kind: str) -> sa.ColumnElement[bool]:
    """The entrustment hands over a data category of the kind, in the form that suits how common
    the kind is: for a rare kind the entrustments of its few categories, gathered once through the
    (category, entrustment) index; for a common one a probe of each entrustment's categories that
    stops at the first of the kind, so a page or a capped count stops after as many entrustments
    as it needs (OFFSET 0 keeps PostgreSQL from hashing every entrustment's categories first)."""
    if kind_shares().get(kind, 0) <= COMMON_KIND:
        return handing_over(DataCategory.appi_kind == kind)
    return sa.select(1).select_from(entrustment_categories) \
        .join(DataCategory, DataCategory.id == entrustment_categories.c.category_id) \
        .where(entrustment_categories.c.entrustment_id == Entrustment.id,
               DataCategory.appi_kind == kind) \
        .offset(0).correlate(Entrustment).exists()


#: the joins from an entrustment to the data categories it hands over
CATEGORY_JOINS = ((entrustment_categories, entrustment_categories.c.entrustment_id == Entrustment.id),
                  (DataCategory, DataCategory.id == entrustment_categories.c.category_id))


def not_ended(on: date) -> sa.ColumnElement[bool]:
    """The entrustment has not ended by the day (it goes on, or has yet to start)."""
    return sa.or_(Entrustment.end_on.is_(None), Entrustment.end_on >= on)


@dataclass
class SpecialCareHandler:
    """A consignee receiving special care-required data: which categories, by which entrustments."""

    consignee_id: int
    consignee: str
    #: (id, name) of the special care-required categories it receives
    categories: dict[int, str] = field(default_factory=dict)
    #: (id, reference) of the entrustments that hand them over
    entrustments: dict[int, str] = field(default_factory=dict)


def _special_care_handed(on: date) -> sa.Select:
    """Entrustments not ended by the day handing special care-required data to a consignee."""
    return (sa.select(Consignee.id).select_from(Entrustment)
            .join(entrustment_categories, entrustment_categories.c.entrustment_id == Entrustment.id)
            .join(DataCategory, DataCategory.id == entrustment_categories.c.category_id)
            .join(Consignee, Consignee.id == Entrustment.consignee_id)
            .where(DataCategory.appi_kind == AppiKind.SPECIAL_CARE, not_ended(on)))


def special_care_by_consignee(on: date, limit: int) -> tuple[list[SpecialCareHandler], int]:
    """The first consignees by name (up to limit) that entrustments not ended by the day hand
    special care-required data to, and how many there are."""
    handed = _special_care_handed(on)
    consignees = handed.subquery()
    count = db.session.scalar(sa.select(sa.func.count(sa.distinct(consignees.c.id))))
    first = (handed.with_only_columns(Consignee.id, Consignee.name, Consignee.country).distinct()
             .order_by(Consignee.name, Consignee.country).limit(limit).subquery())
    rows = db.session.execute(
        handed.with_only_columns(Consignee.id, Consignee.label, DataCategory.id, DataCategory.name,
                                 Entrustment.id, Entrustment.reference)
        .where(Consignee.id.in_(sa.select(first.c.id)))
        .order_by(Consignee.name, Consignee.country, DataCategory.name, Entrustment.reference))
    handlers: dict[int, SpecialCareHandler] = {}
    for consignee_id, consignee, category_id, category, entrustment_id, reference in rows:
        handler = handlers.setdefault(consignee_id, SpecialCareHandler(consignee_id, consignee))
        handler.categories[category_id] = category
        handler.entrustments[entrustment_id] = reference
    return list(handlers.values()), count


@dataclass
class AbroadRow:
    """The consignees in one foreign country handling data on one Art. 28 basis (None: not recorded)."""

    country: str
    basis: CrossBorderBasis | None
    #: how many consignees there are
    count: int = 0
    #: (id, label) of the first of them by name
    consignees: list[tuple[int, str]] = field(default_factory=list)


def abroad_by_country(on: date, limit: int) -> list[AbroadRow]:
    """The foreign consignees that entrustments not ended by the day hand data to, by country and
    cross-border basis: how many, and the first by name (up to limit in each)."""
    handed = sa.select(Entrustment.id).where(Entrustment.consignee_id == Consignee.id, not_ended(on))
    group = (Consignee.country, Consignee.cross_border_basis)
    ranked = (sa.select(Consignee.id, Consignee.label.label("label"), *group,
                        sa.func.row_number().over(partition_by=group,
                                                  order_by=(Consignee.name, Consignee.id))
                        .label("position"),
                        sa.func.count().over(partition_by=group).label("count"))
              .where(Consignee.country != "JP", handed.exists()).subquery())
    basis = ranked.c.cross_border_basis
    rows = db.session.execute(
        sa.select(ranked.c.id, ranked.c.label, ranked.c.country, basis, ranked.c.count)
        .where(ranked.c.position <= limit)
        .order_by(ranked.c.country, basis.is_not(None), basis, ranked.c.position))
    grouped: dict[tuple, AbroadRow] = {}
    for consignee_id, consignee, country, basis_value, count in rows:
        row = grouped.setdefault((country, basis_value), AbroadRow(country, basis_value, count))
        row.consignees.append((consignee_id, consignee))
    return list(grouped.values())
