"""Hostile and broken files given to `registry import`: each is built for real (zipfile, xlsxwriter,
openpyxl or plain bytes), refused by the guard before any parser sees it (or by the reader for what
only shows once parsed) with one line that says why, and refused end to end by the real command:
exit 2, one "Refused:" line, nothing written, in bounded time and memory."""

from __future__ import annotations

import os
import random
import re
import sqlite3
import string
import struct
import subprocess
import tracemalloc
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from registry.exchange import guard, read
from registry.exchange.guard import Limits, Refused
from tests.served import REGISTRY

HEADERS = ["Code", "Purpose of use", "Status"]
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SHEET1 = "xl/worksheets/sheet1.xml"
#: the zip bomb's sheet: 200 MiB of blank space (valid XML) that deflate shrinks about 1000 times
BOMB_CHUNK = b" " * (1 << 20)
BOMB_CHUNKS = 200
#: what the guard may allocate while refusing any of these files
GUARD_MEMORY_BYTES = 16 * 1024 * 1024


# --- builders: each writes one kind of file into a directory and returns its path ---------------


def purposes_workbook(path: Path, rows: int = 3, columns: int = 3) -> Path:
    """A genuine workbook (xlsxwriter) with a "Purposes" sheet: the headers, then rows of data."""
    headers = HEADERS + [f"Extra {n}" for n in range(len(HEADERS) + 1, columns + 1)]
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Purposes")
    sheet.write_row(0, 0, headers)
    for row in range(1, rows + 1):
        values = [f"P{row:04d}", f"Purpose number {row}", "active"]
        values += [f"r{row}c{column}" for column in range(len(HEADERS) + 1, columns + 1)]
        sheet.write_row(row, 0, values)
    book.close()
    return path


def rewrite(source: Path, target: Path, replace: dict[str, bytes] | None = None,
            add: tuple[tuple[str, bytes], ...] = ()) -> Path:
    """Copy a zip entry by entry, replacing some entries' bytes and appending others (even
    duplicate or escaping names, as a hand-made hostile archive would hold)."""
    replace = replace or {}
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for entry in old.infolist():
            new.writestr(entry.filename, replace.get(entry.filename, old.read(entry)))
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Duplicate name", UserWarning)
            for name, data in add:
                new.writestr(name, data)
    return target


def with_doctype(xml: bytes, doctype: bytes) -> bytes:
    """Insert a DOCTYPE right after the XML declaration."""
    declaration, rest = xml.split(b"?>", 1)
    return declaration + b"?>\n" + doctype + rest


def text_file(directory: Path) -> Path:
    path = directory / "notes.txt"
    path.write_text("Purposes of use, as agreed at the meeting:\n- payroll\n- recruitment\n")
    return path


def csv_file(directory: Path) -> Path:
    path = directory / "purposes.csv"
    path.write_text("Code,Purpose of use,Status\nP1,Payroll,active\nP2,Recruitment,active\n")
    return path


def empty_file(directory: Path) -> Path:
    path = directory / "empty.xlsx"
    path.write_bytes(b"")
    return path


def legacy_xls(directory: Path) -> Path:
    path = directory / "legacy.xls"
    path.write_bytes(OLE2 + b"\x00" * 4088)
    return path


def password_protected(directory: Path) -> Path:
    """Excel keeps an encrypted workbook in an OLE2 container with an EncryptedPackage stream."""
    path = directory / "protected.xlsx"
    body = bytearray(4088)
    name = "EncryptedPackage".encode("utf-16-le")
    body[1024:1024 + len(name)] = name
    path.write_bytes(OLE2 + bytes(body))
    return path


