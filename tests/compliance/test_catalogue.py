"""Each check of the catalogue on small registries built for it: one where it must fire on the
record, and a nearly identical one where it must not."""

from __future__ import annotations

import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app

from registry.compliance import engine
from registry.compliance.catalogue import CATALOGUE, Context
from registry.core import operations
from registry.extensions import db
from registry.inventory.models import AppiKind, DataCategory, Purpose, PurposeStatus
from registry.questionnaires.models import Questionnaire, QuestionnaireStatus
from registry.supervision.models import CheckKind, FindingStatus, Severity
from tests.factories import (
    make_category,
    make_certification,
    make_check,
    make_consignee,
    make_contract,
    make_employee,
    make_entrustment,
    make_finding,
    make_grant,
    make_incident,
    make_link,
    make_provision,
    make_purpose,
    make_request,
)
from tests.factories import today as registry_today

pytestmark = pytest.mark.usefixtures("app_ctx")

#: the day the checks are run as of
DAY = date(2026, 10, 1)

ALL_CLAUSES = {name: True for name in (
    "clause_confidentiality", "clause_purpose_limitation", "clause_security_measures",
    "clause_reentrustment_approval", "clause_incident_notification", "clause_audit_rights",
    "clause_return_deletion")}


def compliant(*, consignee: dict | None = None, contract: dict | None = None,
              entrustment: dict | None = None, category: dict | None = None, checked: bool = True,
              linked: bool = True):
    """A consignee supervised as it should be: selected before it started, checked recently, under a
    contract with every clause, doing work for a purpose that uses the category it handles."""
    purpose = make_purpose()
    data = make_category(**(category or {}))
    if linked:
        make_link(purpose=purpose, category=data)
    firm = make_consignee(**{"risk_tier": "high", **(consignee or {})})
    if checked:
        make_check(consignee=firm, kind=CheckKind.SELECTION, checked_on=date(2025, 3, 1))
        make_check(consignee=firm, kind=CheckKind.PERIODIC, checked_on=date(2026, 9, 1),
                   next_due_on=date(2026, 12, 1))
    paper = make_contract(consignee=firm, start_on=date(2025, 4, 1),
                          **{**ALL_CLAUSES, **(contract or {})})
    work = make_entrustment(consignee=firm, purpose=purpose, start_on=date(2025, 4, 1),
                            categories=[data], **(entrustment or {}))
    return work, paper, firm


def engaged(start_on=date(2025, 4, 1), **values):
    """A consignee with work in progress (consignee checks look only at those)."""
    firm = make_consignee(**values)
    make_entrustment(consignee=firm, start_on=start_on)
    return firm


def holder(**employee):
    """An employee with one grant in force, pledged, trained and reviewed."""
    person = make_employee(**{"pledge_signed_on": date(2025, 4, 1), "last_training_on": date(2026, 4, 1),
                              **employee})
    make_link(category=(category := make_category()))
    grant = make_grant(employee=person, category=category, granted_on=date(2025, 4, 1),
                       last_reviewed_on=date(2026, 4, 1))
    return person, grant


def _entrustment_without_contract(fire):
    return compliant(contract={"end_on": date(2026, 6, 30)} if fire else {})[0]


def _entrustment_without_confidentiality(fire):
    return compliant(contract={"clause_confidentiality": not fire})[0]


def _contract_missing_clauses(fire):
    return compliant(contract={"clause_audit_rights": not fire})[1]


def _contract_expired(fire):
    return compliant(contract={"end_on": date(2026, 6, 30), "auto_renewal": not fire})[1]


def _contract_expiring(fire):
    return compliant(contract={"end_on": date(2026, 11, 30) if fire else date(2027, 6, 30)})[1]


def _entrustment_without_selection(fire):
    work, _, firm = compliant(checked=False)
    make_check(consignee=firm, kind=CheckKind.SELECTION,
               checked_on=date(2025, 5, 1) if fire else date(2025, 3, 31))
    return work


def _category_beyond_purpose(fire):
    return compliant(linked=not fire)[0]


def _special_care_below_top_tier(fire):
    return compliant(consignee={"risk_tier": "medium" if fire else "high"},
                     category={"appi_kind": AppiKind.SPECIAL_CARE})[0]


