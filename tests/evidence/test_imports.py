"""Files are attached in the registry alone, so the workbook import never deletes a record with
files (--sync refuses, naming them) nor reverts a batch whose records got files since."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from registry.cli import cli
from registry.consignees.models import Contract
from registry.core import audit
from registry.core.models import Role
from registry.evidence import services
from registry.exchange import pipeline
from registry.exchange.apply import RevertRefused, apply, revert
from registry.extensions import db
from registry.supervision.models import Finding
from tests import factories as f
from tests.evidence import files
from tests.exchange.helpers import workbook


def test_a_sync_import_does_not_delete_a_record_with_files(app, app_ctx, tmp_path):
    consignee = f.make_consignee(name="保管会社")
    f.make_contract(consignee=consignee, reference="CON-KEEP")
    kept = f.make_contract(consignee=consignee, reference="CON-FILED")
    audit.act_as("cli:test", Role.EDITOR)
    services.attach(kept, "contract.pdf", files.pdf(), "contract")
    db.session.commit()
    path = workbook(tmp_path / "contracts.xlsx", {"Contracts": [
        ["Reference", "Consignee", "Type"], ["CON-KEEP", "保管会社", "service"]]})
    refused = app.test_cli_runner().invoke(cli, ["import", "--sync", str(path)])
    assert refused.exit_code == 1, refused.output
    assert ("(value “CON-FILED”): cannot be deleted: 1 records of “Attached files” in the "
            "registry refer to it") in refused.output
    db.session.expire_all()
    assert db.session.get(Contract, kept.id) is not None


def test_a_batch_whose_record_got_a_file_since_is_not_reverted(app_ctx, tmp_path):
    check = f.make_check(reference="CHK-R")
    db.session.flush()
    path = workbook(tmp_path / "findings.xlsx", {"Findings": [
        ["Reference", "Supervision check", "Description", "Severity"],
        ["FND-R", "CHK-R", "持ち出し記録なし", "High"]]})
    batch = apply(pipeline.plan_file(path), "findings.xlsx", path.read_bytes())
    db.session.flush()
    finding = db.session.scalar(sa.select(Finding).where(Finding.reference == "FND-R"))
    assert finding.check == check
    services.attach(finding, "remediation.pdf", files.pdf(), "remediation")
    with pytest.raises(RevertRefused, match="changed since"):
        revert(batch)
