"""The shipped example inventory: the privacy policy's own world, loaded through the services."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from registry import ROOT
from registry.consignees.models import Certification, Consignee, Contract, Entrustment
from registry.core import operations
from registry.core.model import Choice, Record
from registry.extensions import db
from registry.inventory.models import DataCategory, Purpose, PurposeCategory
from registry.people.models import AccessGrant, Employee
from registry.supervision.models import Finding, SupervisionCheck

EXAMPLE_PATH = ROOT / "imports" / "example-inventory.json"

#: sections of the example file, in load order: model and how its references are looked up
SECTIONS: dict[str, type[Record]] = {
    "purposes": Purpose,
    "data_categories": DataCategory,
    "purpose_categories": PurposeCategory,
    "consignees": Consignee,
    "certifications": Certification,
    "entrustments": Entrustment,
    "contracts": Contract,
    "supervision_checks": SupervisionCheck,
    "findings": Finding,
    "employees": Employee,
    "access_grants": AccessGrant,
}

#: reference field -> (model, natural-key columns)
REFERENCES = {
    "purpose": (Purpose, ("code",)),
    "category": (DataCategory, ("name",)),
    "categories": (DataCategory, ("name",)),
    "consignee": (Consignee, ("name", "country")),
    "parent": (Consignee, ("name", "country")),
    "check": (SupervisionCheck, ("reference",)),
    "employee": (Employee, ("number",)),
}


def registry_is_empty() -> bool:
    """Whether no inventory record exists yet (users do not count)."""
    return all(
        db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0
        for model in SECTIONS.values()
    )


def load(path: Path) -> dict[str, int]:
    """Create every record of the example file through the audited services; returns counts."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    counts = {}
    for section, model in SECTIONS.items():
        rows = data.get(section, [])
        for row in rows:
            operations.create(model, _values(model, row))
        counts[section] = len(rows)
    return counts


def _values(model: type[Record], row: dict) -> dict:
    columns = sa.inspect(model).columns
    values = {}
    for key, value in row.items():
        if key in REFERENCES:
            values[key] = _resolve(key, value)
        elif value is None:
            continue
        elif isinstance(columns[key].type, sa.Date):
            values[key] = date.fromisoformat(value)
        elif isinstance(columns[key].type, sa.Enum) and issubclass(columns[key].type.enum_class,
                                                                   Choice):
            values[key] = columns[key].type.enum_class(value)
        else:
            values[key] = value
    return values


def _resolve(key: str, value):
    if value is None:
        return None
    model, natural_key = REFERENCES[key]
    if key == "categories":
        return [_resolve("category", item) for item in value]
    parts = value if isinstance(value, list) else [value]
    clauses = [getattr(model, column) == part for column, part in zip(natural_key, parts,
                                                                       strict=True)]
    record = db.session.scalar(sa.select(model).where(*clauses))
    if record is None:
        raise LookupError(f"The example refers to a missing {model.__name__}: {value!r}")
    return record
