"""Record forms that suggest the next number, group data categories by kind and go back where the
user came from; record pages showing the checks about them; filters with counts on every list
(issue 16)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy import orm as so

from registry import create_app
from registry.consignees.models import Entrustment
from registry.core import records
from registry.core.models import Role
from registry.core.users import create_user
from registry.extensions import db
from tests import factories as f
from tests.conftest import Client
from tests.factories import PASSWORD
from tests.factories import today as registry_today
from tests.test_pages import text
from tests.test_queries import sent

TAKEN = "Another record already has this value."


def _suggested(page: str) -> str:
    return re.search(r'name="reference"[^>]*value="([^"]*)"', page)[1]


def test_new_records_suggest_the_next_number_of_their_series(app_ctx, as_role):
    for reference in ("ENT-0007", "ENT-0012", "ENT-0099X", "ENT-", "XENT-5000", "ENT-T1"):
        f.make_entrustment(reference=reference)
    f.make_contract(reference="CON-00041")
    db.session.commit()
    editor = as_role("editor")
    assert _suggested(text(editor.get("/entrustments/new"))) == "ENT-0013"
    assert _suggested(text(editor.get("/contracts/new"))) == "CON-00042", "as wide as the widest"
    assert _suggested(text(editor.get("/checks/new"))) == "CHK-0001", "an empty series starts at 1"
    assert _suggested(text(editor.get("/entrustments/new?reference=ENT-X"))) == "ENT-X"
    found = [s for s in sent(editor, "/entrustments/new") if "max(" in s.lower()]
    assert len(found) == 1, "one aggregate statement, whatever the number of entrustments"


def test_a_number_saved_meanwhile_is_a_field_error_not_a_server_error(app_ctx, as_role):
    consignee, purpose = f.make_consignee(), f.make_purpose()
    db.session.commit()
    first, second = as_role("editor"), as_role("admin")
    assert _suggested(text(first.get("/entrustments/new"))) == "ENT-0001"
    assert _suggested(text(second.get("/entrustments/new"))) == "ENT-0001"
    values = {"reference": "ENT-0001", "consignee": consignee.id, "purpose": purpose.id,
              "work": "発送代行"}
    assert first.post("/entrustments/new", values).status_code == 302
    refused = second.post("/entrustments/new", values | {"work": "別の業務"})
    page = text(refused)
    assert TAKEN in page and 'id="reference-error"' in page
    assert db.session.scalars(sa.select(Entrustment.work)).all() == ["発送代行"]


def test_two_people_saving_one_suggested_number_at_once(scratch_url, transaction):
    """On PostgreSQL the second INSERT waits for the first to commit and the unique index refuses
    it: the second person sees the field error (SQLite's writers wait for each other before they
    check, as the test above shows)."""
    if not scratch_url.startswith("postgresql"):
        pytest.skip("SQLite serialises the writers (BEGIN IMMEDIATE) before the check")
    app = create_app({"SQLALCHEMY_DATABASE_URI": scratch_url, "SECRET_KEY": "t",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    db.session.remove()
    db.session.configure(bind=None)  # this app's own engine, not the test's outer transaction
    try:
        with app.app_context():
            upgrade()
            for name in ("editor8", "editor9"):
                create_user(name, Role.EDITOR, PASSWORD)
            consignee, purpose = f.make_consignee(), f.make_purpose()
            db.session.commit()
            first, second = Client(app.test_client()), Client(app.test_client())
            assert first.login("editor8").status_code == second.login("editor9").status_code == 302
            values = {"reference": "ENT-0001", "consignee": consignee.id, "purpose": purpose.id}
            form = first.hidden("/entrustments/new")
            raced = []

            def first_saves_meanwhile(session, _context, _instances):
                """Between the second person's check and write, the first one's save commits."""
                if raced or not any(isinstance(o, Entrustment) for o in session.new):
                    return
                raced.append("saving")  # (the first one's own flush passes through here too)
                raced[0] = first.post("/entrustments/new", form | values | {"work": "先に保存"},
                                      csrf=False)  # its own request, session and connection

            sa.event.listen(so.Session, "before_flush", first_saves_meanwhile)
            try:
                refused = second.post("/entrustments/new", values | {"work": "後から保存"})
            finally:
                sa.event.remove(so.Session, "before_flush", first_saves_meanwhile)
            assert raced[0].status_code == 302
            assert TAKEN in text(refused)
            with db.engine.connect() as connection:
                assert connection.execute(sa.select(Entrustment.work)).scalars().all() == ["先に保存"]
            db.engine.dispose()
    finally:
        db.session.remove()
        db.session.configure(bind=transaction, join_transaction_mode="create_savepoint")


def test_the_service_refuses_a_taken_number_for_every_way_in(app_ctx):
    taken = f.make_entrustment(reference="ENT-0001")
    other = f.make_entrustment(reference="ENT-0002")
    db.session.commit()
    with pytest.raises(records.Invalid) as refused:
        records.update(other, {"reference": "ENT-0001"})
    assert [(p.field, str(p)) for p in refused.value.problems] == [("reference", TAKEN)]
    db.session.rollback()
    assert records.suggested(Entrustment) == {"reference": "ENT-0003"}
    assert taken.reference == "ENT-0001"


def test_data_categories_are_offered_grouped_by_their_kind(app_ctx, as_role, users):
    f.make_category(name="病歴", appi_kind="special_care")
    f.make_category(name="閲覧履歴", appi_kind="personally_referable")
    f.make_category(name="仮名化ID", appi_kind="pseudonymized")
    f.make_category(name="氏名")
    db.session.commit()
    editor = as_role("editor")
    page = text(editor.get("/entrustments/new"))
    groups = dict(re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', page, re.S))
    assert "病歴" in groups["Special care-required personal information"]
    assert "閲覧履歴" in groups["Personally referable information"]
    assert "仮名化ID" in groups["Pseudonymously processed information"]
    assert "氏名" in groups["Personal information"] and "病歴" not in groups["Personal information"]
    assert list(groups).index("Personal information") < list(groups).index(
        "Special care-required personal information"), "in the order of the kinds"
    grant_form = text(editor.get("/grants/new"))
    assert '<optgroup label="Special care-required personal information">' in grant_form
    editor.post("/language", {"language": "ja"})
    assert '<optgroup label="要配慮個人情報">' in text(editor.get("/entrustments/new"))


def test_cancel_and_save_go_back_where_the_user_came_from(app_ctx, as_role):
    entrustment = f.make_entrustment(reference="ENT-0001")
    db.session.commit()
    editor = as_role("editor")
    origin = "/entrustments/?kind=special_care&sort=-reference"
    edit = f"/entrustments/{entrustment.id}/edit"
    page = text(editor.get(edit, headers={"Referer": f"http://localhost{origin}"}))
    assert f'<a href="{origin.replace("&", "&amp;")}">Cancel</a>' in page
    assert f'name="next" value="{origin.replace("&", "&amp;")}"' in page
    form = {"reference": "ENT-0001", "consignee": entrustment.consignee_id,
            "purpose": entrustment.purpose_id, "work": "変更後", "next": origin}
    saved = editor.post(edit, form)
    assert saved.status_code == 302 and saved.headers["Location"] == origin
    # without an origin: the record page, as before
    page = text(editor.get(edit))
    assert f'<a href="/entrustments/{entrustment.id}">Cancel</a>' in page
    saved = editor.post(edit, {**form, "next": "", "work": "再変更"})
    assert saved.headers["Location"] == f"/entrustments/{entrustment.id}"
    created = text(editor.get("/entrustments/new?next=/consignees/"))
    assert '<a href="/consignees/">Cancel</a>' in created


@pytest.mark.parametrize("elsewhere", [
    "//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
    "evil.example", "http:/evil.example", "/" + "x" * 2001])
def test_going_back_never_leaves_the_registry(app_ctx, as_role, elsewhere):
    entrustment = f.make_entrustment(reference="ENT-0001")
    db.session.commit()
    editor = as_role("editor")
    edit = f"/entrustments/{entrustment.id}/edit"
    page = text(editor.get(edit, query_string={"next": elsewhere}))
    assert f'<a href="/entrustments/{entrustment.id}">Cancel</a>' in page
    assert 'name="next"' not in page
    form = {"reference": "ENT-0001", "consignee": entrustment.consignee_id,
            "purpose": entrustment.purpose_id, "work": "変更後", "next": elsewhere}
    assert editor.post(edit, form).headers["Location"] == f"/entrustments/{entrustment.id}"
    other_site = text(editor.get(edit, headers={"Referer": "http://evil.example/entrustments/"}))
    assert f'<a href="/entrustments/{entrustment.id}">Cancel</a>' in other_site


def test_a_delete_goes_back_unless_the_origin_was_the_deleted_record(app_ctx, as_role):
    consignee = f.make_consignee()
    first = f.make_contract(consignee=consignee)
    second = f.make_contract(consignee=consignee)
    db.session.commit()
    editor = as_role("editor")
    origin = f"/consignees/{consignee.id}"
    page = text(editor.get(f"/contracts/{first.id}/delete", headers={"Referer": f"http://localhost{origin}"}))
    assert f'<a href="{origin}">Cancel</a>' in page
    deleted = editor.post(f"/contracts/{first.id}/delete", {"next": origin})
    assert deleted.headers["Location"] == origin
    deleted = editor.post(f"/contracts/{second.id}/delete", {"next": f"/contracts/{second.id}"})
    assert deleted.headers["Location"] == "/contracts/"


def test_entrustment_and_contract_pages_show_the_checks_about_them(app_ctx, as_role):
    today = registry_today()
    consignee = f.make_consignee(name="見守り運輸", country="SG")
    entrustment = f.make_entrustment(consignee=consignee, start_on=today - timedelta(days=30))
    contract = f.make_contract(consignee=consignee, start_on=today - timedelta(days=60),
                               clause_confidentiality=True)
    check = f.make_check(consignee=consignee, checked_on=today - timedelta(days=90))
    finding = f.make_finding(check=check, description="アクセスログ未取得", severity="high")
    elsewhere = f.make_check(consignee=f.make_consignee(name="無関係"))
    db.session.commit()
    viewer = as_role("viewer")
    page = text(viewer.get(f"/entrustments/{entrustment.id}"))
    assert f'<a href="/checks/{check.id}">{check.reference}</a>' in page
    assert f'<a href="/findings/{finding.id}">{finding.reference}</a>' in page
    assert elsewhere.reference not in page
    results = page[page.index('id="compliance"'):page.index('id="supervision"')]
    assert ('<a href="/compliance/entrustment-without-selection">No selection assessment before '
            'the entrustment began</a>') in results
    assert f'<a href="/entrustments/{entrustment.id}">{entrustment.reference}</a>' in results
    assert "/compliance/foreign-without-basis" in results, "the consignee's own results too"
    assert f'<a href="/consignees/{consignee.id}">見守り運輸 (SG)</a>' in results
    page = text(viewer.get(f"/contracts/{contract.id}"))
    results = page[page.index('id="compliance"'):page.index('id="supervision"')]
    assert "/compliance/contract-missing-clauses" in results and "Missing: " in results
    assert "/compliance/entrustment-without-selection" not in results, "another record's"
    assert f'<a href="/checks/{check.id}">{check.reference}</a>' in page


# -- filters with counts on every list ---------------------------------------------------------

def _listed(viewer, url: str, pattern: str) -> tuple[str, set[str]]:
    page = text(viewer.get(url))
    return page, set(re.findall(pattern, page))


@pytest.fixture
def inventory(app_ctx):
    """Purposes using special care and personally referable data, handed to consignees at home and
    abroad; contracts, employees and grants around them."""
    today = registry_today()
    health = f.make_category(name="健康情報", appi_kind="special_care")
    cookies = f.make_category(name="クッキー", appi_kind="personally_referable")
    names = f.make_category(name="氏名")
    hr = f.make_purpose(code="HR", title="人事")
    ads = f.make_purpose(code="AD", title="広告", status="draft")
    for purpose, category in ((hr, health), (hr, names), (ads, cookies)):
        f.make_link(purpose=purpose, category=category, since=date(2025, 4, 1))
    us = f.make_consignee(name="Cloud Inc", country="US", risk_tier="high",
                          cross_border_basis="consent")
    jp = f.make_consignee(name="国内倉庫")
    f.make_entrustment(consignee=us, purpose=hr, categories=[health])
    f.make_entrustment(consignee=jp, purpose=ads, categories=[cookies])
    made = {
        "CON-US": f.make_contract(reference="CON-US", consignee=us, clause_confidentiality=True,
                                  start_on=today - timedelta(days=100)),
        "CON-OLD": f.make_contract(reference="CON-OLD", consignee=jp,
                                   start_on=date(2020, 1, 1), end_on=date(2021, 1, 1)),
        "CON-NEXT": f.make_contract(reference="CON-NEXT", consignee=jp,
                                    start_on=today + timedelta(days=30)),
    }
    f.make_certification(consignee=jp, scheme="isms", expires_on=date(2027, 3, 31))
    sales = f.make_employee(number="E01", department="営業", pledge_signed_on=date(2025, 1, 1))
    it = f.make_employee(number="E02", department="情報システム", status="leave")
    f.make_grant(employee=sales, category=health, level="edit", granted_on=date(2025, 5, 1))
    f.make_grant(employee=it, category=names, granted_on=date(2026, 5, 1))
    f.make_grant(employee=it, category=cookies, system="BI", revoked_on=date(2026, 6, 1),
                 revoke_reason="異動", granted_on=date(2026, 1, 1))
    db.session.commit()
    return {"health": health, "cookies": cookies, "names": names, "hr": hr, "ads": ads,
            "us": us, "jp": jp, **made}


def test_purposes_and_categories_filter_by_the_data_and_where_it_goes(inventory, as_role):
    i, viewer = inventory, as_role("viewer")
    codes = r'<a href="/purposes/\d+">([^<]+)</a>'
    page, found = _listed(viewer, "/purposes/?kind=special_care", codes)
    assert found == {"HR"}
    assert ">Personally referable information (1)</option>" in page
    assert ">Draft (0)</option>" in page and ">In use (1)</option>" in page
    assert _listed(viewer, f"/purposes/?category={i['cookies'].id}", codes)[1] == {"AD"}
    names = r'<a href="/categories/\d+">([^<]+)</a>'
    page, found = _listed(viewer, "/categories/?location=foreign", names)
    assert found == {"健康情報"}
    assert ">US (1)</option>" in page and ">JP (" not in page
    assert ">Japan (1)</option>" in page and "selected>Foreign (1)</option>" in page
    assert _listed(viewer, "/categories/?country=JP", names)[1] == {"クッキー"}
    page, found = _listed(viewer, f"/categories/?purpose={i['hr'].id}", names)
    assert found == {"健康情報", "氏名"}
    assert ">Special care-required personal information (1)</option>" in page
    assert f'<option value="{i["ads"].id}">AD (1)</option>' in page
    links = text(viewer.get(f"/purpose-categories/?purpose={i['hr'].id}&appi_kind=personal"))
    assert "氏名" in links and "健康情報" not in links and ">Draft (0)</option>" in links
    assert "クッキー" in text(viewer.get("/purpose-categories/?status=draft&since_from=2025-01-01"))


def test_contract_and_certification_lists_filter_with_counts(inventory, as_role):
    i, viewer = inventory, as_role("viewer")
    references = r'<a href="/contracts/\d+">(CON-[^<]+)</a>'
    expected = {
        "state=in_force": {"CON-US"}, "state=ended": {"CON-OLD"}, "state=upcoming": {"CON-NEXT"},
        "confidentiality=yes": {"CON-US"}, "confidentiality=no": {"CON-OLD", "CON-NEXT"},
        "location=foreign": {"CON-US"}, "country=JP": {"CON-OLD", "CON-NEXT"},
        "risk_tier=high": {"CON-US"}, f"consignee={i['jp'].id}": {"CON-OLD", "CON-NEXT"},
        "end_on_to=2022-01-01": {"CON-OLD"}, "start_on_from=2022-01-01": {"CON-US", "CON-NEXT"},
    }
    for query, found in expected.items():
        assert _listed(viewer, f"/contracts/?{query}", references)[1] == found, query
    page = text(viewer.get("/contracts/?country=JP"))
    assert ">In force (0)</option>" in page and ">Ended (1)</option>" in page
    assert f'<option value="{i["jp"].id}">国内倉庫 (JP) (2)</option>' in page
    assert ">High (0)</option>" in page and ">US (1)</option>" in page
    certifications = text(viewer.get("/certifications/?expires_on_from=2027-01-01"))
    assert "国内倉庫" in certifications and ">ISMS (ISO/IEC 27001) (1)</option>" in certifications


def test_employee_grant_and_question_lists_filter_with_counts(inventory, as_role):
    i, viewer = inventory, as_role("viewer")
    numbers = r'<a href="/employees/\d+">(E\d+)</a>'
    page, found = _listed(viewer, "/employees/?department=営業", numbers)
    assert found == {"E01"} and ">情報システム (1)</option>" in page
    assert _listed(viewer, "/employees/?pledge=no", numbers)[1] == {"E02"}
    assert ">On leave (0)</option>" in text(viewer.get("/employees/?pledge=yes"))
    grants = r'<a href="/grants/\d+">(E\d+)'
    page = text(viewer.get("/grants/?employee_status=leave"))
    assert ">In force (1)</option>" in page and ">Revoked (1)</option>" in page
    assert ">Edit (0)</option>" in page and ">Read (2)</option>" in page
    assert f'<option value="{i["cookies"].id}">クッキー (1)</option>' in page
    assert _listed(viewer, "/grants/?granted_on_from=2026-01-01&state=active", grants)[1] == {"E02"}
    assert _listed(viewer, "/grants/?appi_kind=special_care", grants)[1] == {"E01"}
    f.make_question(severity="high")
    db.session.commit()
    assert ">High (1)</option>" in text(viewer.get("/questions/?status=active"))


def test_the_audit_log_counts_its_record_types_and_actions(inventory, as_role):
    admin = as_role("admin")
    page = text(admin.get("/audit/?entity=contracts"))
    assert ">Created (3)</option>" in page and ">Deleted (0)</option>" in page
    assert re.search(r">Purpose of use \(2\)</option>", page)
    page = text(admin.get("/audit/?action=delete"))
    assert re.search(r">Contract \(0\)</option>", page)


@pytest.mark.filterwarnings(  # SQLite's reflection skips the review day's expression index
    "ignore:Skipped unsupported reflection of expression-based index")
def test_the_grant_list_filters_by_indexed_columns(app_ctx):
    """A million grants: every filter on the grants' own columns has an index to use."""
    indexed = {tuple(index["column_names"])[0]
               for index in sa.inspect(db.session.connection()).get_indexes("access_grants")}
    indexed |= {tuple(u["column_names"])[0]
                for u in sa.inspect(db.session.connection()).get_unique_constraints("access_grants")}
    assert {"employee_id", "category_id", "revoked_on", "granted_on"} <= indexed


