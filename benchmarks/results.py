"""Each benchmark run's figures kept by database and scale (in benchmarks/results/, not committed,
or the folder BENCH_RESULTS names), so that a run at ten times the size prints how much each
figure grew from the reference size."""

from __future__ import annotations

import json
import os
from pathlib import Path

FOLDER = Path(os.environ.get("BENCH_RESULTS", Path(__file__).parent / "results"))
#: issue 17: no page's time grows more than this from 1x to 10x
GROWTH_LIMIT = 1.5


def _path(benchmark: str, database: str, scale: float) -> Path:
    return FOLDER / f"{benchmark}-{database.split(':', 1)[0].split('+')[0]}-x{scale:g}.json"


def save(benchmark: str, database: str, scale: float, figures: dict) -> None:
    FOLDER.mkdir(exist_ok=True)
    _path(benchmark, database, scale).write_text(json.dumps(figures, indent=1))


def reference(benchmark: str, database: str, scale: float) -> dict | None:
    """The figures of the last run at the reference size, when this run is at another size."""
    path = _path(benchmark, database, 1.0)
    return json.loads(path.read_text()) if scale != 1 and path.exists() else None


def growth(now: float, before: float | None, width: int = 16) -> str:
    """now as a multiple of before, with the verdict on GROWTH_LIMIT; blank without a reference."""
    if before is None:
        return " " * width
    ratio = now / before
    return f"{ratio:>7.2f}x {'met' if ratio <= GROWTH_LIMIT else 'MISSED':<7}"[:width].ljust(width)
