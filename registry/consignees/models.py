"""Consignees, their certifications, entrustments and contracts (APPI Art. 25, policy Art. 5)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm as so
from sqlalchemy.ext.hybrid import hybrid_property

from registry.consignees.identifiers import corporate_number, country_code, email
from registry.core.model import Choice, Record, choice_column, list_index
from registry.core.schema import describe
from registry.extensions import db
from registry.inventory.models import DataCategory, Purpose

#: labels several records give the same field
REFERENCE = ("Reference", "管理番号")
CONSIGNEE = ("Consignee", "委託先")
#: how an owner is written: where the registry's reminders go (registry.mail.recipients)
OWNER_HINT = ("A user name or an e-mail address: the registry's reminders go there.",
              "ユーザー名またはメールアドレス。リマインダーはここに送られます。")
START = ("Start", "開始日")
END = ("End", "終了日")


def clause(en: str, ja: str, *synonyms: str) -> dict:
    """The description of one clause of a contract's checklist."""
    return describe(en, ja, group="clause", width=12, synonyms=synonyms)


class RiskTier(Choice):
    """How closely a consignee is supervised."""

    HIGH = "high", "High", "高"
    MEDIUM = "medium", "Medium", "中"
    LOW = "low", "Low", "低"


class ConsigneeStatus(Choice):
    """Where a consignee stands in its relationship with the company."""

    CANDIDATE = "candidate", "Under selection", "選定中"
    ACTIVE = "active", "Active", "有効", "取引中", "契約中"
    SUSPENDED = "suspended", "Suspended", "停止中"
    TERMINATED = "terminated", "Terminated", "終了", "取引終了", "解約"


class CrossBorderBasis(Choice):
    """The APPI Art. 28 basis for handing personal data to a consignee in a foreign country."""

    ADEQUATE_COUNTRY = "adequate_country", "Designated country (EU / UK)", "同等水準国（EU・英国）"
    CONSENT = "consent", "Consent of the individual", "本人の同意"
    CONFORMING_SYSTEM = "conforming_system", "System conforming to standards", "基準適合体制"
    NOT_APPLICABLE = "not_applicable", "Not applicable (handled in Japan)", "該当なし（国内で取扱い）"


class CertificationScheme(Choice):
    """Certifications a consignee may hold."""

    PRIVACYMARK = "privacymark", "PrivacyMark", "プライバシーマーク"
    ISMS = "isms", "ISMS (ISO/IEC 27001)", "ISMS（ISO/IEC 27001）"
    ISO27701 = "iso27701", "ISO/IEC 27701", "ISO/IEC 27701"
    SOC2 = "soc2", "SOC 2", "SOC 2"
    APEC_CBPR = "apec_cbpr", "APEC CBPR", "APEC CBPR"
    OTHER = "other", "Other", "その他"


class ContractType(Choice):
    """The kind of contract."""

    NDA = "nda", "Non-disclosure agreement", "秘密保持契約", "NDA", "機密保持契約"
    SERVICE = "service", "Service agreement", "業務委託契約", "委託契約"
    DPA = ("dpa", "Data processing memorandum (覚書)", "個人情報の取扱いに関する覚書", "覚書", "DPA",
           "データ処理契約", "個人情報取扱覚書")
    TERMS = "terms", "Terms of service", "利用規約", "約款"
    OTHER = "other", "Other", "その他"


def missing_clauses(contract) -> list[object]:
    """The labels of the clauses a contract (or a row with the clause columns) lacks."""
    return [label for name, label in clauses() if not getattr(contract, name)]


def clauses() -> list[tuple[str, object]]:
    """The clause checklist of a contract: each clause field's name and label."""
    from registry.core.schema import describe_model

    return [(f.name, f.label) for f in describe_model(Contract).group("clause")]


