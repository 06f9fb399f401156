"""An incident (漏えい等) of personal data: what happened, to which data and whose, what was done,
and when each report and notice went out (APPI Art. 26, PPC rules 7-10)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.consignees.models import CONSIGNEE, OWNER_HINT, REFERENCE, Consignee
from registry.core.model import Choice, Record, choice_column, list_index
from registry.core.schema import describe
from registry.extensions import db
from registry.inventory.models import DataCategory
from registry.supervision.models import Finding

#: the longest account of an incident's part (cause, harm, measures)
ACCOUNT = 8000


class IncidentKind(Choice):
    """What happened to the data (PPC rule 7: 漏えい, 滅失, 毀損)."""

    LEAKAGE = "leakage", "Leakage", "漏えい", "漏洩"
    LOSS = "loss", "Loss", "滅失"
    DAMAGE = "damage", "Damage", "毀損"


incident_categories = sa.Table(
    "incident_categories",
    db.metadata,
    sa.Column("incident_id", sa.ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("category_id", sa.ForeignKey("data_categories.id"), primary_key=True, index=True),
)


class Incident(Record, db.Model):
    """A leakage, loss or damage of personal data, actual or suspected, and its handling."""

    __tablename__ = "incidents"
    __table_args__ = (
        sa.CheckConstraint("persons IS NULL OR persons >= 0", name="persons_not_negative"),
        sa.CheckConstraint("occurred_on IS NULL OR occurred_on <= learned_on",
                           name="occurred_before_learned"),
        # the incident list's filter and its sorts, the newest first
        list_index("incidents", "learned_on"),
        list_index("incidents", "kind", "learned_on"),
        list_index("incidents", "consignee_id", "learned_on"),
    )
    __audit_collections__ = ("categories",)

    #: management number, the natural key
    reference: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True, info=describe(
        *REFERENCE))
    #: what happened, in a line (the report's 概要 begins with it)
    summary: so.Mapped[str] = so.mapped_column(sa.String(255), info=describe(
        "Summary", "概要", width=40, synonyms=("件名", "title")))
    #: leakage, loss or damage
    kind: so.Mapped[IncidentKind] = choice_column(IncidentKind, default=IncidentKind.LEAKAGE,
                                                  info=describe("Kind of incident", "事態の区分"))
    #: not yet confirmed: it may have happened (おそれ), which the rules treat the same
    suspected: so.Mapped[bool] = so.mapped_column(default=False, info=describe(
        "Suspected, not confirmed", "おそれ（未確定）"))
    #: the day it happened, when known
    occurred_on: so.Mapped[date | None] = so.mapped_column(info=describe(
        "Occurred on", "発生日"))
    #: the day any part of the company learned of it: day 1 of every clock
    learned_on: so.Mapped[date] = so.mapped_column(info=describe(
        "Learned of on", "発覚日（知った日）", synonyms=("発覚日", "認知日"),
        hint=("The day any department of the company first learned of it: day 1 of the "
              "reporting clocks.",
              "社内のいずれかの部署が最初に知った日。報告期限はこの日を1日目として数えます。")))
    #: the data categories concerned
    categories: so.Mapped[list[DataCategory]] = so.relationship(
        secondary=incident_categories, order_by=DataCategory.name, info=describe(
            "Data categories", "個人情報項目", width=36))
    #: the number of persons whose data it concerns, estimated; None while unknown
    persons: so.Mapped[int | None] = so.mapped_column(sa.BigInteger, info=describe(
        "Persons concerned (estimated)", "本人の数（推定）", synonyms=("本人の数", "persons")))
    #: the consignee at which it happened, if any
    consignee_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("consignees.id"))
    #: why it happened
    cause: so.Mapped[str] = so.mapped_column(sa.Text, default="", info=describe(
        "Cause", "原因", max=ACCOUNT, width=40))
    #: what was done to stop it and limit the damage
    containment: so.Mapped[str] = so.mapped_column(sa.Text, default="", info=describe(
        "Containment", "被害拡大防止の措置", max=ACCOUNT, width=40))
    #: secondary harm, actual or feared, and what it is
    secondary_harm: so.Mapped[str] = so.mapped_column(sa.Text, default="", info=describe(
        "Secondary harm", "二次被害又はそのおそれの有無及びその内容", max=ACCOUNT, width=40,
        synonyms=("二次被害",)))
    #: PPC rule 7(2): data whose misuse may cause financial loss (card numbers, bank logins)
    financial_risk: so.Mapped[bool] = so.mapped_column(default=False, info=describe(
        "Misuse may cause financial loss", "財産的被害が生じるおそれ"))
    #: PPC rule 7(3): a possibly malicious act, data being collected (skimming) included
    malicious: so.Mapped[bool] = so.mapped_column(default=False, info=describe(
        "Possibly a malicious act", "不正の目的をもって行われたおそれ",
        hint=("Unauthorised access, theft, an insider, or data being collected by a "
              "falsified page (web skimming).",
              "不正アクセス、盗難、内部不正、改ざんされたページによる取得（ウェブスキミング）など。")))
    #: PPC rule 7 exception: the data was protected by strong encryption and the key kept safe
    encrypted: so.Mapped[bool] = so.mapped_column(default=False, info=describe(
        "Protected by strong encryption", "高度な暗号化等の措置",
        hint=("The data was encrypted to a high standard and the key did not leak: the rules "
              "then require no report.",
              "高度な暗号化等が施され、復号鍵が漏えいしていない場合、報告は不要です。")))
    #: the day the preliminary report (速報) went to the PPC
    preliminary_reported_on: so.Mapped[date | None] = so.mapped_column(info=describe(
        "Preliminary report sent on", "速報の提出日"))
    #: the day the final report (確報) went to the PPC
    final_reported_on: so.Mapped[date | None] = so.mapped_column(info=describe(
        "Final report sent on", "確報の提出日"))
    #: the day the individuals were notified
    notified_on: so.Mapped[date | None] = so.mapped_column(info=describe(
        "Individuals notified on", "本人への通知日"))
    #: the day it was made public (in place of notice, when the individuals cannot be reached)
    published_on: so.Mapped[date | None] = so.mapped_column(info=describe(
        "Made public on", "公表日"))
    #: what will keep it from happening again
    prevention: so.Mapped[str] = so.mapped_column(sa.Text, default="", info=describe(
        "Measures against recurrence", "再発防止のための措置", max=ACCOUNT, width=40,
        synonyms=("再発防止策",)))
    #: anything else worth knowing
    notes: so.Mapped[str] = so.mapped_column(sa.Text, default="", info=describe(
        "Other information", "その他参考となる事項", max=ACCOUNT, width=40, synonyms=("備考",)))

    #: who sees it through (a user name or an e-mail address): its clocks' reminders go there
    owner: so.Mapped[str] = so.mapped_column(sa.String(128), default="", info=describe(
        "Owner", "対応責任者", hint=OWNER_HINT, width=16))

    #: the finding opened on the consignee for it (services.open_finding)
    finding_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("findings.id", ondelete="SET NULL"))

    consignee: so.Mapped[Consignee | None] = so.relationship(info=describe(*CONSIGNEE, width=28))
    finding: so.Mapped[Finding | None] = so.relationship(info=describe(
        "Finding opened", "起票した指摘事項", form=False, sheet=False))

    def __str__(self) -> str:
        return self.reference

    @property
    def reportable(self) -> bool:
        """Whether the rules require a report to the PPC and notice to the individuals."""
        from registry.incidents.assessment import assess  # the assessment reads the settings

        return assess(self).reportable

    @property
    def next_due_on(self) -> date | None:
        """The deadline of the first duty not yet met (None: none is open)."""
        from registry.incidents.assessment import clocks

        open_clocks = [c.due_on for c in clocks(self) if c.done_on is None]
        return min(open_clocks) if open_clocks else None
