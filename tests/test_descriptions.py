"""One description per entity: a field has one name on the screen, in the workbook and in the
audit log, in both languages; the audit log says the same whichever way a change came in
(observation 13)."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from registry.consignees.models import Contract, clauses
from registry.core.entity import ENTITIES, field_label
from registry.core.models import AuditEntry
from registry.exchange import pipeline
from registry.exchange.apply import apply
from registry.exchange.resources import RESOURCES
from registry.extensions import db
from tests import factories as f
from tests.exchange.helpers import workbook


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_field_has_one_name_on_the_form_the_list_and_the_workbook(app, language):
    with app.test_request_context(), force_locale(language):
        for entity in ENTITIES.values():
            resource = RESOURCES.get(entity.description.name)
            form = entity.form(meta={"csrf": False})
            for column in entity.columns:
                if column.key in entity.description.by_name:
                    assert str(column.label) == str(form[column.key].label.text), column.key
            for column in resource.columns if resource else ():
                if column.field is None or column.reference:
                    continue
                header = column.ja if language == "ja" else column.en
                assert header == str(form[column.field].label.text), (resource.name, column.key)
                assert header == field_label(resource.table.name, column.field)


def test_the_employee_number_and_the_revocation_are_named_once(app):
    """The names that had drifted: 従業者番号 / 社員番号, 取消日 / 削除日, the contact e-mail."""
    headers = {(r.name, c.key): c.ja for r in RESOURCES.values() for c in r.columns}
    assert headers[("employees", "number")] == headers[("access_grants", "employee.number")] \
        == "従業者番号"
    assert headers[("access_grants", "revoked_on")] == "取消日"
    assert headers[("consignees", "contact_email")] == "窓口メールアドレス"
    from registry.questionnaires.workbook import details
    assert ("contact_email", "窓口メールアドレス") in {(d.name, d.label.ja) for d, _ in details()}


def test_the_clause_checklist_is_declared_once(app):
    names = [name for name, _ in clauses()]
    assert len(names) == 7 and all(name.startswith("clause_") for name in names)
    sheet = [c.key for c in RESOURCES["contracts"].columns if c.key.startswith("clause_")]
    form = [name for name in ENTITIES[Contract].form(meta={"csrf": False})._fields
            if name.startswith("clause_")]
    assert names == sheet == form


def _audit(entity: str, reference_column, reference: str) -> tuple:
    record_id = db.session.scalar(sa.select(reference_column.class_.id)
                                  .where(reference_column == reference))
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.entity == entity, AuditEntry.record_id == record_id)
        .order_by(AuditEntry.id.desc())).first()
    changes = {k: v for k, v in entry.changes.items() if k != "reference"}
    return entry.action, entry.record_label.replace(reference, "REF"), changes


def test_the_audit_log_says_the_same_whichever_door(app_ctx, as_role, tmp_path):
    """A contract and an entrustment created through the form and through a workbook."""
    consignee = f.make_consignee(name="監査株式会社")
    link = f.make_link()
    db.session.commit()
    editor = as_role("editor")
    assert editor.post("/contracts/new", {
        "reference": "CON-FORM", "consignee": consignee.id, "contract_type": "dpa",
        "clause_confidentiality": "y", "start_on": "2025-04-01"}).status_code == 302
    assert editor.post("/entrustments/new", {
        "reference": "ENT-FORM", "consignee": consignee.id, "purpose": link.purpose.id,
        "categories": [link.category.id], "work": "配送"}).status_code == 302
    path = workbook(tmp_path / "doors.xlsx", {
        "Contracts": [["Reference", "Consignee", "Type", "Confidentiality clause", "Start"],
                      ["CON-BOOK", "監査株式会社", "dpa", "Yes", "2025-04-01"]],
        "Entrustments": [["Reference", "Consignee", "Purpose of use", "Data categories",
                          "Work entrusted"],
                         ["ENT-BOOK", "監査株式会社", link.purpose.code, link.category.name, "配送"]],
    })
    uploaded = editor.post("/exchange/import", {"workbook": (io.BytesIO(path.read_bytes()), "d.xlsx")},
                           form_url="/exchange/", content_type="multipart/form-data")
    preview = uploaded.headers["Location"]
    assert editor.post(preview + "/apply", form_url=preview).status_code == 302
    db.session.expire_all()
    from registry.consignees.models import Entrustment

    assert _audit("contracts", Contract.reference, "CON-FORM") == \
        _audit("contracts", Contract.reference, "CON-BOOK")
    assert _audit("entrustments", Entrustment.reference, "ENT-FORM") == \
        _audit("entrustments", Entrustment.reference, "ENT-BOOK")


def test_an_update_is_logged_alike_through_the_form_and_the_workbook(app_ctx, as_role, tmp_path):
    link = f.make_link()
    other = f.make_link(purpose=link.purpose)
    before, after = f.make_consignee(name="旧委託先"), f.make_consignee(name="新委託先")
    by_form = f.make_entrustment(reference="ENT-F2", consignee=before, purpose=link.purpose,
                                 categories=[link.category])
    f.make_entrustment(reference="ENT-B2", consignee=before, purpose=link.purpose,
                       categories=[link.category])
    db.session.commit()
    editor = as_role("editor")
    assert editor.post(f"/entrustments/{by_form.id}/edit", {
        "reference": "ENT-F2", "consignee": after.id, "purpose": link.purpose.id,
        "categories": [link.category.id, other.category.id], "work": "配送業務"}).status_code == 302
    path = workbook(tmp_path / "update.xlsx", {"Entrustments": [
        ["Reference", "Consignee", "Purpose of use", "Data categories", "Work entrusted"],
        ["ENT-B2", "新委託先", link.purpose.code, f"{link.category.name}; {other.category.name}",
         "配送業務"]]})
    apply(pipeline.plan_file(path), "update.xlsx", path.read_bytes())
    db.session.flush()
    from registry.consignees.models import Entrustment

    assert _audit("entrustments", Entrustment.reference, "ENT-F2") == \
        _audit("entrustments", Entrustment.reference, "ENT-B2")
