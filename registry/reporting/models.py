"""Saved reports: a generated quarterly report kept as it was, which nobody can change later."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.core.model import Record
from registry.extensions import db


class ReportSnapshot(Record, db.Model):
    """A quarterly report as generated; database triggers date and number it, and refuse any
    change, deletion or replacement (migration 0012)."""

    __tablename__ = "report_snapshots"

    #: when it was saved (UTC), by the database's clock: it refuses any other date
    created_at: so.Mapped[datetime] = so.mapped_column(server_default=sa.FetchedValue())
    #: the same: a snapshot is never changed
    updated_at: so.Mapped[datetime] = so.mapped_column(server_default=sa.FetchedValue())

    #: the fiscal quarter, e.g. FY2026-Q2
    quarter: so.Mapped[str] = so.mapped_column(sa.String(16), index=True)
    #: the report's figures and tables, with label keys (shown in the reader's language)
    content: so.Mapped[dict] = so.mapped_column(sa.JSON)
    #: SHA-256 of the content as canonical JSON, to show it is intact
    digest: so.Mapped[str] = so.mapped_column(sa.String(64))
    #: who saved it
    created_by: so.Mapped[str] = so.mapped_column(sa.String(80))

    def __str__(self) -> str:
        return f"{self.quarter} #{self.id}"

    @staticmethod
    def digest_of(content: dict) -> str:
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    @property
    def intact(self) -> bool:
        return self.digest_of(self.content) == self.digest