def macro_workbook(directory: Path) -> Path:
    source = purposes_workbook(directory / "plain.xlsx")
    with zipfile.ZipFile(source) as archive:
        types = archive.read("[Content_Types].xml")
    types = types.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                          b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    types = types.replace(b"</Types>", b'<Default Extension="bin" '
                                       b'ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    assert b"macroEnabled" in types
    return rewrite(source, directory / "macros.xlsx", {"[Content_Types].xml": types},
                   add=(("xl/vbaProject.bin", OLE2 + b"\x00" * 1016),))


def truncated_workbook(directory: Path) -> Path:
    whole = purposes_workbook(directory / "whole.xlsx", rows=100).read_bytes()
    path = directory / "truncated.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    return path


def zip_bomb(directory: Path) -> Path:
    """A workbook whose sheet is ~200 MB of repetition, streamed so that building it stays light."""
    source = purposes_workbook(directory / "plain.xlsx")
    path = directory / "bomb.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for entry in old.infolist():
            if entry.filename != SHEET1:
                new.writestr(entry.filename, old.read(entry))
                continue
            head, _ = old.read(entry).split(b"<sheetData>", 1)
            with new.open(SHEET1, "w") as sheet:
                sheet.write(head + b"<sheetData>")
                for _ in range(BOMB_CHUNKS):
                    sheet.write(BOMB_CHUNK)
                sheet.write(b"</sheetData></worksheet>")
    return path


def billion_laughs(directory: Path) -> Path:
    source = purposes_workbook(directory / "plain.xlsx")
    entities = [b'<!ENTITY lol0 "lol">']
    entities += [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">'.encode() for n in range(1, 10)]
    doctype = b"<!DOCTYPE worksheet [\n" + b"\n".join(entities) + b"\n]>\n"
    with zipfile.ZipFile(source) as archive:
        sheet = archive.read(SHEET1)
    sheet = re.sub(rb'<c r="A1"[^>]*>.*?</c>', b'<c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c>',
                   with_doctype(sheet, doctype), count=1)
    assert b"&lol9;" in sheet
    return rewrite(source, directory / "laughs.xlsx", {SHEET1: sheet})


def external_entity(directory: Path) -> Path:
    source = purposes_workbook(directory / "plain.xlsx")
    doctype = b'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    with zipfile.ZipFile(source) as archive:
        strings = archive.read("xl/sharedStrings.xml")
    strings = with_doctype(strings, doctype).replace(b"<t>Purpose number 1</t>", b"<t>&xxe;</t>")
    assert b"&xxe;" in strings
    return rewrite(source, directory / "xxe.xlsx", {"xl/sharedStrings.xml": strings})


def set_dimension(source: Path, target: Path, ref: str) -> Path:
    with zipfile.ZipFile(source) as archive:
        sheet = archive.read(SHEET1)
    sheet, found = re.subn(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), sheet)
    assert found == 1
    return rewrite(source, target, {SHEET1: sheet})


def false_dimension(directory: Path) -> Path:
    return set_dimension(purposes_workbook(directory / "plain.xlsx"), directory / "huge-claim.xlsx",
                         "A1:XFD1048576")


def too_many_sheets(directory: Path) -> Path:
    path = directory / "sheets.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for number in range(1, 42):
        book.add_worksheet(f"Sheet {number}").write(0, 0, number)
    book.close()
    return path


def too_many_rows(directory: Path) -> Path:
    return purposes_workbook(directory / "rows.xlsx", rows=200)


def rows_under_a_small_dimension(directory: Path) -> Path:
    """200 rows under a dimension that claims one: only reading the sheet can count them."""
    return set_dimension(purposes_workbook(directory / "plain.xlsx", rows=200),
                         directory / "rows-hidden.xlsx", "A1:C1")


def too_many_columns(directory: Path) -> Path:
    return purposes_workbook(directory / "columns.xlsx", rows=3, columns=20)


def cell_too_long(directory: Path) -> Path:
    """openpyxl cuts text at Excel's 32,767 characters, so the long text goes into its XML after."""
    plain = directory / "plain.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Purposes"
    sheet.append(HEADERS)
    sheet.append(["P1", "LONG-TEXT-PLACEHOLDER", "active"])
    book.save(plain)
    # random letters: a run of one letter would compress like a zip bomb and be refused for that
    text = "".join(random.Random(7).choices(string.ascii_letters, k=40_000)).encode()
    with zipfile.ZipFile(plain) as archive:
        xml = archive.read(SHEET1)
    assert b"LONG-TEXT-PLACEHOLDER" in xml
    return rewrite(plain, directory / "long-cell.xlsx",
                   {SHEET1: xml.replace(b"LONG-TEXT-PLACEHOLDER", text)})


def parent_path_entry(directory: Path) -> Path:
    return rewrite(purposes_workbook(directory / "plain.xlsx"), directory / "dotdot.xlsx",
                   add=(("../evil.xml", b"<evil/>"),))


def absolute_path_entry(directory: Path) -> Path:
    return rewrite(purposes_workbook(directory / "plain.xlsx"), directory / "absolute.xlsx",
                   add=(("/abs.xml", b"<evil/>"),))


def duplicate_entry(directory: Path) -> Path:
    source = purposes_workbook(directory / "plain.xlsx")
    with zipfile.ZipFile(source) as archive:
        original = archive.read("xl/workbook.xml")
    return rewrite(source, directory / "duplicate.xlsx", add=(("xl/workbook.xml", original),))


def lying_sizes(directory: Path) -> Path:
    """A zip bomb whose directory declares a harmless size (three times the compressed one), so the
    guard's ratio check cannot see it: the reader must stop at the declared size."""
    bomb = zip_bomb(directory)
    with zipfile.ZipFile(bomb) as archive:
        sheet = archive.getinfo(SHEET1)
    data = bytearray(bomb.read_bytes())
    declared = sheet.compress_size * 3
    assert data[sheet.header_offset:sheet.header_offset + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, sheet.header_offset + 22, declared)  # local header
    central = data.find(b"PK\x01\x02")
    while central != -1:
        length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46:central + 46 + length] == SHEET1.encode():
            struct.pack_into("<I", data, central + 24, declared)  # central directory
        central = data.find(b"PK\x01\x02", central + 4)
    path = directory / "liar.xlsx"
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo(SHEET1).file_size == declared
    return path


