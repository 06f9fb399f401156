"""A returned questionnaire, one more kind of workbook in the import pipeline (exchange.kinds):
check the signature, read and judge the answers, judge the vendor's corrections by the consignee's
rules, plan one supervision check with its answers and findings, then record it in an import
batch that an administrator can revert."""

from __future__ import annotations

import hmac
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from python_calamine import CalamineError, CalamineWorkbook
from xlsxwriter.utility import xl_col_to_name

from registry.consignees.models import Consignee, Entrustment
from registry.core import audit, clock, operations, records, schema
from registry.core.i18n import language
from registry.core.models import AuditEntry
from registry.exchange.cells import Unread, unread_cells
from registry.exchange.guard import Limits, Refused, one_line
from registry.exchange.kinds import Kind, register
from registry.exchange.plan import Plan, RowPlan, SheetPlan
from registry.exchange.read import Issue
from registry.exchange.resources import RESOURCES
from registry.exchange.values import CellError, clean_bool, clean_date, clean_text, normalize
from registry.extensions import db
from registry.questionnaires import workbook
from registry.questionnaires.findings import stored
from registry.questionnaires.models import (
    Answer,
    AnswerType,
    QuestionKind,
    Questionnaire,
    QuestionnaireStatus,
    QuestionVersion,
)
from registry.supervision.models import CheckKind, CheckMethod, CheckResult, Finding, SupervisionCheck

#: the name of this kind of workbook in the import pipeline
QUESTIONNAIRE = "questionnaire"
QUESTIONS_SHEET = "質問 Questions"
DETAILS_SHEET = "貴社情報 Company details"
ANSWER_COLUMN = "E"
#: the cells of a question's row the vendor fills in (answer, comment, evidence), 0-based
ANSWER_CELLS = (4, 5, 6)
#: the column of the vendor's details (0-based)
DETAIL_COLUMN = 1
NOT_APPLICABLE = {"該当なし", "n/a", "na", "notapplicable", "対象外", "該当なし/n/a"}
#: days to remedy a finding, by severity
FINDING_DAYS = {"critical": 14, "high": 30, "medium": 60, "low": 90}


@dataclass
class ReturnedAnswer:
    """One judged answer."""

    version: QuestionVersion
    cell: str
    answer: str
    comment: str
    evidence: str
    #: None for a fact, which is information for the assessment and is not judged
    passed: bool | None


@dataclass
class DetailChange:
    """A correction the vendor made to its details."""

    attr: str
    label: str
    old: str
    new: str
    #: why the consignee's rules refuse it (it cannot be accepted); None when it can be
    problem: str | None = None


@dataclass
class Returned:
    """What a returned workbook says, before anything is saved."""

    questionnaire: Questionnaire
    answers: list[ReturnedAnswer] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    details: list[DetailChange] = field(default_factory=list)

    @property
    def already_imported(self) -> bool:
        return self.questionnaire.status == QuestionnaireStatus.RETURNED

    @property
    def valid(self) -> bool:
        return not self.issues

    @property
    def failing(self) -> list[ReturnedAnswer]:
        return [a for a in self.answers if a.passed is False]

    @property
    def facts(self) -> list[ReturnedAnswer]:
        """The answers to questions that collect facts: shown, never judged."""
        return [a for a in self.answers if a.passed is None]

    @property
    def assessed(self) -> list[ReturnedAnswer]:
        return [a for a in self.answers if a.passed is not None]


def read(path: Path, consignee_id: int | None = None) -> Returned:
    """Read a returned workbook the guard accepted; raises Refused for one that is not from
    this registry, or (consignee_id) not for that consignee."""
    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                  for name in book.sheet_names}
    except (CalamineError, OSError, ValueError) as error:
        raise Refused(_("the workbook cannot be read (%(error)s)", error=one_line(error))) from error
    questionnaire = _verified(sheets, consignee_id)
    returned = Returned(questionnaire)
    unread = unread_cells(path, [QUESTIONS_SHEET, DETAILS_SHEET])
    _answers(returned, sheets.get(QUESTIONS_SHEET) or [], unread[QUESTIONS_SHEET])
    _details(returned, sheets.get(DETAILS_SHEET) or [], unread[DETAILS_SHEET])
    return returned


