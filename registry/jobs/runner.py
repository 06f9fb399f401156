"""Running jobs: claim one, do its work in one transaction committed only with its outcome,
and meanwhile beat (its progress and heartbeat) from a thread with a connection of its own.
A worker killed midway commits nothing; the next sweep marks its job failed."""

from __future__ import annotations

import os
import threading
import time

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import force_locale
from flask_login import login_user

from registry.core.models import User
from registry.extensions import db
from registry.jobs import queue
from registry.jobs.kinds import KINDS, JobFailed
from registry.jobs.models import Job

#: seconds between two heartbeats (each carries the progress)
BEAT_SECONDS = 1.0
#: seconds a worker waits before looking for queued jobs again
POLL_SECONDS = 1.0


class Tracker(threading.Thread):
    """The job's progress, written with its heartbeat every BEAT_SECONDS until stopped."""

    def __init__(self, app: Flask, job_id: int, worker: str):
        super().__init__(name=f"job-{job_id}-beat", daemon=True)
        self.app, self.job_id, self.worker = app, job_id, worker
        self.done, self.total, self.message = 0, 0, ""
        self.stopped = threading.Event()
        self.stepped = threading.Event()

    def step(self, message: str) -> None:
        """The job is at a new step (checking, writing ...), from its start: told at once."""
        self.done, self.total, self.message = 0, 0, message
        self.stepped.set()

    def progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    def run(self) -> None:
        with self.app.app_context():
            while not self.stopped.is_set():
                self.stepped.wait(BEAT_SECONDS)
                self.stepped.clear()
                if self.stopped.is_set():
                    return
                try:
                    queue.beat(self.job_id, self.worker, self.done, self.total, self.message)
                except sa.exc.OperationalError:  # SQLite: the work holds the write lock
                    db.session.rollback()

    def stop(self) -> None:
        self.stopped.set()
        self.stepped.set()
        self.join()


def run(job_id: int, worker: str) -> None:
    """Do a claimed job's work as the user who asked for it, in their language, and record its
    outcome in the same transaction; on any failure, roll it all back and say why."""
    app = current_app._get_current_object()
    job = db.session.get(Job, job_id)
    user = db.session.get(User, job.user_id)
    tracker = Tracker(app, job_id, worker)
    tracker.start()
    try:
        with app.test_request_context(), force_locale(job.parameters.get("language", "en")):
            login_user(user)
            outcome = KINDS[job.kind](job, tracker)
            if queue.finish(job_id, worker, done=tracker.done, total=tracker.total, **outcome):
                db.session.commit()
            else:
                db.session.rollback()
    except JobFailed as failure:
        queue.fail(job_id, worker, str(failure))
    except Exception:
        app.logger.exception("job %s (%s) failed", job_id, job.kind)
        queue.fail(job_id, worker, queue.ERROR)
    except BaseException:  # the worker is told to stop (Ctrl+C, SIGTERM): nothing is kept
        queue.fail(job_id, worker, queue.ERROR)
        raise
    finally:
        db.session.rollback()
        tracker.stop()


def work(once: bool = False) -> int:
    """Sweep, then run queued jobs one after another, for ever (with once: until none is
    queued). Returns how many were run."""
    worker = queue.worker_name()
    ran = 0
    while True:
        queue.sweep()
        job_id = queue.claim(worker)
        if job_id is not None:
            run(job_id, worker)
            ran += 1
        elif once:
            return ran
        else:
            time.sleep(POLL_SECONDS)


_started: dict[int, threading.Thread] = {}


def start_in_app(app: Flask) -> None:
    """before_request of a serving process with JOBS_IN_APP: run jobs in a thread of its own
    (one per process; gunicorn's workers each start theirs)."""
    if os.getpid() in _started:
        return

    def loop() -> None:
        while True:
            with app.app_context():
                try:
                    work()
                except Exception:  # the database away for a while: try again later
                    app.logger.exception("the job worker thread failed; it starts again")
            time.sleep(POLL_SECONDS)

    thread = threading.Thread(target=loop, name="registry-jobs", daemon=True)
    _started[os.getpid()] = thread
    thread.start()
