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