def _verified(sheets: dict, consignee_id: int | None) -> Questionnaire:
    hidden = {row[0]: row[1] for row in sheets.get(workbook.HIDDEN_SHEET, []) if len(row) > 1}
    if "payload" not in hidden or "signature" not in hidden:
        raise Refused(_("this is not a questionnaire workbook issued by the registry"))
    try:
        payload = json.loads(hidden["payload"])
    except (TypeError, ValueError) as error:
        raise Refused(_("the hidden sheet of the questionnaire was edited")) from error
    if not hmac.compare_digest(workbook.sign(payload), str(hidden["signature"])):
        raise Refused(_("the signature does not match: the hidden sheet was edited, or the "
                        "workbook was not issued by this registry"))
    questionnaire = db.session.scalar(sa.select(Questionnaire).where(
        Questionnaire.reference == payload.get("questionnaire")))
    if questionnaire is None or workbook.payload(questionnaire) != payload:
        raise Refused(_("unknown questionnaire or questionnaire version"))
    if consignee_id is not None and questionnaire.consignee_id != consignee_id:
        raise Refused(_("this workbook was issued to another consignee (%(name)s)",
                        name=questionnaire.consignee.name))
    return questionnaire


def _answers(returned: Returned, rows: list[list], unread: dict[tuple[int, int], Unread]) -> None:
    by_code = {v.question.code: v for v in returned.questionnaire.questions}
    seen = set()
    for index, cells in enumerate(rows[1:], start=2):
        code = clean_text(cells[0]) if cells else ""
        if code not in by_code:
            continue
        seen.add(code)
        cell = f"{ANSWER_COLUMN}{index}"
        unanswerable = [(column, unread[index, column]) for column in ANSWER_CELLS
                        if (index, column) in unread]
        for column, problem in unanswerable:
            returned.issues.append(Issue(QUESTIONS_SHEET, index,
                                         f"{code} ({xl_col_to_name(column)}{index})", None,
                                         problem.message))
        if unanswerable:
            continue
        raw, comment, evidence = (list(cells[4:7]) + ["", "", ""])[:3]
        version = by_code[code]
        try:
            answer = _answer(version, raw)
        except CellError as error:
            returned.issues.append(Issue(QUESTIONS_SHEET, index, f"{code} ({cell})", raw,
                                         _("expected %(what)s", what=error)))
            continue
        returned.answers.append(ReturnedAnswer(version, cell, answer, clean_text(comment),
                                               clean_text(evidence), _passes(version, answer)))
    for code in sorted(set(by_code) - seen):
        returned.issues.append(Issue(QUESTIONS_SHEET, None, code, None,
                                     _("this question's row is missing")))


def _answer(version: QuestionVersion, raw) -> str:
    """The answer as stored: yes / no / n/a, an ISO date, a number, a listed choice or text."""
    question = version.question
    if raw in (None, ""):
        raise CellError(_("an answer (this question is unanswered)"))
    kind = question.answer_type
    if kind == AnswerType.YES_NO:
        word = normalize(str(raw))
        if word in NOT_APPLICABLE:
            return "n/a"
        value = clean_bool(word.split("/")[0])
        return "yes" if value else "no"
    if kind == AnswerType.DATE:
        return clean_date(raw).isoformat()
    if kind == AnswerType.NUMBER:
        text = unicodedata.normalize("NFKC", clean_text(raw)).replace(",", "")
        try:
            return format(float(text), "g")
        except ValueError as error:
            raise CellError(_("a number")) from error
    if kind == AnswerType.CHOICE:
        options = {normalize(o): o for o in question.options.split("|") if o}
        if options and normalize(str(raw)) not in options:
            raise CellError(_("one of: %(allowed)s", allowed=", ".join(options.values())))
        return options.get(normalize(str(raw)), clean_text(raw))
    return clean_text(raw)


def _passes(version: QuestionVersion, answer: str) -> bool | None:
    """Whether an answer passes its question's rule; None for a fact (not judged)."""
    if version.question.kind == QuestionKind.FACT:
        return None
    rule = version.question.passing_answer.strip()
    if not rule or answer == "n/a":
        return True
    for operator, test in ((">=", float.__ge__), ("<=", float.__le__)):
        if rule.startswith(operator):
            return test(float(answer), float(rule[2:]))
    return normalize(answer) == normalize(rule)


def _details(returned: Returned, rows: list[list], unread: dict[tuple[int, int], Unread]) -> None:
    """The vendor's corrections, each judged by the consignee's rules as a form would judge it
    (a correction the rules refuse is shown with the reason and cannot be accepted)."""
    consignee = returned.questionnaire.consignee
    description = schema.describe_model(Consignee)
    current = description.values_of(consignee)
    labels = {normalize(word): (described, editable) for described, editable in workbook.details()
              for word in (*described.label.both(), *described.spec.synonyms)}
    for index, cells in enumerate(rows[1:], start=2):
        found = [labels[normalize(part)] for part in str(cells[0] if cells else "").split("/")
                 if normalize(part) in labels]
        if len(cells) < 2 or not found or not found[0][1]:
            continue
        described = found[0][0]
        if (index, DETAIL_COLUMN) in unread:
            returned.issues.append(Issue(DETAILS_SHEET, index, clean_text(cells[0]), None,
                                         unread[index, DETAIL_COLUMN].message))
            continue
        new = _corrected(described, cells[1])
        old = current[described.name]
        if (new or "") != (old or ""):
            problems = schema.check(description, {**current, described.name: new}, current,
                                    audit.current_role(), schema.Registry())
            returned.details.append(DetailChange(
                described.name, str(described.label), old or "", new or "",
                "; ".join(map(str, problems)) or None))


