"""Validate and plan: each row cleaned and checked (all problems at once), matched on its natural
key, and classified as create / update (with a field diff) / unchanged / delete. Writes nothing."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from registry.consignees.forms import EMAIL, corporate_number_ok
from registry.core.models import AuditEntry
from registry.exchange.read import Issue, Parsed, SheetRows
from registry.exchange.resources import (
    ASSOCIATION,
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
from registry.exchange.values import (
    CellError,
    ChoiceReader,
    clean_bool,
    clean_date,
    clean_integer,
    clean_text,
)
from registry.exchange.write import batches
from registry.extensions import db

LIST_SPLIT = re.compile(r"\s*(?:;|；|、|\n)\s*")
LIST_CHARACTERS = set(";；、\n")
COUNTRY = re.compile(r"^[A-Z]{2}$")
ACTIONS = ("create", "update", "unchanged", "delete")
#: words ledgers commonly use for a choice, besides its code and its labels
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "EmployeeStatus": {"active": ("在籍", "在職", "在籍中", "有効"), "leave": ("休職", "leave"),
                       "departed": ("退職済", "退社", "退職者")},
    "PurposeStatus": {"active": ("有効", "使用中"), "retired": ("廃止済", "終了")},
    "AccessLevel": {"read": ("参照", "閲覧のみ"), "edit": ("更新", "書込"), "export": ("出力",),
                    "admin": ("管理者",)},
    "FindingStatus": {"resolved": ("完了", "対応済", "是正済"), "open": ("未着手",)},
    "CheckResult": {"pass": ("合格", "問題なし"), "fail": ("不合格",),
                    "pass_with_findings": ("条件付き適合", "指摘あり")},
    "ConsigneeStatus": {"active": ("取引中", "契約中"), "terminated": ("取引終了", "解約")},
    "ContractType": {"nda": ("NDA", "秘密保持契約", "機密保持契約"), "service": ("業務委託契約", "委託契約"),
                     "dpa": ("覚書", "DPA", "データ処理契約", "個人情報取扱覚書"),
                     "terms": ("利用規約", "約款")},
}


@dataclass
class RowPlan:
    """What happens to one record."""

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
    """The plan for one sheet (one resource)."""

    resource: Resource
    sheet: str
    rows: list[RowPlan] = field(default_factory=list)

    @property
    def counts(self) -> Counter:
        return Counter(row.action for row in self.rows)

    def changed(self) -> list[RowPlan]:
        return [row for row in self.rows if row.action != "unchanged"]


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


def clean_count(raw) -> int | None:
    value = clean_integer(raw)
    if value is not None and not 0 <= value <= 10**12:
        raise CellError(_("a number from 0 to 1,000,000,000,000"))
    return value


def clean_list(raw) -> str | None:
    """A list cell (an entrustment's categories): names in order, once each."""
    names = {clean_text(n) for n in LIST_SPLIT.split(clean_text(raw)) if clean_text(n)}
    return LIST_SEPARATOR.join(sorted(names)) or None


def text_reader(column: Column):
    """Text with the column's rules: length, half-width codes, country codes, empty as None."""
    identifier = column.identifier
    country = column.key.endswith("country")
    empty = None if column.nullable or column.kind == REF else ""
    limit = column.max

    def read(raw):
        value = clean_text(raw)
        if not value:
            return empty
        if identifier:
            value = unicodedata.normalize("NFKC", value)
        if len(value) > limit:
            raise CellError(_("at most %(limit)s characters (this has %(length)s)",
                              limit=limit, length=len(value)))
        if country:
            value = value.upper()
            if not COUNTRY.match(value):
                raise CellError(_("a two-letter ISO country code such as JP or US"))
        return value

    return read


def key_label(key: tuple) -> str:
    parts = [str(p) for p in key if p not in (None, "")]
    if len(key) == 2 and isinstance(key[1], str) and len(key[1]) == 2 and key[1].isupper():
        return f"{key[0]} ({key[1]})"
    return " / ".join(parts)


def load_existing(resource: Resource) -> dict[tuple, dict]:
    """Every stored record of a resource, in the sheet's representation, by natural key."""
    rows = {}
    for batch in batches(resource, None):
        for row in batch:
            rows[resource.key_of(row)] = row
    return rows


def choice_readers() -> dict[type, ChoiceReader]:
    """Readers accepting each choice's code and its label in English and Japanese."""
    readers = {}
    choices = {c.choice for r in RESOURCES.values() for c in r.columns if c.choice is not None}
    for choice in choices:
        labels = defaultdict(list)
        for language in ("en", "ja"):
            with force_locale(language):
                for member in choice:
                    labels[member.value].append(str(member.label))
        shown = ", ".join(f"{en} ({ja})" for en, ja in labels.values())
        for value, words in SYNONYMS.get(choice.__name__, {}).items():
            labels[value] += words
        readers[choice] = ChoiceReader.build(choice, labels, shown)
    return readers


class Planner:
    """Builds a Plan from parsed sheets against the current data."""

    def __init__(self, parsed: Parsed, sync: bool):
        self.parsed = parsed
        self.sync = sync
        self.issues: list[Issue] = list(parsed.issues)
        self.readers = choice_readers()
        self.present = {sheet.resource.name: sheet for sheet in parsed.sheets}
        self.existing: dict[str, dict[tuple, dict]] = {}
        self.available: dict[str, set[tuple]] = {}
        self.renamed: dict[str, dict[tuple, tuple]] = defaultdict(dict)

    def keys(self, name: str) -> set[tuple]:
        """Natural keys a reference may point to: after this workbook is applied."""
        if name not in self.available:
            self.available[name] = set(self.stored(name))
        return self.available[name]

    def stored(self, name: str) -> dict[tuple, dict]:
        if name not in self.existing:
            self.existing[name] = load_existing(RESOURCES[name])
        return self.existing[name]

    def build(self) -> Plan:
        mark = db.session.scalar(sa.select(sa.func.max(AuditEntry.id))) or 0
        plans = []
        for name, resource in RESOURCES.items():
            sheet = self.present.get(name)
            if sheet is not None:
                plans.append(self.plan_sheet(resource, sheet))
        if self.sync:
            self.check_deletes(plans)
        return Plan(plans, self.issues, self.parsed.notices, self.sync, dict(self.renamed), mark)

    # -- one sheet ------------------------------------------------------------------------

    def plan_sheet(self, resource: Resource, sheet: SheetRows) -> SheetPlan:
        plan = SheetPlan(resource, sheet.sheet)
        stored = self.stored(resource.name)
        seen: dict[tuple, int] = {}
        rejected: set[tuple] = set()
        planned = []
        present = [(column, sheet.positions[column.key], self.cleaner(column))
                   for column in resource.columns if column.key in sheet.positions]
        for number, cells in sheet.rows:
            values, ok = self.clean_row(resource, sheet, present, number, cells)
            if not ok:
                # the row's own problem is reported; rows referring to it need not be
                rejected.add(resource.key_of(values))
                continue
            if not self.resolve_countries(resource, sheet, number, values):
                continue
            key = resource.key_of(values)
            if key in seen:
                self.issue(sheet, number, None, key_label(key),
                           _("the same record as row %(row)s", row=seen[key]))
                continue
            seen[key] = number
            planned.append((number, key, values))
        defaults = {c.key: self.default(c) for c in resource.columns}
        by_id = {row["id"]: key for key, row in stored.items()}
        rows_by_id = defaultdict(list)
        for number, key, values in planned:
            if values.get("id") is not None:
                rows_by_id[values["id"]].append((number, key))
        kept = set()
        for number, key, values in planned:
            old_key = self.match(resource, sheet, number, key, values.pop("id", None), by_id,
                                 rows_by_id)
            if old_key is not None:
                kept.add(old_key)
        renamed = self.renamed[resource.name]
        self.available[resource.name] = (set(seen) | rejected | set(renamed)
                                          | (set() if self.sync else set(stored)))
        checks = self.reference_checks(resource)
        for number, key, values in planned:
            self.check_references(sheet, checks, number, values)
            old_key = next((o for o, n in renamed.items() if n == key), key)
            old = stored.get(old_key)
            if old is None:
                full = {**defaults, **values}
                plan.rows.append(RowPlan("create", number, key, full))
                continue
            changes = {k: (old.get(k), v) for k, v in values.items() if old.get(k) != v}
            action = "update" if changes else "unchanged"
            plan.rows.append(RowPlan(action, number, key, {**old, **values}, changes, old["id"]))
        if resource.name == "consignees":
            self.check_chains(sheet, plan)
        if self.sync:
            plan.rows += [RowPlan("delete", None, key, row, {}, row["id"])
                          for key, row in stored.items() if key not in seen and key not in kept]
        return plan

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
        ok = True
        width = len(cells)
        for column, position, clean in present:
            raw = cells[position] if position < width else None
            try:
                values[column.key] = clean(raw)
            except CellError as error:
                self.issue(sheet, number, column.key, raw, _("expected %(what)s", what=error))
                values[column.key] = clean_text(raw) or None
                ok = False
        if ok:
            for message, column in self.row_rules(resource, values):
                self.issue(sheet, number, column, values.get(column), message)
                ok = False
        return values, ok

    def cleaner(self, column: Column):
        """The function that reads one column's cells (chosen once per sheet, run per cell)."""
        if column.kind == DATE:
            read = clean_date
        elif column.kind == INTEGER:
            read = clean_count
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
        required = column.required

        def clean(raw):
            value = read(raw)
            if value is None or value == "":
                if default is not None:
                    return default
                if required:
                    raise CellError(_("a value (this column is required)"))
            return value

        return clean

    def row_rules(self, resource: Resource, values: dict):
        """The checks the forms make, applied to a row: (message, column key) for each failure."""
        start, end = values.get("start_on"), values.get("end_on")
        if start and end and end < start:
            yield _("the end date is before the start date"), "end_on"
        number = values.get("corporate_number")
        if number and not corporate_number_ok(number):
            yield _("a corporate number has 13 digits with a valid check digit"), "corporate_number"
        email = values.get("contact_email")
        if email and not EMAIL.match(email):
            yield _("expected an e-mail address"), "contact_email"
        if resource.name == "employees" and values.get("status") == "departed" \
                and not values.get("departed_on") and "departed_on" in values:
            yield _("a departed employee needs the date of departure"), "departed_on"
        if resource.name == "data_categories" and set(values.get("name") or "") & LIST_CHARACTERS:
            yield _("a category name cannot contain ; 、 or a line break (they separate names "
                    "in a list)"), "name"
        if resource.name == "access_grants" and values.get("revoked_on") \
                and not values.get("revoke_reason") and "revoke_reason" in values:
            yield _("say why the access was revoked"), "revoke_reason"

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
            countries = sorted(k[1] for k in self.keys(reference.target) if k[0] == name)
            if len(countries) == 1:
                values[reference.columns[1]] = countries[0]
            elif countries:
                self.issue(sheet, number, reference.columns[1], None,
                           _("“%(name)s” exists in several countries (%(countries)s); give the "
                             "country", name=name, countries=", ".join(countries)))
                ok = False
        return ok

    def reference_checks(self, resource: Resource) -> list[tuple]:
        """For each reference of a sheet: its columns, the keys it may use, the target sheet."""
        checks = [(r.columns, self.keys(r.target), self.sheet_name(RESOURCES[r.target]))
                  for r in resource.references]
        if resource.collection is not None:
            target = resource.collection.target
            checks.append((None, self.keys(target), self.sheet_name(RESOURCES[target])))
        return checks

    def check_references(self, sheet: SheetRows, checks: list[tuple], number: int,
                         values: dict) -> None:
        for columns, known, target in checks:
            if columns is None:
                names = values.get("categories")
                missing = [n for n in names.split(LIST_SEPARATOR) if (n,) not in known] \
                    if names else []
                column = "categories"
            else:
                parts = tuple(map(values.get, columns))
                missing = [key_label(parts)] if parts[0] is not None and parts not in known else []
                column = columns[0]
            for value in missing:
                self.issue(sheet, number, column, value,
                           _("no record with this key exists in the registry or in the sheet "
                             "“%(sheet)s”", sheet=target))

    def sheet_name(self, resource: Resource) -> str:
        """The name of a resource's sheet as this workbook has it (or both usual names)."""
        present = self.present.get(resource.name)
        return present.sheet if present else f"{resource.sheet_en}” / “{resource.sheet_ja}"

    def check_chains(self, sheet: SheetRows, plan: SheetPlan) -> None:
        """Re-entrustment chains must end: no consignee may be its own (indirect) parent."""
        parents = {key: (row["parent.name"], row["parent.country"])
                   for key, row in self.stored("consignees").items() if row.get("parent.name")}
        for row in plan.rows:
            parent = (row.values.get("parent.name"), row.values.get("parent.country"))
            parents[row.key] = parent if parent[0] else None
        for row in plan.rows:
            seen = {row.key}
            current = parents.get(row.key)
            while current:
                if current in seen:
                    self.issue(sheet, row.row, "parent.name", key_label(row.key),
                               _("this re-entrustment chain loops back to the consignee itself"))
                    break
                seen.add(current)
                current = parents.get(current)

    def check_deletes(self, plans: list[SheetPlan]) -> None:
        """With --sync, refuse deleting a record that something kept still refers to."""
        deleted = {p.resource.name: {r.key: r for r in p.rows if r.action == "delete"}
                   for p in plans}
        kept_rows = {p.resource.name: [r for r in p.rows if r.action != "delete"] for p in plans}
        for target, gone in deleted.items():
            if not gone:
                continue
            for resource in RESOURCES.values():
                for reference in [*resource.references, resource.collection]:
                    if reference is None or reference.target != target:
                        continue
                    if resource.name in kept_rows:
                        self._deletes_in_sheet(resource, reference, gone, kept_rows[resource.name])
                    else:
                        self._deletes_in_registry(resource, reference, gone)

    def _deletes_in_sheet(self, resource, reference, gone, rows) -> None:
        sheet = self.present[resource.name]
        for row in rows:
            if reference.columns == ("categories",):
                keys = {(n,) for n in (row.values.get("categories") or "").split(LIST_SEPARATOR)}
            else:
                keys = {tuple(row.values.get(c) for c in reference.columns)}
            for key in keys & gone.keys():
                self.issue(sheet, row.row, reference.columns[0], key_label(key),
                           _("refers to a record that would be deleted (it is missing from its "
                             "sheet); keep that record or change this row"))

    def _deletes_in_registry(self, resource, reference, gone) -> None:
        ids = [row.record_id for row in gone.values()]
        if resource.collection is reference:
            column = ASSOCIATION.c.category_id
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

    def issue(self, sheet: SheetRows, row, column_key, value, message: str) -> None:
        header = sheet.headers.get(column_key, column_key) if column_key else None
        self.issues.append(Issue(sheet.sheet, row, header, value, message))


def build_plan(parsed: Parsed, sync: bool = False) -> Plan:
    """The plan of a parsed workbook against the current data; writes nothing."""
    return Planner(parsed, sync).build()
