"""Checks an uploaded file before any spreadsheet library parses it, so a hostile file is refused
quickly and in bounded memory: size, container, zip directory and headers, every part's length and
checksum, XML declarations, sheet dimensions. The zip checks (``open_archive``, ``check_parts``)
serve any Office Open XML file: attached documents go through them too."""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

from flask_babel import gettext as _

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
#: XML parts are read in chunks of this size up to their root element, where a DOCTYPE would end
XML_CHUNK_BYTES = 64 * 1024
ROOT_ELEMENT = re.compile(rb"<[A-Za-z_]")
UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")
DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
#: what the zip module raises for a damaged archive: a bad checksum, a truncated or invalid deflate
#: stream, impossible header fields, an unknown compression method
DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError, ValueError,
          OverflowError, struct.error)
#: the compression methods Excel and every other spreadsheet program write
METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
LOCAL_HEADER = struct.Struct("<4s5H3I2H")
LOCAL_SIGNATURE = b"PK\x03\x04"
#: the local header's sizes when the real ones are in its zip64 extra field
ZIP64_MARK = 0xFFFFFFFF
#: flag bit: the sizes and checksum follow the data (the local header may hold zeros)
DATA_DESCRIPTOR = 0x8


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
    with open(path, "rb") as file:
        head = file.read(8)
        size = file.seek(0, 2)
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
        with open_archive(file, limits) as archive:
            _check_workbook(archive, limits)
            check_parts(archive, file, limits, _check_sheet)


