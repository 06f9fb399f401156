"""How to read a ledger: which sheet, which header row (or two, under merged group headings such
as 契約期間), and what each column holds. The registry suggests one; a person may edit it as
JSON (or in the browser) and keep it for next quarter's ledger."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from flask_babel import gettext as _
from xlsxwriter.utility import xl_col_to_name

from registry.exchange.guard import Refused
from registry.ledger.fields import BY_NAME, field_for, heading_key
from registry.ledger.sheets import Grid

#: how far down a sheet the header row is looked for (title rows above it are skipped)
HEADER_SEARCH_ROWS = 30
#: words in the name of a sheet that only shows how to fill the ledger in
EXAMPLE_WORDS = ("記入例", "記載例", "入力例", "見本", "サンプル", "example", "sample", "例")
#: the fields a row needs one of to describe anything (other rows are decoration)
ROW_FIELDS = ("purpose", "categories", "consignee")
#: sample values shown for each column
SAMPLES = 3
FORMAT = "registry-ledger-mapping"


@dataclass
class ColumnMap:
    """One column of the ledger: its letter, heading(s), the field it holds (None: kept as a
    note on the records) and a few sample values."""

    column: str
    heading: str
    field: str | None
    samples: list[str] = field(default_factory=list)

    @property
    def index(self) -> int:
        number = 0
        for letter in self.column:
            number = number * 26 + ord(letter) - 64
        return number - 1


@dataclass
class Mapping:
    """Which sheet, which header rows (Excel numbers), and each column's field."""

    sheet: str
    header_rows: list[int]
    columns: list[ColumnMap]
    #: why this sheet and these rows were chosen, and which sheets were skipped
    reasons: list[str] = field(default_factory=list)

    @property
    def first_row(self) -> int:
        """The Excel number of the first row of data."""
        return self.header_rows[-1] + 1

    def by_field(self) -> dict[str, ColumnMap]:
        found: dict[str, ColumnMap] = {}
        for column in self.columns:
            if column.field is not None:
                found.setdefault(column.field, column)
        return found

    def to_data(self) -> dict:
        return {"format": FORMAT, "version": 1, **asdict(self)}

    def to_json(self) -> str:
        return json.dumps(self.to_data(), ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str) -> Mapping:
        """A mapping written by to_json (and perhaps edited); refuses one that is not."""
        try:
            data = json.loads(text)
        except ValueError as error:
            raise Refused(_("the mapping is not one `registry ledger suggest` writes (%(error)s)",
                            error=error)) from error
        return cls.from_data(data)

    @classmethod
    def from_data(cls, data: dict) -> Mapping:
        """A mapping from its JSON data; refuses one that is not a ledger mapping."""
        try:
            if data.get("format") != FORMAT:
                raise ValueError("not a ledger mapping")
            columns = [ColumnMap(c["column"], c.get("heading", ""), c.get("field"),
                                 list(c.get("samples", []))) for c in data["columns"]]
            mapping = cls(str(data["sheet"]), [int(r) for r in data["header_rows"]], columns,
                          list(data.get("reasons", [])))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise Refused(_("the mapping is not one `registry ledger suggest` writes (%(error)s)",
                            error=error)) from error
        unknown = sorted({c.field for c in columns if c.field and c.field not in BY_NAME})
        if unknown:
            raise Refused(_("the mapping names fields the registry does not know: %(fields)s; the "
                            "fields are %(known)s", fields=", ".join(unknown),
                            known=", ".join(BY_NAME)))
        return mapping


