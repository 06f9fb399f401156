"""Formula-like text in the quarterly report workbook (issue 15, point 12): consignee and employee
names in its tables are strings with the quote prefix, never formulas."""

from __future__ import annotations

import io
from datetime import date

from registry.extensions import db
from registry.reporting.quarters import Quarter
from registry.supervision.models import CheckResult
from tests import factories as f
from tests.exchange.helpers import FORMULA_TEXT, assert_formula_text_kept

Q2 = Quarter(2026, 2, 4)


def hostile_quarter() -> None:
    """Consignees and employees named with formula-like text, in FY2026-Q2's tables."""
    for n, text in enumerate(FORMULA_TEXT):
        firm = f.make_consignee(name=text)
        check = f.make_check(consignee=firm, checked_on=date(2026, 8, 20),
                             result=CheckResult.PASS_WITH_FINDINGS)
        f.make_finding(check=check, due_on=date(2026, 9, 15), description=text)
        f.make_contract(consignee=firm, signed_on=date(2026, 8, 25), start_on=date(2026, 9, 1))
        f.make_employee(number=f"X{n:03d}", name=text, status="departed",
                        departed_on=date(2026, 7, 31))


def test_the_report_workbook_keeps_formula_like_text_as_text(app_ctx, as_role):
    hostile_quarter()
    db.session.commit()
    response = as_role("viewer").get("/reports/quarterly.xlsx?quarter=FY2026-Q2")
    assert response.status_code == 200
    path = io.BytesIO(response.data)
    response.close()
    found = assert_formula_text_kept(path)
    for text in FORMULA_TEXT:
        shown = {cell.value for cell in found[text]}
        assert {text, f"{text} (JP)"} <= shown, "an employee's name and a consignee's label"

