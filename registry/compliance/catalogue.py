"""The catalogue of compliance checks: each one set-based query that finds the records breaking
one duty of the APPI, the PPC guidelines or the privacy policy, as of a given day.

Every query selects ``subject_id``, ``label`` and ``detail`` (the fact that makes the record
offend, shown in the reason). Severities are defaults; REGISTRY_CHECK_SEVERITY overrides them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from babel import Locale
from flask import current_app
from sqlalchemy import orm as so

from registry.consignees.identifiers import DESIGNATED_COUNTRIES
from registry.consignees.models import (
    Certification,
    CertificationScheme,
    Consignee,
    Contract,
    CrossBorderBasis,
    Entrustment,
    RiskTier,
    clauses,
    entrustment_categories,
)
from registry.core.i18n import language
from registry.core.i18n import lazy_gettext as _l
from registry.core.model import Record
from registry.core.schema import describe_model
from registry.extensions import db
from registry.incidents import assessment
from registry.incidents.models import Incident
from registry.inventory.models import AppiKind, DataCategory, Purpose, PurposeCategory, PurposeStatus
from registry.notice import drift, policy
from registry.people.models import AccessGrant, Employee
from registry.provisions import record as provision_record
from registry.provisions.models import Provision
from registry.questionnaires.models import Questionnaire, QuestionnaireStatus
from registry.rights import clocks as request_clocks
from registry.rights.models import RightsRequest
from registry.supervision import cadence
from registry.supervision.models import (
    CheckKind,
    Finding,
    FindingStatus,
    Severity,
    SupervisionCheck,
)

#: a year, for duties the guidelines ask to renew "about yearly"
YEAR = timedelta(days=365)


@dataclass(frozen=True)
class Context:
    """What a run of the checks is evaluated against."""

    as_of: date
    #: days between supervision checks, by risk tier
    cadence: dict[str, int]
    #: how far ahead an expiring contract is reported
    notice_days: int = 90


@dataclass(frozen=True)
class Check:
    """One named check of the catalogue."""

    code: str
    subject: type[Record]
    severity: Severity
    title: object
    explanation: object
    basis: object
    #: the reason shown beside each result; may use %(detail)s
    reason: object
    query: Callable[[Context], sa.Select]
    #: turns the query's detail value into text
    describe: Callable[[object], str] = field(default=lambda detail: "" if detail is None else str(detail))

    def reason_for(self, detail: object) -> str:
        return str(self.reason) % {"detail": self.describe(detail)}


CATALOGUE: dict[str, Check] = {}


def check(code: str, subject: type[Record], severity: Severity, *, title, explanation, basis, reason,
          describe: Callable[[object], str] | None = None):
    """Register the decorated query function as a check of the catalogue."""
    def register(query: Callable[[Context], sa.Select]) -> Callable[[Context], sa.Select]:
        extra = {"describe": describe} if describe else {}
        CATALOGUE[code] = Check(code, subject, severity, title, explanation, basis, reason, query,
                                **extra)
        return query
    return register


# -- conditions shared by the checks ------------------------------------------------------------

def _began(column, on: date):
    """The day is on or after the column's (no day: from the beginning). One comparison, so that
    no planner reads nearly every row through the column's index, as SQLite did for "no day, or
    on or before it" (two ranges of the index, a table lookup each)."""
    return sa.func.coalesce(column, date.min) <= on


def _lasts(column, on: date):
    """The day is on or before the column's (no day: for ever); one comparison, as _began."""
    return sa.func.coalesce(column, date.max) >= on


def entrustment_active(on: date):
    """The entrustment's work is in progress on the day."""
    return sa.and_(_began(Entrustment.start_on, on), _lasts(Entrustment.end_on, on))


def _existed(model, on: date):
    """The record was entered by the end of the day (for records with no date of their own)."""
    return model.created_at < datetime.combine(on + timedelta(days=1), time())


def _contract_in_force(contract, on: date):
    return sa.and_(_began(contract.start_on, on),
                   sa.or_(_lasts(contract.end_on, on), contract.auto_renewal.is_(True)))


def last_review() -> sa.ColumnElement:
    """When a grant was last looked at: its last review, else the day it was given."""
    return sa.func.coalesce(AccessGrant.last_reviewed_on, AccessGrant.granted_on)


def grant_active(on: date):
    """The access grant is in force on the day."""
    return sa.and_(_began(AccessGrant.granted_on, on),
                   sa.or_(AccessGrant.revoked_on.is_(None), AccessGrant.revoked_on > on))


def employed(on: date):
    """The employee has not left by the day."""
    return sa.or_(Employee.departed_on.is_(None), Employee.departed_on > on)


def _employee_label():
    return Employee.number + " " + Employee.name


def _joined_names(column):
    return sa.func.aggregate_strings(column, ", ")


