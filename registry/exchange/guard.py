"""Checks an uploaded file before any spreadsheet library parses it, so a hostile file is refused
quickly and in bounded memory: size, container, zip directory, XML declarations, sheet dimensions."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from flask_babel import gettext as _

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
#: XML parts are read in chunks of this size up to their root element, where a DOCTYPE would end
XML_CHUNK_BYTES = 64 * 1024
ROOT_ELEMENT = re.compile(rb"<[A-Za-z_]")
UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")
DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')


class Refused(Exception):
    """A file the registry will not read; the message says why, in one line."""


@dataclass(frozen=True)
class Limits:
    """Bounds on what an import may contain (configurable with REGISTRY_IMPORT_* variables)."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_uncompressed_bytes: int = 512 * 1024 * 1024
    max_ratio: int = 100
    max_entries: int = 500
    max_sheets: int = 40
    max_rows: int = 250_000
    max_columns: int = 100
    max_cell_chars: int = 32_767

    @classmethod
    def from_config(cls, config) -> Limits:
        defaults = cls()
        return cls(**{name: int(config.get(f"IMPORT_{name.upper()}", getattr(defaults, name)))
                      for name in cls.__dataclass_fields__})


def inspect(path, limits: Limits) -> None:
    """Refuse (raise Refused) anything but a plain, reasonably sized .xlsx workbook."""
    with open(path, "rb") as handle:
        head = handle.read(8)
        handle.seek(0, 2)
        size = handle.tell()
    if size == 0:
        raise Refused(_("the file is empty"))
    if size > limits.max_file_bytes:
        raise Refused(_("the file has %(size)s bytes; the limit is %(limit)s",
                        size=f"{size:,}", limit=f"{limits.max_file_bytes:,}"))
    if head.startswith(OLE2_SIGNATURE):
        raise Refused(_("this is a legacy .xls workbook or a password-protected file; "
                        "save it as an unprotected Excel workbook (.xlsx)"))
    if not head.startswith(ZIP_SIGNATURE):
        raise Refused(_("this is not an Excel workbook (.xlsx); a CSV or text file cannot be "
                        "imported"))
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise Refused(_("the workbook is damaged or truncated (%(error)s)", error=error)) from error
    with archive:
        _check_directory(archive, limits, size)
        _check_parts(archive, limits)


def _check_directory(archive: zipfile.ZipFile, limits: Limits, size: int) -> None:
    entries = archive.infolist()
    if len(entries) > limits.max_entries:
        raise Refused(_("the workbook has %(count)s parts; the limit is %(limit)s",
                        count=len(entries), limit=limits.max_entries))
    names = set()
    total = 0
    for entry in entries:
        name = entry.filename
        path = PurePosixPath(name)
        if name.startswith(("/", "\\")) or ".." in path.parts or ":" in name or "\\" in name:
            raise Refused(_("the workbook contains a part with a path outside the archive: %(name)r",
                            name=name))
        if name in names:
            raise Refused(_("the workbook contains the part %(name)r twice", name=name))
        names.add(name)
        if entry.flag_bits & 0x1:
            raise Refused(_("the workbook is encrypted; remove the password and save it again"))
        total += entry.file_size
        if entry.compress_size and entry.file_size / entry.compress_size > limits.max_ratio:
            raise Refused(_("the part %(name)r expands %(ratio)s times (a zip bomb?); the limit is "
                            "%(limit)s", name=name, ratio=f"{entry.file_size / entry.compress_size:,.0f}",
                            limit=limits.max_ratio))
    if total > limits.max_uncompressed_bytes:
        raise Refused(_("the workbook expands to %(size)s bytes; the limit is %(limit)s",
                        size=f"{total:,}", limit=f"{limits.max_uncompressed_bytes:,}"))
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise Refused(_("this zip file is not an Excel workbook (.xlsx)"))
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise Refused(_("macro workbooks (.xlsm) are refused; save the workbook as .xlsx"))
    sheets = [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    if len(sheets) > limits.max_sheets:
        raise Refused(_("the workbook has %(count)s sheets; the limit is %(limit)s",
                        count=len(sheets), limit=limits.max_sheets))


def _check_parts(archive: zipfile.ZipFile, limits: Limits) -> None:
    content_types = archive.read("[Content_Types].xml")
    if b"macroEnabled" in content_types:
        raise Refused(_("macro workbooks (.xlsm) are refused; save the workbook as .xlsx"))
    for entry in archive.infolist():
        if not entry.filename.endswith((".xml", ".rels", ".vml")):
            continue
        prologue = _prologue(archive, entry)
        if prologue.startswith(UTF16_MARKS) or b"\x00" in prologue[:64]:
            raise Refused(_("the part %(name)r is not UTF-8 XML, as Excel writes it",
                            name=entry.filename))
        if b"<!DOCTYPE" in prologue or b"<!ENTITY" in prologue:
            raise Refused(_("the part %(name)r declares XML entities or a DOCTYPE, which "
                            "workbooks never need", name=entry.filename))
        if entry.filename.startswith("xl/worksheets/"):
            _check_dimension(entry.filename, prologue, limits)


def _prologue(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bytes:
    """The part's bytes up to its root element's first child (all a DOCTYPE could precede)."""
    prologue = b""
    with archive.open(entry) as part:
        while chunk := part.read(XML_CHUNK_BYTES):
            prologue += chunk
            root = ROOT_ELEMENT.search(prologue)
            if root and b"<!--" not in prologue[:root.start()].rsplit(b"-->", 1)[-1]:
                return prologue[:root.start() + XML_CHUNK_BYTES]
    return prologue


def _check_dimension(name: str, prologue: bytes, limits: Limits) -> None:
    match = DIMENSION.search(prologue)
    if not match or not match.group(4):
        return
    rows = int(match.group(4))
    columns = _column_number(match.group(3).decode())
    if rows > limits.max_rows + 100 or columns > limits.max_columns:
        raise Refused(_("the sheet %(sheet)s claims %(rows)s rows and %(columns)s columns; the "
                        "limits are %(max_rows)s rows and %(max_columns)s columns",
                        sheet=PurePosixPath(name).stem, rows=f"{rows:,}", columns=f"{columns:,}",
                        max_rows=f"{limits.max_rows:,}", max_columns=limits.max_columns))


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number
