"""The one text-cell writer every workbook goes through (issue 15, point 12): formula-like text is
written as a string with the quote prefix, whichever xlsxwriter method writes it, keeping the
cell's other formatting; other text, numbers and dates are written as they were."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest

from registry.exchange.book import Workbook, is_formula_like
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
