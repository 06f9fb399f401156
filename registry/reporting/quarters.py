"""Fiscal quarters: FY2026-Q2 is July to September 2026 when the fiscal year starts in April."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

_PATTERN = re.compile(r"FY(\d{4})-?Q([1-4])")


@dataclass(frozen=True)
class Quarter:
    """One quarter of a fiscal year, named by the calendar year in which the fiscal year starts."""

    year: int
    number: int
    #: the month the fiscal year starts (REGISTRY_FISCAL_YEAR_START)
    start_month: int = 4

    @classmethod
    def parse(cls, text: str, start_month: int) -> Quarter:
        """'FY2026-Q2' (also full-width or lower case) as a Quarter; ValueError otherwise."""
        match = _PATTERN.fullmatch(unicodedata.normalize("NFKC", text).strip().upper())
        if not match:
            raise ValueError(f"{text!r} is not a fiscal quarter like FY2026-Q2")
        return cls(int(match[1]), int(match[2]), start_month)

    @classmethod
    def containing(cls, day: date, start_month: int) -> Quarter:
        months = (day.year * 12 + day.month - 1) - (start_month - 1)
        year, month_of_year = divmod(months, 12)
        return cls(year, month_of_year // 3 + 1, start_month)

    @property
    def first_day(self) -> date:
        months = self.year * 12 + (self.start_month - 1) + 3 * (self.number - 1)
        return date(months // 12, months % 12 + 1, 1)

    @property
    def last_day(self) -> date:
        return self.next.first_day - timedelta(days=1)

    @property
    def next(self) -> Quarter:
        year, number = (self.year, self.number + 1) if self.number < 4 else (self.year + 1, 1)
        return Quarter(year, number, self.start_month)

    @property
    def previous(self) -> Quarter:
        year, number = (self.year, self.number - 1) if self.number > 1 else (self.year - 1, 4)
        return Quarter(year, number, self.start_month)

    def __str__(self) -> str:
        return f"FY{self.year}-Q{self.number}"
