"""Building blocks for the domain models: labelled choices, timestamps, dates."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.core.i18n import Label


def utcnow() -> datetime:
    """Naive UTC now, the form every timestamp is stored in."""
    return datetime.now(UTC).replace(tzinfo=None)


class Choice(enum.StrEnum):
    """A string enumeration whose members carry their label in English and Japanese, and the
    other words people write for them in ledgers (synonyms), all as data: a workbook's choices
    are read without any compiled catalogue."""

    def __new__(cls, value: str, en: str, ja: str, *synonyms: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = Label(en, ja)
        member.synonyms = synonyms
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, Label]]:
        return [(member.value, member.label) for member in cls]

    def words(self) -> tuple[str, ...]:
        """Everything a cell may hold for this member: its code, both labels, its synonyms."""
        return (self.value, self.label.en, self.label.ja, *self.synonyms)


def choice_column(choice: type[Choice], **kwargs) -> so.MappedColumn:
    """A VARCHAR column restricted (by a CHECK constraint) to the values of a Choice."""
    kind = sa.Enum(
        choice,
        native_enum=False,
        create_constraint=True,
        length=32,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
        name=_snake(choice.__name__),
    )
    return so.mapped_column(kind, **kwargs)


def list_index(table: str, *columns: str, where: str | None = None,
               name: str | None = None) -> sa.Index:
    """An index serving a list filtered or sorted by the columns, rows of equal value by id (the
    order of the list's pages, paging.Order); partial (where: the condition of the rows a state
    filter keeps) for a state that a part of the rows are in."""
    partial = {} if where is None else {"sqlite_where": sa.text(where),
                                        "postgresql_where": sa.text(where)}
    return sa.Index(name or f"ix_{table}_{'_'.join(columns)}", *columns, "id", **partial)


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


class Timestamped:
    """Created and updated timestamps, set by the application in UTC."""

    #: when the record was created (UTC)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    #: when the record was last changed (UTC)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)


class Record(Timestamped):
    """Columns and behaviour every inventory record has: an id, timestamps and an audit snapshot."""

    #: surrogate key; spreadsheets match on the natural key instead
    id: so.Mapped[int] = so.mapped_column(primary_key=True)

    #: the record's version, counting its saves: a save based on an older revision is refused
    #: (optimistic locking; SQLAlchemy adds "AND revision = ..." to every UPDATE)
    revision: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    @so.declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.revision}

    #: fields left out of audit snapshots
    __audit_exclude__: tuple[str, ...] = ("id", "created_at", "updated_at", "revision")
    #: relationships (to many) included in audit snapshots as lists of labels
    __audit_collections__: tuple[str, ...] = ()

    def audit_snapshot(self) -> dict[str, object]:
        """The record's fields as JSON-ready values, for the audit log (references by label)."""
        mapper = sa.inspect(type(self))
        references = {
            column.key: rel.key
            for rel in mapper.relationships
            if rel.direction is so.interfaces.MANYTOONE
            for column in rel.local_columns
        }
        values: dict[str, object] = {}
        for attr in mapper.column_attrs:
            if attr.key in self.__audit_exclude__:
                continue
            if attr.key in references:
                related = getattr(self, references[attr.key])
                values[references[attr.key]] = None if related is None else named(related)
            else:
                values[attr.key] = to_json(getattr(self, attr.key))
        for name in self.__audit_collections__:
            values[name] = sorted(named(item) for item in getattr(self, name))
        return values


def named(record: Record) -> str:
    """How the audit log names a record: by its natural key, as a workbook import names it."""
    from registry.core.schema import DESCRIPTIONS

    description = DESCRIPTIONS.get(type(record))
    if description is None:
        return str(record)
    return description.label_for(description.key_of(record))


def to_json(value: object) -> object:
    """A value as it is written to the audit log."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value
