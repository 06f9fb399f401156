"""Bring your own ledger: hand-made 個人情報管理台帳 of the usual shapes come in with no mapping
written by hand, the records asserted field by field; bad cells are located; nothing doubles."""

from __future__ import annotations

import io
import json
from datetime import date, datetime

import openpyxl
import pytest
import sqlalchemy as sa
import xlsxwriter
from openpyxl.worksheet.datavalidation import DataValidation

from registry.cli import cli
from registry.consignees.models import Consignee, Contract, Entrustment
from registry.core.models import AuditEntry
from registry.exchange import pipeline
from registry.exchange.apply import revert
from registry.exchange.models import ImportBatch
from registry.extensions import db
from registry.inventory.models import DataCategory, Purpose, PurposeCategory
from registry.ledger import fields
from registry.ledger.countries import country_code
from registry.ledger.mapping import Mapping
from registry.ledger.models import LedgerMapping
from registry.supervision.models import SupervisionCheck
from tests.ledger import rawxlsx
from tests.questionnaires.test_return import libreoffice

HEADINGS = ["No.", "利用目的", "ﾃﾞｰﾀ項目", "委託先名", "所在国", "契約期間", None, "秘密保持契約",
            "監督実施日\n(yyyy/mm/dd)", "担当者", "リスク評価"]


