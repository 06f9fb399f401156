"""Words on a page that are not in the reader's language: English catalogue text, internal keys
(`purposes #2`, `True`, `snake_case` values) on a Japanese page, and the system's own Japanese
on an English one. `misses(text, language)` takes a page's visible text, one text node (or block)
a line, as `visible_text` gives it; the crawl and the browser tests call it on every page.
Text marked as another language (`lang` on an element: a question's other wording, the language
switcher) is the page saying so, and `visible_text` leaves it out."""

from __future__ import annotations

import importlib
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.pofile import read_po

from registry.questionnaires.bank import CERTIFICATION_OPTIONS, DEFAULT_QUESTIONS

TRANSLATIONS = Path(__file__).resolve().parent.parent / "registry" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sd]|\{\w*\}")
TAG = re.compile(r"<[^>]+>")
#: English words a Japanese page may show: names, codes and abbreviations the Japanese text uses
#: too (the catalogue's own translations keep them)
ENGLISH_ALLOWED = {
    "PDF", "CSV", "ID", "Excel", "XLSX", "APPI", "PPC", "SSO", "URL", "E-mail", "OK",
    "PostgreSQL", "SQLite", "ISMS", "SOC", "ISO", "IEC", "EU", "GL",
}
#: Japanese catalogue text an English page may show as people's data: the demo inventory's
#: data categories 氏名 and メールアドレス (also field labels), its contract title
#: 個人情報の取扱いに関する覚書 (also a kind of contract) and its revocation reason 退職 (also an
#: employment status)
JAPANESE_ALLOWED = {"氏名", "メールアドレス", "個人情報の取扱いに関する覚書", "退職"}
#: data that holds catalogue or internal-looking words, longest first: the demo's notes on a
#: SOC 2 Type II report, the default question CER-01's choices and a vendor's answer among them
#: (one list in both languages; "None" only in the list)
DATA_PHRASES = ("SOC 2 Type II", CERTIFICATION_OPTIONS, *CERTIFICATION_OPTIONS.split("|")[:-1])
#: the language switcher names each language in itself (marked by its lang, which a browser's
#: innerText does not keep)
LANGUAGE_NAMES = {"日本語", "English"}
#: a catalogue message's Japanese part this long is a miss anywhere in a line; shorter ones
#: (and labels) only as a whole line, for people's own Japanese uses the same words
SENTENCE = 12
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff60]")
TABLE_REFERENCE = re.compile(r"(?<![\w.@/-])([a-z][a-z_]*[a-z]) #\d+")
BOOLEAN = re.compile(r"(?<![\w.@/-])(True|False)(?![\w@/-])")
NONE = re.compile(r"(?<![\w.@/-])None(?![\w.@/-])")
SNAKE = re.compile(r"(?<![\w.@/:=?&#-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@/.=-])")


class _Visible(HTMLParser):
    """A page's text as a reader sees it: no scripts, styles or templates, nor the parts marked
    as another language; a line a text node."""

    HIDDEN = {"script", "style", "template", "head"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
            "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.hidden = 0
        #: the open elements, each with whether it hides its text
        self.open: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        hides = tag in self.HIDDEN or (tag != "html" and dict(attrs).get("lang") is not None)
        self.open.append((tag, hides))
        self.hidden += hides

    def handle_endtag(self, tag):
        if not any(name == tag for name, _ in self.open):
            return
        while self.open:
            name, hides = self.open.pop()
            self.hidden -= hides
            if name == tag:
                break

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.lines.append(" ".join(data.split()))


def visible_text(html: str) -> str:
    """The visible text of an HTML page, a text node a line."""
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.lines)


def _pieces(message: str) -> list[str]:
    """The literal parts of a message, between its placeholders and markup."""
    return [" ".join(part.split()).strip(" .,:;!?()“”\"'‘’…·—–-") for part in
            PLACEHOLDER.split(TAG.sub(" ", message))]


@cache
def _catalogue() -> list[tuple[str, str]]:
    """(English, Japanese) of every message of the catalogue."""
    with (TRANSLATIONS / "ja" / "LC_MESSAGES" / "messages.po").open("rb") as file:
        catalogue = read_po(file, locale="ja")
    pairs = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs.extend(zip(ids, strings, strict=False))
    return pairs


def _members(kind: type) -> list:
    return [member for sub in kind.__subclasses__() for member in (*sub, *_members(sub))]


