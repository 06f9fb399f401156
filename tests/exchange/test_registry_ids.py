"""The hidden Registry ID column: a row copied in Excel to add a record brings the ID of the row it
was copied from. Such a workbook is refused (the row to fix is named), never read as a rename that
moves the original's links; with the copy's ID cleared it adds a record; a lone ID on a new key is
still a rename."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from registry.cli import cli
from registry.consignees.models import Consignee, Contract, Entrustment
from registry.core.models import AuditEntry
from registry.exchange import pipeline, write
from registry.extensions import db
from tests import factories as f


def names() -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(sa.select(Consignee.name)))


def owner(model, reference: str) -> str:
    db.session.expire_all()
    return db.session.scalar(sa.select(Consignee.name).join(model, model.consignee_id == Consignee.id)
                             .where(model.reference == reference))


@pytest.fixture
def linked(app_ctx):
    """A consignee with an entrustment and a contract (linked by its name in the workbook)."""
    consignee = f.make_consignee(name="株式会社ひかり")
    f.make_entrustment(consignee=consignee, reference="ENT-1")
    f.make_contract(consignee=consignee, reference="CON-1")
    db.session.commit()  # the command ends its reading transaction before it writes
    return consignee


def copied(path: Path, target: Path, sheet_name: str, key: str, new_name: str,
           above: bool = False, keep_id: bool = True) -> tuple[Path, int, int]:
    """The exported workbook with the row of `key` copied (as Excel's copy and paste does, hidden
    Registry ID included) and the copy renamed; returns the path, the original's and the copy's
    row numbers."""
    book = openpyxl.load_workbook(path)
    sheet = book[sheet_name]
    original = next(row[0].row for row in sheet.iter_rows(min_row=2) if row[0].value == key)
    values = [cell.value for cell in sheet[original]]
    values[0] = new_name
    if not keep_id:
        values[-1] = None
    if above:
        sheet.insert_rows(original)
        for column, value in enumerate(values, start=1):
            sheet.cell(original, column, value)
        copy, original = original, original + 1
    else:
        sheet.append(values)
        copy = sheet.max_row
    book.save(target)
    return target, original, copy


@pytest.mark.parametrize("above", [False, True], ids=["copy-below", "copy-above"])
def test_a_copied_row_with_its_registry_id_is_refused(app, linked, tmp_path, above):
    exported = tmp_path / "export.xlsx"
    write.export(exported, "en")
    path, original, copy = copied(exported, tmp_path / "copied.xlsx", "Consignees",
                                  "株式会社ひかり", "株式会社みらい", above=above)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    for _attempt in range(2):  # importing it again changes nothing either
        result = app.test_cli_runner().invoke(cli, ["import", str(path)])
        assert result.exit_code == 1, result.output
        errors = result.stderr.splitlines()
        about = [line for line in errors if "Registry ID" in line]
        assert len(about) == 1, errors
        assert f"sheet “Consignees”, row {copy}, column “Registry ID”" in about[0]
        assert f"row {original} (“株式会社ひかり (JP)”)" in about[0]
        assert "clear the Registry ID of the copied row" in about[0]
        assert names() == ["株式会社ひかり"]
        assert owner(Entrustment, "ENT-1") == owner(Contract, "CON-1") == "株式会社ひかり"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before


def test_a_copied_row_without_its_registry_id_adds_a_record(app, linked, tmp_path):
    exported = tmp_path / "export.xlsx"
    write.export(exported, "ja")
    path, _original, _copy = copied(exported, tmp_path / "copied.xlsx", "委託先", "株式会社ひかり",
                                    "株式会社みらい", keep_id=False)
    result = app.test_cli_runner().invoke(cli, ["import", str(path)])
    assert result.exit_code == 0, result.output
    assert names() == ["株式会社ひかり", "株式会社みらい"]
    assert owner(Entrustment, "ENT-1") == owner(Contract, "CON-1") == "株式会社ひかり"
    again = app.test_cli_runner().invoke(cli, ["import", str(path)])
    assert again.exit_code == 0 and "Nothing to change" in again.output


def test_a_registry_id_on_another_existing_record_is_refused(app_ctx, tmp_path):
    """A row whose key names one record and whose Registry ID another: neither is renamed."""
    first = f.make_purpose(code="P1", title="給与計算")
    second = f.make_purpose(code="P2", title="採用")
    db.session.flush()
    exported = tmp_path / "export.xlsx"
    write.export(exported, "en")
    book = openpyxl.load_workbook(exported)
    sheet = book["Purposes of use"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    rows["P2"][-1].value = first.id  # P1's row was pasted over P2's, and its code typed back
    sheet.delete_rows(rows["P1"][0].row)
    book.save(tmp_path / "pasted.xlsx")
    plan = pipeline.plan_file(tmp_path / "pasted.xlsx")
    assert [str(issue) for issue in plan.issues] == [
        f"sheet “Purposes of use”, row 2, column “Registry ID” (value “{first.id}”): this is the Registry "
        f"ID of “P1”, but “P2” is another record (Registry ID {second.id}): if the row was copied "
        "from “P1”, clear its Registry ID; to rename “P1”, use a name or code no other record has"]
    with force_locale("ja"):
        issue = str(pipeline.plan_file(tmp_path / "pasted.xlsx").issues[0])
    assert "台帳ID" in issue and "「P1」" in issue
    assert not plan.renamed["purposes"], "neither record is renamed"


def test_copies_of_a_row_without_the_original_are_each_refused(app_ctx, tmp_path):
    """Two rows with the Registry ID of a record whose own row is gone: which is the copy is not
    known, so both are named."""
    f.make_purpose(code="P1", title="給与計算")
    db.session.flush()
    exported = tmp_path / "export.xlsx"
    write.export(exported, "en")
    path, original, copy = copied(exported, tmp_path / "copied.xlsx", "Purposes of use", "P1", "P9")
    book = openpyxl.load_workbook(path)
    book["Purposes of use"].cell(original, 1, "P8")
    book.save(path)
    plan = pipeline.plan_file(path)
    assert [(issue.row, issue.column) for issue in plan.issues] == [
        (original, "Registry ID"), (copy, "Registry ID")]
    assert f"the Registry ID of “P1” is also on row {copy}:" in str(plan.issues[0])
    assert f"the Registry ID of “P1” is also on row {original}:" in str(plan.issues[1])
    assert not plan.renamed["purposes"], "no row renames P1"


def test_the_readme_sheet_says_how_to_copy_a_row(app_ctx, tmp_path):
    path = tmp_path / "export.xlsx"
    write.export(path, "ja")
    readme = " ".join(str(cell.value) for cell in openpyxl.load_workbook(path)["説明"]["A"]
                      if cell.value)
    assert "clear the copy's Registry ID" in readme
    assert "コピーした行の台帳IDを消してください" in readme