def typical(path, rows) -> object:
    """A ledger as people make it: a title block, a two-row header with 契約期間 merged over its
    two columns and the other headings merged down both rows, a hidden example sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "個人情報管理台帳"
    sheet.append(["個人情報管理台帳（2026年度）"])
    sheet.merge_cells("A1:K1")
    sheet.append(["作成：総務部　2026年4月"])
    sheet.append([])
    sheet.append(HEADINGS)
    sheet.append([None] * 5 + ["開始日", "終了日"] + [None] * 4)
    sheet.merge_cells("F4:G4")
    for column in "ABCDEHIJK":
        sheet.merge_cells(f"{column}4:{column}5")
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "C6"
    sheet.auto_filter.ref = f"A5:K{5 + len(rows)}"
    choices = DataValidation(type="list", formula1='"有,無"', allow_blank=True)
    sheet.add_data_validation(choices)
    choices.add(f"H6:H{5 + len(rows)}")
    example = book.create_sheet("記入例")
    example.append(["利用目的", "データ項目", "委託先名"])
    example.append(["（例）配送", "氏名", "株式会社例"])
    example.sheet_state = "hidden"
    book.save(path)
    return path


ROWS = [
    [1, "商品の配送", "氏名・住所・電話番号", "株式会社　ひかり配送", "日本", date(2024, 4, 1),
     "令和8年3月31日", "有", "2025/10/1", "山田", "低"],
    [2, "メールマガジンの配信", "氏名、メールアドレス", "Northwind Cloud, Inc.", "アメリカ",
     "2023/7/1", None, "○", datetime(2025, 9, 15), "Smith", "中"],
    [None] * 11,
    [3, "商品の配送", "氏名\n住所", "株式会社 ひかり配送", "日本", date(2024, 4, 1),
     "令和8年3月31日", "有", "2025/10/1", "山田", "低"],
    [4, "アクセス解析", "閲覧履歴", "ｱﾅﾘﾃｨｸｽ株式会社", "ｼﾝｶﾞﾎﾟｰﾙ", 45323, None, "×",
     "R7.11.5", "李", "高"],
]


def consignee(name: str) -> Consignee:
    return db.session.scalar(sa.select(Consignee).where(Consignee.name == name))


def contract_of(party: Consignee) -> Contract:
    return db.session.scalar(sa.select(Contract).where(Contract.consignee_id == party.id))


def test_a_typical_ledger_comes_in_with_the_suggested_mapping(app, app_ctx, tmp_path):
    path = typical(tmp_path / "ledger.xlsx", ROWS)
    runner = app.test_cli_runner()
    suggested = runner.invoke(cli, ["ledger", "suggest", str(path), "--out",
                                    str(tmp_path / "mapping.json")])
    assert suggested.exit_code == 0, suggested.output
    assert "chose sheet “個人情報管理台帳”" in suggested.output
    assert "skipped sheet “記入例”: it is hidden" in suggested.output
    mapping = Mapping.from_json((tmp_path / "mapping.json").read_text(encoding="utf-8"))
    assert {c.heading: c.field for c in mapping.columns} == {
        "No.": None, "利用目的": "purpose", "ﾃﾞｰﾀ項目": "categories", "委託先名": "consignee",
        "所在国": "country", "契約期間 / 開始日": "contract_start",
        "契約期間 / 終了日": "contract_end", "秘密保持契約": "confidentiality",
        "監督実施日 (yyyy/mm/dd)": "checked_on", "担当者": "contact", "リスク評価": None}
    assert mapping.first_row == 6

    imported = runner.invoke(cli, ["ledger", "import", str(path)])
    assert imported.exit_code == 0, imported.output
    db.session.expire_all()
    hikari = consignee("株式会社 ひかり配送")
    assert (hikari.country, hikari.contact_name) == ("JP", "山田")
    northwind = consignee("Northwind Cloud, Inc.")
    assert (northwind.country, northwind.contact_name) == ("US", "Smith")
    analytics = consignee("アナリティクス株式会社")
    assert analytics.country == "SG", "half-width katakana name and country"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consignee)) == 3, \
        "the same consignee on several rows is one record"
    contract = contract_of(hikari)
    assert (contract.start_on, contract.end_on, contract.clause_confidentiality) == \
        (date(2024, 4, 1), date(2026, 3, 31), True)
    assert (contract_of(northwind).start_on, contract_of(northwind).end_on,
            contract_of(northwind).clause_confidentiality) == (date(2023, 7, 1), None, True)
    assert (contract_of(analytics).start_on, contract_of(analytics).clause_confidentiality) == \
        (date(2024, 2, 1), False), "an Excel serial number, and × for no"
    checks = dict(db.session.execute(sa.select(Consignee.name, SupervisionCheck.checked_on)
                                     .join(Consignee)).all())
    assert checks == {"株式会社 ひかり配送": date(2025, 10, 1),
                      "Northwind Cloud, Inc.": date(2025, 9, 15),
                      "アナリティクス株式会社": date(2025, 11, 5)}
    delivery = db.session.scalar(sa.select(Purpose).where(Purpose.title == "商品の配送"))
    linked = set(db.session.scalars(sa.select(DataCategory.name).join(PurposeCategory)
                                    .where(PurposeCategory.purpose_id == delivery.id)))
    assert linked == {"氏名", "住所", "電話番号"}
    entrustment = db.session.scalar(sa.select(Entrustment).where(
        Entrustment.consignee_id == hikari.id))
    assert {c.name for c in entrustment.categories} == {"氏名", "住所", "電話番号"}
    assert entrustment.notes == "No.: 1\nリスク評価: 低", "columns without a field are kept"

    again = runner.invoke(cli, ["ledger", "import", str(path)])
    assert again.exit_code == 0 and "Nothing to change" in again.output


def test_a_bad_cell_is_located_and_nothing_is_written(app, app_ctx, tmp_path):
    rows = [ROWS[0], [5, "採用活動", "氏名", "株式会社人材", "日本", "2024/2/30", None, "有",
                      "未定", "佐藤", None]]
    path = typical(tmp_path / "bad.xlsx", rows)
    result = app.test_cli_runner().invoke(cli, ["ledger", "import", str(path)])
    assert result.exit_code == 1
    assert "row 7, column “契約期間 / 開始日” (value “2024/2/30”): expected an existing calendar " \
        "date" in result.output
    assert "row 7, column “監督実施日 (yyyy/mm/dd)” (value “未定”): expected a date" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consignee)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


def test_an_unknown_country_goes_through_the_consignee_rules(app_ctx, tmp_path):
    path = typical(tmp_path / "country.xlsx", [
        [1, "配送", "氏名", "Acme", "ワカンダ", None, None, None, None, None, None]])
    plan = pipeline.plan_file(path, kind="ledger")
    assert [issue.message for issue in plan.issues] == [
        "Not a country code: give the two-letter ISO 3166 code, such as JP, US or DE."]
    assert plan.issues[0].column == "所在国" and plan.issues[0].row == 6


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp932"])
def test_a_csv_ledger_in_every_encoding_japanese_excel_writes(app, app_ctx, tmp_path, encoding):
    text = ("委託先管理台帳,,,,\r\n"
            ",,,,\r\n"
            "利用目的,データ項目,委託先,国名,NDA締結,監督日\r\n"
            "配送,氏名・住所,株式会社つばさ,国内,済,2025年4月1日\r\n"
            "分析,閲覧履歴,Gamma Analytics GmbH,ドイツ,○,令和7年5月1日\r\n"
            "サポート,氏名,Delta Support Pte. Ltd.,Singapore,TRUE,2025/6/1\r\n"
            "翻訳,氏名,Epsilon Ltd,イギリス,いいえ,2025-07-01\r\n")
    path = tmp_path / "ledger.csv"
    path.write_bytes(text.encode(encoding))
    result = app.test_cli_runner().invoke(cli, ["ledger", "import", str(path)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    found = {c.name: (c.country, contract_of(c).clause_confidentiality) for c in
             db.session.scalars(sa.select(Consignee))}
    assert found == {"株式会社つばさ": ("JP", True), "Gamma Analytics GmbH": ("DE", True),
                     "Delta Support Pte. Ltd.": ("SG", True), "Epsilon Ltd": ("GB", False)}
    assert sorted(db.session.scalars(sa.select(SupervisionCheck.checked_on))) == [
        date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1), date(2025, 7, 1)]


def test_an_edited_mapping_is_followed_and_a_batch_reverted(app, app_ctx, tmp_path):
    path = typical(tmp_path / "ledger.xlsx", ROWS[:2])
    runner = app.test_cli_runner()
    assert runner.invoke(cli, ["ledger", "suggest", str(path), "--out",
                               str(tmp_path / "m.json")]).exit_code == 0
    data = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    for column in data["columns"]:
        if column["field"] == "contact":
            column["field"] = None  # the person is the company's own, not the vendor's
    (tmp_path / "m.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(cli, ["ledger", "import", str(path), "--mapping", str(tmp_path / "m.json")])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert consignee("Northwind Cloud, Inc.").contact_name == ""
    batch = db.session.scalar(sa.select(ImportBatch))
    revert(batch)
    db.session.flush()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consignee)) == 0

    data["columns"][0]["field"] = "shoe size"
    (tmp_path / "m.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    refused = runner.invoke(cli, ["ledger", "import", str(path), "--mapping", str(tmp_path / "m.json")])
    assert refused.exit_code == 2 and "fields the registry does not know: shoe size" in refused.output


def test_formulas_without_values_and_odd_sheets(app_ctx, tmp_path):
    """openpyxl writes formulas without computed values: such a cell is an error at its place;
    an empty sheet and one named 記入例 are skipped, whatever the data sheet's position."""
    path = tmp_path / "formulas.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    example = book.create_sheet("記入例")
    example.append(["利用目的", "データ項目", "委託先"])
    data = book.create_sheet("台帳")
    data.append(["利用目的", "個人情報の項目", "委託先", "所在国", "点検日"])
    data.append(["配送", "氏名", "株式会社ほし", "JP", "=DATE(2025,4,1)"])
    book.save(path)
    plan = pipeline.plan_file(path, kind="ledger")
    assert plan.mapping.sheet == "台帳"
    assert any("skipped sheet “Sheet1”: it is empty" in n for n in plan.notices)
    assert any("skipped sheet “記入例”: its name says it is an example" in n for n in plan.notices)
    assert [(i.row, i.column) for i in plan.issues] == [(2, "点検日")]
    assert "formula without a computed value" in plan.issues[0].message


