"""Reading a council's published spend file (CSV or .xlsx) one payment at a time.

The table is read by portal.spreadsheets (recognised by content, zip-bomb limits, CSV in UTF-8
with or without a byte order mark, else Windows-1252), under limits of its own (SPEND_LIMITS):
rows are yielded as they are read, so memory does not grow with the file. Each row's cells are
read by the rules in portal.domain.spend; a row that cannot be read comes back with its
problems instead, so the caller can list them all by row and save nothing.

    header = find_header(data)                 # where the table starts, and its headers
    columns = propose_mapping(header.headers)   # or columns_by_header(..., remembered names)
    for row_number, row in read_spend_file(data, columns):
        if isinstance(row, SpendRow): ...      # else row is a tuple of messages
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice
from typing import Any, TypeVar

from portal import spreadsheets
from portal.domain.spend import (
    MAX_TEXT,
    MESSAGES,
    REQUIRED_FIELDS,
    SpendField,
    SpendProblem,
    is_redacted,
    missing_fields,
    parse_amount,
    parse_payment_date,
    propose_mapping,
)
from portal.spreadsheets import MB, TableLimits, UnreadableFile

# A spend file is longer and narrower than any template the portal hands out. A big city pays
# about 3,500 lines a month (Manchester: about 42,000 a year), and some councils publish a whole
# year, or every payment rather than those over £500, in one file: 200,000 rows holds a year of
# the biggest with room to spare (about 25 MB of CSV, a few seconds to read). Memory stays flat
# whatever the count, so the limit is there to bound the time one upload can take. Cells: 20
# a row on average; a workbook's sheet at about 40 bytes a cell; the shared strings (every
# distinct name and description, held while the sheet is read) 32 MB.
SPEND_LIMITS = TableLimits(
    rows=200_000,
    columns=100,
    cell=5_000,
    sheet_cells=4_000_000,
    unzipped=200 * MB,
    sheet=160 * MB,
    shared_strings=32 * MB,
)
# Councils sometimes put a title ("Expenditure over £500, April 2024") and a blank line above
# the headers; a table whose headers are not among its first rows is not a spend file.
HEADER_SEARCH_ROWS = 10
MIN_HEADER_CELLS = 3  # a title line has one or two; a spend file's header has date, amount, name


@dataclass(frozen=True)
class SpendFileHeader:
    row: int  # as the file shows it (1 for the first line)
    headers: tuple[str, ...]  # "" for an empty header cell
    encoding: str | None  # "utf-8-sig" or "cp1252" for CSV, None for a workbook


@dataclass(frozen=True)
class SpendRow:
    paid_on: date
    amount: Decimal  # negative for a credit note
    supplier_name: str  # as published, spaces tidied
    redacted: bool  # a person's name withheld: counted in totals, never matched to a supplier
    transaction_number: str | None = None
    service_area: str | None = None
    expense_type: str | None = None
    supplier_id: str | None = None


RowResult = SpendRow | tuple[str, ...]  # the row, or the problems with it


def find_header(data: bytes) -> SpendFileHeader:
    """The header row: the first of the first HEADER_SEARCH_ROWS rows whose headers name a
    payment date, an amount and a supplier; failing that, the first with at least
    MIN_HEADER_CELLS cells (the user then chooses the columns); failing that, the first.
    UnreadableFile if the file is not a table, or holds nothing. Reads only those rows."""
    rows = spreadsheets.iter_rows(data, SPEND_LIMITS)
    number, cells = _header_among(list(islice(rows, HEADER_SEARCH_ROWS)))
    rows.close()  # the rest of the file is not needed
    encoding = None if data.startswith(b"PK\x03\x04") else spreadsheets.csv_encoding(data)
    return SpendFileHeader(
        row=number,
        headers=tuple("" if cell is None else str(cell) for cell in cells),
        encoding=encoding,
    )


def _header_among(first_rows: list[tuple[int, list[Any]]]) -> tuple[int, list[Any]]:
    for number, cells in first_rows:
        if not missing_fields(propose_mapping(cells)):
            return number, cells
    for number, cells in first_rows:
        if sum(cell is not None for cell in cells) >= MIN_HEADER_CELLS:
            return number, cells
    if not first_rows:
        raise UnreadableFile("The selected file is empty")
    return first_rows[0]


def sample_rows(data: bytes, count: int = 3) -> list[tuple[int, tuple[str, ...]]]:
    """The first rows below the header (as find_header finds it), as the file shows them, for
    a person to check the columns against: (row number, cells as text). Reads only those rows.
    UnreadableFile as find_header."""
    rows = spreadsheets.iter_rows(data, SPEND_LIMITS)
    try:
        first_rows = list(islice(rows, HEADER_SEARCH_ROWS))
        header_row, _ = _header_among(first_rows)
        samples: list[tuple[int, tuple[str, ...]]] = []
        for number, cells in chain(first_rows, rows):
            if len(samples) >= count:
                break
            if number > header_row:
                samples.append((number, tuple(_shown(cell) for cell in cells)))
        return samples
    finally:
        rows.close()


def _shown(cell: Any) -> str:
    """A cell as a person reads it: a workbook's date as a date, not "2024-06-03 00:00:00"."""
    if cell is None:
        return ""
    if isinstance(cell, datetime) and cell.time() == datetime.min.time():
        cell = cell.date()
    if isinstance(cell, date):
        return f"{cell:%d/%m/%Y}"
    return str(cell)


