"""What a ledger's columns can hold, and the headings people give them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from registry.core.i18n import Label

#: hints inside a heading, such as "(yyyy/mm/dd)" or "（例：東京）"
HINT = re.compile(r"[（(\[［【〔<＜《][^）)\]］】〕>＞》]*[）)\]］】〕>＞》]")
#: spaces of every width, line breaks and the separators people put inside headings
SPACES = re.compile(r"[\s\u00a0\u3000_・:：]+")


@dataclass(frozen=True)
class LedgerField:
    """One thing a ledger's column can say about the records a row describes."""

    name: str
    label: Label
    #: headings that name it (compared as heading_key gives them), the most telling first
    words: tuple[str, ...]
    #: a date column (its samples are read as dates)
    date: bool = False


FIELDS: tuple[LedgerField, ...] = (
    LedgerField("purpose", Label("Purpose of use", "利用目的"), (
        "利用目的", "利用目的名", "目的", "利用の目的", "purposeofuse", "purpose")),
    LedgerField("categories", Label("Data categories", "個人情報項目"), (
        "データ項目", "個人情報項目", "個人データ項目", "取得項目", "取扱項目", "取り扱う個人情報",
        "個人情報の項目", "個人情報の種類", "項目", "dataitems", "datacategories", "categories")),
    LedgerField("subjects", Label("Data subjects", "本人の区分"), (
        "本人の区分", "本人区分", "対象者", "datasubjects")),
    LedgerField("consignee", Label("Consignee", "委託先"), (
        "委託先名", "委託先", "委託先会社名", "委託先名称", "会社名", "consignee", "vendor",
        "vendorname")),
    LedgerField("country", Label("Country", "所在国"), (
        "所在国", "国名", "国", "所在地国", "データ保管国", "取扱国", "country")),
    LedgerField("work", Label("Work entrusted", "委託業務の内容"), (
        "委託業務", "委託業務の内容", "委託内容", "業務内容", "workentrusted", "work", "service")),
    LedgerField("contract_start", Label("Contract start", "契約開始日"), (
        "契約開始日", "契約期間開始日", "契約期間開始", "契約開始", "contractstart", "開始日",
        "start"), date=True),
    LedgerField("contract_end", Label("Contract end", "契約終了日"), (
        "契約終了日", "契約期間終了日", "契約期間終了", "契約終了", "contractend", "終了日", "end"),
        date=True),
    LedgerField("confidentiality", Label("Confidentiality agreement", "秘密保持契約"), (
        "秘密保持契約", "秘密保持", "秘密保持条項", "機密保持契約", "守秘義務", "nda",
        "confidentiality")),
    LedgerField("checked_on", Label("Supervised on", "監督実施日"), (
        "監督実施日", "監督日", "点検日", "点検実施日", "監査日", "確認日", "checkedon",
        "lastchecked", "supervisedon"), date=True),
    LedgerField("contact", Label("Contact person", "担当者"), (
        "担当者", "委託先担当者", "担当", "窓口", "contactperson", "contact")),
    LedgerField("retention", Label("Retention period", "保存期間"), (
        "保存期間", "保管期間", "retentionperiod", "retention")),
    LedgerField("storage", Label("Storage location", "保管場所"), (
        "保管場所", "保存場所", "storagelocation", "storage")),
    LedgerField("notes", Label("Notes", "備考"), ("備考", "メモ", "notes", "remarks")),
)
BY_NAME = {f.name: f for f in FIELDS}
#: a heading's key -> (field, how telling the word is: 0 the best)
_WORDS = {word: (f, rank) for f in FIELDS for rank, word in enumerate(f.words)}


def heading_key(text: object) -> str:
    """A heading as it is compared: NFKC (full- and half-width alike), without hints in
    brackets, spaces of any width, line breaks, and in lower case."""
    normal = unicodedata.normalize("NFKC", str(text or ""))
    bare = SPACES.sub("", HINT.sub("", normal)) or SPACES.sub("", normal)
    return bare.lower()


def field_for(*headings: object) -> LedgerField | None:
    """The field a column's headings name: a group heading with its own (契約期間 + 開始日)
    first, then the column's own heading."""
    keys = [heading_key("".join(str(h) for h in headings if h)), *map(heading_key, headings[::-1])]
    for key in keys:
        if key in _WORDS:
            return _WORDS[key][0]
    for key in keys:  # 秘密保持契約の有無, 委託先担当者名: the longest word a heading begins with
        begun = [word for word in _WORDS if len(word) >= 2 and key.startswith(word)]
        if begun:
            return _WORDS[max(begun, key=len)][0]
    return None
