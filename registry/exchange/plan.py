"""Validate and plan: each row cleaned (all problems at once), matched on its natural key,
classified as create / update (with a field diff) / unchanged / delete, and every row that
changes a record checked by its description's rules (core.schema), exactly as a form's values
are, against the registry as it will stand once the workbook is applied. Writes nothing."""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import ClassVar

import numpy as np
import sqlalchemy as sa
from flask_babel import gettext as _

from registry.core import audit, transactions
from registry.core.i18n import language
from registry.core.models import AuditEntry
from registry.core.progress import Progress, ignore
from registry.core.schema import REQUIRED, as_key, check, check_field, prepared
from registry.exchange.read import Issue, Parsed, Shared, SheetRows
from registry.exchange.resources import (
    BOOL,
    CHOICE,
    DATE,
    INTEGER,
    LIST_SEPARATOR,
    REF,
    REFLIST,
    RESOURCES,
    TEXT,
    Column,
    Resource,
)
from registry.exchange.seen import Hashes
from registry.exchange.spool import Spool
from registry.exchange.stored import Stored, records
from registry.exchange.values import (
    TRIM,
    CellError,
    ChoiceReader,
    clean_bool,
    clean_date,
    clean_integer,
    clean_text,
)
from registry.extensions import db

#: a separator in a list cell with the blanks around it: the spaces a cell's text loses at its ends
#: and the tabs and line breaks no name holds, not other spaces (a no-break space can be a name)
LIST_SPLIT = re.compile(rf"[{TRIM}\t\r]*[;；、\n][{TRIM}\t\r]*")
ACTIONS = ("create", "update", "unchanged", "delete")
#: the kind of workbook the engine itself plans (others register in exchange.kinds)
INVENTORY = "inventory"
#: rows planned between two reports of progress
PROGRESS_ROWS = 2000
#: the distinct parts of natural keys up to which the keys a plan keeps share them
KEY_PARTS = 500_000
#: rows applied together (one statement each for the records and their audit entries)
BATCH_ROWS = 5000
#: the changes of every unchanged row (one empty mapping, read and never written)
NO_CHANGES: dict = {}


@dataclass(slots=True)
class RowPlan:
    """What happens to one record (slots: a plan holds one a row)."""

    action: str
    row: int | None
    key: tuple
    values: dict
    changes: dict = field(default_factory=dict)
    record_id: int | None = None

    @property
    def label(self) -> str:
        return key_label(self.key)


@dataclass
class SheetPlan:
    """The plan for one sheet (one resource): its rows in a spool (or a list), read back in
    order by the summary, the preview and the apply."""

    resource: Resource
    sheet: str
    rows: Spool[RowPlan] | list[RowPlan] = field(default_factory=Spool)
    _counted: tuple[int, Counter] | None = field(default=None, init=False, repr=False)

    @property
    def counts(self) -> Counter:
        """How many rows of each action (counted once for as many rows as there are)."""
        if self._counted is None or self._counted[0] != len(self.rows):
            self._counted = (len(self.rows), Counter(row.action for row in self.rows))
        return self._counted[1]

    def changed(self, limit: int | None = None) -> list[RowPlan]:
        """The rows that change a record, in order (the first `limit` of them)."""
        rows = (row for row in self.rows if row.action != "unchanged")
        return list(rows if limit is None else islice(rows, limit))

    def batches(self, action: str, size: int = BATCH_ROWS) -> Iterator[list[RowPlan]]:
        """The rows of one action, `size` at a time, in the sheet's order."""
        batch = []
        for row in self.rows:
            if row.action == action:
                batch.append(row)
                if len(batch) == size:
                    yield batch
                    batch = []
        if batch:
            yield batch


