"""Jobs for real, on a database of their own (committed, as workers see it; SQLite or
PostgreSQL as the suite runs): queued by a page, claimed by one worker, run to their result or
failure, swept when their worker stops answering, shown to their requester and administrators."""

from __future__ import annotations

import io
import threading
from datetime import timedelta

import openpyxl
import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from registry import create_app
from registry.core.model import utcnow
from registry.core.models import AuditEntry, Role
from registry.core.users import create_user
from registry.exchange.models import ImportBatch
from registry.extensions import db
from registry.inventory.models import Purpose
from registry.jobs import queue, runner
from registry.jobs.models import Job, JobState
from tests.conftest import Client
from tests.exchange.helpers import workbook
from tests.factories import PASSWORD


@pytest.fixture
def jobs_app(scratch, transaction):
    """The app on a new database of its own (its sessions on its own engine, not the test's outer
    transaction: workers commit), with a user of each role and a second editor."""
    db.session.remove()
    db.session.configure(bind=None)
    app = create_app({"SQLALCHEMY_DATABASE_URI": scratch("jobs"), "SECRET_KEY": "jobs",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "JOBS_IN_APP": False,
                      "JOBS_IMPORT_MIN_BYTES": 0})
    with app.app_context():
        upgrade()
        for name, role in (("viewer1", Role.VIEWER), ("editor1", Role.EDITOR),
                           ("editor2", Role.EDITOR), ("admin1", Role.ADMIN)):
            create_user(name, role, PASSWORD)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()
    db.session.remove()
    db.session.configure(bind=transaction, join_transaction_mode="create_savepoint")


def login(app, name: str) -> Client:
    client = Client(app.test_client())
    assert client.login(name).status_code == 302
    return client


def run_queued(app) -> int:
    with app.app_context():
        return runner.work(once=True)


def job_row(app, id: int) -> Job:
    with app.app_context():
        job = db.session.get(Job, id)
        db.session.expunge(job)
        return job


def job_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert location.startswith("/jobs/"), location
    return int(location.rsplit("/", 1)[1])


def test_an_export_job_is_queued_run_and_its_workbook_served(jobs_app):
    viewer = login(jobs_app, "viewer1")
    id = job_id(viewer.post("/exchange/export", {"language": "ja"}, form_url="/exchange/"))
    page = viewer.get(f"/jobs/{id}").get_data(as_text=True)
    assert 'data-state="queued"' in page and 'http-equiv="refresh"' in page
    assert run_queued(jobs_app) == 1
    job = job_row(jobs_app, id)
    assert job.state == JobState.DONE and job.worker == queue.worker_name()
    assert job.started_at and job.finished_at and job.result_name.endswith(".xlsx")
    page = viewer.get(f"/jobs/{id}").get_data(as_text=True)
    assert 'data-state="done"' in page and 'http-equiv="refresh"' not in page
    download = viewer.get(f"/jobs/{id}/result")
    assert download.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(download.data), read_only=True)
    assert "利用目的" in book.sheetnames
    with jobs_app.app_context():  # the submission is in the audit log
        entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "jobs")).one()
        assert (entry.actor, entry.record_id, entry.changes["kind"]) == ("viewer1", id,
                                                                         [None, "export"])
    log = login(jobs_app, "admin1").get("/audit/?entity=jobs").get_data(as_text=True)
    assert f"Job: #{id}" in log and "Export of the whole inventory" in log


def test_the_quarterly_pdf_is_made_by_a_job_in_the_requesters_language(jobs_app):
    viewer = login(jobs_app, "viewer1")
    viewer.post("/language", {"language": "ja"}, form_url="/")
    id = job_id(viewer.post("/reports/quarterly.pdf", {"quarter": "FY2026-Q2"},
                            form_url="/reports/quarterly?quarter=FY2026-Q2"))
    assert job_row(jobs_app, id).parameters == {"quarter": "FY2026-Q2", "language": "ja"}
    run_queued(jobs_app)
    job = job_row(jobs_app, id)
    assert job.state == JobState.DONE and job.result_name == "supervision-report-FY2026-Q2.pdf"
    download = viewer.get(f"/jobs/{id}/result")
    assert download.mimetype == "application/pdf" and download.data.startswith(b"%PDF")