def _corrected(described, raw) -> str | None:
    """A corrected detail as the consignee's form reads what is typed."""
    value = clean_text(raw)
    if described.spec.code:
        value = unicodedata.normalize("NFKC", value)
    if described.spec.upper:
        value = value.upper()
    return value or (None if described.nullable else "")


@dataclass
class ReturnedPlan(Plan):
    """A returned questionnaire as the pipeline plans it: the records it creates and changes, as
    the preview and the command line show any plan, and what it says (answers, corrections)."""

    returned: Returned | None = None
    #: the corrections to the consignee's details to apply (their attributes)
    accepted: frozenset[str] = frozenset()
    #: the kind of supervision check the answers are recorded as (as chosen: judged by the
    #: check's rules, an unknown kind is an issue of the plan)
    check_kind: str = CheckKind.PERIODIC.value
    #: the consignee's entrustments begun before the day of the check with no selection
    #: assessment before them: a selection assessment recorded now does not come before them
    begun: list[str] = field(default_factory=list)

    kind = QUESTIONNAIRE
    template = "questionnaires/_returned.html"
    reupload = "questionnaires/_reupload.html"

    @property
    def check_kinds(self) -> list:
        return CheckKind.choices()

    def watched(self) -> sa.ColumnElement:
        """Stale once its questionnaire or its consignee changed."""
        questionnaire = self.returned.questionnaire
        return sa.or_(sa.and_(AuditEntry.entity == Questionnaire.__tablename__,
                              AuditEntry.record_id == questionnaire.id),
                      sa.and_(AuditEntry.entity == Consignee.__tablename__,
                              AuditEntry.record_id == questionnaire.consignee_id))


def plan(path: Path, limits: Limits, consignee_id: int | None = None,
         accept: str | Iterable[str] = (), check_kind: str | None = None,
         **_options) -> ReturnedPlan:
    """The plan of a returned workbook; accept names the corrections to apply ("all" for every
    one): a correction the consignee's rules refuse makes the plan invalid. check_kind is the
    kind of check to record (default: a selection assessment for a consignee never checked,
    else a periodic check), judged by the same rules as a check entered in its form."""
    mark = db.session.scalar(sa.select(sa.func.max(AuditEntry.id))) or 0
    returned = read(path, consignee_id)
    consignee = returned.questionnaire.consignee
    offered = {d.attr for d in returned.details}
    accepted = frozenset(offered if accept == "all" else set(accept) & offered)
    issues = list(returned.issues) + [
        Issue(DETAILS_SHEET, None, d.label, d.new,
              _("this correction cannot be accepted: %(why)s", why=d.problem))
        for d in returned.details if d.attr in accepted and d.problem]
    kind = check_kind or first_kind(consignee).value
    on = clock.today()
    if not returned.already_imported:
        checks = RESOURCES["supervision_checks"]
        described = schema.describe_model(SupervisionCheck).by_name
        issues += [Issue(checks.sheet_name(language()), None,
                         str(described[p.field].label) if p.field else None,
                         kind if p.field == "kind" else None, str(p.message))
                   for p in records.judged(SupervisionCheck, _check_values(returned, kind, on))]
    return ReturnedPlan(_sheets(returned, accepted), issues, [], False, {}, mark,
                        returned=returned, accepted=accepted, check_kind=kind,
                        begun=_begun_before(consignee, on))


def first_kind(consignee: Consignee) -> CheckKind:
    """The kind a consignee's next check is by default: its first is the selection assessment."""
    checked = db.session.scalar(sa.select(sa.func.count()).select_from(SupervisionCheck).where(
        SupervisionCheck.consignee_id == consignee.id))
    return CheckKind.PERIODIC if checked else CheckKind.SELECTION


def _begun_before(consignee: Consignee, on: date) -> list[str]:
    """The consignee's entrustments in progress that began before the day with no selection
    assessment on or before their start (the compliance check reports them whatever is
    recorded today)."""
    return list(db.session.scalars(
        sa.select(Entrustment.reference)
        .where(Entrustment.consignee_id == consignee.id, Entrustment.start_on < on,
               sa.or_(Entrustment.end_on.is_(None), Entrustment.end_on >= on),
               ~sa.exists().where(SupervisionCheck.consignee_id == consignee.id,
                                  SupervisionCheck.kind == CheckKind.SELECTION,
                                  SupervisionCheck.checked_on <= Entrustment.start_on))
        .order_by(Entrustment.reference)))


