"""The `registry` command, run as a user runs it: a real process on a database file of its own."""

from __future__ import annotations

import re
import sqlite3

import sqlalchemy as sa

from registry.cli import cli
from registry.core.models import AuditEntry, User
from registry.extensions import db
from tests.served import count, run


def test_init_creates_admin_with_random_password_once(fresh_env, tmp_path):
    first = run(fresh_env, "init")
    assert first.returncode == 0, first.stderr
    password = re.search(r"^\s+(\S+)$", first.stdout, re.M).group(1)
    assert len(password) >= 16
    second = run(fresh_env, "init")
    assert second.returncode == 0
    assert password not in second.stdout and "Created the user" not in second.stdout
    assert count(tmp_path / "cli.db", "users") == 1
    assert "Loaded the default question bank" in first.stdout
    assert count(tmp_path / "cli.db", "questions") >= 40
    other = tmp_path / "other"
    other.mkdir()
    env = {**fresh_env, "REGISTRY_DATABASE_URL": f"sqlite:///{other / 'cli.db'}"}
    again = run(env, "init")
    assert password not in again.stdout, "the admin password must be random, not fixed"


def test_demo_loads_once_and_keeps_data(fresh_env, tmp_path):
    assert run(fresh_env, "init").returncode == 0
    loaded = run(fresh_env, "demo")
    assert loaded.returncode == 0, loaded.stderr
    assert "Loaded the example inventory" in loaded.stdout
    purposes = count(tmp_path / "cli.db", "purposes")
    assert purposes >= 10
    assert run(fresh_env, "demo").returncode == 1
    kept = run(fresh_env, "demo", "--if-empty")
    assert kept.returncode == 0 and "not loaded" in kept.stdout
    assert count(tmp_path / "cli.db", "purposes") == purposes
    actors = {row[0] for row in sqlite3.connect(tmp_path / "cli.db").execute(
        "SELECT DISTINCT actor FROM audit_entries WHERE entity = 'purposes'")}
    assert len(actors) == 1 and actors.pop().startswith("cli:")


def test_backup_is_a_consistent_copy(fresh_env, tmp_path):
    run(fresh_env, "init")
    run(fresh_env, "demo")
    target = tmp_path / "backup.db"
    result = run(fresh_env, "backup", str(target))
    assert result.returncode == 0, result.stderr
    for table in ("purposes", "consignees", "access_grants", "audit_entries"):
        assert count(target, table) == count(tmp_path / "cli.db", table)
    assert run(fresh_env, "backup", str(target)).returncode == 1, "never overwrite a backup"


def test_backup_of_an_unreachable_postgresql_says_why(fresh_env, tmp_path):
    env = {**fresh_env, "REGISTRY_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    result = run(env, "backup", str(tmp_path / "x.dump"))
    assert result.returncode == 1
    assert "pg_dump failed" in result.stderr and "127.0.0.1" in result.stderr
    assert not (tmp_path / "x.dump").exists()


def test_create_user_reads_password_from_stdin(app, app_ctx):
    runner = app.test_cli_runner()
    result = runner.invoke(cli, ["create-user", "auditor", "--role", "viewer", "--password-stdin"],
                           input="a long enough password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.username == "auditor"))
    assert user.role.value == "viewer" and user.check_password("a long enough password")
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity == "users",
                                                          AuditEntry.record_id == user.id))
    assert entry.actor.startswith("cli:")
    assert "password" not in entry.changes


def test_create_user_refuses_duplicates_and_bad_roles(app, app_ctx):
    runner = app.test_cli_runner()
    args = ["create-user", "dup", "--role", "editor", "--password-stdin"]
    assert runner.invoke(cli, args, input="a long enough password\n").exit_code == 0
    again = runner.invoke(cli, args, input="a long enough password\n")
    assert again.exit_code == 1 and "already taken" in again.output
    bad = runner.invoke(cli, ["create-user", "x", "--role", "root", "--password-stdin"], input="p\n")
    assert bad.exit_code == 2


def test_a_wrong_setting_stops_every_command_with_one_line_naming_it(fresh_env):
    for name, value, said in (("REGISTRY_SMTP_URL", "ftp://mail.example", "smtp:// or smtps://"),
                              ("REGISTRY_CHECK_SEVERITY", "nothing=high", "names no check")):
        result = run({**fresh_env, name: value}, "check")
        assert result.returncode == 2
        assert result.stderr.startswith(f"registry: {name}") and said in result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
