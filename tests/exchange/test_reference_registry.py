"""The benchmark generator's registry holds only what the rules allow, and its whole export comes
back in unchanged (observation 12: one of its entrustments ended before it started)."""

from __future__ import annotations

import sqlalchemy as sa

from benchmarks import generate
from registry.exchange import pipeline, write
from registry.exchange.resources import RESOURCES
from registry.extensions import db


def test_the_reference_registry_is_valid_and_its_export_comes_back_unchanged(app_ctx, tmp_path):
    # (seed 30 at this scale is one the old generator gave an entrustment that ended before it began)
    generate.registry(seed=30, size=generate.REFERENCE.scaled(0.01))
    path = tmp_path / "reference.xlsx"
    exported = write.export(path, "ja")
    plan = pipeline.plan_file(path)
    assert plan.valid, [str(issue) for issue in plan.issues[:10]]
    assert not plan.changes_anything, {sheet.sheet: dict(sheet.counts) for sheet in plan.sheets}
    assert plan.totals["unchanged"] == sum(exported.values())

    # the same workbook into an empty registry: every record is new, so the rules judge each one
    for resource in reversed(list(RESOURCES.values())):
        if resource.collection is not None:
            db.session.execute(sa.delete(resource.collection.secondary))
        db.session.execute(sa.delete(resource.table))
    plan = pipeline.plan_file(path)
    assert plan.valid, [str(issue) for issue in plan.issues[:10]]
    assert plan.totals["create"] == sum(exported.values())
