"""One rule set behind every door: a value a form refuses is refused by a workbook import with the
same message, and what a role may not do in the browser it may not do by import."""

from __future__ import annotations

import html
import io
import re
import string
from datetime import date, timedelta

import openpyxl
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.cli import cli
from registry.consignees.models import Consignee, Entrustment
from registry.core import audit
from registry.core.models import Role
from registry.core.schema import AREA, INTEGER, TEXT
from registry.exchange import pipeline, write
from registry.exchange.resources import REQUIRED_MARK, by_model
from registry.extensions import db
from registry.supervision.models import Finding, FindingStatus
from tests import factories as f
from tests.exchange.helpers import workbook
from tests.test_entities import SPECS, _form_data

ERROR = re.compile(r'<p class="error"[^>]*>(.*?)</p>', re.S)
VALID_NUMBER = "7000012050002"
#: hypothesis settings for properties that post forms and plan workbooks
EXAMPLES = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def form_messages(response) -> list[str]:
    """The messages a form page shows beside its fields and above it."""
    return sorted(html.unescape(m).strip() for m in ERROR.findall(response.get_data(as_text=True)))


def import_messages(path, row: int = 2) -> list[str]:
    """The messages a workbook's plan gives for one of its rows."""
    plan = pipeline.plan_file(path)
    return sorted(issue.message for issue in plan.issues if issue.row == row)


def both_doors(client, tmp_path, url: str, form: dict, sheet: str, row: dict) -> tuple:
    """What a form and a workbook import say of the same record (the import is planned first:
    planning writes nothing)."""
    path = workbook(tmp_path / "door.xlsx", {sheet: [list(row), list(row.values())]})
    imported = import_messages(path)
    response = client.post(url, form)
    formed = form_messages(response) if response.status_code == 200 else []
    return formed, imported


# -- observation 11: forms refused what the checks flag; now forms and imports refuse it alike ----

def test_a_foreign_consignee_cannot_be_handled_in_japan(app_ctx, as_role, tmp_path):
    admin = as_role("admin")
    formed, imported = both_doors(
        admin, tmp_path, "/consignees/new",
        {"name": "Acme Inc.", "country": "US", "cross_border_basis": "not_applicable",
         "risk_tier": "high", "status": "active"},
        "Consignees", {"Name": "Acme Inc.", "Country": "US",
                       "Cross-border basis (Art. 28)": "Not applicable (handled in Japan)"})
    assert formed == imported
    assert any("handled abroad (US)" in message for message in formed)
    assert db.session.scalar(sa.select(Consignee).where(Consignee.name == "Acme Inc.")) is None


def test_an_unknown_country_code_is_refused(app_ctx, as_role, tmp_path):
    formed, imported = both_doors(
        as_role("editor"), tmp_path, "/consignees/new",
        {"name": "Nowhere Ltd", "country": "XX", "risk_tier": "low", "status": "active"},
        "Consignees", {"Name": "Nowhere Ltd", "Country": "XX", "Risk tier": "Low"})
    assert formed == imported == [
        "Not a country code: give the two-letter ISO 3166 code, such as JP, US or DE."]


def test_a_category_cannot_be_entrusted_beyond_its_purpose(app_ctx, as_role, tmp_path):
    consignee = f.make_consignee(name="配送株式会社")
    purpose = f.make_purpose(code="P9")
    used = f.make_link(purpose=purpose).category
    unused = f.make_category(name="健康情報")
    db.session.commit()
    formed, imported = both_doors(
        as_role("editor"), tmp_path, "/entrustments/new",
        {"reference": "ENT-B1", "consignee": consignee.id, "purpose": purpose.id,
         "categories": [used.id, unused.id], "work": "配送"},
        "Entrustments", {"Reference": "ENT-B1", "Consignee": "配送株式会社", "Purpose of use": "P9",
                         "Data categories": f"{used.name}; 健康情報", "Work entrusted": "配送"})
    assert formed == imported
    assert formed and "does not use 健康情報" in formed[0] and used.name not in formed[0]
    assert db.session.scalar(sa.select(Entrustment).where(Entrustment.reference == "ENT-B1")) is None


