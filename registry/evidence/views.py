"""Attaching files to records, downloading and removing them."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import quote

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext

from registry.consignees.models import Consignee, Contract
from registry.consignees.views import consignees, contracts
from registry.core.auth import role_required
from registry.core.entity import Dependent
from registry.core.fields import Form
from registry.core.i18n import lazy_gettext as _l
from registry.core.model import Record
from registry.core.models import Role
from registry.core.schema import Invalid
from registry.core.web import receives_files, record_url
from registry.evidence import services
from registry.evidence.formats import ACCEPTED, FORMATS
from registry.evidence.forms import AttachForm
from registry.evidence.models import ATTACHED_FILES, Attachment, AttachmentKind, owned_by
from registry.extensions import db
from registry.questionnaires.models import Questionnaire
from registry.supervision.models import Finding, SupervisionCheck
from registry.supervision.views import checks, findings

bp = Blueprint("evidence", __name__)

#: the records files are attached to, by the path of their pages, with the kind of file each
#: usually gets
PAGES: dict[str, tuple[type[Record], AttachmentKind]] = {
    "consignees": (Consignee, AttachmentKind.CERTIFICATE),
    "contracts": (Contract, AttachmentKind.CONTRACT),
    "checks": (SupervisionCheck, AttachmentKind.AUDIT_REPORT),
    "findings": (Finding, AttachmentKind.REMEDIATION),
    "questionnaires": (Questionnaire, AttachmentKind.AUDIT_REPORT),
}
PATHS = {model: path for path, (model, _usual) in PAGES.items()}
#: room in an upload's request for the form's other fields and the multipart framing
FORM_BYTES = 64 * 1024
FORMAT_NAMES = {found.content_type: found.name for found in FORMATS}

# a record with files attached is deleted only once they are removed, one by one, each audited
for entity in (consignees, contracts, checks, findings):
    entity.dependents += (Dependent(ATTACHED_FILES, Attachment, owned_by),)


@dataclass(frozen=True)
class Evidence:
    """What a record page shows of the files attached to its record."""

    files: list[Attachment]
    attach_url: str
    usual: AttachmentKind
    hint: object
    kinds = AttachmentKind.choices()
    accepted = ACCEPTED


@bp.app_template_global()
def evidence_of(record: object) -> Evidence | None:
    """The files attached to the record a page shows; None for a kind of record that takes
    none."""
    files = services.attachments_of(record)
    if files is None:
        return None
    path = PATHS[type(record)]
    return Evidence(files, url_for("evidence.attach", kind=path, id=record.id), PAGES[path][1],
                    _accepted_files())


def _accepted_files():
    """What may be attached, and up to which size."""
    return _l("PDF, PNG, JPEG, Excel (.xlsx) or Word (.docx), at most %(size)s.",
              size=file_size(current_app.config["ATTACHMENT_MAX_BYTES"]))


@bp.app_template_filter()
def file_size(size: int) -> str:
    """A size as people read it: 512 B, 3.4 KB, 12.0 MB."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:,.1f} {unit}"
    return f"{size} B"


@bp.app_template_filter()
def format_name(content_type: str) -> str:
    return FORMAT_NAMES.get(content_type, content_type)


def _attachment_limit(config) -> int:
    return config["ATTACHMENT_MAX_BYTES"] + FORM_BYTES


@role_required(Role.EDITOR)
@receives_files(_attachment_limit)
def attach(kind: str, id: int):
    """Attach a file to a record: the form, and the refusal beside its field."""
    model, usual = PAGES[kind]
    owner = db.get_or_404(model, id)
    form = AttachForm(data={"kind": usual.value})
    form.file.description = _accepted_files()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            attachment = services.attach(owner, upload.filename, upload.read(), form.kind.data,
                                         form.note.data or "")
        except Invalid as invalid:
            db.session.rollback()
            form.refuse(invalid.problems)
        else:
            db.session.commit()
            flash(gettext("“%(file)s” was attached to %(record)s.", file=attachment.file_name,
                          record=str(owner)), "success")
            return redirect(record_url(owner) + "#attachments")
    return render_template("evidence/attach.html", form=form, owner=owner)


for path in PAGES:
    bp.add_url_rule(f"/{path}/<int:id>/attachments/new", "attach", attach,
                    defaults={"kind": path}, methods=["GET", "POST"])


@bp.route("/attachments/<int:id>")
def download(id: int):
    """The file, always as a download, as the format found in its bytes."""
    found = db.session.execute(
        sa.select(Attachment.file_name, Attachment.content_type, Attachment.content)
        .where(Attachment.id == id)).one_or_none()
    if found is None:
        abort(404)
    # the bytes as the database gave them, sent as they are (no copy)
    response = Response([found.content], mimetype=found.content_type, direct_passthrough=True)
    response.content_length = len(found.content)
    response.headers.set("Content-Disposition", "attachment", **_download_names(found.file_name))
    return response


def _download_names(name: str) -> dict[str, str]:
    """The Content-Disposition file name: as it is when ASCII, else an ASCII stand-in and the
    name itself, UTF-8 and percent-encoded (RFC 5987, filename*), which browsers prefer."""
    if name.isascii():
        return {"filename": name}
    simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    stem = simple.rpartition(".")[0] if "." in simple else simple
    if not any(character.isalnum() for character in stem):
        simple = "attachment" + PurePosixPath(name).suffix
    return {"filename": simple, "filename*": "UTF-8''" + quote(name, safe="!#$&+-.^_`|~")}


@bp.route("/attachments/<int:id>/remove", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def remove(id: int):
    """Remove an attached file once confirmed, as Delete asks."""
    attachment = db.get_or_404(Attachment, id)
    owner = attachment.owner
    form = Form()
    refusals = services.refusals(attachment)
    if form.validate_on_submit() and not refusals:
        name = attachment.file_name
        services.remove(attachment)
        db.session.commit()
        flash(gettext("“%(file)s” was removed from %(record)s.", file=name, record=str(owner)),
              "success")
        return redirect(record_url(owner) + "#attachments")
    status = 409 if refusals and form.is_submitted() else 200
    return render_template("evidence/remove.html", attachment=attachment, owner=owner, form=form,
                           refusals=refusals), status
