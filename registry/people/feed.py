"""The HR system's list of employees (社員マスタ), as it exports it: a CSV file (UTF-8 or CP932, as
Excel writes it) or a workbook, its columns found by their headings as an inventory sheet's are
(社員番号 / employee number, 氏名, 所属, 在籍区分 / status, 退職日 / departed on ...). New employees
are added, changes applied and departures recorded; every access grant in force of a leaver is
listed for revocation, and revoked on the day of departure when asked. One more kind of workbook
in the import pipeline (exchange.kinds): the same rules, preview, import batch, audit log and
revert as any import."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _

from registry.core.i18n import language
from registry.core.progress import Progress, ignore
from registry.exchange.bulk import collector_paused
from registry.exchange.guard import Limits
from registry.exchange.kinds import Kind, register
from registry.exchange.plan import Plan, build_plan
from registry.exchange.read import Issue, Parsed, SheetRows, sheet_rows
from registry.exchange.resources import RESOURCES
from registry.extensions import db
from registry.inventory.models import DataCategory
from registry.ledger import sheets
from registry.people.models import AccessGrant, AccessLevel, Employee, EmployeeStatus

HR_FEED = "hr_feed"
#: the reason recorded on a grant revoked for a departure the HR list reports
REASON = "退職（人事データの取込による）"
#: employee numbers looked up in one statement
CHUNK = 500


@dataclass(frozen=True)
class Leaver:
    """A departed employee of the list, and the access grants in force the registry holds."""

    row: int
    number: str
    name: str
    departed_on: date
    #: (category, system, level) of each grant in force
    grants: list[tuple[str, str, AccessLevel]]


@dataclass
class FeedPlan(Plan):
    """An inventory plan of the employees sheet (and, revoking, of their grants), with the
    leavers whose access is in force."""

    leavers: list[Leaver] = field(default_factory=list)
    revoke: bool = False

    #: the preview shows the leavers and their grants
    template = "people/_feed.html"
    #: a corrected list is sent again from the Excel page
    reupload = None


def _employees(path: Path, limits: Limits, filename: str | None) -> Parsed:
    """The first sheet of the file with a header row naming the employee number."""
    employees = RESOURCES["employees"]
    first = None
    for grid in sheets.read(path, limits, filename):
        found = Parsed([], [], [])
        sheet = sheet_rows(grid.name, employees, enumerate(grid.rows), limits, found)
        if sheet is not None:
            return Parsed([sheet], found.notices, found.issues)
        first = first or found
    return first or Parsed([], [], [Issue("", None, None, None, _("the file holds no sheet"))])


def _leavers(planned: Plan) -> list[Leaver]:
    """The employees the list says have left, with their grants in force."""
    departed = {}
    for sheet in planned.sheets:
        for row in sheet.rows:
            if row.values.get("status") == EmployeeStatus.DEPARTED.value \
                    and row.values.get("departed_on"):
                departed[row.values["number"]] = row
    numbers = sorted(departed)
    grants: dict[str, list] = {number: [] for number in numbers}
    for start in range(0, len(numbers), CHUNK):
        found = db.session.execute(
            sa.select(Employee.number, DataCategory.name, AccessGrant.system, AccessGrant.level)
            .join(AccessGrant, AccessGrant.employee_id == Employee.id)
            .join(DataCategory, DataCategory.id == AccessGrant.category_id)
            .where(Employee.number.in_(numbers[start:start + CHUNK]),
                   AccessGrant.revoked_on.is_(None))
            .order_by(Employee.number, DataCategory.name, AccessGrant.system))
        for number, category, system, level in found:
            grants[number].append((category, system, level))
    return [Leaver(departed[n].row, n, departed[n].values.get("name") or "",
                   departed[n].values["departed_on"], grants[n]) for n in numbers if grants[n]]


def _revocations(employees: SheetRows, leavers: list[Leaver]) -> SheetRows:
    """A sheet of the grants to revoke, each on the row of its leaver in the list."""
    grants = RESOURCES["access_grants"]
    keys = ["employee.number", "category.name", "system", "revoked_on", "revoke_reason"]
    sheet = SheetRows(grants, f"{employees.sheet} › {grants.sheet_name(language())}",
                      employees.header_row, {k: i for i, k in enumerate(keys)},
                      {k: getattr(grants.by_key[k], language()) for k in keys})
    sheet.rows = [(leaver.row, [leaver.number, category, system, leaver.departed_on, REASON])
                  for leaver in leavers for category, system, _level in leaver.grants]
    return sheet


def plan(path: Path, limits: Limits, revoke: bool = False, filename: str | None = None,
         progress: Progress = ignore, **_options) -> FeedPlan:
    """The plan of the HR list (revoking the leavers' grants when asked); writes nothing."""
    with collector_paused():
        planned = build_plan(_employees(path, limits, filename), progress=progress)
        leavers = _leavers(planned) if planned.valid else []
        if revoke and leavers:
            parsed = _employees(path, limits, filename)  # planning took the rows it read
            parsed.sheets.append(_revocations(parsed.sheets[0], leavers))
            planned = build_plan(parsed, progress=progress)
    return FeedPlan(planned.sheets, planned.issues, planned.notices, planned.sync,
                    planned.renamed, planned.mark, leavers=leavers, revoke=revoke)


register(Kind(HR_FEED, lambda names: False, plan, guarded=False))
