"""A finding of high or critical severity is resolved only with its evidence attached: the rule
of supervision.rules, kept by the form and by the workbook import alike, and a file that is a
resolved finding's only evidence stays."""

from __future__ import annotations

import html
import io
import re

import pytest
import sqlalchemy as sa

from registry.cli import cli
from registry.evidence.models import Attachment
from registry.exchange import pipeline
from registry.extensions import db
from registry.supervision.models import Finding, FindingStatus
from tests import factories as f
from tests.evidence import files
from tests.evidence.conftest import attach
from tests.exchange.helpers import workbook

NEEDS_EVIDENCE = ("A finding of high or critical severity is resolved only with its evidence: "
                  "attach the file that shows the remediation to the finding first.")
ERROR = re.compile(r'<p class="error"[^>]*>(.*?)</p>', re.S)


def resolve(client, finding, **changes):
    data = {"reference": finding.reference, "check": finding.check_id,
            "description": finding.description, "severity": finding.severity.value,
            "status": "resolved", "resolution": "誓約書を回収した", **changes}
    return client.post(f"/findings/{finding.id}/edit", data)


def messages(response) -> list[str]:
    return [html.unescape(m).strip() for m in ERROR.findall(response.get_data(as_text=True))]


def status(finding) -> FindingStatus:
    db.session.expire_all()
    return db.session.get(Finding, finding.id).status


def findings_workbook(tmp_path, rows) -> object:
    header = ["Reference", "Supervision check", "Description", "Severity", "Status", "Resolution"]
    return workbook(tmp_path / "findings.xlsx", {"Findings": [header] + [
        [finding.reference, finding.check.reference, finding.description, severity, state,
         "誓約書を回収した"] for finding, severity, state in rows]})


@pytest.mark.parametrize("severity", ["high", "critical"])
def test_the_form_resolves_a_serious_finding_only_with_its_evidence(app_ctx, as_role, severity):
    finding = f.make_finding(severity=severity, status="in_progress")
    db.session.commit()
    editor = as_role("editor")
    refused = resolve(editor, finding)
    assert refused.status_code == 200 and messages(refused) == [NEEDS_EVIDENCE]
    assert status(finding) == FindingStatus.IN_PROGRESS
    assert attach(editor, "findings", finding.id, "是正報告書.docx", files.docx(),
                  kind="remediation").status_code == 302
    assert resolve(editor, finding).status_code == 302
    assert status(finding) == FindingStatus.RESOLVED


def test_lesser_findings_and_accepted_risks_need_no_file(app_ctx, as_role):
    medium = f.make_finding(severity="medium")
    high = f.make_finding(severity="high")
    db.session.commit()
    assert resolve(as_role("editor"), medium).status_code == 302
    assert resolve(as_role("admin"), high, status="accepted").status_code == 302
    assert status(medium) == FindingStatus.RESOLVED and status(high) == FindingStatus.ACCEPTED


def test_a_resolved_finding_raised_to_high_needs_its_evidence(app_ctx, as_role):
    finding = f.make_finding(severity="low", status="resolved")
    db.session.commit()
    refused = resolve(as_role("editor"), finding, severity="high")
    assert messages(refused) == [NEEDS_EVIDENCE]


def test_the_workbook_import_resolves_a_serious_finding_only_with_its_evidence(
        app, app_ctx, as_role, tmp_path):
    finding = f.make_finding(severity="high", status="in_progress")
    medium = f.make_finding(severity="medium", status="in_progress")
    db.session.commit()
    path = findings_workbook(tmp_path, [(finding, "High", "Resolved"),
                                        (medium, "Medium", "Resolved")])
    plan = pipeline.plan_file(path)
    assert [(issue.row, issue.column, issue.message) for issue in plan.issues] == [
        (2, "Status", NEEDS_EVIDENCE)]
    editor = as_role("editor")
    uploaded = editor.post("/exchange/import", {"workbook": (io.BytesIO(path.read_bytes()),
                                                             "findings.xlsx")},
                           form_url="/exchange/", content_type="multipart/form-data")
    preview = html.unescape(editor.get(uploaded.headers["Location"]).get_data(as_text=True))
    assert NEEDS_EVIDENCE in preview and "Apply these changes" not in preview
    refused = app.test_cli_runner().invoke(cli, ["import", str(path)])
    assert refused.exit_code == 1 and NEEDS_EVIDENCE in refused.output
    assert status(finding) == FindingStatus.IN_PROGRESS
    assert status(medium) == FindingStatus.IN_PROGRESS

    attach(editor, "findings", finding.id, "remediation.pdf", files.pdf(), kind="remediation")
    assert pipeline.plan_file(path).valid
    applied = app.test_cli_runner().invoke(cli, ["import", str(path)])
    assert applied.exit_code == 0, applied.output
    assert status(finding) == FindingStatus.RESOLVED


def test_the_only_evidence_of_a_resolved_finding_stays(app_ctx, as_role):
    finding = f.make_finding(severity="critical", status="in_progress")
    db.session.commit()
    editor = as_role("editor")
    attach(editor, "findings", finding.id, "first.pdf", files.pdf(), kind="remediation")
    attach(editor, "findings", finding.id, "second.png", files.png(), kind="remediation")
    assert resolve(editor, finding).status_code == 302
    first, second = db.session.scalars(sa.select(Attachment.id).order_by(Attachment.id))
    assert editor.post(f"/attachments/{first}/remove").status_code == 302, "another file stays"
    page = html.unescape(editor.get(f"/attachments/{second}/remove").get_data(as_text=True))
    assert "it stays as the finding's evidence" in page and 'class="danger"' not in page
    refused = editor.post(f"/attachments/{second}/remove", form_url=f"/findings/{finding.id}")
    assert refused.status_code == 409
    assert list(db.session.scalars(sa.select(Attachment.id))) == [second]