def doctype_after_comment(directory: Path) -> Path:
    """Entities declared after a 5 KB comment: still before the root element, as XML allows."""
    source = purposes_workbook(directory / "plain.xlsx")
    doctype = b"<!--" + b"x" * 5000 + b'-->\n<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    with zipfile.ZipFile(source) as archive:
        strings = archive.read("xl/sharedStrings.xml")
    strings = with_doctype(strings, doctype).replace(b"<t>Purpose number 1</t>", b"<t>&xxe;</t>")
    return rewrite(source, directory / "late-doctype.xlsx", {"xl/sharedStrings.xml": strings})


def utf16_doctype(directory: Path) -> Path:
    """The shared strings in UTF-16, where a byte search for "<!DOCTYPE" finds nothing."""
    source = purposes_workbook(directory / "plain.xlsx")
    doctype = b'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    with zipfile.ZipFile(source) as archive:
        strings = archive.read("xl/sharedStrings.xml")
    strings = with_doctype(strings, doctype).replace(b"<t>Purpose number 1</t>", b"<t>&xxe;</t>")
    strings = strings.replace(b'encoding="UTF-8"', b'encoding="UTF-16"')
    utf16 = "\ufeff".encode("utf-16-le") + strings.decode().encode("utf-16-le")
    return rewrite(source, directory / "utf16.xlsx", {"xl/sharedStrings.xml": utf16})


# --- damaged archives: a zip written byte by byte, so that its headers can say anything -----------


@dataclass(frozen=True)
class RawPart:
    """One zip entry as stored, with what the central directory declares about it."""

    name: str
    stored: bytes
    method: int
    crc: int
    compressed: int
    size: int


def raw_parts(path: Path) -> list[RawPart]:
    """A workbook's entries, deflated again (so each part's bytes are known exactly)."""
    parts = []
    with zipfile.ZipFile(path) as archive:
        for entry in archive.infolist():
            data = archive.read(entry)
            deflater = zlib.compressobj(6, zlib.DEFLATED, -15)
            stored = deflater.compress(data) + deflater.flush()
            parts.append(RawPart(entry.filename, stored, zipfile.ZIP_DEFLATED, zlib.crc32(data),
                                 len(stored), len(data)))
    return parts


