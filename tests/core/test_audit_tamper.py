"""The audit log and the report snapshots only grow, whoever writes SQL to the database: it refuses
to replace, change, delete or empty them, and dates and numbers every new row itself (SQLite and
PostgreSQL alike; issue 15, point 2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from registry.core.model import utcnow
from registry.core.models import AuditEntry
from registry.extensions import db
from registry.reporting import quarterly, snapshots
from registry.reporting.models import ReportSnapshot
from registry.reporting.quarters import Quarter
from tests import factories as f

#: the database's clock as timestamps are stored (what migration 0012 dates new rows by)
NOW = {"sqlite": "strftime('%Y-%m-%d %H:%M:%f000', 'now')",
       "postgresql": "timezone('utc', statement_timestamp())"}

#: per table: a row as SQL literals, without its id and dates
ROWS = {
    "audit_entries": {"actor": "'mallory'", "action": "'update'", "entity": "'purposes'",
                      "record_id": "1", "record_label": "'T0001'", "changes": "'{}'"},
    "report_snapshots": {"quarter": "'FY2026-Q2'", "content": "'{}'", "digest": "'x'",
                         "created_by": "'mallory'", "revision": "1"},
}
DATED = {"audit_entries": ("at",), "report_snapshots": ("created_at", "updated_at")}
ACTOR = {"audit_entries": "actor", "report_snapshots": "created_by"}
TABLES = sorted(ROWS)


@pytest.fixture
def existing(app_ctx, transaction) -> dict[str, int]:
    """The id of a row the application wrote, per table."""
    f.make_purpose()
    snapshot = snapshots.save(quarterly.build(Quarter(2026, 2, 4)))
    db.session.flush()
    return {"report_snapshots": snapshot.id,
            "audit_entries": db.session.scalar(sa.select(sa.func.max(AuditEntry.id)))}


def dialect(connection: sa.Connection) -> str:
    return connection.dialect.name


def insert(connection: sa.Connection, table: str, verb: str = "INSERT", suffix: str = "",
           **values: str) -> str:
    """An INSERT of a whole row dated by the database's clock, with some of its values replaced
    (SQL literals): only those can make the database refuse it."""
    row = {**ROWS[table], **dict.fromkeys(DATED[table], NOW[dialect(connection)]), **values}
    return f"{verb} INTO {table} ({', '.join(row)}) VALUES ({', '.join(row.values())}) {suffix}"


def row(connection: sa.Connection, table: str, row_id: int) -> tuple:
    return connection.execute(sa.text(f"SELECT * FROM {table} WHERE id = :id"),
                              {"id": row_id}).one()


def refused(connection: sa.Connection, sql: str, match: str) -> None:
    """The database refuses the statement (rolled back in any case)."""
    savepoint = connection.begin_nested()
    try:
        with pytest.raises(sa.exc.DatabaseError, match=match):
            connection.exec_driver_sql(sql)
    finally:
        savepoint.rollback()


@pytest.mark.parametrize("table", TABLES)
def test_a_row_cannot_be_replaced(existing, transaction, table):
    row_id = existing[table]
    before = row(transaction, table, row_id)
    attempts = [insert(transaction, table, id=str(row_id),
                       suffix=f"ON CONFLICT (id) DO UPDATE SET {ACTOR[table]} = 'mallory'")]
    if dialect(transaction) == "sqlite":  # SQLite deletes the row replaced without DELETE triggers
        attempts += [insert(transaction, table, "INSERT OR REPLACE", id=str(row_id)),
                     insert(transaction, table, "REPLACE", id=str(row_id))]
    for sql in attempts:
        refused(transaction, sql, "cannot be changed|numbered by the database")
    assert row(transaction, table, row_id) == before


@pytest.mark.parametrize("table", TABLES)
def test_rows_cannot_be_changed_deleted_or_emptied(existing, transaction, table):
    row_id = existing[table]
    before = row(transaction, table, row_id)
    attempts = [f"UPDATE {table} SET {ACTOR[table]} = 'mallory' WHERE id = {row_id}",
                f"DELETE FROM {table} WHERE id = {row_id}",
                f"DELETE FROM {table}"]
    if dialect(transaction) == "postgresql":
        attempts += [f"TRUNCATE {table}", f"TRUNCATE {table} CASCADE"]
        if table == "audit_entries":  # the entries refer to import batches
            attempts.append("TRUNCATE import_batches CASCADE")
    for sql in attempts:
        refused(transaction, sql, "cannot be changed or deleted")
    assert row(transaction, table, row_id) == before


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("when", ["2020-01-01 00:00:00", "2099-01-01 00:00:00"])
def test_a_row_dated_otherwise_than_now_is_refused(existing, transaction, table, when):
    for column in DATED[table]:
        refused(transaction, insert(transaction, table, **{column: f"'{when}'"}),
                "dated by the database")


@pytest.mark.parametrize("table", TABLES)
def test_a_row_numbered_below_the_last_is_refused(existing, transaction, table):
    for row_id in (0, -1, -existing[table]):
        refused(transaction, insert(transaction, table, id=str(row_id)), "numbered by the database")


@pytest.mark.parametrize("table", TABLES)
def test_a_row_naming_nobody_is_refused(existing, transaction, table):
    for nobody in ("''", "' '"):
        refused(transaction, insert(transaction, table, **{ACTOR[table]: nobody}),
                "must name who made them")


@pytest.mark.parametrize("table", TABLES)
def test_the_database_dates_and_numbers_a_new_row(existing, transaction, table):
    before = utcnow() - timedelta(milliseconds=1)  # SQLite's clock counts milliseconds
    values = ", ".join(ROWS[table].values())
    added = transaction.exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(ROWS[table])}) VALUES ({values}) RETURNING id").scalar()
    assert added > existing[table]
    model = {"audit_entries": AuditEntry, "report_snapshots": ReportSnapshot}[table]
    stored = db.session.get(model, added)
    for column in DATED[table]:
        assert before <= getattr(stored, column) <= utcnow()


def test_the_application_s_entries_and_snapshots_are_dated_by_the_database(app_ctx):
    before = utcnow() - timedelta(milliseconds=1)
    purpose = f.make_purpose()
    snapshot = snapshots.save(quarterly.build(Quarter(2026, 2, 4)))
    db.session.flush()
    entries = db.session.scalars(sa.select(AuditEntry).where(sa.or_(
        sa.and_(AuditEntry.entity == "purposes", AuditEntry.record_id == purpose.id),
        sa.and_(AuditEntry.entity == "report_snapshots", AuditEntry.record_id == snapshot.id)
    ))).all()
    assert len(entries) == 2
    for when in (*(entry.at for entry in entries), snapshot.created_at, snapshot.updated_at):
        assert before <= when <= utcnow()
