"""Import batches: every applied workbook, kept with its file, so it can be traced and reverted;
and uploads waiting for their user to confirm them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.core.model import Choice, choice_column, utcnow
from registry.extensions import db


class BatchStatus(Choice):
    """Whether an import batch still stands."""

    APPLIED = "applied", "Applied", "適用済み"
    REVERTED = "reverted", "Reverted", "取消済み"


class ImportBatch(db.Model):
    """One applied import: the original file, its SHA-256, who and when, counts (how to undo
    it: `ImportUndo`)."""

    __tablename__ = "import_batches"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: when it was applied (UTC)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    #: who applied it
    actor: so.Mapped[str] = so.mapped_column(sa.String(80))
    #: the uploaded file's name
    filename: so.Mapped[str] = so.mapped_column(sa.String(255))
    #: SHA-256 of the file, hex
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    #: the original file
    content: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary, deferred=True)
    #: whether records missing from the workbook were deleted
    sync: so.Mapped[bool] = so.mapped_column(default=False)
    #: {sheet: {create: n, update: n, unchanged: n, delete: n}}
    counts: so.Mapped[dict] = so.mapped_column(sa.JSON)
    #: applied or reverted
    status: so.Mapped[BatchStatus] = choice_column(BatchStatus, default=BatchStatus.APPLIED)
    #: when and by whom it was reverted
    reverted_at: so.Mapped[datetime | None]
    reverted_by: so.Mapped[str | None] = so.mapped_column(sa.String(80))

    def __str__(self) -> str:
        return f"#{self.id} {self.filename}"


class ImportUndo(db.Model):
    """How to undo an applied import (what its revert reads), in a row of its own: it is known
    once the records are written, and SQLite rewrites a whole row to change one column, the
    batch's workbook with it (40 MiB, twice over, for a million rows)."""

    __tablename__ = "import_undo"

    batch_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("import_batches.id", ondelete="CASCADE"), primary_key=True)
    #: zlib-compressed JSON with the stored values before the import, for the revert
    undo: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)


class PendingUpload(db.Model):
    """An uploaded workbook waiting for its user to confirm the plan (or the answers, for a returned
    questionnaire), kept in the database so that any app server can show and apply it."""

    __tablename__ = "pending_uploads"

    #: random and unguessable: the address of the preview
    token: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    #: who uploaded it: nobody else may see or apply it
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: the uploaded file's name
    filename: so.Mapped[str] = so.mapped_column(sa.String(255))
    #: what the upload asked for: {"sync": bool} for an import, {"consignee_id": id} for answers
    details: so.Mapped[dict] = so.mapped_column(sa.JSON)
    #: the file
    content: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary, deferred=True)
    #: when it was uploaded (UTC); unconfirmed uploads are removed after a day
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
