"""Benchmark of every page under load, served by gunicorn on the reference registry, against the
floor page (the layout alone, what every page costs); and of the heavy pages' statements against
the best statements for the same content, written by hand (benchmarks/best.py).

    python -m benchmarks.pages [--scale 1.0] [--database URL] [--clients 4] [--requests 500]

Prints each page's p50 and p99 latency, requests per second, both as multiples of the floor's
(target: within 5x), and, when a run at the reference size was kept (benchmarks/results/), how
much the p50 grew from it (target: at most 1.5x); then each heavy page's statement time and the
hand-written statements' (target: within 1.5x)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from benchmarks import best, floor, lists, process, results

USER, PASSWORD = "bench-viewer", "bench-password-1"
WORKERS = 2
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
#: every page issue 17 names: the dashboard, the matrix, the consignee page, the audit log and
#: every entity list (the grant list also with its usual filter), and the floor
PAGES = {
    "floor": floor.PATH,
    "dashboard": "/",
    "matrix": "/matrix",
    "consignee": "/consignees/{busiest}",
    **{path.strip("/"): path for path in lists.LISTS[1:] if path != floor.PATH},
    best.GRANTS_PAGE: lists.LISTS[0],
}
#: a page's p50 and p99 within this multiple of the floor's
FLOOR_LIMIT = 5
#: a heavy page's statements within this multiple of the hand-written ones
BEST_LIMIT = 1.5
TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)", re.I)


def step_setup(args) -> dict:
    import sqlalchemy as sa

    from registry.consignees.models import Entrustment
    from registry.core.models import Role
    from registry.core.users import create_user
    from registry.extensions import db

    seconds = process.reference_registry(args.database, args.seed, args.scale)
    with process.app_for(args.database).app_context():
        create_user(USER, Role.VIEWER, PASSWORD)
        db.session.commit()
        busiest = db.session.scalar(sa.select(Entrustment.consignee_id).group_by(Entrustment.consignee_id)
                                    .order_by(sa.func.count().desc(), Entrustment.consignee_id).limit(1))
    (args.work / "busiest").write_text(str(busiest))
    return {"seconds": seconds, "rows": 0}


def step_statements(args) -> dict:
    """Each heavy page run in-process, its statements kept; then its statements and the
    hand-written ones replayed with the bare driver, alternately, the median of each."""
    import sqlalchemy as sa

    from registry.core import memo
    from registry.extensions import db

    app = process.app_for(args.database)
    with app.app_context():
        engine = db.engine
        db.session.remove()
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"username": USER, "password": PASSWORD, "csrf_token": token})
    sqlite = args.database.startswith("sqlite")
    connection = _connect(args.database)
    figures = {}
    for name, written in best.PAGES.items():
        seen: list = []

        def record(_conn, _cursor, statement, parameters, _context, _many, seen=seen):
            if not TRANSACTION_CONTROL.match(statement) and "FROM users" not in statement:
                seen.append((statement, parameters))

        client.get(PAGES[name])  # warm, as the load's pages will be
        memo.forget()  # the statements of a first view: nothing remembered
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            assert client.get(PAGES[name]).status_code == 200, name
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
        hand = [(best.driver_statement(s, sqlite), p) for s, p in written()]
        page_times, best_times = [], []
        for _ in range(args.rounds):
            page_times.append(best.timed(connection, seen, sqlite))
            best_times.append(best.timed(connection, hand, sqlite))
        figures[name] = {"page_ms": statistics.median(page_times) * 1000, "page_statements": len(seen),
                         "best_ms": statistics.median(best_times) * 1000, "best_statements": len(hand)}
    connection.close()
    return {"seconds": 0, "rows": 0, "statements": figures}


def _connect(url: str):
    if url.startswith("sqlite"):
        import sqlite3

        connection = sqlite3.connect(url.split(":///", 1)[1])
        connection.execute("PRAGMA cache_size=-65536")  # as the registry's connections
        return connection
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


# -- serving and loading ---------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(command: list[str], env: dict, log: Path,
           servers: list[subprocess.Popen]) -> tuple[subprocess.Popen, str]:
    """Start a server (added to servers, for the caller to stop) and wait until it answers; its
    first page may take long (a cold worker importing the app): a timeout is waited out."""
    port = _free_port()
    with log.open("w") as out:
        server = subprocess.Popen([*command, "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)],
                                  env=env, stdout=out, stderr=subprocess.STDOUT)
    servers.append(server)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while server.poll() is None and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/login", timeout=10):
                return server, base
        except urllib.error.HTTPError:
            return server, base  # it answers
        except (urllib.error.URLError, ConnectionError, TimeoutError):  # not up, or still starting
            time.sleep(0.2)
    raise SystemExit(f"{' '.join(command)} did not start:\n{log.read_text()[-2000:]}")


def _session(base: str, login: bool):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    if login:
        with opener.open(base + "/login") as page:
            token = CSRF.search(page.read().decode()).group(1)
        body = urllib.parse.urlencode({"username": USER, "password": PASSWORD, "csrf_token": token})
        opener.open(base + "/login", body.encode()).close()
    return opener


def _load(base: str, path: str, clients: int, requests: int, login: bool) -> dict:
    """requests GETs of path from `clients` threads at once (after a warm-up); latencies in ms."""
    sessions = [_session(base, login) for _ in range(clients)]
    for opener in sessions:
        with opener.open(base + path) as response:
            assert response.status == 200 and "/login" not in response.url, response.url
    latencies: list[float] = []
    lock = threading.Lock()
    remaining = [requests]

    failures: list[str] = []

    def work(opener) -> None:
        while True:
            with lock:
                if remaining[0] == 0 or failures:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            try:
                with opener.open(base + path) as response:
                    response.read()
            except (urllib.error.URLError, ConnectionError) as error:
                with lock:
                    failures.append(f"{path}: {error}")
                return
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=work, args=(opener,)) for opener in sessions]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if failures:  # figures from fewer requests than asked would mislead
        raise SystemExit(f"a request failed: {failures[0]}")
    latencies.sort()
    return {"p50": statistics.median(latencies), "p99": latencies[int(len(latencies) * 0.99) - 1],
            "rps": len(latencies) / wall}


def step_load(args) -> dict:
    busiest = (args.work / "busiest").read_text()
    env = os.environ | {"REGISTRY_DATABASE_URL": args.database, "REGISTRY_SECRET_KEY": "bench"}
    servers: list[subprocess.Popen] = []
    try:  # every server started is stopped, whichever fails (a slow first /login included)
        # the registry with the floor page added: every page, the floor included, from one server
        _, url = _serve([sys.executable, "-m", "gunicorn", "benchmarks.floor:create()"], env,
                        args.work / "registry.log", servers)
        pages = {name: _load(url, path.format(busiest=busiest), args.clients, args.requests, login=True)
                 for name, path in PAGES.items()}
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
    return {"seconds": 0, "rows": 0, "pages": pages}


STEPS = {name.removeprefix("step_"): fn for name, fn in globals().items() if name.startswith("step_")}


def whole(args) -> None:
    options = ["--database", args.database, "--work", str(args.work), "--scale", str(args.scale),
               "--seed", str(args.seed), "--clients", str(args.clients), "--requests", str(args.requests),
               "--rounds", str(args.rounds)]
    print(f"# page benchmark, database {args.database.split(':', 1)[0]}, reference registry "
          f"x{args.scale:g}, gunicorn {WORKERS} workers, {args.clients} clients, "
          f"{args.requests} requests a page")
    process.run_step("benchmarks.pages", "setup", options)
    statements = process.run_step("benchmarks.pages", "statements", options)["statements"]
    pages = process.run_step("benchmarks.pages", "load", options)["pages"]
    before = results.reference("pages", args.database, args.scale)
    ground = pages["floor"]
    print(f"{'page':<22}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>8}  |{'p50/floor':>10}{'p99/floor':>10}"
          f"  within {FLOOR_LIMIT}x  |  p50 since x1")
    for name, mine in pages.items():
        over = (mine["p50"] / ground["p50"], mine["p99"] / ground["p99"])
        verdict = "" if name == "floor" else "met" if max(over) <= FLOOR_LIMIT else "MISSED"
        grown = results.growth(mine["p50"], before["pages"][name]["p50"]) \
            if before and name in before["pages"] else ""
        print(f"{name:<22}{mine['p50']:>9.1f}{mine['p99']:>9.1f}{mine['rps']:>8.1f}  |"
              f"{over[0]:>9.1f}x{over[1]:>9.1f}x  {verdict:<10}|  {grown}")
    print(f"\n{'heavy page statements':<22}{'page ms':>9}{'stmts':>6}{'best ms':>9}{'stmts':>6}"
          f"{'ratio':>8}  within {BEST_LIMIT}x")
    for name, figures in statements.items():
        ratio = figures["page_ms"] / figures["best_ms"]
        print(f"{name:<22}{figures['page_ms']:>9.2f}{figures['page_statements']:>6}"
              f"{figures['best_ms']:>9.2f}{figures['best_statements']:>6}{ratio:>7.2f}x"
              f"  {'met' if ratio <= BEST_LIMIT else 'MISSED'}")
    results.save("pages", args.database, args.scale, {"pages": pages, "statements": statements})


def main() -> None:
    parser = process.arguments(__doc__, STEPS)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=15, help="replays of the heavy pages' statements")
    process.main(parser.parse_args(), STEPS, whole)


if __name__ == "__main__":
    main()
