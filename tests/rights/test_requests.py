"""Individuals' requests: the form keeps the rules of the law and the policy (identity first, a
refusal with its ground, a fee only where allowed), the answer's target moves past closed days,
and the page says from when a suit may follow (APPI Art. 39)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from registry.core import records
from registry.core.schema import Invalid
from registry.extensions import db
from registry.rights import clocks
from registry.rights.models import RightsRequest
from tests import factories as f
from tests.factories import today as registry_today


def _form(**changes) -> dict:
    return {"reference": "REQ-0100", "kind": "disclosure", "channel": "mail",
            "requester": "佐藤 一郎", "received_on": (registry_today() - timedelta(days=3)).isoformat(),
            "decision": "pending", **changes}


def test_the_form_keeps_the_rules(app_ctx, as_role):
    editor = as_role("editor")
    verified = {"identity_document": "運転免許証",
                "verified_on": (registry_today() - timedelta(days=2)).isoformat()}
    cases = [
        ({"decision": "granted"}, "Decide only once the requester's identity is verified"),
        ({"decision": "refused", **verified}, "A refusal needs its ground"),
        ({"responded_on": registry_today().isoformat()}, "An answer gives a decision"),
        ({"kind": "correction", "fee": "1000"}, "A fee may be charged only"),
        ({"verified_on": (registry_today() - timedelta(days=9)).isoformat(),
          "identity_document": "旅券"}, "cannot come before the day the request was received"),
        ({"received_on": (registry_today() + timedelta(days=1)).isoformat()}, "in the future"),
    ]
    for changes, message in cases:
        page = editor.post("/requests/new", _form(**changes))
        assert page.status_code == 200 and message in page.get_data(as_text=True), changes
    done = editor.post("/requests/new", _form(decision="refused", fee="1000",
                                              ground="法33条2項2号", **verified))
    assert done.status_code == 302


def test_the_same_rules_hold_outside_the_forms(app_ctx):
    with pytest.raises(Invalid, match="A fee may be charged only"):
        records.create(RightsRequest, {"reference": "REQ-X", "kind": "suspension",
                                       "requester": "A", "received_on": date(2026, 10, 1),
                                       "fee": 500})


@pytest.mark.parametrize(("received", "due"), [
    (date(2026, 10, 1), date(2026, 10, 15)),   # Thursday + 14 days: Thursday
    (date(2026, 9, 5), date(2026, 9, 24)),     # + 14 is Saturday 19; 21-23 are holidays
    (date(2026, 12, 17), date(2027, 1, 4)),    # + 14 is 31 December: the closure
])
def test_the_answer_is_due_on_the_companys_target_moved_past_closed_days(app_ctx, received, due):
    request = f.make_request(received_on=received)
    assert request.due_on == due
    assert not clocks.overdue(request, due) and clocks.overdue(request, due + timedelta(days=1))


def test_the_target_is_a_setting(app, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "REQUEST_RESPONSE_DAYS", 7)
    assert clocks.answer_due(date(2026, 10, 1)) == date(2026, 10, 8)


def test_the_page_shows_the_deadline_and_when_a_suit_may_follow(app_ctx, as_role):
    disclosure = f.make_request(received_on=date(2026, 10, 1))
    notice = f.make_request(kind="purpose_notice", received_on=date(2026, 10, 1),
                            identity_document="健康保険証", verified_on=date(2026, 10, 2),
                            decision="granted", responded_on=date(2026, 10, 20))
    db.session.commit()
    viewer = as_role("viewer")
    page = viewer.get(f"/requests/{disclosure.id}").get_data(as_text=True)
    assert "2026-10-15" in page and "From 2026-10-16 the requester may sue" in page
    answered = viewer.get(f"/requests/{notice.id}").get_data(as_text=True)
    assert "Done late" in answered and "may sue" not in answered, "Art. 39 is not for a notice"
    listed = viewer.get("/requests/?open=yes").get_data(as_text=True)
    assert disclosure.reference in listed and notice.reference not in listed
