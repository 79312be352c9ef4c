"""What an uploaded file is, read from its content: never from its name or the browser's word.

Signatures come from puremagic (a pure-Python table of magic numbers, so a fresh machine needs no
libmagic); a few structural checks are added where a magic number alone would let a polyglot in
(a PDF must also end like one, a PNG must start with its header chunk). Office documents are zip
archives that no magic number tells apart, so their structure is read here: Office Open XML by
its `[Content_Types].xml`, OpenDocument by its first entry `mimetype`. Nothing is extracted and
only those two small entries are decompressed, with a bound, so an archive built to expand
enormously (a zip bomb) costs nothing.

Refused on purpose: legacy Office files (.doc, .xls: OLE containers that cannot be checked and
carry macros), macro-enabled Office files (.docm, .xlsm), plain zip archives, and anything else.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import puremagic


@dataclass(frozen=True)
class Kind:
    """An accepted kind of file: the type a download is served as, and the extension it ends in."""

    name: str
    content_type: str
    extension: str
    label: str


_OOXML = "application/vnd.openxmlformats-officedocument"
_ODF = "application/vnd.oasis.opendocument"
KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("pdf", "application/pdf", ".pdf", "PDF"),
    Kind("png", "image/png", ".png", "PNG image"),
    Kind("jpeg", "image/jpeg", ".jpg", "JPEG image"),
    Kind("webp", "image/webp", ".webp", "WebP image"),
    Kind("docx", f"{_OOXML}.wordprocessingml.document", ".docx", "Word document"),
    Kind("xlsx", f"{_OOXML}.spreadsheetml.sheet", ".xlsx", "Excel workbook"),
    Kind("pptx", f"{_OOXML}.presentationml.presentation", ".pptx", "PowerPoint presentation"),
    Kind("odt", f"{_ODF}.text", ".odt", "OpenDocument text"),
    Kind("ods", f"{_ODF}.spreadsheet", ".ods", "OpenDocument spreadsheet"),
    Kind("odp", f"{_ODF}.presentation", ".odp", "OpenDocument presentation"),
)}
ACCEPTED_WORDS = "a PDF, a PNG, JPEG or WebP image, or an office document (.docx, .xlsx, .pptx, .odt, .ods, .odp)"

# The main part of each Office Open XML kind, named in [Content_Types].xml, and the folder it lives in.
_OOXML_MAIN = {
    "docx": (f"{_OOXML}.wordprocessingml.document.main+xml", "word/"),
    "xlsx": (f"{_OOXML}.spreadsheetml.sheet.main+xml", "xl/"),
    "pptx": (f"{_OOXML}.presentationml.presentation.main+xml", "ppt/"),
}
_ODF_KINDS = {KINDS[name].content_type: name for name in ("odt", "ods", "odp")}
_MAGIC_KINDS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpeg", "image/webp": "webp"}
_MACROS = re.compile(rb"macroEnabled|vbaProject", re.IGNORECASE)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
MAX_CONTENT_TYPES_BYTES = 1024 * 1024  # a real [Content_Types].xml is a few kilobytes


class Unsupported(Exception):
    """The content is not one of the accepted kinds; the message says why, for the person uploading."""


def identify(data: bytes) -> Kind:
    """The kind of `data`, or Unsupported with a message that can be shown next to the file field."""
    if not data:
        raise Unsupported("The file is empty.")
    if data.startswith(_OLE):
        raise Unsupported("Old Microsoft Office files (.doc, .xls, .ppt) are not accepted: they can carry macros "
                          "and cannot be checked. Save it as .docx, .xlsx or PDF and upload that.")
    if data.startswith(_ZIP):
        return KINDS[_office_kind(data)]
    name = _magic_kind(data)
    if name is None:
        raise Unsupported(f"This file is not {ACCEPTED_WORDS}{_looks_like(data)}.")
    if not _structure_holds(name, data):
        raise Unsupported(f"This file starts like a {KINDS[name].label} but is not a whole one: it may be damaged "
                          "or cut short, or something else in disguise.")
    return KINDS[name]


def _magic_kind(data: bytes) -> str | None:
    try:
        matches = puremagic.magic_string(data)
    except puremagic.PureError:
        return None
    for match in matches:
        if match.mime_type in _MAGIC_KINDS:
            return _MAGIC_KINDS[match.mime_type]
    return None


def _structure_holds(name: str, data: bytes) -> bool:
    """The checks a signature alone misses: where it must sit, and how the file must end."""
    if name == "pdf":
        # A PDF starts with its header and ends with %%EOF (readers tolerate trailing bytes, within 1 KB).
        return data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]
    if name == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR"
    if name == "jpeg":
        return data.startswith(b"\xff\xd8\xff")
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


# What a disguised file often is, named in a refusal so that the person uploading understands it.
_DISGUISES = {
    "application/vnd.microsoft.portable-executable": "a Windows program",
    "application/x-dosexec": "a Windows program",
    "application/x-executable": "a program",
    "application/x-elf": "a program",
    "application/x-mach-binary": "a program",
    "text/html": "a web page",
    "image/svg+xml": "an SVG drawing (it can hold scripts)",
}


def _looks_like(data: bytes) -> str:
    """" (its content is a Windows program)": what a disguised file is, when it is a known danger."""
    if data.startswith((b"MZ", b"\x7fELF")):
        return " (its content is a program)"
    try:
        matches = puremagic.magic_string(data)
    except puremagic.PureError:
        return ""
    found = next((_DISGUISES[m.mime_type] for m in matches if m.mime_type in _DISGUISES), None)
    return f" (its content is {found})" if found else ""


def _office_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            if entries and entries[0].filename == "mimetype":
                return _odf_kind(archive, entries[0])
            if "[Content_Types].xml" in names:
                return _ooxml_kind(archive, names)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError, OSError):
        raise Unsupported("This zip-based file is damaged or cannot be read.") from None
    raise Unsupported("A zip archive is not accepted: upload the documents in it one by one.")


def _read(archive: zipfile.ZipFile, name: str | zipfile.ZipInfo, limit: int) -> bytes:
    """An entry's first `limit` bytes at most, whatever size its header claims."""
    with archive.open(name) as entry:
        content = entry.read(limit + 1)
    if len(content) > limit:
        raise Unsupported("This office document's structure is not one we accept.")
    return content


def _odf_kind(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> str:
    mimetype = _read(archive, entry, 100).decode("ascii", "replace").strip()
    if mimetype in _ODF_KINDS:
        return _ODF_KINDS[mimetype]
    raise Unsupported(f"This OpenDocument file is not a text, spreadsheet or presentation ({ACCEPTED_WORDS}).")


def _ooxml_kind(archive: zipfile.ZipFile, names: set[str]) -> str:
    types = _read(archive, "[Content_Types].xml", MAX_CONTENT_TYPES_BYTES)
    if _MACROS.search(types) or any(name.lower().endswith("vbaproject.bin") for name in names):
        raise Unsupported("Office documents with macros (.docm, .xlsm, .pptm) are not accepted: save it without "
                          "macros (.docx, .xlsx, .pptx) or as PDF.")
    for kind, (main, folder) in _OOXML_MAIN.items():
        if main.encode() in types and any(name.startswith(folder) for name in names):
            return kind
    raise Unsupported(f"This Office file is not a Word, Excel or PowerPoint document ({ACCEPTED_WORDS}).")
