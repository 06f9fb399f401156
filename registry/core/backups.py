"""Backups of the whole registry and their restore into an empty one.

SQLite: a consistent copy through SQLite's online backup API (safe while the app runs), restored
the same way. PostgreSQL: pg_dump's custom format, restored with pg_restore; both must be the
server's major version or newer."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa

from registry.core.files import write_atomically
from registry.extensions import db

#: tables whose rows make a registry "not empty" (users and the question bank come with init)
CONTENT_TABLES = ("purposes", "data_categories", "consignees", "employees", "import_batches")


class BackupError(Exception):
    """The backup or restore could not be made; the message says why."""


def holds_data() -> bool:
    inspector = sa.inspect(db.engine)
    present = [t for t in CONTENT_TABLES if inspector.has_table(t)]
    return any(db.session.scalar(sa.text(f"SELECT EXISTS (SELECT 1 FROM {t})")) for t in present)


def backup(file: Path) -> None:
    """Write a consistent copy of the registry to file (which must not exist)."""
    if file.exists():
        raise BackupError(f"{file} exists already; choose a new file name.")
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        write_atomically(file, lambda path: _sqlite_copy(url.database, str(path)))
    else:
        write_atomically(file, lambda path: _postgres("pg_dump", "--format=custom", f"--file={path}"))


def restore(file: Path) -> None:
    """Replace an empty registry with the backup in file."""
    if not file.is_file():
        raise BackupError(f"{file}: no such file")
    if holds_data():
        raise BackupError("This registry holds data; restore only into an empty registry "
                          "(a new database after `registry init`, or none at all).")
    db.session.rollback()
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        _check_sqlite_backup(file)
        db.engine.dispose()
        _sqlite_copy(str(file), url.database)
    else:
        db.engine.dispose()
        # owned by whoever restores (the owner role), granted to nobody yet: the roles of the
        # server backed up may not exist here (`registry db grant` gives the app its rights)
        _postgres("pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                  "--exit-on-error", "--single-transaction", str(file))


def _check_sqlite_backup(file: Path) -> None:
    """Refuse a file that is not a sound SQLite database holding a registry."""
    probe = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    try:
        sound = probe.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        tables = {name for (name,) in probe.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError:
        sound = False
    finally:
        probe.close()
    if not sound or not {"alembic_version", "audit_entries"} <= tables:
        raise BackupError(f"{file} is not a registry backup (made by `registry backup`)")


def _sqlite_copy(source_path: str, target_path: str) -> None:
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(target_path)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def _postgres(program: str, *args: str) -> None:
    """Run pg_dump or pg_restore against the registry's database."""
    if shutil.which(program) is None:
        raise BackupError(f"{program} is not installed (Debian: apt-get install postgresql-client)")
    url = db.engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    target = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    done = subprocess.run([program, f"--dbname={target}", *args], env=env, capture_output=True,
                          text=True, check=False)
    if done.returncode:
        raise BackupError(f"{program} failed: {done.stderr.strip()[:2000]}")
