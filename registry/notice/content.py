"""What the public notice (保有個人データに関する事項, APPI Art. 32 and Cabinet Order Art. 10) says,
taken from the registry as of a day: the business (settings), every purpose in force, the
request procedures and fee, the security measures the registry's records show, and the countries
where consignees handle the data (外的環境の把握)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from babel import Locale
from flask import current_app

from registry.compliance.catalogue import entrustment_active
from registry.consignees.models import Consignee, Entrustment
from registry.core import clock
from registry.extensions import db
from registry.inventory.models import DataCategory, Purpose, PurposeStatus
from registry.notice.drift import HOME
from registry.reporting.quarterly import holders
from registry.supervision.models import SupervisionCheck


@dataclass(frozen=True)
class Notice:
    """The notice's facts, as of a day; the templates word them in either language."""

    as_of: date
    company: str
    address: str
    representative: str
    contact: str
    fee: str
    purposes: list[Purpose]
    categories: int
    #: employees with access in force, how many pledged, how many trained in the last year
    holders: tuple[int, int, int]
    #: consignees with work in progress, and how many were checked in the last year
    consignees: int
    checked: int
    #: ISO codes of the countries where consignees with work in progress handle the data
    countries: list[str]

    def country_names(self, language: str) -> list[str]:
        territories = Locale(language).territories
        return [territories.get(code, code) for code in self.countries]


def build(on: date | None = None) -> Notice:
    on = on or clock.today()
    config = current_app.config
    purposes = db.session.scalars(sa.select(Purpose).where(Purpose.status == PurposeStatus.ACTIVE)
                                  .order_by(Purpose.code)).all()
    working = sa.exists().where(Entrustment.consignee_id == Consignee.id, entrustment_active(on))
    checked = sa.exists().where(SupervisionCheck.consignee_id == Consignee.id,
                                SupervisionCheck.checked_on.between(on - timedelta(days=365), on))
    consignees, recent = db.session.execute(
        sa.select(sa.func.count(), sa.func.count(sa.case((checked, 1)))).select_from(Consignee)
        .where(working)).one()
    countries = db.session.scalars(
        sa.select(Consignee.country).where(working, Consignee.country != HOME).distinct()
        .order_by(Consignee.country)).all()
    return Notice(
        as_of=on, company=config["COMPANY_NAME"], address=config["COMPANY_ADDRESS"],
        representative=config["COMPANY_REPRESENTATIVE"], contact=config["PRIVACY_CONTACT"],
        fee=config["REQUEST_FEE"], purposes=list(purposes),
        categories=db.session.scalar(sa.select(sa.func.count()).select_from(DataCategory)),
        holders=holders(on), consignees=consignees, checked=recent, countries=list(countries))
