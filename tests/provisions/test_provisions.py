"""Provisions, receipts and joint uses: the rules of Art. 27 on every way in, the items each record
must hold (the page, the list's filter and the catalogue's check agree, in Python and in SQL), and
how long a record is kept (a year or three, past 29 February, as a setting)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from registry.compliance import engine
from registry.compliance.catalogue import CATALOGUE, Context
from registry.core import records
from registry.core.schema import Invalid
from registry.extensions import db
from registry.inventory.models import AppiKind
from registry.provisions import record
from registry.provisions.models import Provision
from tests import factories as f
from tests.exchange.helpers import workbook
from tests.factories import today as registry_today
from tests.test_rules import form_messages, import_messages


def found(code: str, on: date) -> list[engine.Result]:
    return engine.results(CATALOGUE[code], Context(on, {}))[0]


def _form(**changes) -> dict:
    return {"reference": "PRV-0100", "kind": "provision", "basis": "consent",
            "counterparty": "株式会社みなと保険", "country": "JP", "record_form": "each",
            "provided_on": (registry_today() - timedelta(days=3)).isoformat(), **changes}


def test_the_form_keeps_the_rules_of_article_27(app_ctx, as_role):
    editor = as_role("editor")
    health = f.make_category(name="病歴", appi_kind=AppiKind.SPECIAL_CARE)
    db.session.commit()
    cases = [
        ({"basis": ""}, "Give the basis that allows it"),
        ({"kind": "joint_use", "announced": "ポリシー第4条"}, "has no basis of provision"),
        ({"basis": "opt_out"}, "An opt-out needs its filing with the PPC"),
        ({"basis": "opt_out", "ppc_filing": "2025-0001", "categories": [health.id]},
         "An opt-out never covers special care-required data (APPI Art. 27(2)): 病歴"),
        ({"kind": "joint_use", "basis": ""}, "A joint use needs the individuals told in advance"),
        ({"last_on": (registry_today() - timedelta(days=9)).isoformat()},
         "The last day cannot come before the first"),
        ({"provided_on": (registry_today() + timedelta(days=1)).isoformat()}, "in the future"),
    ]
    for changes, message in cases:
        page = editor.post("/provisions/new", _form(**changes))
        assert page.status_code == 200 and any(message in m for m in form_messages(page)), changes
    assert editor.post("/provisions/new", _form(kind="joint_use", basis="",
                                                announced="プライバシーポリシー第4条")).status_code == 302


def test_the_same_rules_hold_in_a_workbook_and_in_the_services(app_ctx, tmp_path):
    f.make_category(name="病歴", appi_kind=AppiKind.SPECIAL_CARE)
    db.session.commit()
    path = workbook(tmp_path / "provisions.xlsx", {"第三者提供等": [
        ["管理番号", "種類", "提供の根拠", "相手方（提供先・提供元）", "個人データの項目", "提供日・受領日",
         "個人情報保護委員会への届出（オプトアウト）"],
        ["PRV-0200", "第三者提供", "オプトアウト（届出済み）", "名簿業者A", "病歴", "2026-10-01", "第123号"],
    ]})
    assert any("An opt-out never covers special care-required data" in m and "病歴" in m
               for m in import_messages(path))
    with pytest.raises(Invalid, match="Give the basis"):
        records.create(Provision, {"reference": "PRV-X", "kind": "receipt", "counterparty": "A",
                                   "provided_on": date(2026, 10, 1)})


#: provisions and what their records lack
RECORDS = [
    ({}, ["categories"]),
    ({"consent": "", "individuals": ""}, ["consent", "individuals", "categories"]),
    ({"basis": "exception", "consent": ""}, []),
    ({"basis": "succession", "individuals": ""}, []),
    ({"kind": "joint_use", "basis": None, "announced": "ポリシー第4条"}, []),
    ({"basis": "opt_out", "ppc_filing": "第123号", "counterparty_address": "東京都港区1-1 代表 甲"},
     ["categories"]),
    ({"kind": "receipt", "consent": "同意書", "counterparty_address": "大阪市北区 代表 乙",
      "acquisition": "懸賞応募時に取得", "confirmed_on": date(2026, 10, 1)}, ["categories"]),
    ({"kind": "receipt"}, ["counterparty_address", "acquisition", "confirmed_on", "categories"]),
    ({"kind": "referable", "basis": None, "confirmed_on": date(2026, 9, 30)}, ["categories"]),
    ({"kind": "referable", "basis": None, "confirmed_on": date(2026, 10, 2)},
     ["categories", "confirmed_on"]),
]


def test_the_record_lacks_the_same_items_in_python_and_in_sql(app_ctx):
    made = [(f.make_provision(**values), lacking) for values, lacking in RECORDS]
    category = f.make_category()
    complete = f.make_provision(categories=[category])
    db.session.commit()
    for provision, lacking in made:
        assert record.missing(provision) == lacking, provision.reference
    incomplete = set(db.session.scalars(sa.select(Provision.id).where(record.incomplete())))
    assert incomplete == {p.id for p, lacking in made if lacking}
    assert complete.id not in incomplete and record.missing(complete) == []


def test_the_check_names_the_items_a_record_lacks(app_ctx, as_role):
    lacking = f.make_provision(consent="", categories=[f.make_category()])
    f.make_provision(basis="exception", consent="")
    db.session.commit()
    results = found("provision-without-record", date(2026, 11, 1))
    assert [r.subject_id for r in results] == [lacking.id]
    assert results[0].reason == "Lacks: Consent."
    page = as_role("viewer").get(f"/provisions/{lacking.id}").get_data(as_text=True)
    assert "The record lacks:" in page and "Consent" in page
    listed = as_role("viewer").get("/provisions/?record=incomplete").get_data(as_text=True)
    assert lacking.reference in listed


@pytest.mark.parametrize(("form", "first", "last", "kept"), [
    ("each", date(2026, 10, 1), None, date(2029, 10, 1)),
    ("bulk", date(2024, 1, 10), date(2025, 3, 31), date(2028, 3, 31)),
    ("contract", date(2024, 2, 29), None, date(2025, 2, 28)),
])
def test_a_record_is_kept_a_year_or_three_then_flagged(app_ctx, form, first, last, kept):
    provision = f.make_provision(record_form=form, provided_on=first, last_on=last)
    db.session.commit()
    assert provision.kept_until == kept

    def ended(on):
        return db.session.scalar(sa.select(Provision.id).where(
            Provision.id == provision.id, record.retention_ended(on))) is not None
    assert not ended(kept) and ended(kept + timedelta(days=1))
    code = "provision-record-retention-ended"
    assert found(code, kept) == []
    after = found(code, kept + timedelta(days=1))
    assert [r.subject_id for r in after] == [provision.id]
    assert after[0].reason == f"Kept until {kept.isoformat()}."


def test_no_record_no_keeping(app_ctx):
    provision = f.make_provision(basis="exception", provided_on=date(2020, 1, 6))
    db.session.commit()
    assert provision.kept_until is None
    assert db.session.scalar(sa.select(sa.func.count()).where(
        Provision.id == provision.id, record.retention_ended(date(2026, 11, 1)))) == 0


def test_the_years_are_a_setting(app, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "PROVISION_RECORD_YEARS", {"contract": 2, "other": 5})
    provision = f.make_provision(provided_on=date(2026, 10, 1))
    assert provision.kept_until == date(2031, 10, 1)


def test_the_example_registry_and_its_quarterly_section(app_ctx):
    """The shipped inventory's three: a provision with consent and one under an exception of Art.
    27(1) (no record asked for), and personally referable information confirmed beforehand."""
    from registry import demo
    from registry.reporting import quarterly
    from registry.reporting.quarters import Quarter

    assert demo.load()["provisions"] == 3
    db.session.commit()
    stored = {p.reference: p for p in db.session.scalars(sa.select(Provision))}
    assert [record.missing(p) for p in stored.values()] == [[], [], []]
    assert stored["PRV-0002"].kept_until is None
    assert stored["PRV-0003"].kept_until == date(2029, 9, 30), "three years after the last"
    report = quarterly.build(Quarter.parse("FY2025-Q3", 4))
    section = next(s for s in report["sections"] if s["key"] == "provisions")
    figures = {key: current for key, current, _ in section["figures"]}
    assert figures == {"provided": 2, "provided_abroad": 0, "received": 0, "joint_uses": 0,
                       "without_record_at_end": 0, "retention_ended_at_end": 0}
    assert [row[0] for row in section["tables"][0]["rows"]] == ["PRV-0003", "PRV-0001"]