def _has_active_entrustment(on: date):
    """The consignee has entrusted work in progress on the day. Consignee checks look only at
    these: the entrustments' dates say when a consignee handled data, its status does not."""
    return sa.exists().where(Entrustment.consignee_id == Consignee.id, entrustment_active(on))


def _checked(on: date):
    return sa.exists().where(SupervisionCheck.consignee_id == Consignee.id,
                             SupervisionCheck.checked_on <= on)


def _or_never(day: object) -> str:
    return str(day) if day else str(_l("never"))


def _scheme_and_day(detail: object) -> str:
    """'privacymark 2026-09-30' as 'PrivacyMark (2026-09-30)'."""
    scheme, _, day = str(detail or "").partition(" ")
    known = {member.value: member.label for member in CertificationScheme}
    return f"{known.get(scheme, scheme)} ({day})"


def _began_and_approved(detail: object) -> str:
    """'2026-01-10 2026-02-01' (first work, approval) as '2026-01-10; approved on 2026-02-01'."""
    began, _, approved = str(detail or "").partition(" ")
    when_approved = (str(_l("approved on %(day)s", day=approved)) if approved
                     else str(_l("no approval recorded")))
    return f"{began or str(_l('never'))}; {when_approved}"


def _clause_names(detail: object) -> str:
    labels = dict(clauses())
    return ", ".join(str(labels[name]) for name in str(detail or "").split() if name in labels)


# -- entrustments and contracts (APPI Art. 25, policy Art. 5) ----------------------------------

@check("entrustment-without-contract", Entrustment, Severity.HIGH,
       title=_l("Entrustment without a contract in force"),
       explanation=_l("Work is entrusted to a consignee that has no contract in force on the day: "
                      "the duty to supervise needs a contract with the security measures."),
       basis=_l("APPI Art. 25; policy Art. 5"),
       reason=_l("No contract of the consignee is in force on %(detail)s."))
def _entrustment_without_contract(at: Context) -> sa.Select:
    return (sa.select(Entrustment.id, Entrustment.reference, sa.literal(at.as_of.isoformat()))
            .where(entrustment_active(at.as_of),
                   ~sa.exists().where(Contract.consignee_id == Entrustment.consignee_id,
                                      _contract_in_force(Contract, at.as_of))))


@check("entrustment-without-confidentiality", Entrustment, Severity.HIGH,
       title=_l("Entrustment without a confidentiality clause"),
       explanation=_l("None of the consignee's contracts in force binds it to confidentiality, which "
                      "the privacy policy promises for every entrustment."),
       basis=_l("APPI Art. 25; policy Art. 5"),
       reason=_l("The contracts in force (%(detail)s) have no confidentiality clause."))
def _entrustment_without_confidentiality(at: Context) -> sa.Select:
    in_force = sa.and_(Contract.consignee_id == Entrustment.consignee_id,
                       _contract_in_force(Contract, at.as_of))
    return (sa.select(Entrustment.id, Entrustment.reference, _joined_names(Contract.reference))
            .join(Contract, in_force)
            .where(entrustment_active(at.as_of))
            .group_by(Entrustment.id, Entrustment.reference)
            .having(sa.func.max(sa.case((Contract.clause_confidentiality.is_(True), 1), else_=0)) == 0))


@check("contract-missing-clauses", Contract, Severity.HIGH,
       title=_l("Contract in force lacks required clauses"),
       explanation=_l("A contract in force with a consignee that handles data lacks clauses the PPC "
                      "guidelines expect: purpose limitation, security measures, re-entrustment "
                      "approval, incident notification, audit rights, return or deletion."),
       basis=_l("APPI Art. 25 (GL 3-4-4)"),
       reason=_l("Missing: %(detail)s."),
       describe=_clause_names)
def _contract_missing_clauses(at: Context) -> sa.Select:
    others = [name for name, _ in clauses() if name != "clause_confidentiality"]
    missing = sa.literal("")
    for name in others:
        missing = missing + sa.case((getattr(Contract, name).is_(False), name + " "), else_="")
    return (sa.select(Contract.id, Contract.reference, missing)
            .join(Consignee, Consignee.id == Contract.consignee_id)
            .where(_contract_in_force(Contract, at.as_of), _has_active_entrustment(at.as_of),
                   sa.or_(*(getattr(Contract, name).is_(False) for name in others))))


def _superseded(on: date):
    """Another contract of the same consignee started after this one and is in force."""
    newer = so.aliased(Contract)
    return sa.exists().where(newer.consignee_id == Contract.consignee_id, newer.id != Contract.id,
                             sa.func.coalesce(newer.start_on, newer.signed_on, on)
                             > sa.func.coalesce(Contract.start_on, Contract.signed_on, date.min),
                             _contract_in_force(newer, on))


@check("contract-expired", Contract, Severity.HIGH,
       title=_l("Contract expired while work goes on"),
       explanation=_l("The contract has ended, is not renewed automatically and no newer contract "
                      "replaces it, yet the consignee still has entrusted work."),
       basis=_l("APPI Art. 25; policy Art. 5"),
       reason=_l("Ended on %(detail)s."))
