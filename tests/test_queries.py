"""Pages issue a fixed number of SQL statements, however many rows they show (no N+1)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from registry.extensions import db
from tests import factories as f

LIST_PAGES = ["/calendar", "/questions/", "/exchange/", "/purposes/", "/categories/",
              "/purpose-categories/", "/consignees/", "/certifications/", "/entrustments/",
              "/contracts/", "/checks/", "/findings/", "/employees/", "/grants/",
              "/grants/?state=active&sort=-granted_on", "/matrix", "/audit/", "/",
              "/compliance/", "/compliance/contract-missing-clauses", "/compliance/never-checked",
              "/compliance/waivers", "/reports/quarterly", "/reports/snapshots"]


def seed(size: int) -> dict:
    """size of everything: consignees with work, contracts, checks and findings; grants."""
    parent = f.make_consignee(name=f"親会社{size}")
    employee = f.make_employee()
    purpose = f.make_purpose()
    for _ in range(size):
        category = f.make_category()
        link = f.make_link(purpose=purpose, category=category)
        consignee = f.make_consignee(parent=parent)
        certification = f.make_certification(consignee=consignee, scheme="isms")
        entrustment = f.make_entrustment(consignee=parent, purpose=purpose, categories=[category])
        contract = f.make_contract(consignee=parent)
        finding = f.make_finding(check=f.make_check(consignee=parent))
        grant = f.make_grant(employee=employee, category=category)
    db.session.commit()
    return {"consignees": parent.id, "employees": employee.id, "purposes": purpose.id,
            "categories": category.id, "purpose-categories": link.id,
            "certifications": certification.id, "entrustments": entrustment.id,
            "contracts": contract.id, "checks": finding.check_id, "findings": finding.id,
            "grants": grant.id}


def sent(client, url: str) -> list[str]:
    """The SQL statements a GET of url sends."""
    engine = db.engine
    seen = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    response.close()  # downloads are files, closed when the response is
    assert response.status_code == 200, url
    return seen


def statements(client, url: str) -> int:
    return len(sent(client, url))


def pages(ids: dict) -> list[str]:
    """The lists, and every kind of record's page, edit form and history."""
    return LIST_PAGES + [f"/{kind}/{id}{suffix}" for kind, id in ids.items()
                         for suffix in ("", "/edit", "/history")]


@pytest.fixture
def measured(app_ctx, as_role):
    viewer = as_role("editor")  # editors also see the edit forms
    small = seed(2)
    before = {url: statements(viewer, url) for url in pages(small)}
    large = seed(12)
    after = {url: statements(viewer, url) for url in pages(large)}
    return before, after, small, large


def test_statement_counts_do_not_grow_with_rows(measured):
    before, after, small, large = measured
    for url_small, url_large in zip(pages(small), pages(large), strict=True):
        assert after[url_large] <= before[url_small], (
            f"{url_large}: {before[url_small]} statements with 2 rows, {after[url_large]} with 12")


#: what reading a page may send: queries, and the transaction's begin and end (savepoints in tests)
READING = re.compile(r"^\s*(SELECT|WITH|BEGIN|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)


def test_pages_only_read(app_ctx, as_role):
    """GET requests never write (on PostgreSQL they run without a transaction around them:
    registry.core.transactions.read_in_autocommit)."""
    viewer = as_role("editor")
    urls = pages(seed(2)) + ["/exchange/export", "/reports/quarterly.xlsx", "/reports/quarterly.html"]
    for url in urls:
        writes = [statement for statement in sent(viewer, url) if not READING.match(statement)]
        assert not writes, f"{url} sent {writes[0][:80]}"
