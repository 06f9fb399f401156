"""Benchmark of every entity list and the audit log in-process (Flask's test client, no server), on
the reference registry: a list should cost the same at any size (issue 17).

    python -m benchmarks.lists [--scale 1.0] [--database URL] [--requests 15]

Prints each list's median time, its SQL time and its statement count, as a repeat view (its
counts remembered) and as a first view (nothing remembered: after any change), each as a
multiple of the floor page (the layout alone) and, when a run at the reference size was kept,
of that run's time."""

from __future__ import annotations

import statistics
import time

from benchmarks import floor, process, results

USER, PASSWORD = "bench-lists", "lists-words-7731"
#: the lists and views measured: each list's default view, and the grant list's usual filter
#: (issue 17's figure) and a page past the numbered ones
LISTS = ["/grants/?state=active&level=edit&sort=-granted_on", "/grants/", "/employees/",
         "/checks/", "/findings/", "/entrustments/", "/contracts/", "/consignees/", "/categories/",
         "/purposes/", "/purpose-categories/", "/certifications/", "/questions/", "/audit/",
         floor.PATH]


def step_measure(args) -> dict:
    import sqlalchemy as sa

    from registry.core import memo
    from registry.extensions import db

    process.reference_registry(args.database, args.seed, args.scale)
    app, client = process.viewer_client(args.database, USER, PASSWORD)
    spent: list[float] = []

    def before(conn, *_):
        conn.info["started"] = time.perf_counter()

    def after(conn, *_):
        spent.append(time.perf_counter() - conn.info["started"])

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", before)
        sa.event.listen(db.engine, "after_cursor_execute", after)

    def measure(path: str, first: bool) -> dict:
        times, sql, statements = [], [], 0
        for _ in range(args.requests):
            if first:
                memo.forget()
            spent.clear()
            started = time.perf_counter()
            client.get(path)
            times.append(time.perf_counter() - started)
            sql.append(sum(spent))
            statements = len(spent)
        return {"ms": statistics.median(times) * 1000, "sql_ms": statistics.median(sql) * 1000,
                "statements": statements}

    figures = {}
    for path in LISTS:
        assert client.get(path).status_code == 200, path  # warm-up
        figures[path] = {"repeat": measure(path, first=False), "first": measure(path, first=True)}
    return {"seconds": 0, "rows": 0, "lists": figures}


STEPS = {"measure": step_measure}


def whole(args) -> None:
    options = ["--database", args.database, "--work", str(args.work), "--scale", str(args.scale),
               "--seed", str(args.seed), "--requests", str(args.requests)]
    print(f"# list benchmark, database {args.database.split(':', 1)[0]}, reference registry "
          f"x{args.scale}, in-process, median of {args.requests} requests")
    lists = process.run_step("benchmarks.lists", "measure", options)["lists"]
    before = results.reference("lists", args.database, args.scale)
    print(f"{'':<52}| {'repeat view':<38}| first view (nothing remembered)")
    print(f"{'list':<52}|" + f"{'ms':>7}{'SQL ms':>8}{'stmts':>6}{'x floor':>9}  {'since x1':<8}|" * 2)
    for path, views in lists.items():
        line = f"{path:<52}|"
        for view in ("repeat", "first"):
            result = views[view]
            grown = results.growth(result["ms"], before["lists"][path][view]["ms"], 8) \
                if before and path in before["lists"] else " " * 8
            line += (f"{result['ms']:>7.1f}{result['sql_ms']:>8.1f}{result['statements']:>6}"
                     f"{result['ms'] / lists[floor.PATH][view]['ms']:>8.1f}x  {grown}|")
        print(line)
    results.save("lists", args.database, args.scale, {"lists": lists})


def main() -> None:
    parser = process.arguments(__doc__, STEPS)
    parser.add_argument("--requests", type=int, default=15)
    process.main(parser.parse_args(), STEPS, whole)


if __name__ == "__main__":
    main()