def test_a_link_an_entrustment_relies_on_cannot_be_deleted(app_ctx, as_role):
    link = f.make_link()
    f.make_entrustment(purpose=link.purpose, categories=[link.category])
    db.session.commit()
    response = as_role("editor").post(f"/purpose-categories/{link.id}/delete")
    assert response.status_code == 409
    assert "Entrustments handing this category over" in response.get_data(as_text=True)


# -- observation 1: an editor's import changed findings as the form forbids ----------------------

def _findings_workbook(tmp_path, check, rows) -> object:
    header = ["Reference", "Supervision check", "Description", "Status", "Resolution"]
    return workbook(tmp_path / "findings.xlsx", {"Findings": [header] + [
        [reference, check.reference, "誓約書の未回収", status, resolution]
        for reference, status, resolution in rows]})


def test_an_editor_cannot_accept_a_risk_or_reopen_a_finding_by_import(app_ctx, as_role, tmp_path):
    check = f.make_check(reference="CHK-F1")
    f.make_finding(reference="FND-OPEN", check=check)
    f.make_finding(reference="FND-DONE", check=check, status="resolved")
    db.session.commit()
    path = _findings_workbook(tmp_path, check, [("FND-OPEN", "Risk accepted", ""),
                                                ("FND-DONE", "Open", "誓約書を回収した")])
    editor = as_role("editor")
    uploaded = editor.post("/exchange/import", {"workbook": (io.BytesIO(path.read_bytes()), "f.xlsx")},
                           form_url="/exchange/", content_type="multipart/form-data")
    page = html.unescape(editor.get(uploaded.headers["Location"]).get_data(as_text=True))
    assert "Only an administrator can accept a risk." in page
    assert "it cannot go back" in page
    assert "Apply these changes" not in page
    db.session.expire_all()
    statuses = dict(db.session.execute(sa.select(Finding.reference, Finding.status)).all())
    assert statuses == {"FND-OPEN": FindingStatus.OPEN, "FND-DONE": FindingStatus.RESOLVED}


def test_the_form_and_the_import_refuse_a_finding_with_the_same_words(app_ctx, as_role, tmp_path):
    check = f.make_check(reference="CHK-F2")
    finding = f.make_finding(reference="FND-X", check=check)
    db.session.commit()
    audit.act_as("test", Role.EDITOR)
    imported = import_messages(_findings_workbook(tmp_path, check, [("FND-X", "Risk accepted", "")]))
    response = as_role("editor").post(f"/findings/{finding.id}/edit", {
        "reference": "FND-X", "check": check.id, "description": "誓約書の未回収", "severity": "medium",
        "status": "accepted", "resolution": ""})
    assert form_messages(response) == imported == ["Only an administrator can accept a risk."]


def test_the_command_line_acts_as_an_administrator_and_keeps_the_rules(app, app_ctx, tmp_path):
    check = f.make_check(reference="CHK-F3")
    f.make_finding(reference="FND-Y", check=check)
    f.make_finding(reference="FND-Z", check=check, status="resolved")
    db.session.commit()
    runner = app.test_cli_runner()
    refused = runner.invoke(cli, ["import", str(_findings_workbook(
        tmp_path, check, [("FND-Y", "Risk accepted", ""), ("FND-Z", "In progress", "x")]))])
    assert refused.exit_code == 1
    assert "needs a reason" in refused.output and "cannot go back" in refused.output
    accepted = runner.invoke(cli, ["import", str(_findings_workbook(
        tmp_path, check, [("FND-Y", "Risk accepted", "費用対効果が低い")]))])
    assert accepted.exit_code == 0, accepted.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(Finding.status).where(Finding.reference == "FND-Y")) \
        == FindingStatus.ACCEPTED


