"""The registry run for real: `registry` commands as a user runs them, and the registry served
(`registry run`, i.e. gunicorn) on a database of its own, for the tests that drive it from a
browser or from several clients at once."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REGISTRY = Path(sys.executable).parent / "registry"
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run a `registry` command and return what it did (its exit code and output)."""
    return subprocess.run([str(REGISTRY), *args], env=env, input=stdin, capture_output=True,
                          text=True, timeout=120)


def registry(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    """Run a `registry` command, failing with its output if it does not succeed."""
    done = run(env, *args, stdin=stdin)
    if done.returncode:
        pytest.fail(f"`registry {' '.join(args)}` failed ({done.returncode}):\n"
                    f"{done.stdout}{done.stderr}")


def count(db_file: Path, table: str) -> int:
    """How many rows a table of a SQLite registry holds."""
    with sqlite3.connect(db_file) as connection:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the registry server exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"the registry server did not answer {url} within {START_TIMEOUT:.0f} s:\n"
                f"{log.read_text()}")


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@contextmanager
def served(env: dict[str, str], log: Path, workers: int = 1) -> Iterator[str]:
    """Serve the registry of env on a free port; yields its base URL."""
    port = free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(REGISTRY), "run", "--port", str(port), "--workers", str(workers)],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{url}/login", server, log)
        yield url
    finally:
        _stop(server)
