"""Days as the PPC rules count a deadline: the first day is day 1, weekends and holidays count,
and a deadline on a Saturday, a Sunday, a national holiday or the year-end closure (29 December to
3 January) moves to the next working day. Japan's holidays, substitute holidays and 国民の休日
come from the `holidays` library (kept up to date with the Cabinet Office's calendar), not from
a list written here."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays

from registry.core.i18n import Label


@cache
def _japan(year: int, language: str = "ja") -> holidays.HolidayBase:
    return holidays.Japan(years=year, language=language)


def closure(day: date) -> bool:
    """Whether the day is in the year-end closure (年末年始), 29 December to 3 January."""
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def why_closed(day: date) -> Label | None:
    """Why the day is not a working day (None: it is one)."""
    if closure(day):
        return Label("Year-end closure", "年末年始")
    holiday = _japan(day.year).get(day)
    if holiday:
        return Label(f"Holiday: {_japan(day.year, 'en_US').get(day)}", f"祝日（{holiday}）")
    if day.weekday() >= 5:
        return Label("Weekend", "土日")
    return None


def working(day: date) -> bool:
    return why_closed(day) is None


def next_working(day: date) -> date:
    """The day itself when it is a working day, else the next one."""
    while not working(day):
        day += timedelta(days=1)
    return day


def deadline(first: date, days: int) -> date:
    """The last day of a period of `days` days of which `first` is day 1, moved to the next
    working day when it is not one."""
    return next_working(first + timedelta(days=days - 1))
