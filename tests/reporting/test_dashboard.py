"""The home page's figures agree with the checks and follow the notice-period setting."""

from __future__ import annotations

import html
from datetime import timedelta

from registry.consignees.models import RiskTier
from registry.core import operations
from registry.extensions import db
from registry.reporting import dashboard
from tests import factories as f
from tests.factories import today


def test_overdue_checks_are_the_checks_results_and_the_horizon_is_the_notice_period(app, app_ctx,
                                                                                    as_role):
    late = f.make_consignee(name="期限超過", risk_tier=RiskTier.HIGH)
    f.make_entrustment(consignee=late, start_on=today() - timedelta(days=400))
    # no next due date: only the tier's cadence (90 days) says this check is overdue
    f.make_check(consignee=late, checked_on=today() - timedelta(days=200), next_due_on=None)
    soon = f.make_consignee(name="まもなく")
    f.make_entrustment(consignee=soon, start_on=today() - timedelta(days=400))
    f.make_check(consignee=soon, checked_on=today() - timedelta(days=10),
                 next_due_on=today() + timedelta(days=60))
    f.make_contract(consignee=soon, end_on=today() + timedelta(days=60), auto_renewal=False)
    db.session.commit()

    board = dashboard.build()
    assert (board.checks_overdue, board.checks_due, len(board.contracts_ending)) == (1, 1, 1)
    page = as_role("viewer").get("/").get_data(as_text=True)
    assert "Contracts ending in the next 90 days" in page and "due in the next 90 days" in page

    app.config["CONTRACT_NOTICE_DAYS"] = 30
    try:
        board = dashboard.build()
        assert (board.horizon_days, board.checks_due, len(board.contracts_ending)) == (30, 0, 0)
        assert "Contracts ending in the next 30 days" in as_role("viewer").get("/").get_data(
            as_text=True)
    finally:
        app.config["CONTRACT_NOTICE_DAYS"] = 90


def _open_findings(board) -> tuple[int, int]:
    """Open findings by age, summed, and the finding-high-open check's open results."""
    high = next(t.open for t in board.tallies if t.check.code == "finding-high-open")
    return sum(board.findings_by_age), high


def test_the_dashboard_is_remembered_until_a_change_and_shows_the_change_at_once(app_ctx, as_role):
    check = f.make_check(checked_on=today() - timedelta(days=40))
    finding = f.make_finding(check=check, severity="high", status="in_progress",
                             due_on=today() + timedelta(days=30))
    f.make_finding(check=check, severity="high", status="open", due_on=today() + timedelta(days=30))
    db.session.commit()
    viewer = as_role("viewer")
    board = dashboard.build()
    assert _open_findings(board) == (2, 2)
    assert dashboard.build() is board, "a repeat view reads nothing but the newest audit entry"

    operations.update(finding, {"status": "resolved", "resolution": "対策済み",
                                "resolved_on": today()})
    db.session.commit()
    assert _open_findings(dashboard.build()) == (1, 1)
    page = viewer.get("/").get_data(as_text=True)
    assert 'href="/findings/?status=open">Open findings by age</a> <span class="count">1</span>' in page

    f.make_finding(check=check, severity="critical", status="open", due_on=today())
    db.session.commit()
    assert _open_findings(dashboard.build()) == (2, 2)


def test_long_lists_show_their_first_rows_their_count_and_a_link_to_the_rest(app_ctx, as_role):
    shown = dashboard.SHOWN
    for n in range(shown + 2):
        f.make_contract(reference=f"END-{n:02d}", end_on=today() + timedelta(days=n + 1),
                        auto_renewal=False)
    health = f.make_category(name="健康情報", appi_kind="special_care")
    for n in range(shown + 3):
        abroad = f.make_consignee(name=f"Overseas {n:02d}", country="SG",
                                  cross_border_basis="consent")
        f.make_entrustment(consignee=abroad, categories=[health])
    db.session.commit()

    board = dashboard.build()
    assert [c.reference for c in board.contracts_ending] == [f"END-{n:02d}" for n in range(shown)]
    assert board.contracts_ending_count == shown + 2
    assert [h.consignee for h in board.special_care] == [f"Overseas {n:02d} (SG)"
                                                          for n in range(shown)]
    assert board.special_care_count == shown + 3
    [singapore] = board.abroad
    assert singapore.count == shown + 3
    assert [label for _, label in singapore.consignees] == [
        f"Overseas {n:02d} (SG)" for n in range(shown)]
    page = as_role("viewer").get("/").get_data(as_text=True)
    horizon = (today() + timedelta(days=90)).isoformat()
    assert (f'<a href="/contracts/?end_on_from={today().isoformat()}&amp;end_on_to={horizon}'
            f'&amp;sort=end_on">All {shown + 2} contracts</a>') in page
    assert '<a href="/entrustments/?country=SG">and 3 more</a>' in page
    assert f'<a href="/entrustments/?kind=special_care">All {shown + 3} consignees</a>' in page
    assert "END-10" not in page and "Overseas 10" not in page


def test_the_laws_clocks_running_the_overdue_first(app_ctx, as_role):
    """A reportable incident learned of 10 days ago with no report: its preliminary report is
    overdue, its final report and notice fall due within the horizon; a request received two days
    ago is due in about two weeks; an answered request and a done duty are not listed."""
    learned = today() - timedelta(days=10)
    incident = f.make_incident(reference="INC-D1", learned_on=learned, occurred_on=learned,
                               financial_risk=True)
    f.make_request(reference="REQ-D1", received_on=today() - timedelta(days=2))
    f.make_request(reference="REQ-D2", received_on=today() - timedelta(days=40),
                   identity_document="旅券", verified_on=today() - timedelta(days=39),
                   decision="granted", responded_on=today() - timedelta(days=30))
    db.session.commit()
    board = dashboard.build()
    listed = [(d.reference, str(d.duty), d.overdue(today())) for d in board.deadlines]
    assert listed[0] == ("INC-D1", "Preliminary report to the PPC (速報)", True)
    assert {row[0] for row in listed} == {"INC-D1", "REQ-D1"} and board.deadlines_count == 4
    assert not any(overdue for _, _, overdue in listed[1:])
    assert board.clocks_overdue == {"incidents": 1, "requests": 0, "provisions": 0}
    page = as_role("viewer").get("/").get_data(as_text=True)
    assert "The law's clocks" in html.unescape(page) and f'href="/incidents/{incident.id}"' in page
    operations.update(incident, {"preliminary_reported_on": today() - timedelta(days=6)})
    db.session.commit()
    assert "Preliminary report to the PPC (速報)" not in {str(d.duty) for d in
                                                         dashboard.build().deadlines}
