"""What people see: lists with search, filters, sorting and pages; the matrix; the consignee and
employee pages; both languages; escaping; refusals that explain themselves."""

from __future__ import annotations

import re
from datetime import date, timedelta

import sqlalchemy as sa

from registry.core.models import AuditEntry
from registry.extensions import db
from registry.inventory.models import Purpose
from tests import factories as f
from tests.factories import today as registry_today


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_search_filter_sort_and_pages(app, app_ctx, as_role):
    for n in range(60):
        f.make_purpose(code=f"S{n:03d}", title=f"配送 {n}" if n % 2 else f"分析 {n}",
                       status="retired" if n % 3 == 0 else "active")
    db.session.commit()
    viewer = as_role("viewer")
    page = text(viewer.get("/purposes/?sort=code"))
    assert "S000" in page and "S049" in page and "S050" not in page
    assert "of 60" in page
    second = text(viewer.get("/purposes/?sort=code&page=2"))
    assert "S050" in second and "S000" not in second
    searched = text(viewer.get("/purposes/?q=配送"))
    assert "of 30" in searched and "分析" not in searched
    filtered = text(viewer.get("/purposes/?status=retired"))
    assert "of 20" in filtered
    descending = text(viewer.get("/purposes/?sort=-code"))
    assert descending.index("S059") < descending.index("S058")
    wildcard = text(viewer.get("/purposes/?q=%25"))
    assert "No records match" in wildcard, "a % in the search is a character, not a wildcard"


def test_unknown_sort_and_filter_values_are_ignored(app_ctx, as_role):
    viewer = as_role("viewer")
    assert viewer.get("/purposes/?sort=password_hash&status=nope&page=-3").status_code == 200


def test_matrix_marks_use_and_special_care(app_ctx, as_role):
    purpose = f.make_purpose(code="M01", status="active")
    used = f.make_category(name="健康診断結果", appi_kind="special_care")
    f.make_category(name="未使用項目")
    f.make_link(purpose=purpose, category=used)
    db.session.commit()
    page = text(as_role("viewer").get("/matrix?status=active"))
    assert 'title="M01 × 健康診断結果"' in page
    assert "M01 × 未使用項目" not in page
    assert 'class="badge special"' in page


def test_matrix_pages_both_axes_and_counts_each(app_ctx, as_role):
    purposes = [f.make_purpose(code=f"M{n:02d}", status="active") for n in range(30)]
    categories = [f.make_category(name=f"項目{n:02d}") for n in range(27)]
    f.make_purpose(code="R01", status="retired")
    f.make_link(purpose=purposes[27], category=categories[26])
    db.session.commit()
    viewer = as_role("viewer")
    first = text(viewer.get("/matrix"))
    assert "Purposes 1–25 of 30" in first and "Categories 1–25 of 27" in first
    assert "M24" in first and "M25" not in first and "項目26" not in first
    last = text(viewer.get("/matrix?pp=2&cp=2"))
    assert "Purposes 26–30 of 30" in last and "Categories 26–27 of 27" in last
    assert 'title="M27 × 項目26"' in last and "M00" not in last and "R01" not in last
    assert "Purposes 1–25 of 31" in text(viewer.get("/matrix?status=")), "all statuses"
    beyond = text(viewer.get("/matrix?pp=9"))
    assert "No purposes or data categories match." in beyond


def test_consignee_page_shows_everything(app_ctx, as_role):
    parent = f.make_consignee(name="Global Cloud", country="US", cross_border_basis="conforming_system")
    child = f.make_consignee(name="Sub Processor", country="IE", parent=parent)
    category = f.make_category(name="病歴", appi_kind="special_care")
    entrustment = f.make_entrustment(consignee=child, categories=[category], work="バックアップ保管")
    contract = f.make_contract(consignee=child, clause_confidentiality=True)
    check = f.make_check(consignee=child)
    finding = f.make_finding(check=check, description="再委託先の教育未実施")
    certification = f.make_certification(consignee=child, number="ISMS-0042")
    db.session.commit()
    viewer = as_role("viewer")
    page = text(viewer.get(f"/consignees/{child.id}"))
    for expected in ("Global Cloud", "バックアップ保管", "病歴", "Special care",
                     "Purpose limitation", "再委託先の教育未実施", "Handles the data abroad: IE",
                     "not approved", "ISMS-0042"):
        assert expected in page, expected
    purpose = entrustment.purpose
    for link in (f'<a href="/entrustments/{entrustment.id}">{entrustment.reference}</a>',
                 f'<a href="/purposes/{purpose.id}">{purpose.code} {purpose.title}</a>',
                 f'<a href="/categories/{category.id}">病歴</a> <span class="badge special">',
                 f'<a href="/contracts/{contract.id}">{contract.reference}</a>',
                 f'<a href="/checks/{check.id}">{check.reference}</a>',
                 f'<a href="/findings/{finding.id}">{finding.reference}</a>',
                 f'<a href="/certifications/{certification.id}">'):
        assert link in page, link
    parent_page = text(viewer.get(f"/consignees/{parent.id}"))
    assert f'Re-entrusts to: <a href="/consignees/{child.id}">Sub Processor (IE)</a>' in parent_page


