"""The import pipeline end to end (guard, parse, validate and plan, apply), shared by CLI and web."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import date
from itertools import islice
from pathlib import Path

from flask import current_app

from registry.core import transactions
from registry.core.progress import Progress, ignore
from registry.exchange.apply import Stale, apply
from registry.exchange.bulk import collector_paused
from registry.exchange.guard import Limits, inspect
from registry.exchange.kinds import KINDS
from registry.exchange.models import ImportBatch
from registry.exchange.plan import INVENTORY, Plan, SheetPlan, build_plan
from registry.exchange.read import read, sheet_names
from registry.exchange.write import choice_labels
from registry.extensions import db

#: records of each sheet that `registry import` lists (with --verbose, all of them)
LISTED = 20
#: characters of a value shown in the list of changes
SHOWN_CHARACTERS = 60
#: how many times an import is planned again when the registry changed under it
IMPORT_ATTEMPTS = 3


class KeptChanging(Exception):
    """The registry changed under an import at each of its attempts; nothing was written."""


def limits() -> Limits:
    return Limits.from_config(current_app.config)


def plan_file(path: Path, sync: bool = False, *, kind: str | None = None, confirmation=None,
              progress: Progress = ignore, **options) -> Plan:
    """Check, read and plan a workbook; raises guard.Refused for a file that is not accepted.

    The workbook is the inventory unless its sheets say it is of a registered kind (a returned
    questionnaire), or `kind` names the kind it must be; options go to that kind's planner, with
    what the kind reads from the confirmation form, when the preview is confirmed. Progress is
    told in rows planned (by the kinds that plan many rows)."""
    bounds = limits()
    if kind is None or kind == INVENTORY or KINDS[kind].guarded:
        inspect(path, bounds)
    if kind is None:
        names = sheet_names(path)
        kind = next((k.name for k in KINDS.values() if k.recognises(names)), INVENTORY)
    if kind != INVENTORY:
        found = KINDS[kind]
        if confirmation is not None and found.confirmed is not None:
            options = {**options, **found.confirmed(confirmation)}
        return found.plan(path, bounds, progress=progress, **options)
    with collector_paused():
        return build_plan(read(path, bounds), sync, progress)


def import_file(path: Path, filename: str, sync: bool = False) -> tuple[Plan, ImportBatch | None]:
    """Plan against the current data and, when valid and not empty, apply; the caller commits."""
    plan = plan_file(path, sync)
    if not plan.valid or not plan.changes_anything:
        return plan, None
    return plan, apply(plan, filename, Path(path).read_bytes())


def apply_current(plan: Plan, planned: Callable[[], Plan], filename: str, content: bytes,
                  writing: Callable[[], AbstractContextManager[Progress]] = lambda: nullcontext(ignore),
                  noted: Callable[[Stale], None] = lambda stale: None) -> ImportBatch | None:
    """Apply a valid plan as an import batch, holding the write lock (the caller commits); when
    the registry changed under the plan (noted), plan again with planned(), IMPORT_ATTEMPTS times
    at most (then KeptChanging). None: the workbook changes nothing. writing() gives the progress
    of each attempt's writes."""
    for attempt in range(IMPORT_ATTEMPTS):
        if attempt:  # someone changed what the plan read: check the workbook against that
            plan = planned()
        if not plan.changes_anything:
            return None
        db.session.rollback()  # end the reading transaction before taking the write lock
        with transactions.writing(), writing() as progress:
            try:
                return apply(plan, filename, content, progress)
            except Stale as stale:
                db.session.rollback()
                noted(stale)
    raise KeptChanging


def summary(plan: Plan, listed: int | None = LISTED) -> list[str]:
    """Per sheet: how many records would be created, updated, left, deleted; then the records
    created and updated (the first `listed` of each sheet, None for all), each update with its
    fields' old -> new values, and every record that would be deleted."""
    labels = choice_labels("en")
    lines = []
    for sheet in plan.sheets:
        counts = sheet.counts
        parts = [f"{counts['create']} new", f"{counts['update']} updated",
                 f"{counts['unchanged']} unchanged"]
        if plan.sync:
            parts.append(f"{counts['delete']} deleted")
        lines.append(f"{sheet.sheet}: {', '.join(parts)}")
        changing = (row for row in sheet.rows if row.action in ("create", "update"))
        changed = list(changing if listed is None else islice(changing, listed))
        for row in changed:
            where = f" (row {row.row})" if row.row else ""
            if row.action == "create":
                lines.append(f"  new {row.label}{where}")
                continue
            fields = "; ".join(f"{sheet.resource.by_key[key].en}: {_shown(sheet, key, old, labels)}"
                               f" → {_shown(sheet, key, new, labels)}"
                               for key, (old, new) in row.changes.items())
            lines.append(f"  update {row.label}{where}: {fields}")
        more = counts["create"] + counts["update"] - len(changed)
        if more:
            lines.append(f"  … and {more} more (--verbose shows all)")
        lines += [f"  delete {row.label}" for row in sheet.rows if row.action == "delete"]
    return lines


def _shown(sheet: SheetPlan, key: str, value, labels: dict) -> str:
    """A value as the sheet shows it, on one short line."""
    column = sheet.resource.by_key.get(key)
    if value is None or value == "":
        return "—"
    if column is not None and column.choice is not None:
        return str(labels[column.choice].get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return value.isoformat()
    text = " ".join(str(value).split())
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS - 1] + "…"
