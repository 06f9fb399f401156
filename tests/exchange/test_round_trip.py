"""Property: exporting any inventory and importing the workbook into the same registry plans no
change (Japanese text, formula-like text, empty values, dates at the edges included)."""

from __future__ import annotations

import shutil
import string
import subprocess
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry import demo
from registry.consignees.models import (
    CertificationScheme,
    ConsigneeStatus,
    ContractType,
    CrossBorderBasis,
    RiskTier,
)
from registry.exchange import pipeline, write
from registry.exchange.plan import clean_list
from registry.exchange.values import clean_text
from registry.extensions import db
from registry.inventory.models import AppiKind, PurposeStatus
from registry.people.models import AccessLevel, EmployeeStatus
from registry.supervision.models import CheckKind, CheckMethod, CheckResult, FindingStatus, Severity
from tests import factories as f

FORMULA_LIKE = ["=1+1", "+81-3-0000", "-", "@x", "\tタブ", "\r改行", "=HYPERLINK(\"http://x\")"]
EDGE_DATES = [date(1899, 12, 31), date(1900, 1, 1), date(1900, 2, 28), date(1900, 3, 1),
              date(2000, 2, 29), date(2019, 4, 30), date(2019, 5, 1), date(9999, 12, 31)]
LIST_SEPARATORS = set(";；、\n")

printable = st.characters(categories=("L", "M", "N", "P", "S", "Zs"),
                          exclude_characters="\ufffe\uffff")
free_text = st.one_of(
    st.just(""),
    st.sampled_from(FORMULA_LIKE),
    st.sampled_from(["配送業務", "株式会社テスト", "ＡＢＣ", "２０２４年", "TRUE", "00123", "1.5"]),
    st.text(printable, max_size=40).map(clean_text),
)
identifier = st.text(string.ascii_uppercase + string.digits + "-", min_size=1, max_size=10)
#: names a spreadsheet or a careless reader could take for numbers or blanks
EDGE_NAMES = ["0", "00", "0.0", "007", "\xa0", "\xa0名", "名\u2003", "\u3000名"]
name = st.one_of(st.sampled_from(EDGE_NAMES).map(clean_text), st.text(
    printable, min_size=1, max_size=30).map(clean_text)).filter(
    lambda n: n and not (set(n) & LIST_SEPARATORS))
dates = st.one_of(st.none(), st.sampled_from(EDGE_DATES), st.dates(date(1900, 3, 1), date(2100, 1, 1)))


def member(choice):
    return st.sampled_from(list(choice))


@st.composite
def inventories(draw):
    """A small random inventory, created through the services."""
    purposes = [f.make_purpose(code=code, title=draw(free_text) or "目的",
                               description=draw(free_text), status=draw(member(PurposeStatus)))
                for code in draw(st.lists(identifier, min_size=1, max_size=3, unique=True))]
    categories = [f.make_category(name=n, appi_kind=draw(member(AppiKind)),
                                  retention_period=draw(free_text),
                                  estimated_records=draw(st.one_of(
                                      st.none(), st.integers(0, 10**12))))
                  for n in draw(st.lists(name, min_size=1, max_size=3, unique=True))]
    for purpose in purposes:
        for category in draw(st.lists(st.sampled_from(categories), unique=True, max_size=2)):
            f.make_link(purpose=purpose, category=category, reason=draw(free_text),
                        since=draw(dates))
    parent = f.make_consignee(name=draw(name), country="US",
                              cross_border_basis=draw(st.sampled_from(
                                  [None, CrossBorderBasis.CONSENT,
                                   CrossBorderBasis.CONFORMING_SYSTEM])),
                              external_environment=draw(free_text))
    child = f.make_consignee(name=draw(name), parent=parent, risk_tier=draw(member(RiskTier)),
                             status=draw(member(ConsigneeStatus)),
                             reentrustment_approved_on=draw(dates))
    f.make_certification(consignee=child, scheme=draw(member(CertificationScheme)),
                         number=draw(identifier), expires_on=draw(dates))
    f.make_entrustment(consignee=child, purpose=purposes[0], work=draw(free_text) or "業務",
                       categories=draw(st.lists(st.sampled_from(categories), unique=True)),
                       start_on=draw(dates))
    f.make_contract(consignee=parent, contract_type=draw(member(ContractType)),
                    auto_renewal=draw(st.booleans()), clause_confidentiality=draw(st.booleans()),
                    title=draw(free_text), signed_on=draw(dates))
    check = f.make_check(consignee=child, kind=draw(member(CheckKind)),
                         method=draw(member(CheckMethod)), result=draw(member(CheckResult)),
                         checked_on=draw(st.sampled_from(EDGE_DATES)), notes=draw(free_text))
    status = draw(member(FindingStatus))
    closed = status in (FindingStatus.RESOLVED, FindingStatus.ACCEPTED)
    f.make_finding(check=check, severity=draw(member(Severity)), status=status,
                   due_on=draw(dates), description=draw(free_text) or "指摘",
                   resolution=(draw(free_text) or "対応済み") if closed else "")
    status = draw(member(EmployeeStatus))
    employee = f.make_employee(name=draw(name), status=status,
                               departed_on=date(2026, 1, 31) if status == "departed" else None,
                               pledge_signed_on=draw(dates), department=draw(free_text))
    f.make_grant(employee=employee, category=categories[0], level=draw(member(AccessLevel)),
                 system=draw(free_text), revoked_on=None, last_reviewed_on=draw(dates))
    db.session.flush()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), language=st.sampled_from(["en", "ja"]))