@dataclass
class Plan:
    """The whole workbook's plan; valid only when no issue was found."""

    sheets: list[SheetPlan]
    issues: list[Issue]
    notices: list[str]
    sync: bool
    #: resource -> {old natural key: new natural key} for records renamed through their ID
    renamed: dict[str, dict[tuple, tuple]] = field(default_factory=dict)
    #: the last audit entry when the plan was made: a later change to the tables it reads
    #: makes it stale (every change writes an audit entry)
    mark: int = 0

    @property
    def tables(self) -> set[str]:
        """The tables the plan writes or looks records up in."""
        names = set()
        for sheet in self.sheets:
            resource = sheet.resource
            names.add(resource.table.name)
            names |= {RESOURCES[reference.target].table.name for reference in resource.references}
            if resource.collection is not None:
                names.add(RESOURCES[resource.collection.target].table.name)
        return names

    #: the kind of workbook planned
    kind = INVENTORY
    #: a template the preview includes to show what only this kind has (None: the sheets say all)
    template: ClassVar[str | None] = None
    #: the form the preview of a workbook with problems offers to send a corrected one (None:
    #: a link to the Excel page)
    reupload: ClassVar[str | None] = "exchange/_reupload.html"

    def watched(self) -> sa.ColumnElement:
        """The audit entries that, written after the plan was made, make it stale."""
        return AuditEntry.entity.in_(self.tables)

    @property
    def valid(self) -> bool:
        return not self.issues

    @property
    def totals(self) -> Counter:
        total = Counter({action: 0 for action in ACTIONS})
        for sheet in self.sheets:
            total.update(sheet.counts)
        return total

    @property
    def changes_anything(self) -> bool:
        totals = self.totals
        return any(totals[a] for a in ("create", "update", "delete"))


def clean_list(raw) -> str | None:
    """A list cell (an entrustment's categories): names in order, once each, each with the
    characters its own cell would keep."""
    names = {clean_text(n) for n in LIST_SPLIT.split(clean_text(raw)) if clean_text(n)}
    return LIST_SEPARATOR.join(sorted(names)) or None


def text_reader(column: Column):
    """Text as the column keeps it: trimmed, codes in half-width (and upper case where the field
    says so), empty as None where the field holds no empty text. Limits are the rules' to judge."""
    identifier, upper = column.identifier, column.upper
    empty = None if column.nullable or column.kind == REF else ""

    def read(raw):
        value = clean_text(raw)
        if not value:
            return empty
        if identifier:
            value = unicodedata.normalize("NFKC", value)
        return value.upper() if upper else value

    return read


def key_label(key: tuple) -> str:
    parts = [str(p) for p in key if p not in (None, "")]
    if len(key) == 2 and isinstance(key[1], str) and len(key[1]) == 2 and key[1].isupper():
        return f"{key[0]} ({key[1]})"
    return " / ".join(parts)


class Available:
    """The natural keys a reference may point to once a sheet is applied: the sheet's, those of
    rows with problems (reported once, on their own row), the old keys of renamed records and,
    but with --sync, the stored ones; read in place rather than copied into one set."""

    def __init__(self, *parts):
        self.parts = [part for part in parts if part is not None]

    def __contains__(self, key: object) -> bool:
        return any(key in part for part in self.parts)

    def __iter__(self) -> Iterator[tuple]:
        seen = set()
        for part in self.parts:
            for key in part:
                if key not in seen:
                    seen.add(key)
                    yield key


def choice_readers() -> dict[type, ChoiceReader]:
    """Readers accepting each choice's code, its labels in English and Japanese and its
    synonyms, all declared as data on the choice (no catalogue is needed to read a workbook)."""
    readers = {}
    choices = {c.choice for r in RESOURCES.values() for c in r.columns if c.choice is not None}
    for choice in choices:
        shown = ", ".join(f"{m.label.en} ({m.label.ja})" for m in choice)
        readers[choice] = ChoiceReader.build(choice, {m.value: m.words() for m in choice}, shown)
    return readers


