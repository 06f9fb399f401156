"""The quarterly report as an xlsx workbook: one sheet per section, each with its figures beside
the previous quarter's, a native Excel bar chart of them, and the detail tables below."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from flask_babel import gettext

from registry.exchange.book import Workbook
from registry.reporting.presentation import present

#: characters Excel refuses in sheet names
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def write(report: dict, path: Path) -> None:
    """Write the report to path, in the current language."""
    book = Workbook(path)
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#EEF2F6", "border": 1})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    names: set[str] = set()
    for section in present(report):
        sheet = book.add_worksheet(_sheet_name(section.title, names))
        sheet.set_column(0, 0, 48)
        sheet.set_column(1, 6, 16)
        sheet.write_string(0, 0, section.title, title)
        sheet.write_string(1, 0, gettext("%(quarter)s (%(start)s to %(end)s)", quarter=report["quarter"],
                                         start=report["period"][0], end=report["period"][1]))
        row = 3
        if section.figures:
            sheet.write_row(row, 0, [gettext("Figure"), report["quarter"], report["previous"]], head)
            for figure in section.figures:
                row += 1
                sheet.write_string(row, 0, figure.label)
                _write(sheet, row, 1, figure.current, "number", day)
                _write(sheet, row, 2, figure.previous, "number", day)
            _chart(book, sheet, report, section.title, first=4, last=3 + len(section.counts))
            row = max(row, 4 + 18)
        for table in section.tables:
            row += 2
            sheet.write_string(row, 0, table.title, bold)
            row += 1
            sheet.write_row(row, 0, table.columns, head)
            for values in table.rows:
                row += 1
                for column, (value, kind) in enumerate(zip(values, table.kinds, strict=True)):
                    _write(sheet, row, column, value, kind, day)
            if not table.rows:
                sheet.write_string(row + 1, 0, gettext("None."))
                row += 1
    book.close()


def _chart(book, sheet, report: dict, title: str, *, first: int, last: int) -> None:
    chart = book.add_chart({"type": "bar"})
    name = sheet.get_name()
    for column, period in ((1, report["quarter"]), (2, report["previous"])):
        chart.add_series({"name": period, "categories": [name, first, 0, last, 0],
                          "values": [name, first, column, last, column], "gap": 60})
    chart.set_title({"name": title, "name_font": {"size": 11}})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 620, "height": max(300, 26 * (last - first + 1) + 110)})
    sheet.insert_chart(3, 4, chart)


def _write(sheet, row: int, column: int, value: object, kind: str, day) -> None:
    if value is None or value == "":
        return
    if kind == "date" and isinstance(value, str):
        sheet.write_datetime(row, column, date.fromisoformat(value), day)
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value)
    else:
        sheet.write_string(row, column, str(value))


def _sheet_name(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name (at most 31 characters) from a section title."""
    base = _SHEET_FORBIDDEN.sub(" ", title).strip("'")[:31] or "Sheet"
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" {number}"
        name, number = base[:31 - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name
