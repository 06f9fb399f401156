"""Factory functions that create records through the audited services, with overridable values."""

from __future__ import annotations

import itertools
import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

from registry.consignees.models import Certification, Consignee, Contract, Entrustment
from registry.core import operations
from registry.incidents.models import Incident
from registry.inventory.models import AppiKind, DataCategory, Purpose, PurposeCategory
from registry.people.models import AccessGrant, Employee
from registry.provisions.models import Provision
from registry.questionnaires.models import Question
from registry.questionnaires.services import create_question
from registry.rights.models import RightsRequest
from registry.supervision.models import CheckMethod, Finding, SupervisionCheck

PASSWORD = "correct horse battery staple"


def today() -> date:
    """Today in the registry's time zone (REGISTRY_TIMEZONE, Tokyo by default), as the registry
    counts days, whatever the machine's own clock zone."""
    return datetime.now(ZoneInfo(os.environ.get("REGISTRY_TIMEZONE", "Asia/Tokyo"))).date()
_numbers = itertools.count(1)


def _n() -> int:
    return next(_numbers)


def make_purpose(**overrides) -> Purpose:
    n = _n()
    return operations.create(Purpose, {"code": f"T{n:04d}", "title": f"目的 {n}", **overrides})


def make_category(**overrides) -> DataCategory:
    n = _n()
    values = {"name": f"カテゴリ {n}", "appi_kind": AppiKind.PERSONAL,
              "retention_period": "5 years", **overrides}
    return operations.create(DataCategory, values)


def make_link(purpose=None, category=None, **overrides) -> PurposeCategory:
    return operations.create(PurposeCategory, {
        "purpose": purpose or make_purpose(), "category": category or make_category(), **overrides})


def make_consignee(**overrides) -> Consignee:
    n = _n()
    return operations.create(Consignee, {"name": f"株式会社テスト{n}", "country": "JP", **overrides})


def make_certification(**overrides) -> Certification:
    values = {"consignee": overrides.pop("consignee", None) or make_consignee(),
              "scheme": "privacymark", "number": f"P{_n()}", **overrides}
    return operations.create(Certification, values)


def make_entrustment(**overrides) -> Entrustment:
    n = _n()
    values = {"reference": f"ENT-T{n}", "work": "配送業務",
              "consignee": overrides.pop("consignee", None) or make_consignee(),
              "purpose": overrides.pop("purpose", None) or make_purpose(), **overrides}
    return operations.create(Entrustment, values)


def make_contract(**overrides) -> Contract:
    n = _n()
    values = {"reference": f"CON-T{n}", "contract_type": "service",
              "consignee": overrides.pop("consignee", None) or make_consignee(), **overrides}
    return operations.create(Contract, values)


def make_check(**overrides) -> SupervisionCheck:
    n = _n()
    values = {"reference": f"CHK-T{n}", "checked_on": date(2026, 4, 1),
              "method": CheckMethod.QUESTIONNAIRE,
              "consignee": overrides.pop("consignee", None) or make_consignee(), **overrides}
    return operations.create(SupervisionCheck, values)


def make_finding(**overrides) -> Finding:
    n = _n()
    closed = overrides.get("status") in ("resolved", "accepted")
    values = {"reference": f"FND-T{n}", "description": "誓約書の未回収",
              "resolution": "誓約書を回収した" if closed else "",
              "check": overrides.pop("check", None) or make_check(), **overrides}
    return operations.create(Finding, values)


def make_incident(**overrides) -> Incident:
    """A suspected leak learned of on 2026-10-01, concerning no category yet."""
    values = {"reference": f"INC-T{_n()}", "summary": "メール誤送信", "learned_on": date(2026, 10, 1),
              **overrides}
    return operations.create(Incident, values)


def make_request(**overrides) -> RightsRequest:
    """A request for disclosure received on 2026-10-01, not yet decided."""
    values = {"reference": f"REQ-T{_n()}", "kind": "disclosure", "requester": "山田 花子",
              "received_on": date(2026, 10, 1), **overrides}
    return operations.create(RightsRequest, values)


def make_provision(**overrides) -> Provision:
    """A provision of personal data with consent on 2026-10-01, its record complete but for the
    categories unless given."""
    values = {"reference": f"PRV-T{_n()}", "kind": "provision", "basis": "consent",
              "counterparty": "株式会社みなと保険", "individuals": "会員番号 1001～1120",
              "consent": "会員規約第5条への同意（ウェブ）", "provided_on": date(2026, 10, 1),
              **overrides}
    return operations.create(Provision, values)


def make_employee(**overrides) -> Employee:
    n = _n()
    return operations.create(Employee, {"number": f"T{n:05d}", "name": f"社員 {n}", **overrides})


def make_question(**overrides) -> Question:
    values = {"code": f"T-{_n():04d}", "area": "technical", "text_ja": "質問", "text_en": "Question",
              **overrides}
    return create_question(Question, values)


def make_grant(**overrides) -> AccessGrant:
    values = {"employee": overrides.pop("employee", None) or make_employee(),
              "category": overrides.pop("category", None) or make_category(),
              "system": "CRM", **overrides}
    return operations.create(AccessGrant, values)
