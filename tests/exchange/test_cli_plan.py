"""What `registry import` shows before it writes: besides the counts per sheet, the records it
creates and updates (each field old -> new), twenty per sheet unless --verbose asks for all, and
every record --sync would delete."""

from __future__ import annotations

import sqlalchemy as sa

from registry.cli import cli
from registry.core.models import AuditEntry
from registry.extensions import db
from registry.inventory.models import Purpose
from tests import factories as f
from tests.exchange.helpers import workbook

PURPOSES = ["Code", "Purpose of use", "Status"]


def imported(app, path, *options: str):
    return app.test_cli_runner().invoke(cli, ["import", str(path), *options])


def test_updates_are_shown_field_by_field(app, app_ctx, tmp_path):
    f.make_consignee(name="株式会社ひかり", address="東京都千代田区", risk_tier="medium")
    db.session.flush()
    path = workbook(tmp_path / "consignees.xlsx", {"Consignees": [
        ["Name", "Country", "Address", "Risk tier", "Cross-border basis confirmed on"],
        ["株式会社ひかり", "JP", "大阪府大阪市", "high", "2026-04-01"],
        ["株式会社みらい", "JP", None, None, None],
    ]})
    result = imported(app, path, "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Consignees: 1 new, 1 updated, 0 unchanged"
    assert lines[1] == ("  update 株式会社ひかり (JP) (row 2): Address: 東京都千代田区 → 大阪府大阪市; "
                        "Risk tier: Medium → High; Cross-border basis confirmed on: — → 2026-04-01")
    assert lines[2] == "  new 株式会社みらい (JP) (row 3)"


def test_twenty_records_a_sheet_unless_verbose(app, app_ctx, tmp_path):
    rows = [[f"P{n:02d}", f"目的 {n}", "active"] for n in range(1, 26)]
    path = workbook(tmp_path / "purposes.xlsx", {"Purposes": [PURPOSES, *rows]})
    short = imported(app, path, "--dry-run").stdout.splitlines()
    assert [line for line in short if line.startswith("  new ")] == [
        f"  new P{n:02d} (row {n + 1})" for n in range(1, 21)]
    assert "  … and 5 more (--verbose shows all)" in short
    full = imported(app, path, "--dry-run", "--verbose").stdout.splitlines()
    assert [line for line in full if line.startswith("  new ")] == [
        f"  new P{n:02d} (row {n + 1})" for n in range(1, 26)]
    assert not any("more (--verbose" in line for line in full)


def test_sync_names_every_record_it_would_delete(app, app_ctx, tmp_path):
    for n in range(1, 26):
        f.make_purpose(code=f"OLD{n:02d}", title=f"古い目的 {n}")
    f.make_purpose(code="KEEP", title="残す目的", status="retired")
    db.session.commit()  # the command ends its reading transaction before it writes
    path = workbook(tmp_path / "keep.xlsx", {"Purposes": [PURPOSES, ["KEEP", "残す目的", "active"]]})
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    dry = imported(app, path, "--sync", "--dry-run")
    assert dry.exit_code == 0, dry.output
    lines = dry.stdout.splitlines()
    assert lines[0] == "Purposes: 0 new, 1 updated, 0 unchanged, 25 deleted"
    assert lines[1] == "  update KEEP (row 2): Status: Retired → In use"
    assert [line for line in lines if line.startswith("  delete ")] == [
        f"  delete OLD{n:02d}" for n in range(1, 26)], "every deletion is named, not only twenty"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before
    applied = imported(app, path, "--sync")
    assert applied.exit_code == 0 and "  delete OLD25" in applied.stdout
    db.session.expire_all()
    assert db.session.scalars(sa.select(Purpose.code)).all() == ["KEEP"]


def test_a_long_or_multi_line_value_is_shown_on_one_short_line(app, app_ctx, tmp_path):
    f.make_purpose(code="P1", title="給与計算", description="短い説明")
    db.session.flush()
    path = workbook(tmp_path / "long.xlsx", {"Purposes": [
        ["Code", "Purpose of use", "Description"],
        ["P1", "給与計算", "一行目\n二行目 " + "あ" * 100],
    ]})
    lines = imported(app, path, "--dry-run").stdout.splitlines()
    assert lines[1].startswith("  update P1 (row 2): Description: 短い説明 → 一行目 二行目 ああ")
    assert lines[1].endswith("…") and len(lines[1]) < 110