def _contract_expired(at: Context) -> sa.Select:
    return (sa.select(Contract.id, Contract.reference, Contract.end_on)
            .join(Consignee, Consignee.id == Contract.consignee_id)
            .where(Contract.end_on < at.as_of, Contract.auto_renewal.is_(False),
                   _has_active_entrustment(at.as_of), ~_superseded(at.as_of)))


@check("contract-expiring", Contract, Severity.MEDIUM,
       title=_l("Contract expiring without renewal"),
       explanation=_l("The contract ends within the notice period (90 days unless the administrator "
                      "set another) and does not renew itself: renew it or plan the end of the "
                      "entrustment, with the return or deletion of the data."),
       basis=_l("APPI Art. 25; policy Art. 5"),
       reason=_l("Ends on %(detail)s without automatic renewal."))
def _contract_expiring(at: Context) -> sa.Select:
    return (sa.select(Contract.id, Contract.reference, Contract.end_on)
            .where(Contract.end_on >= at.as_of,
                   Contract.end_on <= at.as_of + timedelta(days=at.notice_days),
                   Contract.auto_renewal.is_(False), ~_superseded(at.as_of)))


@check("entrustment-without-selection", Entrustment, Severity.HIGH,
       title=_l("No selection assessment before the entrustment began"),
       explanation=_l("A consignee must be chosen properly before the work is entrusted: a selection "
                      "assessment dated on or before the first day of the entrustment."),
       basis=_l("APPI Art. 25 (GL 3-4-4)"),
       reason=_l("Started on %(detail)s with no selection assessment of the consignee by then."))
def _entrustment_without_selection(at: Context) -> sa.Select:
    began = sa.func.coalesce(Entrustment.start_on, at.as_of)
    return (sa.select(Entrustment.id, Entrustment.reference, Entrustment.start_on)
            .where(entrustment_active(at.as_of),
                   ~sa.exists().where(SupervisionCheck.consignee_id == Entrustment.consignee_id,
                                      SupervisionCheck.kind == CheckKind.SELECTION,
                                      SupervisionCheck.checked_on <= began)))


@check("category-beyond-purpose", Entrustment, Severity.HIGH,
       title=_l("Category entrusted for a purpose that does not use it"),
       explanation=_l("The entrustment hands over a data category that its purpose of use does not "
                      "list: either the purpose's inventory is incomplete or the data goes beyond the "
                      "purpose."),
       basis=_l("APPI Arts. 18, 25; policy Art. 2"),
       reason=_l("Not used by the purpose: %(detail)s."))
def _category_beyond_purpose(at: Context) -> sa.Select:
    return (sa.select(Entrustment.id, Entrustment.reference, _joined_names(DataCategory.name))
            .join(entrustment_categories, entrustment_categories.c.entrustment_id == Entrustment.id)
            .join(DataCategory, DataCategory.id == entrustment_categories.c.category_id)
            .where(entrustment_active(at.as_of),
                   ~sa.exists().where(PurposeCategory.purpose_id == Entrustment.purpose_id,
                                      PurposeCategory.category_id == DataCategory.id))
            .group_by(Entrustment.id, Entrustment.reference))


@check("special-care-below-top-tier", Entrustment, Severity.HIGH,
       title=_l("Special care-required data entrusted below the top tier"),
       explanation=_l("A consignee that handles special care-required personal information should be "
                      "supervised in the high tier."),
       basis=_l("APPI Arts. 2(3), 25"),
       reason=_l("Special care-required: %(detail)s."))
def _special_care_below_top_tier(at: Context) -> sa.Select:
    return (sa.select(Entrustment.id, Entrustment.reference, _joined_names(DataCategory.name))
            .join(Consignee, Consignee.id == Entrustment.consignee_id)
            .join(entrustment_categories, entrustment_categories.c.entrustment_id == Entrustment.id)
            .join(DataCategory, DataCategory.id == entrustment_categories.c.category_id)
            .where(entrustment_active(at.as_of), Consignee.risk_tier != RiskTier.HIGH,
                   DataCategory.appi_kind == AppiKind.SPECIAL_CARE)
            .group_by(Entrustment.id, Entrustment.reference))


# -- supervision of consignees ---------------------------------------------------------------

@check("check-overdue", Consignee, Severity.HIGH,
       title=_l("Supervision check overdue"),
       explanation=_l("The consignee's last check is older than its tier's cadence (unless the "
                      "administrator set others: 90 days for the high tier, 180 for medium, 365 "
                      "for low), or past the sooner next-due day that check recorded; a later "
                      "next-due day does not put the check off."),
       basis=_l("APPI Art. 25 (GL 3-4-4)"),
       reason=_l("Last checked on %(detail)s."))
