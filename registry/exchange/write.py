"""Export: the inventory as an .xlsx workbook, streamed (constant memory) from batched queries."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from xlsxwriter.utility import xl_col_to_name

from registry.exchange.book import Workbook
from registry.exchange.resources import (
    BOOL,
    CHOICE,
    DATE,
    INTEGER,
    LIST_SEPARATOR,
    RECORD_ID,
    REF,
    RESOURCES,
    Resource,
)
from registry.exchange.values import FIRST_EXCEL_DATE
from registry.extensions import db

FORMAT_NAME = "registry-inventory"
FORMAT_VERSION = 1
META_SHEET = "_meta"
LISTS_SHEET = "_lists"
BATCH_SIZE = 2000
LAST_ROW = 1_048_575
YES_NO = {"en": ("Yes", "No"), "ja": ("はい", "いいえ")}
README = {
    "en": (
        "Personal information registry: inventory workbook",
        "Each sheet holds one kind of record; the first row of each sheet is its header.",
        "Records are matched on their natural keys (code, name, reference, employee number). The "
        "hidden last column, Registry ID, ties a row to its record: change a name or code in its "
        "row to rename the record.",
        "To add a record by copying a row, clear the copy's Registry ID (a copied row keeps the ID "
        "of the row it was copied from); a workbook with one Registry ID on two rows is refused.",
        "Edit values, add rows, and import the workbook again: the registry shows what will "
        "change before anything is saved.",
        "Drop-down lists offer the allowed values. Dates may be typed as 2024-07-12, 2024/7/12, "
        "2024年7月12日 or 令和6年7月12日.",
        "Headers may be in English or Japanese. Do not edit the hidden sheets.",
    ),
    "ja": (
        "個人情報管理台帳（ワークブック）",
        "シートごとに1種類のレコードを収録しています。各シートの1行目が見出しです。",
        "レコードはコード・名称・管理番号・社員番号などの自然キーで照合します。非表示の最終列「台帳ID」は"
        "行とレコードを結び付けます。行の名称やコードを書き換えると、そのレコードの名称変更になります。",
        "行をコピーしてレコードを追加するときは、コピーした行の台帳IDを消してください（コピーした行には"
        "コピー元の台帳IDが残ります）。同じ台帳IDが2行にあるブックは取り込めません。",
        "値を編集・行を追加してから再度取り込むと、保存前に変更内容が表示されます。",
        "選択肢はドロップダウンから選べます。"
        "日付は 2024-07-12、2024/7/12、2024年7月12日、令和6年7月12日 の形式で入力できます。",
        "見出しは日本語・英語のどちらでも構いません。非表示のシートは編集しないでください。",
    ),
}


def choice_labels(language: str) -> dict[type, dict[str, str]]:
    """Each choice's labels in one language, keyed by the choice class and value."""
    labels: dict[type, dict[str, str]] = {}
    for resource in RESOURCES.values():
        for column in resource.columns:
            if column.choice is not None and column.choice not in labels:
                labels[column.choice] = {m.value: m.label.in_language(language)
                                         for m in column.choice}
    return labels


def export(path: Path, language: str = "en", only: dict[str, sa.Select] | None = None) -> dict:
    """Write the inventory (or, with only, some resources filtered by id selects) to path."""
    names = list(only) if only else list(RESOURCES)
    labels = choice_labels(language)
    workbook = Workbook(path, constant_memory=True)
    formats = {
        "header": workbook.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1,
                                       "text_wrap": True, "valign": "top"}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "title": workbook.add_format({"bold": True, "font_size": 14}),
    }
    _write_readme(workbook, formats, language)
    list_ranges = _write_lists(workbook, labels, language)
    counts = {}
    for name in names:
        resource = RESOURCES[name]
        counts[name] = _write_sheet(workbook, formats, resource, language, labels, list_ranges,
                                    names, only.get(name) if only else None)
    meta = workbook.add_worksheet(META_SHEET)
    for row, (key, value) in enumerate((
        ("format", FORMAT_NAME), ("version", FORMAT_VERSION),
        ("exported_at", datetime.now(UTC).replace(microsecond=0).isoformat()),
        ("language", language),
    )):
        meta.write_string(row, 0, key)
        meta.write(row, 1, value)
    meta.hide()
    workbook.close()
    return counts


def _write_readme(workbook, formats, language: str) -> None:
    sheet = workbook.add_worksheet("README" if language == "en" else "説明")
    sheet.set_column(0, 0, 120)
    lines = README[language] + ("",) + README["en" if language == "ja" else "ja"]
    for row, line in enumerate(lines):
        sheet.write_string(row, 0, line, formats["title"] if row == 0 else None)


