"""Building real workbooks for the exchange tests (openpyxl writes them as people's Excel does)."""

from __future__ import annotations

from pathlib import Path

import openpyxl


def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write sheets (name -> rows) to path with openpyxl and return the path."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def sheet_rows(path: Path, name: str) -> list[tuple]:
    book = openpyxl.load_workbook(path)
    return [tuple(cell.value for cell in row) for row in book[name].iter_rows()]


#: text a spreadsheet would take for a formula (issue 15, point 12); the leading space is trimmed
#: on the way in (forms and imports), the others are stored as they are
FORMULA_TEXT = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", " =1+1", "\t=1+1",
                "\n=1+1", "＝1+1"]


def assert_kept_as_text(cell, text: str, *, start: bool = False) -> None:
    """The cell (openpyxl) holds the text (with start, begins with it) as a string with the quote
    prefix, not as a formula."""
    where = f"{cell.parent.title}!{cell.coordinate}"
    assert cell.data_type == "s", f"{where} is of type {cell.data_type}, not text"
    assert (cell.value.startswith(text) if start else cell.value == text), \
        f"{where} holds {cell.value!r}"
    assert cell.quotePrefix, f"{where} ({cell.value!r}) has no quote prefix"


def assert_formula_text_kept(path: Path, texts=FORMULA_TEXT) -> dict[str, list]:
    """Every text is in some cell of the workbook, every cell that begins with one of them is kept
    as text, and no cell is a formula; returns the cells found, by text."""
    found: dict[str, list] = {text: [] for text in texts}
    for sheet in openpyxl.load_workbook(path).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                for text in texts:
                    if isinstance(cell.value, str) and cell.value.startswith(text):
                        assert_kept_as_text(cell, text, start=True)
                        found[text].append(cell)
    assert all(found.values()), f"not in the workbook: {[t for t, c in found.items() if not c]}"
    return found
