"""Incidents through the browser's doors: the form refuses days out of order, the page shows
whether the incident must be reported and its clocks, the report to the PPC comes out in rule
8(1)'s order in Japanese, as a page and as a workbook whose texts stay texts."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta

import openpyxl
import sqlalchemy as sa

from registry.core.models import AuditEntry
from registry.extensions import db
from registry.incidents.models import Incident
from registry.inventory.models import AppiKind
from registry.supervision.models import Finding
from tests import factories as f
from tests.factories import today as registry_today

HEADINGS = ["概要", "漏えい等が発生し、又は発生したおそれがある個人データの項目",
            "漏えい等が発生し、又は発生したおそれがある個人データに係る本人の数", "原因",
            "二次被害又はそのおそれの有無及びその内容", "本人への対応の実施状況", "公表の実施状況",
            "再発防止のための措置", "その他参考となる事項"]


def _form(**changes) -> dict:
    return {"reference": "INC-0100", "summary": "健康診断結果の誤送付", "kind": "leakage",
            "learned_on": registry_today().isoformat(), **changes}


def test_the_form_keeps_the_days_in_order(app_ctx, as_role):
    editor = as_role("editor")
    today = registry_today()
    cases = {
        "occurred_on": (today + timedelta(days=1), "cannot be learned of before it occurred"),
        "preliminary_reported_on": (today - timedelta(days=1), "cannot come before the day"),
        "learned_on": (today + timedelta(days=2), "in the future"),
    }
    for field, (day, message) in cases.items():
        page = editor.post("/incidents/new", _form(**{field: day.isoformat()}))
        assert page.status_code == 200 and message in page.get_data(as_text=True), field
    assert editor.post("/incidents/new", _form()).status_code == 302


def test_the_page_says_it_must_be_reported_and_shows_its_clocks(app_ctx, as_role):
    health = f.make_category(name="健康診断結果", appi_kind=AppiKind.SPECIAL_CARE)
    incident = f.make_incident(learned_on=date(2026, 12, 4), categories=[health], persons=40)
    quiet = f.make_incident(learned_on=date(2026, 12, 4), persons=40)
    db.session.commit()
    viewer = as_role("viewer")
    page = viewer.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert "must be reported" in page and "Special care-required data (PPC rule 7(1))" in page
    assert "2026-12-08" in page, "the preliminary report: day 5"
    assert "2027-01-04" in page and "Year-end closure" in page, "the final report, moved"
    quiet_page = viewer.get(f"/incidents/{quiet.id}").get_data(as_text=True)
    assert "no report is required" in quiet_page and "Deadlines" not in quiet_page
    listed = viewer.get("/incidents/").get_data(as_text=True)
    assert incident.reference in listed and quiet.reference in listed


def test_the_report_follows_rule_8_in_japanese(app_ctx, as_role):
    card = f.make_category(name="クレジットカード番号")
    firm = f.make_consignee(name="株式会社配送センター")
    incident = f.make_incident(
        summary="=HYPERLINK(\"http://evil\")", categories=[card], persons=1234, consignee=firm,
        financial_risk=True, malicious=True, occurred_on=date(2026, 9, 28),
        cause="不正アクセス", notified_on=date(2026, 10, 5))
    db.session.commit()
    viewer = as_role("viewer")
    page = viewer.get(f"/incidents/{incident.id}/report").get_data(as_text=True)
    positions = [page.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions), "in the order of rule 8(1)"
    for text in ("1,234人（推定）", "クレジットカード番号", "株式会社配送センター",
                 "2026年10月5日に本人へ通知済み", "不正の目的をもって行われたおそれ",
                 "=HYPERLINK(&#34;http://evil&#34;)"):
        assert text in page, text
    response = viewer.get(f"/incidents/{incident.id}/report.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    response.close()
    rows = [(a.value, b.value) for a, b in sheet.iter_rows(min_row=2)]
    assert [heading for heading, _ in rows] == HEADINGS
    summary = sheet["B2"]
    assert summary.data_type == "s" and summary.value.startswith('=HYPERLINK("http://evil")')
    assert re.search(r"発生日：2026年9月28日", rows[0][1])


def test_an_incident_at_a_consignee_opens_a_check_and_a_finding_once(app_ctx, as_role, users):
    firm = f.make_consignee(name="株式会社委託先", risk_tier="low")
    incident = f.make_incident(consignee=firm, summary="配送伝票の紛失")
    elsewhere = f.make_incident()
    db.session.commit()
    viewer, editor = as_role("viewer"), as_role("editor")
    page = viewer.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert "review its tier" in page and "Open an ad hoc check" not in page, "a viewer cannot"
    assert viewer.post(f"/incidents/{incident.id}/finding", {},
                       form_url=f"/incidents/{incident.id}").status_code == 403
    assert editor.post(f"/incidents/{incident.id}/finding", {}, csrf=False).status_code == 400
    assert editor.post(f"/incidents/{incident.id}/finding", {},
                       form_url=f"/incidents/{incident.id}").status_code == 302
    db.session.expire_all()
    finding = db.session.get(Incident, incident.id).finding
    assert finding.check.consignee_id == firm.id and finding.check.kind.value == "ad_hoc"
    assert finding.description == f"{incident.reference}: 配送伝票の紛失"
    again = editor.post(f"/incidents/{incident.id}/finding", {},
                        form_url=f"/incidents/{incident.id}", follow_redirects=True)
    assert "already open" in again.get_data(as_text=True)
    refused = editor.post(f"/incidents/{elsewhere.id}/finding", {},
                          form_url=f"/incidents/{elsewhere.id}", follow_redirects=True)
    assert "happened at no consignee" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Finding)) == 1
    changed = db.session.scalars(sa.select(AuditEntry.entity).where(
        AuditEntry.actor == users["editor"])).all()
    assert {"supervision_checks", "findings", "incidents"} <= set(changed)


def test_the_quarterly_report_counts_incidents_and_their_clocks(app_ctx, as_role):
    """FY2026-Q3 runs from October to December: one incident learned of in it was reported late,
    one needs no report; one learned of in Q2 still has no final report at the quarter's end."""
    from registry.reporting import quarterly
    from registry.reporting.quarters import Quarter

    late = f.make_incident(learned_on=date(2026, 10, 1), persons=2000,
                           preliminary_reported_on=date(2026, 10, 9),
                           final_reported_on=date(2026, 10, 20), notified_on=date(2026, 10, 2))
    f.make_incident(learned_on=date(2026, 11, 2), persons=3)
    f.make_incident(learned_on=date(2026, 9, 1), malicious=True,
                    preliminary_reported_on=date(2026, 9, 2), notified_on=date(2026, 9, 2))
    db.session.commit()
    report = quarterly.build(Quarter(2026, 3, 4), now=datetime(2027, 1, 15, 3))
    section = next(s for s in report["sections"] if s["key"] == "incidents")
    figures = {name: now for name, now, _ in section["figures"]}
    assert figures == {"incidents_learned": 2, "incidents_reportable": 1, "incidents_late": 1,
                       "incident_clocks_overdue_at_end": 1}, "the malicious one: day 60 is 30 Oct"
    rows = section["tables"][0]["rows"]
    assert rows[0][:5] == [late.reference, "2026-10-01", "leakage", 2000, True]
    assert rows[0][5:7] == ["2026-10-05", "2026-10-09"], "preliminary due on day 5, sent late"
    page = as_role("viewer").get("/reports/quarterly?quarter=FY2026-Q3").get_data(as_text=True)
    assert "Incidents and their deadlines" in page and late.reference in page
