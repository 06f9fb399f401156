"""What each sheet of the inventory workbook holds: its columns (headers in English and Japanese),
natural key and references. The same resources drive export and import, so they round-trip."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import sqlalchemy as sa
from sqlalchemy import orm as so

from registry.consignees.models import (
    Certification,
    CertificationScheme,
    Consignee,
    ConsigneeStatus,
    Contract,
    ContractType,
    CrossBorderBasis,
    Entrustment,
    RiskTier,
    entrustment_categories,
)
from registry.core.model import Choice, Record
from registry.inventory.models import AppiKind, DataCategory, Purpose, PurposeCategory, PurposeStatus
from registry.people.models import AccessGrant, AccessLevel, Employee, EmployeeStatus
from registry.supervision.models import (
    CheckKind,
    CheckMethod,
    CheckResult,
    Finding,
    FindingStatus,
    Severity,
    SupervisionCheck,
)

TEXT, INTEGER, DATE, BOOL, CHOICE, REF, REFLIST = (
    "text", "integer", "date", "bool", "choice", "ref", "reflist")
#: columns holding codes and numbers rather than names (NFKC-normalised on import)
IDENTIFIERS = {"code", "reference", "number", "corporate_number", "country", "contact_email"}
#: how the names in a list cell (an entrustment's categories) are separated
LIST_SEPARATOR = "; "


@dataclass(frozen=True)
class Column:
    """One column of a sheet: key (model attribute, or reference.part), headers, kind of value."""

    key: str
    en: str
    ja: str
    kind: str = TEXT
    max: int = 255
    required: bool = False
    choice: type[Choice] | None = None
    default: object = None
    nullable: bool = False
    synonyms: tuple[str, ...] = ()
    width: int = 18

    @property
    def identifier(self) -> bool:
        """Codes and numbers: full-width letters and digits are read as half-width."""
        return self.key.rsplit(".", 1)[-1] in IDENTIFIERS

    @property
    def reference(self) -> str | None:
        """The reference this column is part of (consignee for consignee.name)."""
        return self.key.split(".", 1)[0] if "." in self.key else None


@dataclass(frozen=True)
class Reference:
    """A many-to-one link written as the target's natural key in one or more columns."""

    attr: str
    fk: str
    target: str
    columns: tuple[str, ...]


@dataclass
class Resource:
    """One sheet of the workbook and the model it reads into and writes from."""

    name: str
    model: type[Record]
    sheet_en: str
    sheet_ja: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    references: tuple[Reference, ...] = ()
    collection: Reference | None = None
    order_by: tuple = ()
    by_key: dict[str, Column] = field(init=False)

    def __post_init__(self) -> None:
        self.columns = (*self.columns, RECORD_ID)
        self.by_key = {column.key: column for column in self.columns}

    @property
    def table(self) -> sa.Table:
        return self.model.__table__

    @cached_property
    def plain_columns(self) -> list[Column]:
        return [c for c in self.columns
                if c.reference is None and c.kind != REFLIST and c is not RECORD_ID]

    def sheet_name(self, language: str) -> str:
        return self.sheet_ja if language == "ja" else self.sheet_en

    def key_of(self, row: dict) -> tuple:
        return tuple(map(row.get, self.key))

    def export_query(self, key_only: bool = False) -> sa.Select:
        """Rows as the sheet shows them: own columns plus the natural keys of references
        (with key_only, just the id and the natural key)."""
        model = self.model
        selected = [model.id.label("id")]
        joins = []
        for reference in self.references:
            if key_only and not set(reference.columns) & set(self.key):
                continue
            target = RESOURCES[reference.target]
            alias = so.aliased(target.model)
            joins.append((alias, getattr(model, reference.fk) == alias.id))
            for column_key, target_key in zip(reference.columns, target.key, strict=True):
                selected.append(getattr(alias, target_key).label(column_key))
        selected += [getattr(model, c.key).label(c.key) for c in self.plain_columns
                     if not key_only or c.key in self.key]
        query = sa.select(*selected).select_from(model)
        for alias, condition in joins:
            query = query.outerjoin(alias, condition)
        return query.order_by(*(self.order_by or (model.id,)))


