"""Check results in the browser: followed to the record, fixed, waived by an admin, withdrawn."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.compliance import engine
from registry.compliance.catalogue import CATALOGUE
from registry.compliance.models import Waiver
from registry.core.models import AuditEntry
from registry.extensions import db
from registry.supervision.models import Severity
from tests import factories as f
from tests.factories import today as registry_today

pytestmark = pytest.mark.usefixtures("app_ctx")

RETENTION = "/compliance/category-without-retention"


def waive(client, category, form_url=None, **values):
    url = f"{RETENTION}/{category.id}/waive"
    data = {"reason": "移行中の台帳", "expires_on": registry_today() + timedelta(days=30), **values}
    return client.post(url, {k: str(v) for k, v in data.items()}, form_url=form_url)


def open_ids(code: str, on: date | None = None) -> set[int]:
    found, _ = engine.results(CATALOGUE[code], engine.context(on), waived=False)
    return {r.subject_id for r in found}


def test_follow_a_result_to_the_record_fix_it_and_it_goes_away(as_role):
    category = f.make_category(name="アンケート回答", retention_period="")
    db.session.commit()
    editor = as_role("editor")
    page = editor.get(RETENTION).get_data(as_text=True)
    assert f'href="/categories/{category.id}"' in page and "アンケート回答" in page
    assert editor.get(f"/categories/{category.id}").status_code == 200
    saved = editor.post(f"/categories/{category.id}/edit", {
        "name": "アンケート回答", "appi_kind": "personal", "retention_period": "回答から3年"})
    assert saved.status_code == 302
    editor.get(saved.headers["Location"])
    assert f'href="/categories/{category.id}"' not in editor.get(RETENTION).get_data(as_text=True)
    assert category.id not in open_ids("category-without-retention")


def test_admin_waives_a_result_until_a_day_and_can_withdraw_it(as_role):
    category = f.make_category(retention_period="")
    db.session.commit()
    admin = as_role("admin")
    assert waive(admin, category).status_code == 302
    assert category.id not in open_ids("category-without-retention")
    waived = admin.get(f"{RETENTION}?state=waived").get_data(as_text=True)
    assert category.name in waived and "移行中の台帳" in waived
    overview = {t.check.code: t for t in engine.tallies(engine.context())}
    assert overview["category-without-retention"].waived == 1
    later = registry_today() + timedelta(days=31)
    assert category.id in open_ids("category-without-retention", later), "open again after expiry"
    waiver = db.session.scalar(sa.select(Waiver).where(Waiver.subject_id == category.id))
    assert waiver.waived_by == "admin1" and waiver.check_code == "category-without-retention"
    assert admin.post(f"/compliance/waivers/{waiver.id}/withdraw", form_url="/compliance/waivers") \
        .status_code == 302
    db.session.expire_all()
    assert db.session.get(Waiver, waiver.id).withdrawn_on == registry_today()
    assert category.id in open_ids("category-without-retention", registry_today() + timedelta(days=1))
    actions = db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.entity == "waivers", AuditEntry.record_id == waiver.id).order_by(AuditEntry.id)).all()
    assert [a.value for a in actions] == ["create", "update"]


def test_waiving_needs_an_admin_and_a_valid_reason_and_day(as_role):
    category = f.make_category(retention_period="")
    compliant = f.make_category(retention_period="5 years")
    db.session.commit()
    assert waive(as_role("editor"), category, form_url="/").status_code == 403
    admin = as_role("admin")
    past = waive(admin, category, expires_on=registry_today() - timedelta(days=1))
    assert past.status_code == 400 and "must not be in the past" in past.get_data(as_text=True)
    assert waive(admin, category, expires_on=registry_today() + timedelta(days=400)).status_code == 400
    assert waive(admin, category, reason="  ").status_code == 400
    assert waive(admin, category, expires_on="2026-13-45").status_code == 400
    refused = admin.post(f"{RETENTION}/{compliant.id}/waive",
                         {"reason": "x", "expires_on": str(registry_today())}, form_url=RETENTION)
    assert refused.status_code == 302
    assert admin.get("/compliance/nope").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Waiver)) == 0


def test_every_check_page_shows_its_basis_and_records_link_to_their_pages(as_role):
    f.make_employee(status="departed", departed_on=date(2026, 8, 31))
    grant = f.make_grant(employee=f.make_employee(status="departed", departed_on=date(2026, 9, 30)))
    db.session.commit()
    viewer = as_role("viewer")
    index = viewer.get("/compliance/").get_data(as_text=True)
    for check in CATALOGUE.values():
        assert f'href="/compliance/{check.code}"' in index
    page = viewer.get("/compliance/departed-access").get_data(as_text=True)
    assert "APPI Arts. 23-24" in page and f'href="/employees/{grant.employee_id}"' in page
    assert "Departed on 2026-09-30" in page
    assert "/waive" not in page, "only admins are offered the waiver"


def test_severity_can_be_configured(app, monkeypatch):
    monkeypatch.setitem(app.config, "CHECK_SEVERITY", {"category-without-retention": "critical"})
    assert engine.severity(CATALOGUE["category-without-retention"]) == Severity.CRITICAL
    assert engine.ordered()[0].code == "category-without-retention"
    with pytest.raises(ValueError, match="names no check"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "CHECK_SEVERITY": {"no-such": "high"}})
    with pytest.raises(ValueError, match="not one of"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://",
                    "CHECK_SEVERITY": {"departed-access": "urgent"}})
