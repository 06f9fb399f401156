"""Responses shared by the pages that send and receive workbooks."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from flask import render_template, send_file

from registry.core import transactions
from registry.exchange import uploads
from registry.exchange.guard import Refused
from registry.extensions import db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send_workbook(write: Callable[[Path], object], filename: str):
    """Write a workbook to a temporary file and send it as a download (the file is unlinked at
    once; the open handle keeps its data until the response is sent)."""
    descriptor, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(descriptor)
    try:
        write(Path(path))
        data = open(path, "rb")  # noqa: SIM115 - send_file closes it
    finally:
        os.unlink(path)
    return send_file(data, mimetype=XLSX, as_attachment=True, download_name=filename)


def refused(token: str, filename: str, refusal: Refused):
    """The page saying why an uploaded workbook was not read; the upload is discarded."""
    db.session.rollback()  # end what the page read (maybe a snapshot): the discard writes
    with transactions.writing():
        uploads.discard(token)
        db.session.commit()
    return render_template("exchange/refused.html", filename=filename, reason=str(refusal)), 422
