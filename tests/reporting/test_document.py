"""The quarterly report as a document to keep (issue 16): a readable severity column, times in the
registry's time zone, the record pages' own terms, counts that add up, a cover and a one-page
summary against the previous quarter, and the PDF from the command and the web."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from registry.cli import cli
from registry.core.clock import local_day
from registry.core.schema import describe_model
from registry.extensions import db
from registry.reporting import document, quarterly, snapshots, workbook
from registry.reporting.models import ReportSnapshot
from registry.reporting.presentation import SECTIONS, TABLES, present
from registry.reporting.quarters import Quarter
from registry.supervision.models import CheckKind, CheckResult, Finding, Severity, SupervisionCheck
from tests import factories as f
from tests.reporting.test_quarterly import dated_registry, figures

Q2 = Quarter(2026, 2, 4)
COMPANY = "株式会社サンプル商事"


@pytest.fixture
def company(app):
    app.config["COMPANY_NAME"] = COMPANY
    yield COMPANY
    app.config["COMPANY_NAME"] = ""


def in_language(client, language: str):
    assert client.post("/language", {"language": language}, form_url="/").status_code == 302
    return client


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    text = response.get_data(as_text=True)
    response.close()
    return text


class Tables(HTMLParser):
    """The tables of a page: the heading before each, its column heads, its rows (cell texts)."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: list[dict] = []
        self.heading = ""
        self._text: list[str] | None = None
        self._tag = ""
        self._in_head = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h2", "h3", "th", "td", "option"):
            self._text, self._tag = [], tag
        if tag == "table":
            self.tables.append({"heading": self.heading, "head": [], "rows": []})
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self.tables and not self._in_head:
            self.tables[-1]["rows"].append([])

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "thead":
            self._in_head = False
        if tag != self._tag or self._text is None:
            return
        text = " ".join("".join(self._text).split())
        self._text = None
        if tag in ("h1", "h2", "h3"):
            self.heading = text
        elif tag == "th":
            self.tables[-1]["head"].append(text)
        elif tag == "td":
            self.tables[-1]["rows"][-1].append(text)

    def table(self, heading: str) -> dict:
        found = [t for t in self.tables if t["heading"].startswith(heading)]
        assert found, f"no table under “{heading}” in {[t['heading'] for t in self.tables]}"
        return found[0]

    def rows(self, heading: str) -> dict[str, list[str]]:
        """A figures table as {label: [this quarter, previous, change]}."""
        return {row[0]: row[1:] for row in self.table(heading)["rows"]}


# -- the severity column is readable ----------------------------------------------------------

WHITE = (1.0, 1.0, 1.0)


class StaticFiles(URLFetcher):
    """Serves the page's stylesheet as the app would (the page links it), and nothing else."""

    def __init__(self, folder: str):
        super().__init__(fail_on_errors=True)
        self.folder = Path(folder)

    def fetch(self, url, headers=None):
        assert url == "http://registry.test/static/registry.css", url
        return URLFetcherResponse(url, (self.folder / "registry.css").read_bytes(),
                                  {"Content-Type": "text/css"})