@pytest.mark.parametrize("heading, field", [
    ("ﾃﾞｰﾀ項目", "categories"), ("委託先\u3000名", "consignee"), ("委託先\u00a0名", "consignee"),
    ("監督実施日\n（yyyy/mm/dd）", "checked_on"), ("秘密保持契約の有無", "confidentiality"),
    ("委託先担当者名", "contact"), ("Purpose of use", "purpose"), ("COUNTRY", "country"),
])
def test_headings_are_read_whatever_their_width_spaces_and_hints(heading, field):
    assert fields.field_for(heading).name == field


@pytest.mark.parametrize("name, code", [
    ("日本", "JP"), ("ｱﾒﾘｶ", "US"), ("米国", "US"), ("United States", "US"), ("Viet Nam", "VN"),
    ("ベトナム", "VN"), ("中華人民共和国", "CN"), ("シンガポール", "SG"), ("ＤＥ", "DE"),
    ("United Kingdom", "GB"), ("アイルランド", "IE"), ("ワカンダ", None), ("XX", None),
])
def test_country_names_in_every_script(name, code):
    assert country_code(name) == code


def test_the_browser_flow_suggests_lets_correct_saves_and_imports(app_ctx, as_role, tmp_path):
    path = typical(tmp_path / "ledger.xlsx", ROWS[:2])
    editor = as_role("editor")
    uploaded = editor.post("/ledger/upload", {"ledger": (io.BytesIO(path.read_bytes()), "台帳.xlsx")},
                           form_url="/exchange/", content_type="multipart/form-data")
    mapping_url = uploaded.headers["Location"]
    page = editor.get(mapping_url).get_data(as_text=True)
    assert "chose sheet “個人情報管理台帳”" in page and "商品の配送" in page
    assert 'name="field-D"' in page and '<option value="consignee" selected>' in page
    form = {f"field-{c}": f for c, f in {"B": "purpose", "C": "categories", "D": "consignee",
                                          "E": "country", "F": "contract_start",
                                          "G": "contract_end", "H": "confidentiality",
                                          "I": "checked_on", "J": "", "K": ""}.items()}
    both = editor.post(mapping_url, {**form, "field-J": "consignee"})
    assert both.status_code == 200 and "both hold" in both.get_data(as_text=True)
    preview = editor.post(mapping_url, {**form, "save_as": "総務部の台帳"})
    assert preview.status_code == 302 and preview.headers["Location"].startswith("/exchange/import/")
    page = editor.get(preview.headers["Location"]).get_data(as_text=True)
    assert "Northwind Cloud, Inc. (US)" in page and "Apply these changes" in page
    applied = editor.post(preview.headers["Location"] + "/apply",
                          form_url=preview.headers["Location"])
    assert applied.status_code == 302 and "/exchange/batches/" in applied.headers["Location"]
    db.session.expire_all()
    assert consignee("Northwind Cloud, Inc.").contact_name == "", "担当者 was kept as a note"
    assert contract_of(consignee("株式会社 ひかり配送")).end_on == date(2026, 3, 31)
    saved = db.session.scalar(sa.select(LedgerMapping))
    assert saved.name == "総務部の台帳" and Mapping.from_json(saved.mapping).by_field()["contract_end"]
    again = editor.post("/ledger/upload", {"ledger": (io.BytesIO(path.read_bytes()), "台帳.xlsx")},
                        form_url="/exchange/", content_type="multipart/form-data")
    page = editor.get(f"{again.headers['Location']}?saved={saved.id}").get_data(as_text=True)
    assert '<option value="contact" selected>' not in page, "the saved mapping is applied"


