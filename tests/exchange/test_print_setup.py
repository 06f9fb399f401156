"""Workbooks people print and type into (issue 16): every data sheet prints on A4 landscape one
page wide with its header row on every page, the sheet's name, the export date and page numbers;
words wrap, codes are text, every column prompts what to type, required headers are marked (and
still read), the yes/no drop-down offers words the import reads, and the README sheet shows an
example row of each sheet. The shipped example inventory prints in a few pages, not 39."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

import openpyxl
import pytest
from openpyxl.utils import range_boundaries

from registry import demo
from registry.exchange import pipeline, write
from registry.exchange.resources import BOOL, RECORD_ID, RESOURCES, Resource
from registry.exchange.values import clean_bool
from registry.extensions import db
from tests import factories as f
from tests.exchange.helpers import assert_kept_as_text, workbook

LONG_WORK = "顧客データベースを含むサーバー基盤の運用・保守（ハウジングおよび運用監視）。" * 3


@pytest.fixture
def exported(app_ctx, tmp_path):
    """A small inventory with codes that start with zeros, long text and yes/no values, exported
    in either language: language -> (path, openpyxl workbook)."""
    purpose = f.make_purpose(code="007", description="=1+1")
    category = f.make_category(name="氏名")
    consignee = f.make_consignee(name="株式会社ゼロ", corporate_number="0123456789012")
    f.make_entrustment(reference="ENT-1", consignee=consignee, purpose=purpose, work=LONG_WORK,
                       categories=[category])
    f.make_contract(reference="CON-1", consignee=consignee, auto_renewal=True)
    f.make_grant(employee=f.make_employee(number="00123"), category=category)
    db.session.flush()
    books = {}
    for language in ("en", "ja"):
        path = tmp_path / f"export-{language}.xlsx"
        write.export(path, language)
        books[language] = path, openpyxl.load_workbook(path)
    return books


def data_sheets(book, language: str):
    """(resource, sheet) of every data sheet of an exported workbook."""
    for resource in RESOURCES.values():
        yield resource, book[resource.sheet_name(language)]


def column_dimension(sheet, number: int):
    """The dimension (width, format) of a column: neighbours alike share one."""
    return next(d for d in sheet.column_dimensions.values() if d.min <= number <= d.max)


def cells_of(sheet, resource: Resource, language: str) -> dict[str, list]:
    """Each column's cells below the header, by column key."""
    return {column.key: [row[index] for row in sheet.iter_rows(min_row=2)]
            for index, column in enumerate(resource.columns)}


