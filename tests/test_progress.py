"""Long commands draw a progress bar on stderr when it is a terminal, and nothing when it is piped
or with --quiet; standard output and exit codes are the same either way."""

from __future__ import annotations

import os
import pty
import subprocess

import pytest

from tests.served import REGISTRY, registry

pytestmark = pytest.mark.slow  # `registry` processes of their own


def on_terminal(env: dict, *args: str) -> tuple[int, str, str]:
    """Run a `registry` command whose stderr is a pseudo-terminal; its exit code, stdout and what
    the terminal showed."""
    leader, follower = pty.openpty()
    with subprocess.Popen([str(REGISTRY), *args], env=env, stdout=subprocess.PIPE,
                          stderr=follower, text=True) as command:
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the command closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        stdout = command.stdout.read()
    os.close(leader)
    return command.returncode, stdout, shown.decode(errors="replace")


@pytest.fixture
def demo_env(fresh_env):
    registry(fresh_env, "init")
    registry(fresh_env, "demo")
    return fresh_env


def test_export_and_import_show_a_bar_on_a_terminal_and_none_when_piped(demo_env, tmp_path):
    book = tmp_path / "inventory.xlsx"
    code, stdout, shown = on_terminal(demo_env, "export", str(book))
    assert code == 0 and stdout.startswith("Exported")
    assert "Exporting" in shown and "100%" in shown
    code, stdout, shown = on_terminal(demo_env, "import", str(book), "--dry-run")
    assert code == 0 and "Checking" in shown and "100%" in shown
    assert "dry run" in stdout

    piped = subprocess.run([str(REGISTRY), "export", str(book)], env=demo_env,
                           capture_output=True, text=True)
    assert piped.returncode == 0 and piped.stdout.startswith("Exported")
    assert piped.stderr == ""
    code, stdout, shown = on_terminal(demo_env, "export", str(book), "--quiet")
    assert code == 0 and stdout.startswith("Exported") and shown == ""


def test_the_report_shows_a_bar_on_a_terminal(demo_env, tmp_path):
    code, stdout, shown = on_terminal(demo_env, "report", "quarterly", "FY2026-Q2", "--out",
                                      str(tmp_path / "report.html"))
    assert code == 0 and stdout.startswith("Wrote the FY2026-Q2 report")
    assert "Writing the report" in shown and "100%" in shown
