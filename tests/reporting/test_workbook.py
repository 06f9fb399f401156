"""The report workbook's sheet names: at most 31 characters (Excel's limit), cut where a reader
would cut them, and unique."""

from __future__ import annotations

import io
import unicodedata

import openpyxl
import pytest

from registry.extensions import db
from registry.reporting.workbook import SHEET_NAME_MAX, sheet_name
from tests.reporting.test_document import in_language
from tests.reporting.test_quarterly import dated_registry


def whole_words_of(name: str, title: str) -> bool:
    """Whether a name is the title, or the title's first whole words followed by "…"."""
    if name == title:
        return True
    kept = name.removesuffix("…")
    return name.endswith("…") and title.startswith(kept) and title[len(kept)] in " ,"


@pytest.mark.parametrize(("title", "expected"), [
    ("Re-entrustment and foreign transfers", "Re-entrustment and foreign…"),
    ("Compliance check results at quarter end", "Compliance check results…"),
    ("Access to personal data", "Access to personal data"),
    ("Supercalifragilisticexpialidocious reports", "Supercalifragilisticexpialidoc…"),
    ("四半期末のコンプライアンスチェック結果とその推移についての詳細な報告",
     "四半期末のコンプライアンスチェック結果とその推移についての詳…"),
    ("Findings: open/closed [all]", "Findings open closed all"),
])
def test_long_titles_are_cut_at_a_word_or_a_character(title, expected):
    name = sheet_name(title, set())
    assert name == expected and len(name) <= SHEET_NAME_MAX


def test_a_mark_stays_with_its_character():
    title = "A" * 29 + "e\u0301\u0301xyz"  # an e with two accents that no character composes
    name = sheet_name(title, set())
    assert len(name) <= SHEET_NAME_MAX and not unicodedata.combining(name[-2])
    assert name == "A" * 29 + "…"


def test_names_are_unique_whatever_their_case():
    taken: set[str] = set()
    names = [sheet_name(title, taken) for title in (
        "Compliance check results at quarter end", "Compliance check results at year end",
        "COMPLIANCE CHECK RESULTS AT QUARTER END", "Summary", "summary")]
    assert names == ["Compliance check results…", "Compliance check results… (2)",
                     "COMPLIANCE CHECK RESULTS… (3)", "Summary", "summary (2)"]
    assert all(len(name) <= SHEET_NAME_MAX for name in names)
    assert len({name.casefold() for name in names}) == len(names)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_report_workbooks_sheet_names(app_ctx, as_role, language):
    dated_registry()
    db.session.commit()
    viewer = in_language(as_role("viewer"), language)
    response = viewer.get("/reports/quarterly.xlsx?quarter=FY2026-Q2")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    response.close()
    titles = [sheet["A1"].value for sheet in book.worksheets[1:]]
    names = book.sheetnames
    assert len(names) == 12 and len({n.casefold() for n in names}) == 12
    assert all(len(name) <= SHEET_NAME_MAX for name in names)
    assert all(whole_words_of(name, title) for name, title in zip(names[1:], titles, strict=True))
    if language == "en":
        assert "Re-entrustment and foreign…" in names and "Compliance check results…" in names
