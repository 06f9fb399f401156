"""A reminder run (`registry remind`): plan every mail due today from what falls due, leaving
out each reminder already sent to its address, then send them and log each one.

Owners get one mail a run listing their own things; each thing is reminded once per stage
(days before its due day, the day itself, then every few days while overdue: due.stage). The
compliance officer gets a digest once a week. A vendor gets an issued questionnaire's workbook
attached, then reminders before and after its due day, with the workbook again."""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import orm as so

from registry.consignees.models import Consignee
from registry.core.model import utcnow
from registry.extensions import db
from registry.mail import due, recipients, wording
from registry.mail.models import Mail, MailStatus, MailTopic
from registry.mail.recipients import Recipient
from registry.mail.transport import Connection, MailError, Server
from registry.questionnaires import workbook
from registry.questionnaires.models import Questionnaire, QuestionnaireStatus, WorkbookLanguage

WEEK = timedelta(days=7)
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
#: the PostgreSQL advisory lock key a run holds ("RMD")
RUN_LOCK = 0x524D44


class Busy(Exception):
    """Another run is sending: this one would send the same mails."""


@contextmanager
def one_run() -> Iterator[None]:
    """Hold, for a run, the lock that keeps a second run (a scheduler's next, started while this
    one is still sending) from planning the same mails: PostgreSQL's advisory lock on a
    connection of its own, or a lock on a file beside the SQLite database. Raises Busy."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            if not connection.scalar(sa.text("SELECT pg_try_advisory_lock(:key)"),
                                     {"key": RUN_LOCK}):
                raise Busy
            try:
                yield
            finally:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": RUN_LOCK})
                connection.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.remind.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class Outgoing:
    """One mail to send: its kind, address, language, values, and what it is about."""

    kind: str
    to: Recipient
    language: str
    values: dict
    #: (record_type, record_id, topic) of each thing the mail reminds of
    topics: list[tuple[str, int, str]] = field(default_factory=list)
    questionnaire: Questionnaire | None = None

    def words(self) -> tuple[str, str]:
        """Subject and body; a vendor's workbook in both languages gets both, Japanese first."""
        languages = ("ja", "en") if self.language == "ja+en" else (self.language,)
        rendered = []
        for language in languages:
            with force_locale(language):
                rendered.append(wording.render(self.kind, language, self.values))
        subject = " / ".join(subject for subject, _ in rendered)
        return subject, ("\n" + "-" * 40 + "\n\n").join(body for _, body in rendered)


def plan(today: date) -> list[Outgoing]:
    """The mails due today, none already sent (the log says)."""
    things = due.everything(today)
    before, every = due.before_days(), current_app.config["REMIND_EVERY_DAYS"]
    notice = (current_app.config["CONTRACT_NOTICE_DAYS"], *before)
    staged = [(thing, due.stage(thing.due_on, today, before, every) if thing.kind != "contract"
               else due.stage(thing.due_on, today, notice, every, overdue=False))
              for thing in things]
    staged = [(thing, on) for thing, on in staged if on is not None]
    # a stage began at most this long ago: the longest gap between two reminders of a thing
    sent = _sent_since(today - timedelta(days=max(*notice, every)))
    reached = recipients.resolve(thing.owner for thing, _ in staged)
    mine: dict[Recipient, list[tuple[due.Due, date]]] = defaultdict(list)
    unowned = []
    for thing, on in staged:
        to = reached.get(thing.owner.strip())
        if to is None:
            unowned.append(thing)
        elif (to.address, thing.record_type, thing.record_id, thing.topic(on)) not in sent:
            mine[to].append((thing, on))
    mails = [Outgoing("owner-reminder", to, to.language,
                      {"items": [_item(thing, today, to.language) for thing, _ in listed]},
                      [(t.record_type, t.record_id, t.topic(on)) for t, on in listed])
             for to, listed in sorted(mine.items(), key=lambda pair: pair[0].address)]
    mails += _digests(today, things, unowned)
    mails += _vendors(today, sent)
    for mail in mails:
        mail.values.update(_common(mail.to, today))
    return mails


def send(mails: list[Outgoing], today: date) -> tuple[int, list[str]]:
    """Send the mails over one connection, logging and committing each as it goes (a run cut
    short resends nothing it sent). Returns how many went, and why the others did not; raises
    MailError when the server cannot be reached or refuses the login."""
    server = Server.parse(current_app.config["SMTP_URL"])
    went, failures = 0, []
    with Connection(server) as connection:
        for mail in mails:
            subject, body = mail.words()
            message = _message(mail, subject, body)
            try:
                connection.send(message)
            except MailError as error:
                failures.append(f"{mail.to.address}: {error}")
                _log(mail, subject, today, MailStatus.FAILED, str(error))
            else:
                went += 1
                _log(mail, subject, today, MailStatus.SENT)
            db.session.commit()
    return went, failures


def about(mail: Outgoing) -> str:
    """One line on what a mail is about, for the command's output."""
    references = sorted({value.get("reference", "") for value in mail.values.get("items", [])})
    if mail.questionnaire is not None:
        references = [mail.questionnaire.reference]
    return ", ".join(r for r in references if r)


