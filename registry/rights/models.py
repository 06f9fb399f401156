"""A request from an individual about their retained personal data: what they asked, how it came,
how their identity was verified (the document seen, never the document itself), the decision with
its statutory ground when refused, the fee where the law allows one, and the day of the answer."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.consignees.models import OWNER_HINT, REFERENCE
from registry.core.model import Choice, Record, choice_column, list_index
from registry.core.schema import describe
from registry.extensions import db
from registry.inventory.models import DataCategory, Purpose

#: the longest account of a ground or a note
ACCOUNT = 4000


class RequestKind(Choice):
    """What the individual asks for (APPI Arts. 32(2), 33, 34, 35)."""

    PURPOSE_NOTICE = "purpose_notice", "Notice of the purposes of use", "利用目的の通知"
    DISCLOSURE = "disclosure", "Disclosure", "開示"
    CORRECTION = "correction", "Correction, addition or deletion", "訂正・追加・削除", "訂正等"
    SUSPENSION = "suspension", "Suspension of use or erasure", "利用停止・消去", "利用停止等"
    STOP_PROVISION = "stop_provision", "Stop of provision to third parties", "第三者提供の停止"
    PROVISION_RECORDS = ("provision_records", "Disclosure of the records of provision",
                         "第三者提供記録の開示")


class Channel(Choice):
    """How the request reached the company."""

    MAIL = "mail", "Post", "郵送"
    EMAIL = "email", "E-mail", "電子メール"
    WEB = "web", "Web form", "ウェブフォーム"
    PHONE = "phone", "Telephone", "電話"
    IN_PERSON = "in_person", "In person", "窓口"


class Decision(Choice):
    """What the company decided."""

    PENDING = "pending", "Under consideration", "検討中"
    GRANTED = "granted", "Granted", "応じる"
    PARTLY = "partly", "Partly granted", "一部応じる"
    REFUSED = "refused", "Refused", "応じない"


request_categories = sa.Table(
    "rights_request_categories",
    db.metadata,
    sa.Column("request_id", sa.ForeignKey("rights_requests.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("category_id", sa.ForeignKey("data_categories.id"), primary_key=True, index=True),
)

request_purposes = sa.Table(
    "rights_request_purposes",
    db.metadata,
    sa.Column("request_id", sa.ForeignKey("rights_requests.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("purpose_id", sa.ForeignKey("purposes.id"), primary_key=True, index=True),
)


class RightsRequest(Record, db.Model):
    """A request for a notice of purposes, disclosure, correction, suspension or the like."""

    __tablename__ = "rights_requests"
    __table_args__ = (
        sa.CheckConstraint("fee IS NULL OR fee >= 0", name="fee_not_negative"),
        sa.CheckConstraint("responded_on IS NULL OR responded_on >= received_on",
                           name="answered_after_received"),
        # the request list's filters and its sorts, the newest first
        list_index("rights_requests", "received_on"),
        list_index("rights_requests", "kind", "received_on"),
        list_index("rights_requests", "decision", "received_on"),
    )
    __audit_collections__ = ("categories", "concerned_purposes")

    #: management number, the natural key
    reference: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True, info=describe(
        *REFERENCE))
    #: what is asked
    kind: so.Mapped[RequestKind] = choice_column(RequestKind, info=describe(
        "Kind of request", "請求の種類"))
    #: how it came
    channel: so.Mapped[Channel] = choice_column(Channel, default=Channel.MAIL, info=describe(
        "Channel", "受付方法"))
    #: who asks (as the request names them)
    requester: so.Mapped[str] = so.mapped_column(sa.String(255), info=describe(
        "Requester", "請求者", width=20))
    #: the day the request reached the company: the clocks count from it
    received_on: so.Mapped[date] = so.mapped_column(info=describe(
        "Received on", "受付日（到達日）", synonyms=("受付日", "到達日")))
    #: the data categories the request concerns
    categories: so.Mapped[list[DataCategory]] = so.relationship(
        secondary=request_categories, order_by=DataCategory.name, info=describe(
            "Data categories", "個人情報項目", width=30))
    #: the purposes of use the request concerns (on the form; a workbook sheet carries one list
    #: of names, the categories)
    concerned_purposes: so.Mapped[list[Purpose]] = so.relationship(
        secondary=request_purposes, order_by=Purpose.code, info=describe(
            "Purposes of use", "利用目的", width=30, sheet=False))
    #: the identity document that was seen (its kind, never a copy or its number)
    identity_document: so.Mapped[str] = so.mapped_column(sa.String(255), default="", info=describe(
        "Identity document seen", "確認した本人確認書類",
        hint=("Which document was seen (a driving licence, a passport ...); never its number "
              "or a copy.", "確認した書類の種類（運転免許証、旅券など）。番号や写しは記録しません。")))
    #: who verified the identity
    verified_by: so.Mapped[str] = so.mapped_column(sa.String(128), default="", info=describe(
        "Identity verified by", "本人確認者"))
    #: when the identity was verified
    verified_on: so.Mapped[date | None] = so.mapped_column(info=describe(
        "Identity verified on", "本人確認日"))
    #: what the company decided
    decision: so.Mapped[Decision] = choice_column(Decision, default=Decision.PENDING,
                                                  info=describe("Decision", "決定"))
    #: the statutory ground of a refusal, whole or in part
    ground: so.Mapped[str] = so.mapped_column(sa.Text, default="", info=describe(
        "Ground for refusal", "応じない理由（法令上の根拠）", max=ACCOUNT, width=40,
        hint=("The provision the refusal rests on, e.g. APPI Art. 33(2)(ii): a risk of "
              "significantly hindering the business.",
              "例：法33条2項2号（業務の適正な実施に著しい支障を及ぼすおそれ）。")))
    #: the fee charged, in yen (only for a notice of purposes or a disclosure: Art. 38)
    fee: so.Mapped[int | None] = so.mapped_column(info=describe(
        "Fee (yen)", "手数料（円）", synonyms=("手数料",)))
    #: the day the answer went out
    responded_on: so.Mapped[date | None] = so.mapped_column(info=describe(
        "Answered on", "回答日"))
    #: who answers it (a user name or an e-mail address): the reminders of its clock go there
    owner: so.Mapped[str] = so.mapped_column(sa.String(128), default="", info=describe(
        "Owner", "担当者", hint=OWNER_HINT, width=16))
    #: anything else worth knowing
    notes: so.Mapped[str] = so.mapped_column(sa.Text, default="", info=describe(
        "Notes", "備考", max=ACCOUNT, width=40))

    def __str__(self) -> str:
        return self.reference

    @property
    def due_on(self) -> date:
        """The company's target for answering "without delay" (rights.clocks)."""
        from registry.rights.clocks import answer_due  # the clocks read the settings

        return answer_due(self.received_on)

    @property
    def overdue(self) -> bool:
        from registry.rights.clocks import overdue

        return overdue(self)