def suggest(grids: list[Grid], sheet: str | None = None) -> Mapping:
    """The sheet, header rows and column fields that best read the ledger."""
    reasons = []
    candidates = []
    for grid in grids:
        if sheet is not None and grid.name != sheet:
            continue
        skip = _why_skipped(grid) if sheet is None else None
        if skip:
            reasons.append(skip)
            continue
        found = _header(grid)
        if found is None:
            reasons.append(_("skipped sheet “%(sheet)s”: no row of it names the ledger's columns "
                             "(purpose, data items, consignee ...)", sheet=grid.name))
        else:
            candidates.append((found, grid))
    if sheet is not None and not any(grid.name == sheet for grid in grids):
        raise Refused(_("the ledger has no sheet “%(sheet)s”; its sheets are %(sheets)s",
                        sheet=sheet, sheets=", ".join(f"“{g.name}”" for g in grids)))
    if not candidates:
        raise Refused(_("no sheet of the ledger has a header row the registry can read: %(why)s",
                        why="; ".join(reasons) or _("it has no sheets")))
    (score, rows, columns), grid = max(candidates, key=lambda found: found[0][0])
    named = sum(1 for c in columns if c.field)
    reasons.insert(0, _("chose sheet “%(sheet)s”: row %(rows)s names %(named)s of its %(total)s "
                        "columns", sheet=grid.name, rows="–".join(str(r) for r in rows),
                        named=named, total=len(columns)))
    for column in columns:
        column.samples = _samples(grid, column.index, rows[-1])
    return Mapping(grid.name, rows, columns, reasons)


def _why_skipped(grid: Grid) -> str | None:
    if grid.hidden:
        return _("skipped sheet “%(sheet)s”: it is hidden", sheet=grid.name)
    if any(word in heading_key(grid.name) for word in EXAMPLE_WORDS):
        return _("skipped sheet “%(sheet)s”: its name says it is an example", sheet=grid.name)
    if grid.empty:
        return _("skipped sheet “%(sheet)s”: it is empty", sheet=grid.name)
    return None


def _header(grid: Grid) -> tuple[int, list[int], list[ColumnMap]] | None:
    """The best header: (how many fields it names, its Excel rows, its columns), or None."""
    filled = grid.filled()
    best = None
    for index in range(min(HEADER_SEARCH_ROWS, len(filled))):
        below = filled[index + 1] if index + 1 < len(filled) else []
        for rows in ([index], [index, index + 1] if any(below) else None):
            if rows is None:
                continue
            columns = _columns(filled, rows, grid)
            names = {c.field for c in columns if c.field}
            # a second header row counts when a group heading is merged over its columns
            grouped = len(rows) == 2 and any(top == rows[0] and right > left
                                              for (top, left), (_, right) in grid.merged)
            score = len(names) * 10 + (1 if grouped else -len(rows))
            if names & set(ROW_FIELDS) and len(names) >= 2 and (best is None or score > best[0]):
                best = (score, [r + 1 for r in rows], columns)
    return best


def _columns(filled: list[list], rows: list[int], grid: Grid) -> list[ColumnMap]:
    """Each column of the header rows with the field its headings name (a group heading over
    its columns is read with each of them: 契約期間 + 開始日)."""
    width = max(len(filled[r]) for r in rows)
    columns, taken = [], set()
    for index in range(width):
        headings = [" ".join(str(filled[r][index]).split()) if index < len(filled[r]) and
                    filled[r][index] not in (None, "") else "" for r in rows]
        if len(rows) == 2 and headings[0] == headings[1]:
            headings = [headings[0], ""]  # one heading merged over both rows
        shown = " / ".join(h for h in headings if h)
        if not shown:
            if any(row[index] not in (None, "") for row in filled[rows[-1] + 1:]
                   if index < len(row)):
                columns.append(ColumnMap(xl_col_to_name(index), "", None))
            continue
        found = field_for(*[h for h in headings if h])
        name = found.name if found is not None and found.name not in taken else None
        if name:
            taken.add(name)
        columns.append(ColumnMap(xl_col_to_name(index), shown, name))
    return columns


def _samples(grid: Grid, index: int, header_row: int) -> list[str]:
    found: list[str] = []
    for row in grid.filled()[header_row:]:
        if index < len(row) and row[index] not in (None, ""):
            shown = as_typed(row[index])
            if shown not in found:
                found.append(shown)
            if len(found) == SAMPLES:
                break
    return found


def as_typed(value) -> str:
    """A cell as a person typed it: 1 not 1.0, a date as YYYY-MM-DD, single spaces."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return " ".join(str(value).split())