# -- the property: whatever the values, both doors agree ------------------------------------------

countries = st.one_of(st.sampled_from(["JP", "US", "DE", "GB", "CN", "SG", "XX", "ZZ", "EU", "J1"]),
                      st.text(string.ascii_uppercase, min_size=2, max_size=2))
bases = st.sampled_from([None, "adequate_country", "consent", "conforming_system",
                         "not_applicable"])
numbers = st.one_of(st.none(), st.just(VALID_NUMBER), st.text(string.digits, min_size=1, max_size=13))
emails = st.one_of(st.just(""), st.just("sato@example.co.jp"),
                   st.text(string.ascii_letters + "@. ", max_size=20).map(str.strip))
names = st.text(st.characters(categories=("L", "N")), min_size=1, max_size=300)
BASIS_LABELS = {"adequate_country": "Designated country (EU / UK)", "consent": "Consent of the individual",
                "conforming_system": "System conforming to standards",
                "not_applicable": "Not applicable (handled in Japan)"}


@EXAMPLES
@given(name=names, country=countries, basis=bases, number=numbers, email=emails)
def test_a_consignee_is_judged_alike_by_form_and_import(app_ctx, as_role, tmp_path, name, country,
                                                        basis, number, email):
    admin = as_role("admin")
    savepoint = db.session.begin_nested()
    try:
        formed, imported = both_doors(
            admin, tmp_path, "/consignees/new",
            {"name": name, "country": country, "cross_border_basis": basis or "",
             "corporate_number": number or "", "contact_email": email, "risk_tier": "medium",
             "status": "active"},
            "Consignees", {"Name": name, "Country": country,
                           "Cross-border basis (Art. 28)": BASIS_LABELS.get(basis),
                           "Corporate number": number, "Contact e-mail": email})
        assert formed == imported
    finally:
        savepoint.rollback()


@EXAMPLES
@given(start=st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2030, 1, 1))),
       length=st.integers(-400, 400), linked=st.booleans())
def test_an_entrustment_is_judged_alike_by_form_and_import(app_ctx, as_role, tmp_path, start,
                                                           length, linked):
    editor = as_role("editor")
    savepoint = db.session.begin_nested()
    try:
        consignee = f.make_consignee(name="委託先A")
        purpose = f.make_purpose(code="PX")
        category = f.make_link(purpose=purpose).category if linked else f.make_category()
        db.session.flush()  # seen by the form's request, which shares the test's connection
        end = start + timedelta(days=length) if start else None
        formed, imported = both_doors(
            editor, tmp_path, "/entrustments/new",
            {"reference": "ENT-P", "consignee": consignee.id, "purpose": purpose.id,
             "categories": [category.id], "work": "業務", "start_on": start or "",
             "end_on": end or ""},
            "Entrustments", {"Reference": "ENT-P", "Consignee": "委託先A", "Purpose of use": "PX",
                             "Data categories": category.name, "Work entrusted": "業務",
                             "Start": start, "End": end})
        assert formed == imported
    finally:
        savepoint.rollback()


@EXAMPLES
@given(status=st.sampled_from(["open", "in_progress", "resolved", "accepted"]),
       resolution=st.sampled_from(["", "対応済み"]), role=st.sampled_from(["editor", "admin"]))
def test_a_finding_is_judged_alike_by_form_and_import(app, as_role, tmp_path, status, resolution,
                                                      role):
    with app.app_context():
        client = as_role(role)
        savepoint = db.session.begin_nested()
        try:
            check = f.make_check(reference="CHK-P")
            db.session.flush()
            audit.act_as("test", Role(role))
            labels = {"open": "Open", "in_progress": "In progress", "resolved": "Resolved",
                      "accepted": "Risk accepted"}
            formed, imported = both_doors(
                client, tmp_path, "/findings/new",
                {"reference": "FND-P", "check": check.id, "description": "指摘", "severity": "low",
                 "status": status, "resolution": resolution},
                "Findings", {"Reference": "FND-P", "Supervision check": "CHK-P",
                             "Description": "指摘", "Status": labels[status],
                             "Resolution": resolution})
            assert formed == imported
        finally:
            savepoint.rollback()


