"""Import: messy ledgers read, every problem located, plans previewed, batches applied and reverted."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from openpyxl.utils import get_column_letter

from registry.cli import cli
from registry.consignees.models import Consignee, Contract
from registry.core import operations
from registry.core.models import AuditEntry
from registry.exchange import pipeline, write
from registry.exchange.apply import RevertRefused, apply, revert
from registry.exchange.models import ImportBatch
from registry.extensions import db
from registry.inventory.models import Purpose
from registry.people.models import Employee
from tests import factories as f
from tests.exchange.helpers import workbook

EMPLOYEE_HEADERS = ["氏名", "社員番号", "部署", "在籍状況", "退職日", "誓約書提出日", "最終研修日"]


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_messy_ledger_is_read(app_ctx, tmp_path):
    path = workbook(tmp_path / "ledger.xlsx", {
        "従業者": [
            ["個人情報管理台帳（従業者）"],
            ["作成：総務部　2025年4月"],
            [],
            EMPLOYEE_HEADERS,
            ["山田 太郎", "Ｅ００１", "総務部", "在籍", None, "令和7年4月1日", "R6.7.12"],
            ["佐藤 花子", "E002", "開発部\u202e", "退職", "２０２５／３／３１", date(2020, 4, 1), 45000],
            [None, None, None, None, None, None, None],
            ["鈴木 一郎", "E003", "営業部\x85\x9f", "active", None, "2024年7月12日", "平成31年4月30日"],
        ],
    })
    plan = pipeline.plan_file(path)
    assert plan.valid, [str(i) for i in plan.issues]
    rows = {row.key[0]: row.values for row in plan.sheets[0].rows}
    assert set(rows) == {"E001", "E002", "E003"}
    assert rows["E001"]["pledge_signed_on"] == date(2025, 4, 1)
    assert rows["E001"]["last_training_on"] == date(2024, 7, 12)
    assert rows["E002"]["status"] == "departed" and rows["E002"]["departed_on"] == date(2025, 3, 31)
    assert rows["E002"]["last_training_on"] == date(2023, 3, 15)
    assert rows["E003"]["last_training_on"] == date(2019, 4, 30)
    assert rows["E003"]["department"] == "営業部", "control characters (C0 and C1) are removed"
    assert rows["E002"]["department"] == "開発部", "and so are bidirectional overrides"
    assert plan.sheets[0].rows[0].row == 5, "rows keep their Excel row numbers"


def test_every_problem_is_reported_with_its_place(app_ctx, tmp_path):
    path = workbook(tmp_path / "bad.xlsx", {
        "Employees": [
            ["Employee number", "Name", "Status", "Last training", "Departed on"],
            ["E1", "", "active", "2024-02-30", None],
            ["E2", "Ann", "retired", "令和7年13月1日", None],
            ["E3", "Bob", "departed", None, None],
            ["E1", "Dup", "active", None, None],
        ],
        "Access grants": [
            ["Employee number", "Data category", "System", "Access level"],
            ["E9", "存在しない項目", "CRM", "read"],
        ],
    })
    plan = pipeline.plan_file(path)
    found = {(i.sheet, i.row, i.column) for i in plan.issues}
    assert ("Employees", 2, "Name") in found
    assert ("Employees", 2, "Last training") in found
    assert ("Employees", 3, "Status") in found
    assert ("Employees", 3, "Last training") in found
    assert ("Employees", 4, "Departed on") in found
    assert ("Access grants", 2, "Employee number") in found
    assert ("Access grants", 2, "Data category") in found
    messages = " | ".join(str(i) for i in plan.issues)
    assert ("row 3, column “Status” (value “retired”): expected one of: Employed (在籍), "
            "On leave (休職中)") in messages
    assert "存在しない項目" in messages
    assert not plan.valid


def test_cli_exit_codes_and_nothing_written(app, app_ctx, tmp_path):
    runner = app.test_cli_runner()
    good = workbook(tmp_path / "good.xlsx", {"Purposes": [["Code", "Purpose of use", "Status"],
                                                          ["Q1", "配送のため", "In use"]]})
    bad = workbook(tmp_path / "bad.xlsx", {"Purposes": [["Code", "Purpose of use", "Status"],
                                                        ["Q2", "", "bogus"]]})
    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook")
    before = count(AuditEntry)
    result = runner.invoke(cli, ["import", str(bad)])
    assert result.exit_code == 1
    assert "sheet “Purposes”, row 2, column “Purpose of use”" in result.output
    result = runner.invoke(cli, ["import", str(text)])
    assert result.exit_code == 2 and "Refused" in result.output
    result = runner.invoke(cli, ["import", str(good), "--dry-run"])
    assert result.exit_code == 0 and "dry run" in result.output
    assert count(AuditEntry) == before and count(Purpose) == 0
    result = runner.invoke(cli, ["import", str(good)])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(Purpose.title).where(Purpose.code == "Q1")) == "配送のため"
    again = runner.invoke(cli, ["import", str(good)])
    assert again.exit_code == 0 and "Nothing to change" in again.output


def test_a_workbook_without_any_known_sheet_is_refused(app, app_ctx, tmp_path):
    """Even on an empty registry: not "Nothing to change", but exit 1 naming the sheets expected."""
    path = workbook(tmp_path / "other.xlsx", {
        "Sheet1": [["Code", "Purpose of use", "Status"], ["Q1", "配送のため", "In use"]],
        "集計": [["合計", 1]],
    })
    before = count(AuditEntry)
    for options in ([], ["--dry-run"], ["--sync"]):
        result = app.test_cli_runner().invoke(cli, ["import", str(path), *options])
        assert result.exit_code == 1, result.output
        assert "Note: sheet “Sheet1” is not part of the inventory and was ignored" in result.stdout
        assert "Note: sheet “集計” is not part of the inventory and was ignored" in result.stdout
        assert "Nothing to change" not in result.output
        errors = result.stderr
        assert "no sheet the registry knows" in errors and "“Sheet1”, “集計”" in errors
        assert "“Purposes of use” / “利用目的”" in errors and "“Access grants” / “アクセス権限”" in errors
    assert count(AuditEntry) == before and count(Purpose) == 0
    with force_locale("ja"):
        plan = pipeline.plan_file(path)
        assert not plan.valid and "“Purposes of use” / “利用目的”" in str(plan.issues[0])
        assert "台帳" in str(plan.issues[0]), "the message is translated"


def test_update_diff_and_batch_audit(app_ctx, tmp_path):
    consignee = f.make_consignee(name="株式会社ひかり", risk_tier="low")
    f.make_contract(consignee=consignee, reference="CON-1", contract_type="nda")
    db.session.flush()
    path = workbook(tmp_path / "c.xlsx", {"Contracts": [
        ["Reference", "Consignee", "Type", "Confidentiality clause", "End"],
        ["CON-1", "株式会社ひかり", "秘密保持契約", "○", "令和8年3月31日"],
        ["CON-2", "株式会社ひかり", "dpa", "はい", None],
    ]})
    plan = pipeline.plan_file(path)
    assert plan.valid, [str(i) for i in plan.issues]
    update = next(r for r in plan.sheets[0].rows if r.key == ("CON-1",))
    assert update.action == "update"
    assert update.changes == {"clause_confidentiality": (False, True),
                              "end_on": (None, date(2026, 3, 31))}
    batch = apply(plan, "c.xlsx", path.read_bytes())
    db.session.flush()
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.batch_id == batch.id)).all()
    assert {e.action.value for e in entries} == {"create", "update"}
    created = next(e for e in entries if e.action.value == "create")
    assert created.changes["consignee"] == [None, "株式会社ひかり (JP)"]
    assert batch.sha256 and batch.counts["contracts"] == {"create": 1, "update": 1}


def test_revert_restores_and_is_refused_after_a_later_change(app_ctx, tmp_path):
    f.make_purpose(code="R1", title="元の目的")
    db.session.flush()
    path = workbook(tmp_path / "p.xlsx", {"利用目的": [
        ["コード", "利用目的", "状態"], ["R1", "変更後の目的", "利用中"], ["R2", "新しい目的", "利用中"]]})
    batch = apply(pipeline.plan_file(path), "p.xlsx", path.read_bytes())
    db.session.flush()
    assert db.session.scalar(sa.select(Purpose.title).where(Purpose.code == "R1")) == "変更後の目的"
    revert(batch)
    db.session.flush()
    db.session.expire_all()
    assert db.session.scalar(sa.select(Purpose.title).where(Purpose.code == "R1")) == "元の目的"
    assert db.session.scalar(sa.select(Purpose.id).where(Purpose.code == "R2")) is None
    undone = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.batch_id == batch.id)
                                .order_by(AuditEntry.id.desc())).all()
    by_action = {e.action.value: e for e in undone[:2]}
    assert by_action["update"].changes == {"title": ["変更後の目的", "元の目的"]}
    assert by_action["delete"].record_label == "R2"
    with pytest.raises(RevertRefused, match="already"):
        revert(batch)
    second = apply(pipeline.plan_file(path), "p.xlsx", path.read_bytes())
    db.session.flush()
    operations.update(db.session.scalar(sa.select(Purpose).where(Purpose.code == "R2")),
                      {"title": "手で直した"})
    with pytest.raises(RevertRefused, match="changed since"):
        revert(second)


def test_revert_is_confirmed_on_a_page_of_its_own_like_delete(app_ctx, as_role, tmp_path):
    """Issue 16: the batch page links to a confirmation saying what will be undone; the old
    one-click POST (CSRF token, no confirmation) only shows that page; the confirmation's POST
    reverts; a batch that cannot be reverted says why and offers no button."""
    f.make_purpose(code="R1", title="元の目的")
    db.session.flush()
    path = workbook(tmp_path / "p.xlsx", {"利用目的": [
        ["コード", "利用目的", "状態"], ["R1", "変更後の目的", "利用中"], ["R2", "新しい目的", "利用中"]]})
    batch = apply(pipeline.plan_file(path), "p.xlsx", path.read_bytes())
    db.session.commit()
    admin = as_role("admin")
    batch_url = f"/exchange/batches/{batch.id}"
    revert_url = f"{batch_url}/revert"
    page = admin.get(batch_url).get_data(as_text=True)
    assert f'href="{revert_url}"' in page and f'action="{revert_url}"' not in page

    response = admin.post(revert_url, form_url=batch_url)  # the one-click button of old
    assert response.status_code == 200 and "Revert this import?" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(Purpose.title).where(Purpose.code == "R1")) == "変更後の目的"
    assert batch.status.value == "applied"

    page = admin.get(revert_url).get_data(as_text=True)
    assert "Revert this import?" in page and "p.xlsx" in page
    assert "1 new, 1 updated, 0 unchanged" in page and f'name="batch" value="{batch.id}"' in page
    assert as_role("editor").post(revert_url, {"batch": batch.id}, form_url=batch_url
                                  ).status_code == 403
    response = admin.post(revert_url, {"batch": batch.id})
    assert response.status_code == 302 and response.headers["Location"] == batch_url
    db.session.expire_all()
    assert db.session.scalar(sa.select(Purpose.title).where(Purpose.code == "R1")) == "元の目的"
    assert batch.status.value == "reverted"
    page = admin.get(revert_url).get_data(as_text=True)
    assert "already been reverted" in page and 'name="batch"' not in page

    second = apply(pipeline.plan_file(path), "p.xlsx", path.read_bytes())
    db.session.flush()
    operations.update(db.session.scalar(sa.select(Purpose).where(Purpose.code == "R2")),
                      {"title": "手で直した"})
    db.session.commit()
    page = admin.get(f"/exchange/batches/{second.id}/revert").get_data(as_text=True)
    assert "records changed since this import" in page and 'name="batch"' not in page


def test_sync_deletes_missing_but_not_what_others_need(app_ctx, tmp_path):
    keep = f.make_purpose(code="K1")
    f.make_purpose(code="GONE")
    used = f.make_purpose(code="USED")
    f.make_link(purpose=used)
    db.session.flush()
    path = workbook(tmp_path / "s.xlsx", {"Purposes": [
        ["Code", "Purpose of use", "Status"], ["K1", keep.title, "active"]]})
    plan = pipeline.plan_file(path, sync=True)
    assert not plan.valid
    assert any("USED" in str(i) and "refer to it" in str(i) for i in plan.issues)
    db.session.delete(db.session.scalar(sa.select(Purpose).where(Purpose.code == "USED"))
                      .category_links[0])
    db.session.flush()
    plan = pipeline.plan_file(path, sync=True)
    assert plan.valid and plan.totals["delete"] == 2
    apply(plan, "s.xlsx", path.read_bytes())
    db.session.flush()
    assert [p for (p,) in db.session.execute(sa.select(Purpose.code))] == ["K1"]


def test_formula_like_text_round_trips_as_text(app_ctx, tmp_path):
    tricky = ["=1+1", "+81-3-1234-5678", "-", "@SUM(A1)", "\tタブ", "=HYPERLINK(\"x\")"]
    for n, title in enumerate(tricky):
        f.make_purpose(code=f"F{n}", title=title)
    db.session.flush()
    path = tmp_path / "export.xlsx"
    write.export(path, "en")
    sheet = openpyxl.load_workbook(path)["Purposes of use"]
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    for n, title in enumerate(tricky):
        assert cells[f"F{n}"].data_type == "s" and cells[f"F{n}"].value == title
        assert cells[f"F{n}"].quotePrefix
    plan = pipeline.plan_file(path)
    assert plan.valid and not plan.changes_anything


def test_export_sheets_are_ready_for_people(app_ctx, tmp_path):
    f.make_employee(number="E1", last_training_on=date(2025, 6, 1), status="leave")
    db.session.flush()
    path = tmp_path / "people.xlsx"
    write.export(path, "ja")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "説明"
    assert book["_meta"].sheet_state == "hidden"
    meta = {row[0].value: row[1].value for row in book["_meta"].iter_rows()}
    assert meta["format"] == "registry-inventory" and meta["version"] == 1
    sheet = book["従業者"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref
    assert sheet["A1"].value == "従業者番号 *" and sheet["A1"].font.b, "required: marked"
    row = {sheet.cell(1, c).value: sheet.cell(2, c) for c in range(1, sheet.max_column + 1)}
    assert row["最終研修日"].is_date
    assert row["在籍状況"].value == "休職中", "choices are written as their Japanese labels"
    lists = [v.sqref for v in sheet.data_validations.dataValidation]
    assert lists, "choices have drop-down lists"


def test_web_upload_preview_fix_apply_and_revert(app_ctx, as_role, tmp_path):
    f.make_consignee(name="株式会社みどり")
    db.session.commit()
    broken = workbook(tmp_path / "broken.xlsx", {"Contracts": [
        ["Reference", "Consignee", "Type", "Start"],
        ["CON-W1", "株式会社みどり", "nda", "令和7年4月1日"],
        ["CON-W2", "株式会社ない", "nda", None],
    ]})
    editor = as_role("editor")
    response = editor.post("/exchange/import", {"workbook": (io.BytesIO(broken.read_bytes()), "broken.xlsx")},
                           form_url="/exchange/", content_type="multipart/form-data")
    assert response.status_code == 302
    preview = editor.get(response.headers["Location"])
    page = preview.get_data(as_text=True)
    assert "1 problem was found" in page
    assert "Contracts" in page and "株式会社ない" in page and "<td>3</td>" in page
    assert "Apply these changes" not in page
    fixed = workbook(tmp_path / "fixed.xlsx", {"Contracts": [
        ["Reference", "Consignee", "Type", "Start"],
        ["CON-W1", "株式会社みどり", "nda", "令和7年4月1日"],
    ]})
    response = editor.post("/exchange/import", {"workbook": (io.BytesIO(fixed.read_bytes()), "fixed.xlsx")},
                           form_url="/exchange/", content_type="multipart/form-data")
    preview_url = response.headers["Location"]
    page = editor.get(preview_url).get_data(as_text=True)
    assert "Apply these changes" in page and "1 new" in page and "bound method" not in page
    applied = editor.post(preview_url + "/apply", form_url=preview_url)
    assert applied.status_code == 302
    db.session.expire_all()
    contract = db.session.scalar(sa.select(Contract).where(Contract.reference == "CON-W1"))
    assert contract.start_on == date(2025, 4, 1)
    batch_id = db.session.scalar(sa.select(sa.func.max(ImportBatch.id)))
    revert_url = f"/exchange/batches/{batch_id}/revert"
    assert editor.post(revert_url, {"batch": batch_id},
                       form_url=f"/exchange/batches/{batch_id}").status_code == 403
    admin = as_role("admin")
    batch_page = admin.get(f"/exchange/batches/{batch_id}").get_data(as_text=True)
    assert "Contracts: 1 new, 0 updated, 0 unchanged" in batch_page and "CON-W1" in batch_page
    assert admin.post(revert_url, {"batch": batch_id}).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(Contract).where(Contract.reference == "CON-W1")) is None
    assert count(Consignee) == 1


def test_viewer_cannot_import_but_can_export(app_ctx, as_role, tmp_path):
    f.make_employee(number="V1")
    db.session.commit()
    viewer = as_role("viewer")
    response = viewer.get("/exchange/export?entity=employees&q=V1")
    data = response.data
    response.close()
    assert response.status_code == 200 and data[:2] == b"PK"
    path = tmp_path / "v.xlsx"
    path.write_bytes(data)
    assert pipeline.plan_file(path).totals["unchanged"] == 1
    assert viewer.post("/exchange/import", {}, form_url="/exchange/").status_code == 403
    assert count(Employee) == 1


def test_renaming_a_consignee_in_the_workbook_keeps_its_record(app_ctx, tmp_path):
    consignee = f.make_consignee(name="株式会社旧名")
    f.make_entrustment(consignee=consignee, reference="ENT-R1")
    f.make_contract(consignee=consignee, reference="CON-R1")
    db.session.flush()
    path = tmp_path / "rename.xlsx"
    write.export(path, "ja")
    book = openpyxl.load_workbook(path)
    sheet = book["委託先"]
    headers = [c.value for c in sheet[1]]
    assert headers[-1] == "台帳ID"
    assert sheet.column_dimensions[get_column_letter(len(headers))].hidden
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "株式会社旧名":
            row[0].value = "株式会社新名"
    book.save(path)
    plan = pipeline.plan_file(path)
    assert plan.valid, [str(i) for i in plan.issues]
    assert plan.totals["create"] == 0 and plan.totals["update"] == 1
    apply(plan, "rename.xlsx", path.read_bytes())
    db.session.flush()
    db.session.expire_all()
    assert db.session.get(Consignee, consignee.id).name == "株式会社新名"
    assert count(Consignee) == 1
    fresh = tmp_path / "again.xlsx"
    write.export(fresh, "en")
    assert not pipeline.plan_file(fresh).changes_anything


def test_a_blank_country_is_the_only_one_the_name_has(app_ctx, tmp_path):
    """A contract's consignee given by name alone: its country is found among the stored
    consignees and those of the workbook; a name in two countries asks for the country."""
    f.make_consignee(name="株式会社ひかり", country="JP")
    f.make_consignee(name="株式会社みらい", country="JP")
    db.session.flush()
    path = workbook(tmp_path / "c.xlsx", {
        "Consignees": [["Name", "Country", "Status"], ["株式会社みらい", "US", "active"]],
        "Contracts": [["Reference", "Consignee", "Type"], ["CON-1", "株式会社ひかり", "dpa"],
                      ["CON-2", "株式会社みらい", "dpa"]]})
    plan = pipeline.plan_file(path)
    assert [str(i) for i in plan.issues] == [
        "sheet “Contracts”, row 3, column “Consignee country”: “株式会社みらい” exists in several "
        "countries (JP, US); give the country"]
    contracts = next(s for s in plan.sheets if s.resource.name == "contracts")
    assert [(row.key, row.values["consignee.country"]) for row in contracts.rows] == [
        (("CON-1",), "JP")]


def test_each_repeated_row_names_the_first_row_of_its_record(app_ctx, colliding, tmp_path):
    """Repeats far apart (beyond a spool's chunk) each name the first row of their key, in row
    order among the sheet's other problems; rows of other keys of the same hash are no repeats."""
    rows = [["Employee number", "Name", "Last training"]]
    rows += [[number, f"社員{number}", None] for number in
             ("E1", "E2", "E1", "E3", "E4", "E5", "E2", "E1")]
    rows[5][2] = "not a date"
    path = workbook(tmp_path / "e.xlsx", {"Employees": rows})
    plan = pipeline.plan_file(path)
    assert [str(issue) for issue in plan.issues] == [
        "sheet “Employees”, row 4 (value “E1”): the same record as row 2",
        "sheet “Employees”, row 6, column “Last training” (value “not a date”): expected a date "
        "such as 2024-07-12, 2024/7/12, 2024年7月12日 or 令和6年7月12日",
        "sheet “Employees”, row 8 (value “E2”): the same record as row 3",
        "sheet “Employees”, row 9 (value “E1”): the same record as row 2"]
    (employees,) = plan.sheets
    assert [(row.row, row.key) for row in employees.rows] == [
        (2, ("E1",)), (3, ("E2",)), (5, ("E3",)), (7, ("E5",))]
