"""A sheet read in windows: its XML part streamed and cut at row ends into small workbooks that
python-calamine reads one at a time (it reads a whole sheet into memory before it gives the first
row), so that reading a sheet of a million rows holds a window of them, not the sheet.

Each small workbook carries the sheet's head (its properties, views and columns, without the
dimension that would make the reader reserve the whole sheet), the workbook's styles and shared
strings, and the date system of the workbook, so that calamine gives each cell the value it gives
it in the whole workbook."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from python_calamine import CalamineWorkbook

from registry.exchange.cells import (
    CHUNK_BYTES,
    ROW_NUMBER,
    WORKBOOK,
    WORKBOOK_RELATIONS,
    relationships,
    row_number,
    sheet_parts,
    syntax,
)

#: the XML of the rows in one window (at least: a window ends at the first row end past it)
WINDOW_BYTES = 2 * 1024 * 1024
STYLES = "/styles"
SHARED_STRINGS = "/sharedStrings"
#: the workbook counts its dates from 1904 (the only property of the workbook a cell's value needs)
DATE_1904 = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?workbookPr\s[^>]*?date1904\s*=\s*[\"'](?:1|true)[\"']")
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
PACKAGE_RELATIONS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
RELATION = ('<Relationship Id="rId{number}" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/{kind}" Target="{target}"/>')
SHEET = "S"
#: where a sheet's rows begin, and the namespace prefix its elements use (none, usually)
SHEET_DATA = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?sheetData(?:\s[^>]*?)?(/?)>")


class OutOfOrder(Exception):
    """The sheet's rows are not in order across windows: it is read whole instead."""


@dataclass
class Layout:
    """What each window takes from the workbook: the sheets' parts, styles, shared strings and
    the date system."""

    sheets: dict[str, str]
    styles: str | None
    shared_strings: str | None
    date_1904: bool


def rows(path, name: str, window_bytes: int = WINDOW_BYTES) -> Iterator[tuple[int, list]] | None:
    """The sheet's rows as calamine reads them (0-based index, cells from column A), window by
    window; None when the sheet's part is not where the workbook says (it is read whole)."""
    archive = zipfile.ZipFile(path)
    layout = _layout(archive)
    part = layout.sheets.get(name)
    if part not in archive.NameToInfo:
        archive.close()
        return None
    return _rows(archive, layout, part, window_bytes)


def _layout(archive: zipfile.ZipFile) -> Layout:
    if WORKBOOK not in archive.NameToInfo or WORKBOOK_RELATIONS not in archive.NameToInfo:
        return Layout({}, None, None, False)
    related = relationships(archive)

    def of_type(suffix: str) -> str | None:
        found = [part for part, kind in related.values() if kind.endswith(suffix)]
        return found[0] if found and found[0] in archive.NameToInfo else None

    with archive.open(WORKBOOK) as stream:
        date_1904 = DATE_1904.search(stream.read(CHUNK_BYTES)) is not None
    return Layout(sheet_parts(archive, related), of_type(STYLES), of_type(SHARED_STRINGS),
                  date_1904)


def _rows(archive: zipfile.ZipFile, layout: Layout, part: str,
          window_bytes: int) -> Iterator[tuple[int, list]]:
    with archive:
        package = _Package(archive, layout)
        # the shared strings go into every window: windows at least as large keep that cost linear
        window_bytes = max(window_bytes, package.shared_strings_bytes)
        last = -1
        for window in _windows(archive, part, window_bytes):
            for index, cells in package.read(window):
                if index <= last:
                    raise OutOfOrder
                last = index
                yield index, cells


