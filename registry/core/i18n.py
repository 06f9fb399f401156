"""Translations remembered per language: a page shows the same few labels hundreds of times, and
the catalogues never change while the registry runs. `lazy_gettext` (imported as `_l` for labels
defined at import time) and `_()` in templates both go through `translated`."""

from __future__ import annotations

from flask import has_request_context
from flask_babel import get_locale, gettext
from flask_babel.speaklater import LazyString

#: language -> message -> its translation, filled as pages ask
_CATALOGUE: dict[object, dict[str, str]] = {}


def translated(text: str | LazyString) -> str:
    """gettext of a message or a lazy one, in the current language (force_locale included)."""
    if not isinstance(text, str):
        if text._kwargs:
            return str(text)
        text = text._args[0]
    if not has_request_context():  # a command or a workbook writer: ask the catalogue each time
        return gettext(text)
    table = _CATALOGUE.get(locale := get_locale())
    if table is None:
        table = _CATALOGUE[locale] = {}
    try:
        return table[text]
    except KeyError:
        table[text] = found = gettext(text)
        return found


def lazy_gettext(text: str, **variables) -> LazyString:
    """A message translated when it is shown (flask_babel.lazy_gettext, through the cache)."""
    if variables:
        return LazyString(gettext, text, **variables)
    return LazyString(translated, text)