@pytest.mark.parametrize("status, departed, revoked, reason, granted", [
    ("departed", None, None, "", None),
    ("departed", date(2026, 3, 31), date(2026, 3, 31), "", date(2025, 4, 1)),
    ("active", None, date(2025, 1, 1), "退職", date(2025, 4, 1)),
    ("leave", None, date(2026, 1, 1), "休職", date(2025, 4, 1)),
])
def test_people_are_judged_alike_by_form_and_import(app_ctx, as_role, tmp_path, status, departed,
                                                    revoked, reason, granted):
    editor = as_role("editor")
    formed, imported = both_doors(
        editor, tmp_path, "/employees/new",
        {"number": "E-P1", "name": "山田", "status": status, "departed_on": departed or ""},
        "Employees", {"Employee number": "E-P1", "Name": "山田", "Status": status,
                      "Departed on": departed})
    assert formed == imported
    employee = f.make_employee(number="E-P2")
    category = f.make_category(name="氏名")
    db.session.commit()
    formed, imported = both_doors(
        editor, tmp_path, "/grants/new",
        {"employee": "E-P2", "category": category.id, "level": "read", "system": "CRM",
         "granted_on": granted or "", "revoked_on": revoked or "", "revoke_reason": reason},
        "Access grants", {"Employee number": employee.number, "Data category": "氏名",
                          "System": "CRM", "Granted on": granted, "Revoked on": revoked,
                          "Reason for revocation": reason})
    assert formed == imported


# -- every entity: each text and number field, too long or out of range, refused alike ----------

def _sheet_row(resource, record_id: int, tmp_path) -> dict:
    """The record's row as the registry exports it (English headers)."""
    path = tmp_path / "one.xlsx"
    write.export(path, "en", {resource.name: sa.select(resource.model.id)
                              .where(resource.model.id == record_id)})
    rows = list(openpyxl.load_workbook(path)[resource.sheet_en].iter_rows(values_only=True))
    return dict(zip(rows[0], rows[1], strict=True))


@pytest.mark.parametrize("name", [name for name in SPECS if name != "questions"])
def test_every_entity_refuses_a_bad_value_alike_by_form_and_import(name, app_ctx, as_role, tmp_path):
    """For every field a person types (text, numbers) of every kind of record in the workbook:
    a value one character too long, or out of range, or missing where required is refused by
    the edit form and by the workbook import, with the same words."""
    spec = SPECS[name]
    editor = as_role("editor")
    record = spec.make()
    db.session.commit()
    resource = by_model(spec.model)
    row = _sheet_row(resource, record.id, tmp_path)
    form = _form_data(editor.get(f"{spec.url}/{record.id}/edit").get_data(as_text=True))
    compared = 0
    for described in resource.description.fields:
        if described.kind not in (TEXT, AREA, INTEGER) or described.name not in form:
            continue
        bad = [-1] if described.kind == INTEGER else ["長" * (described.max + 1)]
        if described.required and not (described.name in resource.description.key
                                        and described.default):
            bad.append("")  # (a blank key cell with a default, a consignee's country, is JP)
        for value in bad:
            book = workbook(tmp_path / "bad.xlsx", {resource.sheet_en: [
                list(row), [value if header.removesuffix(REQUIRED_MARK) == described.label.en else cell
                            for header, cell in row.items()]]})
            imported = import_messages(book)
            response = editor.post(f"{spec.url}/{record.id}/edit", {**form, described.name: value})
            assert response.status_code == 200, (name, described.name, value)
            assert form_messages(response) == imported, (name, described.name, value)
            assert imported, (name, described.name, value)
            compared += 1
    assert compared
