"""Each measurement in a process of its own, so that its peak memory (max RSS) is its own; and the
application and empty database each process works on."""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path


def run_step(module: str, name: str, options: list[str]) -> dict:
    """Run `python -m module --step name options...` and return the JSON it prints last."""
    command = [sys.executable, "-m", module, "--step", name, *options]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"step {name} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def finish(result: dict) -> None:
    """Print a step's result with the process's peak memory, for run_step to read."""
    result["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def app_for(url: str, **config):
    from registry import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", **config})


def viewer_client(url: str, username: str, password: str):
    """The application on the database with the floor page added (benchmarks.floor), a viewer
    made, and a test client logged in as them."""
    from benchmarks import floor
    from registry.core.models import Role
    from registry.core.users import create_user
    from registry.extensions import db

    app = floor.add_floor(app_for(url))
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        create_user(username, Role.VIEWER, password)
        db.session.commit()
    client = app.test_client()
    client.post("/login", data={"username": username, "password": password})
    return app, client


def empty_registry(url: str):
    """The application on an empty, migrated database (PostgreSQL's schema is dropped first)."""
    from flask_migrate import upgrade

    from registry.extensions import db

    app = app_for(url)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade()
    return app


def reference_registry(url: str, seed: int, scale: float, grants: bool = True) -> float:
    """An empty registry filled with the generated reference registry (scaled; without its access
    grants when grants is False), its statistics gathered; returns the seconds the data took."""
    import dataclasses
    import time

    from benchmarks import generate
    from registry.extensions import db

    size = generate.REFERENCE.scaled(scale)
    with empty_registry(url).app_context():
        started = time.perf_counter()
        generate.registry(seed, size if grants else dataclasses.replace(size, grants=0))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        else:
            with db.engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
        return time.perf_counter() - started


def arguments(doc: str, steps: dict) -> argparse.ArgumentParser:
    """The options every benchmark takes; add its own, then parse."""
    parser = argparse.ArgumentParser(description=" ".join(doc.split("\n\n")[0].split()))
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the reference size")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default=None, help="default: a SQLite file in a temp dir")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--step", choices=sorted(steps))
    return parser


def main(args, steps: dict, whole: Callable[[argparse.Namespace], None]) -> None:
    """Run one step (in the process run_step started), or the whole benchmark in a temp dir."""
    if args.step:
        finish(steps[args.step](args))
        return
    with tempfile.TemporaryDirectory() as work:
        args.work = Path(work)
        args.database = args.database or f"sqlite:///{args.work / 'bench.db'}"
        whole(args)
