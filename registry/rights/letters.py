"""Letters answering a request, in Japanese, from templates the company may rewrite: a template of
REGISTRY_LETTER_TEMPLATES (a folder) replaces the shipped one of the same name. The template for a
request is ``<kind>-<decision>.txt`` when there is one, else ``<decision>.txt``.

Templates are Jinja text rendered in a sandbox, and see only plain values: ``request`` (reference,
requester, kind, received_on, decision, ground, fee, responded_on, categories, purposes),
``company`` (name, address, representative, contact) and ``today``; the filter ``wareki`` writes a
day as 令和7年9月1日 and ``yen`` an amount as 1,000円. A name a template does not know is an error,
not an empty gap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import jinja2
from flask import current_app
from jinja2.sandbox import SandboxedEnvironment

from registry import shipped
from registry.core import clock
from registry.exchange.values import ERAS
from registry.rights.models import RightsRequest

#: the shipped templates (templates/letters)
SHIPPED = shipped("templates") / "letters"


class TemplateError(Exception):
    """A letter template that cannot be read or rendered: names the file and the line."""


@dataclass(frozen=True)
class Letter:
    text: str
    #: the template's file name, and whether the company's folder gave it
    template: str
    own: bool


def wareki(day: date | None) -> str:
    """The day in the Japanese era: 令和7年9月1日 (元年 for the first)."""
    if day is None:
        return ""
    kanji, first = next((kanji, first) for kanji, _, first in ERAS if day >= first)
    year = day.year - first.year + 1
    return f"{kanji}{'元' if year == 1 else year}年{day.month}月{day.day}日"


def _folders() -> list[Path]:
    own = current_app.config["LETTER_TEMPLATES"]
    return [Path(own), SHIPPED] if own else [SHIPPED]


def _environment() -> SandboxedEnvironment:
    environment = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(folder) for folder in _folders()], encoding="utf-8"),
        undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True,
        trim_blocks=True, lstrip_blocks=True)
    environment.filters["wareki"] = wareki
    environment.filters["yen"] = lambda amount: f"{amount:,}円"
    return environment


def _values(request: RightsRequest) -> dict:
    config = current_app.config
    return {
        "request": {
            "reference": request.reference, "requester": request.requester,
            "kind": request.kind.label.ja, "received_on": request.received_on,
            "decision": request.decision.label.ja, "ground": request.ground, "fee": request.fee,
            "responded_on": request.responded_on,
            "categories": [category.name for category in request.categories],
            "purposes": [purpose.title for purpose in request.concerned_purposes],
        },
        "company": {"name": config["COMPANY_NAME"], "address": config["COMPANY_ADDRESS"],
                    "representative": config["COMPANY_REPRESENTATIVE"],
                    "contact": config["PRIVACY_CONTACT"]},
        "today": clock.today(),
    }


def write(request: RightsRequest) -> Letter:
    """The letter for the request as it stands."""
    environment = _environment()
    names = [f"{request.kind.value}-{request.decision.value}.txt", f"{request.decision.value}.txt"]
    try:
        template = environment.select_template(names)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(f"{error.name}, line {error.lineno}: {error.message}") from error
    except jinja2.TemplateNotFound as error:
        raise TemplateError(f"no template {' or '.join(names)}") from error
    try:
        text = template.render(_values(request))
    except jinja2.TemplateError as error:
        raise TemplateError(f"{template.name}: {error.message}") from error
    source = Path(template.filename)
    return Letter(text, source.name, source.parent != SHIPPED)
