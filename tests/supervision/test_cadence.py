"""A consignee is overdue when its last check is older than its tier's cadence; a next-due day
recorded on a check can bring the next check forward, never put it off. The compliance check,
the calendar, the dashboard and the quarterly report agree."""

from __future__ import annotations

from datetime import timedelta

from registry.compliance import engine
from registry.compliance.catalogue import CATALOGUE
from registry.consignees.models import RiskTier
from registry.extensions import db
from registry.reporting import dashboard, quarterly
from registry.supervision import calendar
from tests import factories as f
from tests.factories import today


def _consignee(name: str, tier: RiskTier, checked_ago: int, next_in: int | None):
    consignee = f.make_consignee(name=name, risk_tier=tier)
    f.make_entrustment(consignee=consignee, start_on=today() - timedelta(days=800))
    f.make_check(consignee=consignee, checked_on=today() - timedelta(days=checked_ago),
                 next_due_on=None if next_in is None else today() + timedelta(days=next_in))
    return consignee


def _overdue() -> set[str]:
    found, _ = engine.results(CATALOGUE["check-overdue"], engine.context(today()))
    return {result.label for result in found}


def test_a_next_due_day_a_year_out_does_not_silence_the_cadence(app_ctx, as_role):
    """Observation 10: a high-tier consignee checked nine months ago was not overdue because
    its check recorded a next-due day a year out."""
    silenced = _consignee("九か月前", RiskTier.HIGH, checked_ago=270, next_in=95)
    db.session.commit()
    assert silenced.label in _overdue()
    listed = calendar.build(today())
    assert [c.label for c, _ in listed.overdue] == [silenced.label]
    assert listed.overdue[0][1] == today() - timedelta(days=270 - 90), "due 90 days after the check"
    assert dashboard.build(today()).checks_overdue == 1
    report = quarterly.build(quarterly.quarter())  # the quarter in progress: at its end is today
    figures = {name: now for section in report["sections"] for name, now, _ in section["figures"]}
    assert figures["overdue_at_end"] == 1
    page = as_role("viewer").get("/calendar").get_data(as_text=True)
    assert "九か月前" in page


def test_a_sooner_next_due_day_brings_the_check_forward(app_ctx):
    sooner = _consignee("前倒し", RiskTier.LOW, checked_ago=40, next_in=-5)
    _consignee("周期内", RiskTier.LOW, checked_ago=40, next_in=200)
    _consignee("期限なし", RiskTier.MEDIUM, checked_ago=170, next_in=None)
    db.session.commit()
    assert _overdue() == {sooner.label}
    listed = calendar.build(today())
    assert [c.label for c, _ in listed.overdue] == [sooner.label]
    months = {c.name: day for entries in listed.by_month.values() for c, day in entries}
    assert months["周期内"] == today() + timedelta(days=200), "sooner than the 365-day cadence"
    assert months["期限なし"] == today() + timedelta(days=10)
    board = dashboard.build(today())
    assert (board.checks_overdue, board.checks_due) == (1, 1), "期限なし falls due within 90 days"


def test_only_the_last_check_counts(app_ctx):
    consignee = _consignee("二回目", RiskTier.MEDIUM, checked_ago=300, next_in=-200)
    f.make_check(consignee=consignee, checked_on=today() - timedelta(days=30),
                 next_due_on=today() + timedelta(days=30))
    db.session.commit()
    assert _overdue() == set(), "the earlier check's past next-due day was met by the later check"
