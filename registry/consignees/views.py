"""Pages for consignees, certifications, entrustments and contracts."""

from datetime import date

import sqlalchemy as sa
from flask import Blueprint
from flask_login import current_user
from sqlalchemy import orm as so

from registry.compliance import engine
from registry.consignees import handling
from registry.consignees.models import (
    Certification,
    CertificationScheme,
    Consignee,
    ConsigneeStatus,
    Contract,
    ContractType,
    Entrustment,
    RiskTier,
    entrustment_categories,
    missing_clauses,
)
from registry.consignees.rules import CERTIFICATIONS, CONSIGNEES, CONTRACTS, ENTRUSTMENTS
from registry.core import clock
from registry.core.entity import (
    Column,
    DateRange,
    Dependent,
    Entity,
    Filter,
    RecordFilter,
    SearchIn,
)
from registry.core.i18n import lazy_gettext as _l
from registry.core.models import Role
from registry.extensions import db
from registry.inventory.models import AppiKind, DataCategory, Purpose
from registry.questionnaires.models import Questionnaire
from registry.supervision.models import CheckKind, Finding, FindingStatus, SupervisionCheck
from registry.supervision.risk import suggested_tier

bp = Blueprint("consignees", __name__)

#: how many rows of each section the consignee page shows before linking to the full list
SECTION_LIMIT = 100


_CONSIGNEE = sa.bindparam("consignee")
#: the consignee page's sections as plain rows (no ORM objects: the page shows a few columns of
#: each), built once (building a statement costs more than running it)
_SECTIONS = {
    "children": sa.select(Consignee.id, Consignee.label).where(Consignee.parent_id == _CONSIGNEE)
    .order_by(Consignee.name).limit(SECTION_LIMIT),
    "certifications": sa.select(Certification.id, Certification.scheme, Certification.number,
                                Certification.expires_on)
    .where(Certification.consignee_id == _CONSIGNEE).order_by(Certification.expires_on),
    "contracts": sa.select(Contract.id, Contract.reference, Contract.contract_type, Contract.start_on,
                           Contract.end_on, Contract.auto_renewal,
                           *(getattr(Contract, f.name) for f in CONTRACTS.group("clause")))
    .where(Contract.consignee_id == _CONSIGNEE).order_by(Contract.start_on.desc()).limit(SECTION_LIMIT),
    "checks": sa.select(SupervisionCheck.id, SupervisionCheck.reference, SupervisionCheck.kind,
                        SupervisionCheck.checked_on, SupervisionCheck.method, SupervisionCheck.result,
                        SupervisionCheck.next_due_on)
    .where(SupervisionCheck.consignee_id == _CONSIGNEE)
    .order_by(SupervisionCheck.checked_on.desc()).limit(SECTION_LIMIT),
    "open_findings": sa.select(Finding.id, Finding.reference, Finding.description, Finding.severity,
                               Finding.owner, Finding.due_on, Finding.status)
    .join(SupervisionCheck, SupervisionCheck.id == Finding.check_id)
    .where(SupervisionCheck.consignee_id == _CONSIGNEE,
           Finding.status.in_([FindingStatus.OPEN, FindingStatus.IN_PROGRESS]))
    .order_by(Finding.due_on).limit(SECTION_LIMIT),
    "questionnaires": sa.select(Questionnaire.id, Questionnaire.reference, Questionnaire.issued_on,
                                Questionnaire.due_on, Questionnaire.issued_by,
                                Questionnaire.language, Questionnaire.status)
    .where(Questionnaire.consignee_id == _CONSIGNEE)
    .order_by(Questionnaire.issued_on.desc(), Questionnaire.id.desc()).limit(SECTION_LIMIT),
}
#: the entrusted work as plain rows with its purpose (the page's longest table: no ORM objects)
_ENTRUSTED_WORK = (
    sa.select(Entrustment.id, Entrustment.reference, Entrustment.work, Entrustment.start_on,
              Entrustment.end_on, Entrustment.purpose_id, Purpose.code.label("purpose_code"),
              Purpose.title.label("purpose_title"))
    .join(Purpose, Purpose.id == Entrustment.purpose_id)
    .where(Entrustment.consignee_id == _CONSIGNEE).order_by(Entrustment.reference)
    .limit(SECTION_LIMIT))
#: the data categories of those entrustments: (entrustment id, category id, name, special care)
_ENTRUSTED_CATEGORIES = (
    sa.select(entrustment_categories.c.entrustment_id, DataCategory.id, DataCategory.name,
              DataCategory.appi_kind == AppiKind.SPECIAL_CARE)
    .join(DataCategory, DataCategory.id == entrustment_categories.c.category_id)
    .where(entrustment_categories.c.entrustment_id.in_(sa.bindparam("entrustments", expanding=True)))
    .order_by(DataCategory.name))


