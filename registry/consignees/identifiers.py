"""Checks of the identifiers a consignee is known by: corporate number, country code, e-mail."""

from __future__ import annotations

import re

import pycountry

from registry.core.i18n import lazy_gettext as _l

#: an e-mail address as the registry accepts it
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: the ISO 3166-1 alpha-2 codes of the countries and territories
COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries)
#: countries the PPC designates as having an equivalent regime (APPI Art. 28(1)):
#: the European Economic Area (EU member states, Iceland, Liechtenstein, Norway) and the UK
DESIGNATED_COUNTRIES = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO", "GB",
})


def corporate_number_ok(number: str) -> bool:
    """Check the check digit of a 13-digit Japanese corporate number (法人番号)."""
    if len(number) != 13 or not number.isascii() or not number.isdigit():
        return False
    body = [int(d) for d in number[1:]]
    weights = (1 if i % 2 == 0 else 2 for i in range(12))
    total = sum(d * w for d, w in zip(reversed(body), weights, strict=True))
    return int(number[0]) == 9 - total % 9


def corporate_number(value: str):
    if not corporate_number_ok(value):
        return _l("A corporate number has 13 digits with a valid check digit.")
    return None


def country_code(value: str):
    if value not in COUNTRY_CODES:
        return _l("Not a country code: give the two-letter ISO 3166 code, such as JP, US or DE.")
    return None


def email(value: str):
    if not EMAIL.match(value):
        return _l("Expected an e-mail address, like name@example.co.jp.")
    return None
