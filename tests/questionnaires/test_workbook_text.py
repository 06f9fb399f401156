"""Formula-like text in the questionnaire workbook (issue 15, point 12): the vendor's details, the
entrusted work, the question texts and the vendor's own earlier corrections and comments are
strings with the quote prefix, and come back unchanged."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl

from registry.extensions import db
from registry.questionnaires import bank, issuance, returned, workbook
from tests import factories as f
from tests.exchange.helpers import FORMULA_TEXT, assert_formula_text_kept, assert_kept_as_text
from tests.questionnaires.test_return import fill

DETAILS = "貴社情報 Company details"
QUESTIONS = "質問 Questions"


def details(path: Path) -> dict:
    return {row[0].value: row[1] for row in openpyxl.load_workbook(path)[DETAILS]
            .iter_rows(min_row=2)}


def test_the_questionnaire_keeps_formula_like_text_as_text(app_ctx, tmp_path):
    bank.seed()
    consignee = f.make_consignee(name=FORMULA_TEXT[0], address=FORMULA_TEXT[1],
                                 contact_name=FORMULA_TEXT[2], country="US")
    for text in FORMULA_TEXT:
        f.make_entrustment(consignee=consignee, work=text,
                           categories=[f.make_category(name=text)])
        f.make_question(text_ja=text, text_en=text)
    path = tmp_path / "issued.xlsx"
    workbook.write(issuance.issue(consignee), path)
    found = assert_formula_text_kept(path)
    sheets = {cell.parent.title for cells in found.values() for cell in cells}
    assert {DETAILS, "委託内容 Entrusted work", QUESTIONS} <= sheets
    shown = details(path)
    assert_kept_as_text(shown["所在地 / Address"], FORMULA_TEXT[1])
    assert shown["所在地 / Address"].protection.locked is False, "still the vendor's to correct"
    assert shown["所在地 / Address"].fill.fgColor.rgb == "FFFFF2CC"

    answered = fill(path, tmp_path / "answered.xlsx", bad={})
    result = returned.read(answered, consignee.id)
    assert result.valid, [str(i) for i in result.issues]
    assert result.details == [], "the details come back as they went out"


def test_a_vendors_corrections_go_out_again_as_text(app_ctx, tmp_path):
    """A vendor corrects its details and comments with formula-like text (typed as text); once
    accepted, the next questionnaire shows them as text."""
    bank.seed()
    consignee = f.make_consignee(name="Northwind Cloud", country="US", address="Seattle")
    first = tmp_path / "first.xlsx"
    workbook.write(issuance.issue(consignee), first)
    db.session.flush()
    answered = fill(first, tmp_path / "answered.xlsx", bad={})
    book = openpyxl.load_workbook(answered)
    corrections = {"所在地 / Address": FORMULA_TEXT[0], "窓口担当者 / Contact person": "@SUM(A1)"}
    for row in book[DETAILS].iter_rows(min_row=2):
        if row[0].value in corrections:
            row[1].value = corrections[row[0].value]
            row[1].data_type = "s"  # as Excel keeps what is typed after an apostrophe
    comment = next(book[QUESTIONS].iter_rows(min_row=2))[5]
    comment.value = "-2+3"
    book.save(answered)
    result = returned.read(answered, consignee.id)
    assert {(d.attr, d.new) for d in result.details} == {
        ("address", FORMULA_TEXT[0]), ("contact_name", "@SUM(A1)")}
    returned.record(result, {"address", "contact_name"}, on=date(2026, 11, 25))
    db.session.flush()
    assert consignee.address == FORMULA_TEXT[0]

    second = tmp_path / "second.xlsx"
    workbook.write(issuance.issue(consignee), second)
    shown = details(second)
    for label, text in corrections.items():
        assert_kept_as_text(shown[label], text)
    again = openpyxl.load_workbook(second)[QUESTIONS]
    assert_kept_as_text(again.cell(comment.row, comment.column), "-2+3")