def _check_overdue(at: Context) -> sa.Select:
    checks = cadence.last_checks(at.as_of)
    return (sa.select(Consignee.id, Consignee.label, checks.c.last)
            .join(checks, checks.c.consignee_id == Consignee.id)
            .where(_has_active_entrustment(at.as_of),
                   cadence.due_before(checks, at.as_of, at.cadence)))


@check("never-checked", Consignee, Severity.HIGH,
       title=_l("Consignee never checked"),
       explanation=_l("A consignee with entrusted work in progress has no supervision check at all: the "
                      "handling status must be grasped periodically."),
       basis=_l("APPI Art. 25 (GL 3-4-4)"),
       reason=_l("No check recorded (tier: %(detail)s)."),
       describe=lambda tier: str(RiskTier(tier).label) if tier else "")
def _never_checked(at: Context) -> sa.Select:
    return (sa.select(Consignee.id, Consignee.label, Consignee.risk_tier)
            .where(_has_active_entrustment(at.as_of), ~_checked(at.as_of)))


@check("questionnaire-not-returned", Questionnaire, Severity.MEDIUM,
       title=_l("Questionnaire not returned by its due date"),
       explanation=_l("A questionnaire sent to a consignee has not come back by the day it was due."),
       basis=_l("APPI Art. 25 (GL 3-4-4)"),
       reason=_l("Due on %(detail)s."))
def _questionnaire_not_returned(at: Context) -> sa.Select:
    return (sa.select(Questionnaire.id, Questionnaire.reference, Questionnaire.due_on)
            .where(Questionnaire.status == QuestionnaireStatus.ISSUED,
                   Questionnaire.due_on < at.as_of))


def finding_open(on: date):
    """The finding (joined to its check) was found by the day and not closed by then. The check's
    day is compared as _began does, so that SQLite starts from the findings, not from every check
    done by the day (nearly all of them) and the findings of each."""
    return sa.and_(_began(SupervisionCheck.checked_on, on),
                   sa.or_(Finding.status.in_([FindingStatus.OPEN, FindingStatus.IN_PROGRESS]),
                          sa.and_(Finding.status == FindingStatus.RESOLVED, Finding.resolved_on > on)))


@check("finding-overdue", Finding, Severity.MEDIUM,
       title=_l("Finding past its due date"),
       explanation=_l("A finding of a supervision check is still open after the remediation deadline."),
       basis=_l("APPI Art. 25"),
       reason=_l("Due on %(detail)s."))
def _finding_overdue(at: Context) -> sa.Select:
    return (sa.select(Finding.id, Finding.reference, Finding.due_on)
            .join(SupervisionCheck, SupervisionCheck.id == Finding.check_id)
            # past due (no day: never), compared so that SQLite reads the findings in order
            .where(finding_open(at.as_of), sa.func.coalesce(Finding.due_on, date.max) < at.as_of))


@check("finding-high-open", Finding, Severity.HIGH,
       title=_l("High-severity finding open"),
       explanation=_l("A finding of high or critical severity is not resolved."),
       basis=_l("APPI Art. 25"),
       reason=_l("Severity: %(detail)s."),
       describe=lambda severity: str(Severity(severity).label) if severity else "")
def _finding_high_open(at: Context) -> sa.Select:
    return (sa.select(Finding.id, Finding.reference, Finding.severity)
            .join(SupervisionCheck, SupervisionCheck.id == Finding.check_id)
            .where(finding_open(at.as_of), Finding.severity.in_([Severity.HIGH, Severity.CRITICAL])))


@check("certification-expired", Certification, Severity.MEDIUM,
       title=_l("Expired certification relied on"),
       explanation=_l("The certification of a consignee with work in progress has expired and no "
                      "current certificate of the same scheme replaces it."),
       basis=_l("APPI Art. 25 (selection of consignees)"),
       reason=_l("Expired: %(detail)s."),
       describe=_scheme_and_day)
def _certification_expired(at: Context) -> sa.Select:
    current = so.aliased(Certification)
    detail = sa.cast(Certification.scheme, sa.String) + " " + sa.cast(Certification.expires_on, sa.String)
    return (sa.select(Certification.id, Consignee.label, detail)
            .join(Consignee, Consignee.id == Certification.consignee_id)
            .where(_has_active_entrustment(at.as_of), Certification.expires_on < at.as_of,
                   ~sa.exists().where(current.consignee_id == Certification.consignee_id,
                                      current.scheme == Certification.scheme,
                                      sa.or_(current.expires_on.is_(None),
                                             current.expires_on >= at.as_of))))


# -- re-entrustment (再委託) ------------------------------------------------------------------

@check("reentrustment-not-allowed", Consignee, Severity.HIGH,
       title=_l("Re-entrustment the parent's contract does not allow"),
       explanation=_l("The consignee received the work from another consignee whose contracts in force "
                      "do not allow re-entrustment."),
       basis=_l("APPI Art. 25 (GL 3-4-4, failure examples)"),
       reason=_l("Re-entrusted by %(detail)s."))
