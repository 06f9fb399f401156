"""The notice written as a document: a page of its own (HTML) or Markdown for the company's web
site, in Japanese or English."""

from __future__ import annotations

import re

from flask import current_app, render_template
from flask_babel import force_locale

from registry.notice.content import Notice

#: what Markdown would read as markup in a value (a purpose's title, the address)
MARKUP = re.compile(r"([\\`*_{}\[\]<>#|~])")
#: the settings the notice names, and what it shows when one is not set
SETTINGS = {"company": "REGISTRY_COMPANY_NAME", "address": "REGISTRY_COMPANY_ADDRESS",
            "representative": "REGISTRY_COMPANY_REPRESENTATIVE",
            "contact": "REGISTRY_PRIVACY_CONTACT"}
FORMATS = {".html": "notice/notice.html", ".md": "notice/notice.md"}


def md(value: object) -> str:
    """A value as Markdown text: its markup characters escaped, on one line."""
    return MARKUP.sub(r"\\\1", " ".join(str(value).split()))


def render(notice: Notice, suffix: str, language: str) -> str:
    """The notice as a document of the kind the suffix names (.html, .md), ending as a text file
    ends, with a line break."""
    with current_app.test_request_context(), force_locale(language):
        return render_template(FORMATS[suffix], notice=notice, language=language).rstrip("\n") + "\n"


def unset(notice: Notice) -> list[str]:
    """The settings the notice needs that are not set."""
    return [setting for field, setting in SETTINGS.items() if not getattr(notice, field)]
