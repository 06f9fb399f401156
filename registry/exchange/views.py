"""Pages of the workbook exchange: export downloads, upload with preview, import batches, revert."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale, gettext
from flask_login import current_user

from registry.core import clock, transactions
from registry.core.auth import role_required
from registry.core.entity import ENTITIES
from registry.core.models import AuditEntry, Role
from registry.core.web import paginate, query_arguments
from registry.exchange import pipeline, uploads, write
from registry.exchange.apply import RevertRefused, Stale, apply, revert, revert_refusal
from registry.exchange.forms import ImportForm, LedgerForm, RevertForm
from registry.exchange.guard import Refused
from registry.exchange.models import ImportBatch
from registry.exchange.resources import RESOURCES, by_model
from registry.exchange.responses import XLSX, refused, send_workbook
from registry.extensions import db
from registry.jobs import queue

bp = Blueprint("exchange", __name__, url_prefix="/exchange")

#: rows of each sheet shown in the preview (the counts always cover all of them)
PREVIEW_ROWS = 200


@bp.app_template_global()
def export_url(model: type) -> str | None:
    """The download of a list as a workbook, with the list's search and filters; None for a
    list that has no sheet."""
    resource = by_model(model)
    if resource is None:
        return None
    return url_for("exchange.export", **{**query_arguments(), "entity": resource.name})


@bp.app_template_global()
def sheet_title(name: str) -> str:
    """A sheet's name in the interface language."""
    resource = RESOURCES.get(name)
    return resource.sheet_name(str(get_locale())) if resource else name


@bp.route("/")
def index():
    batches = db.session.scalars(
        sa.select(ImportBatch).order_by(ImportBatch.id.desc()).limit(50)).all()
    return render_template("exchange/index.html", form=ImportForm(), batches=batches,
                           ledger_form=LedgerForm())


@bp.route("/export")
@transactions.snapshot
def export():
    """The whole inventory, or (?entity=...) one entity with the list page's filters."""
    language = request.args.get("language") or str(get_locale())
    language = language if language in ("en", "ja") else "en"
    only = None
    name = request.args.get("entity")
    if name:
        resource = RESOURCES.get(name) or abort(404)
        query, _ = ENTITIES[resource.model].list_query(request.args)
        only = {name: query.with_only_columns(resource.model.id).order_by(None)}
    filename = f"registry-{name or 'inventory'}-{clock.today().isoformat()}.xlsx"
    return send_workbook(lambda path: write.export(path, language, only), filename)


@bp.route("/export", methods=["POST"])
def export_job():
    """The whole inventory, written by a job whose page offers the download when it is done."""
    language = request.form.get("language")
    language = language if language in ("en", "ja") else "en"
    job = queue.submit("export", {"language": language}, shown={"language": language})
    db.session.commit()
    return redirect(url_for("jobs.job", id=job.id))


@bp.route("/import", methods=["POST"])
@role_required(Role.EDITOR)
@uploads.receives_workbooks
def upload():
    form = ImportForm()
    return uploads.received(form, "workbook", {"sync": form.sync.data},
                            gettext("Choose a workbook (.xlsx) to import."), url_for("exchange.index"))


def _stored(token: str) -> uploads.Stored:
    """The current user's pending import of token, or 404."""
    stored = uploads.load(token, current_user.id)
    if stored is None:
        abort(404)
    return stored


def _plan(stored: uploads.Stored, **options):
    """The plan of a pending upload, with what its upload asked for (--sync; the consignee a
    returned questionnaire must be for) and what the confirmation adds (its form: a returned
    questionnaire's corrections accepted and kind of check)."""
    with stored.path() as path:
        return pipeline.plan_file(path, **stored.details, filename=stored.filename, **options)


@bp.route("/import/<token>")
@role_required(Role.EDITOR)
@transactions.snapshot
def preview(token: str):
    stored = _stored(token)
    try:
        plan = _plan(stored)
    except Refused as refusal:
        return refused(token, stored.filename, refusal)
    return render_template("exchange/preview.html", plan=plan, upload=stored, token=token,
                           form=ImportForm(), limit=PREVIEW_ROWS, labels=write.choice_labels(
                               str(get_locale()) if str(get_locale()) in ("en", "ja") else "en"))


@bp.route("/import/<token>/apply", methods=["POST"])
@role_required(Role.EDITOR)
def confirm(token: str):
    """Apply a previewed upload: at once when it is small, else as a job (checked again and
    applied by a worker) whose page the user follows."""
    stored = _stored(token)
    if len(stored.content) >= current_app.config["JOBS_IMPORT_MIN_BYTES"]:
        job = queue.submit("import", {
            "filename": stored.filename, "details": stored.details,
            "confirmation": [[name, value] for name, value in request.form.items(multi=True)
                             if name != "csrf_token"],
            "language": str(get_locale())}, stored.content, shown={"file": stored.filename})
        uploads.discard(token)
        db.session.commit()
        return redirect(url_for("jobs.job", id=job.id))
    try:
        # plan without holding other writers back (SQLite)
        with transactions.writing(False):
            db.session.rollback()  # the request's transaction, begun to write, takes the lock
            plan = _plan(stored, confirmation=request.form)
            db.session.rollback()
    except Refused:
        return redirect(url_for("exchange.preview", token=token))
    if not plan.valid:
        flash(gettext("Nothing was written: %(problems)s",
                      problems="; ".join(str(issue) for issue in plan.issues[:5])), "error")
        return redirect(url_for("exchange.preview", token=token))
    if not plan.changes_anything:
        uploads.discard(token)
        db.session.commit()
        flash(gettext("Nothing to change: the registry already holds this data."), "info")
        return redirect(url_for("exchange.index"))
    try:
        batch = apply(plan, stored.filename, stored.content)
    except Stale as stale:
        db.session.rollback()
        flash(gettext("Another change reached the registry first (%(what)s). Nothing was written; "
                      "here is the workbook checked again.", what=str(stale)), "error")
        return redirect(url_for("exchange.preview", token=token))
    uploads.discard(token)
    db.session.commit()
    flash(gettext("The workbook was imported as batch %(id)s.", id=batch.id), "success")
    return redirect(url_for("exchange.batch", id=batch.id))


@bp.route("/batches/<int:id>")
def batch(id: int):
    found = db.get_or_404(ImportBatch, id)
    entries = paginate(
        sa.select(AuditEntry).where(AuditEntry.batch_id == id).order_by(AuditEntry.id))
    return render_template("exchange/batch.html", batch=found, page=entries)


@bp.route("/batches/<int:id>/file")
def batch_file(id: int):
    found = db.get_or_404(ImportBatch, id)
    data = db.session.scalar(sa.select(ImportBatch.content).where(ImportBatch.id == id))
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True,
                     download_name=found.filename)


@bp.route("/batches/<int:id>/revert", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def batch_revert(id: int):
    """Confirm, then revert, an import batch: the page says what will be undone (or why it
    cannot be), as a delete's does."""
    found = db.get_or_404(ImportBatch, id)
    form = RevertForm()
    if form.validate_on_submit() and form.batch.data == str(found.id):
        try:
            revert(found)
        except RevertRefused as refusal:
            db.session.rollback()
            flash(gettext("The import cannot be reverted: %(reason)s", reason=str(refusal)),
                  "error")
            return redirect(url_for("exchange.batch_revert", id=id))
        db.session.commit()
        flash(gettext("Import batch %(id)s was reverted.", id=id), "success")
        return redirect(url_for("exchange.batch", id=id))
    return render_template("exchange/revert.html", batch=found, form=form,
                           refusal=revert_refusal(found))