def _check_overdue(fire):
    firm = engaged(risk_tier="high")
    make_check(consignee=firm, checked_on=date(2026, 3, 1) if fire else date(2026, 8, 1))
    return firm


def _never_checked(fire):
    firm = engaged()
    if not fire:
        make_check(consignee=firm, checked_on=date(2026, 9, 1))
    return firm


def _questionnaire_not_returned(fire):
    status = QuestionnaireStatus.ISSUED if fire else QuestionnaireStatus.RETURNED
    return operations.create(Questionnaire, {
        "reference": f"Q-T-{fire}", "consignee": make_consignee(),
        "issued_on": date(2026, 8, 1), "due_on": date(2026, 9, 15), "issued_by": "tester",
        "status": status})


def _finding_overdue(fire):
    state = {} if fire else {"status": FindingStatus.RESOLVED, "resolved_on": date(2026, 8, 15)}
    return make_finding(check=make_check(checked_on=date(2026, 7, 1)), due_on=date(2026, 9, 1), **state)


def _finding_high_open(fire):
    return make_finding(check=make_check(checked_on=date(2026, 7, 1)),
                        severity=Severity.HIGH if fire else Severity.LOW)


def _certification_expired(fire):
    firm = engaged()
    expired = make_certification(consignee=firm, expires_on=date(2026, 9, 1))
    if not fire:
        make_certification(consignee=firm, expires_on=date(2028, 9, 1))
    return expired


def _subconsignee(start_on=date(2026, 1, 1), **child):
    _, _, parent = compliant(contract={"reentrustment_allowed": True})
    return engaged(start_on, parent=parent, risk_tier="high", **child), parent


def _reentrustment_not_allowed(fire):
    _, _, parent = compliant(contract={"reentrustment_allowed": not fire})
    return engaged(parent=parent, reentrustment_approved_on=date(2025, 1, 1))


def _reentrustment_before_approval(fire):
    return _subconsignee(reentrustment_approved_on=date(2026, 2, 1) if fire else date(2025, 12, 1))[0]


def test_consignees_without_work_in_progress_are_not_checked():
    idle = make_consignee(country="US")
    ended = engaged(country="US")
    make_entrustment(consignee=idle, start_on=date(2026, 11, 1))
    operations.update(ended, {"external_environment": ""})
    for code in ("never-checked", "foreign-without-basis", "foreign-without-environment"):
        assert idle.id not in offenders(code), "its work starts after the day"
        assert ended.id in offenders(code)


def _reentrustment_unchecked(fire):
    child, _ = _subconsignee(reentrustment_approved_on=date(2025, 1, 1))
    if not fire:
        make_check(consignee=child, checked_on=date(2026, 9, 1))
    return child


def _foreign(**values):
    return engaged(**{"country": "US", "cross_border_basis": "consent",
                             "external_environment": "米国: 連邦法なし、州法あり", **values})


def _foreign_without_basis(fire):
    return _foreign(cross_border_basis=None if fire else "consent")


def _conforming_system_unconfirmed(fire):
    return _foreign(cross_border_basis="conforming_system",
                    cross_border_checked_on=date(2025, 6, 1) if fire else date(2026, 6, 1))


def _foreign_without_environment(fire):
    return _foreign(external_environment="" if fire else "米国: 連邦法なし")


def _departed_access(fire):
    person, grant = holder(status="departed", departed_on=date(2026, 8, 31))
    if not fire:
        operations.update(grant, {"revoked_on": date(2026, 8, 31), "revoke_reason": "退職"})
    return person


def _access_without_pledge(fire):
    return holder(pledge_signed_on=None if fire else date(2025, 4, 1))[0]


def _special_care_without_pledge(fire):
    person = make_employee(last_training_on=date(2026, 4, 1))
    kind = AppiKind.SPECIAL_CARE if fire else AppiKind.PERSONAL
    make_grant(employee=person, category=make_category(appi_kind=kind), granted_on=date(2026, 4, 1))
    return person


def _access_without_training(fire):
    return holder(last_training_on=date(2025, 6, 1) if fire else date(2026, 4, 1))[0]


def _access_not_reviewed(fire):
    _, grant = holder()
    operations.update(grant, {"granted_on": date(2024, 4, 1),
                              "last_reviewed_on": None if fire else date(2026, 4, 1)})
    return grant