class Consignee(Record, db.Model):
    """A company to which the handling of personal data is entrusted (委託先)."""

    __tablename__ = "consignees"
    __table_args__ = (
        sa.UniqueConstraint("name", "country"),
        sa.CheckConstraint("length(country) = 2 AND upper(country) = country", name="country_code"),
        sa.CheckConstraint("country <> 'JP' OR cross_border_basis IS NULL "
                           "OR cross_border_basis = 'not_applicable'", name="domestic_basis"),
        sa.CheckConstraint("country = 'JP' OR cross_border_basis IS NULL "
                           "OR cross_border_basis <> 'not_applicable'", name="foreign_basis"),
    )

    #: company name; with the country, the natural key
    name: so.Mapped[str] = so.mapped_column(sa.String(255), info=describe(
        "Name", "委託先名", width=30, synonyms=("consignee", "company", "会社名", "名称", "Company name")))
    #: 13-digit corporate number (法人番号), Japanese companies only
    corporate_number: so.Mapped[str | None] = so.mapped_column(sa.String(13), info=describe(
        "Corporate number", "法人番号", code=True, check=corporate_number, vendor=True, width=16))
    #: ISO 3166 alpha-2 code of the country where it handles the data
    country: so.Mapped[str] = so.mapped_column(sa.String(2), default="JP", info=describe(
        "Country", "国", code=True, upper=True, check=country_code, vendor=True, width=8,
        hint=("The two-letter ISO 3166 code of the country where the data is handled: JP, US, DE …",
              "データを取り扱う国の ISO 3166 の2文字コード（JP、US、DE など）"),
        synonyms=("Country (ISO code)", "国（ISOコード）", "所在国", "データを取り扱う国",
                  "Country where the data is handled")))
    #: postal address
    address: so.Mapped[str] = so.mapped_column(sa.String(255), default="", info=describe(
        "Address", "所在地", vendor=True, width=30))
    #: contact person
    contact_name: so.Mapped[str] = so.mapped_column(sa.String(128), default="", info=describe(
        "Contact person", "窓口担当者", vendor=True, width=16, synonyms=("担当者", "ご担当者")))
    #: contact e-mail
    contact_email: so.Mapped[str] = so.mapped_column(sa.String(255), default="", info=describe(
        "Contact e-mail", "窓口メールアドレス", code=True, check=email, vendor=True, width=24,
        synonyms=("担当者メール", "ご担当者メール", "e-mail", "メールアドレス")))
    #: the company's own person in charge of the consignee: a user name or an e-mail address,
    #: where reminders of its checks, contracts and questionnaires go
    owner: so.Mapped[str] = so.mapped_column(sa.String(128), default="", info=describe(
        "Owner in the company", "社内担当者", hint=OWNER_HINT, width=16,
        synonyms=("社内担当", "Internal owner")))
    #: supervision tier
    risk_tier: so.Mapped[RiskTier] = choice_column(RiskTier, default=RiskTier.MEDIUM, info=describe(
        "Risk tier", "リスク区分"))
    #: relationship status
    status: so.Mapped[ConsigneeStatus] = choice_column(
        ConsigneeStatus, default=ConsigneeStatus.ACTIVE, info=describe("Status", "状態"))
    #: the consignee that re-entrusted work to this one (再委託元); None for a direct consignee
    parent_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("consignees.id"), index=True)
    #: when the company approved this re-entrustment
    reentrustment_approved_on: so.Mapped[date | None] = so.mapped_column(info=describe(
        "Re-entrustment approved on", "再委託承認日"))
    #: Art. 28 basis when the data is handled abroad
    cross_border_basis: so.Mapped[CrossBorderBasis | None] = choice_column(
        CrossBorderBasis, nullable=True, info=describe(
            "Cross-border basis (Art. 28)", "外国提供の根拠（法第28条）", width=24,
            synonyms=("Cross-border basis", "外国提供の根拠")))
    #: when a conforming-system basis was last confirmed (GL-foreign 6-1: about yearly)
    cross_border_checked_on: so.Mapped[date | None] = so.mapped_column(info=describe(
        "Cross-border basis confirmed on", "外国提供の根拠の確認日",
        synonyms=("根拠確認日", "Cross-border basis last confirmed")))
    #: what the company knows of the foreign country's regime (外的環境の把握)
    external_environment: so.Mapped[str] = so.mapped_column(sa.Text, default="", info=describe(
        "External environment (foreign legal regime)", "外的環境の把握（外国の制度）", width=40,
        synonyms=("External environment", "外的環境の把握")))

    parent: so.Mapped[Consignee | None] = so.relationship(
        remote_side="Consignee.id", back_populates="children", info=describe(
            "Re-entrusted by", "再委託元", width=28,
            synonyms=("Re-entrusted by (parent consignee)", "再委託元（委託先）")))
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
    __table_args__ = (
        sa.UniqueConstraint("consignee_id", "scheme", "number"),
        # the list's default order (the soonest to expire first), alone and under a scheme, and
        # its sort by number
        list_index("certifications", "expires_on"),
        list_index("certifications", "scheme", "expires_on"),
        list_index("certifications", "number"),
    )

    #: the certified consignee
    consignee_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("consignees.id"))
    #: the scheme
    scheme: so.Mapped[CertificationScheme] = choice_column(CertificationScheme, info=describe(
        "Scheme", "認証制度", synonyms=("認証の種類",)))
    #: certificate or registration number
    number: so.Mapped[str] = so.mapped_column(sa.String(64), default="", info=describe(
        "Certificate number", "登録番号", code=True, width=16))
    #: last day of validity
    expires_on: so.Mapped[date | None] = so.mapped_column(info=describe("Valid until", "有効期限"))

    consignee: so.Mapped[Consignee] = so.relationship(back_populates="certifications",
                                                      info=describe(*CONSIGNEE, width=28))

    def __str__(self) -> str:
        return f"{self.consignee.name}: {self.scheme.label} {self.number}".strip()


