"""Formulas in imported workbooks: a computed value saved with the formula is read; a formula saved
without one (as openpyxl writes it) or an error value is an error at its sheet, row and column,
never an empty cell that clears what the registry holds."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import sqlalchemy as sa
import xlsxwriter

from registry.cli import cli
from registry.core.models import AuditEntry
from registry.exchange import cells, pipeline, write
from registry.extensions import db
from registry.people.models import Employee
from tests import factories as f
from tests.exchange.helpers import workbook

HEADERS = ["Employee number", "Name", "Department", "Pledge signed on"]
SHEET1 = "xl/worksheets/sheet1.xml"


def stored(number: str) -> Employee:
    db.session.expire_all()
    return db.session.scalar(sa.select(Employee).where(Employee.number == number))


def test_a_formula_without_a_computed_value_is_an_error_not_a_cleared_cell(app, app_ctx, tmp_path):
    f.make_employee(number="E001", name="山田 太郎", department="総務部",
                    pledge_signed_on=date(2025, 4, 1))
    f.make_employee(number="E002", name="佐藤 花子", department="開発部")
    db.session.flush()
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    path = workbook(tmp_path / "openpyxl.xlsx", {"Employees": [
        HEADERS,
        ["E001", "山田 太郎", '="総" & "務部"', "=DATE(2025,4,1)"],
        ["E002", "佐藤 花子", "開発部", None],
    ]})
    result = app.test_cli_runner().invoke(cli, ["import", str(path)])
    assert result.exit_code == 1, result.output
    errors = result.stderr
    assert ("sheet “Employees”, row 2, column “Department”: a formula without a computed value"
            in errors)
    assert "sheet “Employees”, row 2, column “Pledge signed on”: a formula" in errors
    assert errors.count("type the value instead") == 2
    assert stored("E001").department == "総務部"
    assert stored("E001").pledge_signed_on == date(2025, 4, 1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before


def test_a_row_of_formulas_alone_is_reported_too(app_ctx, tmp_path):
    """The reader drops a row whose cells are all formulas without values: it is still found."""
    path = workbook(tmp_path / "row.xlsx", {"Employees": [
        HEADERS,
        ["E001", "山田 太郎", "総務部", None],
        ['="E0" & "02"', '="佐藤"', '="開発部"', "=TODAY()"],
    ]})
    plan = pipeline.plan_file(path)
    assert not plan.valid
    assert {(i.row, i.column) for i in plan.issues} == {
        (3, "Employee number"), (3, "Name"), (3, "Department"), (3, "Pledge signed on")}


def test_a_formula_with_its_computed_value_is_read(app_ctx, tmp_path):
    path = tmp_path / "computed.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Employees")
    sheet.write_row(0, 0, HEADERS)
    sheet.write_row(1, 0, ["E001", "山田 太郎"])
    sheet.write_formula(1, 2, '="総" & "務部"', None, "総務部")
    sheet.write_formula(1, 3, "=DATE(2025,4,1)", book.add_format({"num_format": "yyyy-mm-dd"}),
                        45748)
    book.close()
    plan = pipeline.plan_file(path)
    assert plan.valid, [str(i) for i in plan.issues]
    values = plan.sheets[0].rows[0].values
    assert values["department"] == "総務部" and values["pledge_signed_on"] == date(2025, 4, 1)


def test_an_error_value_is_an_error(app_ctx, tmp_path):
    f.make_employee(number="E001", name="山田 太郎", department="総務部")
    db.session.flush()
    path = tmp_path / "error.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Employees")
    sheet.write_row(0, 0, HEADERS)
    sheet.write_row(1, 0, ["E001", "山田 太郎"])
    sheet.write_formula(1, 2, "=VLOOKUP(A2,Z:Z,2,FALSE)", None, "#N/A")
    book.close()
    plan = pipeline.plan_file(path)
    assert [str(i) for i in plan.issues] == [
        "sheet “Employees”, row 2, column “Department”: the cell holds the error #N/A; type the "
        "value instead"]


def rewrite_sheet(source: Path, target: Path, sheet_data: str) -> Path:
    """The workbook with its first sheet's rows replaced by hand-written XML."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for entry in old.infolist():
            data = old.read(entry)
            if entry.filename == SHEET1:
                data = re.sub(rb"<sheetData>.*</sheetData>|<sheetData/>",
                              f"<sheetData>{sheet_data}</sheetData>".encode(), data, flags=re.S)
            new.writestr(entry.filename, data)
    return target


