"""The incident clocks on the days that matter: the day of learning is day 1, and a deadline on
a weekend, a national holiday (substitute and 国民の休日 included) or the year-end closure moves
to the next working day. Each clock is read the day before its deadline, on it and after it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from registry.core import workdays
from registry.incidents import assessment
from registry.incidents.models import Incident


@pytest.mark.parametrize(("first", "days", "deadline", "why"), [
    # Thursday 1 October 2026 is day 1: day 5 is Monday 5 October, a working day
    (date(2026, 10, 1), 5, date(2026, 10, 5), None),
    # day 5 is Sunday 11 October; Monday 12 October is Sports Day: Tuesday
    (date(2026, 10, 7), 5, date(2026, 10, 13), "Weekend"),
    # Golden Week: day 5 is 3 May (Constitution Day, a Sunday), then 4-6 May (6: substitute)
    (date(2026, 4, 29), 5, date(2026, 5, 7), "Holiday: Constitution Day"),
    # 国民の休日: 22 September 2026 lies between Respect for the Aged Day and the equinox
    (date(2026, 9, 18), 5, date(2026, 9, 24), "Holiday: National Holiday"),
    # day 30 is 29 December: the closure runs to 3 January, a Sunday: Monday 4 January 2027
    (date(2026, 11, 30), 30, date(2027, 1, 4), "Year-end closure"),
    # day 30 is 2 January 2027 (closure): Monday 4 January
    (date(2026, 12, 4), 30, date(2027, 1, 4), "Year-end closure"),
    # day 60 of a malicious act learned of on 1 October 2026 is Sunday 29 November: Monday
    (date(2026, 10, 1), 60, date(2026, 11, 30), "Weekend"),
])
def test_deadlines_move_past_closed_days(first, days, deadline, why):
    assert workdays.deadline(first, days) == deadline
    last = first + timedelta(days=days - 1)
    assert (workdays.why_closed(last).en if why else None) == why


def test_the_closure_and_holidays_are_known():
    assert not workdays.working(date(2026, 12, 29)) and not workdays.working(date(2027, 1, 3))
    assert workdays.working(date(2026, 12, 28)) and workdays.working(date(2027, 1, 4))
    assert workdays.why_closed(date(2026, 5, 6)).ja == "祝日（振替休日）"
    assert workdays.why_closed(date(2026, 9, 22)).ja == "祝日（国民の休日）"
    assert workdays.why_closed(date(2027, 3, 22)).ja == "祝日（振替休日）", "the equinox's substitute"


def _incident(**values) -> Incident:
    defaults = {"reference": "INC-1", "summary": "誤送信", "learned_on": date(2026, 12, 4),
                "persons": 1500}
    return Incident(**{**defaults, **values})


def _clock(incident: Incident, code: str) -> assessment.Clock:
    return next(c for c in assessment.clocks(incident) if c.code == code)


def test_each_clock_before_on_and_after_its_deadline(app_ctx):
    """Learned of on Friday 4 December 2026: the preliminary report is due on day 5, Tuesday 8
    December; the final one on day 30, 2 January (closure), so Monday 4 January 2027."""
    incident = _incident()
    preliminary, final = _clock(incident, "preliminary"), _clock(incident, "final")
    assert (preliminary.due_on, preliminary.moved) == (date(2026, 12, 8), None)
    assert final.due_on == date(2027, 1, 4) and final.moved.en == "Year-end closure"
    for clock in (preliminary, final):
        assert not clock.overdue(clock.due_on - timedelta(days=1))
        assert not clock.overdue(clock.due_on), "the deadline's own day is in time"
        assert clock.overdue(clock.due_on + timedelta(days=1))
    met = _clock(_incident(preliminary_reported_on=date(2026, 12, 10)), "preliminary")
    assert met.overdue(date(2026, 12, 9)), "overdue until it was sent"
    assert not met.overdue(date(2026, 12, 10)) and met.late, "sent two days late: late, not open"


def test_a_malicious_act_has_sixty_days(app_ctx):
    final = _clock(_incident(malicious=True, persons=None), "final")
    assert final.due_on == date(2027, 2, 1), "day 60 is Monday 1 February 2027"


def test_notice_is_met_by_the_earlier_of_notice_and_publication(app_ctx):
    notice = _clock(_incident(notified_on=date(2026, 12, 20), published_on=date(2026, 12, 10)),
                    "notice")
    assert notice.done_on == date(2026, 12, 10)


def test_days_are_settings(app, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "INCIDENT_DAYS",
                        {"preliminary": 3, "final": 20, "final_malicious": 40, "notice": 10})
    assert _clock(_incident(), "preliminary").due_on == date(2026, 12, 7), "day 3 is Sunday"
    assert _clock(_incident(), "final").due_on == date(2026, 12, 23)


def test_what_makes_an_incident_reportable(app, app_ctx, monkeypatch):
    assert not assessment.assess(_incident(persons=1000)).reportable, "1,000 is not more than 1,000"
    assert assessment.assess(_incident(persons=1001)).reportable
    assert assessment.clocks(_incident(persons=12)) == [], "no duty, no clock"
    for flag in ("financial_risk", "malicious"):
        assert assessment.assess(_incident(persons=3, **{flag: True})).reportable
    exempt = assessment.assess(_incident(persons=5000, encrypted=True))
    assert exempt.exempt and exempt.reasons and not exempt.reportable
    monkeypatch.setitem(app.config, "INCIDENT_PERSONS", 100)
    assert assessment.assess(_incident(persons=101)).reasons[0].en == \
        "More than 100 persons (PPC rule 7(4))"