def _write_lists(workbook, labels: dict, language: str) -> dict:
    """A hidden sheet with the allowed values of every choice, for the drop-down lists."""
    sheet = workbook.add_worksheet(LISTS_SHEET)
    ranges = {}
    columns = [(choice, list(values.values())) for choice, values in labels.items()]
    columns.append((bool, list(YES_NO[language])))
    # constant-memory mode writes row by row, so fill the columns side by side
    for row in range(max(len(values) for _, values in columns)):
        for index, (_, values) in enumerate(columns):
            if row < len(values):
                sheet.write_string(row, index, values[row])
    for index, (choice, values) in enumerate(columns):
        letter = xl_col_to_name(index)
        ranges[choice] = f"={LISTS_SHEET}!${letter}$1:${letter}${len(values)}"
    sheet.hide()
    return ranges


def _write_sheet(workbook, formats, resource: Resource, language: str, labels: dict,
                 list_ranges: dict, exported: list[str], ids: sa.Select | None) -> int:
    sheet = workbook.add_worksheet(resource.sheet_name(language))
    columns = resource.columns
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width, None,
                         {"hidden": True} if column is RECORD_ID else None)
        _validation(sheet, index, column, resource, language, list_ranges, exported)
    sheet.freeze_panes(1, 0)
    sheet.set_row(0, 30)
    for index, column in enumerate(columns):
        sheet.write_string(0, index, column.ja if language == "ja" else column.en,
                           formats["header"])
    yes, no = YES_NO[language]
    count = 0
    for batch in batches(resource, ids):
        for row in batch:
            count += 1
            for index, column in enumerate(columns):
                value = row[column.key]
                if value is None or value == "":
                    continue
                if column.kind == DATE:
                    if value >= FIRST_EXCEL_DATE:
                        sheet.write_datetime(count, index, value, formats["date"])
                    else:
                        sheet.write_string(count, index, value.isoformat())
                elif column.kind == INTEGER:
                    sheet.write_number(count, index, value)
                elif column.kind == BOOL:
                    sheet.write_string(count, index, yes if value else no)
                elif column.kind == CHOICE:
                    sheet.write_string(count, index, labels[column.choice][value])
                else:
                    sheet.write_string(count, index, str(value))
    sheet.autofilter(0, 0, max(count, 1), len(columns) - 1)
    return count


def _validation(sheet, index: int, column, resource: Resource, language: str, list_ranges: dict,
                exported: list[str]) -> None:
    source = None
    if column.kind == CHOICE:
        source = list_ranges[column.choice]
    elif column.kind == BOOL:
        source = list_ranges[bool]
    elif column.kind == REF:
        reference = next(r for r in resource.references if column.key in r.columns)
        target = RESOURCES[reference.target]
        part = target.key[reference.columns.index(column.key)]
        if reference.target in exported and target.by_key[part].kind != "choice":
            letter = xl_col_to_name([c.key for c in target.columns].index(part))
            source = f"='{target.sheet_name(language)}'!${letter}$2:${letter}${LAST_ROW + 1}"
    if source:
        sheet.data_validation(1, index, LAST_ROW, index, {
            "validate": "list", "source": source, "ignore_blank": True,
            "error_type": "warning" if column.kind == REF else "stop",
        })


def batches(resource: Resource, ids: sa.Select | None):
    """The resource's rows as dicts (choices as their values), BATCH_SIZE at a time."""
    query = resource.export_query()
    if ids is not None:
        query = query.where(resource.model.id.in_(ids))
    result = db.session.execute(query.execution_options(yield_per=BATCH_SIZE))
    for partition in result.mappings().partitions():
        rows = [_plain(row) for row in partition]
        if resource.collection is not None:
            _attach_collection(resource, rows)
        yield rows


def _plain(row) -> dict:
    return {key: (value.value if hasattr(value, "value") and not isinstance(value, date)
                  else value) for key, value in row.items()}


def _attach_collection(resource: Resource, rows: list[dict]) -> None:
    """The list cell of each row: the names of the records its collection holds."""
    collection = resource.collection
    owner, other = (collection.secondary.c[name] for name in collection.link_columns)
    target = RESOURCES[collection.target]
    name = getattr(target.model, target.key[0])
    names = defaultdict(list)
    query = (sa.select(owner, name).join(target.model, target.model.id == other)
             .where(owner.in_([row["id"] for row in rows])))
    for owner_id, found in db.session.execute(query):
        names[owner_id].append(found)
    for row in rows:
        row[collection.attr] = LIST_SEPARATOR.join(sorted(names[row["id"]])) or None
