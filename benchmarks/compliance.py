"""Benchmark of the compliance checks, the dashboard and the quarterly report on a generated
registry of the reference size (issue 7: 5,000 consignees, 20,000 entrustments, 100,000 grants).

    python -m benchmarks.compliance [--scale 1.0] [--database URL] [--requests 15]

Prints seconds, peak MiB and the targets (whole catalogue under 3 s, report under 10 s), then the
dashboard page in-process (Flask's test client): its first view in a new process, its first view
after a change (a finding resolved; under 1 s), its repeat view (median) and the floor page's
(issue 17). At another size than the reference, each figure's growth from the last run at the
reference size (benchmarks.results), against linear growth: at most the ratio of the sizes."""

from __future__ import annotations

import statistics
import time

from benchmarks import floor, generate, process, results

QUARTER = "FY2026-Q2"


def step_setup(args) -> dict:
    return {"seconds": process.reference_registry(args.database, args.seed, args.scale), "rows": 0}


def step_checks(args) -> dict:
    """Every check's counts and every open result, as `registry check` reads them."""
    from registry.compliance import engine

    app = process.app_for(args.database)
    with app.app_context(), app.test_request_context():
        started = time.perf_counter()
        tallies, found = engine.run(engine.context())
        assert sum(t.open for t in tallies) == len(found)
        return {"seconds": time.perf_counter() - started, "rows": len(found)}


USER, PASSWORD = "bench-dashboard", "dashboard-words-4417"
#: how many changes the first view after a change is measured after
CHANGES = 3


def _resolve_a_finding() -> None:
    """Resolve one finding in progress, as its owner would (an audited change)."""
    import sqlalchemy as sa

    from registry.core import audit, clock, operations
    from registry.extensions import db
    from registry.supervision.models import Finding, FindingStatus, Severity

    audit.act_as("bench")
    finding = db.session.scalars(
        sa.select(Finding).where(Finding.status == FindingStatus.IN_PROGRESS,
                                 Finding.severity.in_([Severity.LOW, Severity.MEDIUM]))
        .order_by(Finding.id).limit(1)).one()
    operations.update(finding, {"status": FindingStatus.RESOLVED, "resolution": "benchmark",
                                "resolved_on": clock.today()})
    db.session.commit()


def step_dashboard(args) -> dict:
    """The home page: first view in this new process (nothing remembered), repeat view, first view
    after each of a few changes, and the floor page (the layout alone)."""
    app, client = process.viewer_client(args.database, USER, PASSWORD)

    def timed(path: str) -> tuple[float, int]:
        started = time.perf_counter()
        response = client.get(path)
        assert response.status_code == 200, path
        return time.perf_counter() - started, len(response.get_data())

    def median(path: str) -> float:
        return statistics.median(timed(path)[0] for _ in range(args.requests))

    timed(floor.PATH)  # the layout compiled
    first, size = timed("/")
    repeat = median("/")
    after_change = []
    for _ in range(CHANGES):
        with app.app_context():
            _resolve_a_finding()
        after_change.append(timed("/")[0])
    return {"seconds": first, "rows": size, "repeat": repeat,
            "after_change": statistics.median(after_change), "floor": median(floor.PATH)}


def step_report(args) -> dict:
    """The quarterly report built, then written as xlsx and as HTML."""
    from registry.reporting import document, quarterly, workbook

    app = process.app_for(args.database)
    with app.app_context(), app.test_request_context():
        started = time.perf_counter()
        report = quarterly.build(quarterly.quarter(QUARTER))
        workbook.write(report, args.work / "report.xlsx")
        (args.work / "report.html").write_text(document.html(report))
        rows = sum(len(t["rows"]) for s in report["sections"] for t in s["tables"])
        return {"seconds": time.perf_counter() - started, "rows": rows}


STEPS = {name.removeprefix("step_"): fn for name, fn in globals().items() if name.startswith("step_")}
TARGETS = {"checks": 3.0, "report": 10.0}
#: issue 17: the dashboard's first view after a change, at the reference size
FIRST_VIEW_TARGET = 1.0


def _linear(now: float, before: float | None, scale: float) -> str:
    """Growth from the reference size to a larger one, and whether it is at most linear (the
    ratio of the sizes)."""
    if before is None or scale <= 1:
        return ""
    ratio = now / before
    return f"  {ratio:.1f}x since x1 ({'met' if ratio <= scale else 'MISSED'}: <= {scale:g}x)"


def whole(args) -> None:
    size = generate.REFERENCE.scaled(args.scale)
    print(f"# compliance benchmark, database {args.database.split(':', 1)[0]}, seed {args.seed}: "
          + ", ".join(f"{value:,} {name}" for name, value in vars(size).items()))
    options = ["--database", args.database, "--work", str(args.work), "--scale", str(args.scale),
               "--seed", str(args.seed), "--requests", str(args.requests)]
    measured = {name: process.run_step("benchmarks.compliance", name, options)
                for name in ("setup", "checks", "dashboard", "report")}
    before = results.reference("compliance", args.database, args.scale) or {}
    print(f"{'measurement':<12}{'rows':>10}{'seconds':>10}{'peak MiB':>10}  target")
    for name, result in measured.items():
        verdict = ""
        if name in TARGETS and args.scale == 1:
            verdict = f"< {TARGETS[name]:.0f} s " + ("met" if result["seconds"] < TARGETS[name]
                                                     else "MISSED")
        if name in TARGETS:
            verdict += _linear(result["seconds"], before.get(name), args.scale)
        print(f"{name:<12}{result['rows']:>10,}{result['seconds']:>10.2f}{result['peak_mib']:>10.0f}"
              f"  {verdict}")
    board = measured["dashboard"]
    print(f"\n# the dashboard page in-process, repeat view and floor page: median of {args.requests}")
    print(f"{'dashboard view':<34}{'ms':>10}{'x floor':>9}  target")
    first_view = board["after_change"]
    verdict = (f"< {FIRST_VIEW_TARGET:.0f} s " + ("met" if first_view < FIRST_VIEW_TARGET
                                                  else "MISSED")) if args.scale == 1 else ""
    verdict += _linear(first_view, before.get("after_change"), args.scale)
    for label, seconds, target in (
            ("first view, new process", board["seconds"], ""),
            (f"first view after a change ({CHANGES})", first_view, verdict),
            ("repeat view", board["repeat"], ""), ("floor page", board["floor"], "")):
        print(f"{label:<34}{seconds * 1000:>10.1f}{seconds / board['floor']:>8.1f}x  {target}")
    results.save("compliance", args.database, args.scale,
                 {"checks": measured["checks"]["seconds"], "report": measured["report"]["seconds"],
                  "after_change": first_view})


def main() -> None:
    parser = process.arguments(__doc__, STEPS)
    parser.add_argument("--requests", type=int, default=15)
    process.main(parser.parse_args(), STEPS, whole)


if __name__ == "__main__":
    main()
