"""The shipped example inventory (the privacy policy's own world), loaded through the importer."""

from __future__ import annotations

import sqlalchemy as sa

from registry import shipped
from registry.exchange import pipeline
from registry.exchange.resources import RESOURCES
from registry.extensions import db

EXAMPLE_PATH = shipped("imports") / "example-inventory.xlsx"


def registry_is_empty() -> bool:
    """Whether no inventory record exists yet (users do not count)."""
    return all(
        db.session.scalar(sa.select(sa.func.count()).select_from(resource.model)) == 0
        for resource in RESOURCES.values()
    )


def load(path=EXAMPLE_PATH) -> dict[str, int]:
    """Import the example workbook like any other; returns the records created per sheet."""
    plan, _batch = pipeline.import_file(path, path.name)
    if not plan.valid:
        raise ValueError("the example workbook is invalid: " + "; ".join(map(str, plan.issues)))
    return {sheet.resource.name: sheet.counts["create"] for sheet in plan.sheets}
