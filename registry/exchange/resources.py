"""The sheets of the inventory workbook, derived from the records' descriptions (core.schema):
every described kind of record with a sheet gives one, its columns from the described fields (a
reference written as its target's natural key), headers in English and Japanese from the fields'
labels. The same resources drive export and import, so they round-trip. The engine knows
descriptions, not domains: each domain declares its own."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.core import schema
from registry.core.i18n import Label
from registry.core.model import Choice, Record

TEXT, INTEGER, DATE, BOOL, CHOICE, REF, REFLIST = (
    "text", "integer", "date", "bool", "choice", "ref", "reflist")
#: how the names in a list cell (an entrustment's categories) are separated
LIST_SEPARATOR = "; "
#: follows the header of a column that must be filled in; the import ignores it
REQUIRED_MARK = " *"


@dataclass(frozen=True)
class Column:
    """One column of a sheet: key (field name, or field.part for a reference), headers, kind."""

    key: str
    en: str
    ja: str
    kind: str = TEXT
    max: int = 255
    required: bool = False
    choice: type[Choice] | None = None
    default: object = None
    nullable: bool = False
    synonyms: tuple[str, ...] = ()
    width: int = 18
    #: codes and numbers: full-width letters and digits are read as half-width
    identifier: bool = False
    upper: bool = False
    #: the described field the column writes (None for the Registry ID)
    field: str | None = None
    #: what to type, beyond what the kind says (the field's hint)
    hint: Label | None = None

    @property
    def reference(self) -> str | None:
        """The reference this column is part of (consignee for consignee.name)."""
        return self.key.split(".", 1)[0] if "." in self.key else None

    @property
    def free_text(self) -> bool:
        """Whether the cells hold words and sentences (wrapped in the export), not codes."""
        return self.kind in (TEXT, REF, REFLIST) and not self.identifier

    def header(self, language: str) -> str:
        """The exported header: the label in the language, marked when a value is required."""
        label = self.ja if language == "ja" else self.en
        return label + REQUIRED_MARK if self.required else label


@dataclass(frozen=True)
class Reference:
    """A link to other records written as their natural key: many-to-one in one or more
    columns, or (a collection) a list of names in one column kept in an association table."""

    attr: str
    fk: str | None
    target: str
    columns: tuple[str, ...]
    secondary: sa.Table | None = None
    #: the association table's columns: (the owner's id, the target's id)
    link_columns: tuple[str, str] | None = None


@dataclass
class Resource:
    """One sheet of the workbook and the described records it reads into and writes from."""

    description: schema.Description
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    references: tuple[Reference, ...] = ()
    collection: Reference | None = None
    by_key: dict[str, Column] = field(init=False)

    def __post_init__(self) -> None:
        self.columns = (*self.columns, RECORD_ID)
        self.by_key = {column.key: column for column in self.columns}

    @property
    def name(self) -> str:
        return self.description.name

    @property
    def model(self) -> type[Record]:
        return self.description.model

    @property
    def sheet_en(self) -> str:
        return self.description.plural.en

    @property
    def sheet_ja(self) -> str:
        return self.description.plural.ja

    @property
    def table(self) -> sa.Table:
        return self.model.__table__

    @cached_property
    def plain_columns(self) -> list[Column]:
        return [c for c in self.columns
                if c.reference is None and c.kind != REFLIST and c is not RECORD_ID]

    @cached_property
    def field_columns(self) -> dict[str, str]:
        """Each described field's first column (where a problem with the field is shown)."""
        found: dict[str, str] = {}
        for column in self.columns:
            if column.field is not None:
                found.setdefault(column.field, column.key)
        return found

    def sheet_name(self, language: str) -> str:
        return self.sheet_ja if language == "ja" else self.sheet_en

    def key_of(self, row: dict) -> tuple:
        return tuple(map(row.get, self.key))

    def values(self, row: dict) -> dict:
        """A row of the sheet as the description's rules see a record: references as their
        targets' natural keys, a list cell as a tuple of keys."""
        values = {column.key: row[column.key] for column in self.plain_columns if column.key in row}
        for reference in self.references:
            parts = tuple(row.get(c) for c in reference.columns)
            values[reference.attr] = None if parts[0] is None else parts
        if self.collection is not None:
            names = row.get(self.collection.columns[0])
            values[self.collection.attr] = tuple(sorted(
                (name,) for name in names.split(LIST_SEPARATOR))) if names else ()
        return values

    def export_query(self, key_only: bool = False) -> sa.Select:
        """Rows as the sheet shows them: own columns plus the natural keys of references
        (with key_only, just the id and the natural key)."""
        model = self.model
        selected = [model.id.label("id")]
        joins = []
        for reference in self.references:
            if key_only and not set(reference.columns) & set(self.key):
                continue
            target = RESOURCES[reference.target]
            alias = so.aliased(target.model)
            joins.append((alias, getattr(model, reference.fk) == alias.id))
            for column_key, target_key in zip(reference.columns, target.key, strict=True):
                selected.append(getattr(alias, target_key).label(column_key))
        selected += [getattr(model, c.key).label(c.key) for c in self.plain_columns
                     if not key_only or c.key in self.key]
        query = sa.select(*selected).select_from(model)
        for alias, condition in joins:
            query = query.outerjoin(alias, condition)
        return query.order_by(*(self.description.order_by or (model.id,)))


