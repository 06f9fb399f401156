"""Pages for purposes, data categories, their links, and the purpose x category matrix."""

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from sqlalchemy import orm as so

from registry.consignees import handling
from registry.consignees.models import Consignee, Entrustment, entrustment_categories
from registry.core.entity import Column, DateRange, Dependent, Entity, Filter, RecordFilter
from registry.core.i18n import lazy_gettext as _l
from registry.extensions import db
from registry.inventory import matrix as matrix_service
from registry.inventory.models import (
    AppiKind,
    DataCategory,
    Purpose,
    PurposeCategory,
    PurposeStatus,
)
from registry.inventory.rules import CATEGORIES, LINKS, PURPOSES
from registry.people.models import AccessGrant

bp = Blueprint("inventory", __name__)


def _purpose_context(purpose: Purpose) -> dict:
    links = db.session.scalars(
        sa.select(PurposeCategory)
        .where(PurposeCategory.purpose_id == purpose.id)
        .join(PurposeCategory.category)
        .options(so.contains_eager(PurposeCategory.category))
        .order_by(DataCategory.name)
    ).all()
    return {"links": links}


def _category_context(category: DataCategory) -> dict:
    links = db.session.scalars(
        sa.select(PurposeCategory)
        .where(PurposeCategory.category_id == category.id)
        .join(PurposeCategory.purpose)
        .options(so.contains_eager(PurposeCategory.purpose))
        .order_by(Purpose.code)
    ).all()
    grants = db.session.scalar(
        sa.select(sa.func.count()).where(
            AccessGrant.category_id == category.id, AccessGrant.revoked_on.is_(None)
        )
    )
    return {"links": links, "active_grants": grants} | handling.category_handling(category.id)


#: the joins from a purpose to the data categories it uses
_PURPOSE_CATEGORIES = ((PurposeCategory, PurposeCategory.purpose_id == Purpose.id),
                       (DataCategory, DataCategory.id == PurposeCategory.category_id))
#: the filter by a data category's kind under the APPI (of the list's rows or linked ones)
APPI_KIND = Filter.on(DataCategory.appi_kind, "appi_kind", _l("Kind under the APPI"),
                      AppiKind.choices)


def _using(*where: sa.ColumnElement) -> sa.ColumnElement[bool]:
    """The purpose uses a data category matching the clauses."""
    return Purpose.id.in_(sa.select(PurposeCategory.purpose_id)
                          .join(DataCategory, DataCategory.id == PurposeCategory.category_id)
                          .where(*where))


purposes = Entity(
    name="purposes",
    description=PURPOSES,
    columns=[
        Column("code", Purpose.code, link=True),
        Column("title", Purpose.title),
        Column("legal_basis", Purpose.legal_basis),
        Column("status", Purpose.status),
    ],
    search=(Purpose.code, Purpose.title, Purpose.description, Purpose.legal_basis),
    filters=(
        Filter.on(Purpose.status, "status", _l("Status"), PurposeStatus.choices),
        Filter("kind", _l("Data used"), AppiKind.choices,
               lambda v: _using(DataCategory.appi_kind == v),
               value=lambda: DataCategory.appi_kind, through=_PURPOSE_CATEGORIES),
        RecordFilter("category", _l("Data category"), DataCategory,
                     lambda v: _using(DataCategory.id == int(v)),
                     value=lambda: DataCategory.id, name=lambda: DataCategory.name,
                     through=_PURPOSE_CATEGORIES),
    ),
    default_sort="code",
    dependents=(
        Dependent(_l("Data categories used"), PurposeCategory,
                  lambda p: PurposeCategory.purpose_id == p.id),
        Dependent(_l("Entrustments"), Entrustment, lambda p: Entrustment.purpose_id == p.id),
    ),
    detail_template="inventory/purpose_detail.html",
    detail_context=_purpose_context,
)

categories = Entity(
    name="categories",
    description=CATEGORIES,
    columns=[
        Column("name", DataCategory.name, link=True),
        Column("appi_kind", DataCategory.appi_kind),
        Column("data_subjects", DataCategory.data_subjects),
        Column("storage_location", DataCategory.storage_location),
        Column("retention_period", DataCategory.retention_period),
        Column("estimated_records", DataCategory.estimated_records),
    ],
    search=(DataCategory.name, DataCategory.data_subjects, DataCategory.source,
            DataCategory.storage_location),
    filters=(
        APPI_KIND,
        Filter("location", _l("Handed to consignees"), handling.locations,
               lambda v: handling.handed_to(handling.location(v)),
               value=handling.located, through=handling.CONSIGNEE_JOINS),
        Filter("country", _l("Country of the consignees"), None,
               lambda v: handling.handed_to(Consignee.country == v),
               value=lambda: Consignee.country, through=handling.CONSIGNEE_JOINS),
        RecordFilter("purpose", _l("Purpose of use"), Purpose,
                     lambda v: DataCategory.id.in_(sa.select(PurposeCategory.category_id)
                                                   .where(PurposeCategory.purpose_id == int(v))),
                     value=lambda: Purpose.id, name=lambda: Purpose.code,
                     through=((PurposeCategory, PurposeCategory.category_id == DataCategory.id),
                              (Purpose, Purpose.id == PurposeCategory.purpose_id))),
    ),
    default_sort="name",
    dependents=(
        Dependent(_l("Purposes using it"), PurposeCategory,
                  lambda c: PurposeCategory.category_id == c.id),
        Dependent(_l("Entrustments"), entrustment_categories,
                  lambda c: entrustment_categories.c.category_id == c.id),
        Dependent(_l("Access grants"), AccessGrant, lambda c: AccessGrant.category_id == c.id),
    ),
    detail_template="inventory/category_detail.html",
    detail_context=_category_context,
)

links = Entity(
    name="purpose_categories",
    description=LINKS,
    columns=[
        Column("purpose", Purpose.code, link=True),
        Column("category", DataCategory.name),
        Column("reason", PurposeCategory.reason),
        Column("since", PurposeCategory.since),
    ],
    search=(Purpose.code, Purpose.title, DataCategory.name, PurposeCategory.reason),
    filters=(
        APPI_KIND,
        RecordFilter("purpose", _l("Purpose of use"), Purpose,
                     lambda v: PurposeCategory.purpose_id == int(v),
                     value=lambda: Purpose.id, name=lambda: Purpose.code),
        RecordFilter("category", _l("Data category"), DataCategory,
                     lambda v: PurposeCategory.category_id == int(v),
                     value=lambda: DataCategory.id, name=lambda: DataCategory.name),
        Filter.on(Purpose.status, "status", _l("Status of the purpose"), PurposeStatus.choices),
        DateRange("since", LINKS.by_name["since"].label, PurposeCategory.since),
    ),
    default_sort="purpose",
    joins=(PurposeCategory.purpose, PurposeCategory.category),
    dependents=(
        Dependent(_l("Entrustments handing this category over for the purpose"), Entrustment,
                  lambda link: sa.and_(
                      Entrustment.purpose_id == link.purpose_id,
                      Entrustment.id.in_(sa.select(entrustment_categories.c.entrustment_id).where(
                          entrustment_categories.c.category_id == link.category_id)))),
    ),
)

for entity in (purposes, categories, links):
    entity.register(bp)


@bp.route("/matrix")
def matrix():
    """Which purposes use which categories, a page of each at a time."""
    grid = matrix_service.build(request.args)
    return render_template("inventory/matrix.html", grid=grid, appi_kinds=AppiKind.choices())
