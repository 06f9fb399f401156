"""The registry as `pip install` gives it: the sdist and wheel `python -m build` makes of this
repository, the wheel installed into a fresh virtual environment and run outside the repository,
where no Makefile has compiled the catalogues and no checkout lies beside the package."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.served import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = "registry/translations/ja/LC_MESSAGES/messages.mo"
# The repository's top-level folders the application reads, by a file each.
FOLDERS = ("templates/base.html", "migrations/env.py", "migrations/versions/0001_create_tables.py",
           "imports/example-inventory.xlsx")


def sh(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a command, failing with its output unless it succeeds; returns its standard output."""
    done = subprocess.run([str(arg) for arg in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)
    if done.returncode:
        pytest.fail(f"`{' '.join(map(str, args))}` failed ({done.returncode}):\n"
                    f"{done.stdout}{done.stderr}")
    return done.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """The sdist, and the wheel built from it."""
    out = tmp_path_factory.mktemp("dist")
    sh(sys.executable, "-m", "build", "--outdir", out, ROOT, cwd=out)
    return out


@pytest.fixture(scope="module")
def installed(dist, tmp_path_factory) -> Path:
    """A fresh virtual environment, outside the repository, with the wheel and its dependencies
    (from the package index) installed."""
    home = tmp_path_factory.mktemp("installed")
    venv = home / "venv"
    sh(sys.executable, "-m", "venv", venv, cwd=home)
    sh(venv / "bin" / "python", "-m", "pip", "install", "--quiet", next(dist.glob("*.whl")),
       cwd=home)
    where = sh(venv / "bin" / "python", "-c", "import registry; print(registry.__file__)", cwd=home)
    assert Path(where.strip()).is_relative_to(venv), where
    return venv


def user_env(tmp_path: Path) -> dict[str, str]:
    """A user's environment: none of this checkout's settings or paths, a new SQLite file."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("REGISTRY_") and name not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["REGISTRY_DATABASE_URL"] = f"sqlite:///{tmp_path / 'registry.db'}"
    return env


def fetch(url: str, server: subprocess.Popen, log: Path) -> str:
    """The page at url in Japanese, waiting up to 30 s for the server to answer."""
    request = urllib.request.Request(url, headers={"Accept-Language": "ja"})
    deadline = time.monotonic() + 30
    while server.poll() is None and time.monotonic() < deadline:
        try:
            # the first answer of a new process may be slow on a busy machine: wait to the deadline
            with urllib.request.urlopen(request, timeout=max(1.0, deadline - time.monotonic())) \
                    as response:
                return response.read().decode()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    pytest.fail(f"the installed registry did not serve {url}:\n{log.read_text()}")


def test_sdist_carries_the_sources_not_compiled_catalogues(dist):
    with tarfile.open(next(dist.glob("*.tar.gz"))) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert "setup.py" in names
    assert CATALOGUE.replace(".mo", ".po") in names and CATALOGUE not in names
    assert set(FOLDERS) <= names


def test_wheel_carries_compiled_catalogues_and_the_folders_inside_the_package(dist):
    with zipfile.ZipFile(next(dist.glob("*.whl"))) as wheel:
        names = set(wheel.namelist())
    assert CATALOGUE in names
    assert {f"registry/{name}" for name in FOLDERS} | {"registry/static/registry.css"} <= names
    assert {name.split("/")[0] for name in names if ".dist-info/" not in name} == {"registry"}
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


def test_installed_wheel_loads_the_example_and_reads_japanese(installed, tmp_path):
    registry, env = installed / "bin" / "registry", user_env(tmp_path)
    sh(registry, "init", cwd=tmp_path, env=env)
    with sqlite3.connect(tmp_path / "registry.db") as database:  # the secret key, in the database
        assert database.execute("SELECT count(*) FROM secret_keys").fetchone() == (1,)
    assert not list(installed.glob("lib/python*/site-packages/instance"))

    loaded = sh(registry, "demo", cwd=tmp_path, env=env)  # the example workbook is in Japanese
    counts = {name: int(n) for n, name in re.findall(r"(\d+) (\w+)", loaded)}
    assert counts["purposes"] >= 10 and counts["consignees"] >= 5, loaded

    exported = sh(registry, "export", "ja.xlsx", "--language", "ja", cwd=tmp_path, env=env)
    assert f"Exported {sum(counts.values())} records" in exported
    book = openpyxl.load_workbook(tmp_path / "ja.xlsx", read_only=True)
    purposes = list(book["利用目的"].iter_rows(values_only=True))
    book.close()
    assert "状態" in purposes[0] and "利用中" in purposes[1], "choice labels in Japanese"

    planned = sh(registry, "import", "ja.xlsx", "--dry-run", cwd=tmp_path, env=env)
    sheets = re.findall(r"^(.+): (\d+) new, (\d+) updated, (\d+) unchanged$", planned, re.M)
    assert len(sheets) == len(counts), planned
    assert all(new == updated == "0" for _sheet, new, updated, _unchanged in sheets), planned
    assert sum(int(unchanged) for *_, unchanged in sheets) == sum(counts.values())


def test_installed_wheel_serves_pages_in_japanese(installed, tmp_path):
    registry, env = installed / "bin" / "registry", user_env(tmp_path)
    sh(registry, "init", cwd=tmp_path, env=env)
    url = f"http://127.0.0.1:{free_port()}"
    with (tmp_path / "server.log").open("w") as log:
        # from tmp_path: gunicorn (python -m) would import a checkout in its working directory
        server = subprocess.Popen([registry, "run", "--port", url.rsplit(":", 1)[1], "--workers", "1"],
                                  cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        login = fetch(f"{url}/login", server, tmp_path / "server.log")
        assert "ログイン" in login, login
        stylesheet = fetch(f"{url}/static/registry.css", server, tmp_path / "server.log")
        assert stylesheet == (ROOT / "registry" / "static" / "registry.css").read_text()
    finally:
        server.terminate()
        server.wait(timeout=10)

