"""The report as a document to keep: one HTML file with its styles inside, and the PDF that
WeasyPrint makes of it (A4, a cover, running header and footer, page numbers).

The PDF is drawn from that HTML alone: its fetcher refuses every URL, so making it never
reaches the network or the disk, whatever a record's text holds."""

from __future__ import annotations

import functools
from pathlib import Path

from flask import current_app, render_template

from registry.reporting.models import ReportSnapshot
from registry.reporting.presentation import present

PDF = "application/pdf"


def html(report: dict, snapshot: ReportSnapshot | None = None) -> str:
    """The report (a snapshot's, if given) as one HTML file in the current language."""
    saved_by = snapshot.created_by if snapshot is not None else ""
    return render_template("reporting/standalone.html", doc=present(report, saved_by),
                           snapshot=snapshot, css=_stylesheet(current_app.static_folder))


def pdf(report: dict, snapshot: ReportSnapshot | None = None) -> bytes:
    """The report (a snapshot's, if given) as a PDF in the current language."""
    # imported here: WeasyPrint takes a second to load, which pages and commands that make no
    # PDF need not wait for
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class FetchNothing(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"the report's PDF fetches nothing, not {url}")

    return HTML(string=html(report, snapshot), url_fetcher=FetchNothing(fail_on_errors=True),
                media_type="print").write_pdf()


@functools.cache
def _stylesheet(folder: str) -> str:
    return (Path(folder) / "registry.css").read_text()