def test_employee_page_warns_about_unrevoked_access(app_ctx, as_role):
    employee = f.make_employee(status="departed", departed_on=date(2026, 8, 31))
    f.make_grant(employee=employee)
    db.session.commit()
    page = text(as_role("viewer").get(f"/employees/{employee.id}"))
    assert "still has access" in page


def test_japanese_from_browser_and_from_the_users_choice(app_ctx, as_role):
    viewer = as_role("viewer")
    assert "利用目的" in text(viewer.get("/", headers={"Accept-Language": "ja,en;q=0.5"}))
    assert "Purposes" in text(viewer.get("/", headers={"Accept-Language": "en"}))
    viewer.post("/language", {"language": "ja"}, form_url="/")
    assert "利用目的" in text(viewer.get("/", headers={"Accept-Language": "en"}))
    assert "委託先" in text(viewer.get("/consignees/", headers={"Accept-Language": "en"}))


def test_values_are_escaped(app_ctx, as_role):
    f.make_purpose(code="X1", title='<script>alert("x")</script>')
    db.session.commit()
    page = text(as_role("viewer").get("/purposes/"))
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_delete_refused_while_others_depend(app_ctx, as_role):
    link = f.make_link()
    purpose_id = link.purpose.id
    db.session.commit()
    response = as_role("editor").post(f"/purposes/{purpose_id}/delete")
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "cannot be deleted" in body and "Data categories used: 1" in body
    db.session.expire_all()
    assert db.session.get(Purpose, purpose_id) is not None


def test_duplicate_natural_key_is_a_field_error(app_ctx, as_role):
    f.make_purpose(code="DUP")
    db.session.commit()
    response = as_role("editor").post("/purposes/new", {"code": "DUP", "title": "x",
                                                        "status": "active"})
    assert response.status_code == 200
    assert "Another record already has this value" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).where(Purpose.code == "DUP")) == 1


def test_history_page_shows_old_and_new(app_ctx, as_role):
    purpose = f.make_purpose(code="H1", title="旧タイトル")
    db.session.commit()
    editor = as_role("editor")
    editor.post(f"/purposes/{purpose.id}/edit", {"code": "H1", "title": "新タイトル",
                                                 "status": "active"})
    page = text(editor.get(f"/purposes/{purpose.id}/history"))
    assert "旧タイトル" in page and "新タイトル" in page and "editor1" in page
    assert "<th>Purpose of use</th>" in page and "<th>title</th>" not in page  # the form's label
    log = text(editor.get("/audit/?entity=purposes&action=update&actor=editor1"))
    assert "新タイトル" in log and "<th>Purpose of use</th>" in log
    assert editor.post("/language", {"language": "ja"}, form_url="/").status_code == 302
    assert "<th>利用目的</th>" in text(editor.get(f"/purposes/{purpose.id}/history"))


def test_admin_manages_users_and_others_cannot(app_ctx, as_role):
    assert as_role("editor").get("/users/").status_code == 403
    admin = as_role("admin")
    response = admin.post("/users/new", {"username": "newcomer", "role": "editor",
                                         "password": "a long password 1", "confirm":
                                         "a long password 1"})
    assert response.status_code == 302
    assert "newcomer" in text(admin.get("/users/"))


