"""Benchmark of the busiest pages under load, served by gunicorn, against a bare baseline that
replays the same SQL statements with the bare driver and renders the same rows with Jinja
(benchmarks/baseline.py), on the reference registry.

    python -m benchmarks.pages [--scale 1.0] [--database URL] [--clients 4] [--requests 500]

Prints p50 and p99 latency and requests per second of each page and of its baseline, and the
ratio of the p99s (target: within 2x)."""

from __future__ import annotations

import http.cookiejar
import os
import pickle
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

from benchmarks import floor, process

USER, PASSWORD = "bench-viewer", "bench-password-1"
WORKERS = 2
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PAGES = {
    "grants": "/grants/?state=active&level=edit&sort=-granted_on",
    "consignees": "/consignees/",
    "matrix": "/matrix",
    "consignee": "/consignees/{busiest}",
    "dashboard": "/",
    "floor": floor.PATH,  # served by benchmarks.floor: the layout alone, what every page costs
}
TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)", re.I)


def step_setup(args) -> dict:
    from registry.core.models import Role
    from registry.core.users import create_user
    from registry.extensions import db

    seconds = process.reference_registry(args.database, args.seed, args.scale)
    with process.app_for(args.database).app_context():
        create_user(USER, Role.VIEWER, PASSWORD)
        db.session.commit()
    return {"seconds": seconds, "rows": 0}


def step_capture(args) -> dict:
    """Run each page once in-process and keep the SQL statements it sent, for the baseline."""
    import sqlalchemy as sa

    from registry.consignees.models import Entrustment
    from registry.extensions import db

    app = floor.add_floor(process.app_for(args.database))
    with app.app_context():
        busiest = db.session.scalar(sa.select(Entrustment.consignee_id).group_by(Entrustment.consignee_id)
                                    .order_by(sa.func.count().desc(), Entrustment.consignee_id).limit(1))
        engine = db.engine
        db.session.remove()
    # each request in a context of its own, as served: its own session, which loads the user
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"username": USER, "password": PASSWORD, "csrf_token": token})
    captured: dict[str, list] = {}
    for name, path in PAGES.items():
        seen: list = []

        def record(_conn, _cursor, statement, parameters, _context, _many, seen=seen):
            if not TRANSACTION_CONTROL.match(statement):
                seen.append((statement, parameters))

        client.get(path.format(busiest=busiest))  # warm, as the load's pages will be
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            response = client.get(path.format(busiest=busiest))
            assert response.status_code == 200, (path, response.status_code)
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
        captured[name] = seen
    with open(args.work / "statements.pickle", "wb") as target:
        pickle.dump(captured, target)
    (args.work / "busiest").write_text(str(busiest))
    return {"seconds": 0, "rows": sum(len(s) for s in captured.values())}


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
            return server, base  # it answers (the baseline has no /login)
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
    env = os.environ | {"REGISTRY_DATABASE_URL": args.database, "REGISTRY_SECRET_KEY": "bench",
                        "BASELINE_STATEMENTS": str(args.work / "statements.pickle"),
                        "BASELINE_DATABASE": args.database}
    gunicorn = [sys.executable, "-m", "gunicorn"]
    servers: list[subprocess.Popen] = []
    try:  # every server started is stopped, whichever fails (a slow first /login included)
        urls = []
        for name, app in (("registry", "registry:create_app()"), ("floor", "benchmarks.floor:create()"),
                          ("baseline", "benchmarks.baseline:app")):
            server, url = _serve([*gunicorn, app], env, args.work / f"{name}.log", servers)
            urls.append(url)
        registry_url, floor_url, baseline_url = urls
        results = {}
        for name, path in PAGES.items():
            results[name] = {
                "registry": _load(floor_url if name == "floor" else registry_url,
                                  path.format(busiest=busiest), args.clients, args.requests, login=True),
                "baseline": _load(baseline_url, f"/{name}", args.clients, args.requests, login=False),
            }
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
    return {"seconds": 0, "rows": 0, "pages": results}


STEPS = {name.removeprefix("step_"): fn for name, fn in globals().items() if name.startswith("step_")}


def whole(args) -> None:
    options = ["--database", args.database, "--work", str(args.work), "--scale", str(args.scale),
               "--seed", str(args.seed), "--clients", str(args.clients), "--requests", str(args.requests)]
    print(f"# page benchmark, database {args.database.split(':', 1)[0]}, reference registry "
          f"x{args.scale}, gunicorn {WORKERS} workers, {args.clients} clients, "
          f"{args.requests} requests a page")
    for name in ("setup", "capture"):
        process.run_step("benchmarks.pages", name, options)
    pages = process.run_step("benchmarks.pages", "load", options)["pages"]
    print(f"{'page':<12}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>8}  |{'base p50':>9}{'base p99':>9}"
          f"{'req/s':>8}  |{'p99 ratio':>10}  target <= 2x  |{'p50/floor':>10}{'p99/floor':>10}")
    ground = pages["floor"]["registry"]
    for name, result in pages.items():
        mine, base = result["registry"], result["baseline"]
        ratio = mine["p99"] / base["p99"]
        print(f"{name:<12}{mine['p50']:>9.1f}{mine['p99']:>9.1f}{mine['rps']:>8.1f}  |"
              f"{base['p50']:>9.1f}{base['p99']:>9.1f}{base['rps']:>8.1f}  |{ratio:>9.2f}x"
              f"  {verdict(name, ratio)}  |{mine['p50'] / ground['p50']:>9.1f}x"
              f"{mine['p99'] / ground['p99']:>9.1f}x")


def verdict(name: str, ratio: float) -> str:
    if name == "floor":
        return "(no target: the layout alone, a floor for the rows above)"
    return "met" if ratio <= 2 else "MISSED"


def main() -> None:
    parser = process.arguments(__doc__, STEPS)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=500)
    process.main(parser.parse_args(), STEPS, whole)


if __name__ == "__main__":
    main()