def _sheets(returned: Returned, accepted: frozenset[str]) -> list[SheetPlan]:
    """The records the return creates and changes, sheet by sheet."""
    questionnaire = returned.questionnaire
    action = "unchanged" if returned.already_imported else "create"
    check = _sheet("supervision_checks", [
        RowPlan(action, None, (f"CHK-{questionnaire.reference}",), {})])
    findings = _sheet("findings", [
        RowPlan(action, None, (_finding_reference(questionnaire, a),), {}) for a in returned.failing])
    sheets = [check, findings]
    changes = {d.attr: (d.old, d.new) for d in returned.details if d.attr in accepted}
    if changes and not returned.already_imported:
        consignee = questionnaire.consignee
        sheets.append(_sheet("consignees", [
            RowPlan("update", None, (consignee.name, consignee.country), {}, changes,
                    consignee.id)]))
    return sheets


def _sheet(name: str, rows: list[RowPlan]) -> SheetPlan:
    """A sheet of the plan, named as the inventory workbook names it in the current language."""
    resource = RESOURCES[name]
    return SheetPlan(resource, resource.sheet_name(language()), rows)


def _finding_reference(questionnaire: Questionnaire, answer: ReturnedAnswer) -> str:
    return f"FND-{questionnaire.reference}-{answer.version.question.code}"


def write(planned: ReturnedPlan) -> dict:
    """Record a planned return in the current import batch; returns what a revert needs."""
    return record(planned.returned, planned.accepted, kind=planned.check_kind)


def _check_values(returned: Returned, kind: str | CheckKind, on: date) -> dict:
    """The supervision check a return makes: the questionnaire's method and result, the next
    check date from the risk tier (its page sums the answers up in the reader's language: no
    notes in the importer's)."""
    questionnaire = returned.questionnaire
    consignee = questionnaire.consignee
    failing = returned.failing
    severe = any(a.version.question.severity.value in ("high", "critical") for a in failing)
    result = CheckResult.FAIL if severe else (CheckResult.PASS_WITH_FINDINGS if failing
                                              else CheckResult.PASS)
    return {
        "reference": f"CHK-{questionnaire.reference}", "consignee": consignee,
        "kind": kind, "checked_on": on, "method": CheckMethod.QUESTIONNAIRE,
        "result": result, "performed_by": audit.current_actor(),
        "next_due_on": on + timedelta(
            days=current_app.config["CHECK_CADENCE_DAYS"][consignee.risk_tier.value]),
    }


def record(returned: Returned, accepted: set[str], on: date | None = None,
           kind: str | CheckKind | None = None) -> dict:
    """Save a valid return: one check of the kind given (by default the consignee's first is
    its selection assessment) with every answer, a finding per failing answer (facts are never
    failing), the next check date from the risk tier, and the accepted corrections to the
    details; returns what a revert needs (the rows created, the old values of the rows
    changed)."""
    if not returned.valid or returned.already_imported:
        raise ValueError("only a valid, new return can be recorded")
    on = on or clock.today()
    questionnaire = returned.questionnaire
    consignee = questionnaire.consignee
    failing = returned.failing
    check = records.create(SupervisionCheck, _check_values(
        returned, CheckKind(kind or first_kind(consignee)), on))
    answers = [Answer(questionnaire_id=questionnaire.id, version_id=a.version.id, check_id=check.id,
                      answer=a.answer, comment=a.comment, evidence=a.evidence, passed=a.passed)
               for a in returned.answers]
    db.session.add_all(answers)
    findings = []
    for answer in failing:
        question = answer.version.question
        findings.append(records.create(Finding, {
            "reference": _finding_reference(questionnaire, answer), "check": check,
            "description": stored(question.code, answer.answer, answer.comment),
            "severity": question.severity,
            "due_on": on + timedelta(days=FINDING_DAYS[question.severity.value]),
        }))
    undo = {"create": {"supervision_checks": [check.id], "findings": [f.id for f in findings]},
            "update": {"questionnaires": [[questionnaire.id, {"status": questionnaire.status.value}]]}}
    operations.update(questionnaire, {"status": QuestionnaireStatus.RETURNED})
    changes = {d.attr: d.new or (None if d.attr == "corporate_number" else "")
               for d in returned.details if d.attr in accepted}
    if changes:
        before = schema.describe_model(Consignee).values_of(consignee)
        undo["update"]["consignees"] = [[consignee.id, {k: before[k] for k in changes}]]
        records.update(consignee, changes)
    db.session.flush()
    undo["create"]["answers"] = [answer.id for answer in answers]
    return undo


def confirmed(form) -> dict:
    """What the preview's confirmation adds: the corrections ticked, the kind of check chosen."""
    return {"accept": form.getlist("accept"), "check_kind": form.get("check_kind")}


register(Kind(QUESTIONNAIRE, lambda names: workbook.HIDDEN_SHEET in names, plan, write,
              confirmed=confirmed))
