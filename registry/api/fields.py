"""Records as JSON, from their descriptions (core.schema): each kind of field's JSON Schema, how
a stored value is written, and how a request's value is read. The OpenAPI document, the answers
and the reading of a request body all come from this one table."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext

from registry.core.model import Record
from registry.core.schema import (
    AREA,
    BOOL,
    CHOICE,
    DATE,
    INTEGER,
    REF,
    REFS,
    TEXT,
    Description,
    Field,
    describe_model,
)
from registry.extensions import db


class Unreadable(ValueError):
    """A request's value that is not of its field's kind: the message says what was expected."""


def schema(field: Field) -> dict:
    """The JSON Schema of a field's value (OpenAPI 3.1), titled by its English label."""
    kind = field.kind
    if kind in (TEXT, AREA):
        found = {"type": "string", "maxLength": field.max}
    elif kind == INTEGER:
        found = {"type": "integer", "minimum": 0, "maximum": field.max}
    elif kind == DATE:
        found = {"type": "string", "format": "date"}
    elif kind == BOOL:
        found = {"type": "boolean"}
    elif kind == CHOICE:
        found = {"type": "string", "enum": [member.value for member in field.choice]}
    elif kind == REF:
        found = {"type": "integer", "description": f"the id of a record of {_plural(field)}"}
    else:  # REFS
        found = {"type": "array", "items": {"type": "integer"}, "uniqueItems": True,
                 "description": f"the ids of records of {_plural(field)}"}
    if field.nullable and kind != REFS:
        found["type"] = [found["type"], "null"]
    return {"title": field.label.en, **found,
            **({"x-label-ja": field.label.ja} if field.label.ja else {})}


def _plural(field: Field) -> str:
    return str(describe_model(field.target).plural.en)


def dumped(field: Field, obj: Record) -> object:
    """A stored record's value of a field as JSON: codes, ISO dates, ids for references."""
    if field.kind == REF:
        return getattr(obj, field.fk)
    if field.kind == REFS:
        return sorted(item.id for item in getattr(obj, field.name))
    value = getattr(obj, field.name)
    if isinstance(value, date):
        return value.isoformat()
    return value.value if field.kind == CHOICE and value is not None else value


def read(field: Field, value: object) -> object:
    """A request's JSON value as the services take it (records for references), or Unreadable.
    Limits and requirements are the rules' to judge, as for a form."""
    if value is None:
        if field.kind == REFS:
            return []
        return None if field.nullable or field.kind in (REF, CHOICE, DATE, INTEGER) else \
            _refuse(gettext("a value, not null"))
    kind = field.kind
    if kind in (TEXT, AREA):
        return value if isinstance(value, str) else _refuse(gettext("text"))
    if kind == INTEGER:
        return value if type(value) is int else _refuse(gettext("a whole number"))
    if kind == BOOL:
        return value if type(value) is bool else _refuse(gettext("true or false"))
    if kind == DATE:
        try:
            return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 \
                else _refuse(gettext("a date as YYYY-MM-DD"))
        except ValueError:
            return _refuse(gettext("a date as YYYY-MM-DD"))
    if kind == CHOICE:
        codes = [member.value for member in field.choice]
        return field.choice(value) if value in codes else \
            _refuse(gettext("one of %(codes)s", codes=", ".join(codes)))
    if kind == REF:
        return _record(field, value)
    if not isinstance(value, list):
        return _refuse(gettext("a list of ids"))
    return _records(field, value)


def _record(field: Field, value: object) -> Record:
    return _records(field, [value])[0]


def _records(field: Field, ids: list) -> list[Record]:
    """The records of these ids, in their order, each once, read in one statement."""
    if any(type(value) is not int for value in ids):
        _refuse(gettext("the id of a record (a whole number)"))
    ids = list(dict.fromkeys(ids))
    found = {record.id: record for record in db.session.scalars(
        sa.select(field.target).where(field.target.id.in_(ids)))}
    missing = [value for value in ids if value not in found]
    if missing:
        _refuse(gettext("the id of a record of %(kind)s; there is none with id %(id)s",
                        kind=_plural(field), id=", ".join(map(str, missing))))
    return [found[value] for value in ids]


def _refuse(expected: str):
    raise Unreadable(gettext("Expected %(what)s.", what=expected))


def writable(description: Description) -> list[Field]:
    """The fields a request may give: those a form has."""
    return [field for field in description.fields if field.spec.form]
