"""Parse: a workbook into rows that keep their sheet name and Excel row number, with headers in
English or Japanese matched to the resources' columns, under any title rows, in any order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain

from flask_babel import gettext as _
from python_calamine import CalamineError, CalamineWorkbook
from xlsxwriter.utility import xl_col_to_name

from registry.exchange import windows
from registry.exchange.cells import Unread, unread_cells
from registry.exchange.guard import DAMAGE, Limits, Refused, one_line
from registry.exchange.resources import REQUIRED_MARK, RESOURCES, Column, Resource
from registry.exchange.spool import Spool
from registry.exchange.values import normalize

#: the explanation sheet of an exported workbook, skipped without a note
README_SHEETS = {"readme", "説明"}
#: how far down a sheet the header row is looked for (title rows above it are skipped)
HEADER_SEARCH_ROWS = 30
#: the distinct texts and dates kept to be shared by the rows of a sheet (Shared)
SHARED_VALUES = 100_000
SHAREABLE = {str, date, datetime}


@dataclass(frozen=True)
class Issue:
    """One problem, located: sheet, Excel row, column header, the value, what was expected."""

    sheet: str
    row: int | None
    column: str | None
    value: object
    message: str

    def __str__(self) -> str:
        if not self.sheet:  # about the whole workbook
            return self.message
        where = [_("sheet “%(sheet)s”", sheet=self.sheet)]
        if self.row is not None:
            where.append(_("row %(row)s", row=self.row))
        if self.column:
            where.append(_("column “%(column)s”", column=self.column))
        shown = "" if self.value in (None, "") else _(" (value “%(value)s”)",
                                                       value=_short(self.value))
        return f"{', '.join(where)}{shown}: {self.message}"


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


@dataclass
class SheetRows:
    """The data rows of one sheet, with the position of each known column."""

    resource: Resource
    sheet: str
    header_row: int
    positions: dict[str, int]
    headers: dict[str, str]
    #: (Excel row number, cells), kept on disk (a spool) until the planner takes them
    rows: Spool[tuple[int, list]] | list[tuple[int, list]] = field(default_factory=Spool)


@dataclass
class Parsed:
    """What a workbook holds: the recognised sheets, and notes and problems found on the way."""

    sheets: list[SheetRows]
    notices: list[str]
    issues: list[Issue]


def _sheet_lookup() -> dict[str, Resource]:
    lookup = {}
    for resource in RESOURCES.values():
        for name in (resource.name, resource.sheet_en, resource.sheet_ja,
                     *resource.description.sheet_synonyms):
            lookup[normalize(name)] = resource
    return lookup


def _header_lookup(resource: Resource) -> dict[str, Column]:
    lookup = {}
    for column in resource.columns:
        for text in (column.key, column.en, column.ja, *column.synonyms):
            lookup.setdefault(header_key(text), column)
    return lookup


def header_key(text: object) -> str:
    """A header as matched: normalized, without the export's required mark (Name * is Name)."""
    return normalize(str(text)).removesuffix(normalize(REQUIRED_MARK))


def sheet_names(path) -> list[str]:
    """The names of a workbook's sheets (the guard has accepted the file)."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as error:
        raise Refused(_("the workbook cannot be read (%(error)s)", error=one_line(error))) from error
    names = list(workbook.sheet_names)
    workbook.close()
    return names


def read(path, limits: Limits) -> Parsed:
    """Read the sheets the registry knows; refuse (Refused) a workbook beyond the limits."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as error:
        raise Refused(_("the workbook cannot be read (%(error)s)", error=one_line(error))) from error
    sheets_by_name = _sheet_lookup()
    parsed = Parsed([], [], [])
    seen: dict[str, str] = {}
    unread = unread_cells(path, [n for n in workbook.sheet_names if normalize(n) in sheets_by_name])
    for name in workbook.sheet_names:
        resource = sheets_by_name.get(normalize(name))
        if resource is None:
            if not name.startswith("_") and normalize(name) not in README_SHEETS:
                parsed.notices.append(_("sheet “%(sheet)s” is not part of the inventory and was "
                                        "ignored", sheet=name))
            continue
        if resource.name in seen:
            parsed.issues.append(Issue(name, None, None, None,
                                       _("the same data as sheet “%(other)s”; keep only one of "
                                         "them", other=seen[resource.name])))
            continue
        seen[resource.name] = name
        sheet = _read_sheet(path, workbook, name, resource, limits, parsed, unread[name])
        if sheet is not None:
            parsed.sheets.append(sheet)
    names = workbook.sheet_names
    workbook.close()
    if not seen:
        parsed.issues.append(_no_known_sheet(names))
    return parsed