class Planner:
    """Builds a Plan from parsed sheets against the current data."""

    def __init__(self, parsed: Parsed, sync: bool, progress: Progress = ignore):
        self.parsed = parsed
        self.progress = progress
        self.done, self.total = 0, sum(len(sheet.rows) for sheet in parsed.sheets)
        self.sync = sync
        self.issues: list[Issue] = list(parsed.issues)
        self.readers = choice_readers()
        self.present = {sheet.resource.name: sheet for sheet in parsed.sheets}
        self.existing: dict[str, Stored] = {}
        self.available: dict[str, set[tuple] | Available] = {}
        self.renamed: dict[str, dict[tuple, tuple]] = defaultdict(dict)
        #: target -> (the keys a reference may use, the countries of each name among them)
        self.by_name: dict[str, tuple] = {}
        #: resource -> the rows of its sheet as they will be stored: (stored key or None, row)
        self.planned: dict[str, Spool[tuple[tuple | None, dict]]] = {}
        self.role = audit.current_role()
        self.world = Outcome(self)
        #: the kinds references point to: their sheets' keys are kept whole, to be looked up
        self.referred = {target for _source, target in _referring()}

    def keys(self, name: str) -> set[tuple] | Available:
        """Natural keys a reference may point to: after this workbook is applied."""
        if name not in self.available:
            self.available[name] = set(self.stored(name))
        return self.available[name]

    def stored(self, name: str) -> Stored:
        if name not in self.existing:
            self.existing[name] = records(RESOURCES[name])
        return self.existing[name]

    def build(self) -> Plan:
        mark = db.session.scalar(sa.select(sa.func.max(AuditEntry.id))) or 0
        plans = []
        order = {name: position for position, name in enumerate(RESOURCES)}
        #: each kind other kinds refer to: the place of the last of them in the planning order
        last_referrer = {target: order[source] for source, target in _referring()
                         if source != target}
        for name, resource in RESOURCES.items():
            sheet = self.present.get(name)
            if sheet is not None:
                plans.append(self.plan_sheet(resource, sheet))
                if name not in last_referrer:  # no other sheet looks up its records: let them go
                    self.available.pop(name, None)
                    self.existing.pop(name, None)
            for kind in [k for k in self.available if order[k] <= order[name]
                         and last_referrer.get(k, -1) <= order[name]]:
                self.available.pop(kind)  # every sheet referring to it is planned: its keys go
        if self.sync:
            self.check_deletes(plans)
        return Plan(plans, self.issues, self.parsed.notices, self.sync, dict(self.renamed), mark)

    # -- one sheet ------------------------------------------------------------------------

    def plan_sheet(self, resource: Resource, sheet: SheetRows) -> SheetPlan:
        """The sheet's rows in three passes over spools (each row cleaned and matched; the rows
        that change a record planned against the keys the whole sheet leaves; those rows judged
        by the rules against the registry as the whole workbook leaves it)."""
        plan = SheetPlan(resource, sheet.sheet)
        stored = self.stored(resource.name)
        seen = Hashes()
        #: the sheet's keys themselves, where a reference may point to them
        exact: set[tuple] | None = set() if resource.name in self.referred else None
        #: rows whose key's hash the sheet had seen: (the place of their issue, number, key, values)
        doubtful: list[tuple[int, int, tuple, dict]] = []
        rejected: set[tuple] = set()
        planned: Spool[tuple] = Spool()
        #: the ids of the stored records the rows match (what --sync keeps)
        matched = array("q")
        #: rows whose Registry ID is not that of the stored record of their key: renames or copies
        named: list[tuple[int, tuple, int]] = []
        present = [(column, sheet.positions[column.key], self.cleaner(column, resource.key))
                   for column in resource.columns if column.key in sheet.positions]
        count = len(sheet.rows)
        shared = Shared(KEY_PARTS)  # the keys kept share their equal parts (an employee's number)
        rows = iter(sheet.rows)
        done = 0
        while chunk := list(islice(rows, PROGRESS_ROWS)):
            cleaned = []
            for number, cells in chunk:
                values, ok = self.clean_row(resource, sheet, present, number, cells)
                if not ok:
                    # the row's own problem is reported; rows referring to it need not be
                    rejected.add(resource.key_of(values))
                    continue
                if self.resolve_countries(resource, sheet, number, values):
                    cleaned.append((len(self.issues), number, resource.key_of(values), values))
            known = seen.add([key for _place, _number, key, _values in cleaned])
            doubtful += (row for row, repeated in zip(cleaned, known, strict=True) if repeated)
            fresh = [row[1:] for row, repeated in zip(cleaned, known, strict=True) if not repeated]
            self.match_rows(stored, fresh, planned, named, matched)
            if exact is not None:
                exact.update(tuple(shared(key)) for _number, key, _values in fresh)
            done += len(chunk)
            self.progress(self.done + done, self.total)
        sheet.rows.clear()  # planning took the rows read
        if doubtful:
            fresh = self.repeated(sheet, planned, doubtful)
            self.match_rows(stored, fresh, planned, named, matched)
            if exact is not None:
                exact.update(key for _number, key, _values in fresh)
        if named:
            self.match_named(resource, sheet, planned, named)
        renamed = self.renamed[resource.name]
        if exact is not None:
            self.available[resource.name] = Available(exact, rejected, renamed,
                                                      None if self.sync else stored)
        checks = self.reference_checks(resource)
        defaults = {c.key: self.default(c) for c in resource.columns}
        defaulted = {c.key for c in resource.columns if c.default is not None}
        renamed_to = {new: old for old, new in renamed.items()}
        #: what the sheet changes, over the stored records: (stored key or None, values); an
        #: unchanged row changes nothing but with --sync, where the sheet is all there will be
        changes: Spool[tuple] = Spool()
        judged: Spool[tuple[RowPlan, dict | None]] = Spool()
        for number, key, values, _record_id, old in planned:
            if values is None:
                self.check_references(sheet, checks, number, old)
                plan.rows.append(RowPlan("unchanged", number, key, old, NO_CHANGES, old["id"]))
                if self.sync:
                    changes.append((key, old))
                continue
            self.check_references(sheet, checks, number, values)
            old_key = renamed_to.get(key, key)
            if old_key != key:
                old = stored.get(old_key)
            if old is None:  # a new record takes the defaults of the cells left blank
                values = {k: defaults[k] if v in (None, "") and k in defaulted else v
                          for k, v in values.items()}
            full = prepared(resource.description, {**(old or defaults), **values}, old)
            if old is None:
                row = RowPlan("create", number, key, full)
            else:
                diff = {k: (old.get(k), v) for k, v in full.items() if old.get(k) != v}
                row = RowPlan("update" if diff else "unchanged", number, key,
                              full if diff else old, diff or NO_CHANGES, old["id"])
            plan.rows.append(row)
            if row.action != "unchanged":
                judged.append((row, old))
            if self.sync or row.action != "unchanged":
                changes.append((None if old is None else old_key, row.values))
        planned.clear()
        self.planned[resource.name] = changes
        self.judge(resource, sheet, judged)
        judged.clear()
        self.done += count
        self.progress(self.done, self.total)
        if self.sync:
            kept = np.zeros(max(matched, default=0) + 1, bool)
            kept[matched] = True
            plan.rows.extend(RowPlan("delete", None, key, row, {}, row["id"])
                             for key, row in stored.items()
                             if key not in renamed and (row["id"] >= len(kept) or not kept[row["id"]]))
        return plan

    def match_rows(self, stored: Stored, rows: list[tuple[int, tuple, dict]], planned: Spool,
                   named: list, matched: array) -> None:
        """Match rows of new keys with the stored records of their keys (looked up together),
        and spool them: a row that leaves its record as it is keeps no values of its own."""
        stored.fetch(key for _number, key, _values in rows)
        for number, key, values in rows:
            record_id = values.pop("id", None)
            old = stored.get(key)
            if old is not None:
                matched.append(old["id"])
            if record_id is not None and (old is None or old["id"] != record_id):
                named.append((number, key, record_id))
            if old is not None and record_id in (None, old["id"]) \
                    and _same(stored.resource, values, old):
                values = None  # unchanged: the stored record stands for it
            planned.append((number, key, values, record_id, old))

    def repeated(self, sheet: SheetRows, planned: Spool,
                 doubtful: list[tuple[int, int, tuple, dict]]) -> list[tuple[int, tuple, dict]]:
        """Settle the rows whose key's hash the sheet had seen, in one pass over the rows planned:
        a row of a key already planned is the same record as the key's first row (said in its
        place among the sheet's problems); the others (another key of equal hash) are new keys,
        given back to be planned."""
        wanted = {key for _place, _number, key, _values in doubtful}
        first: dict[tuple, int] = {}
        for number, key, *_rest in planned:
            if key in wanted:
                first.setdefault(key, number)
        fresh, said = [], []
        for place, number, key, values in doubtful:
            if key in first:
                said.append((place, Issue(sheet.sheet, number, None, key_label(key),
                                          _("the same record as row %(row)s", row=first[key]))))
            else:
                first[key] = number
                fresh.append((number, key, values))
        issues, self.issues = self.issues, []
        start = 0
        for place, issue in said:
            self.issues += issues[start:place]
            self.issues.append(issue)
            start = place
        self.issues += issues[start:]
        return fresh

    def match_named(self, resource: Resource, sheet: SheetRows, planned: Spool,
                    named: list[tuple[int, tuple, int]]) -> None:
        """Settle the rows whose Registry ID names another record than their key (match)."""
        ids = {record_id for _number, _key, record_id in named}
        by_id = self.stored(resource.name).keys_of(ids)
        rows_by_id = defaultdict(list)
        for number, key, _values, record_id, _old in planned:
            if record_id in ids:
                rows_by_id[record_id].append((number, key))
        for number, key, record_id in named:
            self.match(resource, sheet, number, key, record_id, by_id, rows_by_id)

    def match(self, resource: Resource, sheet: SheetRows, number: int, key: tuple,
              record_id, by_id: dict, rows_by_id: dict) -> tuple | None:
        """The stored key of the record this row is: its own, or the one its Registry ID names
        when its key is new (a rename). A row copied in Excel brings the Registry ID of the row
        it was copied from: an ID on several rows, or naming another record than an existing
        key, is refused rather than read as a rename."""
        old_key = by_id.get(record_id)
        stored = self.stored(resource.name)
        if old_key is None or old_key == key:
            return key if key in stored else None
        others = [(row, other) for row, other in rows_by_id[record_id] if row != number]
        original = next((row for row, other in others if other == old_key), None)
        if original is not None:
            self.issue(sheet, number, "id", record_id,
                       _("row %(row)s (“%(record)s”) has the same Registry ID: a copied row keeps "
                         "the hidden Registry ID of the row it was copied from; clear the Registry "
                         "ID of the copied row to add it as a new record", row=original,
                         record=key_label(old_key)))
        elif others:
            self.issue(sheet, number, "id", record_id,
                       _("the Registry ID of “%(record)s” is also on row %(rows)s: a copied row "
                         "keeps the hidden Registry ID of the row it was copied from; clear the "
                         "Registry ID of the copied row to add it as a new record",
                         record=key_label(old_key),
                         rows=", ".join(str(row) for row, _other in others)))
        elif key in stored:
            self.issue(sheet, number, "id", record_id,
                       _("this is the Registry ID of “%(record)s”, but “%(key)s” is another record "
                         "(Registry ID %(other)s): if the row was copied from “%(record)s”, clear "
                         "its Registry ID; to rename “%(record)s”, use a name or code no other "
                         "record has", record=key_label(old_key), key=key_label(key),
                         other=stored[key]["id"]))
        else:
            self.renamed[resource.name][old_key] = key
            return old_key
        return None

    def default(self, column: Column):
        """The value a new record gets for a column the sheet does not have."""
        if column.default is not None:
            return getattr(column.default, "value", column.default)
        if column.kind == BOOL:
            return False
        return "" if column.kind == TEXT and not column.nullable else None

    def clean_row(self, resource: Resource, sheet: SheetRows, present: list, number: int,
                  cells: list) -> tuple[dict, bool]:
        """The row's clean values, and whether all of them passed."""
        values = {}
        unread = []
        width = len(cells)
        for column, position, clean in present:
            raw = cells[position] if position < width else None
            try:
                values[column.key] = clean(raw)
            except CellError as error:
                self.issue(sheet, number, column.key, raw, _("expected %(what)s", what=error))
                values[column.key] = clean_text(raw) or None
                unread.append(column.key)
        for key in resource.key:
            column = resource.by_key[key]
            if key not in unread and values.get(key) in (None, "") and column.required:
                # a row is matched on its natural key: without one it is no record at all
                self.issue(sheet, number, key, None, str(REQUIRED))
                unread.append(key)
        if unread:  # the rules judge whole rows; still say what is wrong with the other cells
            described = resource.description.by_name
            for column, _position, _clean in present:
                if column.key not in unread and column.key in described and column.reference is None:
                    message = check_field(described[column.key], values[column.key])
                    if message is not None:
                        self.issue(sheet, number, column.key, values[column.key], str(message))
        return values, not unread

    def cleaner(self, column: Column, key: tuple[str, ...]):
        """The function that reads one column's cells (chosen once per sheet, run per cell); a
        blank cell of a natural key with a default (a consignee's country) takes it."""
        if column.kind == DATE:
            read = clean_date
        elif column.kind == INTEGER:
            read = clean_integer  # the range is the rules' to judge
        elif column.kind == BOOL:
            read = clean_bool
        elif column.kind == CHOICE:
            reader = self.readers[column.choice]

            def read(raw):
                member = reader(raw)
                return member.value if member is not None else None
        elif column.kind == REFLIST:
            read = clean_list
        else:
            read = text_reader(column)
        default = getattr(column.default, "value", column.default)
        if default is None or column.key not in key:  # a blank cell changes nothing into a default
            return read

        def clean(raw):
            value = read(raw)
            return default if value is None or value == "" else value

        return clean

    def judge(self, resource: Resource, sheet: SheetRows,
              changing: Spool[tuple[RowPlan, dict | None]]) -> None:
        """Check every row that creates or changes a record (with the stored record it changes)
        by the description's rules, as a form's values are checked, with the registry as it will
        stand (this sheet included)."""
        description = resource.description
        if (changing or self.sync) and not self.role.at_least(description.change_role):
            self.issue(sheet, None, None, None, _(
                "your role (%(role)s) may not change %(records)s", role=str(self.role.label),
                records=str(description.plural)))
            return
        self.world.forget(resource.name)
        for row, old in changing:
            before = None if old is None else resource.values(old)
            for problem in check(description, resource.values(row.values), before, self.role,
                                 self.world):
                column = resource.field_columns.get(problem.field)
                self.issue(sheet, row.row, column, row.values.get(column) if column else None,
                           str(problem.message))

    # -- references -----------------------------------------------------------------------

    def resolve_countries(self, resource: Resource, sheet: SheetRows, number: int,
                          values: dict) -> bool:
        """Fill in a consignee's country left empty when the name alone is unambiguous."""
        ok = True
        for reference in resource.references:
            if len(reference.columns) != 2 or not values.get(reference.columns[0]) \
                    or values.get(reference.columns[1]):
                continue
            name = values[reference.columns[0]]
            countries = sorted(self.countries(reference.target).get(name, ()))
            if len(countries) == 1:
                values[reference.columns[1]] = countries[0]
            elif countries:
                self.issue(sheet, number, reference.columns[1], None,
                           _("“%(name)s” exists in several countries (%(countries)s); give the "
                             "country", name=name, countries=", ".join(countries)))
                ok = False
        return ok

    def countries(self, target: str) -> dict[str, list]:
        """The countries of each name among the keys a reference to `target` may use (read
        once for each set of keys, not once a row)."""
        keys = self.keys(target)
        known = self.by_name.get(target)
        if known is None or known[0] is not keys:
            index = defaultdict(list)
            for key in keys:
                index[key[0]].append(key[1])
            known = self.by_name[target] = (keys, index)
        return known[1]

    def reference_checks(self, resource: Resource) -> list[tuple]:
        """For each reference of a sheet: its columns, the keys it may use, the target sheet,
        and whether it is a list of names."""
        return [(r.columns, self.keys(r.target), self.sheet_name(RESOURCES[r.target]),
                 r is resource.collection)
                for r in (*resource.references, *filter(None, [resource.collection]))]

    def check_references(self, sheet: SheetRows, checks: list[tuple], number: int,
                         values: dict) -> None:
        for columns, known, target, listed in checks:
            column = columns[0]
            if listed:
                names = values.get(column)
                missing = [n for n in names.split(LIST_SEPARATOR) if (n,) not in known] \
                    if names else []
            else:
                parts = tuple(map(values.get, columns))
                missing = [key_label(parts)] if parts[0] is not None and parts not in known else []
            for value in missing:
                self.issue(sheet, number, column, value,
                           _("no record with this key exists in the registry or in the sheet "
                             "“%(sheet)s”", sheet=target))

    def sheet_name(self, resource: Resource) -> str:
        """The name of a resource's sheet as this workbook has it (or both usual names)."""
        present = self.present.get(resource.name)
        return present.sheet if present else f"{resource.sheet_en}” / “{resource.sheet_ja}"

    def check_deletes(self, plans: list[SheetPlan]) -> None:
        """With --sync, refuse deleting a record that something kept still refers to."""
        deleted = {p.resource.name: {r.key: r for r in p.rows if r.action == "delete"}
                   for p in plans}
        sheets = {p.resource.name: p for p in plans}
        for target, gone in deleted.items():
            if not gone:
                continue
            for resource in RESOURCES.values():
                for reference in [*resource.references, resource.collection]:
                    if reference is None or reference.target != target:
                        continue
                    if resource.name in sheets:
                        kept = (r for r in sheets[resource.name].rows if r.action != "delete")
                        self._deletes_in_sheet(resource, reference, gone, kept)
                    else:
                        self._deletes_in_registry(resource, reference, gone)
            self._deletes_held(RESOURCES[target], gone)

    def _deletes_in_sheet(self, resource, reference, gone, rows) -> None:
        sheet = self.present[resource.name]
        for row in rows:
            if reference is resource.collection:
                names = row.values.get(reference.columns[0]) or ""
                keys = {(n,) for n in names.split(LIST_SEPARATOR)}
            else:
                keys = {tuple(row.values.get(c) for c in reference.columns)}
            for key in keys & gone.keys():
                self.issue(sheet, row.row, reference.columns[0], key_label(key),
                           _("refers to a record that would be deleted (it is missing from its "
                             "sheet); keep that record or change this row"))

    def _deletes_in_registry(self, resource, reference, gone) -> None:
        ids = [row.record_id for row in gone.values()]
        if resource.collection is reference:
            column = reference.secondary.c[reference.link_columns[1]]
            query = sa.select(column, sa.func.count()).where(column.in_(ids)).group_by(column)
        else:
            column = getattr(resource.model, reference.fk)
            query = sa.select(column, sa.func.count()).where(column.in_(ids)).group_by(column)
        used = dict(db.session.execute(query).all())
        for row in gone.values():
            if used.get(row.record_id):
                self.issue(self.present[RESOURCES[reference.target].name], None, None,
                           row.label, _("cannot be deleted: %(count)s records of “%(sheet)s” "
                                        "in the registry refer to it",
                                        count=used[row.record_id],
                                        sheet=self.sheet_name(resource)))

    def _deletes_held(self, resource: Resource, gone) -> None:
        """Records of no sheet that refer to records the workbook deletes (the files attached to
        them, a consignee's questionnaires): the database would refuse the delete."""
        sheets = {r.table for r in RESOURCES.values()} | {
            r.collection.secondary for r in RESOURCES.values() if r.collection is not None}
        ids = [row.record_id for row in gone.values()]
        for table in db.metadata.sorted_tables:
            if table in sheets:
                continue
            for key in table.foreign_keys:
                if key.column is not resource.table.c.id:
                    continue
                used = dict(db.session.execute(
                    sa.select(key.parent, sa.func.count()).where(key.parent.in_(ids))
                    .group_by(key.parent)).all())
                for row in gone.values():
                    if used.get(row.record_id):
                        self.issue(self.present[resource.name], None, None, row.label,
                                   _("cannot be deleted: %(count)s records of “%(kind)s” in the "
                                     "registry refer to it", count=used[row.record_id],
                                     kind=table.info.get("label", table.name)))

    def issue(self, sheet: SheetRows, row, column_key, value, message: str) -> None:
        """A problem of a row, under the column's header in the sheet (or, for a column the
        sheet has not, the column's name in the reader's language)."""
        header = None
        if column_key:
            column = sheet.resource.by_key.get(column_key)
            header = sheet.headers.get(column_key) or (
                getattr(column, language()) if column is not None else column_key)
        self.issues.append(Issue(sheet.sheet, row, header, value, message))


