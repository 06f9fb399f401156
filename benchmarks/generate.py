"""Deterministic generator of large inventories, loaded through bulk statements."""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa

from registry.core.model import utcnow
from registry.extensions import db
from registry.inventory.models import DataCategory
from registry.people.models import AccessGrant, Employee

SYSTEMS = ["顧客管理システム", "問い合わせ管理", "配信ツール", "分析基盤", "人事システム"]
LEVELS = ["read", "edit", "export", "admin"]


def day(rng: random.Random, start: date = date(2018, 4, 1), span: int = 3000) -> date:
    return start + timedelta(days=rng.randrange(span))


def people(seed: int, employees: int, categories: int) -> None:
    """Employees and data categories (the targets of access grants), inserted in bulk."""
    rng = random.Random(seed)
    now = utcnow()
    db.session.execute(sa.insert(DataCategory), [
        {"name": f"項目{n:05d}", "appi_kind": "special_care" if n % 50 == 0 else "personal",
         "data_subjects": "顧客", "source": "本人", "storage_location": "DB",
         "retention_period": f"{rng.randint(1, 10)}年", "estimated_records": rng.randint(0, 10**6),
         "created_at": now, "updated_at": now}
        for n in range(categories)])
    db.session.execute(sa.insert(Employee), [
        {"number": f"E{n:06d}", "name": f"社員{n}", "department": f"部署{n % 40}",
         "job_title": "", "status": "active", "departed_on": None,
         "pledge_signed_on": day(rng), "last_training_on": day(rng),
         "created_at": now, "updated_at": now}
        for n in range(employees)])


def grant_rows(seed: int, count: int, employees: int, categories: int) -> list[dict]:
    """count distinct access grants as sheet rows (employee number, category name, system...)."""
    rng = random.Random(seed)
    rows, seen = [], set()
    while len(rows) < count:
        key = (rng.randrange(employees), rng.randrange(categories), rng.randrange(len(SYSTEMS)))
        if key in seen:
            continue
        seen.add(key)
        rows.append({"employee.number": f"E{key[0]:06d}", "category.name": f"項目{key[1]:05d}",
                     "system": SYSTEMS[key[2]], "level": rng.choice(LEVELS),
                     "granted_by": "情報システム部", "granted_on": day(rng),
                     "last_reviewed_on": day(rng, date(2024, 1, 1), 700),
                     "revoked_on": None, "revoke_reason": ""})
    return rows


def insert_grants(rows: list[dict]) -> None:
    """Grants straight into the table (for export benchmarks), ids resolved in bulk."""
    employees = dict(db.session.execute(sa.select(Employee.number, Employee.id)).all())
    categories = dict(db.session.execute(sa.select(DataCategory.name, DataCategory.id)).all())
    now = utcnow()
    db.session.execute(sa.insert(AccessGrant), [
        {"employee_id": employees[r["employee.number"]],
         "category_id": categories[r["category.name"]], "system": r["system"],
         "level": r["level"], "granted_by": r["granted_by"], "granted_on": r["granted_on"],
         "last_reviewed_on": r["last_reviewed_on"], "revoked_on": None, "revoke_reason": "",
         "created_at": now, "updated_at": now} for r in rows])
