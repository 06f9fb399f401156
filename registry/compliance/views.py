"""Pages for the check catalogue, each check's results, and waivers."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from registry.compliance import engine, waivers
from registry.compliance.catalogue import CATALOGUE, Check
from registry.compliance.forms import WaiverForm
from registry.compliance.models import Waiver
from registry.core.auth import role_required
from registry.core.entity import logged
from registry.core.i18n import lazy_gettext as _l
from registry.core.models import Role
from registry.core.web import Window, page_number
from registry.extensions import db

bp = Blueprint("compliance", __name__, url_prefix="/compliance")


def _check(code: str) -> Check:
    if code not in CATALOGUE:
        abort(404)
    return CATALOGUE[code]

logged("waivers", _l("Waiver"), check_code=_l("Check"), subject_id=_l("Record"),
       subject_label=_l("Record"), reason=_l("Reason"), waived_on=_l("From"),
       expires_on=_l("Until"), waived_by=_l("Given by"), withdrawn_on=_l("Withdrawn on"))


@bp.route("/")
def index():
    """The catalogue with the number of open and waived results of each check."""
    return render_template("compliance/index.html", tallies=engine.tallies(engine.context()))


@bp.route("/<code>")
def check_detail(code: str):
    """What the check looks for, and the records that offend it (open or waived)."""
    check = _check(code)
    waived = request.args.get("state") == "waived"
    number, per_page = page_number(request.args), current_app.config["PAGE_SIZE"]
    found, total = engine.results(check, engine.context(), waived=waived, limit=per_page,
                                  offset=(number - 1) * per_page)
    page = Window(number, per_page, found, total)
    return render_template("compliance/check.html", check=check, severity=engine.severity(check),
                           page=page, waived=waived,
                           waivers={w.id: w for w in waivers.standing(
                               [r.waiver_id for r in page.items])} if waived else {})


@bp.route("/<code>/<int:subject_id>/waive", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def waive(code: str, subject_id: int):
    """Accept one open result until a day, with the reason."""
    check = _check(code)
    label = waivers.offending_label(check, subject_id)
    if label is None:
        flash(gettext("This record no longer offends the check."), "info")
        return redirect(url_for("compliance.check_detail", code=code))
    form = WaiverForm()
    if form.validate_on_submit():
        waivers.waive(check, subject_id, label, form.reason.data, form.expires_on.data)
        db.session.commit()
        flash(gettext("The result is waived until %(day)s.", day=form.expires_on.data.isoformat()),
              "info")
        return redirect(url_for("compliance.check_detail", code=code))
    return render_template("compliance/waive.html", check=check, label=label, form=form), \
        400 if form.errors else 200


@bp.route("/waivers")
def waiver_list():
    """Waivers in force today, the soonest to expire first."""
    return render_template("compliance/waivers.html", waivers=waivers.standing(), catalogue=CATALOGUE)


@bp.route("/waivers/<int:id>/withdraw", methods=["POST"])
@role_required(Role.ADMIN)
def withdraw(id: int):
    """End a waiver today."""
    waiver = db.get_or_404(Waiver, id)
    if waiver.withdrawn_on is None:
        waivers.withdraw(waiver)
        db.session.commit()
        flash(gettext("The waiver is withdrawn; the result is open again."), "info")
    return redirect(url_for("compliance.waiver_list"))
