"""The formats of file kept as evidence, told by the bytes themselves (never by the file's name
or the browser's word): PDF, PNG, JPEG, and the Office Open XML workbooks and documents, whose
zip archives go through the workbook guard's checks before their parts are believed."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from xml.etree import ElementTree

from registry.core.i18n import lazy_gettext as _l
from registry.exchange.guard import (
    DAMAGE,
    ZIP_SIGNATURE,
    Limits,
    Refused,
    check_parts,
    damaged,
    open_archive,
)


@dataclass(frozen=True)
class Format:
    """A format the registry keeps: its media type, the endings of its files, its name."""

    content_type: str
    extensions: tuple[str, ...]
    name: str


PDF = Format("application/pdf", (".pdf",), "PDF")
PNG = Format("image/png", (".png",), "PNG")
JPEG = Format("image/jpeg", (".jpg", ".jpeg"), "JPEG")
XLSX = Format("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",),
              "Excel")
DOCX = Format("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              (".docx",), "Word")
FORMATS = (PDF, PNG, JPEG, XLSX, DOCX)
#: the endings a file picker offers (the bytes decide, whatever the ending)
ACCEPTED = ",".join(extension for found in FORMATS for extension in found.extensions)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
CONTENT_TYPES = "[Content_Types].xml"
PACKAGE_NAMESPACE = "{http://schemas.openxmlformats.org/package/2006/content-types}"
#: the content type of an Office file's main part, and the format it makes the file
MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
}

NOT_KEPT = _l("This is not a PDF, PNG, JPEG, Excel (.xlsx) or Word (.docx) file, whatever its "
              "name says; the registry keeps no other kind of file.")


def identify(content: bytes, limits: Limits) -> Format:
    """The format of content; Refused (saying why) for any other, or an Office file whose archive
    is damaged, hostile or holds macros."""
    if not content:
        raise Refused(_l("The file is empty."))
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(PNG_SIGNATURE) and content[12:16] == b"IHDR":
        return PNG
    if content.startswith(JPEG_SIGNATURE):
        return JPEG
    if content.startswith(ZIP_SIGNATURE):
        return _office(content, limits)
    raise Refused(NOT_KEPT)


def _office(content: bytes, limits: Limits) -> Format:
    """An Excel workbook or a Word document: a sound archive whose [Content_Types].xml declares
    the main part of one, and that part present."""
    stream = io.BytesIO(content)
    with open_archive(stream, limits) as archive:
        check_parts(archive, stream, limits)  # every part read through: no DOCTYPE, checksums
        names = set(archive.namelist())
        if CONTENT_TYPES not in names:
            raise Refused(NOT_KEPT)
        if any(PurePosixPath(name).name.lower() == "vbaproject.bin" for name in names):
            raise Refused(_l("Files with macros (.xlsm, .docm) are refused: save it as .xlsx or "
                             ".docx."))
        declared = _overrides(archive)
    found = {MAIN_PARTS[kind] for part, kind in declared.items()
             if kind in MAIN_PARTS and part.lstrip("/") in names}
    if len(found) != 1:
        macros = any("macroEnabled" in kind for kind in declared.values())
        raise Refused(_l("Files with macros (.xlsm, .docm) are refused: save it as .xlsx or "
                         ".docx.") if macros else NOT_KEPT)
    return found.pop()


def _overrides(archive: zipfile.ZipFile) -> dict[str, str]:
    """The parts [Content_Types].xml names, with their content types."""
    try:
        root = ElementTree.fromstring(archive.read(CONTENT_TYPES))
    except (*DAMAGE, ElementTree.ParseError) as error:
        raise damaged(CONTENT_TYPES, error) from error
    return {element.get("PartName", ""): element.get("ContentType", "")
            for element in root.iter(f"{PACKAGE_NAMESPACE}Override")}


def named_for(name: str, found: Format) -> str:
    """The file's name, ending as its format does ("scan" -> "scan.pdf", "x.html" ->
    "x.html.pdf"): a download is saved, and opened, as what it is."""
    if PurePosixPath(name.lower()).suffix in found.extensions:
        return name
    return name[:255 - len(found.extensions[0])] + found.extensions[0]