#: the last, hidden column of every sheet: lets a renamed natural key still find its record
RECORD_ID = Column("id", "Registry ID", "台帳ID", INTEGER, width=8, synonyms=("id",))


def _resource(description: schema.Description) -> Resource:
    """The sheet of a described kind of record."""
    columns: list[Column] = []
    references: list[Reference] = []
    collection = None
    for described in description.fields:
        if not described.spec.sheet:
            continue
        if described.kind == schema.REF:
            target = schema.describe_model(described.target)
            keys = tuple(f"{described.name}.{part}" for part in target.key)
            columns += _reference_columns(described, target, keys)
            references.append(Reference(described.name, described.fk, target.name, keys))
        elif described.kind == schema.REFS:
            if collection is not None:  # the sheet, the import and the export keep one list
                raise TypeError(f"{description.name}: a sheet carries one list of names; "
                                f"describe {described.name} with sheet=False")
            columns.append(_column(described, REFLIST, max=4000))
            collection = Reference(described.name, None,
                                   schema.describe_model(described.target).name,
                                   (described.name,), described.secondary, described.link_columns)
        else:
            kind = TEXT if described.kind in (schema.TEXT, schema.AREA) else described.kind
            columns.append(_column(described, kind))
    key = tuple(column for name in description.key for column in (
        next(r.columns for r in references if r.attr == name)
        if description.by_name[name].kind == schema.REF else (name,)))
    return Resource(description, tuple(columns), key, tuple(references), collection)


def _column(described: schema.Field, kind: str, **overrides) -> Column:
    spec = described.spec
    values = dict(key=described.name, en=described.label.en, ja=described.label.ja, kind=kind,
                  max=described.max or 255, choice=described.choice,
                  required=described.required and described.default is None,
                  default=described.default, nullable=described.nullable, synonyms=spec.synonyms,
                  width=spec.width, identifier=spec.code, upper=spec.upper, field=described.name,
                  hint=spec.help)
    return Column(**{**values, **overrides})


def _reference_columns(described: schema.Field, target: schema.Description,
                       keys: tuple[str, ...]) -> list[Column]:
    """A reference's columns: the first headed by the field's label, the others by the label
    and the key part's ("Consignee", "Consignee country")."""
    columns = []
    for index, (key, name) in enumerate(zip(keys, target.key, strict=True)):
        part = target.by_name[name]
        first = index == 0
        columns.append(Column(
            key,
            described.label.en if first else f"{described.label.en} {part.label.en.lower()}",
            described.label.ja if first else f"{described.label.ja}{part.label.ja}",
            REF, max=part.max or 255, required=described.required and first,
            synonyms=described.spec.synonyms if first else (), width=described.spec.width if first else 8,
            identifier=part.spec.code, upper=part.spec.upper, field=described.name,
            hint=described.spec.help if first else None))
    return columns


def _ordered(descriptions: list[schema.Description]) -> list[schema.Description]:
    """Descriptions with the targets of every reference, and the kinds their rules consult,
    before the records that need them (a record may refer to its own kind), otherwise in the
    order they were declared."""
    placed: list[schema.Description] = []

    def place(description: schema.Description) -> None:
        if description in placed:
            return
        needed = [f.target for f in description.fields if f.reference] + list(description.consults)
        for model in needed:
            if model is not description.model:
                place(schema.describe_model(model))
        placed.append(description)

    for description in descriptions:
        place(description)
    return placed


class _Resources(Mapping):
    """Resources by name, in dependency order, built from the descriptions on first use (after
    every domain has declared its own)."""

    @cached_property
    def _built(self) -> dict[str, Resource]:
        sheets = [d for d in schema.DESCRIPTIONS.values() if d.sheet]
        return {d.name: _resource(d) for d in _ordered(sheets) if d.sheet}

    def __getitem__(self, name: str) -> Resource:
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._built)

    def __len__(self) -> int:
        return len(self._built)


RESOURCES: Mapping[str, Resource] = _Resources()


def by_model(model: type) -> Resource | None:
    """The resource of a model's records, if they have a sheet."""
    description = schema.DESCRIPTIONS.get(model)
    return RESOURCES.get(description.name) if description is not None else None
