"""The one way the registry writes a workbook (the inventory export, the quarterly report, the
questionnaires): every text cell, whichever xlsxwriter method writes it, passes through one
writer that keeps formula-like text as text, a string cell with Excel's quote prefix, so that
neither editing the cell nor saving the sheet as CSV turns it into a formula (OWASP's CSV
injection guidance). Numbers and dates stay typed. The prefix is a cell style, not part of the
value: the readers get the text back unchanged.

Big sheets skip xlsxwriter's work per cell (issue 17: it took most of the export's time): their
rows are written straight as the sheet's XML by the column writers below, text_cells keeping
formula-like text as text the same way, byte for byte as xlsxwriter writes them in constant-memory
mode; tests/exchange/test_book.py compares the two, so a new xlsxwriter that writes otherwise, or
whose internals write_xml_rows relies on change, fails there."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import _datetime_to_excel_datetime, _utf16_len, _utf16_truncate, xl_col_to_name
from xlsxwriter.worksheet import Worksheet
from xlsxwriter.xmlwriter import XMLwriter

#: characters a spreadsheet takes as the start of a formula, after any spaces (the full-width
#: ones too: Excel converts them when they are typed with a Japanese input method)
FORMULA_START = ("=", "+", "-", "@", "＝", "＋", "－", "＠")
#: characters that make a cell formula-like by themselves (a spreadsheet reading CSV may drop
#: them, and take what follows for a formula)
LEADERS = ("\t", "\r", "\n")
#: text is written as text: never as a formula, a link or a number
TEXT_AS_TEXT = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
#: the longest text a cell holds, in UTF-16 units (xlsxwriter cuts longer text there)
MAX_TEXT = 32767
#: characters the XML needs escaped (control characters, markup), and text that does
ESCAPED = r"\x00-\x08\x0b-\x1f&<>\ufffe\uffff"
NEEDS_ESCAPE = re.compile(rf"[{ESCAPED}]|_x[0-9a-fA-F]{{4}}_")
#: most text: nothing to escape, no space to keep at either end, not formula-like (unless it
#: holds "_x", checked apart)
PLAIN_TEXT = re.compile(rf"[^\s{re.escape(''.join(FORMULA_START))}{ESCAPED}]"
                        rf"(?:[^{ESCAPED}]*[^\s{ESCAPED}])?")
#: the serial number of 1899-12-31 (Excel's day 0), from a date's ordinal; Excel counts a 29
#: February 1900 that never was, so days after it are one more
EXCEL_DAY_ZERO, EXCEL_LEAP_DAY = date(1899, 12, 31).toordinal(), 59
#: a row's default height in pixels (15 points), which xlsxwriter does not write
DEFAULT_ROW_PIXELS = 20
#: writes a column of some rows: (the rows' numbers as Excel shows them, the column's values)
#: -> each cell's XML, "" where the value is None or "" (no cell)
ColumnWriter = Callable[[Sequence[int], Sequence], list[str]]


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

    def write_xml_rows(self, first: int, last: int, columns: tuple[int, int], xml: str) -> None:
        """Write rows first to last (0-based; last and columns: the last row and the first and
        last column holding a cell) given as XML by the column writers below. The row xlsxwriter
        holds is written first; a constant-memory sheet is written in row order, so xlsxwriter
        writes no row up to last afterwards."""
        if last >= self.xls_rowmax:
            raise ValueError(f"a sheet holds {self.xls_rowmax:,} rows at most")
        if first > self.previous_row:
            self._write_single_row(first)
        assert first >= self.previous_row and not self.table.get(first), "rows come in order"
        for row, column in ((first, columns[0]), (last, columns[1])):
            self._check_dimensions(row, column)
        self.fh.write(xml)
        self.previous_row = last + 1

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


def style_id(cell_format: Format | None) -> int:
    """The number the sheet's XML gives a format (0: none), fixed on first use."""
    return cell_format._get_xf_index() if cell_format is not None else 0


def text_cells(column: int, style: int, quoted: int) -> ColumnWriter:
    """The writer of text cells in column (0-based) with the style, formula-like text with the
    quoted one: inline strings, as xlsxwriter writes them, except that text looking like rich
    text markup (`<r>...</r>`) is escaped too."""
    reference = xl_col_to_name(column)
    plain = f' s="{style}"' if style else ""
    styles = {False: plain, True: f' s="{quoted}"' if quoted else ""}
    is_plain, longest_plain = PLAIN_TEXT.fullmatch, MAX_TEXT // 2

    def careful(row: int, text: str) -> str:
        if len(text) > MAX_TEXT // 2 and _utf16_len(text) > MAX_TEXT:
            text = _utf16_truncate(text, MAX_TEXT)
        style = styles[is_formula_like(text)]
        if NEEDS_ESCAPE.search(text):
            text = (XMLwriter._escape_control_characters(text)
                    .replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
        preserve = ' xml:space="preserve"' if text and (text[0].isspace() or text[-1].isspace()) \
            else ""
        return f'<c r="{reference}{row}"{style} t="inlineStr"><is><t{preserve}>{text}</t></is></c>'

    def cells(rows: Sequence[int], texts: Sequence[str | None]) -> list[str]:
        return ["" if not text else
                f'<c r="{reference}{row}"{plain} t="inlineStr"><is><t>{text}</t></is></c>'
                if is_plain(text) and "_x" not in text and len(text) <= longest_plain
                else careful(row, text) for row, text in zip(rows, texts, strict=True)]

    return cells


def number_cells(column: int, style: int) -> ColumnWriter:
    """The writer of number cells in column (0-based) with the style."""
    reference, style = xl_col_to_name(column), f' s="{style}"' if style else ""

    def cells(rows: Sequence[int], numbers: Sequence) -> list[str]:
        return ["" if number is None else f'<c r="{reference}{row}"{style}><v>{number:.16G}</v></c>'
                for row, number in zip(rows, numbers, strict=True)]

    return cells


def date_cells(column: int, style: int) -> ColumnWriter:
    """The writer of date cells in column (0-based) with the (date) style: serial numbers."""
    numbers = number_cells(column, style)
    return lambda rows, days: numbers(rows, [None if day is None else serial(day) for day in days])


def serial(day: date) -> float:
    """A date's (or datetime's) number in Excel's 1900 date system."""
    if type(day) is not date:
        return _datetime_to_excel_datetime(day, False, False)
    number = day.toordinal() - EXCEL_DAY_ZERO
    return number + 1 if number > EXCEL_LEAP_DAY else number


def row_xml(row: int, cells: str, height: float | None = None) -> str:
    """A row's XML (row as Excel shows it), at the height in points when given."""
    pixels = int(height * 4 / 3 + 0.5) if height is not None else DEFAULT_ROW_PIXELS
    if pixels == DEFAULT_ROW_PIXELS:
        return f'<row r="{row}">{cells}</row>'
    return f'<row r="{row}" ht="{pixels * 0.75:.16g}" customHeight="1">{cells}</row>'