def _entrusted_work(consignee_id: int) -> tuple[list, dict[int, list]]:
    """The consignee's entrustments (rows) and each one's categories (id, name, special care)."""
    connection = db.session.connection()
    rows = connection.execute(_ENTRUSTED_WORK, {"consignee": consignee_id}).all()
    categories: dict[int, list] = {row.id: [] for row in rows}
    if rows:
        for entrustment_id, *category in connection.execute(
                _ENTRUSTED_CATEGORIES, {"entrustments": list(categories)}):
            categories[entrustment_id].append(category)
    return rows, categories


#: the day of a consignee's first selection assessment
_FIRST_SELECTION = sa.select(sa.func.min(SupervisionCheck.checked_on)).where(
    SupervisionCheck.consignee_id == _CONSIGNEE, SupervisionCheck.kind == CheckKind.SELECTION)


def _first_selection(consignee_id: int, checks: list) -> date | None:
    """The first selection assessment, from the checks shown, or from the database when the
    section is full (an older one may be among the checks it leaves out)."""
    if len(checks) < SECTION_LIMIT:
        return min((c.checked_on for c in checks if c.kind == CheckKind.SELECTION), default=None)
    return db.session.connection().execute(_FIRST_SELECTION, {"consignee": consignee_id}).scalar()


def chain_ids(consignee_id: int, limit: int = 50) -> list[int]:
    """The ids from a consignee up through its parents (bounded, so a cycle cannot loop)."""
    ids = []
    current = consignee_id
    while current is not None and current not in ids and len(ids) < limit:
        ids.append(current)
        current = db.session.scalar(sa.select(Consignee.parent_id).where(Consignee.id == current))
    return ids


def _consignee_context(consignee: Consignee) -> dict:
    """Everything about one consignee for its page, in a fixed number of queries."""
    chain = chain_ids(consignee.parent_id) if consignee.parent_id else []
    ancestors = {c.id: c for c in db.session.scalars(
        sa.select(Consignee).where(Consignee.id.in_(chain)))} if chain else {}
    connection = db.session.connection()
    sections = {name: connection.execute(statement, {"consignee": consignee.id}).all()
                for name, statement in _SECTIONS.items()}
    entrustments, categories = _entrusted_work(consignee.id)
    first_selection = _first_selection(consignee.id, sections["checks"])
    return sections | {
        "entrustments": entrustments,
        "categories": categories,
        "missing": {contract.id: missing_clauses(contract) for contract in sections["contracts"]},
        "advice": suggested_tier(consignee),
        "first_selection": first_selection,
        "unassessed": [e for e in entrustments if e.start_on and
                       (first_selection is None or first_selection > e.start_on)],
        "chain": [ancestors[i] for i in chain if i in ancestors and i != consignee.id],
        "limit": SECTION_LIMIT,
        "today": clock.today(),
        "editor": current_user.can(Role.EDITOR),
    }


def _supervised_context(record: Entrustment | Contract) -> dict:
    """For an entrustment's or a contract's page: the supervision checks of its consignee and
    their open findings, and the compliance results about the record and its consignee."""
    connection = db.session.connection()
    about = {type(record): record.id, Consignee: record.consignee_id}
    return {name: connection.execute(_SECTIONS[name], {"consignee": record.consignee_id}).all()
            for name in ("checks", "open_findings")} | {
        "results": engine.results_about(about, engine.context()),
        "limit": SECTION_LIMIT,
        "editor": current_user.can(Role.EDITOR),
    }


#: the filters of the lists of consignees' records by where and how risky the consignee is
LOCATION = Filter("location", _l("Location"), handling.locations, handling.location,
                  value=handling.located)
COUNTRY = Filter.on(Consignee.country, "country", _l("Country"))
RISK_TIER = Filter.on(Consignee.risk_tier, "risk_tier", _l("Risk tier"), RiskTier.choices)

consignees = Entity(
    name="consignees",
    description=CONSIGNEES,
    columns=[
        Column("name", Consignee.name, link=True),
        Column("country", Consignee.country),
        Column("risk_tier", Consignee.risk_tier),
        Column("status", Consignee.status),
        Column("parent"),
        Column("cross_border_basis", Consignee.cross_border_basis),
    ],
    search=(Consignee.name, Consignee.corporate_number, Consignee.address,
            Consignee.contact_name),
    filters=(
        RISK_TIER,
        Filter.on(Consignee.status, "status", _l("Status"), ConsigneeStatus.choices),
        LOCATION,
        COUNTRY,
    ),
    default_sort="name",
    load=(so.joinedload(Consignee.parent),),
    dependents=(
        Dependent(_l("Entrustments"), Entrustment, lambda c: Entrustment.consignee_id == c.id),
        Dependent(_l("Contracts"), Contract, lambda c: Contract.consignee_id == c.id),
        Dependent(_l("Supervision checks"), SupervisionCheck,
                  lambda c: SupervisionCheck.consignee_id == c.id),
        Dependent(_l("Certifications"), Certification,
                  lambda c: Certification.consignee_id == c.id),
        Dependent(_l("Sub-consignees"), Consignee, lambda c: Consignee.parent_id == c.id),
    ),
    detail_template="consignees/consignee_detail.html",
    detail_context=_consignee_context,
)

