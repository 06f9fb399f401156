"""The audit log and report snapshots only grow: the database dates and numbers every new row and
refuses any other (REPLACE, back-dated rows, ids below the last, TRUNCATE)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

"""
import re

from alembic import op


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

#: the append-only tables: what their rows are, the columns the database dates, who made a row
TABLES = (
    ("audit_entries", "audit entries", ("at",), "actor"),
    ("report_snapshots", "report snapshots", ("created_at", "updated_at"), "created_by"),
)

#: the database's clock as the naive UTC timestamps are stored; SQLite's has milliseconds, padded
#: to the microseconds SQLAlchemy writes. Each is the same throughout one statement, so a column's
#: default and the trigger that checks it agree.
SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f000', 'now')"
POSTGRES_NOW = "timezone('utc', statement_timestamp())"


def upgrade():
    for table, noun, dated, actor in TABLES:
        if op.get_bind().dialect.name == "sqlite":
            for column in dated:
                _edit_sqlite_table(table, f"{column} DATETIME NOT NULL",
                                   f"{column} DATETIME DEFAULT ({SQLITE_NOW}) NOT NULL")
            _create_sqlite_insert_triggers(table, noun, dated, actor)
        else:
            _create_postgres_triggers(table, noun, dated, actor)


def downgrade():
    for table, _noun, dated, _actor in TABLES:
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"DROP TRIGGER {table}_in_order")
            op.execute(f"DROP TRIGGER {table}_appended")
            for column in dated:
                _edit_sqlite_table(table, f"{column} DATETIME DEFAULT ({SQLITE_NOW}) NOT NULL",
                                   f"{column} DATETIME NOT NULL")
        else:
            _drop_postgres_triggers(table, dated)


def _edit_sqlite_table(table, old, new):
    """Change a column's default in the table's stored definition, as SQLite's documentation
    describes for changes that leave the stored rows as they are ("Making Other Kinds Of Table
    Schema Changes"): copying the table instead would lose its triggers and the form of
    audit_entries.batch_id's foreign key that migration 0002's downgrade needs."""
    bind = op.get_bind()
    sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                               (table,)).scalar()
    edited, found = re.subn(rf"(?<!\w){re.escape(old)}", lambda _: new, sql)
    if found != 1:
        raise RuntimeError(f"{table}: expected one column defined as {old!r} in {sql!r}")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                         (edited, table))
    bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")  # connections read it anew
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def _create_sqlite_insert_triggers(table, noun, dated, actor):
    """Refuse a row that would replace another (INSERT OR REPLACE deletes the old one without
    firing DELETE triggers), is dated otherwise than now, names nobody, or is numbered below
    another (checked once the id is known, after the insert)."""
    wrong_date = " OR ".join(f"NEW.{column} IS NOT {SQLITE_NOW}" for column in dated)
    op.execute(
        f"CREATE TRIGGER {table}_appended BEFORE INSERT ON {table} BEGIN "
        f"SELECT RAISE(ABORT, '{noun} cannot be changed or deleted') "
        f"WHERE EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id); "
        f"SELECT RAISE(ABORT, '{noun} are dated by the database') WHERE {wrong_date}; "
        f"SELECT RAISE(ABORT, '{noun} must name who made them') WHERE trim(NEW.{actor}) = ''; "
        "END"
    )
    op.execute(
        f"CREATE TRIGGER {table}_in_order AFTER INSERT ON {table} "
        f"WHEN NEW.id < 1 OR EXISTS (SELECT 1 FROM {table} WHERE id > NEW.id) "
        f"BEGIN SELECT RAISE(ABORT, '{noun} are numbered by the database'); END"
    )


def _create_postgres_triggers(table, noun, dated, actor):
    """Number a new row from the table's sequence (an id given is refused) and refuse one dated
    otherwise than now or naming nobody; refuse TRUNCATE (UPDATE and DELETE are refused already,
    by the function of migrations 0001 and 0006)."""
    op.execute(f"ALTER TABLE {table} ALTER COLUMN id DROP DEFAULT")
    for column in dated:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {POSTGRES_NOW}")
    wrong_date = " OR ".join(f"NEW.{column} IS DISTINCT FROM {POSTGRES_NOW}" for column in dated)
    op.execute(
        f"CREATE FUNCTION {table}_appended() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF NEW.id IS NOT NULL THEN RAISE EXCEPTION '{noun} are numbered by the database'; END IF; "
        f"IF {wrong_date} THEN RAISE EXCEPTION '{noun} are dated by the database'; END IF; "
        f"IF btrim(NEW.{actor}) = '' THEN RAISE EXCEPTION '{noun} must name who made them'; END IF; "
        f"NEW.id := nextval('{table}_id_seq'); "
        "RETURN NEW; END $$"
    )
    op.execute(f"CREATE TRIGGER {table}_appended BEFORE INSERT ON {table} "
               f"FOR EACH ROW EXECUTE FUNCTION {table}_appended()")
    op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
               f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_immutable()")


def _drop_postgres_triggers(table, dated):
    op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
    op.execute(f"DROP TRIGGER {table}_appended ON {table}")
    op.execute(f"DROP FUNCTION {table}_appended()")
    for column in dated:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT")
    op.execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_id_seq'::regclass)")
