"""Pages for employees and their access grants, and the upload of the HR system's list."""

import sqlalchemy as sa
from flask import Blueprint, url_for
from flask_babel import gettext
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import orm as so
from wtforms import BooleanField

from registry.core.auth import role_required
from registry.core.entity import Column, DateRange, Dependent, Entity, Filter, RecordFilter
from registry.core.fields import Form
from registry.core.i18n import lazy_gettext as _l
from registry.core.models import Role
from registry.core.web import paginate
from registry.exchange import uploads
from registry.extensions import db
from registry.inventory.models import DataCategory
from registry.inventory.views import APPI_KIND
from registry.people import feed
from registry.people.models import AccessGrant, AccessLevel, Employee, EmployeeStatus
from registry.people.rules import EMPLOYEES, GRANTS

bp = Blueprint("people", __name__)


def _employee_context(employee: Employee) -> dict:
    query = (
        sa.select(AccessGrant)
        .join(AccessGrant.category)
        .options(so.contains_eager(AccessGrant.category))
        .where(AccessGrant.employee_id == employee.id)
        .order_by(AccessGrant.revoked_on.is_not(None), DataCategory.name, AccessGrant.system)
    )
    page = paginate(query)
    in_force = db.session.scalar(sa.select(sa.func.count()).where(
        AccessGrant.employee_id == employee.id, AccessGrant.revoked_on.is_(None)))
    return {"grants": page, "grants_in_force": in_force}


def _status(value: str):
    if value == "active":
        return AccessGrant.revoked_on.is_(None)
    return AccessGrant.revoked_on.is_not(None)


employees = Entity(
    name="employees",
    description=EMPLOYEES,
    columns=[
        Column("number", Employee.number, link=True),
        Column("name", Employee.name),
        Column("department", Employee.department),
        Column("job_title", Employee.job_title),
        Column("status", Employee.status),
        Column("pledge_signed_on", Employee.pledge_signed_on),
        Column("last_training_on", Employee.last_training_on),
    ],
    search=(Employee.number, Employee.name, Employee.department, Employee.job_title),
    filters=(
        Filter.on(Employee.status, "status", _l("Status"), EmployeeStatus.choices),
        Filter.on(Employee.department, "department", EMPLOYEES.by_name["department"].label),
        Filter.flag(Employee.pledge_signed_on.is_not(None), "pledge",
                    _l("Confidentiality pledge signed")),
        DateRange("last_training_on", EMPLOYEES.by_name["last_training_on"].label,
                  Employee.last_training_on),
    ),
    default_sort="number",
    dependents=(
        Dependent(_l("Access grants"), AccessGrant, lambda e: AccessGrant.employee_id == e.id),
    ),
    detail_template="people/employee_detail.html",
    detail_context=_employee_context,
)

grants = Entity(
    name="grants",
    description=GRANTS,
    columns=[
        Column("employee", Employee.number, link=True),
        Column("category", DataCategory.name),
        Column("level", AccessGrant.level),
        Column("system", AccessGrant.system),
        Column("granted_on", AccessGrant.granted_on),
        Column("last_reviewed_on", AccessGrant.last_reviewed_on),
        Column("revoked_on", AccessGrant.revoked_on),
    ],
    search=(Employee.number, Employee.name, DataCategory.name, AccessGrant.system),
    filters=(
        RecordFilter("employee", _l("Employee"), Employee,
                     lambda v: AccessGrant.employee_id == int(v)),
        RecordFilter("category", _l("Data category"), DataCategory,
                     lambda v: AccessGrant.category_id == int(v),
                     value=lambda: DataCategory.id, name=lambda: DataCategory.name),
        Filter("state", _l("State"),
               lambda: [("active", _l("In force")), ("revoked", _l("Revoked"))], _status,
               value=lambda: sa.case((AccessGrant.revoked_on.is_(None), "active"),
                                     else_="revoked")),
        Filter.on(AccessGrant.level, "level", _l("Access level"), AccessLevel.choices),
        APPI_KIND,
        Filter.on(Employee.status, "employee_status", _l("Employee status"),
                  EmployeeStatus.choices),
        DateRange("granted_on", GRANTS.by_name["granted_on"].label, AccessGrant.granted_on),
        DateRange("last_reviewed_on", GRANTS.by_name["last_reviewed_on"].label,
                  AccessGrant.last_reviewed_on),
    ),
    default_sort="employee",
    joins=(AccessGrant.employee, AccessGrant.category),
)

for entity in (employees, grants):
    entity.register(bp)


class HrListForm(Form):
    """The HR system's list of employees (people.feed reads it)."""

    hr_list = FileField(_l("HR list of employees (.csv or .xlsx)"), validators=[FileRequired()])
    revoke = BooleanField(_l("Revoke the leavers' access on their departure day"))


@bp.route("/employees/sync", methods=["POST"])
@role_required(Role.EDITOR)
@uploads.receives_workbooks
def sync():
    """Keep the HR list as a pending import, then show the pipeline's preview of it."""
    form = HrListForm()
    return uploads.received(form, "hr_list", {"kind": feed.HR_FEED, "revoke": form.revoke.data},
                            gettext("Choose the HR list (.csv or .xlsx)."), url_for("exchange.index"))
bp.add_app_template_global(HrListForm, "hr_list_form")
