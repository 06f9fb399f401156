"""One description per kind of record, and the rules every change must keep.

A model's fields are described where they are declared (``info=describe(...)`` on the column or
relationship: labels in English and Japanese, limits, codes, value checks); a ``Description``
adds the natural key, the workbook sheet, the cross-field rules and who may change the records.
Forms, list pages, detail pages, workbooks, questionnaires and the audit log derive from it, and
``check`` is the one place a change is judged, whichever way it came in (a form, a workbook, a
returned questionnaire, the command line)."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.core.i18n import Label
from registry.core.i18n import lazy_gettext as _l
from registry.core.model import Choice, Record

TEXT, AREA, INTEGER, DATE, BOOL, CHOICE, REF, REFS = (
    "text", "area", "integer", "date", "bool", "choice", "ref", "refs")
#: the longest text a Text column takes unless its description says otherwise
AREA_MAX = 4000


@dataclass(frozen=True)
class Spec:
    """What a column or relationship says about itself (its ``info["describe"]``)."""

    label: Label
    #: None: required when the column can hold no NULL and has no default
    required: bool | None = None
    #: the longest text (a Text column's limit), or the largest whole number
    max: int | None = None
    #: codes and numbers: full-width letters and digits are read as half-width
    code: bool = False
    upper: bool = False
    #: a check of the value alone: returns the message when it is wrong
    check: Callable[[object], object | None] | None = None
    #: other headers people give this column in their ledgers
    synonyms: tuple[str, ...] = ()
    width: int = 18
    #: shown on the record's form and page; written to the workbook
    form: bool = True
    sheet: bool = True
    #: a consignee's detail the vendor may correct on a returned questionnaire
    vendor: bool = False
    #: a reference typed by its natural key (for targets too many for a drop-down)
    typed: bool = False
    #: fields that belong together, such as a contract's clause checklist
    group: str | None = None
    #: a hint shown under the field on its form: (English, Japanese)
    hint: tuple[str, str] | None = None
    #: the language of the field's text when it is always the same ("ja" or "en"), whatever the
    #: reader's: the page marks it so (a question's wording in each language)
    language: str | None = None
    #: how a stored value reads, when not as stored (a question's passing answer "yes" as Yes)
    shows: Callable[[object], object] | None = None

    @property
    def help(self) -> Label | None:
        return Label(*self.hint) if self.hint else None


def describe(en: str, ja: str, **options) -> dict:
    """The ``info`` of a described column or relationship: its label and options (see Spec)."""
    return {"describe": Spec(Label(en, ja), **options)}


@dataclass(frozen=True)
class Field:
    """One described field of a model, resolved from its column or relationship."""

    name: str
    label: Label
    kind: str
    spec: Spec
    required: bool
    max: int | None = None
    choice: type[Choice] | None = None
    default: object = None
    nullable: bool = False
    #: the model a reference points to, and the column holding its id (None for REFS)
    target: type | None = None
    fk: str | None = None
    #: for REFS: the association table and its two columns (owner, target)
    secondary: sa.Table | None = None
    link_columns: tuple[str, str] | None = None

    @property
    def reference(self) -> bool:
        return self.kind in (REF, REFS)

    @property
    def empty(self):
        """What an empty value is stored as."""
        if self.kind == REFS:
            return ()
        if self.kind in (TEXT, AREA) and not self.nullable:
            return ""
        return None


def _field(model: type, name: str, attr) -> Field | None:
    if isinstance(attr, so.RelationshipProperty):
        spec = attr.info.get("describe")
        if spec is None:
            return None
        target = attr.mapper.class_
        if attr.secondary is not None:
            owner = next(c for c in attr.secondary.c if c.references(model.__table__.c.id))
            other = next(c for c in attr.secondary.c if c is not owner)
            return Field(name, spec.label, REFS, spec, bool(spec.required), target=target,
                         secondary=attr.secondary, link_columns=(owner.name, other.name))
        local = list(attr.local_columns)
        required = spec.required if spec.required is not None else not local[0].nullable
        return Field(name, spec.label, REF, spec, required, target=target, fk=local[0].key,
                     nullable=local[0].nullable)
    column = attr.columns[0]
    spec = column.info.get("describe")
    if spec is None:
        return None
    kind, maximum, choice = _kind(column.type, spec)
    default = column.default.arg if column.default is not None and not column.default.is_callable \
        else None
    # a column that holds no NULL needs a value, unless empty text is what it holds by default
    required = spec.required if spec.required is not None else (
        not column.nullable and default != "" and kind != BOOL)
    return Field(name, spec.label, kind, spec, required, maximum, choice, default, column.nullable)


def _kind(column_type, spec: Spec) -> tuple[str, int | None, type | None]:
    if isinstance(column_type, sa.Enum) and column_type.enum_class is not None:
        return CHOICE, None, column_type.enum_class
    if isinstance(column_type, sa.Boolean):
        return BOOL, None, None
    if isinstance(column_type, sa.Date):
        return DATE, None, None
    if isinstance(column_type, sa.Integer):
        return INTEGER, spec.max or 10**12, None
    if isinstance(column_type, sa.Text):
        return AREA, spec.max or AREA_MAX, None
    return TEXT, spec.max or column_type.length, None


class World(Protocol):
    """What a rule may look up beyond the record itself: the registry as it stands, or as it
    will stand once a workbook is applied."""

    def values(self, kind: str, field: str, /, **where) -> set:
        """The values of one field of the records of a kind whose fields equal those given."""


@dataclass
class Change:
    """A record as it would be after a change, what it was before, and who makes the change."""

    values: dict
    #: None for a new record
    before: dict | None
    role: object
    world: World


@dataclass(frozen=True)
class Problem:
    """What is wrong with a change, and with which field (None: the record as a whole)."""

    field: str | None
    message: object

    def __str__(self) -> str:
        return str(self.message)


class Invalid(Exception):
    """A change the rules refuse; nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


