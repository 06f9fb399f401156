"""A ledger as one more kind of workbook in the import pipeline (exchange.kinds): read, mapped
(the suggested mapping unless one is given), turned into inventory rows and planned like any
inventory workbook, then applied as one import batch that can be reverted."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from registry.core.progress import Progress, ignore
from registry.exchange.bulk import collector_paused
from registry.exchange.guard import Limits, Refused
from registry.exchange.kinds import Kind, register
from registry.exchange.plan import Plan, build_plan
from registry.ledger import convert, sheets
from registry.ledger.mapping import Mapping, suggest

LEDGER = "ledger"


@dataclass
class LedgerPlan(Plan):
    """An inventory plan made from a ledger, with the mapping that read it."""

    mapping: Mapping | None = None

    #: a corrected ledger is read anew from the Excel page (its mapping chosen again)
    reupload = None


def read(path: Path, limits: Limits, sheet: str | None = None,
         filename: str | None = None) -> tuple[list[sheets.Grid], Mapping]:
    """The ledger's sheets and the mapping the registry suggests for them."""
    grids = sheets.read(path, limits, filename)
    return grids, suggest(grids, sheet)


def plan(path: Path, limits: Limits, mapping: Mapping | dict | None = None,
         sheet: str | None = None, filename: str | None = None, progress: Progress = ignore,
         **_options) -> LedgerPlan:
    """The plan of a ledger read with the mapping (its JSON data too; else the suggested one);
    writes nothing. A pending upload's file name tells a CSV from a workbook."""
    grids = sheets.read(path, limits, filename)
    if isinstance(mapping, dict):
        mapping = Mapping.from_data(mapping)
    chosen = mapping or suggest(grids, sheet)
    grid = next((g for g in grids if g.name == chosen.sheet), None)
    if grid is None:
        raise Refused(_("the ledger has no sheet “%(sheet)s”, which the mapping reads",
                        sheet=chosen.sheet))
    with collector_paused():
        planned = build_plan(convert.parsed(grid, chosen), progress=progress)
    return LedgerPlan(planned.sheets, planned.issues, chosen.reasons + planned.notices,
                      planned.sync, planned.renamed, planned.mark, mapping=chosen)


register(Kind(LEDGER, lambda names: False, plan, guarded=False))
