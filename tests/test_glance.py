"""Answers at a glance: who handles which data, and where (issue 16)."""

from __future__ import annotations

from registry.extensions import db
from tests import factories as f
from tests.test_pages import text
from tests.test_queries import statements


def test_category_page_shows_its_entrustments_and_consignees(app_ctx, as_role):
    category = f.make_category(name="病歴", appi_kind="special_care")
    other = f.make_category(name="氏名")
    abroad = f.make_consignee(name="Global Cloud", country="US",
                              cross_border_basis="conforming_system")
    home = f.make_consignee(name="国内配送")
    first = f.make_entrustment(consignee=abroad, categories=[category], work="バックアップ保管")
    second = f.make_entrustment(consignee=abroad, categories=[category, other])
    third = f.make_entrustment(consignee=home, categories=[category])
    unrelated = f.make_entrustment(consignee=f.make_consignee(name="関係なし"), categories=[other])
    db.session.commit()
    page = text(as_role("viewer").get(f"/categories/{category.id}"))
    for entrustment in (first, second, third):
        assert f'<a href="/entrustments/{entrustment.id}">{entrustment.reference}</a>' in page
    assert unrelated.reference not in page and "関係なし" not in page
    assert f'<a href="/consignees/{abroad.id}">Global Cloud (US)</a>' in page
    assert "System conforming to standards" in page and "バックアップ保管" in page
    assert f'href="/entrustments/?consignee={abroad.id}&amp;category={category.id}">2</a>' in page
    assert f'href="/entrustments/?consignee={home.id}&amp;category={category.id}">1</a>' in page


def test_category_page_statements_do_not_grow_with_its_entrustments(app_ctx, as_role):
    category = f.make_category()
    f.make_entrustment(categories=[category])
    db.session.commit()
    viewer = as_role("viewer")
    few = statements(viewer, f"/categories/{category.id}")
    for _ in range(6):
        f.make_entrustment(categories=[category])
    db.session.commit()
    assert statements(viewer, f"/categories/{category.id}") == few