def _reentrustment_not_allowed(at: Context) -> sa.Select:
    parent = so.aliased(Consignee)
    return (sa.select(Consignee.id, Consignee.label, parent.name)
            .join(parent, parent.id == Consignee.parent_id)
            .where(_has_active_entrustment(at.as_of),
                   ~sa.exists().where(Contract.consignee_id == parent.id,
                                      Contract.reentrustment_allowed.is_(True),
                                      _contract_in_force(Contract, at.as_of))))


@check("reentrustment-before-approval", Consignee, Severity.HIGH,
       title=_l("Sub-consignee started before it was approved"),
       explanation=_l("A sub-consignee must be reported and approved before it handles the data; this "
                      "one has no approval date, or work that began before it."),
       basis=_l("APPI Art. 25 (GL 3-4-4, failure examples)"),
       reason=_l("Work began on %(detail)s."),
       describe=_began_and_approved)
def _reentrustment_before_approval(at: Context) -> sa.Select:
    early = sa.exists().where(Entrustment.consignee_id == Consignee.id,
                              Entrustment.start_on < Consignee.reentrustment_approved_on)
    began = (sa.select(sa.func.min(Entrustment.start_on))
             .where(Entrustment.consignee_id == Consignee.id).scalar_subquery())
    detail = (sa.func.coalesce(sa.cast(began, sa.String), "") + " "
              + sa.func.coalesce(sa.cast(Consignee.reentrustment_approved_on, sa.String), ""))
    return (sa.select(Consignee.id, Consignee.label, detail)
            .where(Consignee.parent_id.is_not(None), _has_active_entrustment(at.as_of),
                   sa.or_(Consignee.reentrustment_approved_on.is_(None),
                          Consignee.reentrustment_approved_on > at.as_of, early)))


@check("reentrustment-unchecked", Consignee, Severity.HIGH,
       title=_l("Sub-consignee with no check of its own"),
       explanation=_l("The company must confirm that a sub-consignee is supervised too, further down "
                      "the chain: it has no supervision check recorded."),
       basis=_l("APPI Art. 25 (GL 3-4-4)"),
       reason=_l("Re-entrusted by %(detail)s; never checked."))
def _reentrustment_unchecked(at: Context) -> sa.Select:
    parent = so.aliased(Consignee)
    return (sa.select(Consignee.id, Consignee.label, parent.name)
            .join(parent, parent.id == Consignee.parent_id)
            .where(_has_active_entrustment(at.as_of), ~_checked(at.as_of)))


# -- foreign consignees (Arts. 23, 28, 32) -------------------------------------------------------

def _foreign(at: Context):
    return sa.and_(_has_active_entrustment(at.as_of), Consignee.country != "JP")


@check("foreign-without-basis", Consignee, Severity.CRITICAL,
       title=_l("Foreign consignee without a basis for the transfer"),
       explanation=_l("A consignee outside Japan and outside the EEA and the UK needs a recorded Art. 28 "
                      "basis: consent of the individuals or a system conforming to the standards."),
       basis=_l("APPI Art. 28"),
       reason=_l("Country: %(detail)s."))
def _foreign_without_basis(at: Context) -> sa.Select:
    return (sa.select(Consignee.id, Consignee.label, Consignee.country)
            .where(_foreign(at), Consignee.country.not_in(DESIGNATED_COUNTRIES),
                   sa.or_(Consignee.cross_border_basis.is_(None),
                          Consignee.cross_border_basis.in_([CrossBorderBasis.NOT_APPLICABLE,
                                                            CrossBorderBasis.ADEQUATE_COUNTRY]))))


@check("conforming-system-unconfirmed", Consignee, Severity.HIGH,
       title=_l("Conforming-system basis not confirmed in 12 months"),
       explanation=_l("Where a foreign consignee is relied on under a system conforming to the "
                      "standards, the company checks about once a year that it still conforms."),
       basis=_l("APPI Art. 28(3) (GL-foreign 6-1)"),
       reason=_l("Last confirmed on: %(detail)s."),
       describe=_or_never)
def _conforming_system_unconfirmed(at: Context) -> sa.Select:
    return (sa.select(Consignee.id, Consignee.label, Consignee.cross_border_checked_on)
            .where(_foreign(at), Consignee.cross_border_basis == CrossBorderBasis.CONFORMING_SYSTEM,
                   sa.or_(Consignee.cross_border_checked_on.is_(None),
                          Consignee.cross_border_checked_on < at.as_of - YEAR)))


@check("foreign-without-environment", Consignee, Severity.HIGH,
       title=_l("Data handled abroad without the external environment"),
       explanation=_l("Handling personal data abroad requires knowing the foreign country's regime "
                      "(外的環境の把握), which the public notice must also describe."),
       basis=_l("APPI Arts. 23, 32 (GL 10-7)"),
       reason=_l("Country: %(detail)s."))