def _sent_since(first: date) -> set[tuple[str, str, int, str]]:
    """(address, record_type, record_id, topic) of the reminders sent since the day."""
    return {tuple(row) for row in db.session.execute(
        sa.select(Mail.recipient, MailTopic.record_type, MailTopic.record_id, MailTopic.topic)
        .join(MailTopic, MailTopic.mail_id == Mail.id)
        .where(Mail.status == MailStatus.SENT, Mail.day >= first))}


def _item(thing: due.Due, today: date, language: str) -> dict:
    """A thing as a template reads it, in the reader's language."""
    with force_locale(language):
        days = (thing.due_on - today).days
        if days < 0:
            state = ngettext("overdue by %(num)d day", "overdue by %(num)d days", -days)
        elif days == 0:
            state = gettext("due today")
        else:
            state = ngettext("due in %(num)d day", "due in %(num)d days", days)
        return {"what": str(thing.what), "reference": thing.reference,
                "subject": str(thing.subject), "due_on": thing.due_on.isoformat(),
                "state": state, "overdue": days < 0, "url": _link(thing.endpoint, thing.record_id)}


def _digests(today: date, things: list[due.Due], unowned: list[due.Due]) -> list[Outgoing]:
    """The weekly digest, to each compliance officer who has had none for a week."""
    officers = recipients.officers()
    if not officers:
        return []
    recent = set(db.session.scalars(sa.select(Mail.recipient).where(
        Mail.kind == "weekly-digest", Mail.status == MailStatus.SENT, Mail.day > today - WEEK)))
    mails = []
    for to in officers:
        if to.address in recent:
            continue
        sections = []
        for kind, label in due.KINDS.items():
            listed = [_item(thing, today, to.language) for thing in things if thing.kind == kind]
            if listed:
                sections.append(SimpleNamespace(title=label.in_language(to.language),
                                                items=listed))
        mails.append(Outgoing("weekly-digest", to, to.language, {
            "sections": sections, "unowned": [_item(t, today, to.language) for t in unowned]}))
    return mails


def _vendors(today: date, sent: set) -> list[Outgoing]:
    """Each issued questionnaire's mail to its consignee's contact: the workbook when it has not
    gone yet, else the reminder of the stage it is in."""
    before, every = due.before_days(), current_app.config["REMIND_EVERY_DAYS"]
    issued = db.session.scalars(
        sa.select(Questionnaire).join(Consignee, Consignee.id == Questionnaire.consignee_id)
        .where(Questionnaire.status == QuestionnaireStatus.ISSUED, Consignee.contact_email != "")
        .options(so.contains_eager(Questionnaire.consignee)))
    first_sent = set(db.session.execute(
        sa.select(MailTopic.record_id).join(Mail, Mail.id == MailTopic.mail_id)
        .where(Mail.status == MailStatus.SENT, MailTopic.record_type == "questionnaires",
               MailTopic.topic == "vendor-sent")).scalars())
    mails = []
    for questionnaire in issued:
        consignee = questionnaire.consignee
        address = consignee.contact_email.strip()
        on = due.stage(questionnaire.due_on, today, before, every)
        topics = [] if on is None else [("questionnaires", questionnaire.id, f"vendor:{on}")]
        if questionnaire.id not in first_sent:
            kind, topics = "questionnaire-sent", [
                ("questionnaires", questionnaire.id, "vendor-sent"), *topics]
        elif on is None or (address, *topics[0]) in sent:
            continue
        else:
            kind = "questionnaire-overdue" if on > questionnaire.due_on else "questionnaire-reminder"
        language = {WorkbookLanguage.BOTH: "ja+en"}.get(questionnaire.language,
                                                        questionnaire.language.value)
        to = Recipient(address, consignee.contact_name or consignee.name, language)
        mails.append(Outgoing(kind, to, language, {
            "consignee": consignee.name, "contact_name": consignee.contact_name,
            "reference": questionnaire.reference, "issued_on": questionnaire.issued_on.isoformat(),
            "due_on": questionnaire.due_on.isoformat(),
            "days": abs((questionnaire.due_on - today).days)}, topics, questionnaire))
    return mails


def _common(to: Recipient, today: date) -> dict:
    return {"company": current_app.config["COMPANY_NAME"], "today": today.isoformat(),
            "registry_url": current_app.config["BASE_URL"], "recipient": to.name}


def _link(endpoint: str, id: int) -> str:
    """The record page's address under REGISTRY_BASE_URL; empty without it."""
    base = current_app.config["BASE_URL"]
    if not base:
        return ""
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, id=id, _external=True)


def _message(mail: Outgoing, subject: str, body: str) -> EmailMessage:
    sender = current_app.config["MAIL_FROM"]
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, mail.to.address, subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    if mail.questionnaire is not None:
        message.add_attachment(_workbook(mail.questionnaire), *XLSX,
                               filename=workbook.filename(mail.questionnaire))
    return message


def _workbook(questionnaire: Questionnaire) -> bytes:
    descriptor, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(descriptor)
    try:
        workbook.write(questionnaire, Path(path))
        return Path(path).read_bytes()
    finally:
        os.unlink(path)


def _log(mail: Outgoing, subject: str, today: date, status: MailStatus, error: str = "") -> None:
    logged = Mail(sent_at=utcnow(), day=today, recipient=mail.to.address, kind=mail.kind,
                  language=mail.language, subject=subject[:255], status=status, error=error[:500])
    logged.topics = [MailTopic(record_type=t, record_id=i, topic=topic)
                     for t, i, topic in mail.topics]
    db.session.add(logged)