def assemble(parts: list[RawPart], path: Path, local: dict[str, dict] | None = None) -> Path:
    """Write the parts as a zip; `local` gives, per part name, fields its local header declares
    instead of the directory's (method, crc, compressed, size)."""
    local = local or {}
    body, directory = bytearray(), bytearray()
    for part in parts:
        name = part.name.encode()
        own = replace(part, **local.get(part.name, {}))
        directory += struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, part.method, 0, 0x21,
                                 part.crc, part.compressed, part.size, len(name), 0, 0, 0, 0, 0,
                                 len(body)) + name
        body += struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, own.method, 0, 0x21, own.crc,
                            own.compressed, own.size, len(name), 0) + name + part.stored
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(directory),
                      len(body), 0)
    path.write_bytes(bytes(body + directory + end))
    return path


def damaged(directory: Path, name: str, both=lambda part: {}, local=lambda part: {}) -> Path:
    """A genuine workbook whose sheet entry is changed: `both` gives fields both headers declare
    (or the stored bytes), `local` fields only its local header declares."""
    parts = raw_parts(purposes_workbook(directory / "plain.xlsx", rows=50))
    parts = [replace(p, **both(p)) if p.name == SHEET1 else p for p in parts]
    sheet = next(p for p in parts if p.name == SHEET1)
    return assemble(parts, directory / name, {SHEET1: local(sheet)})