def test_an_import_meeting_a_number_saved_meanwhile_plans_again(app_ctx, tmp_path):
    """The workbook import creates ENT-0002; a form saves ENT-0002 after the import checked the
    registry and before it wrote: the unique index refuses the row, and the import is refused as
    stale (the CLI and the web page plan it again) rather than failing."""
    from registry.exchange import pipeline, write
    from registry.exchange.apply import Stale, apply

    kept = f.make_entrustment(reference="ENT-0001")
    gone = f.make_entrustment(reference="ENT-0002", consignee=kept.consignee, purpose=kept.purpose)
    db.session.commit()
    path = tmp_path / "inventory.xlsx"
    write.export(path, "en")
    records.delete(gone)
    db.session.commit()
    plan = pipeline.plan_file(path)
    assert plan.valid and [r.key for s in plan.sheets for r in s.rows if r.action == "create"] == [
        ("ENT-0002",)]
    now = sa.func.now()
    db.session.execute(sa.insert(Entrustment.__table__).values(  # saved meanwhile, not yet logged
        reference="ENT-0002", consignee_id=kept.consignee_id, purpose_id=kept.purpose_id,
        work="同時に保存", notes="", created_at=now, updated_at=now, revision=1))
    with pytest.raises(Stale, match="saved while it was applied"):
        apply(plan, path.name, path.read_bytes())
