"""Pages of the ledger import: upload, the suggested mapping as a form (each column with its
sample values and a choice of field, a mapping saved by name for next time), then the import
pipeline's own preview and confirmation."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from registry.core import audit
from registry.core.auth import role_required
from registry.core.fields import Form, text
from registry.core.i18n import lazy_gettext as _l
from registry.core.models import Role
from registry.exchange import pipeline, uploads
from registry.exchange.forms import LedgerForm
from registry.exchange.guard import Refused
from registry.exchange.responses import refused
from registry.extensions import db
from registry.ledger import sheets
from registry.ledger.fields import FIELDS
from registry.ledger.importer import LEDGER
from registry.ledger.mapping import ColumnMap, Mapping, suggest
from registry.ledger.models import LedgerMapping

bp = Blueprint("ledger", __name__, url_prefix="/ledger")


class MappingForm(Form):
    """The mapping's name to save it under (the columns' fields are read from the request)."""

    save_as = text(_l("Save this mapping as (optional)"), max=128)


@bp.route("/upload", methods=["POST"])
@role_required(Role.EDITOR)
@uploads.receives_workbooks
def upload():
    return uploads.received(LedgerForm(), "ledger", {"kind": LEDGER},
                            gettext("Choose your ledger (.xlsx or .csv)."), url_for("exchange.index"),
                            then="ledger.mapping")


@bp.route("/<token>", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def mapping(token: str):
    """How to read the uploaded ledger: suggested, or a saved mapping, changed column by column."""
    stored = uploads.load(token, current_user.id)
    if stored is None or stored.details.get("kind") != LEDGER:
        abort(404)
    try:
        with stored.path() as path:
            grids = sheets.read(path, pipeline.limits(), stored.filename)
        chosen = _chosen(grids, stored.details)
    except Refused as refusal:
        return refused(token, stored.filename, refusal)
    form = MappingForm()
    problems = []
    if request.method == "POST" and form.validate_on_submit():
        chosen, problems = _posted(chosen)
        if not problems:
            if form.save_as.data:
                _save(form.save_as.data, chosen)
            uploads.update(token, current_user.id, {"kind": LEDGER, "mapping": chosen.to_data()})
            db.session.commit()
            return redirect(url_for("exchange.preview", token=token))
    saved = db.session.scalars(sa.select(LedgerMapping).order_by(LedgerMapping.name)).all()
    return render_template("ledger/mapping.html", mapping=chosen, form=form, token=token,
                           filename=stored.filename, fields=FIELDS, saved=saved,
                           sheets=[g.name for g in grids if not g.hidden and not g.empty],
                           problems=problems)


def _chosen(grids: list[sheets.Grid], details: dict) -> Mapping:
    """A saved mapping asked for (?saved=), another sheet (?sheet=), the one chosen before, or
    the suggestion."""
    if request.args.get("saved", type=int):
        found = db.get_or_404(LedgerMapping, request.args.get("saved", type=int))
        return Mapping.from_json(found.mapping)
    if request.args.get("sheet"):
        return suggest(grids, request.args["sheet"])
    if details.get("mapping"):
        return Mapping.from_data(details["mapping"])
    return suggest(grids)


def _posted(chosen: Mapping) -> tuple[Mapping, list[str]]:
    """The mapping with each column's field as the form sent it, and what is wrong with it."""
    known = {f.name for f in FIELDS}
    columns, problems, taken = [], [], {}
    for column in chosen.columns:
        field = request.form.get(f"field-{column.column}", "") or None
        if field is not None and field not in known:
            abort(400)
        if field in taken:
            problems.append(gettext("Columns %(first)s and %(second)s both hold %(field)s: choose "
                                    "one of them.", first=taken[field], second=column.column,
                                    field=next(str(f.label) for f in FIELDS if f.name == field)))
        elif field:
            taken[field] = column.column
        columns.append(ColumnMap(column.column, column.heading, field, column.samples))
    if not {"purpose", "categories", "consignee"} & set(taken):
        problems.append(gettext("Choose at least the column of the purposes, the data items or "
                                "the consignees."))
    return Mapping(chosen.sheet, chosen.header_rows, columns, chosen.reasons), problems


def _save(name: str, chosen: Mapping) -> None:
    """Keep the mapping under its name (replacing one of the same name)."""
    found = db.session.scalar(sa.select(LedgerMapping).where(LedgerMapping.name == name))
    if found is None:
        db.session.add(LedgerMapping(name=name, mapping=chosen.to_json(),
                                     saved_by=audit.current_actor()))
    else:
        found.mapping, found.saved_by = chosen.to_json(), audit.current_actor()
    flash(gettext("The mapping was saved as “%(name)s”.", name=name), "success")