def _no_known_sheet(names: list[str]) -> Issue:
    """A workbook none of whose sheets the registry knows imports nothing: say what it expects."""
    expected = ", ".join(f"“{r.sheet_en}” / “{r.sheet_ja}”" for r in RESOURCES.values())
    shown = [name for name in names if not name.startswith("_")] or names
    found = ", ".join(f"“{name}”" for name in shown)
    return Issue("", None, None, None,
                 _("the workbook has no sheet the registry knows (it has %(found)s); name each sheet "
                   "after the records it holds: %(expected)s", found=found, expected=expected))


def _read_sheet(path, workbook: CalamineWorkbook, name: str, resource: Resource, limits: Limits,
                parsed: Parsed, unread: dict[tuple[int, int], Unread]) -> SheetRows | None:
    """The sheet read window by window (windows.py); read whole when its rows cannot be."""
    issues, notices = len(parsed.issues), len(parsed.notices)
    try:
        try:
            rows = windows.rows(path, name)
            if rows is not None:
                return _sheet(name, resource, rows, limits, parsed, unread)
        except windows.OutOfOrder:
            del parsed.issues[issues:], parsed.notices[notices:]
        raw = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (CalamineError, ValueError) as error:
        raise Refused(_("sheet “%(sheet)s” cannot be read (%(error)s)", sheet=name,
                        error=one_line(error))) from error
    except DAMAGE as error:
        raise Refused(_("the workbook cannot be read (%(error)s)", error=one_line(error))) from error
    return _sheet(name, resource, enumerate(raw), limits, parsed, unread)


def sheet_rows(name: str, resource: Resource, rows: Iterator[tuple[int, list]], limits: Limits,
               parsed: Parsed) -> SheetRows | None:
    """The rows of a grid read from elsewhere (a CSV, another system's export) as a sheet of the
    resource: its header found by the column names, its problems and notes added to parsed."""
    return _sheet(name, resource, rows, limits, parsed, {})


def _sheet(name: str, resource: Resource, rows: Iterator[tuple[int, list]], limits: Limits,
           parsed: Parsed, unread: dict[tuple[int, int], Unread]) -> SheetRows | None:
    """The sheet's data rows under its header row. A sheet beyond the limit of rows is refused
    before anything else about it, as when it was read whole: a refusal met on the way waits
    until every row is counted."""
    rows = iter(rows)
    head: dict[int, list] = {}
    after: list[tuple[int, list]] = []
    for index, cells in rows:
        if index >= HEADER_SEARCH_ROWS:
            after.append((index, cells))
            break
        head[index] = cells
    lookup = _header_lookup(resource)
    header_index = _find_header([head.get(i, []) for i in range(HEADER_SEARCH_ROWS)], lookup,
                                resource)
    if header_index is None:
        _refuse_tall(name, _height(chain(head.items(), after, rows)), limits)
        expected = ", ".join(f"“{resource.by_key[k].en}” / “{resource.by_key[k].ja}”"
                             for k in resource.key)
        parsed.issues.append(Issue(name, None, None, None,
                                   _("no header row found in the first %(rows)s rows: a header row "
                                     "names %(headers)s and at least %(count)s known columns",
                                     rows=HEADER_SEARCH_ROWS, headers=expected,
                                     count=min(3, len(resource.columns)))))
        _report_unread(parsed, name, unread, lambda row, column: row <= HEADER_SEARCH_ROWS, {})
        return None
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    for position, text in enumerate(head[header_index]):
        if text in (None, ""):
            continue
        column = lookup.get(header_key(text))
        if column is None:
            parsed.notices.append(_("sheet “%(sheet)s”: column “%(column)s” is not known and was "
                                    "ignored", sheet=name, column=text))
        elif column.key in positions:
            parsed.issues.append(Issue(name, header_index + 1, str(text), None,
                                       _("this column appears twice (also as “%(other)s”)",
                                         other=headers[column.key])))
        else:
            positions[column.key] = position
            headers[column.key] = str(text)
    for column in resource.columns:
        if column.required and column.key not in positions:
            parsed.issues.append(Issue(name, header_index + 1, column.en, None,
                                       _("the required column “%(en)s” / “%(ja)s” is missing",
                                         en=column.en, ja=column.ja)))
    header_row = header_index + 1
    shown = {position: headers[key] for key, position in positions.items()}
    _report_unread(parsed, name, unread, lambda row, column: row == header_row
                   or (row > header_row and column in shown), shown)
    sheet = SheetRows(resource, name, header_row, positions, headers)
    width = max(positions.values(), default=0) + 1
    refusal, height = None, header_index + 1
    shared = Shared()
    data = chain(((i, c) for i, c in head.items() if i > header_index), after, rows)
    for index, cells in data:
        height = index + 1
        if refusal is not None:
            continue
        refusal = _too_wide(name, index, cells, limits)
        if refusal is not None:
            continue
        cells = cells[:width]
        if all(c in (None, "") for c in cells):
            continue
        refusal = _too_long(name, index, cells, limits)
        if refusal is not None:
            continue
        if len(cells) < width:  # a window narrower than the sheet
            cells += [""] * (width - len(cells))
        sheet.rows.append((index + 1, shared(cells)))
    _refuse_tall(name, height, limits)
    if refusal is not None:
        raise refusal
    if len(sheet.rows) > limits.max_rows:
        raise Refused(_("sheet “%(sheet)s” has %(rows)s rows; the limit is %(limit)s", sheet=name,
                        rows=f"{len(sheet.rows):,}", limit=f"{limits.max_rows:,}"))
    return sheet


