"""Answers at a glance: who handles which data, and where (issue 16)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from registry.consignees import handling
from registry.extensions import db
from tests import factories as f
from tests.factories import today as registry_today
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


def _entrustments(viewer, query: str) -> tuple[str, set[str]]:
    """The list page for the query, and the references it lists."""
    page = text(viewer.get(f"/entrustments/?{query}"))
    return page, set(re.findall(r'<a href="/entrustments/\d+">(ENT-[^<]+)</a>', page))


@pytest.fixture
def handed(app_ctx):
    """Entrustments handing special care, personally referable and plain personal data, at home
    and abroad, in progress and ended."""
    today = registry_today()
    health = f.make_category(name="健康診断結果", appi_kind="special_care")
    cookies = f.make_category(name="閲覧履歴", appi_kind="personally_referable")
    names = f.make_category(name="氏名")
    us = f.make_consignee(name="Cloud Inc", country="US", risk_tier="high",
                          cross_border_basis="consent")
    de = f.make_consignee(name="Daten GmbH", country="DE", risk_tier="low",
                          cross_border_basis="adequate_country")
    jp = f.make_consignee(name="国内物流", risk_tier="low")
    purpose = f.make_purpose(code="HR1")
    made = {
        "ENT-HEALTH": f.make_entrustment(reference="ENT-HEALTH", consignee=us, purpose=purpose,
                                         categories=[health, names],
                                         start_on=today - timedelta(days=400)),
        "ENT-COOKIE": f.make_entrustment(reference="ENT-COOKIE", consignee=de,
                                         categories=[cookies], start_on=today - timedelta(days=30)),
        "ENT-OLD": f.make_entrustment(reference="ENT-OLD", consignee=jp, purpose=purpose,
                                      categories=[health], start_on=today - timedelta(days=900),
                                      end_on=today - timedelta(days=500)),
        "ENT-NEXT": f.make_entrustment(reference="ENT-NEXT", consignee=jp, categories=[names],
                                       start_on=today + timedelta(days=10)),
    }
    db.session.commit()
    return {"today": today, "health": health, "cookies": cookies, "names": names, "us": us,
            "de": de, "jp": jp, "purpose": purpose, **made}


def test_each_entrustment_filter_narrows_the_list(handed, as_role):
    viewer = as_role("viewer")
    h = handed
    expected = {
        "kind=special_care": {"ENT-HEALTH", "ENT-OLD"},
        "kind=personally_referable": {"ENT-COOKIE"},
        "kind=pseudonymized": set(),
        "location=foreign": {"ENT-HEALTH", "ENT-COOKIE"},
        "location=domestic": {"ENT-OLD", "ENT-NEXT"},
        "country=DE": {"ENT-COOKIE"},
        "risk_tier=low": {"ENT-COOKIE", "ENT-OLD", "ENT-NEXT"},
        "state=active": {"ENT-HEALTH", "ENT-COOKIE"},
        "state=ended": {"ENT-OLD"},
        "state=upcoming": {"ENT-NEXT"},
        f"consignee={h['jp'].id}": {"ENT-OLD", "ENT-NEXT"},
        f"purpose={h['purpose'].id}": {"ENT-HEALTH", "ENT-OLD"},
        f"category={h['names'].id}": {"ENT-HEALTH", "ENT-NEXT"},
        f"start_on_from={h['today'] - timedelta(days=450)}": {"ENT-HEALTH", "ENT-COOKIE", "ENT-NEXT"},
        f"start_on_to={h['today']}": {"ENT-HEALTH", "ENT-COOKIE", "ENT-OLD"},
        f"start_on_from={h['today'] - timedelta(days=60)}&start_on_to={h['today']}": {"ENT-COOKIE"},
        "kind=special_care&location=foreign": {"ENT-HEALTH"},
        "kind=special_care&state=active": {"ENT-HEALTH"},
    }
    for query, references in expected.items():
        assert _entrustments(viewer, query)[1] == references, query


@pytest.mark.parametrize("common", [False, True])
def test_kind_filter_keeps_the_same_entrustments_however_common_the_kind(handed, as_role, common):
    """A kind most categories are of is asked entrustment by entrustment, a rare one is looked up
    among its categories' entrustments: the same entrustments either way, counts included."""
    if common:  # personal data becomes most of the categories
        for name in ("住所", "電話番号", "メールアドレス"):
            f.make_category(name=name)
        db.session.commit()
    assert (handling.kind_shares()["personal"] > handling.COMMON_KIND) == common
    viewer = as_role("viewer")
    assert _entrustments(viewer, "kind=personal")[1] == {"ENT-HEALTH", "ENT-NEXT"}
    assert _entrustments(viewer, "kind=personal&location=foreign")[1] == {"ENT-HEALTH"}
    assert _entrustments(viewer, "kind=personal&state=upcoming")[1] == {"ENT-NEXT"}
    assert _entrustments(viewer, "kind=special_care&state=active")[1] == {"ENT-HEALTH"}
    assert re.search(r'<option value="personal">[^<]* \(1\)</option>',
                     _entrustments(viewer, "location=foreign")[0])
    assert re.search(r'<option value="personal">[^<]* \(2\)</option>',
                     _entrustments(viewer, "")[0])


