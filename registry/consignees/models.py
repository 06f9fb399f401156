"""Consignees, their certifications, entrustments and contracts (APPI Art. 25, policy Art. 5)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm as so
from sqlalchemy.ext.hybrid import hybrid_property

from registry.core.i18n import lazy_gettext as _l
from registry.core.model import Choice, Record, choice_column
from registry.extensions import db
from registry.inventory.models import DataCategory, Purpose


class RiskTier(Choice):
    """How closely a consignee is supervised."""

    HIGH = "high", _l("High")
    MEDIUM = "medium", _l("Medium")
    LOW = "low", _l("Low")


class ConsigneeStatus(Choice):
    """Where a consignee stands in its relationship with the company."""

    CANDIDATE = "candidate", _l("Under selection")
    ACTIVE = "active", _l("Active")
    SUSPENDED = "suspended", _l("Suspended")
    TERMINATED = "terminated", _l("Terminated")


class CrossBorderBasis(Choice):
    """The APPI Art. 28 basis for handing personal data to a consignee in a foreign country."""

    ADEQUATE_COUNTRY = "adequate_country", _l("Designated country (EU / UK)")
    CONSENT = "consent", _l("Consent of the individual")
    CONFORMING_SYSTEM = "conforming_system", _l("System conforming to standards")
    NOT_APPLICABLE = "not_applicable", _l("Not applicable (handled in Japan)")


class CertificationScheme(Choice):
    """Certifications a consignee may hold."""

    PRIVACYMARK = "privacymark", _l("PrivacyMark")
    ISMS = "isms", _l("ISMS (ISO/IEC 27001)")
    ISO27701 = "iso27701", _l("ISO/IEC 27701")
    SOC2 = "soc2", _l("SOC 2")
    APEC_CBPR = "apec_cbpr", _l("APEC CBPR")
    OTHER = "other", _l("Other")


class ContractType(Choice):
    """The kind of contract."""

    NDA = "nda", _l("Non-disclosure agreement")
    SERVICE = "service", _l("Service agreement")
    DPA = "dpa", _l("Data processing memorandum (覚書)")
    TERMS = "terms", _l("Terms of service")
    OTHER = "other", _l("Other")


#: the clause checklist of a contract: attribute name and label
CLAUSES: tuple[tuple[str, object], ...] = (
    ("clause_confidentiality", _l("Confidentiality")),
    ("clause_purpose_limitation", _l("Purpose limitation")),
    ("clause_security_measures", _l("Security measures")),
    ("clause_reentrustment_approval", _l("Re-entrustment needs approval")),
    ("clause_incident_notification", _l("Incident notification")),
    ("clause_audit_rights", _l("Audit and inspection rights")),
    ("clause_return_deletion", _l("Return or deletion at the end")),
)


def missing_clauses(contract) -> list[object]:
    """The labels of the clauses a contract (or a row with the clause columns) lacks."""
    return [label for name, label in CLAUSES if not getattr(contract, name)]


class Consignee(Record, db.Model):
    """A company to which the handling of personal data is entrusted (委託先)."""

    __tablename__ = "consignees"
    __table_args__ = (sa.UniqueConstraint("name", "country"),)

    #: company name; with the country, the natural key
    name: so.Mapped[str] = so.mapped_column(sa.String(255))
    #: 13-digit corporate number (法人番号), Japanese companies only
    corporate_number: so.Mapped[str | None] = so.mapped_column(sa.String(13))
    #: ISO 3166 alpha-2 code of the country where it handles the data
    country: so.Mapped[str] = so.mapped_column(sa.String(2), default="JP")
    #: postal address
    address: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    #: contact person
    contact_name: so.Mapped[str] = so.mapped_column(sa.String(128), default="")
    #: contact e-mail
    contact_email: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    #: supervision tier
    risk_tier: so.Mapped[RiskTier] = choice_column(RiskTier, default=RiskTier.MEDIUM)
    #: relationship status
    status: so.Mapped[ConsigneeStatus] = choice_column(
        ConsigneeStatus, default=ConsigneeStatus.ACTIVE
    )
    #: the consignee that re-entrusted work to this one (再委託元); None for a direct consignee
    parent_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("consignees.id"), index=True)
    #: when the company approved this re-entrustment
    reentrustment_approved_on: so.Mapped[date | None]
    #: Art. 28 basis when the data is handled abroad
    cross_border_basis: so.Mapped[CrossBorderBasis | None] = choice_column(
        CrossBorderBasis, nullable=True
    )
    #: when a conforming-system basis was last confirmed (GL-foreign 6-1: about yearly)
    cross_border_checked_on: so.Mapped[date | None]
    #: what the company knows of the foreign country's regime (外的環境の把握)
    external_environment: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    parent: so.Mapped[Consignee | None] = so.relationship(
        remote_side="Consignee.id", back_populates="children"
    )
    children: so.Mapped[list[Consignee]] = so.relationship(back_populates="parent")
    certifications: so.Mapped[list[Certification]] = so.relationship(back_populates="consignee")

    @hybrid_property
    def label(self) -> str:
        """Name (country), as pages and results name a consignee."""
        return f"{self.name} ({self.country})"

    @label.inplace.expression
    @classmethod
    def _label_expression(cls) -> sa.ColumnElement[str]:
        return cls.name + " (" + cls.country + ")"

    def __str__(self) -> str:
        return self.label

    @property
    def foreign(self) -> bool:
        return self.country != "JP"


class Certification(Record, db.Model):
    """A certification a consignee holds (PrivacyMark, ISMS ...), with its expiry."""

    __tablename__ = "certifications"
    __table_args__ = (sa.UniqueConstraint("consignee_id", "scheme", "number"),)

    #: the certified consignee
    consignee_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("consignees.id"))
    #: the scheme
    scheme: so.Mapped[CertificationScheme] = choice_column(CertificationScheme)
    #: certificate or registration number
    number: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    #: last day of validity
    expires_on: so.Mapped[date | None]

    consignee: so.Mapped[Consignee] = so.relationship(back_populates="certifications")

    def __str__(self) -> str:
        return f"{self.consignee.name}: {self.scheme.label} {self.number}".strip()


entrustment_categories = sa.Table(
    "entrustment_categories",
    db.metadata,
    sa.Column("entrustment_id", sa.ForeignKey("entrustments.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("category_id", sa.ForeignKey("data_categories.id"), primary_key=True, index=True),
)


class Entrustment(Record, db.Model):
    """Work entrusted to a consignee for one purpose, with the data categories it handles."""

    __tablename__ = "entrustments"
    __audit_collections__ = ("categories",)

    #: management number (管理番号), the natural key
    reference: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    #: who does the work
    consignee_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("consignees.id"), index=True)
    #: the purpose of use the work serves
    purpose_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("purposes.id"), index=True)
    #: what work is entrusted
    work: so.Mapped[str] = so.mapped_column(sa.Text)
    #: first day of the entrustment
    start_on: so.Mapped[date | None]
    #: last day; None while it goes on
    end_on: so.Mapped[date | None]

    consignee: so.Mapped[Consignee] = so.relationship()
    purpose: so.Mapped[Purpose] = so.relationship()
    categories: so.Mapped[list[DataCategory]] = so.relationship(
        secondary=entrustment_categories, order_by=DataCategory.name
    )

    def __str__(self) -> str:
        return self.reference


class Contract(Record, db.Model):
    """A contract with a consignee, with the checklist of clauses it contains."""

    __tablename__ = "contracts"
    __table_args__ = (
        sa.CheckConstraint("end_on IS NULL OR start_on IS NULL OR end_on >= start_on",
                           name="period"),
    )

    #: management number, the natural key
    reference: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    #: the other party
    consignee_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("consignees.id"), index=True)
    #: NDA, service agreement, memorandum ...
    contract_type: so.Mapped[ContractType] = choice_column(ContractType)
    #: the contract's title
    title: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    #: date signed
    signed_on: so.Mapped[date | None]
    #: first day in force
    start_on: so.Mapped[date | None]
    #: last day in force; None for no fixed end
    end_on: so.Mapped[date | None]
    #: renews itself unless cancelled
    auto_renewal: so.Mapped[bool] = so.mapped_column(default=False)
    #: the consignee may re-entrust the work (with approval)
    reentrustment_allowed: so.Mapped[bool] = so.mapped_column(default=False)
    #: clause checklist
    clause_confidentiality: so.Mapped[bool] = so.mapped_column(default=False)
    clause_purpose_limitation: so.Mapped[bool] = so.mapped_column(default=False)
    clause_security_measures: so.Mapped[bool] = so.mapped_column(default=False)
    clause_reentrustment_approval: so.Mapped[bool] = so.mapped_column(default=False)
    clause_incident_notification: so.Mapped[bool] = so.mapped_column(default=False)
    clause_audit_rights: so.Mapped[bool] = so.mapped_column(default=False)
    clause_return_deletion: so.Mapped[bool] = so.mapped_column(default=False)

    consignee: so.Mapped[Consignee] = so.relationship()

    def __str__(self) -> str:
        return self.reference

    @property
    def missing_clauses(self) -> list[object]:
        return missing_clauses(self)

    def in_force(self, on: date) -> bool:
        started = self.start_on is None or self.start_on <= on
        return started and (self.end_on is None or self.end_on >= on or self.auto_renewal)