def _foreign_without_environment(at: Context) -> sa.Select:
    return (sa.select(Consignee.id, Consignee.label, Consignee.country)
            .where(_foreign(at), sa.func.trim(Consignee.external_environment) == ""))


# -- employees and access (Arts. 23-24, policy Art. 13) ----------------------------------------

def _holders(on: date, detail, *conditions, holding: tuple = ()) -> sa.Select:
    """Employees meeting the conditions who hold access in force on the day (through a grant
    meeting `holding`), one row each: the employees are read first and each one's grants looked
    up by employee, not every grant in force joined to its employee and grouped."""
    return (sa.select(Employee.id, _employee_label(), detail)
            .where(*conditions, sa.exists().where(_their_grants(on), *holding)))


def _their_grants(on: date) -> sa.ColumnElement[bool]:
    """The grant is the (outer) employee's and in force on the day."""
    return sa.and_(AccessGrant.employee_id == Employee.id, grant_active(on))


@check("departed-access", Employee, Severity.CRITICAL,
       title=_l("Access of a departed employee not revoked"),
       explanation=_l("An employee has left, but access to personal data granted to them is still in "
                      "force (REGISTRY_DEPARTED_ACCESS_DAYS after the departure: 0 by default)."),
       basis=_l("APPI Arts. 23-24; policy Art. 13"),
       reason=_l("Departed on %(detail)s."))
def _departed_access(at: Context) -> sa.Select:
    grace = timedelta(days=current_app.config["DEPARTED_ACCESS_DAYS"])
    return _holders(at.as_of, Employee.departed_on, Employee.departed_on <= at.as_of - grace)


@check("access-without-pledge", Employee, Severity.HIGH,
       title=_l("Access without a confidentiality pledge"),
       explanation=_l("An employee holds access to personal data without a signed confidentiality "
                      "pledge."),
       basis=_l("APPI Art. 24; policy Art. 13"),
       reason=_l("Access grants in force: %(detail)s."))
def _access_without_pledge(at: Context) -> sa.Select:
    held = sa.select(sa.func.count()).select_from(AccessGrant).where(_their_grants(at.as_of))
    return _holders(at.as_of, held.scalar_subquery(), employed(at.as_of),
                    sa.or_(Employee.pledge_signed_on.is_(None), Employee.pledge_signed_on > at.as_of))


@check("special-care-without-pledge", Employee, Severity.HIGH,
       title=_l("Special care-required data accessed without a pledge"),
       explanation=_l("An employee reaches special care-required personal information without a "
                      "current confidentiality pledge."),
       basis=_l("APPI Arts. 2(3), 24; policy Art. 13"),
       reason=_l("Special care-required: %(detail)s."))
def _special_care_without_pledge(at: Context) -> sa.Select:
    special = sa.and_(DataCategory.id == AccessGrant.category_id,
                      DataCategory.appi_kind == AppiKind.SPECIAL_CARE)
    names = (sa.select(_joined_names(DataCategory.name)).select_from(AccessGrant)
             .join(DataCategory, special).where(_their_grants(at.as_of)))
    return _holders(at.as_of, names.scalar_subquery(), employed(at.as_of),
                    sa.or_(Employee.pledge_signed_on.is_(None), Employee.pledge_signed_on > at.as_of),
                    holding=(special,))


@check("access-without-training", Employee, Severity.MEDIUM,
       title=_l("Access without training in the last 12 months"),
       explanation=_l("An employee with access to personal data has not attended the training in the "
                      "last twelve months."),
       basis=_l("APPI Art. 24; policy Art. 13"),
       reason=_l("Last trained on: %(detail)s."),
       describe=_or_never)
def _access_without_training(at: Context) -> sa.Select:
    return _holders(at.as_of, Employee.last_training_on, employed(at.as_of),
                    sa.or_(Employee.last_training_on.is_(None),
                           Employee.last_training_on < at.as_of - YEAR))


@check("access-not-reviewed", AccessGrant, Severity.MEDIUM,
       title=_l("Access not reviewed in 12 months"),
       explanation=_l("A grant in force has been neither given nor reviewed in the last twelve months."),
       basis=_l("APPI Art. 23 (GL 10-6); policy Art. 13"),
       reason=_l("Last reviewed on: %(detail)s."),
       describe=_or_never)
def _access_not_reviewed(at: Context) -> sa.Select:
    reviewed = last_review()
    label = _employee_label() + " → " + DataCategory.name + " (" + AccessGrant.system + ")"
    return (sa.select(AccessGrant.id, label, reviewed)
            .join(Employee, Employee.id == AccessGrant.employee_id)
            .join(DataCategory, DataCategory.id == AccessGrant.category_id)
            .where(grant_active(at.as_of), employed(at.as_of),
                   sa.or_(reviewed.is_(None), reviewed < at.as_of - YEAR)))


# -- the inventory (Arts. 17-18, GL 10; policy Art. 2) -----------------------------------------

