"""The progress page of a job, and its result: for the user who asked for it and administrators."""

from __future__ import annotations

import io
from pathlib import PurePosixPath

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, send_file
from flask_login import current_user

from registry.core.entity import logged
from registry.core.i18n import lazy_gettext as _l
from registry.core.models import Role
from registry.core.web import label
from registry.extensions import db
from registry.jobs import queue
from registry.jobs.kinds import MIMETYPES
from registry.jobs.models import Job

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

logged("jobs", _l("Job"), kind=_l("Work"), file=_l("File"), language=_l("Language"),
       quarter=_l("Fiscal quarter"))

#: the step a running job is at
STEPS = {"checking": _l("Checking the workbook"), "writing": _l("Writing the records"),
         "exporting": _l("Writing the workbook"), "reporting": _l("Making the report")}
#: seconds between two reloads of the page of a job that has not ended
REFRESH_SECONDS = 2


def _job(id: int) -> Job:
    """The job, for the user who asked for it or an administrator; 404 for anyone else (the
    page does not tell them it exists)."""
    job = db.get_or_404(Job, id)
    if job.user_id != current_user.id and not current_user.can(Role.ADMIN):
        abort(404)
    return job


@bp.route("/<int:id>")
def job(id: int):
    found = _job(id)
    return render_template("jobs/job.html", job=found, title=label(found.kind),
                           step=STEPS.get(found.message), lost=found.message == queue.LOST,
                           error=found.message == queue.ERROR, refresh=REFRESH_SECONDS,
                           stale_seconds=int(queue.stale_after().total_seconds()))


@bp.route("/<int:id>/result")
def result(id: int):
    found = _job(id)
    data = db.session.scalar(sa.select(Job.result).where(Job.id == id))
    if data is None or not found.result_name:
        abort(404)
    return send_file(io.BytesIO(data), as_attachment=True, download_name=found.result_name,
                     mimetype=MIMETYPES.get(PurePosixPath(found.result_name).suffix,
                                            "application/octet-stream"))
