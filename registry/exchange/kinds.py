"""Kinds of workbook the import pipeline reads besides the inventory, such as a returned
questionnaire: each domain registers how to recognise, plan and write its own (the engine
imports no domain). Every kind goes through the same guard, preview, confirmation, import batch,
staleness check and revert."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """One kind of workbook."""

    name: str
    #: whether a workbook with these sheet names is of this kind
    recognises: Callable[[list[str]], bool]
    #: the plan of a workbook: plan(path, limits, **options)
    plan: Callable[..., object]
    #: writes a valid plan in the current import batch; returns what a revert needs (None: the
    #: plan is an inventory plan, written as any inventory workbook's)
    write: Callable[[object], dict] | None = None
    #: the options a confirmation form adds to the plan (the preview shows the kind's template
    #: inside that form): confirmed(form) -> options for plan
    confirmed: Callable[[object], dict] | None = None
    #: whether the pipeline's guard checks the file first (False: the kind's planner guards it,
    #: as a CSV ledger needs)
    guarded: bool = True


#: kinds by name, as the domains register them
KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    KINDS[kind.name] = kind
