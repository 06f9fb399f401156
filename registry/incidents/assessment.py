"""Whether an incident must be reported to the PPC and notified to the individuals, with the
reasons the rules give (PPC rule 7), and the clocks that run from the day the company learned of
it (rule 8: the preliminary and final reports; Art. 26(2): the notice). Days and the persons
threshold are settings (REGISTRY_INCIDENT_DAYS, REGISTRY_INCIDENT_PERSONS): the 2026 amendment may
change them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app

from registry.core import clock, workdays
from registry.core.i18n import Label
from registry.incidents.models import Incident
from registry.inventory.models import AppiKind

SPECIAL_CARE = Label("Special care-required data (PPC rule 7(1))", "要配慮個人情報が含まれる（規則7条1号）")
FINANCIAL = Label("Misuse may cause financial loss (PPC rule 7(2))",
                  "不正に利用されることにより財産的被害が生じるおそれ（規則7条2号）")
MALICIOUS = Label("Possibly a malicious act (PPC rule 7(3))",
                  "不正の目的をもって行われたおそれ（規則7条3号）")
ENCRYPTED = Label("Protected by strong encryption: no report is required (PPC rule 7)",
                  "高度な暗号化等の措置が講じられているため報告対象外（規則7条柱書）")


def _many(persons: int) -> Label:
    return Label(f"More than {persons:,} persons (PPC rule 7(4))",
                 f"本人の数が{persons:,}人を超える（規則7条4号）")


@dataclass(frozen=True)
class Assessment:
    """Why the incident must be reported (the rule 7 cases it meets) and whether strong
    encryption exempts it."""

    reasons: tuple[Label, ...]
    exempt: bool

    @property
    def reportable(self) -> bool:
        return bool(self.reasons) and not self.exempt


def assess(incident: Incident) -> Assessment:
    threshold = current_app.config["INCIDENT_PERSONS"]
    reasons = []
    if any(category.appi_kind == AppiKind.SPECIAL_CARE for category in incident.categories):
        reasons.append(SPECIAL_CARE)
    if incident.financial_risk:
        reasons.append(FINANCIAL)
    if incident.malicious:
        reasons.append(MALICIOUS)
    if incident.persons is not None and incident.persons > threshold:
        reasons.append(_many(threshold))
    return Assessment(tuple(reasons), incident.encrypted)


@dataclass(frozen=True)
class Clock:
    """One duty's deadline: its name, the day it falls due (moved past a closed day: `moved`
    says why), and the day it was met (None: not yet)."""

    code: str
    label: Label
    due_on: date
    done_on: date | None
    moved: Label | None

    def overdue(self, on: date | None = None) -> bool:
        """Not met by the end of its day, as of the day (today by default)."""
        on = on or clock.today()
        return self.due_on < on and (self.done_on is None or self.done_on > on)

    @property
    def late(self) -> bool:
        """Met, but after its day."""
        return self.done_on is not None and self.done_on > self.due_on


PRELIMINARY = Label("Preliminary report to the PPC (速報)", "個人情報保護委員会への速報")
FINAL = Label("Final report to the PPC (確報)", "個人情報保護委員会への確報")
NOTICE = Label("Notice to the individuals", "本人への通知")


def final_days(malicious: bool) -> int:
    days = current_app.config["INCIDENT_DAYS"]
    return days["final_malicious"] if malicious else days["final"]


def _clock(code: str, label: Label, learned: date, days: int, done: date | None) -> Clock:
    """A duty's clock: `days` days of which the day of learning is day 1, the last moved past a
    closed day (a weekend, a holiday, the year-end closure)."""
    last = learned + timedelta(days=days - 1)
    return Clock(code, label, workdays.deadline(learned, days), done, workdays.why_closed(last))


def clocks(incident: Incident) -> list[Clock]:
    """The clocks of a reportable incident (none for one that need not be reported)."""
    if not assess(incident).reportable:
        return []
    days = current_app.config["INCIDENT_DAYS"]
    learned = incident.learned_on
    return [
        _clock("preliminary", PRELIMINARY, learned, days["preliminary"],
               incident.preliminary_reported_on),
        _clock("final", FINAL, learned, final_days(incident.malicious), incident.final_reported_on),
        _clock("notice", NOTICE, learned, days["notice"],
               _earliest(incident.notified_on, incident.published_on)),
    ]


def _earliest(*days: date | None) -> date | None:
    known = [day for day in days if day is not None]
    return min(known) if known else None