def test_a_big_upload_is_applied_by_a_job_as_one_import_batch(jobs_app, tmp_path):
    book = workbook(tmp_path / "purposes.xlsx", {"Purposes": [["Code", "Purpose of use", "Status"]]
                                                  + [[f"J{n:03d}", "ジョブ", "active"]
                                                     for n in range(300)]}).read_bytes()
    editor = login(jobs_app, "editor1")
    preview = editor.post("/exchange/import", {"workbook": (io.BytesIO(book), "purposes.xlsx")},
                          form_url="/exchange/", content_type="multipart/form-data")
    preview = preview.headers["Location"]
    assert "300" in editor.get(preview).get_data(as_text=True)  # the preview stays at once
    id = job_id(editor.post(preview + "/apply", form_url=preview))
    with jobs_app.app_context():  # nothing written until a worker runs it
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Purpose)) == 0
    assert run_queued(jobs_app) == 1
    job = job_row(jobs_app, id)
    assert job.state == JobState.DONE and job.batch_id and job.total == 600 and job.done == 600
    with jobs_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Purpose)) == 300
        batch = db.session.get(ImportBatch, job.batch_id)
        assert batch.actor == "editor1" and batch.counts["purposes"]["create"] == 300
    page = editor.get(f"/jobs/{id}").get_data(as_text=True)
    assert f"/exchange/batches/{job.batch_id}" in page


def test_an_invalid_workbook_fails_its_job_with_the_problems_and_writes_nothing(jobs_app,
                                                                                tmp_path):
    book = workbook(tmp_path / "bad.xlsx", {"Purposes": [
        ["Code", "Purpose of use", "Status"], ["B1", "ok", "active"], ["B1", "twice", "active"]]})
    editor = login(jobs_app, "editor1")
    with jobs_app.app_context():  # queued as the page would, then the workbook went bad
        id = queue_import(jobs_app, book.read_bytes())
    run_queued(jobs_app)
    job = job_row(jobs_app, id)
    assert job.state == JobState.FAILED and "the same record as row 2" in job.message
    assert "the same record as row 2" in editor.get(f"/jobs/{id}").get_data(as_text=True)
    with jobs_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Purpose)) == 0


def queue_import(app, content: bytes, user: str = "editor1") -> int:
    """An import job queued for user, as the preview's confirmation queues it."""
    from flask_login import login_user

    from registry.core.models import User

    with app.test_request_context():
        login_user(db.session.scalar(sa.select(User).where(User.username == user)))
        job = queue.submit("import", {"filename": "book.xlsx", "details": {"sync": False},
                                      "language": "en"}, content)
        db.session.commit()
        return job.id


def test_only_the_requester_and_administrators_see_a_job(jobs_app):
    owner = login(jobs_app, "editor1")
    id = job_id(owner.post("/exchange/export", {"language": "en"}, form_url="/exchange/"))
    run_queued(jobs_app)
    other = login(jobs_app, "editor2")
    assert other.get(f"/jobs/{id}").status_code == 404
    assert other.get(f"/jobs/{id}/result").status_code == 404
    assert login(jobs_app, "admin1").get(f"/jobs/{id}").status_code == 200
    assert owner.get(f"/jobs/{id}/result").status_code == 200
    assert Client(jobs_app.test_client()).get(f"/jobs/{id}").status_code == 302  # to the login


def test_two_workers_claiming_at_once_never_take_the_same_job(jobs_app):
    owner = login(jobs_app, "viewer1")
    ids = {job_id(owner.post("/exchange/export", {"language": "en"}, form_url="/exchange/"))
           for _ in range(4)}
    taken: dict[str, list[int]] = {"a": [], "b": []}
    start = threading.Barrier(2)

    def claim(worker: str) -> None:
        with jobs_app.app_context():
            start.wait()
            for _ in range(4):
                claimed = queue.claim(worker)
                if claimed is not None:
                    taken[worker].append(claimed)

    threads = [threading.Thread(target=claim, args=(name,)) for name in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken["a"] + taken["b"]) == sorted(ids)  # each once, by one of them
    with jobs_app.app_context():
        workers = dict(db.session.execute(sa.select(Job.id, Job.worker)).all())
    assert all(workers[id] == name for name, claimed in taken.items() for id in claimed)


def test_a_job_whose_worker_stopped_answering_is_failed_by_the_sweep(jobs_app):
    owner = login(jobs_app, "viewer1")
    id = job_id(owner.post("/exchange/export", {"language": "en"}, form_url="/exchange/"))
    with jobs_app.app_context():
        assert queue.claim("gone:1") == id
        assert queue.sweep() == 0  # its heartbeat is fresh
        db.session.execute(sa.update(Job).values(heartbeat_at=utcnow() - timedelta(minutes=5)))
        db.session.commit()
        assert queue.sweep() == 1
        # the worker, had it only been paused, may not finish it now
        assert not queue.finish(id, "gone:1", result_name="late.xlsx")
        db.session.rollback()
    job = job_row(jobs_app, id)
    assert job.state == JobState.FAILED and job.message == queue.LOST
    page = owner.get(f"/jobs/{id}").get_data(as_text=True)
    assert "stopped answering" in page and 'http-equiv="refresh"' not in page
