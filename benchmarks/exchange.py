"""Benchmark of the Excel exchange against the bare libraries, on the same data in one run: the
reference registry without its grants, 100,000 grants imported, then the whole registry exported.

    python -m benchmarks.exchange [--rows 100000] [--scale 1.0] [--database URL] [--only STEP,...]

Each measurement runs in a process of its own, so its peak memory (max RSS) is its own. Prints a
table of seconds, peak MiB and the ratios to the baselines (targets: import within 3x of the bare
read + insert, export at most half the bare single-threaded xlsxwriter write, the import's peak
memory at most 400 MiB whatever the rows: issue 17). `--rows 1000000 --scale 10 --only
import_new,import_update` measures the import of a million grants into the registry at ten times
the reference size; the import limits are raised to fit the workbook."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
import xlsxwriter
from python_calamine import CalamineWorkbook

from benchmarks import generate, process

LEVEL_CYCLE = {"read": "edit", "edit": "export", "export": "admin", "admin": "read"}
MEASUREMENTS = ("bare_read_insert", "import_new", "import_update", "bare_write", "export",
                "reimport")
#: the import's peak memory, at any number of rows (issue 17)
IMPORT_PEAK_MIB = 400


def write_grants(path: Path, rows: list[dict]) -> None:
    """A workbook with one 'Access grants' sheet, as a person would send it."""
    from registry.exchange.resources import RESOURCES

    columns = [c for c in RESOURCES["access_grants"].columns if c.key != "id"]
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Access grants")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, [c.en for c in columns])
    for number, row in enumerate(rows, start=1):
        for index, column in enumerate(columns):
            value = row[column.key]
            if value is None or value == "":
                continue
            if column.kind == "date":
                sheet.write_datetime(number, index, value, dates)
            else:
                sheet.write_string(number, index, str(value))
    book.close()


# -- steps, each in its own process --------------------------------------------------------------

def step_setup(args) -> dict:
    """The reference registry without its access grants, and the grants as workbooks to import."""
    size = generate.REFERENCE.scaled(args.scale)
    process.reference_registry(args.database, args.seed, args.scale, grants=False)
    rows = generate.grant_rows(args.seed, args.rows, size.employees, size.categories)
    write_grants(args.work / "grants.xlsx", rows)
    for row in rows:
        row["level"] = LEVEL_CYCLE[row["level"]]
        row["last_reviewed_on"] += timedelta(days=1)
    write_grants(args.work / "grants-updated.xlsx", rows)
    return {}


def _import(args, name: str) -> dict:
    from registry.core import audit
    from registry.exchange import pipeline
    from registry.exchange.apply import apply
    from registry.extensions import db

    path = args.work / name
    app = process.app_for(args.database, **_limits(args, path))
    with app.app_context():
        audit.act_as("benchmark")
        started = time.perf_counter()
        plan = pipeline.plan_file(path)
        assert plan.valid, [str(i) for i in plan.issues[:5]]
        apply(plan, name, path.read_bytes())
        db.session.commit()
        return {"seconds": time.perf_counter() - started, "rows": sum(plan.totals.values())}


def _limits(args, path: Path) -> dict:
    """The import limits, raised where the benchmark's workbook goes beyond them."""
    from registry.exchange.guard import Limits

    defaults = Limits()
    return {"IMPORT_MAX_ROWS": max(defaults.max_rows, args.rows),
            "IMPORT_MAX_FILE_BYTES": max(defaults.max_file_bytes, 2 * path.stat().st_size),
            "IMPORT_MAX_UNCOMPRESSED_BYTES": max(defaults.max_uncompressed_bytes,
                                                 100 * path.stat().st_size)}


def step_import_new(args) -> dict:
    return _import(args, "grants.xlsx")


def step_import_update(args) -> dict:
    return _import(args, "grants-updated.xlsx")


def step_export(args) -> dict:
    from registry.exchange import write

    app = process.app_for(args.database)
    with app.app_context():
        started = time.perf_counter()
        counts = write.export(args.work / "export.xlsx", "en")
        return {"seconds": time.perf_counter() - started, "rows": sum(counts.values())}


def step_bare_read_insert(args) -> dict:
    """python-calamine reads the sheet; SQLAlchemy Core executemany inserts the same rows into
    the same table (references resolved with two dict lookups), then rolls back. No validation,
    no plan, no audit: the floor under the import."""
    engine = sa.create_engine(args.database)
    grants = sa.Table("access_grants", sa.MetaData(), autoload_with=engine)
    started = time.perf_counter()
    book = CalamineWorkbook.from_path(str(args.work / "grants.xlsx"))
    header, *rows = book.get_sheet_by_name("Access grants").to_python()
    at = {name: header.index(name) for name in header}
    with engine.connect() as connection:
        transaction = connection.begin()
        employees = dict(connection.execute(sa.text("SELECT number, id FROM employees")).all())
        categories = dict(connection.execute(sa.text("SELECT name, id FROM data_categories")).all())
        now = datetime.now()
        connection.execute(sa.insert(grants), [
            {"employee_id": employees[r[at["Employee number"]]],
             "category_id": categories[r[at["Data category"]]], "system": r[at["System"]],
             "level": r[at["Access level"]], "granted_by": r[at["Granted by"]],
             "granted_on": r[at["Granted on"]] or None,
             "last_reviewed_on": r[at["Last reviewed"]] or None,
             "revoked_on": r[at["Revoked on"]] or None,
             "revoke_reason": r[at["Reason for revocation"]], "created_at": now, "updated_at": now}
            for r in rows])
        seconds = time.perf_counter() - started
        transaction.rollback()
    return {"seconds": seconds, "rows": len(rows)}


