"""Ledger mappings kept by name, for next quarter's ledger."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.core.model import utcnow
from registry.extensions import db


class LedgerMapping(db.Model):
    """How to read a company's ledger (mapping.Mapping as JSON), saved under a name."""

    __tablename__ = "ledger_mappings"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: what people call it ("総務部の台帳")
    name: so.Mapped[str] = so.mapped_column(sa.String(128), unique=True)
    #: the mapping (mapping.Mapping.to_json)
    mapping: so.Mapped[str] = so.mapped_column(sa.Text)
    #: who saved it last, and when (UTC)
    saved_by: so.Mapped[str] = so.mapped_column(sa.String(80))
    saved_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)