@pytest.mark.parametrize("date1904, strict, day", [
    (False, False, date(2023, 3, 15)), (True, False, date(2027, 3, 16)),
    (False, True, date(2023, 3, 15))])
def test_the_odd_parts_of_real_workbooks(app_ctx, tmp_path, date1904, strict, day):
    """Rich-text runs, furigana (not part of the value), an _x000D_ escape, inline strings, cells
    without references, an ISO date cell, the 1904 date system (for date cells and for plain
    serial numbers), Strict Open XML."""
    path = rawxlsx.build(tmp_path / "raw.xlsx", date1904=date1904, strict=strict)
    plan = pipeline.plan_file(path, kind="ledger")
    assert plan.valid, [str(issue) for issue in plan.issues]
    pipeline.apply(plan, "raw.xlsx", path.read_bytes())
    db.session.flush()
    assert {c.name for c in db.session.scalars(sa.select(Consignee))} == {"山田配送", "株式会社ほし"}
    assert set(db.session.scalars(sa.select(DataCategory.name))) == {"氏名", "住所", "閲覧履歴"}
    checks = dict(db.session.execute(sa.select(Consignee.name, SupervisionCheck.checked_on)
                                     .join(Consignee)).all())
    assert checks == {"山田配送": day, "株式会社ほし": date(2025, 4, 1)}
    assert contract_of(consignee("山田配送")).start_on == day, "a plain serial number alike"


