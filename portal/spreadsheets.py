"""Reading uploaded tables (CSV or .xlsx, recognised by content) and writing exports.

Exported cells never start a formula: a cell beginning with = + - @ (or a tab or carriage return)
gets a leading apostrophe, so a spreadsheet shows the text instead of running it.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 20_000

Cell = str | int | Decimal | date | datetime | None


class UnreadableFile(ValueError):
    """The upload is not a CSV or .xlsx file we can read; the message says so for a person."""


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def read_table(data: bytes) -> list[list[Any]]:
    """Rows of cells, header first. Recognises .xlsx by its zip content, else expects UTF-8 CSV."""
    if not data.strip():
        raise UnreadableFile("The selected file is empty")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    return _read_csv(data)


def _read_xlsx(data: bytes) -> list[list[Any]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UnreadableFile("The selected file must be a CSV or Excel (.xlsx) file") from error
    sheet = workbook.worksheets[0]
    rows: list[list[Any]] = []
    for row in sheet.iter_rows(values_only=True):
        if len(rows) > MAX_ROWS:
            raise UnreadableFile(f"The selected file must have {MAX_ROWS:,} rows or fewer")
        rows.append([_clean(cell) for cell in row])
    workbook.close()
    return _trim(rows)


def _read_csv(data: bytes) -> list[list[Any]]:
    if b"\x00" in data:
        raise UnreadableFile("The selected file must be a CSV or Excel (.xlsx) file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")  # Excel on Windows saves "CSV" in this encoding
        except UnicodeDecodeError as error:
            raise UnreadableFile("The selected file must be a CSV or Excel (.xlsx) file") from error
    try:
        rows = [[_clean(cell) for cell in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error as error:
        raise UnreadableFile(f"The selected file could not be read as CSV: {error}") from error
    if len(rows) > MAX_ROWS:
        raise UnreadableFile(f"The selected file must have {MAX_ROWS:,} rows or fewer")
    return _trim(rows)


def _clean(cell: Any) -> Any:
    if isinstance(cell, str):
        stripped = cell.strip()
        # Undo our own export escaping, so an exported file imports unchanged.
        if stripped.startswith("'") and stripped[1:].startswith(FORMULA_STARTS):
            stripped = stripped[1:]
        return stripped or None
    return cell


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    """Drop wholly empty rows at the end (spreadsheets keep formatted blank rows)."""
    while rows and all(cell is None for cell in rows[-1]):
        rows.pop()
    return rows


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(_csv_value(cell)) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM tells Excel it is UTF-8


def _csv_value(cell: Cell) -> Any:
    if isinstance(cell, date):
        return cell.isoformat()
    return "" if cell is None else cell


# Excel refuses these in a sheet's name, and names longer than 31 characters.
_NOT_IN_SHEET_TITLES = re.compile(r"[/\\?*:\[\]\x00-\x1f\x7f]+")
MAX_SHEET_TITLE = 31


def safe_sheet_title(title: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of / \\ ? * : [ ], no
    apostrophe at either end, and never empty."""
    cleaned = _NOT_IN_SHEET_TITLES.sub("-", title).strip().strip("'")
    # Excel counts UTF-16 units: an emoji is two of the 31.
    while len(cleaned.encode("utf-16-le")) > 2 * MAX_SHEET_TITLE:
        cleaned = cleaned[:-1]
    return cleaned.strip().strip("'") or "Sheet1"


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence[Cell]], *, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=safe_sheet_title(title))
    sheet.append(list(header))
    for row in rows:
        sheet.append([safe_cell(_xlsx_value(cell)) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(cell: Cell) -> Any:
    if isinstance(cell, Decimal):
        # openpyxl writes Decimal as a number; keep whole numbers whole.
        return int(cell) if cell == cell.to_integral_value() else float(cell)
    return cell
