"""The per-entity suite: list, detail, create, edit, delete, permissions and audit for every entity."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from registry.consignees.models import Certification, Consignee, Contract, Entrustment
from registry.core.models import AuditEntry
from registry.extensions import db
from registry.incidents.models import Incident
from registry.inventory.models import DataCategory, Purpose, PurposeCategory
from registry.people.models import AccessGrant, Employee
from registry.provisions.models import Provision
from registry.questionnaires.models import Question
from registry.rights.models import RightsRequest
from registry.supervision.models import Finding, SupervisionCheck
from tests import factories as f


@dataclass
class Spec:
    """How to exercise one entity: its URL, a factory, valid form data and one edit."""

    url: str
    model: type
    make: Callable
    form: Callable[[], dict]
    edit: tuple[str, str]
    natural_key: str
    role: str = "editor"
    deletable: bool = True


SPECS = {
    "purposes": Spec("/purposes", Purpose, f.make_purpose,
                     lambda: {"code": "P99", "title": "新サービス開発", "status": "active"},
                     ("title", "改訂後の目的"), "code"),
    "categories": Spec("/categories", DataCategory, f.make_category,
                       lambda: {"name": "購買履歴", "appi_kind": "personal",
                                "estimated_records": "1200"},
                       ("retention_period", "退会後3年"), "name"),
    "purpose_categories": Spec(
        "/purpose-categories", PurposeCategory, f.make_link,
        lambda: {"purpose": f.make_purpose().id, "category": f.make_category().id,
                 "reason": "配送のため", "since": "2024-07-12"},
        ("reason", "本人確認のため"), "purpose"),
    "consignees": Spec("/consignees", Consignee, f.make_consignee,
                       lambda: {"name": "株式会社サンプル", "country": "jp",
                                "corporate_number": "7000012050002", "risk_tier": "high",
                                "status": "active"},
                       ("address", "東京都千代田区"), "name"),
    "certifications": Spec("/certifications", Certification, f.make_certification,
                           lambda: {"consignee": f.make_consignee().id, "scheme": "isms",
                                    "number": "IS 12345", "expires_on": "2027-03-31"},
                           ("number", "IS 99999"), "number"),
    "entrustments": Spec(
        "/entrustments", Entrustment, f.make_entrustment,
        lambda: (link := f.make_link()) and {
            "reference": "ENT-9001", "consignee": f.make_consignee().id,
            "purpose": link.purpose.id, "categories": [link.category.id],
            "work": "DMの印刷と発送", "start_on": "2025-04-01"},
        ("work", "メール配信"), "reference"),
    "contracts": Spec("/contracts", Contract, f.make_contract,
                      lambda: {"reference": "CON-9001", "consignee": f.make_consignee().id,
                               "contract_type": "dpa", "clause_confidentiality": "y",
                               "start_on": "2025-04-01", "end_on": "2026-03-31"},
                      ("title", "覚書"), "reference"),
    "checks": Spec("/checks", SupervisionCheck, f.make_check,
                   lambda: {"reference": "CHK-9001", "consignee": f.make_consignee().id,
                            "kind": "periodic", "checked_on": "2026-05-10",
                            "method": "onsite_audit", "result": "pass"},
                   ("notes", "問題なし"), "reference"),
    "findings": Spec("/findings", Finding, f.make_finding,
                     lambda: {"reference": "FND-9001", "check": f.make_check().id,
                              "description": "教育記録なし", "severity": "high",
                              "status": "open"},
                     ("owner", "山田"), "reference"),
    "employees": Spec("/employees", Employee, f.make_employee,
                      lambda: {"number": "E9001", "name": "佐藤 花子", "status": "active"},
                      ("department", "総務部"), "number"),
    "grants": Spec("/grants", AccessGrant, f.make_grant,
                   lambda: {"employee": f.make_employee().number,
                            "category": f.make_category().id, "level": "read",
                            "system": "CRM"},
                   ("system", "MA tool"), "system"),
    "incidents": Spec("/incidents", Incident, f.make_incident,
                      lambda: {"reference": "INC-9001", "summary": "顧客リストの誤送信",
                               "kind": "leakage", "learned_on": "2026-10-01",
                               "categories": [f.make_category().id], "persons": "1200",
                               "consignee": f.make_consignee().id},
                      ("cause", "宛先の入力誤り"), "reference"),
    "requests": Spec("/requests", RightsRequest, f.make_request,
                     lambda: {"reference": "REQ-9001", "kind": "disclosure", "channel": "mail",
                              "requester": "佐藤 一郎", "received_on": "2026-10-01",
                              "categories": [f.make_category().id],
                              "concerned_purposes": [f.make_purpose().id],
                              "decision": "pending"},
                     ("notes", "本人確認書類待ち"), "reference"),
    "provisions": Spec("/provisions", Provision, f.make_provision,
                       lambda: {"reference": "PRV-9001", "kind": "provision", "basis": "consent",
                                "counterparty": "株式会社みなと保険", "country": "JP",
                                "provided_on": "2026-10-01", "record_form": "each",
                                "categories": [f.make_category().id]},
                       ("notes", "年1回の提供"), "reference"),
    "questions": Spec("/questions", Question, f.make_question,
                      lambda: {"code": "tst-01", "area": "technical", "answer_type": "yes_no",
                               "passing_answer": "yes", "severity": "high", "audience": "all",
                               "status": "active", "text_ja": "暗号化していますか。",
                               "text_en": "Is data encrypted?"},
                      ("passing_answer", "no"), "code", role="admin", deletable=False),
}

pytestmark = pytest.mark.parametrize("name", list(SPECS))


def _audit(model, record_id):
    return db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.entity == model.__tablename__, AuditEntry.record_id == record_id
    ).order_by(AuditEntry.id)).all()


def test_list_and_detail(name, app_ctx, as_role):
    spec = SPECS[name]
    obj = spec.make()
    db.session.commit()
    viewer = as_role("viewer")
    listing = viewer.get(spec.url + "/")
    assert listing.status_code == 200
    assert f'href="{spec.url}/{obj.id}"' in listing.get_data(as_text=True)
    assert viewer.get(f"{spec.url}/{obj.id}").status_code == 200
    assert viewer.get(f"{spec.url}/{obj.id}/history").status_code == 200
    assert viewer.get(f"{spec.url}/999999").status_code == 404


def test_create_records_audit(name, app_ctx, as_role, users):
    spec = SPECS[name]
    data = spec.form()
    db.session.commit()
    editor = as_role(spec.role)
    response = editor.post(spec.url + "/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    record_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    obj = db.session.get(spec.model, record_id)
    assert obj is not None
    entries = _audit(spec.model, record_id)
    assert [e.action.value for e in entries] == ["create"]
    assert entries[0].actor == users[spec.role]
    assert entries[0].changes


def test_edit_records_old_and_new(name, app_ctx, as_role):
    spec = SPECS[name]
    obj = spec.make()
    db.session.commit()
    editor = as_role(spec.role)
    form_page = editor.get(f"{spec.url}/{obj.id}/edit")
    assert form_page.status_code == 200
    field, value = spec.edit
    data = _form_data(form_page.get_data(as_text=True))
    data[field] = value
    response = editor.post(f"{spec.url}/{obj.id}/edit", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert str(getattr(db.session.get(spec.model, obj.id), field)) == value
    update = _audit(spec.model, obj.id)[-1]
    assert update.action.value == "update"
    assert update.changes[field][1] == value


def test_delete_after_confirmation(name, app_ctx, as_role):
    spec = SPECS[name]
    record_id = spec.make().id
    db.session.commit()
    editor = as_role(spec.role)
    assert editor.get(f"{spec.url}/{record_id}/delete").status_code == 200
    assert db.session.get(spec.model, record_id) is not None
    response = editor.post(f"{spec.url}/{record_id}/delete")
    db.session.expire_all()
    if not spec.deletable:
        assert response.status_code == 409
        assert db.session.get(spec.model, record_id) is not None
        return
    assert response.status_code == 302
    assert db.session.get(spec.model, record_id) is None
    assert _audit(spec.model, record_id)[-1].action.value == "delete"


def test_lower_roles_cannot_change(name, app_ctx, as_role):
    spec = SPECS[name]
    obj = spec.make()
    db.session.commit()
    for role in ("viewer", "editor")[:("viewer", "editor", "admin").index(spec.role)]:
        client = as_role(role)
        assert client.get(spec.url + "/new").status_code == 403
        assert client.post(f"{spec.url}/{obj.id}/delete", form_url="/").status_code == 403
        assert client.post(f"{spec.url}/{obj.id}/edit", {}, form_url="/").status_code == 403
    db.session.expire_all()
    assert db.session.get(spec.model, obj.id) is not None


def test_invalid_form_changes_nothing(name, app_ctx, as_role):
    spec = SPECS[name]
    db.session.commit()
    count = db.session.scalar(sa.select(sa.func.count()).select_from(spec.model))
    audits = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    editor = as_role(spec.role)
    response = editor.post(spec.url + "/new", {"reference": "x" * 500, "name": "",
                                               "code": "", "number": ""})
    assert response.status_code == 200
    assert 'class="error"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(spec.model)) == count
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == audits


def _form_data(html: str) -> dict:
    """The values an edit form shows, as a browser would submit them."""
    data: dict = {}
    for tag in re.finditer(r"<input[^>]*>", html):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag.group(0)))
        if "name" not in attrs or attrs.get("type") in ("submit",):
            continue
        if attrs.get("type") == "checkbox":
            if "checked" in tag.group(0):
                data[attrs["name"]] = attrs.get("value", "y")
            continue
        data[attrs["name"]] = _unescape(attrs.get("value", ""))
    for select in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.findall(
            r'<option[^>]*selected[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*selected',
            select.group(2))
        values = [a or b for a, b in chosen]
        if values:
            data[select.group(1)] = values if "multiple" in select.group(0) else values[0]
    for area in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[area.group(1)] = _unescape(area.group(2).lstrip("\n"))
    data.pop("csrf_token", None)
    return data


def _unescape(text: str) -> str:
    return html.unescape(text)
