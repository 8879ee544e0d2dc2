"""Zip bombs: Office files are zips, and a few KB can declare gigabytes.

One rule for every upload that may be a zip (evidence files, spreadsheets to import): it reads only
the zip's directory, never unpacks anything, and refuses a file whose parts are too many or would
unzip to too much. Python's zipfile stops reading a part at its declared size, so what a reader
later unpacks is never more than what was checked here.
"""

from __future__ import annotations

import io
import zipfile

MB = 1024 * 1024
MAX_ENTRIES = 10_000

TOO_MANY_PARTS = "The selected file has too many parts to check"
PACKED_TOO_TIGHTLY = (
    "The selected file is packed too tightly to check safely: "
    "save it again from your spreadsheet or word processor"
)

# Deflate reaches about 1,000 to 1; real spreadsheet parts stay well under 100 to 1. Small parts
# cannot hurt whatever their ratio, so only parts over a megabyte unzipped are held to it.
_RATIO_FROM = MB


class ZipRefused(ValueError):
    """str(error) is the message to show the user."""


def entries_of(content: bytes) -> list[zipfile.ZipInfo] | None:
    """The zip's directory, or None if the content is not a zip we can read."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return None


def check_entries(
    entries: list[zipfile.ZipInfo], *, max_unzipped: int, max_ratio: int | None = None
) -> None:
    """ZipRefused if the parts are too many, unzip to more than max_unzipped bytes in all, or
    (when max_ratio is given) any sizeable part is compressed more than max_ratio to 1."""
    if len(entries) > MAX_ENTRIES:
        raise ZipRefused(TOO_MANY_PARTS)
    if sum(entry.file_size for entry in entries) > max_unzipped:
        raise ZipRefused(f"The selected file must be smaller than {max_unzipped // MB} MB unzipped")
    if max_ratio is not None and any(
        entry.file_size > _RATIO_FROM and entry.file_size > max_ratio * entry.compress_size
        for entry in entries
    ):
        raise ZipRefused(PACKED_TOO_TIGHTLY)
