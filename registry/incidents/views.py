"""Pages for incidents: the list, each incident with its assessment and clocks, and the report
to the PPC as a page and a workbook."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_wtf import FlaskForm
from sqlalchemy import orm as so

from registry.consignees.models import Consignee
from registry.core.auth import role_required
from registry.core.entity import Column, DateRange, Entity, Filter, RecordFilter
from registry.core.i18n import lazy_gettext as _l
from registry.core.models import Role
from registry.core.schema import Invalid
from registry.exchange.responses import send_workbook
from registry.extensions import db
from registry.incidents import assessment, report, services
from registry.incidents.models import Incident, IncidentKind
from registry.incidents.rules import INCIDENTS

bp = Blueprint("incidents", __name__)


def _context(incident: Incident) -> dict:
    return {"assessment": assessment.assess(incident), "clocks": assessment.clocks(incident)}


incidents = Entity(
    name="incidents",
    description=INCIDENTS,
    columns=[
        Column("reference", Incident.reference, link=True),
        Column("summary", Incident.summary),
        Column("kind", Incident.kind),
        Column("learned_on", Incident.learned_on),
        Column("persons", Incident.persons),
        Column("consignee", Consignee.name),
        Column("reportable", label=_l("To be reported")),
        Column("next_due_on", label=_l("Next deadline")),
    ],
    search=(Incident.reference, Incident.summary, Incident.cause, Consignee.name),
    filters=(
        Filter.on(Incident.kind, "kind", _l("Kind of incident"), IncidentKind.choices),
        RecordFilter("consignee", _l("Consignee"), Consignee,
                     lambda v: Incident.consignee_id == int(v),
                     value=lambda: Consignee.id, name=lambda: Consignee.label),
        DateRange("learned_on", INCIDENTS.by_name["learned_on"].label, Incident.learned_on),
    ),
    default_sort="-learned_on",
    joins=(Incident.consignee,),
    load=(so.selectinload(Incident.categories),),
    detail_template="incidents/detail.html",
    detail_context=_context,
)
incidents.register(bp)


@bp.route("/incidents/<int:id>/report")
def report_page(id: int):
    """The report to the PPC, its items in the order of rule 8(1), in Japanese."""
    incident = incidents.get_or_404(id)
    return render_template("incidents/report.html", obj=incident, report=report.build(incident))


@bp.route("/incidents/<int:id>/report.xlsx")
def report_workbook(id: int):
    """The same report as a workbook of two columns, item and content."""
    incident = incidents.get_or_404(id)
    items = report.build(incident)
    return send_workbook(lambda path: report.write(items, path), f"{incident.reference}-report.xlsx")


@bp.route("/incidents/<int:id>/finding", methods=["POST"])
@role_required(Role.EDITOR)
def open_finding(id: int):
    """Open an ad hoc check of the consignee at which the incident happened, with its finding."""
    incident = incidents.get_or_404(id)
    if FlaskForm().validate_on_submit():
        try:
            finding = services.open_finding(incident)
        except Invalid as invalid:
            db.session.rollback()
            flash(str(invalid), "error")
        else:
            db.session.commit()
            flash(gettext("Finding “%(finding)s” was opened on %(consignee)s.",
                          finding=finding.reference, consignee=incident.consignee.name), "success")
    return redirect(url_for("incidents.incidents_detail", id=id))