def luminance(rgb: tuple[float, ...]) -> float:
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: tuple[float, ...], other: tuple[float, ...]) -> float:
    """The WCAG contrast ratio of two colours (1 when equal; 4.5 is enough for small text)."""
    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def severity_cells(html: str, media: str, static: str, heading: str) -> list[tuple[str, float]]:
    """Each cell of the tables' Severity columns as WeasyPrint lays the page out for the medium:
    its text and the contrast of the text's colour with what is drawn behind it."""
    rendered = HTML(string=html, base_url="http://registry.test/", media_type=media,
                    url_fetcher=StaticFiles(static)).render()
    found: list[tuple[str, float]] = []

    def background(box, behind):
        color = box.style["background_color"]
        return tuple(color.to("srgb").coordinates) if color.alpha > 0 else behind

    def texts(box, behind):
        behind = background(box, behind)
        if hasattr(box, "text"):
            yield box.text, contrast(tuple(box.style["color"].to("srgb").coordinates), behind)
        for child in getattr(box, "children", ()):
            yield from texts(child, behind)

    def walk(box, behind):
        behind = background(box, behind)
        if box.element_tag == "table" and type(box).__name__ == "TableBox":
            groups = box.children
            head = [g for g in groups if g.element_tag == "thead"]
            labels = ["".join(t for t, _ in texts(cell, behind)).strip()
                      for cell in head[0].children[0].children] if head else []
            if heading in labels:
                column = labels.index(heading)
                for group in groups:
                    if group.element_tag == "tbody":
                        for row in group.children:
                            cell = row.children[column]
                            parts = list(texts(cell, background(row, background(group, behind))))
                            found.append(("".join(t for t, _ in parts).strip(),
                                          min((c for t, c in parts if t.strip()), default=0)))
            return
        for child in getattr(box, "children", ()):
            walk(child, behind)

    for page in rendered.pages:
        walk(page._page_box, WHITE)
    return found


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_severity_column_is_readable_on_the_page_the_download_and_the_pdf(app, app_ctx, as_role,
                                                                               language):
    dated_registry()  # a finding of medium severity open at the end of Q2
    db.session.commit()
    viewer = in_language(as_role("viewer"), language)
    heading = describe_model(Finding).by_name["severity"].label.in_language(language)
    page = text_of(viewer.get("/reports/quarterly?quarter=FY2026-Q2"))
    download = text_of(viewer.get("/reports/quarterly.html?quarter=FY2026-Q2"))
    for html, media in ((page, "screen"), (download, "screen"), (download, "print")):
        cells = severity_cells(html, media, app.static_folder, heading)
        shown = {text for text, _ in cells}
        assert Severity.MEDIUM.label.in_language(language) in shown, (media, cells)
        assert Severity.CRITICAL.label.in_language(language) in shown, "the checks' severities too"
        for text, ratio in cells:
            assert ratio >= 4.5, f"“{text}” is hard to read ({media}): contrast {ratio:.2f}"


# -- times in the registry's time zone --------------------------------------------------------

def test_times_are_shown_in_the_registrys_time_zone(app, app_ctx, tmp_path):
    """A report generated at 23:30 UTC was generated at 08:30 the next morning in Tokyo, and its
    day (the day 'at quarter end' figures are taken in a quarter in progress) is that day too."""
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Tokyo"
    assert local_day(datetime(2026, 9, 30, 23, 30)) == date(2026, 10, 1)
    check = f.make_check(checked_on=date(2026, 8, 1), result=CheckResult.PASS_WITH_FINDINGS)
    f.make_finding(check=check, due_on=date(2026, 8, 14))  # past due on the 15th in Tokyo
    report = quarterly.build(Q2, now=datetime(2026, 8, 14, 23, 30))
    assert report["generated_at"] == "2026-08-14T23:30:00", "stored in UTC"
    assert report["as_of"] == "2026-08-15"
    assert figures(report)["findings.past_due_at_end"][0] == 1
    for language in ("en", "ja"):
        with app.test_request_context(), force_locale(language):
            html = document.html(report)
            workbook.write(report, tmp_path / f"{language}.xlsx")
        assert "2026-08-15 08:30 (Asia/Tokyo)" in html and "23:30" not in html
        assert "2026-08-15" in html.split('class="report-note"')[1][:300], "as of the day in Tokyo"
        summary = openpyxl.load_workbook(tmp_path / f"{language}.xlsx").worksheets[0]
        cells = [c for row in summary.iter_rows(values_only=True) for c in row if isinstance(c, str)]
        assert "2026-08-15 08:30 (Asia/Tokyo)" in cells and not any("23:30" in c for c in cells)


# -- the record pages' terms ------------------------------------------------------------------

#: words the report used where the record pages say otherwise
OLD_TERMS = {"en": ("Management number", "Failed", "Passed with findings", "Selection assessments"),
             "ja": ("不合格", "指摘事項ありで合格")}


def heads(table: dict) -> list[str]:
    """A table's column heads, without the sort arrow of a list page."""
    return [head.rstrip(" ▲▼") for head in table["head"]]