def test_contract_state_filter_reads_the_dates_as_the_state_does(app_ctx, as_role):
    """The state filter (ranges of the dates, which their indexes serve) keeps the contracts whose
    computed state is the one chosen: one renewing itself has not ended, no dates is in force."""
    today = registry_today()
    day = timedelta(days=1)
    made = {
        "CON-ENDED": {"start_on": today - 400 * day, "end_on": today - day},
        "CON-RENEWS": {"start_on": today - 400 * day, "end_on": today - day, "auto_renewal": True},
        "CON-LASTDAY": {"start_on": today - 10 * day, "end_on": today},
        "CON-NEXT": {"start_on": today + day, "end_on": today + 400 * day},
        "CON-NEXT-OPEN": {"start_on": today + day},
        "CON-NODATES": {},
        "CON-TODAY": {"start_on": today},
    }
    for reference, dates in made.items():
        f.make_contract(reference=reference, **dates)
    db.session.commit()
    viewer = as_role("viewer")
    expected = {
        "ended": {"CON-ENDED"},
        "upcoming": {"CON-NEXT", "CON-NEXT-OPEN"},
        "in_force": {"CON-RENEWS", "CON-LASTDAY", "CON-NODATES", "CON-TODAY"},
    }
    for state, references in expected.items():
        page = text(viewer.get(f"/contracts/?state={state}"))
        assert set(re.findall(r'<a href="/contracts/\d+">(CON-[^<]+)</a>', page)) == references, state
    page = text(viewer.get("/contracts/"))
    assert ">In force (4)</option>" in page and ">Ended (1)</option>" in page
    assert ">Not yet in force (2)</option>" in page


def test_entrustment_filters_show_counts_of_the_other_filters_rows(handed, as_role):
    viewer = as_role("viewer")
    page, _ = _entrustments(viewer, "location=foreign")
    assert ">Special care-required personal information (1)</option>" in page
    assert ">Personally referable information (1)</option>" in page
    assert ">Pseudonymously processed information (0)</option>" in page
    assert ">US (1)</option>" in page and ">DE (1)</option>" in page and ">JP (" not in page
    assert ">High (1)</option>" in page and ">Low (1)</option>" in page
    assert "selected>Foreign (2)</option>" in page and ">Japan (2)</option>" in page
    assert ">In progress (2)</option>" in page and ">Ended (0)</option>" in page
    assert f'<option value="{handed["us"].id}">Cloud Inc (US) (1)</option>' in page
    assert f'<option value="{handed["health"].id}">健康診断結果 (1)</option>' in page


def test_filters_are_kept_in_the_url_and_the_pages(handed, as_role, app):
    for n in range(60):
        f.make_entrustment(reference=f"ENT-M{n:02d}", consignee=handed["de"],
                           categories=[handed["health"]])
    db.session.commit()
    viewer = as_role("viewer")
    page, found = _entrustments(viewer, "kind=special_care&country=DE&sort=reference")
    assert "of 60" in page and len(found) == 50
    assert 'href="/entrustments/?kind=special_care&amp;country=DE&amp;sort=reference&amp;page=2"' in page
    assert '<option value="special_care" selected>' in page
    assert '<option value="DE" selected>' in page
    second, found = _entrustments(viewer, "kind=special_care&country=DE&sort=reference&page=2")
    assert found == {f"ENT-M{n}" for n in range(50, 60)}


def test_searching_a_category_name_finds_its_entrustments(handed, as_role):
    viewer = as_role("viewer")
    assert _entrustments(viewer, "q=健康診断")[1] == {"ENT-HEALTH", "ENT-OLD"}
    assert _entrustments(viewer, "q=閲覧")[1] == {"ENT-COOKIE"}
    assert _entrustments(viewer, "q=%25")[1] == set()


