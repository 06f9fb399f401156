"""Which transactions take SQLite's write lock when they begin, and which run without one on
PostgreSQL (registry.core.transactions)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from registry import create_app
from registry.core import transactions
from registry.core.models import AuditEntry, Role
from registry.core.users import create_user
from registry.extensions import db
from registry.inventory.models import Purpose
from tests.conftest import Client
from tests.factories import PASSWORD


def test_requests_that_change_data_write_unless_told_they_only_read(app):
    with app.test_request_context(method="GET"):
        assert not transactions.intends_to_write()
        with transactions.writing():
            assert transactions.intends_to_write()
        assert not transactions.intends_to_write()
    with app.test_request_context(method="POST"):
        assert transactions.intends_to_write()
        with transactions.writing(False):  # an import planning inside a POST
            assert not transactions.intends_to_write()
            with transactions.writing():
                assert transactions.intends_to_write()
            assert not transactions.intends_to_write()
        assert transactions.intends_to_write()


def test_reading_pages_on_postgresql_send_no_transaction_and_writes_keep_theirs(scratch_url,
                                                                              transaction):
    """GET requests run in autocommit on PostgreSQL: no BEGIN and ROLLBACK, so psycopg keeps the
    statements it prepared (it drops them at every ROLLBACK); a save after them still commits
    whole, and a refused one stores nothing."""
    if not scratch_url.startswith("postgresql"):
        pytest.skip("SQLite reads begin a deferred transaction (no round trips to save)")
    app = create_app({"SQLALCHEMY_DATABASE_URI": scratch_url, "SECRET_KEY": "t",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    db.session.remove()
    db.session.configure(bind=None)  # this app's own engine, not the test's outer transaction
    try:
        with app.app_context():
            upgrade()
            create_user("editor9", Role.EDITOR, PASSWORD)
            db.session.commit()
            client = Client(app.test_client())
            assert client.login("editor9").status_code == 302
            for _ in range(8):  # psycopg prepares a statement on its fifth run
                assert client.get("/purposes/").status_code == 200
            with db.engine.connect() as connection:  # the pool's one connection served them all
                prepared = connection.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements")
                assert prepared.scalar() > 0, "a ROLLBACK after each page dropped them"
            audited = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
            saved = client.post("/purposes/new", {"code": "T01", "title": "配送", "status": "active"})
            assert saved.status_code == 302
            refused = client.post("/purposes/new", {"code": "T01", "title": "二重", "status": "active"})
            assert refused.status_code == 200
            assert client.get("/purposes/?q=T01").status_code == 200
            with db.engine.connect() as connection:
                titles = connection.execute(sa.select(Purpose.title)).scalars().all()
                audit = connection.execute(sa.select(sa.func.count()).select_from(AuditEntry)).scalar()
            assert titles == ["配送"] and audit == audited + 1
            db.engine.dispose()
    finally:
        db.session.remove()
        db.session.configure(bind=transaction, join_transaction_mode="create_savepoint")


def test_pages_marked_snapshot_read_in_one_repeatable_read_transaction(scratch_url, transaction):
    """A streaming page (server-side cursor) needs a transaction on PostgreSQL, and sees one state
    of the data; other pages keep reading in autocommit."""
    if not scratch_url.startswith("postgresql"):
        pytest.skip("SQLite reads always begin a (deferred) transaction: one snapshot")
    app = create_app({"SQLALCHEMY_DATABASE_URI": scratch_url, "SECRET_KEY": "t",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})

    def seen() -> str:
        level = db.session.scalar(sa.text("SHOW transaction_isolation"))
        began = db.session.scalar(sa.text("SELECT now() < statement_timestamp()"))
        return f"{level}, {'one transaction' if began else 'autocommit'}"

    def streamed() -> str:
        codes = db.session.execute(sa.select(Purpose.code).execution_options(yield_per=2))
        return f"{len(codes.scalars().all())} rows, {seen()}"

    app.add_url_rule("/test/streamed", "streamed", transactions.snapshot(streamed))
    app.add_url_rule("/test/plain", "plain", seen)
    db.session.remove()
    db.session.configure(bind=None)
    try:
        with app.app_context():
            upgrade()
            create_user("viewer9", Role.VIEWER, PASSWORD)
            db.session.add_all([Purpose(code=f"S{n}", title="読み取り", status="active")
                                for n in range(5)])
            db.session.commit()
            client = Client(app.test_client())
            assert client.login("viewer9").status_code == 302
            streamed_page = client.get("/test/streamed").get_data(as_text=True)
            assert streamed_page == "5 rows, repeatable read, one transaction"
            assert client.get("/test/plain").get_data(as_text=True) == "read committed, autocommit"
            db.engine.dispose()
    finally:
        db.session.remove()
        db.session.configure(bind=transaction, join_transaction_mode="create_savepoint")


def test_one_snapshot_does_not_see_rows_committed_while_it_reads(scratch_url, transaction):
    """What a job or command reads after one_snapshot() (the whole export, issue 17) is one state
    of the data, whatever another connection commits meanwhile, on both databases."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": scratch_url, "SECRET_KEY": "t"})
    db.session.remove()
    db.session.configure(bind=None)
    purposes = sa.select(sa.func.count()).select_from(Purpose)
    try:
        with app.app_context():
            upgrade()
            db.session.add(Purpose(code="S1", title="読み取り", status="active"))
            db.session.commit()
            transactions.one_snapshot()
            assert db.session.scalar(purposes) == 1
            with db.engine.begin() as other:
                other.execute(sa.insert(Purpose).values(code="S2", title="書き込み",
                                                        status="active"))
            assert db.session.scalar(purposes) == 1
            db.session.rollback()
            assert db.session.scalar(purposes) == 2
            db.session.rollback()
            db.engine.dispose()
    finally:
        db.session.remove()
        db.session.configure(bind=transaction, join_transaction_mode="create_savepoint")
