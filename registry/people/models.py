"""Employees (従業者) and their access grants to data categories (APPI Arts. 23-24)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.core.model import Choice, Record, choice_column, list_index
from registry.core.schema import describe
from registry.extensions import db
from registry.inventory.models import DATA_CATEGORY, DataCategory

#: the label of the field naming an employee
EMPLOYEE_NUMBER = ("Employee number", "従業者番号")


class EmployeeStatus(Choice):
    """Whether an employee is working."""

    ACTIVE = "active", "Employed", "在籍", "在職", "在籍中", "有効"
    LEAVE = "leave", "On leave", "休職中", "休職"
    DEPARTED = "departed", "Departed", "退職", "退職済", "退社", "退職者"


class AccessLevel(Choice):
    """What a grant lets the employee do with the data."""

    READ = "read", "Read", "閲覧", "参照", "閲覧のみ"
    EDIT = "edit", "Edit", "編集", "更新", "書込"
    EXPORT = "export", "Export", "エクスポート", "出力"
    ADMIN = "admin", "Administer", "管理", "管理者"


class Employee(Record, db.Model):
    """A worker (employee, director or dispatched staff) who may handle personal data."""

    __tablename__ = "employees"
    __table_args__ = (
        sa.CheckConstraint("status <> 'departed' OR departed_on IS NOT NULL",
                           name="departed_has_date"),
        # the employee list's filters and sorts
        list_index("employees", "status", "number"),
        list_index("employees", "status"),
        list_index("employees", "name"),
        list_index("employees", "job_title"),
        list_index("employees", "pledge_signed_on"),
        list_index("employees", "last_training_on"),
    )

    #: employee number, the natural key
    number: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True, info=describe(
        *EMPLOYEE_NUMBER, code=True, width=12, synonyms=(
            "社員番号", "従業員番号", "社員No", "社員コード", "no", "Employee no", "Employee ID")))
    #: full name
    name: so.Mapped[str] = so.mapped_column(sa.String(128), info=describe(
        "Name", "氏名", synonyms=("名称",)))
    #: department
    department: so.Mapped[str] = so.mapped_column(sa.String(128), default="", index=True,
                                                  info=describe("Department", "部署",
                                                                synonyms=("所属", "所属部署")))
    #: job title or role
    job_title: so.Mapped[str] = so.mapped_column(sa.String(128), default="", info=describe(
        "Job title", "役職"))
    #: active, on leave or departed
    status: so.Mapped[EmployeeStatus] = choice_column(
        EmployeeStatus, default=EmployeeStatus.ACTIVE, info=describe(
            "Status", "在籍状況", synonyms=("状態", "在籍区分", "Employment status")))
    #: last working day, for a departed employee
    departed_on: so.Mapped[date | None] = so.mapped_column(info=describe(
        "Departed on", "退職日", synonyms=("退職年月日", "Termination date")))
    #: when the confidentiality pledge (秘密保持誓約書) was signed
    pledge_signed_on: so.Mapped[date | None] = so.mapped_column(info=describe(
        "Confidentiality pledge signed on", "秘密保持誓約書の提出日",
        synonyms=("Pledge signed on", "誓約書提出日")))
    #: last personal-information training attended
    last_training_on: so.Mapped[date | None] = so.mapped_column(info=describe(
        "Last training", "最終研修日"))

    grants: so.WriteOnlyMapped[AccessGrant] = so.relationship(back_populates="employee",
                                                              passive_deletes=True)

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class AccessGrant(Record, db.Model):
    """An employee's access to a data category in one system, from grant to revocation."""

    __tablename__ = "access_grants"
    __table_args__ = (
        sa.UniqueConstraint("employee_id", "category_id", "system"),
        sa.CheckConstraint("revoked_on IS NULL OR revoke_reason <> ''", name="revoked_with_reason"),
        sa.CheckConstraint("revoked_on IS NULL OR granted_on IS NULL OR revoked_on >= granted_on",
                           name="revoked_after_granted"),
        # the grant list's usual views among a million grants: those in force (most grants are
        # revoked in time), of a level, newest or oldest first
        list_index("access_grants", "level", "granted_on", where="revoked_on IS NULL",
                   name="ix_access_grants_in_force_level"),
        list_index("access_grants", "granted_on", where="revoked_on IS NULL",
                   name="ix_access_grants_in_force_granted_on"),
        list_index("access_grants", "level", "revoked_on", where="revoked_on IS NOT NULL",
                   name="ix_access_grants_revoked_level"),
        list_index("access_grants", "level", "granted_on"),
        # the grants in force of an employee and of a data category: the list's counts of a
        # rare employee status (the departed, whose grants are revoked in time) or data kind
        # start from those employees or categories instead of reading every grant in force
        sa.Index("ix_access_grants_in_force_employee", "employee_id",
                 sqlite_where=sa.text("revoked_on IS NULL"), postgresql_where=sa.text("revoked_on IS NULL")),
        sa.Index("ix_access_grants_in_force_category", "category_id",
                 sqlite_where=sa.text("revoked_on IS NULL"), postgresql_where=sa.text("revoked_on IS NULL")),
        # by revocation day; on SQLite only the revoked grants, so that its planner does not
        # read the grants in force through it (its statistics average the rows a value over
        # every day and the null: "in force" looks like a few dozen rows)
        sa.Index("ix_access_grants_revoked_on", "revoked_on", "id",
                 sqlite_where=sa.text("revoked_on IS NOT NULL")),
        list_index("access_grants", "last_reviewed_on"),
        list_index("access_grants", "system"),
        # when a grant was last looked at (catalogue.last_review): the access reviews falling due
        # and those overdue are ranges of it
        sa.Index("ix_access_grants_last_review", sa.text("coalesce(last_reviewed_on, granted_on)")),
    )

    #: who has access
    employee_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("employees.id"))
    #: to what data
    category_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("data_categories.id"), index=True)
    #: read, edit, export or administer
    level: so.Mapped[AccessLevel] = choice_column(AccessLevel, default=AccessLevel.READ,
                                                  info=describe("Access level", "権限レベル",
                                                                synonyms=("権限",)))
    #: the system through which the access is given
    system: so.Mapped[str] = so.mapped_column(sa.String(128), default="", info=describe(
        "System", "システム"))
    #: who approved the grant
    granted_by: so.Mapped[str] = so.mapped_column(sa.String(128), default="", info=describe(
        "Granted by", "付与者", synonyms=("承認者",)))
    #: the day access was given
    granted_on: so.Mapped[date | None] = so.mapped_column(index=True, info=describe(
        "Granted on", "付与日"))
    #: the day the grant was last reviewed
    last_reviewed_on: so.Mapped[date | None] = so.mapped_column(info=describe(
        "Last reviewed", "最終見直し日"))
    #: the day access was removed; None while it is in force
    revoked_on: so.Mapped[date | None] = so.mapped_column(info=describe(
        "Revoked on", "取消日", synonyms=("削除日",)))
    #: why access was removed
    revoke_reason: so.Mapped[str] = so.mapped_column(sa.String(255), default="", info=describe(
        "Reason for revocation", "取消理由", width=20, synonyms=("削除理由",)))

    employee: so.Mapped[Employee] = so.relationship(back_populates="grants", info=describe(
        *EMPLOYEE_NUMBER, typed=True, width=12, synonyms=("社員番号",)))
    category: so.Mapped[DataCategory] = so.relationship(info=describe(*DATA_CATEGORY, width=24))

    def __str__(self) -> str:
        return f"{self.employee.number} → {self.category.name} ({self.system})"
