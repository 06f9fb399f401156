"""The migrations go down to an empty database and up again, and the report snapshots stay
unchangeable in the database itself after the round trip."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from registry import create_app
from registry.extensions import db
from registry.reporting.models import ReportSnapshot


def test_down_to_nothing_and_up_again_keeps_snapshots_unchangeable(scratch_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": scratch_url, "SECRET_KEY": "m"})
    with app.app_context():
        upgrade()
        downgrade(revision="0005")  # below the snapshots: their triggers must still be there
        downgrade(revision="base")
        assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]
        upgrade()
        with db.engine.begin() as connection:
            connection.execute(sa.insert(ReportSnapshot.__table__).values(
                quarter="FY2026-Q2", content={}, digest="x", created_by="admin1"))
        with pytest.raises(sa.exc.DatabaseError, match="cannot be changed"), db.engine.begin() as c:
            c.exec_driver_sql("UPDATE report_snapshots SET digest = 'y'")
        db.engine.dispose()


def test_an_import_undo_record_moves_to_its_own_table_and_back(scratch_url):
    """0029 moves each applied import's undo record out of its batch's row, and back down."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": scratch_url, "SECRET_KEY": "m"})
    batch = {"actor": "admin1", "filename": "a.xlsx", "sha256": "0" * 64, "content": b"PK",
             "sync": False, "counts": "{}", "status": "applied", "created_at": "2026-12-04"}
    with app.app_context():
        upgrade(revision="0028")
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO import_batches (id, actor, filename, sha256, content, sync, counts, "
                "status, created_at, undo) VALUES (7, :actor, :filename, :sha256, :content, "
                ":sync, :counts, :status, :created_at, :undo)"), {**batch, "undo": b"old undo"})
        upgrade()
        with db.engine.begin() as connection:
            assert connection.execute(sa.text("SELECT batch_id, undo FROM import_undo")).all() \
                == [(7, b"old undo")]
        downgrade(revision="0028")
        with db.engine.begin() as connection:
            assert connection.execute(sa.text("SELECT id, undo FROM import_batches")).all() \
                == [(7, b"old undo")]
        db.engine.dispose()