@check("category-without-retention", DataCategory, Severity.MEDIUM,
       title=_l("Data category with no retention period"),
       explanation=_l("The ledger must say how long each category is kept."),
       basis=_l("APPI Art. 23 (GL 10); JIS Q 15001"),
       reason=_l("No retention period recorded."))
def _category_without_retention(at: Context) -> sa.Select:
    return (sa.select(DataCategory.id, DataCategory.name, sa.null())
            .where(_existed(DataCategory, at.as_of), sa.func.trim(DataCategory.retention_period) == ""))


@check("category-without-purpose", DataCategory, Severity.HIGH,
       title=_l("Data category used by no purpose"),
       explanation=_l("Personal information may be held only for a published purpose of use; this "
                      "category is linked to no purpose in use."),
       basis=_l("APPI Arts. 17-18; policy Art. 2"),
       reason=_l("Not linked to any purpose in use."))
def _category_without_purpose(at: Context) -> sa.Select:
    return (sa.select(DataCategory.id, DataCategory.name, sa.null())
            .where(_existed(DataCategory, at.as_of),
                   ~sa.exists().where(PurposeCategory.category_id == DataCategory.id,
                                      PurposeCategory.purpose_id == Purpose.id,
                                      Purpose.status == PurposeStatus.ACTIVE)))


@check("purpose-without-category", Purpose, Severity.MEDIUM,
       title=_l("Purpose with no data category"),
       explanation=_l("A purpose in use lists no data category: the ledger cannot show what it uses."),
       basis=_l("APPI Art. 17; policy Art. 2"),
       reason=_l("No data category linked."))
def _purpose_without_category(at: Context) -> sa.Select:
    return (sa.select(Purpose.id, Purpose.code + " " + Purpose.title, sa.null())
            .where(_existed(Purpose, at.as_of), Purpose.status == PurposeStatus.ACTIVE,
                   ~sa.exists().where(PurposeCategory.purpose_id == Purpose.id)))


# -- incidents (APPI Art. 26): clocks counted in Python, for they skip holidays ------------------

def _incident_clock_missed(code: str, done: sa.ColumnElement):
    """The incidents whose clock `code` ran out by the day with its duty not done by then."""
    def query(at: Context) -> sa.Select:
        candidates = db.session.scalars(
            sa.select(Incident).where(Incident.learned_on <= at.as_of,
                                      sa.or_(done.is_(None), done > at.as_of))
            .options(so.selectinload(Incident.categories)))
        return _due_passed(Incident, Incident.reference, {
            incident.id: clock.due_on for incident in candidates
            for clock in assessment.clocks(incident)
            if clock.code == code and clock.overdue(at.as_of)})
    return query


def _due_passed(model, label: sa.ColumnElement, missed: dict[int, date]) -> sa.Select:
    """The records whose deadlines, counted in Python (past closed days), ran out: id, label and
    the day each was due."""
    return _listed(model, label, {id: day.isoformat() for id, day in missed.items()})


def _listed(model, label: sa.ColumnElement, details: dict[int, str]) -> sa.Select:
    """The records found in Python: id, label and the detail of each."""
    detail = sa.case(details, value=model.id) if details else sa.null()
    return sa.select(model.id, label, detail).where(model.id.in_(list(details)))


check("incident-preliminary-report-overdue", Incident, Severity.CRITICAL,
      title=_l("Incident's preliminary report overdue"),
      explanation=_l("An incident the rules require to be reported has no preliminary report to the "
                     "PPC by its deadline (promptly: the guidelines say about 3-5 days from "
                     "learning of it)."),
      basis=_l("APPI Art. 26(1); PPC rule 8(1)"),
      reason=_l("Due on %(detail)s."))(
    _incident_clock_missed("preliminary", Incident.preliminary_reported_on))

check("incident-final-report-overdue", Incident, Severity.CRITICAL,
      title=_l("Incident's final report overdue"),
      explanation=_l("An incident the rules require to be reported has no final report to the PPC "
                     "within 30 days of learning of it (60 for a possibly malicious act)."),
      basis=_l("APPI Art. 26(1); PPC rule 8(2)"),
      reason=_l("Due on %(detail)s."))(
    _incident_clock_missed("final", Incident.final_reported_on))

check("incident-notice-overdue", Incident, Severity.HIGH,
      title=_l("Individuals not notified of an incident"),
      explanation=_l("The individuals whose data a reportable incident concerns were neither "
                     "notified nor, when they could not be reached, told by a public "
                     "announcement, within the company's target."),
      basis=_l("APPI Art. 26(2); PPC rule 10"),
      reason=_l("Due on %(detail)s."))(
    _incident_clock_missed("notice", sa.func.coalesce(Incident.notified_on, Incident.published_on)))


@check("request-response-overdue", RightsRequest, Severity.HIGH,
       title=_l("Individual's request not answered in time"),
       explanation=_l("A request for a notice of purposes, disclosure, correction, suspension or the "
                      "like was not answered by the company's target for answering without delay."),
       basis=_l("APPI Arts. 32-35; policy Arts. 6-8"),
       reason=_l("Due on %(detail)s."))
