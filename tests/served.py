"""The registry run for real: `registry` commands as a user runs them, the registry served
(`registry run`, i.e. gunicorn) on a database of its own, and a client that uses it over HTTP as a
person's browser does, for the tests that drive it from a browser or from several clients at once."""

from __future__ import annotations

import http.cookiejar
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest

from tests.conftest import CSRF_PATTERN

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
def served(env: dict[str, str], log: Path, workers: int = 1, port: int | None = None) -> Iterator[str]:
    """Serve the registry of env on port (a free one by default); yields its base URL."""
    port = port or free_port()
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



@dataclass
class Response:
    """What the server answered: status, headers and body."""

    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()

    @property
    def location(self) -> str:
        """The path a redirect points to."""
        return urllib.parse.urlsplit(self.headers.get("Location", "")).path


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A client with its own cookies that gets pages and posts forms with the CSRF token of the
    page that shows them; redirects are returned, not followed."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect)

    def request(self, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> Response:
        request = urllib.request.Request(self.base + path, body, headers or {})
        try:
            with self.opener.open(request, timeout=60) as answer:
                return Response(answer.status, answer.headers, answer.read())
        except urllib.error.HTTPError as error:
            with error:
                return Response(error.code, error.headers, error.read())

    def get(self, path: str) -> Response:
        return self.request(path)

    def token(self, page: str) -> str:
        """The CSRF token of the form on page."""
        shown = self.get(page)
        match = CSRF_PATTERN.search(shown.text)
        assert match, f"no CSRF token on {page} ({shown.status})"
        return match.group(1)

    def post(self, path: str, data: dict, form: str | None = None) -> Response:
        """Submit data to path as the form on page form (by default path itself) would."""
        body = urllib.parse.urlencode({**data, "csrf_token": self.token(form or path)}).encode()
        return self.request(path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def upload(self, path: str, field: str, filename: str, content: bytes, data: dict | None = None,
               form: str | None = None) -> Response:
        """Submit a file (multipart/form-data) with the CSRF token of the page form."""
        boundary = secrets.token_hex(16)
        parts = []
        for name, value in {**(data or {}), "csrf_token": self.token(form or path)}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                         f"{value}\r\n".encode())
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
                     f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                     .encode() + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(path, b"".join(parts),
                            {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def login(self, username: str, password: str) -> None:
        answer = self.post("/login", {"username": username, "password": password})
        assert answer.status == 302, f"{username} could not log in ({answer.status})"
