"""The import pipeline end to end (guard, parse, validate and plan, apply), shared by CLI and web."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from registry.exchange.apply import apply
from registry.exchange.bulk import collector_paused
from registry.exchange.guard import Limits, inspect
from registry.exchange.models import ImportBatch
from registry.exchange.plan import Plan, build_plan
from registry.exchange.read import read


def limits() -> Limits:
    return Limits.from_config(current_app.config)


def plan_file(path: Path, sync: bool = False) -> Plan:
    """Check, read and plan a workbook; raises guard.Refused for a file that is not accepted."""
    bounds = limits()
    inspect(path, bounds)
    with collector_paused():
        return build_plan(read(path, bounds), sync)


def import_file(path: Path, filename: str, sync: bool = False) -> tuple[Plan, ImportBatch | None]:
    """Plan against the current data and, when valid and not empty, apply; the caller commits."""
    plan = plan_file(path, sync)
    if not plan.valid or not plan.changes_anything:
        return plan, None
    return plan, apply(plan, filename, Path(path).read_bytes())


def summary(plan: Plan) -> list[str]:
    """One line per sheet: how many records would be created, updated, left, deleted."""
    lines = []
    for sheet in plan.sheets:
        counts = sheet.counts
        parts = [f"{counts['create']} new", f"{counts['update']} updated",
                 f"{counts['unchanged']} unchanged"]
        if plan.sync:
            parts.append(f"{counts['delete']} deleted")
        lines.append(f"{sheet.sheet}: {', '.join(parts)}")
    return lines
