"""Attaching files to records and removing them: each is a change of its record, checked and
recorded in the audit log (the file's name, size and SHA-256, never its bytes)."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from flask import current_app

from registry.core import audit
from registry.core.entity import LOGGED_LABELS
from registry.core.fields import has_control_characters
from registry.core.i18n import lazy_gettext as _l
from registry.core.model import Record, utcnow
from registry.core.models import AuditAction, Role
from registry.core.schema import Invalid, Problem
from registry.evidence.formats import identify, named_for
from registry.evidence.models import ATTACHED_FILES, OWNERS, Attachment, AttachmentKind, owned_by
from registry.exchange.guard import Limits, Refused
from registry.exchange.uploads import shown_name
from registry.extensions import db
from registry.supervision.models import Finding
from registry.supervision.rules import FINDINGS, evidence_required

#: the least role that attaches and removes files (the role that edits the records they belong to)
CHANGE_ROLE = Role.EDITOR
#: the longest note
NOTE_MAX = 500
#: the field under which the audit log records a file attached to or removed from a record
LOGGED = "attachments"
LOGGED_LABELS[LOGGED] = ATTACHED_FILES


def attach(owner: Record, file_name: str | None, content: bytes, kind: str, note: str = ""
           ) -> Attachment:
    """Keep content as evidence of owner, once the role, its size and its format (found in the
    bytes) allow it. The caller commits."""
    _refuse(_role_problems() or _value_problems(content, kind, note))
    try:
        found = identify(content, Limits.from_config(current_app.config))
    except Refused as refusal:
        raise Invalid([Problem("file", str(refusal))]) from refusal
    attachment = Attachment(
        **{OWNERS[type(owner)]: owner.id}, kind=AttachmentKind(kind), note=note,
        file_name=named_for(shown_name(file_name, "attachment"), found),
        content_type=found.content_type, size=len(content),
        sha256=hashlib.sha256(content).hexdigest(), content=content,
        uploaded_by=audit.current_actor())
    db.session.add(attachment)
    _changed(owner, None, logged(attachment))
    return attachment


def remove(attachment: Attachment) -> None:
    """Remove an attached file, once nothing refuses it (refusals). The caller commits."""
    _refuse(refusals(attachment))
    owner = attachment.owner
    shown = logged(attachment)
    db.session.delete(attachment)
    _changed(owner, shown, None)


def refusals(attachment: Attachment) -> list[Problem]:
    """Why a file may not be removed: the role, or it is the only evidence of a resolved finding
    of high or critical severity (supervision.rules). Empty when it may."""
    owner = attachment.owner
    if isinstance(owner, Finding) and evidence_required(FINDINGS.values_of(owner)) \
            and count(owner) == 1:
        return [*_role_problems(),
                Problem(None, _l("This is the only file attached to a resolved finding of high "
                                 "or critical severity: it stays as the finding's evidence."))]
    return _role_problems()


def attachments_of(record: object) -> list[Attachment] | None:
    """The files attached to record, oldest first (without their bytes); None for a kind of
    record that takes none."""
    if type(record) not in OWNERS:
        return None
    return list(db.session.scalars(sa.select(Attachment).where(owned_by(record))
                                   .order_by(Attachment.uploaded_at, Attachment.id)))


def count(record: Record) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)
                             .where(owned_by(record)))


def logged(attachment: Attachment) -> str:
    """How the audit log names a file: name, format, size and SHA-256."""
    return (f"{attachment.file_name} · {attachment.content_type} · {attachment.size:,} B · "
            f"SHA-256 {attachment.sha256}")


def _changed(owner: Record, before: str | None, after: str | None) -> None:
    """Record a file attached or removed as a change of its record, whose revision it raises (so
    a save based on the record as it stood before is refused, as for any other change)."""
    owner.updated_at = utcnow()
    db.session.flush()
    audit.record(AuditAction.UPDATE, owner, {LOGGED: [before, after]})


def _role_problems() -> list[Problem]:
    role = audit.current_role()
    if role.at_least(CHANGE_ROLE):
        return []
    return [Problem(None, _l("Your role (%(role)s) may not attach or remove files.",
                             role=str(role.label)))]


def _value_problems(content: bytes, kind: str, note: str) -> list[Problem]:
    problems = []
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    if len(content) > limit:
        problems.append(Problem("file", _l("The file has %(size)s bytes; the limit is %(limit)s.",
                                           size=f"{len(content):,}", limit=f"{limit:,}")))
    if kind not in {member.value for member in AttachmentKind}:
        problems.append(Problem("kind", _l("Not one of the choices.")))
    if len(note) > NOTE_MAX:
        problems.append(Problem("note", _l("At most %(limit)s characters (this has %(length)s).",
                                           limit=NOTE_MAX, length=len(note))))
    elif has_control_characters(note):
        problems.append(Problem("note", _l("Remove the invisible control characters (such as "
                                           "NUL or escape).")))
    return problems


def _refuse(problems: list[Problem]) -> None:
    if problems:
        raise Invalid(problems)