def _windows(archive: zipfile.ZipFile, part: str, window_bytes: int) -> Iterator[bytes]:
    """The part cut into small sheets: its head, the rows of a window, its end. The first row of
    a window always says its number (a row without one follows the previous row)."""
    chunk_bytes = min(CHUNK_BYTES, window_bytes)
    with archive.open(part) as stream:
        data = stream.read(chunk_bytes)
        found = SHEET_DATA.search(data)
        while found is None and (chunk := stream.read(chunk_bytes)):
            data += chunk
            found = SHEET_DATA.search(data)
        if found is None or found.group(2):  # no rows: the part is one window
            yield data + stream.read()
            return
        prefix = found.group(1) + b":" if found.group(1) else b""
        patterns = syntax(prefix)
        head = re.sub(rb"<" + re.escape(prefix) + rb"dimension(?:\s[^>]*)?/>", b"",
                      data[:found.end()])
        end = b"</" + prefix + b"sheetData></" + prefix + b"worksheet>"
        row_end = patterns.row_end
        pending, window, size, previous = [data[found.end():]], [], 0, b""
        while True:
            chunk = stream.read(chunk_bytes)
            if chunk:
                tail = pending[-1][-(len(row_end) - 1):]
                cut = (tail + chunk).rfind(row_end)
                if cut == -1:
                    pending.append(chunk)
                    continue
                cut += len(row_end) - len(tail)
                window += pending
                window.append(chunk[:cut])
                size += sum(map(len, pending)) + cut
                pending = [chunk[cut:]]
                if size < window_bytes:
                    continue
            else:
                rest = b"".join(pending)
                closing = rest.rfind(b"</" + prefix + b"sheetData")
                window.append(rest[:closing] if closing != -1 else rest)
            previous = _numbered(patterns, b"".join(window), previous)
            yield head + previous + end
            window, size = [], 0
            if not chunk:
                return


def _numbered(patterns, rows_xml: bytes, previous: bytes) -> bytes:
    """The rows, their first row's number written in when it has none: the one after the last
    row of the previous window (whose first row has its number)."""
    opening = rows_xml.find(patterns.row_start)
    if opening != -1:
        attributes_end = rows_xml.find(b">", opening)
        if not ROW_NUMBER.search(rows_xml, opening, attributes_end):
            at = opening + len(patterns.row_start)
            number = row_number(patterns, previous, 0)[0] + 1
            rows_xml = rows_xml[:at] + b' r="%d"' % number + rows_xml[at:]
    return rows_xml


class _Package:
    """The parts every window shares, read once; each window a small workbook of one sheet."""

    def __init__(self, archive: zipfile.ZipFile, layout: Layout):
        self.styles = archive.read(layout.styles) if layout.styles else None
        self.shared_strings = archive.read(layout.shared_strings) if layout.shared_strings else None
        self.shared_strings_bytes = len(self.shared_strings or b"")
        relations = [RELATION.format(number=1, kind="worksheet", target="worksheets/sheet1.xml")]
        if self.styles is not None:
            relations.append(RELATION.format(number=2, kind="styles", target="styles.xml"))
        if self.shared_strings is not None:
            relations.append(RELATION.format(number=3, kind="sharedStrings",
                                             target="sharedStrings.xml"))
        self.relations = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships '
                          'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                          + "".join(relations) + "</Relationships>")
        self.workbook = (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://'
            b'schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships">'
            + (b'<workbookPr date1904="1"/>' if layout.date_1904 else b"")
            + b'<sheets><sheet name="' + SHEET.encode() + b'" sheetId="1" r:id="rId1"/></sheets>'
            b"</workbook>")

    def read(self, sheet_xml: bytes) -> Iterator[tuple[int, list]]:
        """The window's rows (0-based index, cells from column A)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as window:
            window.writestr("[Content_Types].xml", CONTENT_TYPES)
            window.writestr("_rels/.rels", PACKAGE_RELATIONS)
            window.writestr("xl/workbook.xml", self.workbook)
            window.writestr("xl/_rels/workbook.xml.rels", self.relations)
            window.writestr("xl/worksheets/sheet1.xml", sheet_xml)
            if self.styles is not None:
                window.writestr("xl/styles.xml", self.styles)
            if self.shared_strings is not None:
                window.writestr("xl/sharedStrings.xml", self.shared_strings)
        buffer.seek(0)
        workbook = CalamineWorkbook.from_filelike(buffer)
        sheet = workbook.get_sheet_by_name(SHEET)
        values = sheet.to_python()
        if values:
            top, left = sheet.start
            padding = [""] * left
            for offset, cells in enumerate(values):
                yield top + offset, padding + cells if left else cells
        workbook.close()

