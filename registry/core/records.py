"""The services that change described records. Each change is checked against its description
(schema.check: the role, every field, the record's rules) before it is written and logged, so a
form, a returned questionnaire and the command line are refused the same things, with the same
messages, as a workbook import (which checks its rows with the same rules)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa

from registry.core import audit, operations, references
from registry.core.i18n import lazy_gettext as _l
from registry.core.model import Record
from registry.core.schema import REF, Invalid, Problem, Registry, check, describe_model, prepared
from registry.extensions import db

T = TypeVar("T", bound=Record)

TAKEN = _l("Another record already has this value.")


def create(model: type[T], data: dict) -> T:
    """Create a record from plain values (records for references) once the rules allow it."""
    description = describe_model(model)
    data = prepared(description, dict(data), None)
    _refuse(judged(model, data))
    return _keyed(description, data, None, lambda: operations.create(model, data))


def suggested(model: type[Record]) -> dict:
    """What a new record's form starts with: the next free management number of its series."""
    description = describe_model(model)
    if description.series is None:
        return {}
    key = description.key[0]
    return {key: references.next_in_series(getattr(model, key), description.series)}


def judged(model: type[Record], data: dict) -> list[Problem]:
    """What the rules say against creating a record from these values (nothing: it may be), for
    a plan that shows the problems before anything is written."""
    description = describe_model(model)
    data = prepared(description, dict(data), None)
    values = {**description.defaults(), **description.values_from(data)}
    return (check(description, values, None, audit.current_role(), Registry())
            + _taken(description, data, None))


def update(obj: Record, data: dict) -> dict[str, list]:
    """Change a record once the rules allow it; returns {field: [old, new]}."""
    description = describe_model(type(obj))
    before = description.values_of(obj)
    data = prepared(description, dict(data), before)
    values = {**before, **description.values_from(data)}
    _refuse(check(description, values, before, audit.current_role(), Registry())
            + _taken(description, data, obj))
    return _keyed(description, data, obj, lambda: operations.update(obj, data))


def delete(obj: Record) -> None:
    """Delete a record, if the role allows it."""
    description = describe_model(type(obj))
    role = audit.current_role()
    if not role.at_least(description.change_role):
        raise Invalid([Problem(None, _l("Your role (%(role)s) may not change %(records)s.",
                                        role=str(role.label), records=str(description.plural)))])
    operations.delete(obj)


def _refuse(problems: list[Problem]) -> None:
    if problems:
        raise Invalid(problems)


def _keyed(description, data: dict, obj: Record | None, write: Callable[[], T]) -> T:
    """write(), refused like any taken key when another transaction saved the same key between
    the check and the write (two people saving the same suggested number): the database's unique
    index refuses the second, which waited for the first to commit."""
    try:
        with db.session.begin_nested():
            return write()
    except sa.exc.IntegrityError:
        problems = _taken(description, data, obj)
        if not problems:
            raise
        raise Invalid(problems) from None


def _taken(description, data: dict, obj: Record | None) -> list[Problem]:
    """A problem when another record already has the natural key."""
    model = description.model
    clauses = []
    for name in description.key:
        value = data.get(name, getattr(obj, name, None))
        if value is None:
            return []
        described = description.by_name[name]
        if described.kind == REF:
            clauses.append(getattr(model, described.fk) == value.id)
        else:
            clauses.append(getattr(model, name) == value)
    query = sa.select(model.id).where(*clauses)
    if obj is not None:
        query = query.where(model.id != obj.id)
    if db.session.scalar(query.limit(1)) is None:
        return []
    return [Problem(description.key[-1], TAKEN)]
