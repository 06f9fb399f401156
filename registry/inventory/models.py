"""Purposes of use (policy Art. 2), data categories, and the purpose x category link."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.core.i18n import lazy_gettext as _l
from registry.core.model import Choice, Record, choice_column
from registry.extensions import db


class PurposeStatus(Choice):
    """Whether a purpose of use is in force."""

    ACTIVE = "active", _l("In use")
    DRAFT = "draft", _l("Draft")
    RETIRED = "retired", _l("Retired")


class AppiKind(Choice):
    """The kind of information under the APPI."""

    PERSONAL = "personal", _l("Personal information")
    SPECIAL_CARE = "special_care", _l("Special care-required personal information")
    IDENTIFICATION_CODE = "identification_code", _l("Individual identification code")
    PERSONALLY_REFERABLE = "personally_referable", _l("Personally referable information")
    PSEUDONYMIZED = "pseudonymized", _l("Pseudonymously processed information")
    ANONYMIZED = "anonymized", _l("Anonymously processed information")


class Purpose(Record, db.Model):
    """A purpose of use of personal information, as published in the privacy policy."""

    __tablename__ = "purposes"

    #: short stable code, the natural key (e.g. P01)
    code: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    #: the purpose as published
    title: so.Mapped[str] = so.mapped_column(sa.String(255))
    #: what the purpose covers in practice
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: legal basis or policy article (e.g. "Policy Art. 2 (1)")
    legal_basis: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    #: in use, draft or retired
    status: so.Mapped[PurposeStatus] = choice_column(PurposeStatus, default=PurposeStatus.ACTIVE)

    category_links: so.Mapped[list[PurposeCategory]] = so.relationship(back_populates="purpose")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class DataCategory(Record, db.Model):
    """A category of personal information the company holds (an entry of the 個人情報管理台帳)."""

    __tablename__ = "data_categories"

    #: the category's name, the natural key
    name: so.Mapped[str] = so.mapped_column(sa.String(128), unique=True)
    #: kind under the APPI (special care-required, personally referable ...)
    appi_kind: so.Mapped[AppiKind] = choice_column(AppiKind, default=AppiKind.PERSONAL)
    #: whose information it is (users, inquirers, employees ...)
    data_subjects: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    #: where it comes from (circumstances of acquisition)
    source: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    #: where and how it is stored
    storage_location: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    #: how long it is kept; empty when not yet decided
    retention_period: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    #: estimated number of records (persons)
    estimated_records: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)

    purpose_links: so.Mapped[list[PurposeCategory]] = so.relationship(back_populates="category")

    def __str__(self) -> str:
        return self.name

    @property
    def special_care(self) -> bool:
        return self.appi_kind == AppiKind.SPECIAL_CARE


class PurposeCategory(Record, db.Model):
    """A purpose's use of a data category: why it is needed and since when."""

    __tablename__ = "purpose_categories"
    __table_args__ = (sa.UniqueConstraint("purpose_id", "category_id"),)

    #: the purpose that uses the category
    purpose_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("purposes.id"))
    #: the category used
    category_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("data_categories.id"), index=True)
    #: why the purpose needs this category
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: since when the purpose uses it
    since: so.Mapped[date | None]

    purpose: so.Mapped[Purpose] = so.relationship(back_populates="category_links")
    category: so.Mapped[DataCategory] = so.relationship(back_populates="purpose_links")

    def __str__(self) -> str:
        return f"{self.purpose.code} × {self.category.name}"