#: model -> its description, filled as the domains declare theirs
DESCRIPTIONS: dict[type, Description] = {}


@dataclass(eq=False)
class Description:
    """A kind of record: its described fields, natural key, sheet, rules and who changes it."""

    model: type[Record]
    #: the natural key's field names (references are keyed by their target's key)
    key: tuple[str, ...]
    singular: Label
    plural: Label
    #: the workbook sheet, when the records travel in the inventory workbook
    sheet: bool = True
    #: cross-field rules, state changes and rules across records: yield a Problem for each failure
    rules: Callable[[Change], Iterable[Problem]] | None = None
    #: fills in what a change implies (e.g. the day a finding was resolved) before it is checked
    prepare: Callable[[dict, dict | None], None] | None = None
    #: the least role that may create, change or delete these records
    change_role: object = None
    #: how the sheet is sorted (default: the natural key)
    order_by: tuple = ()
    #: other kinds of record the rules look up (their sheets are planned first)
    consults: tuple[type, ...] = ()
    #: other names the sheet has had
    sheet_synonyms: tuple[str, ...] = ()
    #: the prefix of the management numbers (the key) suggested for new records: "ENT-"
    series: str | None = None
    #: the choice field that groups these records in other records' drop-downs (a category's kind)
    group_by: str | None = None

    def __post_init__(self) -> None:
        from registry.core.models import Role

        if self.change_role is None:
            self.change_role = Role.EDITOR
        DESCRIPTIONS[self.model] = self

    @property
    def name(self) -> str:
        return self.model.__tablename__

    @cached_property
    def fields(self) -> tuple[Field, ...]:
        """The described fields in the order the model declares them."""
        mapper = sa.inspect(self.model)
        names = list(dict.fromkeys(
            name for klass in reversed(self.model.__mro__)
            for name in getattr(klass, "__annotations__", {}) if name in mapper.attrs))
        found = [f for f in (_field(self.model, name, mapper.attrs[name]) for name in names) if f]
        position = {name: index for index, name in enumerate(names)}
        # a reference stands where the model declares the column holding its id
        return tuple(sorted(found, key=lambda f: position[f.fk or f.name]))

    @cached_property
    def by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    def group(self, name: str) -> list[Field]:
        return [f for f in self.fields if f.spec.group == name]

    # -- values ---------------------------------------------------------------------------

    def key_of(self, obj: Record) -> tuple:
        """A stored record's natural key, references flattened to their targets' keys."""
        parts: list = []
        for name in self.key:
            value = getattr(obj, name)
            if self.by_name[name].kind == REF:
                parts.extend(describe_model(type(value)).key_of(value))
            else:
                parts.append(_plain(value))
        return tuple(parts)

    def values_from(self, data: dict) -> dict:
        """A form's or service's values (records for references) as rules see them (references
        as their targets' natural keys)."""
        values = {}
        for name, value in data.items():
            described = self.by_name.get(name)
            if described is None:
                continue
            if described.kind == REF:
                value = None if value is None else describe_model(described.target).key_of(value)
            elif described.kind == REFS:
                target = describe_model(described.target)
                value = tuple(sorted(target.key_of(item) for item in value or ()))
            values[name] = _plain(value)
        return values

    def defaults(self) -> dict:
        """The values a new record has for the fields it is not given."""
        return {f.name: _plain(f.default) if f.default is not None else f.empty
                for f in self.fields}

    def values_of(self, obj: Record) -> dict:
        """A stored record's values as rules see them."""
        return self.values_from({f.name: getattr(obj, f.name) for f in self.fields})

    def label_for(self, key: tuple) -> str:
        """A natural key as people read it: "Name (JP)" for a consignee, else parts with " / "."""
        parts = [str(p) for p in key if p not in (None, "")]
        if len(key) == 2 and isinstance(key[1], str) and len(key[1]) == 2 and key[1].isupper():
            return f"{key[0]} ({key[1]})"
        return " / ".join(parts)


