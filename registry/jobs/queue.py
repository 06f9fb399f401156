"""The queue: jobs submitted by pages, claimed by one worker each, kept alive by its heartbeat,
and failed by a sweep once their worker stops answering (killed, or its machine gone)."""

from __future__ import annotations

import os
import socket
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_login import current_user

from registry.core import audit, transactions
from registry.core.model import utcnow
from registry.core.models import AuditAction
from registry.extensions import db
from registry.jobs.models import Job, JobState

#: the message of a job whose worker stopped answering (shown in the reader's language)
LOST = "worker-lost"
#: the message of a job that failed on an error the log explains
ERROR = "error"


def worker_name() -> str:
    """This process, as a job's worker: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def submit(kind: str, parameters: dict, content: bytes | None = None,
           shown: dict | None = None) -> Job:
    """Queue a job for the current user, recorded in the audit log with what it was asked to do
    (shown: {field: value}). The caller commits."""
    job = Job(kind=kind, user_id=current_user.id, parameters=parameters, content=content,
              state=JobState.QUEUED, message="")
    db.session.add(job)
    db.session.flush()
    changes = {"kind": [None, kind], **{name: [None, value] for name, value in (shown or {}).items()}}
    audit.record(AuditAction.CREATE, job, changes)
    return job


def claim(worker: str) -> int | None:
    """Take the oldest queued job for worker, or None: one worker gets each job (PostgreSQL:
    FOR UPDATE SKIP LOCKED passes over a job another worker is taking; both: the UPDATE applies
    only while the job is still queued)."""
    db.session.rollback()
    query = sa.select(Job.id).where(Job.state == JobState.QUEUED).order_by(Job.id).limit(1)
    found = db.session.scalar(query)  # read first: an idle worker takes no write lock (SQLite)
    db.session.rollback()
    if found is None:
        return None
    with transactions.writing():
        if db.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        job_id = db.session.scalar(query)
        if job_id is None:
            db.session.rollback()
            return None
        now = utcnow()
        taken = db.session.execute(
            sa.update(Job).where(Job.id == job_id, Job.state == JobState.QUEUED)
            .values(state=JobState.RUNNING, worker=worker, started_at=now, heartbeat_at=now)
            .execution_options(synchronize_session=False)).rowcount
        db.session.commit()
    return job_id if taken == 1 else None


def stale_after() -> timedelta:
    return timedelta(seconds=current_app.config["JOBS_STALE_SECONDS"])


def sweep() -> int:
    """Mark failed the running jobs whose worker has not been heard of for JOBS_STALE_SECONDS;
    their work, one uncommitted transaction, died with it. Returns how many."""
    db.session.rollback()
    lost = (Job.state == JobState.RUNNING, Job.heartbeat_at < utcnow() - stale_after())
    found = db.session.scalar(sa.select(Job.id).where(*lost).limit(1))
    db.session.rollback()
    if found is None:  # read first: a sweep of nothing takes no write lock (SQLite)
        return 0
    try:
        with transactions.writing():
            swept = db.session.execute(
                sa.update(Job).where(*lost)
                .values(state=JobState.FAILED, finished_at=utcnow(), message=LOST)
                .execution_options(synchronize_session=False)).rowcount
            db.session.commit()
    except sa.exc.OperationalError:  # SQLite: a long import holds the write lock; next time
        db.session.rollback()
        return 0
    return swept


def beat(job_id: int, worker: str, done: int, total: int, message: str) -> None:
    """The worker is alive, at done of total, at step message (from a connection of its own)."""
    with transactions.writing():
        db.session.execute(
            sa.update(Job).where(Job.id == job_id, Job.state == JobState.RUNNING,
                                 Job.worker == worker)
            .values(heartbeat_at=utcnow(), done=done, total=total, message=message)
            .execution_options(synchronize_session=False))
        db.session.commit()


def finish(job_id: int, worker: str, **outcome) -> bool:
    """Mark the job done with its outcome (result, result_name, batch_id) in the transaction of
    its work, while it is still this worker's (False: a sweep failed it meanwhile: roll back)."""
    return db.session.execute(
        sa.update(Job).where(Job.id == job_id, Job.state == JobState.RUNNING, Job.worker == worker)
        .values(state=JobState.DONE, finished_at=utcnow(), heartbeat_at=utcnow(), **outcome)
        .execution_options(synchronize_session=False)).rowcount == 1


def fail(job_id: int, worker: str, message: str) -> None:
    """Mark the job failed, saying why (its work was rolled back)."""
    db.session.rollback()
    with transactions.writing():
        db.session.execute(
            sa.update(Job).where(Job.id == job_id, Job.state == JobState.RUNNING,
                                 Job.worker == worker)
            .values(state=JobState.FAILED, finished_at=utcnow(), message=message[:2000])
            .execution_options(synchronize_session=False))
        db.session.commit()
