"""The checks' counts are remembered check by check: a change recounts the checks that read what
it changed, and each check shows every change to what it reads at once."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from registry.compliance import engine
from registry.consignees import handling
from registry.consignees.models import entrustment_categories
from registry.core import memo, operations
from registry.core.models import LoginAttempt, User
from registry.extensions import db
from registry.people.models import AccessGrant
from tests import factories as f
from tests.factories import today


def _open(code: str) -> int:
    return next(t.open for t in engine.tallies(engine.context()) if t.check.code == code)


def test_a_change_recounts_the_checks_that_read_what_it_changed_and_no_other(app_ctx):
    grant = f.make_grant(granted_on=today() - timedelta(days=700))
    finding = f.make_finding(check=f.make_check(checked_on=today() - timedelta(days=40)),
                             severity="high", status="open")
    db.session.commit()
    assert (_open("access-not-reviewed"), _open("finding-high-open")) == (1, 1)

    # the grant reviewed behind the registry's back, with no audit entry: nothing tells the
    # remembered counts of the grant checks, so a count that stays at 1 was not made again
    db.session.execute(sa.update(AccessGrant).where(AccessGrant.id == grant.id)
                       .values(last_reviewed_on=today()))
    operations.update(finding, {"status": "resolved", "resolution": "対策済み",
                                "resolved_on": today()})
    db.session.commit()
    assert _open("finding-high-open") == 0, "the findings changed: their checks are recounted"
    assert _open("access-not-reviewed") == 1, "no table of the grant checks changed"

    operations.update(grant, {"system": "人事"})  # audited: the grant checks are recounted
    db.session.commit()
    assert _open("access-not-reviewed") == 0


def test_a_check_counting_in_python_follows_the_records_it_read_there(app_ctx):
    """The incident checks read each incident's data categories in Python, not in their statement:
    a category becoming special care-required makes its incident reportable, and late."""
    category = f.make_category(name="購買履歴")
    f.make_incident(learned_on=today() - timedelta(days=60), categories=[category])
    db.session.commit()
    assert _open("incident-preliminary-report-overdue") == 0
    operations.update(category, {"appi_kind": "special_care"})
    db.session.commit()
    assert _open("incident-preliminary-report-overdue") == 1


def test_a_table_depends_on_the_tables_whose_changes_reach_its_rows():
    """A delete cascades, or empties a reference, along a foreign key without an audit entry of
    the referring table's own; a link table's rows are audited with their records."""
    grants = memo.depending(AccessGrant.__table__)
    assert {"access_grants", "employees", "data_categories"} <= grants
    assert "entrustment_categories" not in memo.audited()
    links = memo.depending(entrustment_categories)
    assert {"entrustments", "data_categories", "consignees"} <= links
    assert "entrustment_categories" not in links
    assert memo.depending(User.__table__) == {"users"}
    assert memo.depending(LoginAttempt.__table__) == {memo.ANY}, "no audit entry tells of it"


def test_registry_check_reads_each_check_once_and_agrees_with_the_counts(as_role):
    """engine.run (`registry check`) counts each check from its results: the same counts as the
    tallies, a waived result counted as waived and not listed."""
    waived, kept = f.make_category(retention_period=""), f.make_category(retention_period="")
    db.session.commit()
    assert as_role("admin").post(f"/compliance/category-without-retention/{waived.id}/waive", {
        "reason": "移行中の台帳", "expires_on": str(today() + timedelta(days=30))}).status_code == 302
    at = engine.context()
    tallies, found = engine.run(at)
    assert [(t.check.code, t.open, t.waived) for t in tallies] == \
        [(t.check.code, t.open, t.waived) for t in engine.tallies(at)]
    listed = {r.subject_id for r in found if r.check.code == "category-without-retention"}
    assert listed == {kept.id}
    assert next(t for t in tallies if t.check.code == "category-without-retention").waived == 1


def test_a_remembered_value_used_while_reading_counts_as_read(app_ctx):
    """A part of the dashboard that uses a value remembered elsewhere depends on what that value
    was computed from, though no statement of it runs."""
    f.make_category(appi_kind="special_care")
    db.session.commit()
    handling.kind_shares()
    with memo.reading() as read:
        assert handling.kind_shares() == {"special_care": 1.0}  # from memory
    assert read == {"data_categories"}
