"""Figures remembered until the registry changes: a list's counts are read again after any change,
never shown stale."""

from __future__ import annotations

import re

from registry.core import memo
from registry.extensions import db
from tests import factories as f
from tests.test_pages import text


def test_a_figure_is_computed_again_only_after_a_change(app_ctx):
    f.make_purpose(code="M1")
    db.session.commit()
    memo.forget()
    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    assert memo.remembered(("test", 1), compute) == 1
    assert memo.remembered(("test", 1), compute) == 1
    assert memo.remembered(("test", 2), compute) == 2, "another key is another figure"
    f.make_purpose(code="M2")  # audited: the registry has changed
    assert memo.remembered(("test", 1), compute) == 3
    memo.forget()
    assert memo.remembered(("test", 1), compute) == 4


def test_a_list_counts_a_record_made_since_it_was_last_shown(app_ctx, as_role):
    viewer = as_role("viewer")
    special = f.make_category(name="病歴", appi_kind="special_care")
    f.make_category(name="氏名")
    db.session.commit()

    def special_care_count() -> str:
        page = text(viewer.get("/categories/"))
        return re.search(r'<option value="special_care">[^<]*\((\d+)\)</option>', page).group(1)

    assert special_care_count() == "1"
    assert special_care_count() == "1"
    f.make_category(name="犯罪歴", appi_kind="special_care")
    db.session.commit()
    assert special_care_count() == "2"
    page = text(viewer.get("/categories/?kind=special_care"))
    assert special.name in page and "犯罪歴" in page


def test_a_remembered_list_is_the_readers_own_language_and_role(app_ctx, as_role):
    """The same list asked by readers of other roles and languages, with no change between:
    each gets the page for their role (an editor may add records) and language."""
    f.make_category(name="氏名")
    db.session.commit()
    viewer, editor = as_role("viewer"), as_role("editor")
    new = 'href="/categories/new"'
    assert new not in text(viewer.get("/categories/"))
    assert new in text(editor.get("/categories/"))
    assert new not in text(viewer.get("/categories/"))
    english = text(viewer.get("/categories/"))
    japanese = text(viewer.get("/categories/", headers={"Accept-Language": "ja"}))
    assert "Search" in english and "Search" not in japanese and "検索" in japanese


def test_the_remembered_dashboard_is_the_readers_own_language(app_ctx, as_role):
    viewer = as_role("viewer")
    assert "Overview" in text(viewer.get("/"))
    japanese = text(viewer.get("/", headers={"Accept-Language": "ja"}))
    assert "Overview" not in japanese and "概要" in japanese
    assert "Overview" in text(viewer.get("/"))