def _request_response_overdue(at: Context) -> sa.Select:
    candidates = db.session.scalars(
        sa.select(RightsRequest).where(RightsRequest.received_on <= at.as_of, sa.or_(
            RightsRequest.responded_on.is_(None), RightsRequest.responded_on > at.as_of)))
    return _due_passed(RightsRequest, RightsRequest.reference, {
        request.id: request_clocks.answer_due(request.received_on) for request in candidates
        if request_clocks.overdue(request, at.as_of)})


def _item_names(names: str | None) -> str:
    labels = describe_model(Provision).by_name
    return ", ".join(str(labels[name].label) for name in (names or "").split(",") if name)


@check("provision-without-record", Provision, Severity.HIGH,
       title=_l("Provision without a complete record"),
       explanation=_l("A provision to or a receipt from a third party, or personally referable "
                      "information given to a recipient who will link it to a person, lacks an "
                      "item its record must hold: the consent, the third party's address and "
                      "representative, how the provider obtained the data, the confirmation made "
                      "beforehand, the individuals or the data categories."),
       basis=_l("APPI Arts. 29-31; PPC rules 20, 24, 28"),
       reason=_l("Lacks: %(detail)s."),
       describe=_item_names)
def _provision_without_record(at: Context) -> sa.Select:
    candidates = db.session.scalars(
        sa.select(Provision).where(Provision.provided_on <= at.as_of, provision_record.incomplete())
        .options(so.selectinload(Provision.categories)))
    return _listed(Provision, Provision.reference,
                   {p.id: ",".join(provision_record.missing(p)) for p in candidates})


@check("provision-record-retention-ended", Provision, Severity.LOW,
       title=_l("Record of provision kept past its period"),
       explanation=_l("The rules keep a record of provision or receipt for a year after the last "
                      "provision when the contract serves as the record, three years otherwise. "
                      "This one's period has ended: delete it, or record why it is still needed."),
       basis=_l("PPC rules 21, 25, 30; APPI Art. 22"),
       reason=_l("Kept until %(detail)s."))
def _provision_record_retention_ended(at: Context) -> sa.Select:
    ended = db.session.scalars(sa.select(Provision).where(provision_record.retention_ended(at.as_of)))
    return _listed(Provision, Provision.reference,
                   {p.id: provision_record.kept_until(p).isoformat() for p in ended})


def _published_policy() -> str | None:
    """The published policy's text; None (and a warning in the log) when it cannot be read."""
    try:
        return policy.published()
    except policy.Unreadable as error:
        current_app.logger.warning("The policy checks found nothing to compare: %s", error)
        return None


def _cites_nothing(where: str | None) -> str:
    if not where:
        return str(_l("Its basis cites no article of the policy."))
    return str(_l("Its basis cites %(where)s, which the policy does not have.", where=where))


@check("policy-drift", Purpose, Severity.MEDIUM,
       title=_l("Purpose in force that the published policy does not state"),
       explanation=_l("A purpose in force whose legal basis cites no article or item of the "
                      "published privacy policy (REGISTRY_PUBLISHED_POLICY) that exists: the "
                      "policy may not state it, or the purpose may cite the wrong place."),
       basis=_l("APPI Arts. 17(1), 21(1), 32(1)"),
       reason=_l("%(detail)s"),
       describe=_cites_nothing)
def _policy_drift(at: Context) -> sa.Select:
    text = _published_policy()
    in_force = [] if text is None else db.session.scalars(
        sa.select(Purpose).where(Purpose.status == PurposeStatus.ACTIVE)).all()
    return _listed(Purpose, Purpose.code + " " + Purpose.title,
                   drift.uncited(in_force, text) if text else {})


@check("policy-country-unnamed", Consignee, Severity.MEDIUM,
       title=_l("Country where data is handled that the published policy does not name"),
       explanation=_l("A consignee with work in progress handles personal data in a foreign "
                      "country that the published privacy policy (REGISTRY_PUBLISHED_POLICY) "
                      "does not name: the public notice must name the countries where retained "
                      "data is handled (外的環境の把握)."),
       basis=_l("APPI Art. 32(1)(iv); Cabinet Order Art. 10(i); PPC GL 3-8-1"),
       reason=_l("The policy does not name %(detail)s."),
       describe=lambda code: f"{Locale(language()).territories.get(code, code)} ({code})")
def _policy_country_unnamed(at: Context) -> sa.Select:
    text = _published_policy()
    named = drift.named_countries(text) if text else set()
    return (sa.select(Consignee.id, Consignee.label, Consignee.country)
            .where(sa.literal(text is not None), Consignee.country != drift.HOME,
                   Consignee.country.not_in(named), sa.exists().where(
                       Entrustment.consignee_id == Consignee.id, entrustment_active(at.as_of))))