@cache
def _labels() -> list[tuple[str, str]]:
    """(English, Japanese) of the names the registry declares as data: fields, records,
    choices, the default questions."""
    from registry import DOMAINS
    from registry.core.model import Choice
    from registry.core.schema import DESCRIPTIONS

    for domain in DOMAINS:
        importlib.import_module(f"registry.{domain}.rules")
    descriptions = list(DESCRIPTIONS.values())
    return [*(f.label.both() for d in descriptions for f in d.fields),
            *(f.spec.hint for d in descriptions for f in d.fields if f.spec.hint),
            *(label.both() for d in descriptions for label in (d.singular, d.plural)),
            *(member.label.both() for member in _members(Choice)),
            *((question[-1], question[-2]) for question in DEFAULT_QUESTIONS)]


def _phrases(texts, keep) -> list[str]:
    found = {piece for text in texts for piece in _pieces(text) if keep(piece)}
    return sorted(found, key=len, reverse=True)


def _english_word(piece: str) -> bool:
    letters = sum(c.isascii() and c.isalpha() for c in piece)
    if JAPANESE.search(piece) or piece in ENGLISH_ALLOWED or letters < 2:
        return False
    return " " in piece or letters >= 3 or piece == "No"  # the one short word shown alone


@cache
def _english() -> re.Pattern:
    """The catalogue's English: its messages' parts of a few letters or more, and the messages
    whose parts are all shorter ("%(first)s–%(last)s of %(total)s") whole, any value between."""
    pairs = _catalogue() + _labels()
    messages = [en for en, _ in pairs]
    # a part the Japanese keeps as it is (SOC 2, ISO/IEC 27701) is both languages' word
    same = {piece for en, ja in pairs for piece in _pieces(en) if piece and piece in ja}
    phrases = _phrases(messages, lambda piece: _english_word(piece) and piece not in same)
    whole = {"\\S.*?".join(r"\s+".join(map(re.escape, piece.split(" ")))
                            for piece in PLACEHOLDER.split(" ".join(TAG.sub(" ", message).split())))
             for message in messages if PLACEHOLDER.search(message)
             and not any(map(_english_word, _pieces(message)))
             and sum(c.isascii() and c.isalpha() for c in message) - sum(
                 c.isalpha() for p in PLACEHOLDER.findall(message) for c in p) >= 2}
    words = "|".join([*whole, *(r"\s+".join(map(re.escape, p.split())) for p in phrases)])
    return re.compile(rf"(?<![\w@./-])(?:{words})(?![\w@/-])")


@cache
def _internal() -> tuple[re.Pattern, set[str]]:
    """Raw values and field keys (`low`, `status`) as whole words, and the table names."""
    from registry.core.model import Choice
    from registry.core.models import Role
    from registry.core.schema import DESCRIPTIONS
    from registry.extensions import db

    _labels()
    keys = {member.value for member in _members(Choice)}
    keys -= {role.value for role in Role}  # accounts are named so too (`registry init`: admin)
    keys |= {field.name for description in DESCRIPTIONS.values() for field in description.fields}
    keys = {key for key in keys if key.isascii() and key.islower() and len(key) > 2}
    keys |= {"yes", "no"}  # a yes/no question's raw answers
    words = "|".join(sorted(map(re.escape, keys), key=len, reverse=True))
    return re.compile(rf"(?<![\w.@/:=?&#-])(?:{words})(?![\w@/.=-])"), set(db.metadata.tables)


@cache
def _japanese() -> tuple[list[str], set[str]]:
    """The system's Japanese: the catalogue's sentences and the default questions, found
    anywhere in a line, and every message and label, found as a whole line (people's own
    Japanese uses the same words)."""
    def japanese(piece: str) -> bool:
        return bool(JAPANESE.search(piece)) and piece not in JAPANESE_ALLOWED

    texts = [ja for _, ja in _catalogue() if ja] + [question[-2] for question in DEFAULT_QUESTIONS]
    sentences = _phrases(texts, lambda piece: japanese(piece) and len(piece) >= SENTENCE)
    names = set(_phrases((ja for _, ja in _catalogue() + _labels() if ja), japanese))
    return sentences, names


def misses(text: str, language: str) -> list[str]:
    """The words of a page's visible text (a text node a line) not in the reader's language,
    each once, in the order found."""
    found: list[str] = []
    keys, tables = _internal()
    for line in text.splitlines():
        for phrase in DATA_PHRASES:
            line = line.replace(phrase, " ")
        line = line.strip()
        found += [m.group(0) for m in TABLE_REFERENCE.finditer(line) if m.group(1) in tables]
        found += BOOLEAN.findall(line)
        found += SNAKE.findall(line)
        if language == "ja":
            found += _english().findall(line)
            found += keys.findall(line)
            found += NONE.findall(line)
        elif JAPANESE.search(line) and line not in LANGUAGE_NAMES:
            sentences, names = _japanese()
            found += [piece for piece in sentences if piece in line]
            if line.strip(" .,:;()（）「」。、") in names:
                found.append(line)
    return list(dict.fromkeys(found))