@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_sheet_prints_on_a4_landscape_one_page_wide_with_titles(exported, language):
    path, book = exported[language]
    meta = {row[0].value: row[1].value for row in book["_meta"].iter_rows()}
    day = meta["exported_at"][:10]
    readme = book.worksheets[0]
    for resource, sheet in [(None, readme), *data_sheets(book, language)]:
        setup = sheet.page_setup
        assert setup.orientation == "landscape" and setup.paperSize == 9, sheet.title  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert (setup.fitToWidth or 1) == 1 and setup.fitToHeight == 0, "one page wide, any tall"
        assert sheet.oddHeader.left.text == "&A", "the sheet's name"
        assert day in sheet.oddHeader.right.text, "the export date"
        assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
        if resource is not None:
            assert sheet.print_title_rows == "$1:$1", "the header row on every page"
            assert sheet.freeze_panes == "A2"
    assert readme.oddFooter.center.text == {"en": "Page &P of &N", "ja": "&P / &N ページ"}[language]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_words_wrap_and_codes_are_text(exported, language):
    path, book = exported[language]
    checked = {"wrapped": set(), "text": set()}
    for resource, sheet in data_sheets(book, language):
        cells = cells_of(sheet, resource, language)
        for index, column in enumerate(resource.columns):
            dimension = column_dimension(sheet, index + 1)
            filled = [cell for cell in cells[column.key] if cell.value not in (None, "")]
            if column.identifier:  # typed 00123 stays 00123, in new rows too
                assert dimension.number_format == "@", (sheet.title, column.key)
                assert all(cell.number_format == "@" for cell in filled), (sheet.title, column.key)
                checked["text"].add(column.key)
            elif column.free_text:
                assert dimension.alignment.wrap_text, (sheet.title, column.key)
                assert all(cell.alignment.wrap_text for cell in filled), (sheet.title, column.key)
                checked["wrapped"].add(column.key)
            else:
                assert dimension.number_format == "General", "numbers and dates stay typed"
    assert {"code", "corporate_number", "number", "purpose.code", "employee.number"} <= \
        checked["text"], "codes, 法人番号, employee numbers (and references to them) are text"
    assert {"work", "description", "notes", "categories", "consignee.name"} <= checked["wrapped"]

    purposes = book[RESOURCES["purposes"].sheet_name(language)]
    assert purposes["A2"].value == "007" and purposes["A2"].data_type == "s"
    description = purposes["C2"]
    assert_kept_as_text(description, "=1+1")
    assert description.alignment.wrap_text, "the quote prefix keeps the column's wrapping"
    entrustments = book[RESOURCES["entrustments"].sheet_name(language)]
    work = next(c for c in entrustments[2] if c.value == LONG_WORK)
    assert entrustments.row_dimensions[work.row].height >= 3 * write.LINE_HEIGHT, \
        "a row is as tall as its wrapped text, whatever program prints it"


@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_column_prompts_what_to_type_in_the_sheets_language(exported, language):
    path, book = exported[language]
    for resource, sheet in data_sheets(book, language):
        prompts = {}
        for validation in sheet.data_validations.dataValidation:
            min_col, min_row, max_col, max_row = range_boundaries(str(validation.sqref))
            assert (min_row, max_row) == (2, 1_048_576), "the whole column below the header"
            prompts[min_col - 1] = validation
        for index, column in enumerate(resource.columns):
            validation = prompts[index]
            assert validation.showInputMessage and validation.prompt, (sheet.title, column.key)
            assert column.header(language).startswith(validation.promptTitle.removesuffix("…"))
            assert len(validation.prompt) <= 255 and len(validation.promptTitle) <= 32
            japanese = bool(re.search(r"[ぁ-んァ-ン]", validation.prompt))
            assert japanese == (language == "ja"), (sheet.title, column.key, validation.prompt)
            if column.required:
                assert validation.prompt.startswith({"en": "Required.", "ja": "必須"}[language])
    consignees = book[RESOURCES["consignees"].sheet_name(language)]
    country = next(v for v in consignees.data_validations.dataValidation
                   if str(v.sqref).startswith("C2:"))
    assert "ISO 3166" in country.prompt, "the field's hint"


def drop_down_words(book, validation) -> list[str]:
    sheet_name, cells = validation.formula1.split("!")
    return [cell.value for row in book[sheet_name][cells.replace("$", "")] for cell in row]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_yes_no_drop_downs_offer_words_the_import_reads(exported, language):
    path, book = exported[language]
    resource = RESOURCES["contracts"]
    sheet = book[resource.sheet_name(language)]
    columns = {index: column for index, column in enumerate(resource.columns)
               if column.kind == BOOL}
    assert len(columns) >= 2
    for validation in sheet.data_validations.dataValidation:
        index = range_boundaries(str(validation.sqref))[0] - 1
        if index not in columns:
            continue
        words = drop_down_words(book, validation)
        assert validation.type == "list" and {"○", "×"} <= set(words)
        assert sorted(map(clean_bool, words)) == [False, False, True, True], words
        written = sheet.cell(2, index + 1).value
        assert written in words, "booleans are written as the drop-down offers them"
        columns.pop(index)
    assert not columns, "every yes/no column has its drop-down"
    if language == "ja":
        row = {c.value.removesuffix(" *"): sheet.cell(2, c.column).value for c in sheet[1]}
        assert (row["自動更新"], row["再委託可"]) == ("○", "×")


