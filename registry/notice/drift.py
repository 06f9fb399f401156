"""Drift between the registry and a published privacy policy, both ways: a purpose in force that
the policy does not state (its basis cites no item of the policy), an item of the policy's
purposes article no purpose in force cites, a country where data is handled that the policy does
not name, and a country it names where no consignee handles data.

The policy is read as text, English or Japanese: its articles ("Article 2 (Purpose of Use)",
"第2条（利用目的）") and, in each, its items (lines starting "-", "・", "(1)", "（1）", "1." ...).
A purpose cites an item in its legal basis: "Policy Art. 2 (1)", "プライバシーポリシー第2条(1)", or
a whole article ("第3条")."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import pycountry
from babel import Locale

from registry.core.i18n import Label
from registry.inventory.models import Purpose
from registry.ledger.countries import COMMON

if TYPE_CHECKING:
    from registry.notice.content import Notice

ARTICLE = re.compile(r"^\s*(?:Article\s+(\d+)|第\s*(\d+)\s*条)\s*(.*)$", re.IGNORECASE)
ITEM = re.compile(r"^\s*(?:[-・•●◦]|\(?\d+[).]|（\d+）|\d+\.)\s*\S")
#: a purpose's citation of the policy: article, and item when given
CITATION = re.compile(r"(?:Art(?:icle)?\.?\s*|第\s*)(\d+)\s*(?:条)?\s*(?:[(（]\s*(\d+)\s*[)）])?",
                      re.IGNORECASE)
#: the words that name the article listing the purposes of use
PURPOSES_TITLE = re.compile(r"purpose|利用目的", re.IGNORECASE)
KATAKANA = re.compile(r"[\u30a0-\u30ff]")
#: the company's own country, which a policy need not name
HOME = "JP"


@dataclass(frozen=True)
class Policy:
    """A policy's articles: number -> (title, items)."""

    articles: dict[int, tuple[str, list[str]]]

    @property
    def purposes_article(self) -> int | None:
        return next((number for number, (title, _) in self.articles.items()
                     if PURPOSES_TITLE.search(title)), None)


def read_policy(text: str) -> Policy:
    articles: dict[int, tuple[str, list[str]]] = {}
    current = None
    for line in unicodedata.normalize("NFKC", text).splitlines():
        heading = ARTICLE.match(line)
        if heading:
            current = int(heading[1] or heading[2])
            articles[current] = (heading[3].strip(), [])
        elif current is not None and ITEM.match(line):
            articles[current][1].append(line.strip())
    return Policy(articles)


@dataclass(frozen=True)
class Drift:
    """One thing the registry and the policy disagree on: which way, what, and why."""

    way: str  # "registry" (in the registry, not in the policy) or "policy"
    subject: str
    reason: Label


def compare(notice: Notice, policy_text: str) -> list[Drift]:
    policy = read_policy(policy_text)
    return _purposes(notice.purposes, policy) + _countries(notice.countries, policy_text)


def _citations(purpose: Purpose) -> list[tuple[int, int | None]]:
    basis = unicodedata.normalize("NFKC", purpose.legal_basis or "")
    return [(int(article), int(item) if item else None)
            for article, item in CITATION.findall(basis)]


def _cited(purpose: Purpose, policy: Policy) -> tuple[list, list]:
    """The purpose's citations of the policy, and those the policy has."""
    citations = _citations(purpose)
    return citations, [(a, i) for a, i in citations if a in policy.articles
                       and (i is None or 1 <= i <= len(policy.articles[a][1]))]


def _where(citations: list[tuple[int, int | None]]) -> str:
    return ", ".join(f"{a}({i})" if i else str(a) for a, i in citations)


def uncited(purposes: list[Purpose], policy_text: str) -> dict[int, str]:
    """The purposes whose basis cites nothing the policy has: id -> what they cite instead ("":
    nothing)."""
    policy = read_policy(policy_text)
    found = {purpose.id: _cited(purpose, policy) for purpose in purposes}
    return {id: _where(citations) for id, (citations, cited) in found.items() if not cited}


def _purposes(purposes: list[Purpose], policy: Policy) -> list[Drift]:
    drift, cited = [], set()
    for purpose in purposes:
        citations, found = _cited(purpose, policy)
        cited.update(found)
        if not citations:
            drift.append(Drift("registry", str(purpose), Label(
                "a purpose in force whose basis cites no article of the policy",
                "利用中の利用目的だが、根拠にポリシーの条項が記載されていない")))
        elif not found:
            where = _where(citations)
            drift.append(Drift("registry", str(purpose), Label(
                f"a purpose in force citing {where}, which the policy does not have",
                f"利用中の利用目的だが、根拠の条項（{where}）がポリシーにない")))
    article = policy.purposes_article
    if article is not None:
        for index, item in enumerate(policy.articles[article][1], start=1):
            if (article, index) not in cited and (article, None) not in cited:
                drift.append(Drift("policy", f"{article}({index}) {item.lstrip('-・•●◦ ')}", Label(
                    "a purpose the policy states that no purpose in force cites",
                    "ポリシーに記載された利用目的だが、利用中の利用目的から参照されていない")))
    return drift


@cache
def _country_names() -> dict[str, str]:
    """Names that a policy may give a country (English, official, common, Japanese) -> code."""
    names = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            if hasattr(country, attr):
                names[getattr(country, attr)] = country.alpha_2
    codes = set(names.values())
    names.update({name: code for code, name in Locale("ja").territories.items() if code in codes})
    names.update({name: code for name, code in COMMON.items() if not name.isascii()})
    return names


def named_countries(text: str) -> set[str]:
    """The countries a text names (as whole words; a katakana name not inside a longer word)."""
    text = unicodedata.normalize("NFKC", text)
    found = set()
    for name, code in _country_names().items():
        if name.isascii():
            if re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text):
                found.add(code)
            continue
        for match in re.finditer(re.escape(name), text):
            before = text[match.start() - 1:match.start()]
            after = text[match.end():match.end() + 1]
            if not (KATAKANA.match(before) or KATAKANA.match(after)) or not KATAKANA.match(name):
                found.add(code)
                break
    return found - {HOME}


def _countries(handled: list[str], policy_text: str) -> list[Drift]:
    named = named_countries(policy_text)
    english = Locale("en").territories
    return ([Drift("registry", f"{english.get(code, code)} ({code})", Label(
                "consignees handle data there, and the policy does not name the country",
                "委託先がこの国で個人データを取り扱っているが、ポリシーに国名の記載がない"))
             for code in handled if code not in named]
            + [Drift("policy", f"{english.get(code, code)} ({code})", Label(
                "the policy names the country, and no consignee with work in progress handles "
                "data there", "ポリシーに国名の記載があるが、この国で取り扱う委託先（委託中）がない"))
               for code in sorted(named - set(handled))])
