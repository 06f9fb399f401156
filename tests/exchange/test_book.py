"""The one text-cell writer every workbook goes through (issue 15, point 12): formula-like text is
written as a string with the quote prefix, whichever xlsxwriter method writes it, keeping the
cell's other formatting; other text, numbers and dates are written as they were. The cell writers
that write big sheets' rows straight as XML (issue 17) write what xlsxwriter writes."""

from __future__ import annotations

import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from registry.exchange.book import (
    Workbook,
    date_cells,
    is_formula_like,
    number_cells,
    row_xml,
    style_id,
    text_cells,
)
from tests.exchange.helpers import FORMULA_TEXT, assert_kept_as_text


@pytest.mark.parametrize("text", [*FORMULA_TEXT, "-", "=", "\r改行", "\u3000=1", "  @x", "－5"])
def test_formula_like_text(text):
    assert is_formula_like(text)


@pytest.mark.parametrize("text", ["", "株式会社テスト", "1+1", "a=b", "E-001", "'=1", "(=1)",
                                  "https://example.com"])
def test_other_text(text):
    assert not is_formula_like(text)


@pytest.mark.parametrize("constant_memory", [False, True])
def test_every_way_of_writing_text_keeps_formula_like_text_as_text(tmp_path, constant_memory):
    path = tmp_path / "cells.xlsx"
    book = Workbook(path, constant_memory=constant_memory)
    answer = book.add_format({"bold": True, "bg_color": "#FFF2CC", "locked": False})
    sheet = book.add_worksheet("Cells")
    sheet.write_row(0, 0, FORMULA_TEXT, answer)
    for column, text in enumerate(FORMULA_TEXT):
        sheet.write_string(1, column, text)
    for column, text in enumerate(FORMULA_TEXT):  # rows in order, as constant memory asks
        sheet.write(2, column, text, answer)
    sheet.write_row(3, 0, ["plain", 42, 1.5])
    sheet.write_datetime(3, 3, date(2026, 4, 1), book.add_format({"num_format": "yyyy-mm-dd"}))
    sheet.write(3, 4, "-")
    sheet.write_column(4, 0, ["=SUM(A1:A3)", "株式会社テスト"])
    book.close()

    cells = openpyxl.load_workbook(path)["Cells"]
    for column, text in enumerate(FORMULA_TEXT, start=1):
        for row in (1, 2, 3):
            assert_kept_as_text(cells.cell(row, column), text)
        for row in (1, 3):  # the quote prefix is added to the cell's own format
            kept = cells.cell(row, column)
            assert kept.font.b and kept.fill.fgColor.rgb == "FFFFF2CC"
            assert kept.protection.locked is False
    plain, number, fraction, day, dash = (cells.cell(4, c) for c in range(1, 6))
    assert plain.value == "plain" and not plain.quotePrefix
    assert (number.data_type, number.value) == ("n", 42)
    assert (fraction.data_type, fraction.value) == ("n", 1.5)
    assert day.value == datetime(2026, 4, 1)
    assert_kept_as_text(dash, "-")
    assert_kept_as_text(cells["A5"], "=SUM(A1:A3)")
    assert cells["A6"].value == "株式会社テスト" and not cells["A6"].quotePrefix


#: cells of every kind the rows written as XML take care of: text to escape, to keep as text,
#: whose spaces to keep, too long for a cell; numbers; dates around Excel's missing leap day
TRICKY = [
    *FORMULA_TEXT, "plain", "株式会社テスト", "00123", "E-001", "a\nb", "9 ", "a_xb",
    "a & b < c > d \"quoted\"", "_x0041_ stays", "\x01\x1f", "\x1cseparator", " leading",
    "trailing ", "trailing\n", "two\nlines", "\u3000全角", "\ufffe", "x" * 40_000, "😀" * 20_000,
    0, 42, 10**15, 1.5, -3, date(1900, 2, 28), date(1900, 3, 1), date(2024, 7, 12),
    datetime(2024, 7, 12, 13, 30),
]


def _sheet_xml(path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


def test_rows_written_as_xml_are_what_xlsxwriter_writes(tmp_path):
    """Each tricky value in a row of its own, first in a column with a format of its own then in
    one without, at one line's height and taller: written through xlsxwriter, then straight as XML,
    the sheets are the same byte for byte."""
    rows = [(value, value, height) for value in TRICKY for height in (None, 30, 409)]
    sheets = {}
    for way in ("xlsxwriter", "xml"):
        book = Workbook(tmp_path / f"{way}.xlsx", constant_memory=True)
        wrap, days = (book.add_format({"text_wrap": True}),
                      book.add_format({"num_format": "yyyy-mm-dd"}))
        styles = [style_id(f) for f in (wrap, days, book.quoted(wrap), book.quoted(None))]
        sheet = book.add_worksheet("Cells")
        sheet.set_column(0, 0, 30, wrap)
        sheet.write_row(0, 0, ["Header", "Other"])
        if way == "xlsxwriter":
            for number, (first, second, height) in enumerate(rows, start=1):
                if height:
                    sheet.set_row(number, height)
                for column, value in enumerate((first, second)):
                    if isinstance(value, str):
                        sheet.write_string(number, column, value)
                    elif isinstance(value, date):
                        sheet.write_datetime(number, column, value, days)
                    else:
                        sheet.write_number(number, column, value)
        else:
            numbers = range(2, len(rows) + 2)
            columns = []
            for column, (style, quoted) in enumerate(((styles[0], styles[2]), (0, styles[3]))):
                values = [row[column] for row in rows]
                texts, counts, days = (text_cells(column, style, quoted), number_cells(column, style),
                                       date_cells(column, styles[1]))
                columns.append([text or count or day for text, count, day in zip(
                    texts(numbers, [v if isinstance(v, str) else None for v in values]),
                    counts(numbers, [v if isinstance(v, int | float) else None for v in values]),
                    days(numbers, [v if isinstance(v, date) else None for v in values]),
                    strict=True)])
            xml = "".join(row_xml(number, "".join(cells), row[2]) for number, cells, row
                          in zip(numbers, zip(*columns, strict=True), rows, strict=True))
            sheet.write_xml_rows(1, len(rows), (0, 1), xml)
        sheet.write_string(len(rows) + 1, 0, "after the rows")
        book.close()
        sheets[way] = _sheet_xml(tmp_path / f"{way}.xlsx")
    assert sheets["xml"] == sheets["xlsxwriter"]
    assert sheets["xml"].count("<row ") == len(rows) + 2


def test_text_looking_like_rich_text_markup_stays_text(tmp_path):
    """xlsxwriter writes text between <r> and </r> into the XML unescaped, as rich text (a cell
    holding "<r>a & b</r>" made a workbook no program opens); the rows written as XML escape it."""
    path = tmp_path / "markup.xlsx"
    book = Workbook(path, constant_memory=True)
    sheet = book.add_worksheet("Cells")
    texts = ["<r>a & b</r>", "<r><t>hidden</t></r>"]
    cells = text_cells(0, 0, style_id(book.quoted(None)))(range(1, 3), texts)
    sheet.write_xml_rows(0, 1, (0, 0), "".join(
        row_xml(number, cell) for number, cell in enumerate(cells, start=1)))
    book.close()
    assert [row[0].value for row in openpyxl.load_workbook(path)["Cells"].iter_rows()] == texts