def arrange(domains: tuple[str, ...]) -> None:
    """Put the descriptions in the order of their domains (the workbook's sheet order), whatever
    order their modules happened to be imported in."""
    def position(description: Description) -> int:
        domain = description.model.__module__.split(".")[1]
        return domains.index(domain) if domain in domains else len(domains)

    ordered = sorted(DESCRIPTIONS.items(), key=lambda item: position(item[1]))
    DESCRIPTIONS.clear()
    DESCRIPTIONS.update(ordered)


def describe_model(model: type) -> Description:
    return DESCRIPTIONS[model]


def described(table: str) -> Description | None:
    """The description of the records kept in a table."""
    return next((d for d in DESCRIPTIONS.values() if d.name == table), None)


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    return value


# -- checking a change ------------------------------------------------------------------------

REQUIRED = _l("A value is required.")


def check_field(described: Field, value) -> object | None:
    """The message for a value that this field cannot hold, else None."""
    from registry.core.fields import has_control_characters

    if value is None or value == "" or value == ():
        return REQUIRED if described.required else None
    kind = described.kind
    check = described.spec.check  # a code's own check says more than its length (JP, not "2")
    if kind in (TEXT, AREA) and check is not None and (message := check(value)) is not None:
        return message
    if kind in (TEXT, AREA):
        if len(value) > described.max:
            return _l("At most %(limit)s characters (this has %(length)s).", limit=described.max,
                      length=len(value))
        if has_control_characters(value, line=kind == TEXT):
            return _l("Remove the invisible control characters (such as NUL or escape).")
    elif kind == INTEGER:
        if not 0 <= value <= described.max:
            return _l("A number from 0 to %(max)s.", max=f"{described.max:,}")
    elif kind == CHOICE and value not in {m.value for m in described.choice}:
        return _l("Not one of the choices.")
    elif kind == DATE and not isinstance(value, date):
        return _l("Not a date.")
    return check(value) if check is not None and kind not in (TEXT, AREA) else None


def check(description: Description, values: dict, before: dict | None, role, world: World
          ) -> list[Problem]:
    """Every problem with a change: the role, each field's value, then the record's rules."""
    if not role.at_least(description.change_role):
        return [Problem(None, _l("Your role (%(role)s) may not change %(records)s.",
                                 role=str(role.label), records=str(description.plural)))]
    problems = [Problem(f.name, message) for f in description.fields if f.name in values
                and (message := check_field(f, values[f.name])) is not None]
    if not problems and description.rules is not None:
        problems = list(description.rules(Change(values, before, role, world)))
    return problems


def prepared(description: Description, values: dict, before: dict | None) -> dict:
    """The values with what the change implies filled in."""
    if description.prepare is not None:
        description.prepare(values, before)
    return values


class Registry:
    """The World of a change made directly to the database (forms, services, the CLI)."""

    def values(self, kind: str, field: str, /, **where) -> set:
        from registry.extensions import db

        description = described(kind)
        model = description.model
        joins: list = []
        selected = _columns(model, description.by_name[field], joins)
        conditions = [part == value for other, key in where.items()
                      for part, value in zip(_columns(model, description.by_name[other], joins),
                                             as_key(key), strict=True)]
        query = sa.select(*selected).select_from(model)
        for target, on in joins:
            query = query.join(target, on)
        single = description.by_name[field].kind != REF
        return {row[0] if single else tuple(row) for row in db.session.execute(query.where(*conditions))}


def _columns(model, described: Field, joins: list) -> list:
    """The columns that hold a field's value: its own, or (joined) its target's natural key."""
    if described.kind != REF:
        return [getattr(model, described.name)]
    target = so.aliased(described.target)
    joins.append((target, getattr(model, described.fk) == target.id))
    return [getattr(target, k) for k in describe_model(described.target).key]


def as_key(value) -> tuple:
    """A field's value as a key: a reference's already is one, a plain value becomes one."""
    return value if isinstance(value, tuple) else (value,)
