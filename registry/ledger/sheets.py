"""A ledger's sheets as grids of cells: an .xlsx read with python-calamine (which sheets are
hidden, which cells are merged), or a CSV read with pandas in UTF-8 (with or without BOM) or in
Shift_JIS / CP932, as Japanese Excel writes it."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from registry.exchange.cells import unread_cells
from registry.exchange.guard import Limits, Refused, inspect, one_line

#: encodings a CSV is tried in, in order
CSV_ENCODINGS = ("utf-8-sig", "cp932")
#: the workbook properties that set the 1904 date system, and how far into the part to look
DATE1904 = re.compile(rb"<(?:\w+:)?workbookPr\b[^>]*\bdate1904\s*=\s*[\"'](?:1|true)[\"']")
WORKBOOK_HEAD = 64 * 1024


@dataclass
class Grid:
    """One sheet: its cells row by row, merged ranges ((row, col), (row, col)), visibility, and
    the cells that hold a formula without a computed value ((row, col) -> message)."""

    name: str
    rows: list[list]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    hidden: bool = False
    unread: dict[tuple[int, int], str] = field(default_factory=dict)
    #: the workbook counts days from 1904 (old Mac Excel): a plain serial number is read so
    date1904: bool = False

    @property
    def empty(self) -> bool:
        return not any(cell not in (None, "") for row in self.rows for cell in row)

    def filled(self) -> list[list]:
        """The rows with every merged range's value in each cell it covers (a merged cell counts
        for every row and column it spans)."""
        rows = [list(row) for row in self.rows]
        for (top, left), (bottom, right) in self.merged:
            if top >= len(rows) or left >= len(rows[top]):
                continue
            value = rows[top][left]
            for r in range(top, min(bottom, len(rows) - 1) + 1):
                rows[r] += [""] * (right + 1 - len(rows[r]))
                for c in range(left, right + 1):
                    rows[r][c] = value
        return rows


def is_csv(path: Path, filename: str | None = None) -> bool:
    return Path(filename or path).suffix.lower() == ".csv"


def read(path: Path, limits: Limits, filename: str | None = None) -> list[Grid]:
    """Every sheet of the ledger (a CSV is one); refuses a file the guard refuses."""
    if is_csv(path, filename):
        return [_csv(path, limits, Path(filename or path).stem)]
    inspect(path, limits)
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = [m.name for m in book.sheets_metadata]
        hidden = {m.name for m in book.sheets_metadata if m.visible != SheetVisibleEnum.Visible}
        grids = []
        unread = unread_cells(path, names)
        date1904 = _date1904(path)
        for name in names:
            sheet = book.get_sheet_by_name(name)
            grids.append(Grid(name, sheet.to_python(skip_empty_area=False),
                              list(sheet.merged_cell_ranges or []), name in hidden,
                              {(row - 1, column): cell.message
                               for (row, column), cell in unread[name].items()}, date1904))
        book.close()
    except (CalamineError, ValueError) as error:
        raise Refused(_("the workbook cannot be read (%(error)s)", error=one_line(error))) from error
    return grids


def _date1904(path: Path) -> bool:
    """Whether the workbook uses the 1904 date system (its workbookPr says so)."""
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.lower() == "xl/workbook.xml"]
        head = archive.read(names[0])[:WORKBOOK_HEAD] if names else b""
    return bool(DATE1904.search(head))


def _csv(path: Path, limits: Limits, name: str) -> Grid:
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise Refused(_("the file has %(size)s bytes; the limit is %(limit)s", size=f"{size:,}",
                        limit=f"{limits.max_file_bytes:,}"))
    raw = path.read_bytes()
    for encoding in CSV_ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        # pandas is loaded only to read a CSV file: it adds ~30 MiB to every process that loads it
        import pandas as pd

        try:
            width = max((len(row) for row in csv.reader(io.StringIO(text))), default=0)
            frame = pd.read_csv(io.StringIO(text), header=None, names=range(max(width, 1)),
                                dtype=str, keep_default_na=False, skip_blank_lines=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as error:
            raise Refused(_("the CSV file cannot be read (%(error)s)",
                            error=one_line(error))) from error
        if len(frame) > limits.max_rows or width > limits.max_columns:
            raise Refused(_("the CSV file has %(rows)s rows and %(columns)s columns; the limits "
                            "are %(max_rows)s rows and %(max_columns)s columns",
                            rows=f"{len(frame):,}", columns=width,
                            max_rows=f"{limits.max_rows:,}", max_columns=limits.max_columns))
        return Grid(name, frame.values.tolist())
    raise Refused(_("the CSV file is neither UTF-8 nor Shift_JIS: save it as CSV UTF-8"))
