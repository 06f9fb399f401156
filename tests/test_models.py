"""The database itself refuses what the registry must never hold."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from registry.consignees.models import Consignee, Contract
from registry.core import operations
from registry.core.models import AuditEntry
from registry.extensions import db
from registry.inventory.models import DataCategory, Purpose
from registry.people.models import Employee
from tests import factories as f


def refused(statement_or_callable) -> None:
    """Assert the database refuses a change (inside a savepoint, so the test can go on)."""
    savepoint = db.session.begin_nested()
    with pytest.raises(sa.exc.IntegrityError):
        if callable(statement_or_callable):
            statement_or_callable()
        else:
            db.session.execute(statement_or_callable)
        db.session.flush()
    savepoint.rollback()


@pytest.mark.parametrize("model, values", [
    (Purpose, {"code": "U1", "title": "a"}),
    (DataCategory, {"name": "U項目"}),
    (Consignee, {"name": "同名", "country": "JP"}),
    (Employee, {"number": "U0001", "name": "a"}),
])
def test_natural_keys_are_unique(app_ctx, model, values):
    db.session.add(model(**values))
    db.session.flush()
    refused(lambda: db.session.add(model(**values)))


def test_same_consignee_name_in_another_country_is_allowed(app_ctx):
    f.make_consignee(name="Acme", country="JP")
    f.make_consignee(name="Acme", country="US")
    db.session.flush()
    countries = db.session.scalars(sa.select(Consignee.country).where(Consignee.name == "Acme")
                                   .order_by(Consignee.country)).all()
    assert countries == ["JP", "US"]
    refused(lambda: db.session.add(Consignee(name="Acme", country="US")))


def test_choice_columns_refuse_unknown_values(app_ctx):
    purpose = f.make_purpose()
    refused(sa.text("UPDATE purposes SET status = 'bogus' WHERE id = :id").bindparams(id=purpose.id))


def test_departed_employee_needs_a_date(app_ctx):
    refused(lambda: db.session.add(Employee(number="D1", name="a", status="departed")))


def test_contract_cannot_end_before_it_starts(app_ctx):
    consignee = f.make_consignee()
    refused(lambda: db.session.add(Contract(reference="C-bad", consignee=consignee,
                                            contract_type="nda", start_on=date(2026, 4, 1),
                                            end_on=date(2026, 3, 31))))


def test_references_must_exist(app_ctx):
    refused(sa.text("INSERT INTO purpose_categories (purpose_id, category_id, reason, created_at,"
                    " updated_at) VALUES (999999, 999999, '', '2026-01-01', '2026-01-01')"))


def test_audit_names_references_by_label(app_ctx):
    entrustment = f.make_entrustment(work="before")
    other = f.make_consignee(name="移管先")
    operations.update(entrustment, {"consignee": other, "work": "after"})
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.entity == "entrustments", AuditEntry.record_id == entrustment.id
    ).order_by(AuditEntry.id.desc())).first()
    assert entry.changes["consignee"][1] == "移管先 (JP)"
    assert entry.changes["work"] == ["before", "after"]
    assert "consignee_id" not in entry.changes


def test_update_without_change_writes_no_audit(app_ctx):
    purpose = f.make_purpose(title="same")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    assert operations.update(purpose, {"title": "same"}) == {}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before
