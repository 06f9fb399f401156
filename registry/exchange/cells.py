"""Cells that python-calamine reads as empty although they are not: formulas saved without a
computed value (openpyxl and other generators write them so: `<f>` with no `<v>`, or an empty one)
and error values (`t="e"`: #N/A, #DIV/0!, #REF!). The reader would take them for cleared cells.

They are found by streaming a sheet's XML part, the archive already checked by the guard: a quick
byte search first (an exported workbook stops there), then whole rows out of the stream, and only
the rows that may hold such a cell are split into cells."""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from xml.etree.ElementTree import ParseError, XMLPullParser
from xml.sax.saxutils import unescape

from flask_babel import gettext as _

from registry.exchange.guard import DAMAGE, Refused, one_line

WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELATIONS = "xl/_rels/workbook.xml.rels"
CHUNK_BYTES = 64 * 1024
#: bytes kept from the end of one chunk, so that a hint cut in two is still found
OVERLAP = 8
#: a sheet's root element, and the namespace prefix its elements use (none, usually)
ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet[\s>]")
CELL_REFERENCE = re.compile(r"([A-Z]{1,3})?(\d+)?$")
ROW_NUMBER = re.compile(rb"\sr\s*=\s*[\"'](\d+)[\"']")
ATTRIBUTE_R = re.compile(rb"\sr\s*=\s*[\"']([^\"']*)[\"']")
ATTRIBUTE_T = re.compile(rb"\st\s*=\s*[\"']([^\"']*)[\"']")


@dataclass(frozen=True)
class Unread:
    """A cell the reader returns as empty: Excel row (1-based), column (0-based), and the error
    value it holds (None: a formula without a computed value)."""

    row: int
    column: int
    error: str | None

    @property
    def message(self) -> str:
        if self.error:
            return _("the cell holds the error %(error)s; type the value instead", error=self.error)
        return _("a formula without a computed value (the program that saved the workbook did not "
                 "calculate it); type the value instead")


class Syntax:
    """The patterns of a sheet's elements under one namespace prefix (each starts with a literal,
    which the regular expression engine searches for quickly)."""

    def __init__(self, prefix: bytes):
        open_, close = re.escape(b"<" + prefix), re.escape(b"</" + prefix)
        #: a formula's element, or an error value's type (the cells decide)
        self.hints = (re.compile(open_ + rb"f[\s/>]"), b't="e"', b"t='e'")
        self.formula = self.hints[0]
        #: a row ends, or starts (the streamed sheet is cut into rows at their ends)
        self.row_end = b"</" + prefix + b"row>"
        self.row_start = b"<" + prefix + b"row"
        #: a whole row, however its end tag is written
        self.row = re.compile(open_ + rb"row(?=[\s/>])([^>]*?)(?:/>|>(.*?)" + close + rb"row\s*>)",
                              re.S)
        #: a whole cell: its attributes and its content
        self.cell = re.compile(open_ + rb"c(?=[\s/>])([^>]*?)(?:/>|>(.*?)" + close + rb"c\s*>)",
                               re.S)
        #: a cell whose content starts with a formula (the schema puts it first)
        self.formula_cell = re.compile(open_ + rb"c(?=[\s>])([^>]*+)(?<!/)>(\s*" + open_
                                       + rb"f[\s/>].*?)" + close + rb"c\s*>", re.S)
        #: a cell whose type is an error value
        self.error_cell = re.compile(open_ + rb"c(?=[\s/>])([^>]*?\st\s*=\s*[\"']e[\"'][^>]*?)"
                                     rb"(?:/>|>(.*?)" + close + rb"c\s*>)", re.S)
        self.inline_string = re.compile(open_ + rb"is[\s/>]")
        self.value = re.compile(open_ + rb"v(?:\s[^>]*)?(?:/>|>(.*?)" + close + rb"v\s*>)", re.S)

    def may_hold_any(self, data: bytes) -> bool:
        return any(hint.search(data) if isinstance(hint, re.Pattern) else hint in data
                   for hint in self.hints)


@cache
def syntax(prefix: bytes) -> Syntax:
    return Syntax(prefix)


def unread_cells(path, sheets: Iterable[str]) -> dict[str, dict[tuple[int, int], Unread]]:
    """For each named sheet: its unread cells by (row, column)."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = (sheet_parts(archive, relationships(archive))
                     if {WORKBOOK, WORKBOOK_RELATIONS} <= archive.NameToInfo.keys() else {})
            found = {}
            for name in sheets:
                part = parts.get(name)
                found[name] = _scan(archive, part) if part in archive.NameToInfo else {}
            return found
    except (*DAMAGE, ParseError) as error:
        raise Refused(_("the workbook cannot be read (%(error)s)", error=one_line(error))) from error


def elements(archive: zipfile.ZipFile, part: str):
    """The part's elements as they end (local name, element), streamed."""
    parser = XMLPullParser(("end",))
    with archive.open(part) as stream:
        while chunk := stream.read(CHUNK_BYTES):
            parser.feed(chunk)
            for _event, element in parser.read_events():
                yield element.tag.rsplit("}", 1)[-1], element
        parser.close()
        for _event, element in parser.read_events():
            yield element.tag.rsplit("}", 1)[-1], element


def relationships(archive: zipfile.ZipFile) -> dict[str, tuple[str, str]]:
    """The workbook's relationships: id -> (the part it points to, its type)."""
    related = {}
    for tag, element in elements(archive, WORKBOOK_RELATIONS):
        if tag == "Relationship":
            target = element.get("Target") or ""
            related[element.get("Id")] = (
                target.lstrip("/") if target.startswith("/") else
                posixpath.normpath(posixpath.join("xl", target)), element.get("Type") or "")
            element.clear()
    return related


