"""Checking an evidence file before it is stored: what it really is, and a safe name for it.

The type is decided by the file's content, never by its name: a name is whatever the supplier's
computer called it, and an executable renamed "invoice.pdf" is still an executable. Only a few
document types are accepted, so nothing that a browser or Office could run gets through.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from portal.domain import zips

MB = zips.MB

EMPTY = "The selected file is empty"
WRONG_TYPE = "The selected file must be a PDF, PNG, JPEG, CSV, XLSX or DOCX"
MACROS = "The selected file must not contain macros"
TOO_MANY_PARTS = zips.TOO_MANY_PARTS

# Zip bombs (the rule is in portal.domain.zips, shared with spreadsheet imports): evidence is
# never unpacked here, but whatever opens the file later would.
_MAX_UNZIPPED = 200 * MB
_UNZIPPED_RATIO = 20

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# C0 and C1 control characters, less tab, CR and LF.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What browsers sniff as HTML or XML (WHATWG MIME sniffing): refused even when named .csv.
_MARKUP = re.compile(
    r"\s*<(?:(?:!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body"
    r"|br|p|svg)[\s>/]|!--|\?xml)",
    re.IGNORECASE,
)
# An extension worth replacing: up to 5 letters/digits with at least one letter (not "v1.2").
_EXTENSION = re.compile(r"\.(?=[0-9]*[a-z])[a-z0-9]{1,5}$", re.IGNORECASE)
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{p}{n}" for p in ("COM", "LPT") for n in range(10)
}
_MAX_STEM = 100


class FileKind(StrEnum):
    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"
    CSV = "csv"
    XLSX = "xlsx"
    DOCX = "docx"

    @property
    def mimetype(self) -> str:
        return _MIMETYPES[self]

    @property
    def extension(self) -> str:
        return ".jpg" if self is FileKind.JPEG else f".{self.value}"

    @property
    def label(self) -> str:
        return _LABELS[self]


_MIMETYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.PNG: "image/png",
    FileKind.JPEG: "image/jpeg",
    FileKind.CSV: "text/csv",
    FileKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_LABELS = {
    FileKind.PDF: "PDF",
    FileKind.PNG: "PNG image",
    FileKind.JPEG: "JPEG image",
    FileKind.CSV: "CSV",
    FileKind.XLSX: "Excel spreadsheet",
    FileKind.DOCX: "Word document",
}


class RefusedFile(ValueError):
    """str(error) is the message to show the user."""


@dataclass(frozen=True)
class CheckedFile:
    kind: FileKind
    filename: str
    size: int
    sha256: str


def check_file(filename: str, content: bytes, *, max_bytes: int) -> CheckedFile:
    """The file's kind, safe name, size and hash; RefusedFile if it must not be stored."""
    if not content:
        raise RefusedFile(EMPTY)
    if len(content) > max_bytes:
        raise RefusedFile(f"The selected file must be smaller than {max_bytes // MB} MB")
    kind = _sniff(content, max_unzipped=min(_UNZIPPED_RATIO * max_bytes, _MAX_UNZIPPED))
    if kind is None:
        text = _as_text(content)
        if text is not None and not text.strip():
            raise RefusedFile(EMPTY)
        # A one-column CSV has no delimiter to recognise it by; text is harmless, so the name may
        # vouch for it. The name never makes anything else acceptable.
        if text is not None and filename.strip().lower().endswith((".csv", ".txt")):
            kind = FileKind.CSV
    if kind is None:
        raise RefusedFile(WRONG_TYPE)
    return CheckedFile(
        kind=kind,
        filename=safe_filename(filename, kind),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def detect_kind(content: bytes) -> FileKind | None:
    """What the content is, or None if it is not an acceptable (or safe) file."""
    try:
        return _sniff(content, max_unzipped=_MAX_UNZIPPED)
    except RefusedFile:
        return None


def safe_filename(filename: str, kind: FileKind) -> str:
    """A name safe to show and to offer as a download, ending in the kind's extension."""
    # NFKC first, so look-alikes such as a full-width solidus become the real character.
    name = unicodedata.normalize("NFKC", filename)
    name = re.split(r"[/\\]", name)[-1]
    # Letters, digits and combining marks in any script, and a few harmless punctuation marks.
    # Control and format characters (including right-to-left overrides) and quotes go.
    name = "".join(
        char
        for char in name
        if char in "._-()" or char.isspace() or unicodedata.category(char)[0] in "LNM"
    )
    name = re.sub(r"\s+", " ", name)
    name = re.sub(r"\.{2,}", ".", name)
    stem = _EXTENSION.sub("", name).strip(" .")
    # Trailing dots and spaces again after cutting: "x." + ".pdf" would make "x..pdf".
    stem = stem[:_MAX_STEM].rstrip(" .") or "evidence"
    # Council staff save downloads on Windows, which will not create "CON.pdf" or "nul.tar.pdf".
    if stem.split(".")[0].strip().upper() in _WINDOWS_RESERVED:
        stem = f"_{stem[: _MAX_STEM - 1]}"
    return stem + kind.extension


def _sniff(content: bytes, *, max_unzipped: int) -> FileKind | None:
    if content.startswith(b"%PDF-"):
        return FileKind.PDF
    if content.startswith(_PNG_SIGNATURE):
        return FileKind.PNG
    if content.startswith(b"\xff\xd8\xff"):
        return FileKind.JPEG
    if content.startswith(b"PK\x03\x04"):
        return _office_kind(content, max_unzipped=max_unzipped)
    text = _as_text(content)
    if text is not None and text.strip():
        first_line = re.match(r"[^\r\n]*", text.lstrip("\r\n"))
        if first_line and re.search(r"[,;\t]", first_line.group()):
            return FileKind.CSV
    return None


def _office_kind(content: bytes, *, max_unzipped: int) -> FileKind | None:
    entries = zips.entries_of(content)
    if entries is None:
        return None
    try:
        zips.check_entries(entries, max_unzipped=max_unzipped)
    except zips.ZipRefused as refused:
        raise RefusedFile(str(refused)) from refused
    # Part names in Office files are case-insensitive; macros live in vbaProject.bin.
    names = {entry.filename.lower() for entry in entries}
    if any(name.rsplit("/", 1)[-1] == "vbaproject.bin" for name in names):
        raise RefusedFile(MACROS)
    if "[content_types].xml" not in names:
        return None
    is_xlsx = "xl/workbook.xml" in names
    is_docx = "word/document.xml" in names
    if is_xlsx == is_docx:  # neither, or a crafted file claiming to be both
        return None
    return FileKind.XLSX if is_xlsx else FileKind.DOCX


def _as_text(content: bytes) -> str | None:
    """The content as text if it is plain text (not markup), else None."""
    if b"\x00" in content:
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = len(text) - len(_CONTROL.sub("", text))
        if controls > len(text) / 100 or _MARKUP.match(text):
            return None
        return text
    return None
