"""The quarterly report page, its downloads, and saved snapshots."""

from __future__ import annotations

import functools
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext

from registry.core.auth import role_required
from registry.core.models import Role
from registry.exchange.responses import send_workbook
from registry.extensions import db
from registry.reporting import quarterly, snapshots, workbook
from registry.reporting.models import ReportSnapshot
from registry.reporting.presentation import present

bp = Blueprint("reporting", __name__, url_prefix="/reports")


def _quarter():
    text = request.args.get("quarter") or request.form.get("quarter")
    try:
        return quarterly.quarter(text)
    except ValueError:
        abort(400, description=gettext("“%(text)s” is not a fiscal quarter: write it like FY2026-Q2 "
                                       "(the fiscal year, then the quarter, 1 to 4).", text=text))


def render_standalone(report: dict) -> str:
    """The report as one HTML file with its styles inside, to print or to send."""
    return render_template("reporting/standalone.html", report=report, sections=present(report),
                           css=_stylesheet(current_app.static_folder))


@functools.cache
def _stylesheet(folder: str) -> str:
    return (Path(folder) / "registry.css").read_text()


def _downloads(report: dict, kind: str, name: str):
    if kind == "html":
        return Response(render_standalone(report), mimetype="text/html",
                        headers={"Content-Disposition": f'attachment; filename="{name}.html"'})
    return send_workbook(lambda path: workbook.write(report, path), f"{name}.xlsx")


@bp.route("/quarterly")
def quarterly_report():
    """The report of a quarter (the current one by default), generated from the records now."""
    q = _quarter()
    report = quarterly.build(q)
    return render_template("reporting/report.html", report=report, sections=present(report),
                           quarter=q, snapshot=None)


@bp.route("/quarterly.<any(xlsx, html):kind>")
def quarterly_download(kind: str):
    q = _quarter()
    return _downloads(quarterly.build(q), kind, f"supervision-report-{q}")


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
    return render_template("reporting/report.html", report=snapshot.content,
                           sections=present(snapshot.content), quarter=snapshot.quarter,
                           snapshot=snapshot)


@bp.route("/snapshots/<int:id>.<any(xlsx, html):kind>")
def snapshot_download(id: int, kind: str):
    snapshot = db.get_or_404(ReportSnapshot, id)
    return _downloads(snapshot.content, kind, f"supervision-report-{snapshot.quarter}-{snapshot.id}")
