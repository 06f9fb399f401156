"""A sheet read in windows gives what python-calamine gives reading it whole: the same values (shared
strings, dates in either date system, booleans, numbers), at the same rows and columns, whoever
wrote the workbook; windows of a few rows here, so that every sheet is cut many times."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from registry.exchange import read, windows
from registry.exchange.guard import Limits, Refused
from tests.exchange.helpers import workbook

SMALL_WINDOW = 300
HEADERS = ["Employee number", "Name", "Department", "Pledge signed on"]


def values(number: int) -> list:
    return [f"E{number:04d}", f"社員 {number}", [True, 2.5, 7, " 総務部 ", None][number % 5],
            date(2020, 1, 1) + timedelta(days=number), datetime(2021, 3, 4, 5, 6, number % 60)]


def by_openpyxl(path: Path, *, date_1904: bool = False) -> Path:
    book = openpyxl.Workbook()
    if date_1904:
        book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    sheet = book.active
    sheet.title = "Employees"
    sheet.append(["A title row"])
    sheet.append([])
    sheet.append(HEADERS)
    for number in range(300):
        sheet.append(values(number))
        if number % 40 == 0:
            sheet.append([])
    sheet.cell(400, 9, "far right, far down")
    book.save(path)
    return path


def by_xlsxwriter(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Employees")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(1, 1, HEADERS)
    for number in range(300):
        for column, value in enumerate(values(number), start=1):
            if isinstance(value, date):
                sheet.write_datetime(number + 2, column, value, dates)
            elif value is not None:
                sheet.write(number + 2, column, value)
    book.close()
    return path


def without_references(path: Path) -> Path:
    """The workbook rewritten with rows and cells that give no reference (each follows the
    previous one), as some generators write them."""
    target = path.with_name("no-references.xlsx")
    with zipfile.ZipFile(by_openpyxl(path)) as source, zipfile.ZipFile(target, "w") as copy:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                body = re.sub(rb'<c r="[A-Z]+\d+"', b"<c", re.sub(rb'<row r="\d+"', b"<row", body))
            copy.writestr(item, body)
    return target


def whole(path: Path, name: str) -> list[tuple[int, list]]:
    book = CalamineWorkbook.from_path(str(path))
    raw = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return [(index, cells) for index, cells in enumerate(raw) if any(c != "" for c in cells)]


def windowed(path: Path, name: str) -> list[tuple[int, list]]:
    return [(index, cells) for index, cells in windows.rows(path, name, SMALL_WINDOW)
            if any(c != "" for c in cells)]


@pytest.mark.parametrize("build", [by_openpyxl, lambda path: by_openpyxl(path, date_1904=True),
                                   by_xlsxwriter, without_references],
                         ids=["openpyxl", "1904", "xlsxwriter", "no-references"])
def test_windows_read_what_the_whole_sheet_holds(build, tmp_path):
    path = build(tmp_path / "book.xlsx")
    expected = whole(path, "Employees")
    got = windowed(path, "Employees")
    assert len(got) == len(expected) > 300
    for (index, cells), (expected_index, expected_cells) in zip(got, expected, strict=True):
        assert index == expected_index
        assert cells == expected_cells[:len(cells)]
        assert all(c == "" for c in expected_cells[len(cells):])


def test_the_reader_gives_the_rows_of_the_whole_sheet(tmp_path):
    path = by_openpyxl(tmp_path / "book.xlsx")
    sheet = read.read(path, Limits()).sheets[0]
    expected = [(index + 1, cells[:4]) for index, cells in whole(path, "Employees")
                if index > 2 and any(c != "" for c in cells[:4])]
    assert sheet.header_row == 3
    assert list(sheet.rows) == expected


def test_rows_out_of_order_are_read_whole(tmp_path):
    """A row written before the rows above it (Excel never does) is where the whole sheet puts it."""
    path = workbook(tmp_path / "book.xlsx", {"Employees": [HEADERS] + [values(n)[:4]
                                                                       for n in range(200)]})
    target = tmp_path / "shuffled.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w") as copy:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                rows = re.findall(rb"<row .*?</row>", body, re.S)
                body = body.replace(rows[1], b"").replace(rows[-1], rows[-1] + rows[1])
            copy.writestr(item, body)
    with pytest.raises(windows.OutOfOrder):
        windowed(target, "Employees")
    rows = read.read(target, Limits()).sheets[0].rows
    assert [number for number, _cells in rows] == list(range(2, 202))
    assert rows[0][1][0] == "E0000"


def test_a_sheet_beyond_the_rows_limit_is_refused_for_its_rows_first(tmp_path):
    """As when the sheet was read whole: its number of rows is refused before a cell too long."""
    rows = [HEADERS, ["E0000", "x" * 101, "総務部", None]] + [values(n)[:4] for n in range(1, 80)]
    path = workbook(tmp_path / "book.xlsx", {"Employees": rows})
    with pytest.raises(Refused, match="has 81 rows; the limit is 50"):
        read.read(path, Limits(max_rows=50, max_cell_chars=100))
    with pytest.raises(Refused, match="row 2 column 2 holds 101 characters"):
        read.read(path, Limits(max_cell_chars=100))


def test_equal_texts_and_dates_of_a_sheet_are_one_object(tmp_path):
    """A sheet repeats its names, codes and dates: the rows share them, each value of its type."""
    rows = [HEADERS, ["E1", "1", "総務部", date(2025, 4, 1)], ["E2", 1, "総務部", date(2025, 4, 1)],
            ["E3", True, "総務部", datetime(2025, 4, 1, 0, 0)]]
    sheet = read.read(workbook(tmp_path / "book.xlsx", {"Employees": rows}), Limits()).sheets[0]
    (_, first), (_, second), (_, third) = sheet.rows
    assert first[2] is second[2] is third[2]
    assert first[3] is second[3]
    assert [first[1], second[1], third[1]] == ["1", 1, True]
    assert [type(row[1]) for row in (first, second, third)] == [str, float, bool]
