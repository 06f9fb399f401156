"""A provision of personal data to a third party, a receipt from one, personally referable
information given to a recipient who will link it to a person, or a joint use: with whom, when,
which data of which individuals, on what basis, and the confirmations the law asks for."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.consignees.identifiers import country_code
from registry.consignees.models import REFERENCE
from registry.core.model import Choice, Record, choice_column, list_index
from registry.core.schema import describe
from registry.extensions import db
from registry.inventory.models import DataCategory

#: the longest account of a confirmation or a note
ACCOUNT = 4000


class ProvisionKind(Choice):
    """Which way the data went, and what kind of relation it is."""

    PROVISION = "provision", "Provision to a third party", "第三者提供"
    RECEIPT = "receipt", "Receipt from a third party", "第三者からの受領"
    REFERABLE = ("referable", "Personally referable information provided",
                 "個人関連情報の提供")
    JOINT_USE = "joint_use", "Joint use", "共同利用"


class Basis(Choice):
    """What allows a provision (APPI Art. 27): for a receipt, what allowed the provider's."""

    CONSENT = "consent", "The individual's consent", "本人の同意"
    EXCEPTION = "exception", "An exception of APPI Art. 27(1)", "法第27条第1項各号の例外"
    OPT_OUT = "opt_out", "Opt-out filed with the PPC", "オプトアウト（届出済み）"
    SUCCESSION = "succession", "Business succession", "事業の承継"


class RecordForm(Choice):
    """How the record is made (PPC rules 19, 23, 27): it sets how long it is kept."""

    EACH = "each", "A record of each provision", "提供の都度作成"
    BULK = "bulk", "One record of repeated provisions", "一括して作成"
    CONTRACT = "contract", "The contract serves as the record", "契約書等で代替"


