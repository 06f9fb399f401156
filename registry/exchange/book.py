"""The one way the registry writes a workbook (the inventory export, the quarterly report, the
questionnaires): every text cell, whichever xlsxwriter method writes it, passes through one
writer that keeps formula-like text as text, a string cell with Excel's quote prefix, so that
neither editing the cell nor saving the sheet as CSV turns it into a formula (OWASP's CSV
injection guidance). Numbers and dates stay typed. The prefix is a cell style, not part of the
value: the readers get the text back unchanged."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

#: characters a spreadsheet takes as the start of a formula, after any spaces (the full-width
#: ones too: Excel converts them when they are typed with a Japanese input method)
FORMULA_START = ("=", "+", "-", "@", "＝", "＋", "－", "＠")
#: characters that make a cell formula-like by themselves (a spreadsheet reading CSV may drop
#: them, and take what follows for a formula)
LEADERS = ("\t", "\r", "\n")
#: text is written as text: never as a formula, a link or a number
TEXT_AS_TEXT = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would take the text for a formula once the cell is edited or the
    sheet is saved as CSV."""
    return text.startswith(LEADERS) or text.lstrip().startswith(FORMULA_START)


class Sheet(Worksheet):
    """A worksheet whose text cells all go through the text-cell writer."""

    #: the workbook the sheet belongs to (it makes the quote-prefixed formats)
    book: Workbook

    def _write_string(self, row, col, string, cell_format=None):
        """The text-cell writer: xlsxwriter sends every string cell here (write, write_row,
        write_column, write_string; tests/exchange/test_book.py holds it to that)."""
        if is_formula_like(string):
            cell_format = self.book.quoted(cell_format or self.implied_format(row, col))
        return super()._write_string(row, col, string, cell_format)

    def implied_format(self, row: int, col: int) -> Format | None:
        """The format a cell written without one shows: its row's, else its column's (a text
        column's '@' and wrapping stay when the quote prefix is added)."""
        row_info = self.row_info.get(row)
        if row_info is not None and row_info.row_format is not None:
            return row_info.row_format
        col_info = self.col_info.get(col)
        return col_info.column_format if col_info is not None else None


class Workbook(xlsxwriter.Workbook):
    """An xlsxwriter workbook that writes text as text, formula-like text with the quote prefix."""

    def __init__(self, path: Path, **options):
        # before xlsxwriter's own, which adds the default formats
        self._properties: dict[Format | None, dict] = {None: {}}
        self._quoted: dict[Format | None, Format] = {}
        super().__init__(str(path), {**options, **TEXT_AS_TEXT})

    def add_format(self, properties: dict | None = None) -> Format:
        cell_format = super().add_format(properties)
        self._properties[cell_format] = dict(properties or {})
        return cell_format

    def add_worksheet(self, name: str | None = None) -> Sheet:
        sheet = super().add_worksheet(name, Sheet)
        sheet.book = self
        return sheet

    def quoted(self, cell_format: Format | None) -> Format:
        """The format with the quote prefix added, made once per format."""
        if cell_format is not None and cell_format.quote_prefix:
            return cell_format
        if cell_format not in self._quoted:
            self._quoted[cell_format] = self.add_format(
                {**self._properties[cell_format], "quote_prefix": True})
        return self._quoted[cell_format]
