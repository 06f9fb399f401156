"""Cell values in and out: clean what people type into spreadsheets (和暦, full-width digits, Yes/はい/○)
and render stored values so that they come back unchanged."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _

from registry.core.fields import CONTROL_CODES
from registry.core.model import Choice

EXCEL_EPOCH = date(1899, 12, 30)
#: Excel's 1900 date system cannot show dates before this day as dates
FIRST_EXCEL_DATE = date(1900, 3, 1)
#: control characters removed from text, the ones forms refuse (tab and line breaks are kept)
CONTROL_TABLE = dict.fromkeys(CONTROL_CODES)
TRIM = " \u3000"

#: Japanese eras: kanji, romaji initial, first day
ERAS = (
    ("令和", "R", date(2019, 5, 1)),
    ("平成", "H", date(1989, 1, 8)),
    ("昭和", "S", date(1926, 12, 25)),
    ("大正", "T", date(1912, 7, 30)),
    ("明治", "M", date(1868, 10, 23)),
)
ERA_BY_NAME = {name: (kanji, first) for kanji, letter, first in ERAS for name in (kanji, letter)}
ERA_DATE = re.compile(r"^(令和|平成|昭和|大正|明治|[RHSTM])\s*(元|\d{1,2})\s*[年./\-]\s*(\d{1,2})\s*"
                      r"[月./\-]\s*(\d{1,2})\s*日?$", re.IGNORECASE)
WESTERN_DATE = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?"
                          r"(?:[ T]00:00(?::00)?)?$")
TRUE_WORDS = {"true", "yes", "y", "1", "はい", "有", "有り", "あり", "○", "〇", "◯", "✓", "済"}
FALSE_WORDS = {"false", "no", "n", "0", "いいえ", "無", "無し", "なし", "×", "✗", "-", "未"}


class CellError(ValueError):
    """A value that cannot be read; the message says what was expected."""


def normalize(text: str) -> str:
    """NFKC (full-width digits and letters to half-width), lower case, no spaces: for matching."""
    return re.sub(r"[\s_]+", "", unicodedata.normalize("NFKC", str(text))).lower()


def clean_text(value: object) -> str:
    """Text as stored: control characters removed, spaces trimmed at the ends; tabs and line
    breaks inside kept, so a value comes back exactly as it was exported."""
    if type(value) is str:
        if not value.isprintable():  # only then can it hold a control character
            value = value.translate(CONTROL_TABLE)
        return value.strip(TRIM)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    return str(value).translate(CONTROL_TABLE).strip(TRIM)


def clean_integer(value: object) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise CellError(_("a whole number"))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellError(_("a whole number"))
    text = unicodedata.normalize("NFKC", str(value)).replace(",", "").strip()
    if re.fullmatch(r"[+-]?\d{1,15}", text):
        return int(text)
    raise CellError(_("a whole number"))


def clean_date(value: object) -> date | None:
    """A date from an Excel date, a serial number, 2024/7/12, 2024-07-12, 2024年7月12日,
    令和6年7月12日, R6.7.12 (Heisei, Showa, Taisho, Meiji too), with full-width digits."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise CellError(_("a date"))
    if isinstance(value, int | float):
        return _serial(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if re.fullmatch(r"\d{1,6}(\.\d+)?", text):
        return _serial(float(text))
    match = WESTERN_DATE.match(text)
    if match:
        return _date(int(match[1]), int(match[2]), int(match[3]))
    match = ERA_DATE.match(text)
    if match:
        return _era_date(match)
    raise CellError(_("a date such as 2024-07-12, 2024/7/12, 2024年7月12日 or 令和6年7月12日"))


def _serial(number: float) -> date:
    if not 1 <= number < 2958466:
        raise CellError(_("a date (this number is not an Excel date)"))
    return EXCEL_EPOCH + timedelta(days=int(number))


def _date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as error:
        raise CellError(_("an existing calendar date")) from error


def _era_date(match: re.Match) -> date:
    kanji, first = ERA_BY_NAME[match[1].upper()]
    year = 1 if match[2] == "元" else int(match[2])
    day = _date(first.year + year - 1, int(match[3]), int(match[4]))
    later = [f for _, _, f in ERAS if f > first]
    if day < first or (later and day >= min(later)):
        raise CellError(_("a date inside the %(era)s era", era=kanji))
    return day


def clean_bool(value: object) -> bool | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = normalize(str(value))
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("yes or no (TRUE/FALSE, Yes/No, はい/いいえ, 有/無, ○/×)"))


@dataclass
class ChoiceReader:
    """Reads a choice from its code or its label in either language."""

    choice: type[Choice]
    lookup: dict[str, Choice]
    allowed: str

    @classmethod
    def build(cls, choice: type[Choice], labels: dict[str, list[str]],
              allowed: str) -> ChoiceReader:
        lookup = {}
        for member in choice:
            for text in (member.value, *labels.get(member.value, ())):
                lookup[normalize(text)] = member
        return cls(choice, lookup, allowed)

    def __call__(self, value: object) -> Choice | None:
        if value in (None, ""):
            return None
        found = self.lookup.get(normalize(str(value)))
        if found is None:
            raise CellError(_("one of: %(allowed)s", allowed=self.allowed))
        return found