def sheet_parts(archive: zipfile.ZipFile, related: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Sheet name -> the part that holds it, from the workbook and its relationships."""
    parts = {}
    for tag, element in elements(archive, WORKBOOK):
        if tag == "sheet":
            relation = next((value for key, value in element.attrib.items()
                             if key == "id" or key.endswith("}id")), None)
            if relation in related:
                parts[element.get("name")] = related[relation][0]
            element.clear()
    return parts


def _scan(archive: zipfile.ZipFile, part: str) -> dict[tuple[int, int], Unread]:
    """Every cell of the sheet with an error value, or a formula and no computed value. The
    stream is cut into rows at their end tags; only a row that may hold such a cell is looked
    into (a row or cell without a reference follows the previous one)."""
    with archive.open(part) as stream:
        head = stream.read(CHUNK_BYTES)
        root = ROOT.search(head)
        patterns = syntax(root.group(1) + b":" if root and root.group(1) else b"")
        if not _may_hold_any(patterns, head, stream):
            return {}
    unread: dict[tuple[int, int], Unread] = {}
    row = 0
    pending = b""
    with archive.open(part) as stream:
        while chunk := stream.read(CHUNK_BYTES):
            pieces = (pending + chunk).split(patterns.row_end)
            pending = pieces.pop()  # the row that has not ended yet
            for piece in pieces:  # a row, after what came since the previous one (empty rows)
                if not patterns.may_hold_any(piece):
                    row = row_number(patterns, piece, row)[0]
                elif piece.count(patterns.row_start) == 1:
                    row, cells_from = row_number(patterns, piece, row)
                    _scan_row(patterns, row, piece[cells_from:], unread)
                else:  # empty rows, or rows whose end tags are written otherwise (`</row >`)
                    row = _scan_rows(patterns, piece + patterns.row_end, row, unread)
    if patterns.may_hold_any(pending):
        _scan_rows(patterns, pending, row, unread)
    return unread


def _scan_rows(patterns: Syntax, data: bytes, row: int, unread: dict) -> int:
    """The unread cells of the rows in data, row by row; the number of the last row."""
    for match in patterns.row.finditer(data):
        number = ROW_NUMBER.search(match.group(1))
        row = int(number.group(1)) if number else row + 1
        if match.group(2):
            _scan_row(patterns, row, match.group(2), unread)
    return row


def row_number(patterns: Syntax, piece: bytes, previous: int) -> tuple[int, int]:
    """The number of the piece's last row (empty rows may come before it) and where its cells
    begin."""
    number, cells_from = previous, 0
    opening = piece.find(patterns.row_start)
    while opening != -1:
        cells_from = piece.find(b">", opening) + 1
        found = ROW_NUMBER.search(piece, opening, cells_from)
        number = int(found.group(1)) if found else number + 1
        opening = piece.find(patterns.row_start, cells_from)
    return number, cells_from


def _may_hold_any(patterns: Syntax, head: bytes, stream) -> bool:
    """A quick look at the whole part: could it hold a formula or an error value at all?"""
    chunk, tail = head, b""
    while chunk:
        if patterns.may_hold_any(tail + chunk):
            return True
        tail = chunk[-OVERLAP:]
        chunk = stream.read(CHUNK_BYTES)
    return False


def _scan_row(patterns: Syntax, row: int, cells: bytes, unread: dict) -> None:
    """The row's unread cells: the suspect ones alone, when every formula is where the schema
    puts it and every suspect cell has its reference; else every cell in turn."""
    suspects = [(m.group(1), m.group(2)) for m in patterns.formula_cell.finditer(cells)]
    if len(suspects) == len(patterns.formula.findall(cells)):
        if b't="e"' in cells or b"t='e'" in cells:
            suspects += [(m.group(1), m.group(2)) for m in patterns.error_cell.finditer(cells)]
        references = [ATTRIBUTE_R.search(attributes) for attributes, _body in suspects]
        if all(references):
            for (attributes, body), reference in zip(suspects, references, strict=True):
                _judge(patterns, row, _column_of(reference.group(1).decode(), -1), attributes,
                       body, unread)
            return
    column = -1
    for match in patterns.cell.finditer(cells):
        reference = ATTRIBUTE_R.search(match.group(1))
        column = _column_of(reference.group(1).decode() if reference else None, column)
        _judge(patterns, row, column, match.group(1), match.group(2), unread)


def _judge(patterns: Syntax, row: int, column: int, attributes: bytes, body: bytes | None,
           unread: dict) -> None:
    kind = ATTRIBUTE_T.search(attributes)
    problem = _unread(patterns, kind.group(1).decode() if kind else None, body or b"")
    if problem is not None:
        unread[row, column] = Unread(row, column, problem or None)


def _column_of(reference: str | None, previous: int) -> int:
    match = CELL_REFERENCE.match(reference or "")
    if not match or not match.group(1):
        return previous + 1
    number = 0
    for letter in match.group(1):
        number = number * 26 + ord(letter) - 64
    return number - 1


def _unread(patterns: Syntax, kind: str | None, body: bytes) -> str | None:
    """None for a cell read as it is; the error value (#N/A) for an error, "" for a formula
    without a computed value (an inline string is one)."""
    value = patterns.value.search(body)
    text = unescape((value.group(1) or b"").decode("utf-8", "replace")).strip() if value else ""
    if kind == "e":
        return text or "#VALUE!"
    if not patterns.formula.search(body) or patterns.inline_string.search(body):
        return None
    if value is None or (not text and kind != "str"):  # a string result may be empty
        return ""
    return None
