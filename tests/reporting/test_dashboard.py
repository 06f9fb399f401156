"""The home page's figures agree with the checks and follow the notice-period setting."""

from __future__ import annotations

from datetime import timedelta

from registry.consignees.models import RiskTier
from registry.extensions import db
from registry.reporting import dashboard
from tests import factories as f
from tests.factories import today as registry_today

TODAY = registry_today()


def test_overdue_checks_are_the_checks_results_and_the_horizon_is_the_notice_period(app, app_ctx,
                                                                                    as_role):
    late = f.make_consignee(name="期限超過", risk_tier=RiskTier.HIGH)
    f.make_entrustment(consignee=late, start_on=TODAY - timedelta(days=400))
    # no next due date: only the tier's cadence (90 days) says this check is overdue
    f.make_check(consignee=late, checked_on=TODAY - timedelta(days=200), next_due_on=None)
    soon = f.make_consignee(name="まもなく")
    f.make_entrustment(consignee=soon, start_on=TODAY - timedelta(days=400))
    f.make_check(consignee=soon, checked_on=TODAY - timedelta(days=10),
                 next_due_on=TODAY + timedelta(days=60))
    f.make_contract(consignee=soon, end_on=TODAY + timedelta(days=60), auto_renewal=False)
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