def _same(resource: Resource, values: dict, old: dict) -> bool:
    """Whether a row read for a stored record leaves it as it is."""
    full = prepared(resource.description, {**old, **values, "id": old["id"]}, old)
    return all(old.get(k) == v for k, v in full.items())


def _referring() -> Iterator[tuple[str, str]]:
    """(kind, kind it refers to) for every reference and collection, in the resources' order."""
    for resource in RESOURCES.values():
        for reference in [*resource.references, resource.collection]:
            if reference is not None:
                yield resource.name, reference.target


def build_plan(parsed: Parsed, sync: bool = False, progress: Progress = ignore) -> Plan:
    """The plan of a parsed workbook against the current data, its progress told in rows;
    writes nothing."""
    with transactions.bulk_cache():
        return Planner(parsed, sync, progress).build()


class Outcome:
    """The registry as it will stand once the workbook is applied (stored records, with the
    rows of the sheets planned so far over them): what the rules look up while a plan is made."""

    def __init__(self, planner: Planner):
        self.planner = planner
        self.indexes: dict[tuple, dict[tuple, set]] = {}

    def forget(self, name: str) -> None:
        """Drop what was looked up in a resource whose sheet is being planned."""
        self.indexes = {key: index for key, index in self.indexes.items() if key[0] != name}

    def values(self, kind: str, field: str, /, **where) -> set:
        names = tuple(sorted(where))
        index = self.indexes.get((kind, field, names))
        if index is None:
            index = self.indexes[(kind, field, names)] = self._index(kind, field, names)
        return index.get(tuple(as_key(where[n]) for n in names), set())

    def _index(self, name: str, field: str, names: tuple) -> dict[tuple, set]:
        resource = RESOURCES[name]
        index: dict[tuple, set] = defaultdict(set)
        for row in self.rows(name):
            values = resource.values(row)
            if values.get(field) is not None:
                index[tuple(as_key(values.get(n)) for n in names)].add(values[field])
        return index

    def rows(self, name: str):
        """The rows of a resource after the import: stored, then replaced, renamed, added or
        (with --sync) dropped by its sheet."""
        stored = self.planner.stored(name)
        planned = self.planner.planned.get(name)
        if planned is None:
            return stored.values()
        rows = {} if self.planner.sync else dict(stored.items())
        for old_key, row in planned:
            rows.pop(old_key, None)
            rows[RESOURCES[name].key_of(row)] = row
        return rows.values()

