"""Saving a generated report as a snapshot, recorded in the audit log."""

from __future__ import annotations

import sqlalchemy as sa

from registry.core import audit
from registry.core.models import AuditAction
from registry.extensions import db
from registry.reporting.models import ReportSnapshot


def save(report: dict) -> ReportSnapshot:
    """Keep the report as it is now; it cannot be changed afterwards."""
    snapshot = ReportSnapshot(quarter=report["quarter"], content=report,
                              digest=ReportSnapshot.digest_of(report),
                              created_by=audit.current_actor())
    db.session.add(snapshot)
    db.session.flush()
    audit.record(AuditAction.CREATE, snapshot, {"quarter": [None, snapshot.quarter],
                                                "digest": [None, snapshot.digest]})
    return snapshot


def listing() -> list[ReportSnapshot]:
    """Every snapshot, the newest first (without loading their content)."""
    return db.session.scalars(sa.select(ReportSnapshot).options(sa.orm.defer(ReportSnapshot.content))
                              .order_by(ReportSnapshot.created_at.desc(), ReportSnapshot.id.desc())).all()
