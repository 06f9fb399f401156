"""The rights of the PostgreSQL role the app runs as, when that role does not own the tables: it
reads and writes the records, but only reads and appends to the audit log and the report
snapshots, and cannot alter a table or disable its triggers (only the owner can)."""

from __future__ import annotations

import sqlalchemy as sa

from registry.extensions import db

#: tables the app only reads: the migrations and the secret key are the owner's
READ_ONLY = ("alembic_version", "secret_keys")
#: tables the app only reads and appends to (their triggers refuse any other change anyway)
APPEND_ONLY = ("audit_entries", "report_snapshots")


class GrantError(Exception):
    """The rights cannot be granted to that role; the message says why."""


def grant(role: str) -> None:
    """Give role exactly the rights the app needs on every table and sequence of the registry's
    schema, taking back any others; run by the tables' owner, again after each migration (new
    tables are not granted by themselves)."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        raise GrantError("Only PostgreSQL has roles: the app runs as the owner of a SQLite file.")
    owner = connection.scalar(sa.text(
        "SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename = 'audit_entries'"))
    if owner is None:
        raise GrantError("The database is not set up yet: run `registry init` first.")
    found = connection.execute(sa.text(
        "SELECT rolsuper AS superuser, pg_has_role(rolname, :owner, 'MEMBER') AS owns "
        "FROM pg_roles WHERE rolname = :role"), {"role": role, "owner": owner}).first()
    if found is None:
        raise GrantError(f"There is no role {role!r}: create it first (CREATE ROLE ... LOGIN).")
    if found.superuser or found.owns:
        raise GrantError(f"{role!r} is a superuser or owns the tables ({owner!r}), so it could "
                         "change the audit log: give the app a role of its own.")
    if not connection.scalar(sa.text("SELECT pg_has_role(current_user, :owner, 'USAGE')"),
                             {"owner": owner}):
        raise GrantError(f"Run this as the owner of the tables ({owner!r}).")
    quoted = connection.dialect.identifier_preparer.quote(role)
    schema = connection.dialect.identifier_preparer.quote(
        connection.scalar(sa.text("SELECT current_schema()")))
    for statement in (
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {quoted}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {quoted}",
        f"REVOKE INSERT, UPDATE, DELETE ON {', '.join(READ_ONLY)} FROM {quoted}",
        f"REVOKE UPDATE, DELETE ON {', '.join(APPEND_ONLY)} FROM {quoted}",
        # nextval() for new rows (USAGE), and reading the sequences for `registry backup` (SELECT)
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted}",
    ):
        connection.exec_driver_sql(statement)