def _category_without_retention(fire):
    return make_category(retention_period="" if fire else "5 years")


def _category_without_purpose(fire):
    category = make_category()
    make_link(category=category, purpose=make_purpose(
        status=PurposeStatus.RETIRED if fire else PurposeStatus.ACTIVE))
    return category


def _purpose_without_category(fire):
    purpose = make_purpose()
    if not fire:
        make_link(purpose=purpose)
    return purpose


def _incident_preliminary_report_overdue(fire):
    """Learned of on Tuesday 1 September: due on the fifth day, a Saturday, moved to Monday."""
    return make_incident(learned_on=date(2026, 9, 1), financial_risk=True,
                         preliminary_reported_on=None if fire else date(2026, 9, 4))


def _incident_final_report_overdue(fire):
    return make_incident(learned_on=date(2026, 8, 1), malicious=False, financial_risk=True,
                         preliminary_reported_on=date(2026, 8, 3),
                         final_reported_on=None if fire else date(2026, 8, 28))


def _incident_notice_overdue(fire):
    return make_incident(learned_on=date(2026, 8, 1), persons=5000,
                         published_on=None if fire else date(2026, 8, 20))


def _request_response_overdue(fire):
    """Received on Monday 14 September: 14 days later is Monday 28 September, the target."""
    return make_request(received_on=date(2026, 9, 14), identity_document="運転免許証",
                        verified_on=date(2026, 9, 15), decision="granted",
                        responded_on=None if fire else date(2026, 9, 28))


def _provision_without_record(fire):
    return make_provision(provided_on=date(2026, 9, 1), categories=[make_category()],
                          consent="" if fire else "申込書の同意欄")


def _provision_record_retention_ended(fire):
    """The contract serves as the record: kept a year after the provision, to 30 September."""
    return make_provision(record_form="contract", categories=[make_category()],
                          provided_on=date(2025, 9, 30) if fire else date(2025, 10, 1))


#: a published policy stating one purpose and naming one foreign country
POLICY = """Privacy Policy
Article 2 (Purpose of Use)
- To provide the Services.
Article 5 (Outsourcing)
Some of the work is outsourced to a company in the United States.
"""


def published(text: str = POLICY) -> None:
    """Set REGISTRY_PUBLISHED_POLICY to a file holding the text (for the test: see _policy)."""
    path = Path(tempfile.mkdtemp()) / "policy.txt"
    path.write_text(text, encoding="utf-8")
    current_app.config["PUBLISHED_POLICY"] = str(path)


@pytest.fixture(autouse=True)
def _policy(app):
    """No published policy but in the tests that set one."""
    yield
    app.config["PUBLISHED_POLICY"] = ""


def _policy_drift(fire):
    published()
    return make_purpose(legal_basis="Policy Art. 2 (2)" if fire else "Policy Art. 2 (1)")


def _policy_country_unnamed(fire):
    published()
    return engaged(country="DE" if fire else "US", cross_border_basis="adequate_country"
                   if fire else "consent")


SCENARIOS = {name.lstrip("_").replace("_", "-"): build for name, build in list(globals().items())
             if name.startswith("_") and callable(build) and name.lstrip("_").replace("_", "-") in CATALOGUE}


def offenders(code: str, on: date = DAY, entered: datetime | None = datetime(2025, 1, 1)) -> set[int]:
    """The records offending the check on the day; purposes and categories, which have no date of
    their own, count as entered at ``entered`` (None: now, when the test made them)."""
    if entered:
        for model in (Purpose, DataCategory):
            db.session.execute(sa.update(model).values(created_at=entered))
    found, _ = engine.results(CATALOGUE[code], Context(on, {"high": 90, "medium": 180, "low": 365}))
    return {result.subject_id for result in found}


def test_every_check_has_a_scenario():
    assert set(SCENARIOS) == set(CATALOGUE)


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_check_fires_on_the_offending_record(code):
    record = SCENARIOS[code](True)
    assert type(record) is CATALOGUE[code].subject
    assert record.id in offenders(code)


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_check_stays_quiet_on_the_compliant_record(code):
    record = SCENARIOS[code](False)
    assert record.id not in offenders(code)


def test_a_compliant_registry_offends_no_check():
    compliant()
    holder()
    found = {code: offenders(code) for code in CATALOGUE}
    assert not any(found.values()), found