def test_what_the_scan_finds_in_the_xml(app_ctx, tmp_path):
    """Shared formulas (the master has the text, the others only its index), cells and rows without
    references, empty rows, strings that only look like formulas, a computed empty string, a
    formula after its value (against the schema's order), an end tag with a space."""
    source = workbook(tmp_path / "source.xlsx", {"Sheet": [["x"]]})
    path = rewrite_sheet(source, tmp_path / "hand.xlsx", (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lt;f&gt;1+1&lt;/f&gt; "e" t="e"</t></is></c>'
        '<c r="B1"><f t="shared" ref="B1:B3" si="0">A1&amp;"!"</f><v>5</v></c>'
        '<c r="C1" t="str"><f>IF(TRUE,"","x")</f><v></v></c></row>'
        '<row r="2"><c r="B2"><f t="shared" si="0"/></c><c><f>1+1</f><v/></c></row>'
        '<row><c r="B3"><f t="shared" si="0"/><v>7</v></c>'
        '<c r="D3" t="inlineStr"><f>"a"</f><is><t>a</t></is></c><c r="E3" t="e"><v>#REF!</v></c></row>'
        '<row r="5" ht="30" customHeight="1"/>'
        '<row>\n  <c>\n    <f>1+1</f>\n  </c>\n  <c r="C6"><v></v><f>2+2</f></c>\n</row>'
        '<row r="7"><c r="A7"><f>3+3</f></c></row >'
        '<row r="8"><c r="A8"><f>4+4</f></c></row><row r="9"><c r="B9"><f>5+5</f></c></row >'
    ))
    found = cells.unread_cells(path, ["Sheet", "Missing"])
    assert found["Missing"] == {}
    assert {key: cell.error for key, cell in found["Sheet"].items()} == {
        (2, 1): None, (2, 2): None, (3, 4): "#REF!", (6, 0): None, (6, 2): None,
        (7, 0): None, (8, 0): None, (9, 1): None}


def test_a_sheet_with_a_namespace_prefix(app_ctx, tmp_path):
    """Some generators write every element with a prefix (x:c, x:f)."""
    source = workbook(tmp_path / "source.xlsx", {"Sheet": [["x"]]})
    path = tmp_path / "prefixed.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for entry in old.infolist():
            data = old.read(entry)
            if entry.filename == SHEET1:
                data = (b'<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="http://'
                        b'schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
                        b'<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c><x:c r="B1"><x:f>A1*2</x:f>'
                        b'</x:c><x:c r="C1"><x:f>A1*3</x:f><x:v>3</x:v></x:c></x:row>'
                        b'</x:sheetData></x:worksheet>')
            new.writestr(entry.filename, data)
    assert {key: cell.error for key, cell in cells.unread_cells(path, ["Sheet"])["Sheet"].items()} \
        == {(1, 1): None}


def test_a_sheet_without_formulas_is_not_looked_into(app_ctx, tmp_path, monkeypatch):
    """Exported workbooks hold none: a quick look at the bytes settles it (data validations'
    <formula1> elements included)."""
    f.make_employee(number="E001")
    db.session.flush()
    path = tmp_path / "export.xlsx"
    write.export(path, "en")
    looked_into = []
    monkeypatch.setattr(cells, "_scan_row", lambda *arguments: looked_into.append(arguments))
    assert pipeline.plan_file(path).valid
    assert looked_into == []


def test_a_workbook_saved_by_openpyxl_keeps_cached_values(app_ctx, tmp_path):
    """openpyxl keeps a workbook's formulas and drops their values when it saves: the registry
    says so instead of reading empty cells."""
    source = tmp_path / "computed.xlsx"
    book = xlsxwriter.Workbook(str(source))
    sheet = book.add_worksheet("Employees")
    sheet.write_row(0, 0, HEADERS)
    sheet.write_row(1, 0, ["E001", "山田 太郎"])
    sheet.write_formula(1, 2, '="総" & "務部"', None, "総務部")
    book.close()
    resaved = tmp_path / "resaved.xlsx"
    openpyxl.load_workbook(source).save(resaved)
    assert pipeline.plan_file(source).valid
    issues = pipeline.plan_file(resaved).issues
    assert [(i.row, i.column) for i in issues] == [(2, "Department")]
