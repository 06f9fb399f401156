"""Employees (従業者) and their access grants to data categories (APPI Arts. 23-24)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.core.i18n import lazy_gettext as _l
from registry.core.model import Choice, Record, choice_column
from registry.extensions import db
from registry.inventory.models import DataCategory


class EmployeeStatus(Choice):
    """Whether an employee is working."""

    ACTIVE = "active", _l("Employed")
    LEAVE = "leave", _l("On leave")
    DEPARTED = "departed", _l("Departed")


class AccessLevel(Choice):
    """What a grant lets the employee do with the data."""

    READ = "read", _l("Read")
    EDIT = "edit", _l("Edit")
    EXPORT = "export", _l("Export")
    ADMIN = "admin", _l("Administer")


class Employee(Record, db.Model):
    """A worker (employee, director or dispatched staff) who may handle personal data."""

    __tablename__ = "employees"
    __table_args__ = (
        sa.CheckConstraint("status <> 'departed' OR departed_on IS NOT NULL",
                           name="departed_has_date"),
    )

    #: employee number, the natural key
    number: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    #: full name
    name: so.Mapped[str] = so.mapped_column(sa.String(128))
    #: department
    department: so.Mapped[str] = so.mapped_column(sa.String(128), default="", index=True)
    #: job title or role
    job_title: so.Mapped[str] = so.mapped_column(sa.String(128), default="")
    #: active, on leave or departed
    status: so.Mapped[EmployeeStatus] = choice_column(EmployeeStatus, default=EmployeeStatus.ACTIVE)
    #: last working day, for a departed employee
    departed_on: so.Mapped[date | None]
    #: when the confidentiality pledge (秘密保持誓約書) was signed
    pledge_signed_on: so.Mapped[date | None]
    #: last personal-information training attended
    last_training_on: so.Mapped[date | None]

    grants: so.WriteOnlyMapped[AccessGrant] = so.relationship(back_populates="employee",
                                                              passive_deletes=True)

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class AccessGrant(Record, db.Model):
    """An employee's access to a data category in one system, from grant to revocation."""

    __tablename__ = "access_grants"
    __table_args__ = (sa.UniqueConstraint("employee_id", "category_id", "system"),)

    #: who has access
    employee_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("employees.id"))
    #: to what data
    category_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("data_categories.id"), index=True)
    #: read, edit, export or administer
    level: so.Mapped[AccessLevel] = choice_column(AccessLevel, default=AccessLevel.READ)
    #: the system through which the access is given
    system: so.Mapped[str] = so.mapped_column(sa.String(128), default="")
    #: who approved the grant
    granted_by: so.Mapped[str] = so.mapped_column(sa.String(128), default="")
    #: the day access was given
    granted_on: so.Mapped[date | None]
    #: the day the grant was last reviewed
    last_reviewed_on: so.Mapped[date | None]
    #: the day access was removed; None while it is in force
    revoked_on: so.Mapped[date | None] = so.mapped_column(index=True)
    #: why access was removed
    revoke_reason: so.Mapped[str] = so.mapped_column(sa.String(255), default="")

    employee: so.Mapped[Employee] = so.relationship(back_populates="grants")
    category: so.Mapped[DataCategory] = so.relationship()

    def __str__(self) -> str:
        return f"{self.employee.number} → {self.category.name} ({self.system})"
