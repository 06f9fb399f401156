"""Export: the inventory as an .xlsx workbook, streamed (constant memory) from batched queries."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from xlsxwriter.utility import xl_col_to_name

from registry.core.progress import Progress, ignore
from registry.exchange import guidance
from registry.exchange.book import (
    ColumnWriter,
    Workbook,
    date_cells,
    number_cells,
    row_xml,
    style_id,
    text_cells,
)
from registry.exchange.guidance import YES_NO
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
#: xlsxwriter's number of the A4 paper size
A4 = 9
#: the narrowest column of the README sheet (its example rows)
README_WIDTH = 12
#: the height of one line of text, and the most Excel allows a row, in points
LINE_HEIGHT, MAX_ROW_HEIGHT = 15, 409
#: the page header and footer: the sheet's name, the export date, the page number
PRINT = {"en": ("Exported", "Page &P of &N"), "ja": ("出力日", "&P / &N ページ")}
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
        "A header marked * is required: every row needs a value there (the import ignores the "
        "mark). Selecting a cell shows what to type in it.",
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
        "見出しに * が付いた列は必須項目です（取り込み時に * は無視されます）。"
        "セルを選択すると、入力する内容の説明が表示されます。",
    ),
}
#: the heading of the README's example rows (the README sheet is never imported)
EXAMPLES = {
    "en": "Example rows: one record of each sheet as it is typed (from the example inventory).",
    "ja": "記入例：各シートのレコード1件の記入例です（サンプルの台帳から）。",
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


def export(path: Path, language: str = "en", only: dict[str, sa.Select] | None = None,
           progress: Progress = ignore) -> dict:
    """Write the inventory (or, with only, some resources filtered by id selects) to path; its
    progress is told in rows written, BATCH_SIZE at a time."""
    names = list(only) if only else list(RESOURCES)
    rows = Rows(progress, sum(db.session.scalar(sa.select(sa.func.count()).select_from(
        only[name].subquery() if only else RESOURCES[name].model)) for name in names))
    labels = choice_labels(language)
    now = datetime.now(UTC).replace(microsecond=0)
    workbook = Workbook(path, constant_memory=True)
    header = {"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True, "valign": "top"}
    formats = {
        "header": workbook.add_format(header),
        "required": workbook.add_format({**header, "font_color": "#9C0006"}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd", "valign": "top"}),
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "bold": workbook.add_format({"bold": True}),
        "line": workbook.add_format({"valign": "top"}),
        # the formats of the columns, which the cells written without one take
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "code": workbook.add_format({"num_format": "@", "valign": "top"}),
        "cell": workbook.add_format({"valign": "top"}),
    }
    printed = (PRINT[language][0] + " " + now.date().isoformat(), PRINT[language][1])
    styles = _styles(workbook, formats)
    _write_readme(workbook, formats, styles, language, labels, names, printed)
    list_ranges = _write_lists(workbook, labels, language)
    counts = {}
    for name in names:
        resource = RESOURCES[name]
        counts[name] = _write_sheet(workbook, formats, styles, resource, language, labels,
                                    list_ranges, names, only.get(name) if only else None, printed,
                                    rows)
    meta = workbook.add_worksheet(META_SHEET)
    for row, (key, value) in enumerate((
        ("format", FORMAT_NAME), ("version", FORMAT_VERSION),
        ("exported_at", now.isoformat()),
        ("language", language),
    )):
        meta.write_string(row, 0, key)
        meta.write(row, 1, value)
    meta.hide()
    workbook.close()
    return counts


def _styles(workbook, formats) -> dict[str, tuple[int, int]]:
    """The numbers the sheets' XML gives the formats the cells take, each with its quoted twin's
    (fixed before any sheet is written, so that every sheet's rows can be written apart); a date
    is never text, so its format needs no twin."""
    styles = {name: (style_id(formats[name]), style_id(workbook.quoted(formats[name])))
              for name in ("wrap", "code", "cell")}
    styles["date"] = (style_id(formats["date"]),) * 2
    return styles


class Rows:
    """The rows written so far, told to the progress."""

    def __init__(self, progress: Progress, total: int):
        self.progress, self.done, self.total = progress, 0, total

    def add(self, count: int) -> None:
        self.done += count
        self.progress(self.done, max(self.total, self.done))


def _print_setup(sheet, printed: tuple[str, str], header_rows: int = 1) -> None:
    """A4 landscape, one page wide, the header row on every page; the sheet's name and the export
    date above, the page number below."""
    sheet.set_paper(A4)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    if header_rows:
        sheet.repeat_rows(0, header_rows - 1)
    sheet.set_header(f"&L&A&R{printed[0]}")
    sheet.set_footer(f"&C{printed[1]}")


def _write_readme(workbook, formats, styles, language: str, labels: dict, names: list[str],
                  printed: tuple[str, str]) -> None:
    """The explanation in both languages, then an example row of each sheet under its headers."""
    sheet = workbook.add_worksheet("README" if language == "en" else "説明")
    _print_setup(sheet, printed, header_rows=0)
    widths: dict[int, int] = {}
    for name in names:  # each column as wide as the widest example column under it
        for index, column in enumerate(_example_columns(RESOURCES[name])):
            widths[index] = max(widths.get(index, README_WIDTH), column.width)
    for index, width in widths.items():
        sheet.set_column(index, index, width, formats["wrap"])
    lines = README[language] + ("",) + README["en" if language == "ja" else "ja"] + ("",)
    for row, line in enumerate(lines):
        sheet.write_string(row, 0, line, formats["title"] if row == 0 else formats["line"])
    row = len(lines)
    sheet.write_string(row, 0, EXAMPLES[language], formats["title"])
    for name in names:
        resource = RESOURCES[name]
        example = guidance.example(resource)
        if example is None:
            continue
        columns = _example_columns(resource)
        sheet.write_string(row + 2, 0, resource.sheet_name(language), formats["bold"])
        _write_headers(sheet, row + 3, columns, formats, language)
        RecordCells(columns, styles, ["wrap"] * len(columns), labels, language).write(
            sheet, row + 4, [[example[column.key] for column in columns]])
        row += 4


def _example_columns(resource: Resource) -> list:
    return [column for column in resource.columns if column is not RECORD_ID]


def _write_headers(sheet, row: int, columns, formats, language: str) -> None:
    sheet.set_row(row, _height(columns, {c.key: c.header(language) for c in columns}, 2))
    for index, column in enumerate(columns):
        sheet.write_string(row, index, column.header(language),
                           formats["required" if column.required else "header"])


class RecordCells:
    """Records as rows of typed cells (dates as dates, choices and yes/no as words in the
    workbook's language, formula-like text as text), written straight as the sheet's XML a
    column at a time: the same on a data sheet and as an example on the README."""

    def __init__(self, columns, styles: dict[str, tuple[int, int]], column_styles: list[str],
                 labels: dict, language: str):
        self.columns = len(columns)
        self.writers = [_column_writer(index, column, styles, column_styles[index], labels,
                                       language) for index, column in enumerate(columns)]
        #: the wrapped columns, by index, and the characters a line of each holds
        self.wrapped = [(index, max(column.width - 1, 1)) for index, column in enumerate(columns)
                        if column.free_text]

    def write(self, sheet, first: int, records: Sequence[Sequence]) -> None:
        """Write the records (values in the columns' order) as rows from row first (0-based)."""
        if not records:
            return
        numbers = range(first + 1, first + 1 + len(records))
        values = list(zip(*records, strict=True))
        cells = zip(*(write(numbers, column) for write, column in zip(self.writers, values,
                                                                     strict=True)), strict=True)
        rows, last = [], None
        for number, row, height in zip(numbers, cells, self._heights(values), strict=True):
            if row := "".join(row):
                rows.append(row_xml(number, row, height))
                last = number - 1
        if rows:
            sheet.write_xml_rows(first, last, (0, self.columns - 1), "".join(rows))

    def _heights(self, values: list[tuple]) -> list[float | None]:
        """The height of each row whose wrapped cells show all their lines (a spreadsheet
        opening the workbook may not fit the rows itself), None for one line."""
        lines = [[1 if not text or (len(text) * 2 <= room and "\n" not in text)
                  else _lines(text, room) for text in values[index]]
                 for index, room in self.wrapped]
        return [min(most * LINE_HEIGHT, MAX_ROW_HEIGHT) if most > 1 else None
                for most in map(max, zip(*lines, [1] * len(values[0]), strict=True))]


def _column_writer(index: int, column, styles: dict[str, tuple[int, int]], column_style: str,
                   labels: dict, language: str) -> ColumnWriter:
    """How a column's values are written: the cells take the column's format (dates their own),
    a date before Excel's first one is written as text."""
    text = text_cells(index, *styles[column_style])
    if column.kind == DATE:
        days = date_cells(index, styles["date"][0])

        def dates(rows, values):
            shown = [v if v is not None and v >= FIRST_EXCEL_DATE else None for v in values]
            early = [v.isoformat() if v is not None and v < FIRST_EXCEL_DATE else None
                     for v in values]
            return [day or iso for day, iso in zip(days(rows, shown), text(rows, early),
                                                   strict=True)]

        return dates
    if column.kind == INTEGER:
        return number_cells(index, styles[column_style][0])
    if column.kind == BOOL:
        yes, no = YES_NO[language][:2]
        return lambda rows, values: text(rows, [None if v is None or v == "" else yes if v else no
                                                for v in values])
    if column.kind == CHOICE:
        words = labels[column.choice]
        return lambda rows, values: text(rows, [None if v is None or v == "" else words[v]
                                                for v in values])
    return text


def _lines(text: str, room: int) -> int:
    """The lines wrapped text takes in a column of room characters."""
    return sum(-(-(len(part) if part.isascii() else _display_width(part)) // room) or 1
               for part in text.split("\n"))


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


def _write_sheet(workbook, formats, styles, resource: Resource, language: str, labels: dict,
                 list_ranges: dict, exported: list[str], ids: sa.Select | None,
                 printed: tuple[str, str], written: Rows) -> int:
    sheet = workbook.add_worksheet(resource.sheet_name(language))
    columns = resource.columns
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width, formats[_column_format(column)],
                         {"hidden": True} if column is RECORD_ID else None)
        _validation(sheet, index, column, resource, language, list_ranges, exported)
    sheet.freeze_panes(1, 0)
    _print_setup(sheet, printed)
    _write_headers(sheet, 0, columns, formats, language)
    cells = RecordCells(columns, styles, [_column_format(c) for c in columns], labels, language)
    count = 0
    for batch in records(resource, ids):
        cells.write(sheet, count + 1, batch)
        count += len(batch)
        written.add(len(batch))
    sheet.autofilter(0, 0, max(count, 1), len(columns) - 1)
    return count


def _height(columns, texts: dict, lines: int = 1) -> float:
    """The height of a row whose wrapped cells show all their lines, at least lines high."""
    for column in columns:
        text = texts.get(column.key)
        if text:
            lines = max(lines, _lines(text, max(column.width - 1, 1)))
    return min(lines * LINE_HEIGHT, MAX_ROW_HEIGHT)


def _display_width(text: str) -> int:
    """The width of text in column-width units: wide (Japanese) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _column_format(column) -> str:
    """Codes as text (typed leading zeros stay), words and sentences wrapped."""
    if column.identifier:
        return "code"
    return "wrap" if column.free_text else "cell"


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
    options = guidance.prompt(column, resource, language)
    if source:
        options.update({"validate": "list", "source": source, "ignore_blank": True,
                        "error_type": "warning" if column.kind == REF else "stop"})
    else:
        options["validate"] = "any"
    sheet.data_validation(1, index, LAST_ROW, index, options)


def records(resource: Resource, ids: sa.Select | None):
    """The resource's rows as tuples of values in its columns' order, BATCH_SIZE at a time."""
    query = resource.export_query()
    if ids is not None:
        query = query.where(resource.model.id.in_(ids))
    queried = [column.key for column in resource.columns if column.kind != REFLIST]
    query = query.with_only_columns(*(query.selected_columns[key] for key in queried))
    listed = next((index for index, column in enumerate(resource.columns)
                   if column.kind == REFLIST), None)
    at = queried.index("id")
    result = db.session.connection().execute(query.execution_options(yield_per=BATCH_SIZE))
    for partition in result.partitions():
        if listed is None:
            yield partition
            continue
        names = _collection_names(resource, [row[at] for row in partition])
        yield [(*row[:listed], names.get(row[at]), *row[listed:]) for row in partition]


def batches(resource: Resource, ids: sa.Select | list[int] | None):
    """The resource's rows as dicts (choices as their values), BATCH_SIZE at a time. A list of
    ids is bound when the query runs, not kept in the statement (SQLAlchemy keeps statements)."""
    query = resource.export_query()
    parameters = {}
    if isinstance(ids, list):
        query = query.where(resource.model.id.in_(sa.bindparam("ids", expanding=True)))
        parameters = {"ids": ids}
    elif ids is not None:
        query = query.where(resource.model.id.in_(ids))
    result = db.session.execute(query.execution_options(yield_per=BATCH_SIZE), parameters)
    for partition in result.mappings().partitions():
        rows = [plain(row) for row in partition]
        if resource.collection is not None:
            _attach_collection(resource, rows)
        yield rows


def plain(row) -> dict:
    """A row read from the database as the sheet has it (choices as their values)."""
    return {key: (value.value if hasattr(value, "value") and not isinstance(value, date)
                  else value) for key, value in row.items()}


def _attach_collection(resource: Resource, rows: list[dict]) -> None:
    """The list cell of each row: the names of the records its collection holds."""
    names = _collection_names(resource, [row["id"] for row in rows])
    for row in rows:
        row[resource.collection.attr] = names.get(row["id"])


def _collection_names(resource: Resource, ids: list[int]) -> dict[int, str]:
    """The list cell of each record whose collection holds any: the names it holds."""
    collection = resource.collection
    owner, other = (collection.secondary.c[name] for name in collection.link_columns)
    target = RESOURCES[collection.target]
    name = getattr(target.model, target.key[0])
    names = defaultdict(list)
    query = (sa.select(owner, name).join(target.model, target.model.id == other)
             .where(owner.in_(ids)))
    for owner_id, found in db.session.execute(query):
        names[owner_id].append(found)
    return {owner_id: LIST_SEPARATOR.join(sorted(found)) for owner_id, found in names.items()}
