"""The registry served by a PostgreSQL role that does not own its tables (`registry db grant`):
the app works as usual, but that role cannot change, delete or empty the audit log and the report
snapshots, nor alter the tables or switch their triggers off; a backup it makes restores on a
server where it does not exist (issue 15, point 2)."""

from __future__ import annotations

import os
import urllib.parse

import pytest
import sqlalchemy as sa

from registry.core import grants
from tests.exchange.helpers import workbook
from tests.served import Browser, registry, run, served

PASSWORD = "a role of its own, 2026"


@pytest.fixture
def app_role(database_url):
    """A login role made for the test, dropped afterwards (after the scratch databases, where it
    had its rights)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("roles are PostgreSQL's")
    name = f"registry_app_{os.getpid()}"
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE ROLE {name} LOGIN")
    yield name
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP ROLE IF EXISTS {name}")
    admin.dispose()


def as_role(url: str, role: str) -> str:
    return sa.make_url(url).set(username=role).render_as_string(hide_password=False)


@pytest.mark.served
def test_the_app_runs_as_a_role_that_cannot_rewrite_the_audit_log(app_role, scratch, tmp_path):
    url = scratch("roles")
    owner = os.environ | {"REGISTRY_DATABASE_URL": url, "REGISTRY_INSTANCE_PATH": str(tmp_path)}
    owner.pop("REGISTRY_SECRET_KEY", None)  # the app reads the database's key
    registry(owner, "init")
    registry(owner, "create-user", "keeper", "--role", "admin", "--password-stdin",
             stdin=f"{PASSWORD}\n")
    registry(owner, "db", "grant", app_role)
    app = owner | {"REGISTRY_DATABASE_URL": as_role(url, app_role)}
    refused = run(app, "db", "grant", app_role)
    assert refused.returncode == 1 and "as the owner of the tables" in refused.stderr

    book = workbook(tmp_path / "purposes.xlsx", {"Purposes": [
        ["Code", "Purpose of use", "Status"], ["R1", "役割", "active"], ["R2", "権限", "draft"]]})
    with served(app, tmp_path / "app.log") as base:
        browser = Browser(base)
        browser.login("keeper", PASSWORD)
        assert browser.post("/purposes/new", {"code": "F1", "title": "フォーム",
                                              "status": "active"}).status == 302
        uploaded = browser.upload("/exchange/import", "workbook", "purposes.xlsx",
                                  book.read_bytes(), form="/exchange/")
        assert uploaded.status == 302, uploaded.text
        applied = browser.request(
            uploaded.location + "/apply",
            urllib.parse.urlencode({"csrf_token": browser.token(uploaded.location)}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"})
        assert applied.location.startswith("/exchange/batches/"), \
            (tmp_path / "app.log").read_text()[-3000:]
        batch_id = applied.location.rsplit("/", 1)[-1]  # confirmed on its own page
        assert browser.post(applied.location + "/revert", {"batch": batch_id}).status == 302
        assert browser.post("/reports/snapshots", {"quarter": "FY2026-Q2"},
                            form="/reports/quarterly?quarter=FY2026-Q2").status == 302
    dump = tmp_path / "registry.dump"
    registry(app, "backup", str(dump))

    engine = sa.create_engine(as_role(url, app_role))
    with engine.connect() as connection:
        actions = connection.execute(sa.text(
            "SELECT action, count(*) FROM audit_entries WHERE actor = 'keeper' "
            "AND entity = 'purposes' GROUP BY action")).all()
        assert dict(actions) == {"create": 3, "delete": 2}, "the form, the import, its revert"
        assert connection.scalar(sa.text("SELECT count(*) FROM report_snapshots")) == 1
    tampering = [(sql.format(table), "permission denied")
                 for table in ("audit_entries", "report_snapshots")
                 for sql in ("UPDATE {} SET id = id", "DELETE FROM {}", "TRUNCATE {}")]
    tampering += [
        ("UPDATE secret_keys SET value = 'mine'", "permission denied"),
        ("SELECT setval('audit_entries_id_seq', 1)", "permission denied"),
        ("SET session_replication_role = replica", "permission denied"),  # would skip triggers
        ("ALTER TABLE audit_entries DISABLE TRIGGER ALL", "must be owner"),
        ("DROP TRIGGER audit_entries_appended ON audit_entries", "must be owner"),
        ("INSERT INTO audit_entries (at, actor, action, entity, record_id, record_label, changes) "
         "VALUES ('2020-01-01', 'keeper', 'create', 'purposes', 1, 'F1', '{}')",
         "dated by the database"),
    ]
    for sql, refusal in tampering:
        with engine.connect() as connection, pytest.raises(sa.exc.DatabaseError, match=refusal):
            connection.exec_driver_sql(sql)
    engine.dispose()

    elsewhere = owner | {"REGISTRY_DATABASE_URL": scratch("restored")}
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:  # a server where the app role does not exist
        connection.exec_driver_sql(f"DROP OWNED BY {app_role}")
        connection.exec_driver_sql(f"DROP ROLE {app_role}")
    admin.dispose()
    registry(elsewhere, "init")
    registry(elsewhere, "restore", str(dump))
    registry(elsewhere, "create-user", "after", "--role", "viewer", "--password-stdin",
             stdin=f"{PASSWORD}\n")
    log = "SELECT id, at, actor, changes::text FROM audit_entries ORDER BY id"
    source, restored = sa.create_engine(url), sa.create_engine(elsewhere["REGISTRY_DATABASE_URL"])
    with source.connect() as before, restored.connect() as after:
        entries = after.execute(sa.text(log)).all()
        assert entries[:-1] == before.execute(sa.text(log)).all(), "the same ids and dates"
        assert entries[-1].actor.startswith("cli:") and entries[-1].id > entries[-2].id
        assert entries[-1].at > entries[-2].at
    source.dispose()
    restored.dispose()
    again = run(elsewhere, "db", "grant", app_role)
    assert again.returncode == 1 and "There is no role" in again.stderr


def test_grant_refuses_a_role_that_could_rewrite_the_audit_log(app_ctx, transaction):
    if transaction.dialect.name == "sqlite":
        refusals = {"anyone": "Only PostgreSQL has roles"}
    else:
        refusals = {transaction.scalar(sa.text("SELECT current_user")): "superuser or owns",
                    "nobody_by_this_name": "There is no role"}
    for role, refusal in refusals.items():
        with pytest.raises(grants.GrantError, match=refusal):
            grants.grant(role)