certifications = Entity(
    name="certifications",
    description=CERTIFICATIONS,
    columns=[
        Column("consignee", Consignee.name),
        Column("scheme", Certification.scheme, link=True),
        Column("number", Certification.number),
        Column("expires_on", Certification.expires_on),
    ],
    search=(Consignee.name, Certification.number),
    filters=(
        Filter.on(Certification.scheme, "scheme", _l("Scheme"), CertificationScheme.choices),
        RecordFilter("consignee", _l("Consignee"), Consignee,
                     lambda v: Certification.consignee_id == int(v),
                     value=lambda: Consignee.id, name=lambda: Consignee.label),
        COUNTRY,
        DateRange("expires_on", CERTIFICATIONS.by_name["expires_on"].label,
                  Certification.expires_on),
    ),
    default_sort="expires_on",
    joins=(Certification.consignee,),
)

entrustments = Entity(
    name="entrustments",
    description=ENTRUSTMENTS,
    columns=[
        Column("reference", Entrustment.reference, link=True),
        Column("consignee", Consignee.name),
        Column("purpose", Purpose.code),
        Column("categories"),
        Column("start_on", Entrustment.start_on),
        Column("end_on", Entrustment.end_on),
    ],
    search=(Entrustment.reference, Entrustment.work, Consignee.name, Purpose.title,
            SearchIn(lambda q: handling.handing_over(DataCategory.name.icontains(q, autoescape=True)))),
    filters=(
        Filter("kind", _l("Data handed over"), AppiKind.choices,
               handling.handing_over_kind,
               value=lambda: DataCategory.appi_kind, through=handling.CATEGORY_JOINS),
        RecordFilter("category", _l("Data category"), DataCategory,
                     lambda v: handling.handing_over(DataCategory.id == int(v)),
                     value=lambda: DataCategory.id, name=lambda: DataCategory.name,
                     through=handling.CATEGORY_JOINS),
        LOCATION,
        COUNTRY,
        RISK_TIER,
        Filter("state", _l("Status"), handling.EntrustmentState.choices,
               lambda v: handling.entrustment_in(v, clock.today()),
               value=lambda: handling.entrustment_state(clock.today())),
        RecordFilter("consignee", _l("Consignee"), Consignee,
                     lambda v: Entrustment.consignee_id == int(v),
                     value=lambda: Consignee.id, name=lambda: Consignee.label),
        RecordFilter("purpose", _l("Purpose of use"), Purpose,
                     lambda v: Entrustment.purpose_id == int(v),
                     value=lambda: Purpose.id, name=lambda: Purpose.code),
        DateRange("start_on", ENTRUSTMENTS.by_name["start_on"].label, Entrustment.start_on),
    ),
    default_sort="reference",
    joins=(Entrustment.consignee, Entrustment.purpose),
    load=(so.selectinload(Entrustment.categories),),
    detail_template="consignees/supervised_detail.html",
    detail_context=_supervised_context,
)

contracts = Entity(
    name="contracts",
    description=CONTRACTS,
    columns=[
        Column("reference", Contract.reference, link=True),
        Column("consignee", Consignee.name),
        Column("contract_type", Contract.contract_type),
        Column("start_on", Contract.start_on),
        Column("end_on", Contract.end_on),
        Column("auto_renewal", Contract.auto_renewal),
        Column("missing_clauses", label=_l("Missing clauses")),
    ],
    search=(Contract.reference, Contract.title, Consignee.name),
    filters=(
        RecordFilter("consignee", _l("Consignee"), Consignee,
                     lambda v: Contract.consignee_id == int(v),
                     value=lambda: Consignee.id, name=lambda: Consignee.label),
        Filter.on(Contract.contract_type, "contract_type", _l("Type"), ContractType.choices),
        Filter("state", _l("Status"), handling.ContractState.choices,
               lambda v: handling.contract_in(v, clock.today()),
               value=lambda: handling.contract_state(clock.today())),
        Filter.flag(Contract.clause_confidentiality.is_(True), "confidentiality",
                    _l("Confidentiality clause")),
        Filter.flag(Contract.auto_renewal.is_(True), "auto_renewal",
                    CONTRACTS.by_name["auto_renewal"].label),
        LOCATION,
        COUNTRY,
        RISK_TIER,
        DateRange("start_on", CONTRACTS.by_name["start_on"].label, Contract.start_on),
        DateRange("end_on", CONTRACTS.by_name["end_on"].label, Contract.end_on),
    ),
    default_sort="reference",
    joins=(Contract.consignee,),
    detail_template="consignees/supervised_detail.html",
    detail_context=_supervised_context,
)

for entity in (consignees, certifications, entrustments, contracts):
    entity.register(bp)