def row_of(table: dict, first: str) -> dict[str, str]:
    """The row whose first cell is given, by column head."""
    row = next(row for row in table["rows"] if row[0] == first)
    return dict(zip(heads(table), row, strict=True))


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_report_uses_the_record_pages_terms(app_ctx, as_role, language):
    firm = f.make_consignee()
    f.make_entrustment(consignee=firm, start_on=date(2025, 4, 1))
    failed = f.make_check(consignee=firm, checked_on=date(2026, 8, 3), result=CheckResult.FAIL,
                          kind=CheckKind.AD_HOC)
    finding = f.make_finding(check=failed, severity=Severity.HIGH, due_on=date(2026, 9, 1))
    leaver = f.make_employee(status="departed", departed_on=date(2026, 8, 31))
    db.session.commit()
    viewer = in_language(as_role("viewer"), language)
    page = text_of(viewer.get("/reports/quarterly?quarter=FY2026-Q2"))
    report = Tables(page)
    with force_locale(language):
        titles = {key: str(TABLES[key]) for key in TABLES}
        sections = {key: str(SECTIONS[key]) for key in SECTIONS}

    checks = Tables(text_of(viewer.get("/checks/"))).tables[0]
    done = report.table(titles["checks_done"])
    assert set(heads(done)) <= set(heads(checks)), "every column named as the checks list names it"
    shown, listed = row_of(done, failed.reference), row_of(checks, failed.reference)
    assert {k: shown[k] for k in shown if k in listed} == {k: listed[k] for k in shown if k in listed}
    result = describe_model(SupervisionCheck).by_name["result"].label.in_language(language)
    fail = CheckResult.FAIL.label.in_language(language)
    assert shown[result] == fail

    findings = Tables(text_of(viewer.get("/findings/"))).tables[0]
    still_open = report.table(titles["open_at_end"])
    shown, listed = row_of(still_open, finding.reference), row_of(findings, finding.reference)
    common = set(heads(still_open)) & set(heads(findings))
    assert len(common) == 4, "reference, severity, due date and status, named alike"
    assert {k: shown[k] for k in common} == {k: listed[k] for k in common}

    employees = Tables(text_of(viewer.get("/employees/"))).tables[0]
    departures = report.table(titles["departures"])
    shown, listed = row_of(departures, leaver.number), row_of(employees, leaver.number)
    assert heads(departures)[:2] == heads(employees)[:2] and shown[heads(employees)[1]] == leaver.name

    # the checks by result: the result field's label and the choice's, as the checks list shows them
    assert f'<option value="fail">{fail} (1)</option>' in \
        text_of(viewer.get("/checks/")), "the option, with its count"
    assert report.rows(f"2. {sections['checks']}")[f"{result}: {fail}"][:2] == ["1", "0"]
    for old in OLD_TERMS[language]:
        assert old not in page


# -- counts that add up -----------------------------------------------------------------------

def test_checks_by_result_include_those_passed_and_add_up_to_the_checks_done(app_ctx, as_role):
    dated_registry()
    firm = f.make_consignee(risk_tier="low")
    f.make_entrustment(consignee=firm, start_on=date(2026, 1, 1))
    for result, day in ((CheckResult.PASS, date(2026, 7, 2)), (CheckResult.PASS, date(2026, 7, 3)),
                        (CheckResult.FAIL, date(2026, 9, 1)), (CheckResult.PENDING, date(2026, 9, 30)),
                        (CheckResult.PASS, date(2026, 6, 30))):
        f.make_check(consignee=firm, checked_on=day, result=result, kind=CheckKind.AD_HOC)
    db.session.commit()
    got = figures(quarterly.build(Q2))
    assert got["checks.passed"] == (2, 1) and got["checks.with_findings"] == (1, 0)
    assert got["checks.failed"] == (1, 0) and got["checks.pending"] == (1, 1)
    assert got["checks.done"] == (5, 2)
    for period in (0, 1):
        done = got["checks.done"][period]
        assert done == sum(got[f"checks.{r}"][period] for r in ("passed", "with_findings", "failed",
                                                                 "pending"))
        assert done == sum(got[f"checks.{k}"][period] for k in ("selection", "periodic", "ad_hoc"))
        assert got["consignees.engaged"][period] == sum(
            got[f"consignees.tier_{t}"][period] for t in ("high", "medium", "low"))
        assert got["findings.open_at_end"][period] == sum(
            got[f"findings.age_{a}"][period] for a in ("30", "90", "180", "older"))
    rows = Tables(text_of(as_role("viewer").get("/reports/quarterly?quarter=FY2026-Q2"))) \
        .rows("2. Supervision checks")
    assert rows["Result: Pass"] == ["2", "1", "+1"] and rows["Checks done"] == ["5", "2", "+3"]