#: the last, hidden column of every sheet: lets a renamed natural key still find its record
RECORD_ID = Column("id", "Registry ID", "台帳ID", INTEGER, width=8, synonyms=("id",))


def _choice(key, en, ja, choice, default=None, required=False, nullable=False, width=16):
    return Column(key, en, ja, CHOICE, choice=choice, default=default, required=required,
                  nullable=nullable, width=width)


def _consignee_ref(prefix: str, en: str, ja: str, required: bool = True) -> tuple[Column, Column]:
    return (
        Column(f"{prefix}.name", en, ja, REF, required=required, width=28),
        Column(f"{prefix}.country", f"{en} country", f"{ja}国", REF, max=2, width=8),
    )


def _clauses() -> tuple[Column, ...]:
    return tuple(Column(f"clause_{key}", en, ja, BOOL, default=False, width=12) for key, en, ja in (
        ("confidentiality", "Confidentiality clause", "秘密保持条項"),
        ("purpose_limitation", "Purpose limitation clause", "目的外利用禁止条項"),
        ("security_measures", "Security measures clause", "安全管理措置条項"),
        ("reentrustment_approval", "Re-entrustment approval clause", "再委託承認条項"),
        ("incident_notification", "Incident notification clause", "事故報告条項"),
        ("audit_rights", "Audit rights clause", "監査権条項"),
        ("return_deletion", "Return or deletion clause", "返還・削除条項"),
    ))


