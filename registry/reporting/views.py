"""The quarterly report page, its downloads, and saved snapshots."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, gettext

from registry.core.auth import role_required
from registry.core.entity import logged
from registry.core.i18n import lazy_gettext as _l
from registry.core.models import Role
from registry.exchange.responses import send_workbook
from registry.extensions import db
from registry.jobs import queue
from registry.reporting import document, quarterly, snapshots, workbook
from registry.reporting.models import ReportSnapshot
from registry.reporting.presentation import present

bp = Blueprint("reporting", __name__, url_prefix="/reports")
logged("report_snapshots", _l("Snapshot"), quarter=_l("Fiscal quarter"))


def _quarter():
    text = request.args.get("quarter") or request.form.get("quarter")
    try:
        return quarterly.quarter(text)
    except ValueError:
        abort(400, description=gettext("“%(text)s” is not a fiscal quarter: write it like FY2026-Q2 "
                                       "(the fiscal year, then the quarter, 1 to 4).", text=text))


def _download(report: dict, kind: str, name: str, snapshot: ReportSnapshot | None = None):
    if kind == "xlsx":
        return send_workbook(lambda path: workbook.write(report, path, snapshot), f"{name}.xlsx")
    if kind == "pdf":
        body, mimetype = document.pdf(report, snapshot), document.PDF
    else:
        body, mimetype = document.html(report, snapshot), "text/html"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'})


@bp.route("/quarterly")
def quarterly_report():
    """The report of a quarter (the current one by default), generated from the records now."""
    q = _quarter()
    report = quarterly.build(q)
    return render_template("reporting/report.html", doc=present(report), quarter=q, snapshot=None)


@bp.route("/quarterly.<any(xlsx, html, pdf):kind>")
def quarterly_download(kind: str):
    q = _quarter()
    return _download(quarterly.build(q), kind, f"supervision-report-{q}")


@bp.route("/quarterly.pdf", methods=["POST"])
def quarterly_pdf_job():
    """The quarter's report as a PDF, made by a job (it takes a while) whose page offers it."""
    q = _quarter()
    job = queue.submit("report", {"quarter": str(q), "language": str(get_locale())},
                       shown={"quarter": str(q)})
    db.session.commit()
    return redirect(url_for("jobs.job", id=job.id))


@bp.route("/snapshots", methods=["POST"])
@role_required(Role.EDITOR)
def snapshot_create():
    """Generate the quarter's report and keep it as a snapshot."""
    snapshot = snapshots.save(quarterly.build(_quarter()))
    db.session.commit()
    flash(gettext("The report is saved as snapshot #%(id)s.", id=snapshot.id), "info")
    return redirect(url_for("reporting.snapshot_detail", id=snapshot.id))


@bp.route("/snapshots")
def snapshot_list():
    return render_template("reporting/snapshots.html", snapshots=snapshots.listing())


@bp.route("/snapshots/<int:id>")
def snapshot_detail(id: int):
    snapshot = db.get_or_404(ReportSnapshot, id)
    return render_template("reporting/report.html", doc=present(snapshot.content, snapshot.created_by),
                           quarter=snapshot.quarter, snapshot=snapshot)


@bp.route("/snapshots/<int:id>.<any(xlsx, html, pdf):kind>")
def snapshot_download(id: int, kind: str):
    snapshot = db.get_or_404(ReportSnapshot, id)
    return _download(snapshot.content, kind, f"supervision-report-{snapshot.quarter}-{snapshot.id}",
                     snapshot)