# -- the cover and the one-page summary -------------------------------------------------------

def test_the_cover_and_the_summary_compare_two_quarters(app_ctx, as_role, company):
    dated_registry()
    db.session.commit()
    html = text_of(as_role("editor").get("/reports/quarterly.html?quarter=FY2026-Q2"))
    cover = html.split('<header class="report-cover">')[1].split("</header>")[0]
    facts = dict(re.findall(r"<dt>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", cover, re.S))
    assert f'<p class="report-company">{COMPANY}</p>' in cover
    assert "Quarterly supervision report FY2026-Q2" in cover
    assert facts["Period"] == "2026-07-01 to 2026-09-30"
    assert facts["Compared with"] == "FY2026-Q1 (2026-04-01 to 2026-06-30)"
    assert facts["Generated by"] == "editor1" and facts["Generated at"].endswith("(Asia/Tokyo)")
    assert "in progress" not in cover, "Q2 2026 is over"

    summary = Tables(html).rows("Summary")
    assert summary["Checks done"] == ["1", "1", "±0"]
    assert summary["Findings resolved"] == ["1", "0", "+1"]
    assert summary["Contracts expired without renewal"] == ["1", "0", "+1"]
    assert summary["Employees departed"] == ["1", "0", "+1"]
    assert summary["Training coverage (%)"] == ["100.0", "0.0", "+100"]
    assert len(summary) == 25 and "Open results: Medium" in summary
    trend = {f.label: f.trend for f in present(quarterly.build(Q2)).summary}
    assert trend["Findings resolved"] == "better" and trend["Contracts expired without renewal"] == "worse"
    assert re.search(r'class="num change better">\+1</td>', html)
    assert re.search(r'class="num change worse">\+1</td>', html)
    assert html.count("<svg") == 1 + 11, "the summary's chart and one a section"


# -- the PDF ----------------------------------------------------------------------------------

def pdf_text(data: bytes) -> tuple[PdfReader, list[str]]:
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    return reader, [page.extract_text() for page in reader.pages]


def fonts(reader: PdfReader) -> set[str]:
    """The fonts the pages draw with (without the subset prefix)."""
    found = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            found.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return found


@pytest.mark.parametrize(("language", "title", "summary"), [
    ("ja", "四半期監督報告書 FY2026-Q2", "概要"),
    ("en", "Quarterly supervision report FY2026-Q2", "Summary"),
])
def test_the_command_writes_the_report_as_pdf(app, app_ctx, tmp_path, company, language, title, summary):
    dated_registry()
    out = tmp_path / "FY2026-Q2.pdf"
    result = app.test_cli_runner().invoke(cli, ["report", "quarterly", "FY2026-Q2", "--out", str(out),
                                                "--language", language])
    assert result.exit_code == 0, result.output
    reader, pages = pdf_text(out.read_bytes())
    assert len(pages) >= 4, "a cover, the summary, the sections"
    assert title in pages[0] and COMPANY in pages[0] and "(Asia/Tokyo)" in pages[0]
    assert summary in pages[1] and f"{COMPANY} {title}" in pages[1], "the running header"
    assert f"{COMPANY} {title}" not in pages[0], "none on the cover"
    assert all(re.search(rf"\b{n} / {len(pages)}\b", text) for n, text in enumerate(pages, 1)), \
        "every page numbered"
    assert all("委託先" in text or "Consignee" in text for text in pages[2:3]), \
        "the summary keeps to one page"
    assert all(font.startswith("Noto-Sans-CJK-JP") for font in fonts(reader)), fonts(reader)
    assert oct(out.stat().st_mode & 0o777) == "0o600"