def test_export_then_import_plans_no_change(app_ctx, tmp_path, data, language):
    savepoint = db.session.begin_nested()
    try:
        data.draw(inventories())
        path = tmp_path / f"round-trip-{language}.xlsx"
        write.export(path, language)
        plan = pipeline.plan_file(path)
        assert plan.valid, [str(issue) for issue in plan.issues]
        changed = {sheet.resource.name: [(r.key, r.changes) for r in sheet.changed()]
                   for sheet in plan.sheets if sheet.changed()}
        assert not changed
    finally:
        savepoint.rollback()


def test_names_of_digits_or_unusual_spaces_round_trip_in_list_cells(app_ctx, tmp_path):
    """A category named by digits, a no-break space or with an em space at its end comes back as
    the same name from an entrustment's list cell (it was read as a change, or as a missing
    category, and judged by the rule on the categories a purpose uses)."""
    names = ["0", "00", "0.0", "007", "\xa0", "\xa0名", "名\u2003"]
    purpose = f.make_purpose(code="0", title="0")
    f.make_purpose(code="007", title="00")
    categories = [f.make_category(name=n) for n in names]
    for category in categories:
        f.make_link(purpose=purpose, category=category)
    f.make_entrustment(purpose=purpose, categories=categories)
    employee = f.make_employee(name="0")
    for category in categories:
        f.make_grant(employee=employee, category=category)
    db.session.flush()
    path = tmp_path / "names.xlsx"
    write.export(path, "en")
    plan = pipeline.plan_file(path)
    assert plan.valid, [str(issue) for issue in plan.issues]
    assert not plan.changes_anything, [(r.key, r.changes) for s in plan.sheets for r in s.changed()]
    assert clean_list("0 ;\t\xa0\r\n名\u2003、　00； 007") == "; ".join(sorted(
        ["0", "\xa0", "名\u2003", "00", "007"])), "only the blanks around a separator go"


@pytest.mark.slow
def test_the_export_re_saved_by_libreoffice_imports_with_no_change(app_ctx, tmp_path):
    """The rows written straight as XML (issue 17) read the same after LibreOffice re-saves the
    workbook, as a person editing it would: the example inventory, formula-like text and dates
    before Excel's first one included."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) is missing: `make test` installs libreoffice-calc"
    demo.load()
    f.make_purpose(code="LO1", title=FORMULA_LIKE[0], description=FORMULA_LIKE[4])
    f.make_employee(name=FORMULA_LIKE[1], department=FORMULA_LIKE[-1],
                    pledge_signed_on=EDGE_DATES[0], last_training_on=EDGE_DATES[3])
    db.session.flush()
    for language in ("en", "ja"):
        path = tmp_path / f"export-{language}.xlsx"
        write.export(path, language)
        folder = tmp_path / f"libreoffice-{language}"
        subprocess.run([soffice, "--headless", "--convert-to", "xlsx", "--outdir", str(folder),
                        str(path)], check=True, capture_output=True, timeout=300)
        plan = pipeline.plan_file(folder / path.name)
        assert plan.valid, [str(issue) for issue in plan.issues]
        assert not plan.changes_anything, \
            [(r.key, r.changes) for sheet in plan.sheets for r in sheet.changed()]


def test_a_plan_holds_each_repeated_stored_value_once(app_ctx, monkeypatch):
    """The stored records a plan compares with share a column's values while they are few (a
    system, a level, a day): memory that does not grow with a copy of each (issue 17)."""
    from registry.exchange import stored
    from registry.exchange.resources import RESOURCES

    for n in range(4):
        f.make_grant(system="顧客管理システム", granted_on=date(2026, 4, 1), granted_by=f"担当{n}")
    db.session.commit()
    monkeypatch.setattr(stored, "SHARED_VALUES", 2)
    rows = list(stored.Stored(RESOURCES["access_grants"]).values())
    assert len({id(row["system"]) for row in rows}) == 1
    assert len({id(row["granted_on"]) for row in rows}) == 1
    assert [row["granted_by"] for row in rows] == [f"担当{n}" for n in range(4)]