entrustment_categories = sa.Table(
    "entrustment_categories",
    db.metadata,
    sa.Column("entrustment_id", sa.ForeignKey("entrustments.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("category_id", sa.ForeignKey("data_categories.id"), primary_key=True),
    # a category's entrustments read from the index alone (the lists' filters by the data handed
    # over and by where consignees handle it: EXISTS probes, no visit to the table's rows)
    sa.Index("ix_entrustment_categories_category_id_entrustment_id", "category_id",
             "entrustment_id"),
)


class Entrustment(Record, db.Model):
    """Work entrusted to a consignee for one purpose, with the data categories it handles."""

    __tablename__ = "entrustments"
    __table_args__ = (
        sa.CheckConstraint("end_on IS NULL OR start_on IS NULL OR end_on >= start_on",
                           name="period"),
        # the entrustment list's state filter (ranges of these days) and its sorts by them
        list_index("entrustments", "start_on"),
        list_index("entrustments", "end_on"),
    )
    __audit_collections__ = ("categories",)

    #: management number (管理番号), the natural key
    reference: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True, info=describe(
        *REFERENCE))
    #: who does the work
    consignee_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("consignees.id"), index=True)
    #: the purpose of use the work serves
    purpose_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("purposes.id"), index=True)
    #: the data categories handed over (each used by the purpose)
    categories: so.Mapped[list[DataCategory]] = so.relationship(
        secondary=entrustment_categories, order_by=DataCategory.name, info=describe(
            "Data categories", "個人情報項目", width=36))
    #: what work is entrusted
    work: so.Mapped[str] = so.mapped_column(sa.Text, info=describe(
        "Work entrusted", "委託業務の内容", width=40))
    #: first day of the entrustment
    start_on: so.Mapped[date | None] = so.mapped_column(info=describe(*START))
    #: last day; None while it goes on
    end_on: so.Mapped[date | None] = so.mapped_column(info=describe(*END))
    #: what else is known of it (a ledger's columns the registry has no field for land here)
    notes: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="", info=describe(
        "Notes", "備考", max=8000, width=40))

    consignee: so.Mapped[Consignee] = so.relationship(info=describe(*CONSIGNEE, width=28))
    purpose: so.Mapped[Purpose] = so.relationship(info=describe(
        "Purpose of use", "利用目的", width=12, synonyms=("Purpose code", "利用目的コード")))

    def __str__(self) -> str:
        return self.reference


