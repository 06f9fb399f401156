"""A job: long work (an import, the full export, a report) queued by a page and run by a worker."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.core.model import Choice, choice_column, utcnow
from registry.extensions import db


class JobState(Choice):
    """Where a job stands: queued, running (claimed by a worker), done or failed."""

    QUEUED = "queued", "Queued", "待機中"
    RUNNING = "running", "Running", "実行中"
    DONE = "done", "Done", "完了"
    FAILED = "failed", "Failed", "失敗"


class JobKind(Choice):
    """What a job does (registry.jobs.kinds runs each)."""

    IMPORT = "import", "Import of a workbook", "ワークブックの取り込み"
    EXPORT = "export", "Export of the whole inventory", "台帳全体のエクスポート"
    REPORT = "report", "Quarterly report (PDF)", "四半期報告書（PDF）"


class Job(db.Model):
    """One piece of long work: what to do and with what, who asked, how far it is, and its
    result (a file's bytes, or the import batch it made), kept so that any app server shows it."""

    __tablename__ = "jobs"
    __table_args__ = (sa.Index("ix_jobs_state_id", "state", "id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: what to do: import, export or report (registry.jobs.kinds)
    kind: so.Mapped[JobKind] = choice_column(JobKind)
    #: queued, running, done or failed
    state: so.Mapped[JobState] = choice_column(JobState, default=JobState.QUEUED)
    #: who asked for it: only they (and administrators) see it
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                               index=True)
    #: what the work needs besides the file: language, quarter, the upload's options ...
    parameters: so.Mapped[dict] = so.mapped_column(sa.JSON)
    #: the file the work reads (an uploaded workbook), if any
    content: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary, deferred=True)
    #: the steps done of the steps in all (rows, for imports and exports)
    done: so.Mapped[int] = so.mapped_column(default=0)
    total: so.Mapped[int] = so.mapped_column(default=0)
    #: the step it is at (checking, writing ...) while it runs; why it failed after
    message: so.Mapped[str] = so.mapped_column(sa.String(2000), default="")
    #: the file it made, and its name
    result: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary, deferred=True)
    result_name: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    #: the import batch it applied
    batch_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("import_batches.id"))
    #: the worker running it (host and process id)
    worker: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    #: when it was queued, claimed, ended, and last heard of from its worker (UTC)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    started_at: so.Mapped[datetime | None]
    finished_at: so.Mapped[datetime | None]
    heartbeat_at: so.Mapped[datetime | None]

    def __str__(self) -> str:
        return f"#{self.id}"

    @property
    def ended(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)
