"""Formula-like text in the inventory export (issue 15, point 12): every cell that holds it is a
string with the quote prefix, whatever the sheet, and the workbook imports back unchanged."""

from __future__ import annotations

import openpyxl

from registry.exchange import pipeline, write
from registry.extensions import db
from tests import factories as f
from tests.exchange.helpers import FORMULA_TEXT, assert_formula_text_kept, assert_kept_as_text


def test_the_export_keeps_formula_like_text_as_text_and_imports_it_back(app_ctx, tmp_path):
    for n, text in enumerate(FORMULA_TEXT):
        f.make_purpose(code=f"F{n}", title=text, description=text)
        consignee = f.make_consignee(name=text, address=text, contact_name=text,
                                     external_environment=text)
        f.make_finding(check=f.make_check(consignee=consignee), description=text)
        f.make_employee(name=text, department=text)
    db.session.flush()
    path = tmp_path / "export.xlsx"
    write.export(path, "ja")
    found = assert_formula_text_kept(path)
    sheets = {cell.parent.title for cells in found.values() for cell in cells}
    assert {"利用目的", "委託先", "従業者"} <= sheets
    titles = {row[0].value: row[1] for row in openpyxl.load_workbook(path)["利用目的"]
              .iter_rows(min_row=2)}
    for n, text in enumerate(FORMULA_TEXT):
        assert_kept_as_text(titles[f"F{n}"], text)

    plan = pipeline.plan_file(path)
    assert plan.valid, [str(i) for i in plan.issues]
    changes = {change for sheet in plan.sheets for row in sheet.changed()
               for change in row.changes.values()}
    assert changes == {(" =1+1", "=1+1")}, \
        "the text comes back without an apostrophe (a leading space is trimmed, as forms do)"