def test_audit_entries_cannot_be_changed(app_ctx, transaction):
    f.make_purpose()
    db.session.flush()
    entry_id = db.session.scalar(sa.select(sa.func.max(AuditEntry.id)))
    for statement in (sa.update(AuditEntry).where(AuditEntry.id == entry_id).values(actor="x"),
                      sa.delete(AuditEntry).where(AuditEntry.id == entry_id)):
        savepoint = transaction.begin_nested()
        try:
            transaction.execute(statement)
        except sa.exc.DatabaseError as error:
            assert "cannot be changed" in str(error)
        else:
            raise AssertionError(f"the database allowed {statement}")
        finally:
            savepoint.rollback()


def test_record_filter_from_a_link(app_ctx, as_role):
    mine = f.make_consignee(name="絞り込み先")
    f.make_entrustment(consignee=mine, reference="ENT-MINE")
    f.make_entrustment(reference="ENT-OTHER")
    db.session.commit()
    page = text(as_role("viewer").get(f"/entrustments/?consignee={mine.id}"))
    assert "ENT-MINE" in page and "ENT-OTHER" not in page
    assert "絞り込み先 (JP)" in page
    assert as_role("viewer").get("/entrustments/?consignee=abc").status_code == 200


def test_consignee_page_advises_tier_and_selection(app_ctx, as_role):
    consignee = f.make_consignee(name="要配慮委託先", risk_tier="medium")
    health = f.make_category(name="健康情報", appi_kind="special_care")
    early = f.make_entrustment(consignee=consignee, categories=[health], reference="ENT-EARLY",
                               start_on=date(2025, 4, 1))
    f.make_check(consignee=consignee, kind="selection", checked_on=date(2025, 5, 1))
    db.session.commit()
    page = text(as_role("viewer").get(f"/consignees/{consignee.id}"))
    assert "suggested: High" in page
    assert "special care-required personal information is entrusted" in page
    assert "2025-05-01" in page and "Entrusted before any selection assessment" in page
    assert (f'Entrusted before any selection assessment: <a href="/entrustments/{early.id}">'
            f'ENT-EARLY</a>') in page


def test_first_selection_found_beyond_the_checks_shown(app_ctx, as_role):
    from registry.consignees.views import SECTION_LIMIT

    consignee = f.make_consignee(name="点検の多い委託先")
    f.make_check(consignee=consignee, kind="selection", checked_on=date(2015, 4, 1))
    for n in range(SECTION_LIMIT):
        f.make_check(consignee=consignee, kind="periodic", checked_on=date(2016, 1, 1) + timedelta(days=n))
    db.session.commit()
    page = text(as_role("viewer").get(f"/consignees/{consignee.id}"))
    assert re.search(r"Selection assessment:\s*2015-04-01", page), "older than the 100 checks shown"


def test_supervision_calendar(app_ctx, as_role):
    from registry.questionnaires import bank, issuance

    today = registry_today()
    late = f.make_consignee(name="期限切れ委託先")
    f.make_check(consignee=late, checked_on=today - timedelta(days=400),
                 next_due_on=today - timedelta(days=35))
    soon = f.make_consignee(name="来月の委託先")
    f.make_check(consignee=soon, checked_on=today - timedelta(days=200),
                 next_due_on=today + timedelta(days=300))
    f.make_check(consignee=soon, checked_on=today, next_due_on=today + timedelta(days=40))
    f.make_consignee(name="未点検の委託先")
    bank.seed()
    issuance.issue(soon, on=today - timedelta(days=60))
    db.session.commit()
    page = text(as_role("viewer").get("/calendar"))
    overdue, rest = page.split("Questionnaires not returned", 1)
    assert "期限切れ委託先" in overdue.split(f"{today + timedelta(days=40):%Y-%m}")[0]
    assert f"{today + timedelta(days=40):%Y-%m}" in page and "来月の委託先" in page
    assert f"{today + timedelta(days=300):%Y-%m-%d}" not in page, "the latest check sets the date"
    assert "未点検の委託先" in rest.split("Consignees never checked")[1]
    assert "overdue" in rest


def test_links_built_from_the_query_stay_relative(app_ctx, as_role):
    f.make_purpose(code="Q1")
    db.session.commit()
    page = text(as_role("viewer").get("/purposes/?_external=1&_anchor=x&q=Q1"))
    assert "http://" not in page and "#x" not in page
    assert 'href="/exchange/export?q=Q1&amp;entity=purposes"' in page