def one_line(error: object, limit: int = 200) -> str:
    """An error's text on one short line (a refusal is one line)."""
    text = " ".join(str(error).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def damaged(name: str, error: object) -> Refused:
    """The refusal of a file with a part that cannot be read."""
    return Refused(_("the file is damaged: the part %(name)r cannot be read (%(error)s)",
                     name=name, error=one_line(error)))


def open_archive(file: BinaryIO, limits: Limits) -> zipfile.ZipFile:
    """The zip archive in file (seekable), once its directory is sound: within the limits, no
    part outside the archive or named twice, none encrypted or compressed unusually."""
    try:
        archive = zipfile.ZipFile(file)
    except DAMAGE as error:
        raise Refused(_("the file is damaged or truncated (%(error)s)",
                        error=one_line(error))) from error
    try:
        _check_directory(archive, limits)
    except Refused:
        archive.close()
        raise
    return archive


def _check_directory(archive: zipfile.ZipFile, limits: Limits) -> None:
    entries = archive.infolist()
    if len(entries) > limits.max_entries:
        raise Refused(_("the file has %(count)s parts; the limit is %(limit)s",
                        count=len(entries), limit=limits.max_entries))
    names = set()
    total = 0
    for entry in entries:
        name = entry.filename
        path = PurePosixPath(name)
        if name.startswith(("/", "\\")) or ".." in path.parts or ":" in name or "\\" in name:
            raise Refused(_("the file contains a part with a path outside the archive: %(name)r",
                            name=name))
        if name in names:
            raise Refused(_("the file contains the part %(name)r twice", name=name))
        names.add(name)
        if entry.flag_bits & 0x1:
            raise Refused(_("the file is encrypted; remove the password and save it again"))
        if entry.compress_type not in METHODS:
            raise damaged(name, _("compression method %(method)s", method=entry.compress_type))
        total += entry.file_size
        if entry.compress_size and entry.file_size / entry.compress_size > limits.max_ratio:
            raise Refused(_("the part %(name)r expands %(ratio)s times (a zip bomb?); the limit is "
                            "%(limit)s", name=name, ratio=f"{entry.file_size / entry.compress_size:,.0f}",
                            limit=limits.max_ratio))
    if total > limits.max_uncompressed_bytes:
        raise Refused(_("the file expands to %(size)s bytes; the limit is %(limit)s",
                        size=f"{total:,}", limit=f"{limits.max_uncompressed_bytes:,}"))


def _check_workbook(archive: zipfile.ZipFile, limits: Limits) -> None:
    """The parts say it is a workbook, without macros, of a bearable number of sheets."""
    names = set(archive.namelist())
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise Refused(_("this zip file is not an Excel workbook (.xlsx)"))
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise Refused(_("macro workbooks (.xlsm) are refused; save the workbook as .xlsx"))
    sheets = [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    if len(sheets) > limits.max_sheets:
        raise Refused(_("the workbook has %(count)s sheets; the limit is %(limit)s",
                        count=len(sheets), limit=limits.max_sheets))
    try:
        content_types = archive.read("[Content_Types].xml")
    except DAMAGE as error:
        raise damaged("[Content_Types].xml", error) from error
    if b"macroEnabled" in content_types:
        raise Refused(_("macro workbooks (.xlsm) are refused; save the workbook as .xlsx"))


def check_parts(archive: zipfile.ZipFile, file: BinaryIO, limits: Limits,
                check_xml: Callable[[str, bytes, Limits], None] | None = None) -> None:
    """Each part's local header agrees with the directory, and each part reads through whole,
    its length and checksum right; XML parts are UTF-8 without a DOCTYPE or entities (check_xml,
    if given, looks further at each XML part's beginning)."""
    _check_headers(archive, file)
    for entry in archive.infolist():
        xml = entry.filename.endswith((".xml", ".rels", ".vml"))
        try:
            prologue = _read_part(archive, entry, xml)
        except DAMAGE as error:
            raise damaged(entry.filename, error) from error
        if not xml:
            continue
        if prologue.startswith(UTF16_MARKS) or b"\x00" in prologue[:64]:
            raise Refused(_("the part %(name)r is not UTF-8 XML, as office programs write it",
                            name=entry.filename))
        if b"<!DOCTYPE" in prologue or b"<!ENTITY" in prologue:
            raise Refused(_("the part %(name)r declares XML entities or a DOCTYPE, which "
                            "office documents never need", name=entry.filename))
        if check_xml is not None:
            check_xml(entry.filename, prologue, limits)


def _check_headers(archive: zipfile.ZipFile, file: BinaryIO) -> None:
    """Each part's local header agrees with the directory, and no part runs into the next one
    (the zip module reads the directory; other readers trust the local headers)."""
    entries = sorted(archive.infolist(), key=lambda entry: entry.header_offset)
    ends = [entry.header_offset for entry in entries[1:]] + [archive.start_dir]
    for entry, end in zip(entries, ends, strict=True):
        file.seek(entry.header_offset)
        header = file.read(LOCAL_HEADER.size)
        if len(header) < LOCAL_HEADER.size:
            raise damaged(entry.filename, _("its local header is cut off"))
        (signature, _version, flags, method, _time, _date, crc, compressed, size, name_length,
         extra_length) = LOCAL_HEADER.unpack(header)
        declared = {"crc": (crc, entry.CRC), "compressed size": (compressed, entry.compress_size),
                    "size": (size, entry.file_size)}
        wrong = [field for field, (local, central) in declared.items()
                 if local != central and not (flags & DATA_DESCRIPTOR and local == 0)
                 and not (field != "crc" and local == ZIP64_MARK)]
        if signature != LOCAL_SIGNATURE or method != entry.compress_type or wrong:
            raise damaged(entry.filename, _("its local header disagrees with the directory "
                                            "(%(fields)s)", fields=", ".join(wrong) or
                                            _("compression method")))
        data_end = (entry.header_offset + LOCAL_HEADER.size + name_length + extra_length
                    + entry.compress_size)
        if data_end > end:
            raise damaged(entry.filename, _("it runs into the next part"))


def _read_part(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, xml: bool) -> bytes:
    """Read the whole part, a chunk at a time, so that its length and checksum are checked; return
    (for XML) its bytes up to the root element's first child: all a DOCTYPE could precede."""
    prologue = b""
    complete = not xml
    length = 0
    with archive.open(entry) as part:
        while chunk := part.read(XML_CHUNK_BYTES):
            length += len(chunk)
            if complete:
                continue
            prologue += chunk
            root = ROOT_ELEMENT.search(prologue)
            if root and b"<!--" not in prologue[:root.start()].rsplit(b"-->", 1)[-1]:
                prologue = prologue[:root.start() + XML_CHUNK_BYTES]
                complete = True
    if length != entry.file_size:
        raise zipfile.BadZipFile(_("%(length)s bytes where the directory declares %(size)s",
                                   length=f"{length:,}", size=f"{entry.file_size:,}"))
    return prologue


def _check_sheet(name: str, prologue: bytes, limits: Limits) -> None:
    """A worksheet's declared dimension is within the limits of rows and columns."""
    if not name.startswith("xl/worksheets/"):
        return
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
