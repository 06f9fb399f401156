"""Formula-like text in the inventory export (issue 15, point 12): every cell that holds it is a
string with the quote prefix, whatever the sheet, and the workbook imports back unchanged."""

from __future__ import annotations

import openpyxl

from registry.exchange import pipeline, write
from registry.exchange.values import clean_text
from registry.extensions import db
from tests import factories as f
from tests.exchange.helpers import FORMULA_TEXT, assert_formula_text_kept, assert_kept_as_text


def hostile_inventory(texts: list[str]) -> None:
    for n, text in enumerate(texts):
        f.make_purpose(code=f"F{n}", title=text, description=text)
        consignee = f.make_consignee(name=text, address=text, contact_name=text,
                                     external_environment=text)
        f.make_finding(check=f.make_check(consignee=consignee), description=text)
        f.make_employee(name=text, department=text)
    db.session.flush()


def test_the_export_keeps_formula_like_text_as_text(app_ctx, tmp_path):
    hostile_inventory(FORMULA_TEXT)
    path = tmp_path / "export.xlsx"
    write.export(path, "ja")
    found = assert_formula_text_kept(path)
    sheets = {cell.parent.title for cells in found.values() for cell in cells}
    assert {"利用目的", "委託先", "従業者"} <= sheets
    titles = {row[0].value: row[1] for row in openpyxl.load_workbook(path)["利用目的"]
              .iter_rows(min_row=2)}
    for n, text in enumerate(FORMULA_TEXT):
        assert_kept_as_text(titles[f"F{n}"], text)


def test_the_exported_formula_like_text_imports_back_unchanged(app_ctx, tmp_path):
    """Without the apostrophe the quote prefix stands for (text the registry holds: forms and
    imports trim leading spaces)."""
    hostile_inventory([text for text in FORMULA_TEXT if clean_text(text) == text])
    path = tmp_path / "export.xlsx"
    write.export(path, "en")
    plan = pipeline.plan_file(path)
    assert plan.valid and not plan.changes_anything, [str(i) for i in plan.issues]