class Contract(Record, db.Model):
    """A contract with a consignee, with the checklist of clauses it contains."""

    __tablename__ = "contracts"
    __table_args__ = (
        sa.CheckConstraint("end_on IS NULL OR start_on IS NULL OR end_on >= start_on",
                           name="period"),
        # the contract list's state filter (ranges of these days), its date filters and sorts
        list_index("contracts", "start_on"),
        list_index("contracts", "end_on"),
    )

    #: management number, the natural key
    reference: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True, info=describe(
        *REFERENCE))
    #: the other party
    consignee_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("consignees.id"), index=True)
    #: NDA, service agreement, memorandum ...
    contract_type: so.Mapped[ContractType] = choice_column(ContractType, info=describe(
        "Type", "契約種別", width=22))
    #: the contract's title
    title: so.Mapped[str] = so.mapped_column(sa.String(255), default="", info=describe(
        "Title", "件名", width=30, synonyms=("契約名",)))
    #: date signed
    signed_on: so.Mapped[date | None] = so.mapped_column(info=describe("Signed on", "締結日"))
    #: first day in force
    start_on: so.Mapped[date | None] = so.mapped_column(info=describe(*START))
    #: last day in force; None for no fixed end
    end_on: so.Mapped[date | None] = so.mapped_column(info=describe(*END))
    #: renews itself unless cancelled
    auto_renewal: so.Mapped[bool] = so.mapped_column(default=False, info=describe(
        "Renews automatically", "自動更新"))
    #: the consignee may re-entrust the work (with approval)
    reentrustment_allowed: so.Mapped[bool] = so.mapped_column(default=False, info=describe(
        "Re-entrustment allowed", "再委託可"))
    #: the clause checklist (PPC guidelines GL 3-4-4)
    clause_confidentiality: so.Mapped[bool] = so.mapped_column(default=False, info=clause(
        "Confidentiality clause", "秘密保持条項", "Confidentiality", "秘密保持"))
    clause_purpose_limitation: so.Mapped[bool] = so.mapped_column(default=False, info=clause(
        "Purpose limitation clause", "目的外利用禁止条項", "Purpose limitation", "目的外利用の禁止"))
    clause_security_measures: so.Mapped[bool] = so.mapped_column(default=False, info=clause(
        "Security measures clause", "安全管理措置条項", "Security measures", "安全管理措置"))
    clause_reentrustment_approval: so.Mapped[bool] = so.mapped_column(default=False, info=clause(
        "Re-entrustment approval clause", "再委託承認条項", "Re-entrustment needs approval",
        "再委託の事前承認"))
    clause_incident_notification: so.Mapped[bool] = so.mapped_column(default=False, info=clause(
        "Incident notification clause", "事故報告条項", "Incident notification", "事故報告"))
    clause_audit_rights: so.Mapped[bool] = so.mapped_column(default=False, info=clause(
        "Audit rights clause", "監査権条項", "Audit and inspection rights", "監査・点検の権利"))
    clause_return_deletion: so.Mapped[bool] = so.mapped_column(default=False, info=clause(
        "Return or deletion clause", "返還・削除条項", "Return or deletion at the end",
        "終了時の返還・削除"))

    consignee: so.Mapped[Consignee] = so.relationship(info=describe(*CONSIGNEE, width=28))

    def __str__(self) -> str:
        return self.reference

    @property
    def missing_clauses(self) -> list[object]:
        return missing_clauses(self)

    def in_force(self, on: date) -> bool:
        started = self.start_on is None or self.start_on <= on
        return started and (self.end_on is None or self.end_on >= on or self.auto_renewal)
