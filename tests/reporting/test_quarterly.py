"""The quarterly supervision report: fiscal quarters, figures from dated records, snapshots that
cannot change, and the page and downloads."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from registry.compliance.models import Waiver
from registry.core import operations
from registry.extensions import db
from registry.reporting import quarterly, snapshots
from registry.reporting.models import ReportSnapshot
from registry.reporting.quarters import Quarter
from registry.supervision.models import CheckKind, CheckResult, FindingStatus, Severity
from tests import factories as f

Q2 = Quarter(2026, 2, 4)


@pytest.mark.parametrize(("text", "start", "first", "last"), [
    ("FY2026-Q2", 4, date(2026, 7, 1), date(2026, 9, 30)),
    ("fy2026q4", 4, date(2027, 1, 1), date(2027, 3, 31)),
    ("ＦＹ２０２６－Ｑ１", 4, date(2026, 4, 1), date(2026, 6, 30)),
    ("FY2026-Q1", 1, date(2026, 1, 1), date(2026, 3, 31)),
    ("FY2026-Q3", 10, date(2027, 4, 1), date(2027, 6, 30)),
])
def test_fiscal_quarters_follow_the_start_month(text, start, first, last):
    q = Quarter.parse(text, start)
    assert (q.first_day, q.last_day) == (first, last)
    assert Quarter.containing(first, start) == q == Quarter.containing(last, start)
    assert q.previous.last_day.toordinal() + 1 == first.toordinal()
    assert q.next.previous == q


@pytest.mark.parametrize("text", ["2026Q2", "FY2026-Q5", "FY26-Q1", "", "FY2026-Q2; DROP TABLE"])
def test_other_names_are_not_quarters(text):
    with pytest.raises(ValueError, match="not a fiscal quarter"):
        Quarter.parse(text, 4)


def dated_registry():
    """Records dated in FY2026-Q1 and Q2 (and one in Q3, which Q2 must not see)."""
    firm = f.make_consignee(risk_tier="high")
    f.make_entrustment(consignee=firm, start_on=date(2025, 4, 1))
    f.make_check(consignee=firm, kind=CheckKind.SELECTION, checked_on=date(2025, 3, 1))
    q1_check = f.make_check(consignee=firm, checked_on=date(2026, 5, 10), next_due_on=date(2026, 8, 10))
    q2_check = f.make_check(consignee=firm, checked_on=date(2026, 8, 20), next_due_on=date(2026, 11, 20),
                            result=CheckResult.PASS_WITH_FINDINGS)
    f.make_finding(check=q1_check, severity=Severity.HIGH, status=FindingStatus.RESOLVED,
                   resolution="済", resolved_on=date(2026, 7, 15))
    f.make_finding(check=q2_check, due_on=date(2026, 9, 15))
    f.make_contract(consignee=firm, signed_on=date(2025, 3, 20), start_on=date(2025, 4, 1),
                    end_on=date(2026, 8, 31))
    f.make_contract(consignee=firm, signed_on=date(2026, 8, 25), start_on=date(2026, 9, 1))
    leaver = f.make_employee(status="departed", departed_on=date(2026, 7, 31),
                             pledge_signed_on=date(2024, 1, 1))
    f.make_grant(employee=leaver, granted_on=date(2025, 1, 1), revoked_on=date(2026, 8, 4),
                 revoke_reason="退職")
    f.make_grant(employee=leaver, granted_on=date(2025, 1, 1), system="人事", revoked_on=date(2026, 8, 10),
                 revoke_reason="退職")
    stayer = f.make_employee(pledge_signed_on=date(2024, 1, 1), last_training_on=date(2026, 6, 1))
    f.make_grant(employee=stayer, granted_on=date(2026, 9, 1))
    f.make_grant(employee=f.make_employee(), granted_on=date(2026, 10, 5))  # Q3
    f.make_check(consignee=firm, checked_on=date(2026, 10, 2))  # Q3


def figures(report: dict) -> dict:
    return {f"{s['key']}.{key}": (current, previous)
            for s in report["sections"] for key, current, previous in s["figures"]}


def test_figures_come_from_the_dated_records(app_ctx):
    dated_registry()
    report = quarterly.build(Q2)
    got = figures(report)
    assert report["quarter"] == "FY2026-Q2" and report["previous"] == "FY2026-Q1"
    assert got["checks.done"] == (1, 1)
    assert got["checks.with_findings"] == (1, 0)
    assert got["findings.opened"] == (1, 1)
    assert got["findings.resolved"] == (1, 0)
    assert got["findings.open_at_end"] == (1, 1)
    assert got["findings.past_due_at_end"] == (1, 0)
    assert got["contracts.signed"] == (1, 0) and got["contracts.renewed"] == (1, 0)
    assert got["contracts.expired"] == (1, 0)
    assert got["access.departed"] == (1, 0)
    assert got["access.departed_revoked_median_days"] == (10, None), "the last grant went 10 days after"
    assert got["access.departed_with_access"] == (0, 0)
    assert got["access.granted"] == (1, 0) and got["access.revoked"] == (2, 0)
    assert got["training.holders"] == (1, 1)
    assert got["training.pledge_coverage_pct"] == (100.0, 100.0)
    assert got["training.training_coverage_pct"] == (100.0, 0.0)
    assert got["consignees.tier_high"] == (1, 1)
    departures = next(t for s in report["sections"] for t in s["tables"] if t["key"] == "departures")
    assert departures["rows"] == [[departures["rows"][0][0], departures["rows"][0][1], "2026-07-31",
                                   "2026-08-10", 10, 0]]


def test_a_past_quarter_gives_the_same_figures_when_generated_again(app_ctx):
    dated_registry()
    first = quarterly.build(Q2)
    f.make_check(checked_on=date(2026, 11, 1))
    f.make_grant(granted_on=date(2026, 11, 2))
    again = quarterly.build(Q2)
    assert figures(again) == figures(first)
    assert [s["tables"] for s in again["sections"]] == [s["tables"] for s in first["sections"]]


def test_a_snapshot_cannot_be_changed_or_deleted(app_ctx):
    dated_registry()
    snapshot = snapshots.save(quarterly.build(Q2))
    db.session.commit()
    assert snapshot.intact
    for statement in (sa.update(ReportSnapshot).values(quarter="FY1999-Q1"),
                      sa.update(ReportSnapshot).values(content={}),
                      sa.delete(ReportSnapshot)):
        with pytest.raises(DBAPIError, match="cannot be changed"), db.session.begin_nested():
            db.session.execute(statement)
    db.session.expire_all()
    assert db.session.get(ReportSnapshot, snapshot.id).quarter == "FY2026-Q2"


def download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    data = response.data
    response.close()
    return data


def test_report_page_downloads_and_snapshots(app_ctx, as_role):
    dated_registry()
    db.session.commit()
    viewer = as_role("viewer")
    page = viewer.get("/reports/quarterly?quarter=FY2026-Q2")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "FY2026-Q2" in text and "<svg" in text
    refused = viewer.get("/reports/quarterly?quarter=FY2026-Q9")
    assert refused.status_code == 400
    assert "is not a fiscal quarter: write it like FY2026-Q2" in refused.get_data(as_text=True)
    assert viewer.post("/reports/snapshots", {"quarter": "FY2026-Q2"}, form_url="/").status_code == 403
    html = viewer.get("/reports/quarterly.html?quarter=FY2026-Q2")
    assert "attachment" in html.headers["Content-Disposition"]
    assert "<style>" in html.get_data(as_text=True) and "@page" in html.get_data(as_text=True)
    editor = as_role("editor")
    saved = editor.post("/reports/snapshots", {"quarter": "FY2026-Q2"},
                        form_url="/reports/quarterly?quarter=FY2026-Q2")
    assert saved.status_code == 302
    listing = viewer.get("/reports/snapshots").get_data(as_text=True)
    assert "FY2026-Q2" in listing and "editor1" in listing
    snapshot = db.session.scalar(sa.select(ReportSnapshot))
    assert viewer.get(f"/reports/snapshots/{snapshot.id}").status_code == 200
    workbook = download(viewer, f"/reports/snapshots/{snapshot.id}.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    assert len(book.sheetnames) == 1 + len(snapshot.content["sections"]) == 12, "a summary, the sections"
    charts = [n for n in zipfile.ZipFile(io.BytesIO(workbook)).namelist() if n.startswith("xl/charts/")]
    assert len(charts) == 11, "one native chart per section"
    checks = book["Supervision checks"]
    values = {row[0]: row[1:3] for row in checks.iter_rows(min_row=5, max_col=3, values_only=True)
              if row[0]}
    assert values["Checks done"] == (1, 1)


def test_the_report_speaks_the_readers_language(app_ctx, as_role):
    dated_registry()
    db.session.commit()
    viewer = as_role("viewer")
    assert viewer.post("/language", {"language": "ja"}, form_url="/").status_code == 302
    text = viewer.get("/reports/quarterly?quarter=FY2026-Q2").get_data(as_text=True)
    assert "四半期" in text and "委託先" in text
    book = openpyxl.load_workbook(io.BytesIO(download(viewer, "/reports/quarterly.xlsx?quarter=FY2026-Q2")))
    assert any("委託先" in name for name in book.sheetnames)


def test_waivers_at_quarter_end_count_as_waived(app_ctx):
    category = f.make_category(retention_period="")
    category.created_at = datetime(2026, 1, 1)  # entered before the quarters compared
    operations.create(Waiver, {
        "check_code": "category-without-retention", "subject_id": category.id,
        "subject_label": category.name, "reason": "移行中", "waived_on": date(2026, 9, 1),
        "expires_on": date(2026, 12, 31), "waived_by": "admin1"})
    got = figures(quarterly.build(Q2))
    assert got["results.waived"] == (1, 0)
    assert got["results.open_medium"] == (0, 1)
