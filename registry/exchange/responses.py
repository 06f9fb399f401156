"""Responses shared by the pages that send and receive workbooks."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from flask import render_template, send_file

from registry.exchange import uploads
from registry.exchange.guard import Refused

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


def refused(token: str, meta: dict, refusal: Refused):
    """The page saying why an uploaded workbook was not read; the upload is discarded."""
    uploads.discard(token)
    return render_template("exchange/refused.html", filename=meta["filename"],
                           reason=str(refusal)), 422