provision_categories = sa.Table(
    "provision_categories",
    db.metadata,
    sa.Column("provision_id", sa.ForeignKey("provisions.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("category_id", sa.ForeignKey("data_categories.id"), primary_key=True, index=True),
)


class Provision(Record, db.Model):
    """One provision, receipt or joint use, and the record the law asks of it."""

    __tablename__ = "provisions"
    __table_args__ = (
        sa.CheckConstraint("persons IS NULL OR persons >= 0", name="persons_not_negative"),
        sa.CheckConstraint("last_on IS NULL OR last_on >= provided_on", name="last_after_first"),
        sa.CheckConstraint("length(country) = 2 AND upper(country) = country",
                           name="country_code"),
        # the list's filters and its sort, the newest first
        list_index("provisions", "provided_on"),
        list_index("provisions", "kind", "provided_on"),
        list_index("provisions", "basis", "provided_on"),
    )
    __audit_collections__ = ("categories",)

    #: management number, the natural key
    reference: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True, info=describe(
        *REFERENCE))
    #: provision, receipt, personally referable information or joint use
    kind: so.Mapped[ProvisionKind] = choice_column(ProvisionKind, info=describe(
        "Kind", "種類"))
    #: what allows it (provisions and receipts)
    basis: so.Mapped[Basis | None] = choice_column(Basis, nullable=True, info=describe(
        "Basis", "提供の根拠", width=24,
        hint=("For a receipt: what allowed the provider to give the data. Joint use and "
              "personally referable information have none.",
              "受領の場合は提供元の根拠。共同利用と個人関連情報の提供には不要です。")))
    #: the recipient, the provider or the joint users
    counterparty: so.Mapped[str] = so.mapped_column(sa.String(255), info=describe(
        "Third party", "相手方（提供先・提供元）", width=30,
        hint=("The recipient, the provider, or for joint use the scope of the joint users.",
              "提供先、提供元、または共同利用の場合は共同して利用する者の範囲。"),
        synonyms=("提供先", "提供元", "相手方", "Recipient", "Provider")))
    #: its address and representative (a receipt, an opt-out provision)
    counterparty_address: so.Mapped[str] = so.mapped_column(sa.String(255), default="",
                                                            info=describe(
        "Its address and representative", "相手方の住所・代表者", width=30))
    #: where the third party is (APPI Art. 28 when abroad)
    country: so.Mapped[str] = so.mapped_column(sa.String(2), default="JP", info=describe(
        "Country", "国", code=True, upper=True, check=country_code, width=8,
        hint=("The two-letter ISO 3166 code of the third party's country: JP, US, DE …",
              "相手方の所在国の ISO 3166 の2文字コード（JP、US、DE など）")))
    #: the data categories provided or received
    categories: so.Mapped[list[DataCategory]] = so.relationship(
        secondary=provision_categories, order_by=DataCategory.name, info=describe(
            "Data categories", "個人データの項目", width=30))
    #: what identifies the individuals (本人を特定するに足りる事項)
    individuals: so.Mapped[str] = so.mapped_column(sa.String(255), default="", info=describe(
        "Individuals", "本人を特定するに足りる事項", width=24,
        hint=("What identifies the individuals concerned, e.g. their member numbers.",
              "例：会員番号 10001～10120。")))
    #: how many individuals
    persons: so.Mapped[int | None] = so.mapped_column(info=describe(
        "Persons", "本人の数"))
    #: the day it was provided or received (the first, for repeated provisions)
    provided_on: so.Mapped[date] = so.mapped_column(info=describe(
        "Provided or received on", "提供日・受領日", synonyms=("提供日", "受領日")))
    #: the last day, for repeated provisions under one record
    last_on: so.Mapped[date | None] = so.mapped_column(info=describe(
        "Last provided or received on", "最終提供日・受領日"))
    #: how the record is made
    record_form: so.Mapped[RecordForm] = choice_column(RecordForm, default=RecordForm.EACH,
                                                       info=describe("Record made", "記録の作成方法"))
    #: the consent: how the company obtained it, or (personally referable information) how it
    #: confirmed the recipient obtained it
    consent: so.Mapped[str] = so.mapped_column(sa.Text, default="", info=describe(
        "Consent", "本人の同意", max=ACCOUNT, width=30,
        hint=("How the individuals' consent was obtained; for personally referable information, "
              "how the recipient's consent was confirmed.",
              "本人の同意を得た方法。個人関連情報の提供では、提供先が同意を得ていることの確認内容。")))
    #: the opt-out's filing with the PPC
    ppc_filing: so.Mapped[str] = so.mapped_column(sa.String(255), default="", info=describe(
        "PPC filing (opt-out)", "個人情報保護委員会への届出（オプトアウト）", width=24))
    #: how the provider obtained the data (APPI Art. 30(1)(ii))
    acquisition: so.Mapped[str] = so.mapped_column(sa.Text, default="", info=describe(
        "How the provider obtained it", "提供元による取得の経緯", max=ACCOUNT, width=30))
    #: the day the confirmation of Art. 30 or Art. 31 was made
    confirmed_on: so.Mapped[date | None] = so.mapped_column(info=describe(
        "Confirmed on", "確認日",
        hint=("A receipt: the day the provider's acquisition was confirmed. Personally referable "
              "information: the day the recipient's consent was confirmed, before providing it.",
              "受領：取得の経緯を確認した日。個人関連情報：提供先の同意を確認した日（提供前）。")))
    #: how the individuals were told in advance (joint use, opt-out)
    announced: so.Mapped[str] = so.mapped_column(sa.Text, default="", info=describe(
        "Individuals told in advance", "本人への通知・公表", max=ACCOUNT, width=30,
        hint=("Joint use and opt-out: how the individuals were told in advance, e.g. the privacy "
              "policy's article.", "共同利用・オプトアウト：あらかじめ本人に通知し、または容易に知り得る"
              "状態に置いた方法（例：プライバシーポリシー第4条）。")))
    #: anything else worth knowing
    notes: so.Mapped[str] = so.mapped_column(sa.Text, default="", info=describe(
        "Notes", "備考", max=ACCOUNT, width=40))

    def __str__(self) -> str:
        return self.reference

    @property
    def kept_until(self) -> date | None:
        """The last day its record must be kept (provisions.record)."""
        from registry.provisions.record import kept_until  # the record's rules read the settings

        return kept_until(self)
