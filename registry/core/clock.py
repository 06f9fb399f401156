"""The registry's calendar: days are counted in the registry's time zone (REGISTRY_TIMEZONE,
Tokyo by default), never the server's, so a deadline falls on the same day for every server."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import to_user_timezone

from registry.core.model import utcnow


def local_day(at: datetime | None = None) -> date:
    """The day in the registry's time zone at a stored UTC moment (now by default)."""
    return to_user_timezone(at or utcnow()).date()


def today() -> date:
    """Today in the registry's time zone."""
    return local_day()
