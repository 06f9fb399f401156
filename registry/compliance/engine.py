"""Running the catalogue: the results of each check as of a day, with the waivers that cover them.

Each check is one statement; the counts of the whole catalogue are one statement too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app

from registry.compliance.catalogue import CATALOGUE, Check, Context
from registry.compliance.models import Waiver
from registry.config import SettingError
from registry.core import clock, memo
from registry.core.web import DETAIL_ENDPOINTS, cached_url_for
from registry.extensions import db
from registry.notice import policy
from registry.supervision.models import Severity

#: severities from the least to the most serious
LEVELS = [Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL]


def context(as_of: date | None = None) -> Context:
    """The settings the checks run with, as of a day (today by default)."""
    config = current_app.config
    return Context(as_of or clock.today(), config["CHECK_CADENCE_DAYS"],
                   config["CONTRACT_NOTICE_DAYS"])


def severity(check: Check) -> Severity:
    """The check's severity, as REGISTRY_CHECK_SEVERITY may have changed it."""
    override = current_app.config["CHECK_SEVERITY"].get(check.code)
    return Severity(override) if override else check.severity


def validate_severities(overrides: dict[str, str]) -> None:
    """Refuse REGISTRY_CHECK_SEVERITY entries naming no check or no severity."""
    for code, level in overrides.items():
        if code not in CATALOGUE:
            raise SettingError(f"REGISTRY_CHECK_SEVERITY names no check {code!r}; "
                             f"the checks are: {', '.join(CATALOGUE)}")
        if level not in {s.value for s in Severity}:
            raise SettingError(f"REGISTRY_CHECK_SEVERITY: {level!r} for {code} is not one of "
                             "low, medium, high, critical")


def ordered(checks=None) -> list[Check]:
    """Checks from the most serious, then by code."""
    checks = CATALOGUE.values() if checks is None else checks
    return sorted(checks, key=lambda c: (-LEVELS.index(severity(c)), c.code))


@dataclass
class Result:
    """One record offending one check."""

    check: Check
    subject_id: int
    label: str
    detail: object
    waiver_id: int | None

    @property
    def reason(self) -> str:
        return self.check.reason_for(self.detail)

    @property
    def url(self) -> str:
        return cached_url_for(DETAIL_ENDPOINTS[self.check.subject], id=self.subject_id)

    @property
    def severity(self) -> Severity:
        return severity(self.check)


@dataclass
class Tally:
    """How many results a check has, open and waived."""

    check: Check
    open: int
    waived: int

    @property
    def severity(self) -> Severity:
        return severity(self.check)


def _waiver(code: str, subject_id, on: date):
    return (sa.select(Waiver.id)
            .where(Waiver.check_code == code, Waiver.subject_id == subject_id, Waiver.in_force(on))
            .order_by(Waiver.expires_on.desc()).limit(1).scalar_subquery())


def _rows(check: Check, at: Context):
    found = check.query(at).subquery()
    subject_id, label, detail = found.c
    return found, subject_id, label, detail, _waiver(check.code, subject_id, at.as_of)


def results(check: Check, at: Context, *, waived: bool | None = None, limit: int | None = None,
            offset: int = 0) -> tuple[list[Result], int]:
    """A page of the check's results (all of them without a limit), sorted by label, and how many
    there are; ``waived`` keeps only the waived (True) or the open (False) ones."""
    found, subject_id, label, detail, waiver = _rows(check, at)
    query = sa.select(subject_id, label, detail, waiver).select_from(found)
    if waived is not None:
        query = query.where(waiver.is_not(None) if waived else waiver.is_(None))
    page = db.session.execute(query.order_by(label, subject_id).offset(offset).limit(limit))
    found = [Result(check, *row) for row in page]
    if limit is None and not offset:
        return found, len(found)
    return found, db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))


def settings(at: Context) -> tuple:
    """What the checks' results depend on besides the data: the day, the cadences, the notice
    period, the severities and the published policy."""
    return (at.as_of, tuple(sorted(at.cadence.items())), at.notice_days,
            tuple(sorted(current_app.config["CHECK_SEVERITY"].items())), policy.stamp())


def tallies(at: Context) -> list[Tally]:
    """Open and waived counts of every check, most serious first. Each check's are remembered
    until a table it reads changes (memo.remembered_each), so a change recounts only the checks
    that read what it changed; those are counted in one statement."""
    checks = ordered()
    return memo.remembered_each([("tally", check.code, settings(at)) for check in checks],
                                lambda positions: _count(at, [checks[p] for p in positions]))


def _count(at: Context, checks: list[Check]) -> list[tuple[Tally, set[str]]]:
    """The counts of the checks, in one UNION ALL statement, each with the tables it read."""
    parts, reads = [], []
    for check in checks:
        with memo.reading() as read:
            found = check.query(at).subquery()  # some read records first, to count in Python
            # the subjects waived, gathered once (a set the database builds), not probed per result
            waived = sa.select(Waiver.subject_id).where(Waiver.check_code == check.code,
                                                        Waiver.in_force(at.as_of))
            part = (sa.select(sa.literal(check.code), sa.func.count(),
                              sa.func.count(sa.case((found.c[0].in_(waived), 1))))
                    .select_from(found))
            read.update(*map(memo.depending, memo.statement_tables(part)))
        parts.append(part)
        reads.append(read)
    counts = {code: (total, waived) for code, total, waived in db.session.execute(sa.union_all(*parts))}
    return [(Tally(check, counts[check.code][0] - counts[check.code][1], counts[check.code][1]), read)
            for check, read in zip(checks, reads, strict=True)]


def results_about(subjects: dict[type, int], at: Context) -> list[Result]:
    """The results (open and waived) of every check about these records ({model: id}), most
    serious first: one UNION ALL statement over the checks of those kinds of record."""
    checks = [check for check in ordered() if check.subject in subjects]
    if not checks:
        return []
    parts = []
    for check in checks:
        found, subject_id, label, detail, waiver = _rows(check, at)
        parts.append(sa.select(sa.literal(check.code), subject_id, label,
                               sa.cast(detail, sa.String), waiver)
                     .where(subject_id == subjects[check.subject]))
    rows = db.session.execute(sa.union_all(*parts)).all()
    position = {check.code: index for index, check in enumerate(checks)}
    return [Result(CATALOGUE[code], *row)
            for code, *row in sorted(rows, key=lambda row: position[row[0]])]


def run(at: Context) -> tuple[list[Tally], list[Result]]:
    """Every check's counts and every open result, most serious first (`registry check`): each
    check's statement read once, its counts those of its results."""
    tallies, found = [], []
    for check in ordered():
        every, _ = results(check, at)
        still = [result for result in every if result.waiver_id is None]
        tallies.append(Tally(check, len(still), len(every) - len(still)))
        found.extend(still)
    return tallies, found