_RESOURCES = (
    Resource(
        "purposes", Purpose, "Purposes", "利用目的",
        (
            Column("code", "Code", "コード", required=True, max=32, width=10,
                   synonyms=("purpose code", "目的コード", "番号")),
            Column("title", "Purpose of use", "利用目的", required=True, width=50,
                   synonyms=("title", "目的")),
            Column("description", "Description", "説明", max=4000, width=40),
            Column("legal_basis", "Legal basis", "根拠", width=24, synonyms=("policy article",)),
            _choice("status", "Status", "状態", PurposeStatus, default=PurposeStatus.ACTIVE),
        ),
        key=("code",), order_by=(Purpose.code,),
    ),
    Resource(
        "data_categories", DataCategory, "Data categories", "個人情報項目",
        (
            Column("name", "Name", "項目名", required=True, max=128, width=24,
                   synonyms=("category", "data category", "個人情報の項目", "項目")),
            _choice("appi_kind", "Kind under the APPI", "法上の区分", AppiKind,
                    default=AppiKind.PERSONAL, width=28),
            Column("data_subjects", "Data subjects", "本人の区分", width=20),
            Column("source", "Source", "取得元", width=20, synonyms=("取得方法",)),
            Column("storage_location", "Storage location", "保管場所", width=20),
            Column("retention_period", "Retention period", "保存期間", width=18),
            Column("estimated_records", "Estimated records", "件数", INTEGER, width=12,
                   synonyms=("records", "概算件数")),
        ),
        key=("name",), order_by=(DataCategory.name,),
    ),
    Resource(
        "purpose_categories", PurposeCategory, "Purpose x category", "利用目的×項目",
        (
            Column("purpose.code", "Purpose code", "利用目的コード", REF, required=True, width=12),
            Column("category.name", "Data category", "個人情報項目", REF, required=True,
                   width=24),
            Column("reason", "Why it is needed", "必要な理由", max=4000, width=40),
            Column("since", "Used since", "利用開始日", DATE, width=12),
        ),
        key=("purpose.code", "category.name"),
        references=(Reference("purpose", "purpose_id", "purposes", ("purpose.code",)),
                    Reference("category", "category_id", "data_categories", ("category.name",))),
    ),
    Resource(
        "consignees", Consignee, "Consignees", "委託先",
        (
            Column("name", "Name", "委託先名", required=True, width=30,
                   synonyms=("consignee", "company", "会社名", "名称")),
            Column("country", "Country", "国", required=True, max=2, default="JP", width=8),
            Column("corporate_number", "Corporate number", "法人番号", max=13, nullable=True,
                   width=16),
            Column("address", "Address", "所在地", width=30),
            Column("contact_name", "Contact person", "担当者", max=128, width=16),
            Column("contact_email", "Contact e-mail", "担当者メール", width=24),
            _choice("risk_tier", "Risk tier", "リスク区分", RiskTier, default=RiskTier.MEDIUM),
            _choice("status", "Status", "状態", ConsigneeStatus, default=ConsigneeStatus.ACTIVE),
            *_consignee_ref("parent", "Re-entrusted by", "再委託元", required=False),
            Column("reentrustment_approved_on", "Re-entrustment approved on", "再委託承認日", DATE),
            _choice("cross_border_basis", "Cross-border basis", "外国提供の根拠", CrossBorderBasis,
                    nullable=True, width=24),
            Column("cross_border_checked_on", "Cross-border basis confirmed on", "根拠確認日",
                   DATE),
            Column("external_environment", "External environment", "外的環境の把握", max=4000,
                   width=40),
        ),
        key=("name", "country"),
        references=(Reference("parent", "parent_id", "consignees", ("parent.name", "parent.country")),),
        order_by=(Consignee.name, Consignee.country),
    ),
    Resource(
        "certifications", Certification, "Certifications", "認証",
        (
            *_consignee_ref("consignee", "Consignee", "委託先"),
            _choice("scheme", "Scheme", "認証の種類", CertificationScheme, required=True),
            Column("number", "Certificate number", "登録番号", max=64, width=16),
            Column("expires_on", "Valid until", "有効期限", DATE),
        ),
        key=("consignee.name", "consignee.country", "scheme", "number"),
        references=(Reference("consignee", "consignee_id", "consignees",
                              ("consignee.name", "consignee.country")),),
    ),
    Resource(
        "entrustments", Entrustment, "Entrustments", "委託業務",
        (
            Column("reference", "Reference", "管理番号", required=True, max=32, width=12),
            *_consignee_ref("consignee", "Consignee", "委託先"),
            Column("purpose.code", "Purpose code", "利用目的コード", REF, required=True, width=12),
            Column("categories", "Data categories", "個人情報項目", REFLIST, max=4000, width=36),
            Column("work", "Work entrusted", "委託業務の内容", required=True, max=4000, width=40),
            Column("start_on", "Start", "開始日", DATE),
            Column("end_on", "End", "終了日", DATE),
        ),
        key=("reference",),
        references=(Reference("consignee", "consignee_id", "consignees",
                              ("consignee.name", "consignee.country")),
                    Reference("purpose", "purpose_id", "purposes", ("purpose.code",))),
        collection=Reference("categories", "category_id", "data_categories", ("categories",)),
        order_by=(Entrustment.reference,),
    ),
    Resource(
        "contracts", Contract, "Contracts", "契約",
        (
            Column("reference", "Reference", "管理番号", required=True, max=32, width=12),
            *_consignee_ref("consignee", "Consignee", "委託先"),
            _choice("contract_type", "Type", "契約種別", ContractType, required=True, width=22),
            Column("title", "Title", "契約名", width=30),
            Column("signed_on", "Signed on", "締結日", DATE),
            Column("start_on", "Start", "開始日", DATE),
            Column("end_on", "End", "終了日", DATE),
            Column("auto_renewal", "Renews automatically", "自動更新", BOOL, default=False),
            Column("reentrustment_allowed", "Re-entrustment allowed", "再委託可", BOOL,
                   default=False),
            *_clauses(),
        ),
        key=("reference",),
        references=(Reference("consignee", "consignee_id", "consignees",
                              ("consignee.name", "consignee.country")),),
        order_by=(Contract.reference,),
    ),
    Resource(
        "supervision_checks", SupervisionCheck, "Supervision checks", "委託先点検",
        (
            Column("reference", "Reference", "管理番号", required=True, max=32, width=12),
            *_consignee_ref("consignee", "Consignee", "委託先"),
            _choice("kind", "Kind of check", "点検の種類", CheckKind, default=CheckKind.PERIODIC),
            Column("checked_on", "Checked on", "点検日", DATE, required=True),
            _choice("method", "Method", "点検方法", CheckMethod, required=True),
            _choice("result", "Result", "結果", CheckResult, default=CheckResult.PENDING),
            Column("performed_by", "Performed by", "実施者", max=128),
            Column("next_due_on", "Next check due", "次回点検期限", DATE),
            Column("notes", "Notes", "備考", max=8000, width=40),
        ),
        key=("reference",),
        references=(Reference("consignee", "consignee_id", "consignees",
                              ("consignee.name", "consignee.country")),),
        order_by=(SupervisionCheck.reference,),
    ),
    Resource(
        "findings", Finding, "Findings", "指摘事項",
        (
            Column("reference", "Reference", "管理番号", required=True, max=32, width=12),
            Column("check.reference", "Check reference", "点検管理番号", REF, required=True,
                   width=12),
            Column("description", "Description", "指摘内容", required=True, max=8000, width=40),
            _choice("severity", "Severity", "重要度", Severity, default=Severity.MEDIUM),
            Column("owner", "Owner", "担当者", max=128),
            Column("due_on", "Due", "期限", DATE),
            _choice("status", "Status", "状態", FindingStatus, default=FindingStatus.OPEN),
            Column("resolution", "Resolution", "対応内容", max=8000, width=30),
            Column("resolved_on", "Resolved on", "完了日", DATE),
        ),
        key=("reference",),
        references=(Reference("check", "check_id", "supervision_checks", ("check.reference",)),),
        order_by=(Finding.reference,),
    ),
    Resource(
        "employees", Employee, "Employees", "従業者",
        (
            Column("number", "Employee number", "社員番号", required=True, max=32, width=12,
                   synonyms=("従業員番号", "社員No", "no")),
            Column("name", "Name", "氏名", required=True, max=128, width=18),
            Column("department", "Department", "部署", max=128, width=18, synonyms=("所属",)),
            Column("job_title", "Job title", "役職", max=128),
            _choice("status", "Status", "在籍状況", EmployeeStatus, default=EmployeeStatus.ACTIVE),
            Column("departed_on", "Departed on", "退職日", DATE),
            Column("pledge_signed_on", "Pledge signed on", "誓約書提出日", DATE),
            Column("last_training_on", "Last training", "最終研修日", DATE),
        ),
        key=("number",), order_by=(Employee.number,),
    ),
    Resource(
        "access_grants", AccessGrant, "Access grants", "アクセス権限",
        (
            Column("employee.number", "Employee number", "社員番号", REF, required=True, width=12),
            Column("category.name", "Data category", "個人情報項目", REF, required=True, width=24),
            Column("system", "System", "システム", max=128, width=18),
            _choice("level", "Access level", "権限", AccessLevel, default=AccessLevel.READ),
            Column("granted_by", "Granted by", "承認者", max=128),
            Column("granted_on", "Granted on", "付与日", DATE),
            Column("last_reviewed_on", "Last reviewed", "最終見直し日", DATE),
            Column("revoked_on", "Revoked on", "削除日", DATE),
            Column("revoke_reason", "Reason for revocation", "削除理由", width=20),
        ),
        key=("employee.number", "category.name", "system"),
        references=(Reference("employee", "employee_id", "employees", ("employee.number",)),
                    Reference("category", "category_id", "data_categories", ("category.name",))),
    ),
)

#: resources by name, in dependency order (a resource only refers to earlier ones, or itself)
RESOURCES: dict[str, Resource] = {resource.name: resource for resource in _RESOURCES}
BY_MODEL: dict[type, Resource] = {resource.model: resource for resource in _RESOURCES}
ASSOCIATION = entrustment_categories
