"""The work of each kind of job, done as the user who asked for it: applying an uploaded
workbook, exporting the whole inventory, making the quarterly report's PDF. Each returns the
job's outcome (the file made, or the import batch) without committing: the runner commits it
with the job marked done."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from registry.core import clock, transactions
from registry.exchange import pipeline, uploads, write
from registry.exchange.guard import Refused
from registry.exchange.responses import XLSX
from registry.extensions import db
from registry.reporting import document, quarterly


class JobFailed(Exception):
    """The work cannot be done; the message (in the requester's language) says why. Nothing of
    it is kept."""


def import_upload(job, tracker) -> dict:
    """Check the uploaded workbook against the registry now and apply it as one import batch,
    checking it again while the registry keeps changing under it."""
    parameters = job.parameters
    stored = uploads.Stored(parameters["filename"], parameters["details"], job.content)
    confirmation = MultiDict(parameters.get("confirmation", []))

    def planned():
        tracker.step("checking")
        db.session.rollback()
        try:
            with transactions.writing(False), stored.path() as path:
                plan = pipeline.plan_file(path, **stored.details, filename=stored.filename,
                                          confirmation=confirmation, progress=tracker.progress)
        except Refused as refusal:
            raise JobFailed(gettext("The workbook was refused: %(reason)s",
                                    reason=str(refusal))) from refusal
        if not plan.valid:
            raise JobFailed(gettext("Nothing was written: %(problems)s",
                                    problems="; ".join(str(issue) for issue in plan.issues[:5])))
        return plan

    def writing():
        tracker.step("writing")
        return nullcontext(tracker.progress)

    try:
        batch = pipeline.apply_current(planned(), planned, stored.filename, stored.content,
                                       writing)
    except pipeline.KeptChanging as kept:
        raise JobFailed(gettext("The registry kept changing while the workbook was imported; "
                                "nothing was written. Import it again.")) from kept
    if batch is None:
        raise JobFailed(gettext("Nothing to change: the registry already holds this data."))
    return {"batch_id": batch.id}


def _file(make: Callable[[Path], object]) -> bytes:
    """The bytes of a file make() writes (to a temporary file, removed after)."""
    descriptor, name = tempfile.mkstemp()
    os.close(descriptor)
    try:
        make(Path(name))
        return Path(name).read_bytes()
    finally:
        os.unlink(name)


def export(job, tracker) -> dict:
    """The whole inventory as a workbook, from one state of the registry."""
    language = job.parameters["language"]
    tracker.step("exporting")
    transactions.one_snapshot()
    data = _file(lambda path: write.export(path, language, progress=tracker.progress))
    db.session.rollback()
    return {"result": data,
            "result_name": f"registry-inventory-{clock.today().isoformat()}.xlsx"}


def report(job, tracker) -> dict:
    """The quarterly supervision report of a quarter as a PDF."""
    q = quarterly.quarter(job.parameters["quarter"])
    tracker.step("reporting")
    transactions.one_snapshot()
    tracker.progress(0, 2)
    content = quarterly.build(q)
    tracker.progress(1, 2)
    data = document.pdf(content)
    db.session.rollback()
    return {"result": data, "result_name": f"supervision-report-{q}.pdf"}


#: the work of each kind of job
KINDS: dict[str, Callable] = {"import": import_upload, "export": export, "report": report}
#: the files jobs make, by extension
MIMETYPES = {".xlsx": XLSX, ".pdf": document.PDF}
