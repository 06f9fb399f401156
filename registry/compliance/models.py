"""Waivers: an admin's decision that one check result is accepted until a date."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.core.model import Record
from registry.extensions import db


class Waiver(Record, db.Model):
    """One check result accepted, with the reason, from the day it was given until it expires.

    Withdrawing a waiver dates it instead of deleting it, so that a past quarter's results
    come out the same when they are computed again."""

    __tablename__ = "waivers"
    __table_args__ = (
        sa.CheckConstraint("expires_on >= waived_on", name="period"),
        sa.Index("ix_waivers_subject", "check_code", "subject_id"),
    )

    #: the check whose result is waived
    check_code: so.Mapped[str] = so.mapped_column(sa.String(40))
    #: the id of the record the result is about (its kind follows from the check)
    subject_id: so.Mapped[int]
    #: the record's label when the waiver was given
    subject_label: so.Mapped[str] = so.mapped_column(sa.String(255))
    #: why the result is accepted
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    #: first day the waiver applies
    waived_on: so.Mapped[date]
    #: last day the waiver applies
    expires_on: so.Mapped[date]
    #: the admin who gave it
    waived_by: so.Mapped[str] = so.mapped_column(sa.String(80))
    #: the day it was withdrawn before its expiry; None while it stands
    withdrawn_on: so.Mapped[date | None]

    def __str__(self) -> str:
        return f"{self.check_code}: {self.subject_label}"

    @classmethod
    def in_force(cls, on: date) -> sa.ColumnElement[bool]:
        """The waiver covers its result on the day: given by then, not expired nor withdrawn."""
        return sa.and_(cls.waived_on <= on, cls.expires_on >= on,
                       sa.or_(cls.withdrawn_on.is_(None), cls.withdrawn_on > on))