@pytest.mark.parametrize("language", ["en", "ja"])
def test_required_headers_are_marked_and_the_import_reads_them(exported, language):
    path, book = exported[language]
    for resource, sheet in data_sheets(book, language):
        headers = [cell.value for cell in sheet[1]]
        for column, header in zip(resource.columns, headers, strict=True):
            label = column.ja if language == "ja" else column.en
            assert header == (f"{label} *" if column.required else label), header
            if column.required:
                assert sheet.cell(1, headers.index(header) + 1).font.color.rgb.endswith("9C0006")
    assert any(header.endswith(" *") for header in headers)
    readme = [row[0].value for row in book.worksheets[0].iter_rows() if row[0].value]
    assert any("*" in line and ("必須" in line or "required" in line) for line in readme), \
        "the README explains the mark"
    plan = pipeline.plan_file(path)
    assert plan.valid, [str(i) for i in plan.issues]
    assert not plan.changes_anything and not plan.notices, "marked headers are the columns"


def test_a_typed_required_mark_is_ignored_full_width_too(app_ctx, tmp_path):
    path = workbook(tmp_path / "typed.xlsx", {"利用目的": [
        ["コード *", "利用目的＊", "状態"],
        ["P-1", "配送のため", "利用中"],
    ]})
    plan = pipeline.plan_file(path)
    assert plan.valid and not plan.notices, [str(i) for i in plan.issues] + plan.notices
    assert plan.totals["create"] == 1


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_readme_shows_an_example_row_of_each_sheet(exported, language):
    path, book = exported[language]
    rows = [[cell.value for cell in row] for row in book.worksheets[0].iter_rows()]
    firsts = [row[0] for row in rows]
    for resource, sheet in data_sheets(book, language):
        at = firsts.index(resource.sheet_name(language))
        shown = [column for column in resource.columns if column is not RECORD_ID]
        headers = [cell.value for cell in sheet[1]][:len(shown)]
        assert rows[at + 1][:len(shown)] == headers, "under the sheet's own headers"
        example = dict(zip(headers, rows[at + 2], strict=False))
        for column in shown:
            if column.required:
                assert example[column.header(language)] not in (None, ""), (sheet.title, column.key)
    readme = book.worksheets[0]
    for row in readme.iter_rows():
        for cell in row:
            if isinstance(cell.value, date):
                assert cell.is_date
    example = {"en": ("Active", "Yes"), "ja": ("有効", "○")}[language]
    contracts = rows[firsts.index(RESOURCES["contracts"].sheet_name(language)) + 2]
    consignees = rows[firsts.index(RESOURCES["consignees"].sheet_name(language)) + 2]
    assert example[1] in contracts and example[0] in consignees, \
        "choices and yes/no in the workbook's language, as the drop-downs offer them"
    plan = pipeline.plan_file(path)
    assert plan.valid and not plan.changes_anything, "the README's examples are never imported"


def pdf_pages(path, folder) -> int:
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) is missing: `make test` installs libreoffice-calc"
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(folder),
                    str(path)], check=True, capture_output=True, timeout=300)
    pdf = (folder / path.name).with_suffix(".pdf").read_bytes()
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.slow
def test_the_example_inventory_prints_in_a_few_pages(app_ctx, tmp_path):
    demo.load()
    pages = {}
    for language in ("en", "ja"):
        path = tmp_path / f"example-{language}.xlsx"
        write.export(path, language)
        pages[language] = pdf_pages(path, tmp_path)
    # 41 pages before (39 as the issue measured): sheets cut into column strips, text cut
    sheets = len(RESOURCES) + 1
    assert all(sheets <= count <= 2 * sheets for count in pages.values()), pages
