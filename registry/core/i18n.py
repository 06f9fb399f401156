"""Translations remembered per language: a page shows the same few labels hundreds of times, and
the catalogues never change while the registry runs. `lazy_gettext` (imported as `_l` for labels
defined at import time) goes through `translated`, and templates' `_()` through the table of their
render's language (`template_gettext`)."""

from __future__ import annotations

from flask import current_app, has_app_context, has_request_context
from flask_babel import Domain, get_locale, gettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup

#: language -> message -> its translation, filled as pages ask
_CATALOGUE: dict[object, dict[str, str]] = {}


def translated(text: str | LazyString) -> str:
    """gettext of a message or a lazy one, in the current language (force_locale included)."""
    if isinstance(text, Label):
        return str(text)
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


#: the languages the registry speaks (labels are declared in both)
LANGUAGES = ("ja", "en")


def language() -> str:
    """The language of the current page, workbook or command: "ja" or "en"."""
    locale = get_locale() if has_app_context() else None
    return "ja" if locale is not None and locale.language == "ja" else "en"


class Label:
    """A name declared in both languages as data (a field's, a choice's, a sheet's): shown in the
    current language, and read back from a workbook in either without any compiled catalogue."""

    __slots__ = ("en", "ja")

    def __init__(self, en: str, ja: str):
        self.en = en
        self.ja = ja

    def __str__(self) -> str:
        return self.ja if language() == "ja" else self.en

    def __html__(self) -> str:
        return str(Markup.escape(str(self)))

    def __repr__(self) -> str:
        return f"Label({self.en!r}, {self.ja!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Label) and (self.en, self.ja) == (other.en, other.ja)

    def __hash__(self) -> int:
        return hash((self.en, self.ja))

    def in_language(self, code: str) -> str:
        return self.ja if code == "ja" else self.en

    def both(self) -> tuple[str, str]:
        return self.en, self.ja


class MissLogging(Domain):
    """The catalogue domain, telling the app's log at WARNING of every message a Japanese page
    asks for that the catalogue lacks, when REGISTRY_CATALOGUE_MISSES=log (the tests' setting)."""

    def gettext(self, string, **variables):
        self._check(string)
        return super().gettext(string, **variables)

    def _check(self, message: str) -> None:
        if not has_app_context() or not current_app.config.get("CATALOGUE_MISSES"):
            return
        catalogue = getattr(self.get_translations(), "_catalog", None)
        if catalogue is not None and language() == "ja" and not catalogue.get(message):
            current_app.logger.warning("Catalogue miss (ja): %r", message)