@pytest.mark.slow
def test_a_ledger_re_saved_by_libreoffice_gives_the_same_records(app_ctx, tmp_path):
    original = typical(tmp_path / "ledger.xlsx", ROWS)
    saved = libreoffice(original, tmp_path / "lo")
    planned = [pipeline.plan_file(path, kind="ledger") for path in (original, saved)]
    assert [plan.valid for plan in planned] == [True, True], [str(i) for i in planned[1].issues]
    assert [[(s.resource.name, [r.values for r in s.rows]) for s in plan.sheets]
            for plan in planned][0] == \
        [[(s.resource.name, [r.values for r in s.rows]) for s in plan.sheets]
         for plan in planned][1]


def test_permuted_and_extra_columns_and_bordered_rows(app_ctx, tmp_path):
    """An xlsxwriter ledger: columns in another order, columns the registry has no field for,
    bordered empty rows, real dates and booleans, 1 and 0 for yes and no."""
    path = tmp_path / "permuted.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("委託先一覧")
    border = book.add_format({"border": 1})
    day = book.add_format({"num_format": "yyyy/mm/dd", "border": 1})
    sheet.write_row(0, 0, ["委託先一覧"])
    sheet.write_row(2, 0, ["委託先", "部署", "国", "NDA", "開始日", "利用目的", "個人情報の項目",
                           "更新日"], border)
    sheet.write_row(3, 0, ["Zeta Hosting Ltd", "情報システム部", "Ireland"], border)
    sheet.write_boolean(3, 3, True, border)
    sheet.write_datetime(3, 4, datetime(2024, 10, 1), day)
    sheet.write_row(3, 5, ["サイトの運営", "アクセスログ"], border)
    sheet.write_datetime(3, 7, datetime(2026, 11, 30), day)
    sheet.write_row(4, 0, [None] * 8, border)
    sheet.write_row(5, 0, ["株式会社ゆき", "総務部", "日本", 0, "2025/04/01", "社内連絡",
                           "氏名；社員番号"], border)
    book.close()
    plan = pipeline.plan_file(path, kind="ledger")
    assert plan.valid, [str(issue) for issue in plan.issues]
    pipeline.apply(plan, "permuted.xlsx", path.read_bytes())
    db.session.flush()
    zeta, yuki = consignee("Zeta Hosting Ltd"), consignee("株式会社ゆき")
    assert (zeta.country, yuki.country) == ("IE", "JP")
    assert (contract_of(zeta).start_on, contract_of(zeta).clause_confidentiality) == \
        (date(2024, 10, 1), True)
    assert (contract_of(yuki).start_on, contract_of(yuki).clause_confidentiality) == \
        (date(2025, 4, 1), False)
    notes = db.session.scalar(sa.select(Entrustment.notes).where(Entrustment.consignee_id == zeta.id))
    assert notes == "部署: 情報システム部\n更新日: 2026-11-30"
    assert set(db.session.scalars(sa.select(DataCategory.name))) == {"アクセスログ", "氏名", "社員番号"}
