"""Findings move open -> in progress -> resolved or risk accepted; accepting needs an admin."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from registry.core.models import AuditEntry
from registry.extensions import db
from registry.supervision.models import Finding
from tests import factories as f
from tests.factories import today as registry_today


def edit(client, finding, **changes):
    data = {"reference": finding.reference, "check": finding.check_id,
            "description": finding.description, "severity": finding.severity.value, "status": "open",
            "resolution": "", **changes}
    return client.post(f"/findings/{finding.id}/edit", data)


def test_status_moves_forward_and_is_audited(app_ctx, as_role):
    finding = f.make_finding()
    db.session.commit()
    editor = as_role("editor")
    assert edit(editor, finding, status="in_progress").status_code == 302
    page = edit(editor, finding, status="resolved")
    assert page.status_code == 200 and "needs a resolution" in page.get_data(as_text=True)
    assert edit(editor, finding, status="resolved", resolution="誓約書を回収").status_code == 302
    db.session.expire_all()
    stored = db.session.get(Finding, finding.id)
    assert stored.status.value == "resolved" and stored.resolved_on == registry_today()
    back = edit(editor, finding, status="open", resolution="誓約書を回収")
    assert back.status_code == 200 and "cannot go back" in back.get_data(as_text=True)
    statuses = [e.changes.get("status") for e in db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.entity == "findings", AuditEntry.record_id == finding.id,
        AuditEntry.action == "update")
        .order_by(AuditEntry.id)) if "status" in e.changes]
    assert statuses == [["open", "in_progress"], ["in_progress", "resolved"]]


def test_accepting_a_risk_needs_an_admin_and_a_reason(app_ctx, as_role):
    finding = f.make_finding()
    db.session.commit()
    refused = edit(as_role("editor"), finding, status="accepted", resolution="費用対効果")
    assert "Only an administrator" in refused.get_data(as_text=True)
    admin = as_role("admin")
    assert "needs a reason" in edit(admin, finding, status="accepted").get_data(as_text=True)
    assert edit(admin, finding, status="accepted", resolution="費用対効果").status_code == 302
    db.session.expire_all()
    assert db.session.get(Finding, finding.id).status.value == "accepted"


def test_overdue_findings_stand_out(app_ctx, as_role):
    late = f.make_finding(description="期限切れ", due_on=registry_today() - timedelta(days=1))
    f.make_finding(description="期限内", due_on=registry_today() + timedelta(days=10))
    db.session.commit()
    assert late.overdue
    page = as_role("viewer").get("/findings/?overdue=yes").get_data(as_text=True)
    assert "期限切れ" in page and "期限内" not in page
