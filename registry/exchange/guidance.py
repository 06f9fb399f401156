"""What the inventory export tells the people who print it and type into it: an input prompt per
column (what to type there, in the sheet's language), the words of the yes/no drop-down, and the
README sheet's example rows (the first record of each sheet of the shipped example inventory,
read as an import reads it)."""

from __future__ import annotations

from functools import cache

from registry import shipped
from registry.exchange.guard import Limits
from registry.exchange.read import read
from registry.exchange.resources import (
    BOOL,
    CHOICE,
    DATE,
    INTEGER,
    LIST_SEPARATOR,
    RECORD_ID,
    REF,
    REFLIST,
    RESOURCES,
    Column,
    Resource,
)
from registry.exchange.values import ChoiceReader, clean_bool, clean_date, clean_integer, clean_text

EXAMPLE_PATH = shipped("imports") / "example-inventory.xlsx"
#: Excel's limits on an input prompt's title and message
TITLE_MAX, MESSAGE_MAX = 32, 255
#: the drop-down of a yes/no column: the words written for yes and no first (clean_bool reads all)
YES_NO = {"en": ("Yes", "No", "○", "×"), "ja": ("○", "×", "はい", "いいえ")}
PHRASES = {
    "en": {
        "required": "Required.",
        "text": "Text, up to {max} characters.",
        "long": "Text, up to {max} characters (Alt+Enter starts a new line).",
        "kept": "Kept as text: leading zeros stay.",
        "integer": "A whole number.",
        "date": "A date: 2024-07-12, 2024/7/12, 2024年7月12日 or 令和6年7月12日.",
        "bool": "{words}: pick from the drop-down.",
        "choice": "Pick a value from the drop-down.",
        "ref": "The {part} of a record on the sheet “{sheet}”.",
        "reflist": "Names from the sheet “{sheet}”, separated by “{separator}”.",
        "id": "Ties the row to its record: leave it as it is; clear it on a copied row.",
    },
    "ja": {
        "required": "必須項目です。",
        "text": "{max}文字以内で入力してください。",
        "long": "{max}文字以内で入力してください（セル内の改行は Alt+Enter）。",
        "kept": "文字列として入力されます（先頭の0も残ります）。",
        "integer": "整数を入力してください。",
        "date": "日付（2024-07-12、2024/7/12、2024年7月12日、令和6年7月12日）を入力してください。",
        "bool": "{words}をドロップダウンから選んでください。",
        "choice": "ドロップダウンから選んでください。",
        "ref": "シート「{sheet}」にあるレコードの{part}を入力してください。",
        "reflist": "シート「{sheet}」の名称を「{separator}」で区切って入力してください。",
        "id": "行とレコードを結び付けます。変更せず、コピーした行では消してください。",
    },
}


def prompt(column: Column, resource: Resource, language: str) -> dict:
    """The input prompt of a column's cells: its header, and what to type, one point a line."""
    words = PHRASES[language]
    lines = [words["required"]] if column.required else []
    if column.hint is not None:
        lines.append(column.hint.in_language(language))
    lines.append(_what(column, resource, language))
    if column.identifier:
        lines.append(words["kept"])
    return {"input_title": _cut(column.header(language), TITLE_MAX),
            "input_message": _cut("\n".join(lines), MESSAGE_MAX)}


def _what(column: Column, resource: Resource, language: str) -> str:
    words = PHRASES[language]
    if column is RECORD_ID:
        return words["id"]
    if column.kind in (INTEGER, DATE, CHOICE):
        return words[column.kind]
    if column.kind == BOOL:
        return words["bool"].format(words=" / ".join(YES_NO[language]))
    if column.kind == REF:
        reference = next(r for r in resource.references if column.key in r.columns)
        target = RESOURCES[reference.target]
        part = target.by_key[target.key[reference.columns.index(column.key)]]
        label = part.ja if language == "ja" else part.en.lower()
        return words["ref"].format(part=label, sheet=target.sheet_name(language))
    if column.kind == REFLIST:
        target = RESOURCES[resource.collection.target]
        return words["reflist"].format(sheet=target.sheet_name(language),
                                       separator=LIST_SEPARATOR.strip())
    return words["long" if column.max > 255 else "text"].format(max=column.max)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def example(resource: Resource) -> dict | None:
    """A record of the resource as the export writes it (choices as their values): the first of
    its sheet in the shipped example inventory; None when that sheet has no record."""
    raw = _shipped_rows().get(resource.name)
    if raw is None:
        return None
    return {column.key: _clean(column, raw.get(column.key)) for column in resource.columns
            if column is not RECORD_ID}


@cache
def _shipped_rows() -> dict[str, dict]:
    """The first row of each sheet of the shipped example inventory, its cells by column key."""
    rows = {}
    for sheet in read(EXAMPLE_PATH, Limits()).sheets:
        if sheet.rows:
            cells = sheet.rows[0][1]
            rows[sheet.resource.name] = {key: cells[position]
                                         for key, position in sheet.positions.items()
                                         if position < len(cells)}
    return rows


def _clean(column: Column, value: object):
    if column.kind == DATE:
        return clean_date(value)
    if column.kind == INTEGER:
        return clean_integer(value)
    if column.kind == BOOL:
        return clean_bool(value)
    if column.kind == CHOICE:
        member = ChoiceReader.build(column.choice, {m.value: m.words() for m in column.choice},
                                    "")(value)
        return member.value if member is not None else None
    return clean_text(value) or None
