"""Benchmark of the compliance checks, the dashboard and the quarterly report on a generated
registry of the reference size (issue 7: 5,000 consignees, 20,000 entrustments, 100,000 grants).

    python -m benchmarks.compliance [--scale 1.0] [--database URL]

Prints seconds, peak MiB and the targets (whole catalogue under 3 s, report under 10 s)."""

from __future__ import annotations

import time

from benchmarks import generate, process

QUARTER = "FY2026-Q2"


def step_setup(args) -> dict:
    return {"seconds": process.reference_registry(args.database, args.seed, args.scale), "rows": 0}


def step_checks(args) -> dict:
    """Every check's counts (the catalogue page), then every open result (`registry check`)."""
    from registry.compliance import engine

    app = process.app_for(args.database)
    with app.app_context(), app.test_request_context():
        started = time.perf_counter()
        at = engine.context()
        tallies = engine.tallies(at)
        found = engine.open_results(at, tallies)
        assert sum(t.open for t in tallies) == len(found)
        return {"seconds": time.perf_counter() - started, "rows": len(found)}


def step_dashboard(args) -> dict:
    from flask import render_template

    from registry.reporting import dashboard

    app = process.app_for(args.database)
    with app.app_context(), app.test_request_context():
        started = time.perf_counter()
        board = dashboard.build()
        html = render_template("core/home.html", board=board, totals={})
        return {"seconds": time.perf_counter() - started, "rows": len(html)}


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


def whole(args) -> None:
    size = generate.REFERENCE.scaled(args.scale)
    print(f"# compliance benchmark, database {args.database.split(':', 1)[0]}, seed {args.seed}: "
          + ", ".join(f"{value:,} {name}" for name, value in vars(size).items()))
    options = ["--database", args.database, "--work", str(args.work), "--scale", str(args.scale),
               "--seed", str(args.seed)]
    results = {name: process.run_step("benchmarks.compliance", name, options)
               for name in ("setup", "checks", "dashboard", "report")}
    print(f"{'measurement':<12}{'rows':>10}{'seconds':>10}{'peak MiB':>10}  target")
    for name, result in results.items():
        target = f"< {TARGETS[name]:.0f} s" if name in TARGETS else ""
        verdict = "" if name not in TARGETS else (" met" if result["seconds"] < TARGETS[name] else " MISSED")
        print(f"{name:<12}{result['rows']:>10,}{result['seconds']:>10.2f}{result['peak_mib']:>10.0f}"
              f"  {target}{verdict}")


def main() -> None:
    process.main(process.arguments(__doc__, STEPS).parse_args(), STEPS, whole)


if __name__ == "__main__":
    main()