def test_dashboard_shows_special_care_by_consignee_and_data_abroad(handed, as_role):
    h = handed
    unrecorded = f.make_consignee(name="Nowhere Ltd", country="SG")
    f.make_entrustment(reference="ENT-SG", consignee=unrecorded, categories=[h["names"]])
    idle = f.make_consignee(name="Idle Corp", country="FR", cross_border_basis="adequate_country")
    f.make_entrustment(reference="ENT-FR-OLD", consignee=idle, categories=[h["health"]],
                       start_on=date(2020, 1, 1), end_on=date(2020, 12, 31))
    db.session.commit()
    page = text(as_role("viewer").get("/"))
    special = page[page.index("Special care-required data by consignee"):]
    special = special[:special.index("</section>")]
    assert f'<a href="/consignees/{h["us"].id}">Cloud Inc (US)</a>' in special
    assert f'<a href="/categories/{h["health"].id}">健康診断結果</a>' in special
    assert (f'<a href="/entrustments/?consignee={h["us"].id}&amp;kind=special_care">1</a>: '
            f'<a href="/entrustments/{h["ENT-HEALTH"].id}">ENT-HEALTH</a>') in special
    assert "国内物流" not in special, "its special-care entrustment has ended"
    assert "Idle Corp" not in special and "Daten GmbH" not in special
    abroad = page[page.index("Data handled abroad, by country"):]
    abroad = abroad[:abroad.index("</section>")]
    rows = re.findall(r"<tr>(.*?)</tr>", abroad, re.S)
    cells = [re.sub(r"<[^>]+>", "", row).split("\n") for row in rows[1:]]
    assert [" ".join(c.strip() for c in row if c.strip()) for row in cells] == [
        "DE Designated country (EU / UK) Daten GmbH (DE)",
        "SG not recorded Nowhere Ltd (SG)",
        "US Consent of the individual Cloud Inc (US)",
    ]


#: the narrowest content of a dashboard box: 26rem less 2 x 1rem padding and the borders, in pixels
BOX = 26 * 16 - 2 * 16 - 2


def test_dashboard_charts_draw_labels_at_least_11_pixels_high(handed, as_role):
    f.make_finding(check=f.make_check(consignee=handed["us"]), description="未対応")
    db.session.commit()
    page = text(as_role("viewer").get("/"))
    svgs = re.findall(r"<svg [^>]*>.*?</svg>", page, re.S)
    assert len(svgs) >= 2
    for svg in svgs:
        opening = svg[:svg.index(">")]
        view_width = float(re.search(r'viewBox="0 0 ([\d.]+) ', opening)[1])
        drawn = float(re.search(r' width="([\d.]+)"', opening)[1])
        assert drawn == view_width <= BOX, "drawn at its own size, within the box"
        sizes = [float(size) for size in re.findall(r'font-size="([\d.]+)"', svg)]
        assert sizes and min(sizes) * drawn / view_width >= 11, sizes


def test_consignee_check_and_finding_lists_filter_the_same_way(handed, as_role):
    h = handed
    old = f.make_check(consignee=h["us"], checked_on=date(2025, 5, 1))
    new = f.make_check(consignee=h["de"], checked_on=date(2026, 5, 1))
    late = f.make_finding(check=old, severity="high", due_on=date(2025, 6, 30))
    f.make_finding(check=new, severity="low", due_on=date(2026, 6, 30))
    db.session.commit()
    viewer = as_role("viewer")
    consignees = text(viewer.get("/consignees/?location=foreign"))
    assert "Cloud Inc" in consignees and "Daten GmbH" in consignees and "国内物流" not in consignees
    assert ">US (1)</option>" in consignees and ">High (1)</option>" in consignees
    assert ">Japan (1)</option>" in consignees, "the location counts leave its own filter out"
    assert "Cloud Inc" not in text(viewer.get("/consignees/?country=DE"))
    checks = text(viewer.get("/checks/?checked_on_from=2026-01-01"))
    assert new.reference in checks and old.reference not in checks
    assert 'name="checked_on_from" value="2026-01-01"' in checks
    findings = text(viewer.get("/findings/?due_on_to=2025-12-31"))
    assert late.reference in findings and ">High (1)</option>" in findings and ">Low (0)</option>" in findings
    assert late.reference not in text(viewer.get("/findings/?severity=low"))
