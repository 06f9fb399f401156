"""Files attached to records as their evidence."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.consignees.models import Consignee, Contract
from registry.core.i18n import Label
from registry.core.model import Choice, Record, choice_column, utcnow
from registry.extensions import db
from registry.questionnaires.models import Questionnaire
from registry.supervision.models import Finding, SupervisionCheck


class AttachmentKind(Choice):
    """What an attached file is."""

    CONTRACT = "contract", "Signed contract", "契約書（締結済み）"
    CERTIFICATE = "certificate", "Certificate", "認証・証明書"
    AUDIT_REPORT = "audit_report", "Audit report", "監査報告書"
    DELETION_CERTIFICATE = "deletion_certificate", "Deletion certificate", "削除証明書"
    REMEDIATION = "remediation", "Remediation evidence", "是正の証跡"
    OTHER = "other", "Other", "その他"


#: the records files are attached to, and the column of an attachment that names each kind
OWNERS: dict[type[Record], str] = {
    Consignee: "consignee_id",
    Contract: "contract_id",
    SupervisionCheck: "check_id",
    Finding: "finding_id",
    Questionnaire: "questionnaire_id",
}


#: what record pages, the audit log and refused deletes call the files attached to a record
ATTACHED_FILES = Label("Attached files", "添付ファイル")


def _one_owner() -> str:
    """SQL true when exactly one owner column is set (portable: no num_nonnulls in SQLite)."""
    return " + ".join(f"(CASE WHEN {column} IS NULL THEN 0 ELSE 1 END)"
                      for column in OWNERS.values()) + " = 1"


class Attachment(db.Model):
    """A file kept as evidence of one record: its bytes, what it is, who added it and when.
    Never changed: a wrong file is removed and another attached. A record with files attached
    cannot be deleted until they are removed (its foreign key refuses it)."""

    __tablename__ = "attachments"
    __table_args__ = (sa.CheckConstraint(_one_owner(), name="one_owner"),
                      {"info": {"label": ATTACHED_FILES}})

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the record it belongs to: exactly one of these five
    consignee_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("consignees.id"),
                                                           index=True)
    contract_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("contracts.id"), index=True)
    check_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("supervision_checks.id"),
                                                       index=True)
    finding_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("findings.id"), index=True)
    questionnaire_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("questionnaires.id"),
                                                               index=True)
    #: signed contract, certificate, audit report, deletion certificate, remediation evidence
    kind: so.Mapped[AttachmentKind] = choice_column(AttachmentKind)
    #: what the person attaching it says of it
    note: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    #: the uploaded file's own name (no folders or control characters), ending as its format does
    file_name: so.Mapped[str] = so.mapped_column(sa.String(255))
    #: the format found in the bytes themselves (never the browser's word): sent with downloads
    content_type: so.Mapped[str] = so.mapped_column(sa.String(100))
    #: bytes
    size: so.Mapped[int]
    #: SHA-256 of the bytes, in hex: shows the file is the one attached
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    #: the file (bytea on PostgreSQL), loaded only for a download
    content: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary, deferred=True)
    #: who attached it (a user name, or cli:<user>)
    uploaded_by: so.Mapped[str] = so.mapped_column(sa.String(80))
    #: when (UTC)
    uploaded_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    consignee: so.Mapped[Consignee | None] = so.relationship()
    contract: so.Mapped[Contract | None] = so.relationship()
    check: so.Mapped[SupervisionCheck | None] = so.relationship()
    finding: so.Mapped[Finding | None] = so.relationship()
    questionnaire: so.Mapped[Questionnaire | None] = so.relationship()

    def __str__(self) -> str:
        return self.file_name

    @property
    def owner(self) -> Record:
        """The record the file is attached to."""
        return next(getattr(self, column.removesuffix("_id")) for column in OWNERS.values()
                    if getattr(self, column) is not None)


def owned_by(record: Record) -> sa.ColumnElement[bool]:
    """The clause selecting the attachments of record."""
    return getattr(Attachment, OWNERS[type(record)]) == record.id
