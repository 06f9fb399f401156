"""A ledger's rows as the records each describes, in the inventory workbook's own sheets: the
purpose (found by its title), its data categories, the consignee (by name and country), the
entrustment, the contract, the supervision check. The exchange engine then plans them exactly as
an inventory workbook (its rules, its preview, its import batch)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from datetime import date, timedelta

import sqlalchemy as sa

from registry.core.i18n import language
from registry.exchange.read import Issue, Parsed, SheetRows
from registry.exchange.resources import LIST_SEPARATOR, RESOURCES
from registry.extensions import db
from registry.ledger.countries import country_code
from registry.ledger.fields import BY_NAME
from registry.ledger.mapping import ROW_FIELDS, Mapping, as_typed
from registry.ledger.sheets import Grid

#: what separates the data categories listed in one cell
CATEGORY_SPLIT = re.compile(r"\s*(?:[・、,，;；/／\r\n]|\s{2,})\s*")
#: day 0 of the 1904 date system
EPOCH_1904 = date(1904, 1, 1)
#: the references of the records a ledger makes, from what names them (stable across imports)
PREFIX = {"purposes": "L-P", "entrustments": "L-E", "contracts": "L-C", "supervision_checks": "L-K"}


def name(value: object) -> str:
    """A name as the registry keeps it: NFKC (full-width letters and digits as half-width,
    half-width katakana as full-width) and single spaces."""
    return " ".join(unicodedata.normalize("NFKC", str(value or "")).split())


def reference(kind: str, *parts: object) -> str:
    """A reference derived from what names the record, so the same ledger gives the same one."""
    digest = hashlib.sha1("\x1f".join(name(p) for p in parts).encode()).hexdigest()
    return f"{PREFIX[kind]}-{digest[:8].upper()}"


def parsed(grid: Grid, mapping: Mapping) -> Parsed:
    """The inventory sheets a ledger's rows describe."""
    sheets = Sheets(grid.name, mapping)
    by_field = mapping.by_field()
    unmapped = [c for c in mapping.columns if c.field is None]
    titles = _purpose_codes()
    rows = grid.filled()
    issues = []
    for index in range(mapping.first_row - 1, len(rows)):
        cells = rows[index]
        number = index + 1

        def cell(field: str, cells=cells):
            column = by_field.get(field)
            value = cells[column.index] if column and column.index < len(cells) else None
            if grid.date1904 and BY_NAME[field].date and isinstance(value, int | float) \
                    and not isinstance(value, bool):
                return EPOCH_1904 + timedelta(days=int(value))  # a plain serial number
            return value

        if all(cell(f) in (None, "") for f in ROW_FIELDS):
            continue  # a blank, total or decoration row
        for (row, column), message in grid.unread.items():
            if row == index and any(c.index == column for c in mapping.columns):
                heading = next(c.heading for c in mapping.columns if c.index == column)
                issues.append(Issue(grid.name, number, heading, None, message))
        sheets.row(number, cell, _notes(cells, unmapped), titles)
    return Parsed(sheets.done(), [], issues)


def _purpose_codes() -> dict[str, str]:
    """The codes of the purposes the registry holds, by title (a ledger names purposes so)."""
    from registry.inventory.models import Purpose

    return {name(title): code for code, title in db.session.execute(
        sa.select(Purpose.code, Purpose.title))}


def _notes(cells: list, unmapped: list) -> str:
    """The columns the registry has no field for, kept as "heading: value" lines."""
    return "\n".join(f"{c.heading or c.column}: {as_typed(cells[c.index])}" for c in unmapped
                     if c.index < len(cells) and cells[c.index] not in (None, ""))


