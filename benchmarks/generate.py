"""Deterministic generator of large registries, loaded through bulk statements."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from registry.consignees.identifiers import DESIGNATED_COUNTRIES
from registry.consignees.models import (
    Certification,
    Consignee,
    Contract,
    Entrustment,
    clauses,
    entrustment_categories,
)
from registry.core.model import utcnow
from registry.extensions import db
from registry.inventory.models import DataCategory, Purpose, PurposeCategory
from registry.people.models import AccessGrant, Employee
from registry.supervision.models import Finding, SupervisionCheck

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
         "job_title": "", "status": STATUSES[n % len(STATUSES)],
         "departed_on": departed(n),
         "pledge_signed_on": day(rng), "last_training_on": day(rng, date(2025, 8, 1), 480),
         "created_at": now, "updated_at": now}
        for n in range(employees)])


#: as a company's staff stands: one in ten has left, one in twenty is on leave
STATUSES = ["active"] * 17 + ["departed"] * 2 + ["leave"]


def departed(number: int) -> date | None:
    """The departure day of a departed employee (in the last two and a half years)."""
    if STATUSES[number % len(STATUSES)] != "departed":
        return None
    return date(2024, 4, 1) + timedelta(days=(number * 7919) % 900)


def grant_rows(seed: int, count: int, employees: int, categories: int) -> list[dict]:
    """count distinct access grants as sheet rows (employee number, category name, system...)."""
    if count > employees * categories * len(SYSTEMS):
        raise ValueError(f"{count:,} distinct grants need more employees and categories")
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
                     "last_reviewed_on": day(rng, date(2025, 6, 1), 540),
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
         "last_reviewed_on": r["last_reviewed_on"], **revoked(n, r),
         "created_at": now, "updated_at": now} for n, r in enumerate(rows)])


def revoked(n: int, row: dict) -> dict:
    """How a grant ended, as in a kept registry: a leaver's grants revoked on the day of leaving
    (but one in twenty, which the checks find), one in twenty of the others on a change of role."""
    left = departed(int(row["employee.number"][1:]))
    if left is not None and n % 20:
        return {"revoked_on": max(left, row["granted_on"]), "revoke_reason": "退職"}
    if left is None and n % 20 == 7:
        return {"revoked_on": min(row["granted_on"] + timedelta(days=n % 700), date(2026, 6, 30)),
                "revoke_reason": "異動"}
    return {"revoked_on": None, "revoke_reason": ""}


@dataclass(frozen=True)
class Size:
    """How many of each record a generated registry holds."""

    purposes: int = 300
    categories: int = 2_000
    consignees: int = 5_000
    entrustments: int = 20_000
    contracts: int = 10_000
    checks: int = 30_000
    findings: int = 20_000
    employees: int = 20_000
    grants: int = 100_000

    def scaled(self, factor: float) -> Size:
        return Size(**{name: max(1, int(value * factor)) for name, value in asdict(self).items()})


#: the reference size of issue 7: a large company's registry
REFERENCE = Size()

COUNTRIES = ["JP"] * 17 + ["US", "SG", "DE", "CN", "IN", "GB", "VN"]


def registry(seed: int, size: Size = REFERENCE) -> None:
    """A whole registry of the given size, deterministic from the seed, inserted in bulk with
    explicit ids (the sequences are moved past them on PostgreSQL)."""
    rng = random.Random(seed)
    now = utcnow()
    stamp = {"created_at": now, "updated_at": now}
    people(seed, size.employees, size.categories)
    if size.grants:
        insert_grants(grant_rows(seed, size.grants, size.employees, size.categories))
    categories = list(db.session.scalars(sa.select(DataCategory.id).order_by(DataCategory.id)))
    _bulk(Purpose, [{"id": n + 1, "code": f"P{n + 1:04d}", "title": f"利用目的{n + 1}",
                     "description": "", "legal_basis": "", "status": "active", **stamp}
                    for n in range(size.purposes)])
    uses: dict[int, list[int]] = {}
    links = set()
    for category in categories[: int(len(categories) * 0.99)]:  # a few categories left unused
        for purpose in rng.sample(range(1, size.purposes + 1), min(size.purposes, rng.randint(1, 3))):
            links.add((purpose, category))
            uses.setdefault(purpose, []).append(category)
    _bulk(PurposeCategory, [{"id": n + 1, "purpose_id": p, "category_id": c, "reason": "", "since": None,
                             **stamp} for n, (p, c) in enumerate(sorted(links))])
    _bulk(Consignee, [_consignee(rng, n + 1, stamp) for n in range(size.consignees)])
    _bulk(Certification, [{"id": n + 1, "consignee_id": rng.randint(1, size.consignees),
                           "scheme": rng.choice(["privacymark", "isms", "soc2"]), "number": f"C{n:06d}",
                           "expires_on": day(rng, date(2024, 1, 1), 1500), **stamp}
                          for n in range(size.consignees // 2)])
    entrustments, pairs = [], []
    using = sorted(uses)
    for n in range(size.entrustments):
        purpose = rng.choice(using)
        start = day(rng, date(2019, 4, 1), 2500)
        entrustments.append({"id": n + 1, "reference": f"ENT-{n + 1:06d}",
                             "consignee_id": n % size.consignees + 1, "purpose_id": purpose,
                             "work": "業務委託", "start_on": start,
                             "end_on": None if rng.random() < 0.85
                             else start + timedelta(days=rng.randint(30, 2500)), **stamp})
        # only categories the purpose uses (the rules refuse any other)
        chosen = set(rng.sample(uses[purpose], min(len(uses[purpose]), rng.randint(1, 3))))
        pairs.extend({"entrustment_id": n + 1, "category_id": c} for c in sorted(chosen))
    _bulk(Entrustment, entrustments)
    db.session.execute(sa.insert(entrustment_categories), pairs)
    _bulk(Contract, [_contract(rng, n + 1, n % size.consignees + 1, stamp) for n in range(size.contracts)])
    checks = [_check(rng, n + 1, size, stamp) for n in range(size.checks)]
    _bulk(SupervisionCheck, checks)
    _bulk(Finding, [_finding(rng, n + 1, rng.choice(checks), stamp) for n in range(size.findings)])
    _reset_sequences()


def _consignee(rng: random.Random, n: int, stamp: dict) -> dict:
    country = rng.choice(COUNTRIES)
    child = n > 100 and rng.random() < 0.15
    return {"id": n, "name": f"委託先{n:05d}株式会社", "corporate_number": None, "country": country,
            "address": "", "contact_name": "", "contact_email": "",
            "risk_tier": rng.choice(["high", "medium", "medium", "low"]), "status": "active",
            "parent_id": rng.randint(1, n - 1) if child else None,
            "reentrustment_approved_on": day(rng, date(2019, 1, 1), 2000) if child else None,
            "cross_border_basis": None if country == "JP" else rng.choice(
                ["consent", "conforming_system", None]
                + (["adequate_country"] if country in DESIGNATED_COUNTRIES else [])),
            "cross_border_checked_on": None if country == "JP" else day(rng, date(2024, 1, 1), 1000),
            "external_environment": "" if country == "JP" or rng.random() < 0.1 else "外国の制度を確認",
            **stamp}


def _check(rng: random.Random, n: int, size: Size, stamp: dict) -> dict:
    """A selection assessment for each consignee first, then periodic and ad hoc checks."""
    selection = n <= size.consignees
    checked = date(2019, 1, 1) if selection else day(rng, date(2019, 1, 1), 2850)
    return {"id": n, "reference": f"CHK-{n:06d}", "consignee_id": (n - 1) % size.consignees + 1,
            "kind": "selection" if selection else rng.choice(["periodic", "ad_hoc"]),
            "checked_on": checked, "performed_by": "監督担当", "notes": "",
            "method": rng.choice(["questionnaire", "onsite_audit", "document_review"]),
            "result": rng.choice(["pass", "pass", "pass_with_findings", "fail"]),
            "next_due_on": checked + timedelta(days=rng.choice([90, 180, 365])), **stamp}


def _finding(rng: random.Random, n: int, check: dict, stamp: dict) -> dict:
    status = rng.choice(["open", "in_progress", "resolved", "resolved", "resolved", "accepted"])
    found = check["checked_on"]
    severity = rng.choice(["low", "medium", "high", "critical"])
    resolved_on = found + timedelta(days=rng.randint(5, 200)) if status == "resolved" else None
    if status == "resolved" and severity in ("high", "critical"):
        # resolved only with a file attached as evidence, which no workbook carries
        status, resolved_on = "in_progress", None
    return {"id": n, "reference": f"FND-{n:06d}", "check_id": check["id"], "description": "指摘事項",
            "severity": severity, "owner": "", "due_on": found + timedelta(days=90),
            "status": status, "resolution": "対応済み" if status in ("resolved", "accepted") else "",
            "resolved_on": resolved_on, **stamp}


def _contract(rng: random.Random, n: int, consignee: int, stamp: dict) -> dict:
    start = day(rng, date(2019, 1, 1), 2500)
    return {"id": n, "reference": f"CON-{n:06d}", "consignee_id": consignee,
            "contract_type": rng.choice(["service", "dpa", "nda"]), "title": "業務委託契約",
            "signed_on": start - timedelta(days=10), "start_on": start,
            "end_on": None if rng.random() < 0.3 else start + timedelta(days=rng.choice([365, 730, 1095])),
            "auto_renewal": rng.random() < 0.5, "reentrustment_allowed": rng.random() < 0.4,
            **{name: rng.random() < 0.93 for name, _ in clauses()}, **stamp}


def _bulk(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), 5_000):
        db.session.execute(sa.insert(model), rows[start:start + 5_000])


def _reset_sequences() -> None:
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("purposes", "purpose_categories", "consignees", "certifications", "entrustments",
                  "contracts", "supervision_checks", "findings"):
        db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT max(id) FROM {table}))"))
