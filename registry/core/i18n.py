"""Translations remembered per language: a page shows the same few labels hundreds of times, and
the catalogues never change while the registry runs. `lazy_gettext` (imported as `_l` for labels
defined at import time) goes through `translated`, and templates' `_()` through the table of their
render's language (`template_gettext`)."""

from __future__ import annotations

from flask import has_request_context
from flask_babel import get_locale, gettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup

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
    return _lookup(_table(), text)


def _table() -> dict[str, str]:
    locale = get_locale()
    table = _CATALOGUE.get(locale)
    if table is None:
        table = _CATALOGUE[locale] = {}
    return table


def _lookup(table: dict[str, str], text: str) -> str:
    try:
        return table[text]
    except KeyError:
        table[text] = found = gettext(text)
        return found


def template_gettext() -> dict:
    """Context processor: a render's _() looks messages up in the table of the request's
    language, found once a render. Like Jinja's new-style gettext in an autoescaped template
    (every template is HTML): the message is markup and its variables are escaped into it. A
    plain function, not a context one: Jinja calls it directly (a page makes dozens of calls)."""
    if not has_request_context():
        return {}
    table = _table()

    def gettext_for_render(text, **variables):
        found = _lookup(table, text) if isinstance(text, str) else translated(text)
        return Markup(found) % variables

    return {"_": gettext_for_render, "gettext": gettext_for_render}


def lazy_gettext(text: str, **variables) -> LazyString:
    """A message translated when it is shown (flask_babel.lazy_gettext, through the cache)."""
    if variables:
        return LazyString(gettext, text, **variables)
    return LazyString(translated, text)
