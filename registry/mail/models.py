"""The mail log (each mail: to whom, about which records, when) and the admins' templates."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.core.model import Choice, choice_column, utcnow
from registry.extensions import db


class MailStatus(Choice):
    SENT = "sent", "Sent", "送信済み"
    FAILED = "failed", "Not sent", "送信失敗"


class Mail(db.Model):
    """One mail `registry remind` sent (or tried to send) to one address."""

    __tablename__ = "mails"
    __table_args__ = (sa.Index("ix_mails_recipient_kind_day", "recipient", "kind", "day"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: when it went (UTC)
    sent_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
    #: the registry's day it went
    day: so.Mapped[date]
    #: the address it went to
    recipient: so.Mapped[str] = so.mapped_column(sa.String(254))
    #: the template it was written from (owner-reminder, weekly-digest, questionnaire-sent ...)
    kind: so.Mapped[str] = so.mapped_column(sa.String(32))
    #: its language (ja, en, or ja+en for a vendor's workbook in both)
    language: so.Mapped[str] = so.mapped_column(sa.String(8))
    subject: so.Mapped[str] = so.mapped_column(sa.String(255))
    status: so.Mapped[MailStatus] = choice_column(MailStatus)
    #: what the server answered when it refused the mail
    error: so.Mapped[str] = so.mapped_column(sa.String(500), default="")

    topics: so.Mapped[list[MailTopic]] = so.relationship(back_populates="mail")


class MailTopic(db.Model):
    """A record a mail was about, and the reminder it gave (its kind and the day of its stage:
    "finding-due:2026-12-10"), so that no stage is mailed twice to one address."""

    __tablename__ = "mail_topics"
    __table_args__ = (sa.Index("ix_mail_topics_topic", "record_type", "record_id", "topic"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    mail_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("mails.id", ondelete="CASCADE"),
                                               index=True)
    #: the record's table (findings, contracts, questionnaires ...)
    record_type: so.Mapped[str] = so.mapped_column(sa.String(64))
    record_id: so.Mapped[int]
    #: the reminder: its kind and the day its stage began
    topic: so.Mapped[str] = so.mapped_column(sa.String(64))

    mail: so.Mapped[Mail] = so.relationship(back_populates="topics")


class MailTemplate(db.Model):
    """An administrator's wording of one kind of mail in one language, replacing the shipped
    one (deleting it restores the shipped one)."""

    __tablename__ = "mail_templates"
    __table_args__ = (sa.UniqueConstraint("kind", "language"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(32))
    language: so.Mapped[str] = so.mapped_column(sa.String(2))
    subject: so.Mapped[str] = so.mapped_column(sa.String(255))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: so.Mapped[str] = so.mapped_column(sa.String(80))

    def __str__(self) -> str:
        return f"{self.kind} ({self.language})"