class Shared:
    """One object for equal texts and dates of a sheet's cells: a sheet repeats its names,
    codes and dates on many rows, and the cleaned values and the plan keep the cells' objects."""

    def __init__(self, most: int = SHARED_VALUES):
        self.values: dict = {}
        self.most = most

    def __call__(self, cells) -> list:
        values = self.values
        if len(values) > self.most:  # a column of values that do not repeat
            values.clear()
        return [values.setdefault(c, c) if type(c) in SHAREABLE else c for c in cells]


def _too_wide(name: str, index: int, cells: list, limits: Limits) -> Refused | None:
    if len(cells) > limits.max_columns and any(c not in (None, "") for c in cells[limits.max_columns:]):
        return Refused(_("sheet “%(sheet)s” row %(row)s has more than %(limit)s columns",
                         sheet=name, row=index + 1, limit=limits.max_columns))
    return None


def _too_long(name: str, index: int, cells: list, limits: Limits) -> Refused | None:
    for position, value in enumerate(cells):
        if isinstance(value, str) and len(value) > limits.max_cell_chars:
            return Refused(_("sheet “%(sheet)s” row %(row)s column %(column)s holds %(length)s "
                             "characters; the limit is %(limit)s", sheet=name, row=index + 1,
                             column=position + 1, length=f"{len(value):,}",
                             limit=f"{limits.max_cell_chars:,}"))
    return None


def _height(rows: Iterable[tuple[int, list]]) -> int:
    """The number of rows of the sheet, as read whole (up to its last row read)."""
    height = 0
    for index, _cells in rows:
        height = index + 1
    return height


def _refuse_tall(name: str, height: int, limits: Limits) -> None:
    if height > limits.max_rows + HEADER_SEARCH_ROWS:
        raise Refused(_("sheet “%(sheet)s” has %(rows)s rows; the limit is %(limit)s", sheet=name,
                        rows=f"{height:,}", limit=f"{limits.max_rows:,}"))


def _report_unread(parsed: Parsed, name: str, unread: dict[tuple[int, int], Unread], wanted,
                   shown: dict[int, str]) -> None:
    """An issue for each cell the reader would take for empty (a formula without a value, an
    error value) where it matters: the header row and the known columns below it."""
    for (row, column), cell in sorted(unread.items()):
        if wanted(row, column):
            parsed.issues.append(Issue(name, row, shown.get(column) or xl_col_to_name(column), None,
                                       cell.message))


def _find_header(raw: list[list], lookup: dict[str, Column], resource: Resource) -> int | None:
    needed = min(3, len(resource.columns))
    for index, cells in enumerate(raw[:HEADER_SEARCH_ROWS]):
        found = {lookup[k].key for k in (header_key(c) for c in cells if c not in (None, ""))
                 if k in lookup}
        if len(found) >= needed and all(key in found for key in resource.key):
            return index
    return None