def read_spend_file(
    data: bytes, columns: Mapping[SpendField, int]
) -> Iterator[tuple[int, RowResult]]:
    """Each payment below the header (as find_header finds it) with its row number as the file
    shows it, one at a time: a SpendRow, or the messages saying what is wrong with the row.
    Rows with nothing in the date, amount and supplier columns (blank lines, notes below the
    table) are skipped. UnreadableFile as soon as reading reaches one of SPEND_LIMITS.

    columns gives each field's position in the header row (0 for the first); it must have the
    required fields (see missing_fields)."""
    if missing := missing_fields(columns):
        raise ValueError(f"no column for {', '.join(field.value for field in missing)}")
    rows = spreadsheets.iter_rows(data, SPEND_LIMITS)
    first_rows = list(islice(rows, HEADER_SEARCH_ROWS))  # one pass: the header, then the rest
    header_row, _ = _header_among(first_rows)
    for number, cells in chain(first_rows, rows):
        if number <= header_row:
            continue
        values = {field: _cell(cells, column) for field, column in columns.items()}
        if all(values[field] is None for field in REQUIRED_FIELDS):
            continue
        yield number, read_row(values)


def read_row(values: Mapping[SpendField, Any]) -> RowResult:
    """One payment from its cells by field, or every problem with them."""
    problems: list[str] = []
    paid_on = _field(parse_payment_date, values.get(SpendField.PAYMENT_DATE), problems)
    amount = _field(parse_amount, values.get(SpendField.AMOUNT), problems)
    supplier_name = _text(values, SpendField.SUPPLIER_NAME, problems)
    if supplier_name is None:
        problems.append(MESSAGES["supplier_missing"])
    others = {
        field: _text(values, field, problems)
        for field in (
            SpendField.TRANSACTION_NUMBER,
            SpendField.SERVICE_AREA,
            SpendField.EXPENSE_TYPE,
            SpendField.SUPPLIER_ID,
        )
    }
    if problems or paid_on is None or amount is None or supplier_name is None:
        return tuple(problems)
    return SpendRow(
        paid_on=paid_on,
        amount=amount,
        supplier_name=supplier_name,
        redacted=is_redacted(supplier_name),
        transaction_number=others[SpendField.TRANSACTION_NUMBER],
        service_area=others[SpendField.SERVICE_AREA],
        expense_type=others[SpendField.EXPENSE_TYPE],
        supplier_id=others[SpendField.SUPPLIER_ID],
    )


def _cell(cells: Sequence[Any], column: int) -> Any:
    return cells[column] if 0 <= column < len(cells) else None


_Value = TypeVar("_Value")


def _field(parse: Callable[[Any], _Value], value: Any, problems: list[str]) -> _Value | None:
    try:
        return parse(value)
    except SpendProblem as problem:
        problems.append(str(problem))
        return None


def _text(values: Mapping[SpendField, Any], field: SpendField, problems: list[str]) -> str | None:
    """A text cell, spaces tidied; numbers from a workbook as written (12345, not 12345.0)."""
    value = values.get(field)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime | date):
        value = value.isoformat()
    text = " ".join(str(value).split())
    if len(text) > MAX_TEXT:
        problems.append(MESSAGES["text_long"].format(field=field.label, limit=MAX_TEXT))
    return text or None