def test_the_pdf_download(app_ctx, as_role):
    dated_registry()
    db.session.commit()
    viewer = in_language(as_role("viewer"), "ja")
    response = viewer.get("/reports/quarterly.pdf?quarter=FY2026-Q2")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="supervision-report-FY2026-Q2.pdf"'
    _, pages = pdf_text(response.data)
    response.close()
    assert "四半期監督報告書 FY2026-Q2" in pages[0] and "viewer1" in pages[0]

    assert as_role("editor").post("/reports/snapshots", {"quarter": "FY2026-Q2"},
                                  form_url="/reports/quarterly?quarter=FY2026-Q2").status_code == 302
    snapshot = db.session.scalar(sa.select(ReportSnapshot))
    page = text_of(viewer.get(f"/reports/snapshots/{snapshot.id}"))
    assert f"/reports/snapshots/{snapshot.id}.pdf" in page
    response = viewer.get(f"/reports/snapshots/{snapshot.id}.pdf")
    assert response.mimetype == "application/pdf" and "attachment" in response.headers["Content-Disposition"]
    _, pages = pdf_text(response.data)
    response.close()
    assert f"#{snapshot.id}" in pages[0] and snapshot.digest[:32] in pages[0].replace("\n", "")
    assert "editor1" in pages[0], "generated by whoever saved it"
    page = text_of(viewer.get("/reports/quarterly?quarter=FY2026-Q2"))
    assert 'action="/reports/quarterly.pdf"' in page, "the live report's PDF is made by a job"
    assert 'name="quarter" value="FY2026-Q2"' in page


@pytest.mark.slow
def test_the_pdf_pages_render_as_images_that_are_not_blank(app, app_ctx, tmp_path, company):
    """Each page drawn as poppler draws it (pdftoppm): grey pixels, not an empty page."""
    assert shutil.which("pdftoppm"), "poppler-utils (make chromium installs it)"
    dated_registry()
    out = tmp_path / "report.pdf"
    assert app.test_cli_runner().invoke(cli, ["report", "quarterly", "FY2026-Q2", "--out", str(out),
                                              "--language", "ja"]).exit_code == 0
    subprocess.run(["pdftoppm", "-gray", "-r", "40", str(out), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.pgm"))
    assert len(images) == len(PdfReader(out).pages) >= 4
    for image in images:
        header, pixels = _pgm(image.read_bytes())
        inked = sum(1 for value in pixels if value < 200) / len(pixels)
        assert 0.002 < inked < 0.5, f"{image.name}: {inked:.2%} of the page inked"


def _pgm(data: bytes) -> tuple[list[bytes], bytes]:
    """A binary PGM image's header fields (P5, width, height, maximum) and its pixels."""
    fields = data.split(maxsplit=4)
    return fields[:4], fields[4]


def test_a_snapshot_saved_before_reports_had_a_cover_still_shows(app_ctx, as_role, company):
    """Snapshots keep the report as it was: one saved before the cover and the checks passed
    shows with who saved it, and without the rows it did not have."""
    dated_registry()
    content = quarterly.build(Q2)
    for key in ("generated_by", "company"):
        del content[key]
    for section in content["sections"]:
        section["figures"] = [row for row in section["figures"] if row[0] not in ("passed", "pending")]
    saved = snapshots.save(content)
    db.session.commit()
    html = text_of(as_role("viewer").get(f"/reports/snapshots/{saved.id}"))
    cover = html.split('<header class="report-cover">')[1].split("</header>")[0]
    facts = dict(re.findall(r"<dt>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", cover, re.S))
    assert facts["Generated by"] == saved.created_by and COMPANY in cover
    assert "Result: Fail" in html and "Result: Pass<" not in html