def local_header_lies(directory: Path) -> Path:
    """Only the local header lies about the sizes (zipfile reads the directory's)."""
    return damaged(directory, "local-lies.xlsx",
                   local=lambda p: {"compressed": p.compressed // 2, "size": p.size * 2})


def sizes_lie_smaller(directory: Path) -> Path:
    """Both headers declare fewer bytes than the part expands to."""
    return damaged(directory, "smaller.xlsx", lambda p: {"size": p.size - 100})


def sizes_lie_larger(directory: Path) -> Path:
    """Both headers declare more bytes than the part expands to (at a ratio the guard accepts)."""
    return damaged(directory, "larger.xlsx", lambda p: {"size": p.size + 100})


def compressed_size_lies(directory: Path) -> Path:
    """The compressed size runs into the next entry's local header."""
    return damaged(directory, "overlap.xlsx", lambda p: {"compressed": p.compressed + 40})


def wrong_crc(directory: Path) -> Path:
    return damaged(directory, "crc.xlsx", lambda p: {"crc": p.crc ^ 0x5A5A})


def truncated_deflate(directory: Path) -> Path:
    """The deflate stream stops half way; the headers agree with what is there."""
    return damaged(directory, "cut-stream.xlsx", lambda p: {
        "stored": p.stored[:len(p.stored) // 2], "compressed": len(p.stored) // 2})


def garbage_in_deflate(directory: Path) -> Path:
    def spoil(part: RawPart) -> dict:
        middle = len(part.stored) // 2
        return {"stored": part.stored[:middle] + b"\xff" * 16 + part.stored[middle + 16:]}
    return damaged(directory, "garbage-stream.xlsx", spoil)


def unknown_compression(directory: Path) -> Path:
    return damaged(directory, "method.xlsx", lambda p: {"method": 99})


def garbage_xml(directory: Path) -> Path:
    """A well-formed zip whose sheet is not XML at all (the guard's quick look passes it)."""
    text = b'<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1" t="s"><v>7</v'
    text += bytes(random.Random(3).choices(range(32, 127), k=400))
    return rewrite(purposes_workbook(directory / "plain.xlsx"), directory / "garbage.xlsx",
                   {SHEET1: text})


# --- the cases ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hostile:
    """A file kind; what the guard's refusal says (None: the guard lets it through), what the
    reader's says (None: not read, the guard alone must stop it); limits and their variables."""

    build: Callable[[Path], Path]
    guard_says: str | None
    read_says: str | None = None
    limits: Limits = Limits()
    env: dict[str, str] = field(default_factory=dict)

    @property
    def says(self) -> str:
        return self.guard_says or self.read_says


SMALL_ROWS = {"limits": Limits(max_rows=50), "env": {"REGISTRY_IMPORT_MAX_ROWS": "50"}}
SMALL_COLUMNS = {"limits": Limits(max_columns=10), "env": {"REGISTRY_IMPORT_MAX_COLUMNS": "10"}}

CASES = {
    "text": Hostile(text_file, "not an excel workbook"),
    "csv": Hostile(csv_file, "not an excel workbook"),
    "empty": Hostile(empty_file, "empty"),
    "legacy-xls": Hostile(legacy_xls, "legacy .xls"),
    "password": Hostile(password_protected, "password-protected"),
    "macro": Hostile(macro_workbook, "macro"),
    "truncated": Hostile(truncated_workbook, "damaged or truncated"),
    "zip-bomb": Hostile(zip_bomb, "zip bomb"),
    "billion-laughs": Hostile(billion_laughs, "doctype"),
    "external-entity": Hostile(external_entity, "doctype"),
    "false-dimension": Hostile(false_dimension, "claims 1,048,576 rows and 16,384 columns"),
    "too-many-sheets": Hostile(too_many_sheets, "41 sheets"),
    "too-many-rows": Hostile(too_many_rows, "claims 201 rows", "has 201 rows", **SMALL_ROWS),
    "rows-hidden": Hostile(rows_under_a_small_dimension, None, "has 201 rows", **SMALL_ROWS),
    "too-many-columns": Hostile(too_many_columns, "20 columns; the limits are", "more than 10 columns",
                                **SMALL_COLUMNS),
    "cell-too-long": Hostile(cell_too_long, None, "holds 40,000 characters; the limit is 32,767"),
    "parent-path": Hostile(parent_path_entry, "outside the archive: '../evil.xml'"),
    "absolute-path": Hostile(absolute_path_entry, "outside the archive: '/abs.xml'"),
    "duplicate-entry": Hostile(duplicate_entry, "'xl/workbook.xml' twice"),
    "local-header-lies": Hostile(local_header_lies, "damaged"),
    "sizes-lie-smaller": Hostile(sizes_lie_smaller, "damaged"),
    "sizes-lie-larger": Hostile(sizes_lie_larger, "damaged"),
    "compressed-size-lies": Hostile(compressed_size_lies, "damaged"),
    "wrong-crc": Hostile(wrong_crc, "damaged"),
    "truncated-deflate": Hostile(truncated_deflate, "damaged"),
    "garbage-in-deflate": Hostile(garbage_in_deflate, "damaged"),
    "unknown-compression": Hostile(unknown_compression, "damaged"),
    "garbage-xml": Hostile(garbage_xml, None, "cannot be read"),
}
READ_CASES = {name: case for name, case in CASES.items() if case.read_says}

#: files that hide their trick from a quick look (lying directory sizes, a DOCTYPE after a long
#: comment, UTF-16 parts): refused before anything is written, by the guard or else by the reader
LATE_CASES = {
    "lying-sizes": (lying_sizes, ("zip bomb", "declared", "cannot be read")),
    "doctype-after-comment": (doctype_after_comment, ("doctype", "cannot be read")),
    "utf16-doctype": (utf16_doctype, ("doctype", "not utf-8", "cannot be read")),
}


def one_line(message: str) -> str:
    assert message and "\n" not in message and "\r" not in message, repr(message)
    return message.lower()


# --- the guard and the reader, in process ---------------------------------------------------------


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_guard(case, tmp_path):
    path = case.build(tmp_path)
    tracemalloc.start()
    try:
        if case.guard_says is None:
            guard.inspect(path, case.limits)  # only reading the sheet shows what is wrong
            return
        with pytest.raises(Refused) as refusal:
            guard.inspect(path, case.limits)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert case.guard_says.lower() in one_line(str(refusal.value))
    assert peak < GUARD_MEMORY_BYTES, f"the guard allocated {peak:,} bytes"


@pytest.mark.parametrize("case", READ_CASES.values(), ids=READ_CASES.keys())
def test_reader(case, tmp_path):
    with pytest.raises(Refused) as refusal:
        read.read(case.build(tmp_path), case.limits)
    assert case.read_says.lower() in one_line(str(refusal.value))


@pytest.mark.parametrize(("build", "reasons"), LATE_CASES.values(), ids=LATE_CASES.keys())
def test_guard_then_reader(build, reasons, tmp_path):
    """What the import pipeline does: the guard, then the reader; one of them refuses."""
    path = build(tmp_path)
    with pytest.raises(Refused) as refusal:
        guard.inspect(path, Limits())
        read.read(path, Limits())
    message = one_line(str(refusal.value))
    assert any(reason in message for reason in reasons), message


def test_zip_bomb_is_what_it_claims(tmp_path):
    """The bomb really expands ~1000 times to ~200 MB (so the guard's refusal is earned)."""
    with zipfile.ZipFile(zip_bomb(tmp_path)) as archive:
        sheet = archive.getinfo(SHEET1)
    assert sheet.file_size > 200_000_000
    assert sheet.file_size / sheet.compress_size > 500


def test_limits_refuse_nothing_ordinary(tmp_path):
    """The small limits used above still let an ordinary workbook through guard and reader."""
    path = purposes_workbook(tmp_path / "ordinary.xlsx", rows=40, columns=8)
    for limits in (Limits(), SMALL_ROWS["limits"], SMALL_COLUMNS["limits"]):
        guard.inspect(path, limits)
        parsed = read.read(path, limits)
        assert [len(sheet.rows) for sheet in parsed.sheets] == [40]


# --- end to end: the real `registry import` command -----------------------------------------------


@pytest.fixture(scope="module")
def cli_database(tmp_path_factory) -> tuple[dict, Path]:
    """A database file of its own, brought up once with `registry init`."""
    db_file = tmp_path_factory.mktemp("cli") / "cli.db"
    env = {**os.environ, "REGISTRY_DATABASE_URL": f"sqlite:///{db_file}", "REGISTRY_SECRET_KEY": "x"}
    done = subprocess.run([REGISTRY, "init"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return env, db_file


def counts(db_file: Path) -> dict[str, int]:
    with sqlite3.connect(db_file) as connection:
        return {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("purposes", "audit_entries", "import_batches")}


def refused_by_cli(cli_database, path: Path, *options: str,
                   env: dict[str, str] | None = None) -> str:
    """Run `registry import` (a hang fails at the timeout); check exit 2, one "Refused:" line,
    nothing written. Returns the line."""
    base_env, db_file = cli_database
    before = counts(db_file)
    done = subprocess.run([REGISTRY, "import", str(path), *options], env={**base_env, **(env or {})},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Refused:"), done.stderr
    assert lines[0].startswith(f"Refused: {path.name}: ") and lines[0].endswith("Nothing was written.")
    assert counts(db_file) == before
    return lines[0]


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_cli_refuses(case, cli_database, tmp_path):
    line = refused_by_cli(cli_database, case.build(tmp_path), env=case.env)
    assert case.says.lower() in line.lower()


@pytest.mark.parametrize(("build", "reasons"), LATE_CASES.values(), ids=LATE_CASES.keys())
def test_cli_refuses_what_the_guard_may_miss(build, reasons, cli_database, tmp_path):
    line = refused_by_cli(cli_database, build(tmp_path))
    assert any(reason in line.lower() for reason in reasons), line


def test_cli_refuses_zip_bomb_before_expanding_it(cli_database, tmp_path):
    assert "zip bomb" in refused_by_cli(cli_database, zip_bomb(tmp_path))


@pytest.mark.parametrize("options", [("--dry-run",), ("--sync",), ("--dry-run", "--sync")])
def test_cli_refuses_whatever_the_options(options, cli_database, tmp_path):
    line = refused_by_cli(cli_database, external_entity(tmp_path), *options)
    assert "DOCTYPE" in line