class Sheets:
    """The inventory rows a ledger gives, the first row naming a record winning."""

    def __init__(self, sheet: str, mapping: Mapping):
        self.sheet = sheet
        self.mapping = mapping
        self.headings = {c.field: c.heading for c in mapping.columns if c.field}
        self.rows: dict[str, dict[tuple, tuple[int, dict]]] = defaultdict(dict)

    def mapped(self, cell, **columns: str) -> dict:
        """Column key -> value of the fields the ledger has (a field it lacks changes nothing)."""
        return {key: name(cell(field)) for key, field in columns.items() if field in self.headings}

    def add(self, resource: str, number: int, values: dict) -> None:
        key = RESOURCES[resource].key_of(values)
        self.rows[resource].setdefault(key, (number, values))

    def row(self, number: int, cell, notes: str, titles: dict[str, str]) -> None:
        title = name(cell("purpose"))
        code = titles.get(title) or (reference("purposes", title) if title else None)
        if code:
            self.add("purposes", number, {"code": code, "title": title})
        categories = sorted({name(c) for c in CATEGORY_SPLIT.split(str(cell("categories") or ""))
                             if name(c)})
        for category in categories:
            self.add("data_categories", number, {"name": category, **self.mapped(
                cell, data_subjects="subjects", retention_period="retention",
                storage_location="storage")})
            if code:
                self.add("purpose_categories", number, {"purpose.code": code,
                                                        "category.name": category})
        consignee = name(cell("consignee"))
        if not consignee:
            return
        raw_country = cell("country")
        country = country_code(raw_country) or (name(raw_country) or "JP")
        self.add("consignees", number, {"name": consignee, "country": country,
                                        **self.mapped(cell, contact_name="contact")})
        party = {"consignee.name": consignee, "consignee.country": country}
        if code:
            self.add("entrustments", number, {
                "reference": reference("entrustments", title, consignee, country), **party,
                "purpose.code": code, "categories": LIST_SEPARATOR.join(categories) or None,
                "work": name(cell("work")) or title,
                "notes": "\n".join(n for n in (name(cell("notes")), notes) if n)})
        start, end, confidentiality = (cell(f) for f in ("contract_start", "contract_end",
                                                          "confidentiality"))
        if any(value not in (None, "") for value in (start, end, confidentiality)):
            self.add("contracts", number, {
                "reference": reference("contracts", consignee, country), **party,
                "contract_type": "other", "start_on": start, "end_on": end,
                "clause_confidentiality": confidentiality})
        checked = cell("checked_on")
        if checked not in (None, ""):
            self.add("supervision_checks", number, {
                "reference": reference("supervision_checks", consignee, country, checked), **party,
                "checked_on": checked, "method": "document_review"})

    def done(self) -> list[SheetRows]:
        """One SheetRows per inventory sheet, its cells raw for the planner to read."""
        sheets = []
        for resource_name, rows in self.rows.items():
            resource = RESOURCES[resource_name]
            keys = list(next(iter(rows.values()))[1])
            sheet = SheetRows(resource, f"{self.sheet} › {resource.sheet_name(language())}",
                              self.mapping.header_rows[-1], {k: i for i, k in enumerate(keys)},
                              {k: self._heading(resource_name, k) for k in keys})
            sheet.rows = [(number, [values.get(k) for k in keys]) for number, values in
                          rows.values()]
            sheets.append(sheet)
        order = list(RESOURCES)
        return sorted(sheets, key=lambda s: order.index(s.resource.name))

    def _heading(self, resource: str, key: str) -> str:
        """The ledger's heading of the column a value came from (for the messages)."""
        source = SOURCES.get((resource, key)) or SOURCES.get((None, key))
        return self.headings.get(source, key)


#: (resource or None for any, column key) -> the ledger field its values come from
SOURCES = {
    ("purposes", "code"): "purpose", ("purposes", "title"): "purpose",
    ("data_categories", "name"): "categories", ("consignees", "name"): "consignee",
    (None, "purpose.code"): "purpose", (None, "category.name"): "categories",
    (None, "categories"): "categories", (None, "consignee.name"): "consignee",
    (None, "consignee.country"): "country", (None, "country"): "country",
    (None, "contact_name"): "contact", (None, "start_on"): "contract_start",
    (None, "end_on"): "contract_end", (None, "clause_confidentiality"): "confidentiality",
    (None, "checked_on"): "checked_on", (None, "work"): "work", (None, "notes"): "notes",
    (None, "data_subjects"): "subjects", (None, "retention_period"): "retention",
    (None, "storage_location"): "storage",
}
