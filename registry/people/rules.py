"""What a valid employee and access grant are (APPI Arts. 23-24, policy Art. 13)."""

from __future__ import annotations

from collections.abc import Iterator

from registry.core.i18n import Label
from registry.core.i18n import lazy_gettext as _l
from registry.core.schema import Change, Description, Problem
from registry.people.models import AccessGrant, Employee, EmployeeStatus


def _employee(change: Change) -> Iterator[Problem]:
    values = change.values
    if values.get("status") == EmployeeStatus.DEPARTED and not values.get("departed_on"):
        yield Problem("departed_on", _l("A departed employee needs the date of departure."))


def _grant(change: Change) -> Iterator[Problem]:
    values = change.values
    granted, revoked = values.get("granted_on"), values.get("revoked_on")
    if revoked and not values.get("revoke_reason"):
        yield Problem("revoke_reason", _l("Say why the access was revoked."))
    if revoked and granted and revoked < granted:
        yield Problem("revoked_on", _l("Access cannot be revoked before it was granted."))


EMPLOYEES = Description(
    Employee, key=("number",), singular=Label("Employee", "従業者"),
    plural=Label("Employees", "従業者"), rules=_employee, order_by=(Employee.number,))

GRANTS = Description(
    AccessGrant, key=("employee", "category", "system"), singular=Label("Access grant", "アクセス権限"),
    plural=Label("Access grants", "アクセス権限"), rules=_grant)