def test_departed_access_waits_the_days_the_setting_gives(app):
    """Left on 31 August, access still in force: listed from that day, or, with
    REGISTRY_DEPARTED_ACCESS_DAYS=7, from 7 September, a week later."""
    person, _grant = holder(status="departed", departed_on=date(2026, 8, 31))
    assert person.id in offenders("departed-access", date(2026, 8, 31))
    app.config["DEPARTED_ACCESS_DAYS"] = 7
    try:
        assert person.id not in offenders("departed-access", date(2026, 9, 6))
        assert person.id in offenders("departed-access", date(2026, 9, 7))
    finally:
        app.config["DEPARTED_ACCESS_DAYS"] = 0


def test_results_are_computed_as_of_the_day():
    finding = make_finding(check=make_check(checked_on=date(2026, 7, 1)), due_on=date(2026, 9, 1),
                           status=FindingStatus.RESOLVED, resolved_on=date(2026, 10, 15))
    assert finding.id in offenders("finding-overdue", date(2026, 10, 1))
    assert finding.id not in offenders("finding-overdue", date(2026, 10, 20))
    assert finding.id not in offenders("finding-overdue", date(2026, 6, 1)), "not found yet then"


def test_purposes_and_categories_entered_after_the_day_are_not_reported_for_it():
    category = make_category(retention_period="")
    purpose = make_purpose()
    assert category.id not in offenders("category-without-retention", entered=None)
    assert category.id not in offenders("category-without-purpose", entered=None)
    assert purpose.id not in offenders("purpose-without-category", entered=None)
    assert category.id in offenders("category-without-retention", registry_today(), entered=None)
    assert purpose.id in offenders("purpose-without-category", registry_today(), entered=None)


def test_designated_countries_need_no_basis():
    assert _foreign(country="DE", cross_border_basis=None).id not in offenders("foreign-without-basis")
    assert _foreign(country="GB", cross_border_basis=None).id not in offenders("foreign-without-basis")
    claimed = _foreign(country="CN", cross_border_basis="adequate_country")
    assert claimed.id in offenders("foreign-without-basis"), "China is not a designated country"


def test_result_reason_names_the_fact():
    record = _contract_missing_clauses(True)
    found, _ = engine.results(CATALOGUE["contract-missing-clauses"], Context(DAY, {}))
    reason = next(r.reason for r in found if r.subject_id == record.id)
    assert "Audit rights clause" in reason and "Confidentiality" not in reason


def test_a_sub_consignee_started_early_says_when_work_began_and_when_it_was_approved():
    sub = _reentrustment_before_approval(True)
    found, _ = engine.results(CATALOGUE["reentrustment-before-approval"], Context(DAY, {}))
    reason = next(r.reason for r in found if r.subject_id == sub.id)
    assert reason.startswith("Work began on 20") and "approved on 2026-02-01" in reason, reason


def test_an_unpledged_holder_is_listed_once_with_the_grants_in_force_and_their_special_care_data():
    """The employee checks count and name the grants in force on the day only: not one revoked
    by then, not one given after it."""
    person = make_employee(last_training_on=date(2026, 4, 1))
    names = sorted(["病歴", "犯罪歴"])
    for name in names:
        make_grant(employee=person, granted_on=date(2026, 4, 1),
                   category=make_category(name=name, appi_kind=AppiKind.SPECIAL_CARE))
    make_grant(employee=person, granted_on=date(2026, 4, 1), category=make_category(name="氏名"))
    make_grant(employee=person, granted_on=date(2026, 4, 1), revoked_on=date(2026, 5, 1),
               revoke_reason="異動", category=make_category(name="信条", appi_kind=AppiKind.SPECIAL_CARE))
    make_grant(employee=person, granted_on=DAY + timedelta(days=1),
               category=make_category(name="人種", appi_kind=AppiKind.SPECIAL_CARE))
    db.session.commit()

    def detail(code: str):
        found, _ = engine.results(CATALOGUE[code], Context(DAY, {}))
        return [r.detail for r in found if r.subject_id == person.id]

    assert detail("access-without-pledge") == [3]
    assert [sorted(d.split(", ")) for d in detail("special-care-without-pledge")] == [names]
