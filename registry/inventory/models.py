"""Purposes of use (policy Art. 2), data categories, and the purpose x category link."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.core.i18n import lazy_gettext as _l
from registry.core.model import Choice, Record, choice_column
from registry.core.schema import describe
from registry.extensions import db

#: the label of a field naming a data category
DATA_CATEGORY = ("Data category", "個人情報項目")


class PurposeStatus(Choice):
    """Whether a purpose of use is in force."""

    ACTIVE = "active", "In use", "利用中", "有効", "使用中"
    DRAFT = "draft", "Draft", "下書き"
    RETIRED = "retired", "Retired", "廃止", "廃止済", "終了"


class AppiKind(Choice):
    """The kind of information under the APPI."""

    PERSONAL = "personal", "Personal information", "個人情報"
    SPECIAL_CARE = "special_care", "Special care-required personal information", "要配慮個人情報"
    IDENTIFICATION_CODE = "identification_code", "Individual identification code", "個人識別符号"
    PERSONALLY_REFERABLE = "personally_referable", "Personally referable information", "個人関連情報"
    PSEUDONYMIZED = "pseudonymized", "Pseudonymously processed information", "仮名加工情報"
    ANONYMIZED = "anonymized", "Anonymously processed information", "匿名加工情報"


def category_name(value: str):
    """A category name cannot hold the characters that separate names in a workbook list."""
    if set(value) & LIST_CHARACTERS:
        return _l("A category name cannot contain ; 、 or a line break (they separate names in "
                  "workbook lists).")
    return None


#: what separates the names in a list cell (an entrustment's categories)
LIST_CHARACTERS = frozenset(";；、\n")


class Purpose(Record, db.Model):
    """A purpose of use of personal information, as published in the privacy policy."""

    __tablename__ = "purposes"

    #: short stable code, the natural key (e.g. P01)
    code: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True, info=describe(
        "Code", "コード", code=True, width=10, synonyms=("purpose code", "目的コード", "番号")))
    #: the purpose as published
    title: so.Mapped[str] = so.mapped_column(sa.String(255), info=describe(
        "Purpose of use", "利用目的", width=50, synonyms=("title", "目的")))
    #: what the purpose covers in practice
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="", info=describe(
        "Description", "説明", width=40, synonyms=("内容",)))
    #: legal basis or policy article (e.g. "Policy Art. 2 (1)")
    legal_basis: so.Mapped[str] = so.mapped_column(sa.String(255), default="", info=describe(
        "Legal basis / policy article", "根拠（法令・規程の条項）", width=24,
        synonyms=("Legal basis", "根拠", "policy article")))
    #: in use, draft or retired
    status: so.Mapped[PurposeStatus] = choice_column(PurposeStatus, default=PurposeStatus.ACTIVE,
                                                     info=describe("Status", "状態"))

    category_links: so.Mapped[list[PurposeCategory]] = so.relationship(back_populates="purpose")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class DataCategory(Record, db.Model):
    """A category of personal information the company holds (an entry of the 個人情報管理台帳)."""

    __tablename__ = "data_categories"
    __table_args__ = (
        sa.CheckConstraint("estimated_records IS NULL OR estimated_records >= 0",
                           name="records_not_negative"),
    )

    #: the category's name, the natural key
    name: so.Mapped[str] = so.mapped_column(sa.String(128), unique=True, info=describe(
        "Name", "項目名", width=24, check=category_name,
        synonyms=("名称", "category", "data category", "個人情報の項目", "項目")))
    #: kind under the APPI (special care-required, personally referable ...)
    appi_kind: so.Mapped[AppiKind] = choice_column(AppiKind, default=AppiKind.PERSONAL, info=describe(
        "Kind under the APPI", "個人情報保護法上の区分", width=28, synonyms=("法上の区分",)))
    #: whose information it is (users, inquirers, employees ...)
    data_subjects: so.Mapped[str] = so.mapped_column(sa.String(255), default="", info=describe(
        "Data subjects", "本人の区分", width=20))
    #: where it comes from (circumstances of acquisition)
    source: so.Mapped[str] = so.mapped_column(sa.String(255), default="", info=describe(
        "Source (how acquired)", "取得元（取得の経緯）", width=20,
        synonyms=("Source", "取得元", "取得方法")))
    #: where and how it is stored
    storage_location: so.Mapped[str] = so.mapped_column(sa.String(255), default="", info=describe(
        "Storage location", "保管場所", width=20))
    #: how long it is kept; empty when not yet decided
    retention_period: so.Mapped[str] = so.mapped_column(sa.String(255), default="", info=describe(
        "Retention period", "保存期間", width=18))
    #: estimated number of records (persons)
    estimated_records: so.Mapped[int | None] = so.mapped_column(sa.BigInteger, info=describe(
        "Estimated number of records", "概算件数", width=12,
        synonyms=("Estimated records", "件数", "records")))

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
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="", info=describe(
        "Why it is needed", "必要な理由", width=40))
    #: since when the purpose uses it
    since: so.Mapped[date | None] = so.mapped_column(info=describe("Used since", "利用開始日"))

    purpose: so.Mapped[Purpose] = so.relationship(back_populates="category_links", info=describe(
        "Purpose of use", "利用目的", width=12, synonyms=("Purpose code", "利用目的コード")))
    category: so.Mapped[DataCategory] = so.relationship(back_populates="purpose_links",
                                                        info=describe(*DATA_CATEGORY, width=24))

    def __str__(self) -> str:
        return f"{self.purpose.code} × {self.category.name}"
