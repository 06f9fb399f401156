"""Checks an uploaded file before any spreadsheet library parses it, so a hostile file is refused
quickly and in bounded memory: size, container, zip directory, XML declarations, sheet dimensions."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

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
        raise Refused("the file is empty")
    if size > limits.max_file_bytes:
        raise Refused(f"the file has {size:,} bytes; the limit is {limits.max_file_bytes:,}")
    if head.startswith(OLE2_SIGNATURE):
        raise Refused("this is a legacy .xls workbook or a password-protected file; "
                      "save it as an unprotected Excel workbook (.xlsx)")
    if not head.startswith(ZIP_SIGNATURE):
        raise Refused("this is not an Excel workbook (.xlsx); a CSV or text file cannot be imported")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise Refused(f"the workbook is damaged or truncated ({error})") from error
    with archive:
        _check_directory(archive, limits, size)
        _check_parts(archive, limits)


def _check_directory(archive: zipfile.ZipFile, limits: Limits, size: int) -> None:
    entries = archive.infolist()
    if len(entries) > limits.max_entries:
        raise Refused(f"the workbook has {len(entries):,} parts; the limit is {limits.max_entries:,}")
    names = set()
    total = 0
    for entry in entries:
        name = entry.filename
        path = PurePosixPath(name)
        if name.startswith(("/", "\\")) or ".." in path.parts or ":" in name or "\\" in name:
            raise Refused(f"the workbook contains a part with a path outside the archive: {name!r}")
        if name in names:
            raise Refused(f"the workbook contains the part {name!r} twice")
        names.add(name)
        if entry.flag_bits & 0x1:
            raise Refused("the workbook is encrypted; remove the password and save it again")
        total += entry.file_size
        if entry.compress_size and entry.file_size / entry.compress_size > limits.max_ratio:
            raise Refused(f"the part {name!r} expands {entry.file_size / entry.compress_size:,.0f} "
                          f"times (a zip bomb?); the limit is {limits.max_ratio}")
    if total > limits.max_uncompressed_bytes:
        raise Refused(f"the workbook expands to {total:,} bytes; "
                      f"the limit is {limits.max_uncompressed_bytes:,}")
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise Refused("this zip file is not an Excel workbook (.xlsx)")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise Refused("macro workbooks (.xlsm) are refused; save the workbook as .xlsx")
    sheets = [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    if len(sheets) > limits.max_sheets:
        raise Refused(f"the workbook has {len(sheets)} sheets; the limit is {limits.max_sheets}")


def _check_parts(archive: zipfile.ZipFile, limits: Limits) -> None:
    content_types = archive.read("[Content_Types].xml")
    if b"macroEnabled" in content_types:
        raise Refused("macro workbooks (.xlsm) are refused; save the workbook as .xlsx")
    for entry in archive.infolist():
        if not entry.filename.endswith((".xml", ".rels", ".vml")):
            continue
        prologue = _prologue(archive, entry)
        if prologue.startswith(UTF16_MARKS) or b"\x00" in prologue[:64]:
            raise Refused(f"the part {entry.filename!r} is not UTF-8 XML, as Excel writes it")
        if b"<!DOCTYPE" in prologue or b"<!ENTITY" in prologue:
            raise Refused(f"the part {entry.filename!r} declares XML entities or a DOCTYPE, "
                          "which workbooks never need")
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
        raise Refused(f"the sheet {PurePosixPath(name).stem} claims {rows:,} rows and {columns:,} "
                      f"columns; the limits are {limits.max_rows:,} rows and "
                      f"{limits.max_columns} columns")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number
