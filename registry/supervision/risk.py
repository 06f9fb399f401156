"""How closely a consignee should be supervised, from what is entrusted to it (appi.md, Cadence):
special-care data, foreign handling, re-entrustment and large volumes call for the high tier."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from registry.consignees.models import (
    Consignee,
    Contract,
    Entrustment,
    RiskTier,
    entrustment_categories,
)
from registry.core.i18n import lazy_gettext as _l
from registry.extensions import db
from registry.inventory.models import AppiKind, DataCategory

#: more persons than this in the entrusted categories makes a breach reportable (APPI Art. 26)
LARGE_VOLUME = 1000


@dataclass
class TierAdvice:
    """The tier the registry suggests and why."""

    tier: str
    reasons: list

    @property
    def label(self):
        """The suggested tier's name in the reader's language."""
        return RiskTier(self.tier).label

    def above(self, current: str) -> bool:
        order = ["low", "medium", "high"]
        return order.index(self.tier) > order.index(current)


_CONSIGNEE = sa.bindparam("consignee")
#: the kind and size of every category entrusted to a consignee (built once)
_ENTRUSTED = (sa.select(DataCategory.appi_kind, DataCategory.estimated_records)
              .join(entrustment_categories, entrustment_categories.c.category_id == DataCategory.id)
              .join(Entrustment, Entrustment.id == entrustment_categories.c.entrustment_id)
              .where(Entrustment.consignee_id == _CONSIGNEE))
#: how many of its contracts allow re-entrustment
_REENTRUSTING = sa.select(sa.func.count()).where(Contract.consignee_id == _CONSIGNEE,
                                                 Contract.reentrustment_allowed.is_(True))


def suggested_tier(consignee: Consignee) -> TierAdvice:
    """High for special-care data, foreign handling, re-entrustment or over 1,000 persons;
    medium when any personal data is entrusted; low otherwise."""
    rows = db.session.execute(_ENTRUSTED, {"consignee": consignee.id}).all()
    reasons = []
    if any(kind == AppiKind.SPECIAL_CARE for kind, _ in rows):
        reasons.append(_l("special care-required personal information is entrusted"))
    if consignee.foreign:
        reasons.append(_l("the data is handled abroad"))
    if consignee.parent_id or db.session.scalar(_REENTRUSTING, {"consignee": consignee.id}):
        reasons.append(_l("re-entrustment is part of the chain"))
    if max((records or 0 for _, records in rows), default=0) > LARGE_VOLUME:
        reasons.append(_l("more than 1,000 persons' data is entrusted"))
    if reasons:
        return TierAdvice("high", reasons)
    if rows:
        return TierAdvice("medium", [_l("personal data is entrusted")])
    return TierAdvice("low", [_l("no personal data is entrusted yet")])
