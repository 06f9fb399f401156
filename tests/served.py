"""A registry served for real (`registry run`, i.e. gunicorn) on a database of its own, for the
tests that drive it from a browser or from several clients at once."""

from __future__ import annotations

import socket
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


def registry(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """Run a `registry` command, failing with its output if it does not succeed."""
    try:
        done = subprocess.run([str(REGISTRY), *args], env=env, input=stdin, text=True, check=True,
                              capture_output=True)
    except subprocess.CalledProcessError as error:
        pytest.fail(f"`registry {' '.join(args)}` failed ({error.returncode}):\n"
                    f"{error.stdout}{error.stderr}")
    return done.stdout


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