def step_bare_write(args) -> dict:
    """The same rows selected with Core and written by xlsxwriter in constant-memory mode."""
    from registry.exchange.resources import RESOURCES

    app = process.app_for(args.database)
    from registry.extensions import db

    with app.app_context():
        started = time.perf_counter()
        book = xlsxwriter.Workbook(str(args.work / "bare.xlsx"), {"constant_memory": True})
        dates = book.add_format({"num_format": "yyyy-mm-dd"})
        total = 0
        for resource in RESOURCES.values():
            sheet = book.add_worksheet(resource.sheet_en)
            result = db.session.execute(resource.export_query().execution_options(yield_per=2000))
            for number, row in enumerate(result, start=1):
                total += 1
                for index, value in enumerate(row):
                    if value is None:
                        continue
                    if hasattr(value, "isoformat"):
                        sheet.write_datetime(number, index, value, dates)
                    else:
                        sheet.write(number, index, getattr(value, "value", value))
        book.close()
        return {"seconds": time.perf_counter() - started, "rows": total}


def step_reimport(args) -> dict:
    """The whole export read back into the registry it came from: it must plan no change."""
    from registry.core import audit
    from registry.exchange import pipeline

    app = process.app_for(args.database, **_limits(args, args.work / "export.xlsx"))
    with app.app_context():
        audit.act_as("benchmark")
        started = time.perf_counter()
        plan = pipeline.plan_file(args.work / "export.xlsx")
        assert plan.valid, [str(i) for i in plan.issues[:5]]
        assert not plan.changes_anything, {s.sheet: s.counts for s in plan.sheets}
        return {"seconds": time.perf_counter() - started, "rows": sum(plan.totals.values())}


STEPS = {name.removeprefix("step_"): fn for name, fn in globals().items()
         if name.startswith("step_")}


def run_step(name: str, args) -> dict:
    return process.run_step("benchmarks.exchange", name, [
        "--database", args.database, "--work", str(args.work), "--rows", str(args.rows),
        "--scale", str(args.scale),
        "--seed", str(args.seed)])


def whole(args) -> None:
    print(f"# exchange benchmark: the reference registry x{args.scale} (seed {args.seed}) without its "
          f"grants, then {args.rows:,} access grants imported; database {args.database.split(':', 1)[0]}")
    run_step("setup", args)
    wanted = args.only.split(",") if args.only else MEASUREMENTS
    if "reimport" in wanted and "export" not in wanted:
        wanted = [*wanted, "export"]  # the re-import reads the export
    results = {name: run_step(name, args) for name in MEASUREMENTS if name in wanted}
    baselines = {"import_new": "bare_read_insert", "import_update": "bare_read_insert",
                 "export": "bare_write"}
    print(f"{'measurement':<18}{'rows':>10}{'seconds':>10}{'peak MiB':>10}{'ratio':>8}  target")
    targets = {"import_new": "<= 3x", "import_update": "<= 3x", "export": "<= 0.5x",
               "reimport": "no change"}
    for name, result in results.items():
        base = results.get(baselines.get(name))
        ratio = f"{result['seconds'] / base['seconds']:.2f}x" if base else ""
        target = targets.get(name, "baseline")
        if name.startswith(("import", "reimport")):
            target += f", <= {IMPORT_PEAK_MIB} MiB"
        print(f"{name:<18}{result['rows']:>10,}{result['seconds']:>10.2f}"
              f"{result['peak_mib']:>10.0f}{ratio:>8}  {target}")
    print("# ratio: import_new and import_update / bare_read_insert, export / bare_write "
          "(measured in this run)")


def main() -> None:
    parser = process.arguments(__doc__, STEPS)
    parser.add_argument("--rows", type=int, default=None,
                        help="access grants to import (default: the scaled reference's, 100,000)")
    parser.add_argument("--only", default=None,
                        help=f"the measurements to make, comma-separated (default: all of "
                             f"{', '.join(MEASUREMENTS)})")
    args = parser.parse_args()
    args.rows = args.rows or generate.REFERENCE.scaled(args.scale).grants
    process.main(args, STEPS, whole)


if __name__ == "__main__":
    main()
