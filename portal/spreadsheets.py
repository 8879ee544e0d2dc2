"""Reading uploaded tables (CSV or .xlsx, recognised by content) and writing exports.

Exported cells never start a formula: a cell beginning with = + - @ (or a tab or carriage return)
gets a leading apostrophe, so a spreadsheet shows the text instead of running it.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import zipfile
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

from openpyxl import Workbook
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from portal.domain import zips

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MB = zips.MB
_CHUNK = 64 * 1024
# Real workbooks nest elements about six deep; each level costs an XML parser memory.
_MAX_DEPTH = 40
_MAX_RATIO = 100

Cell = str | int | Decimal | date | datetime | None


@dataclass(frozen=True)
class TableLimits:
    """What one upload may hold, checked as reading reaches it (and a workbook's parts before
    any of them is unzipped). Each kind of upload has its own: see TABLE_LIMITS."""

    rows: int  # below the header (rows above it count too: the header is row 1)
    columns: int
    cell: int  # characters
    # Cells in a sheet, empty formatted ones included: each costs a few microseconds to read,
    # so a sheet of a million blank bordered cells would hold a worker for seconds.
    sheet_cells: int
    # What a workbook may unzip to: the sheet is read as a stream, but the shared strings (every
    # distinct text in the workbook) are held in memory while it is, so they get the tightest.
    unzipped: int
    sheet: int
    shared_strings: int
    other_part: int = 2 * MB

    @property
    def too_many_rows(self) -> str:
        return f"The selected file must have {self.rows:,} rows or fewer below the header"

    @property
    def too_many_columns(self) -> str:
        return f"The selected file must have {self.columns:,} columns or fewer"

    @property
    def long_cell(self) -> str:
        return f"The selected file has a cell longer than {self.cell:,} characters"

    @property
    def too_many_cells(self) -> str:
        return (
            f"The selected file must have {self.sheet_cells:,} cells or fewer, counting empty"
            " formatted cells: copy your table into a new workbook and upload that"
        )

    @property
    def longest_line(self) -> int:
        """A CSV line longer than the most a row may hold is either one enormous cell or
        thousands of columns: refused before csv makes a list of its cells."""
        return self.columns * self.cell


# The contract and workforce imports. The longest column any of them takes is a contract's Note
# (2,000 characters); a cell may be longer than its column allows, so the row-by-row checks can
# say which one, but not by much. The templates have 17 columns at most; 100 leaves room for a
# person's own. 20,000 rows of the widest template fit in the cells and in 32 MB of sheet
# (about 15 MB).
TABLE_LIMITS = TableLimits(
    rows=20_000,
    columns=100,
    cell=5_000,
    sheet_cells=400_000,
    unzipped=64 * MB,
    sheet=32 * MB,
    shared_strings=8 * MB,
)
MAX_ROWS = TABLE_LIMITS.rows
MAX_COLUMNS = TABLE_LIMITS.columns
MAX_CELL = TABLE_LIMITS.cell
MAX_SHEET_CELLS = TABLE_LIMITS.sheet_cells

NOT_A_TABLE = "The selected file must be a CSV or Excel (.xlsx) file"
TOO_MANY_ROWS = TABLE_LIMITS.too_many_rows
TOO_MANY_COLUMNS = TABLE_LIMITS.too_many_columns
LONG_CELL = TABLE_LIMITS.long_cell
TOO_MANY_CELLS = TABLE_LIMITS.too_many_cells


class UnreadableFile(ValueError):
    """The upload is not a CSV or .xlsx file we can read; the message says so for a person."""


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def read_table(data: bytes) -> list[list[Any]]:
    """Rows of cells, header first. Recognises .xlsx by its zip content, else expects CSV.

    Rows come without their trailing empty cells, and empty rows at the end are left out. A file
    beyond TABLE_LIMITS (rows, columns, cell length) is refused as soon as reading reaches it; a
    workbook is checked before any of it is unzipped (see _read_xlsx)."""
    rows: list[list[Any]] = []
    for number, cells in iter_rows(data, TABLE_LIMITS):
        rows.extend([] for _ in range(number - len(rows) - 1))  # empty rows between
        rows.append(cells)
    return rows


_BLANK = re.compile(rb"\s*")


def iter_rows(data: bytes, limits: TableLimits) -> Generator[tuple[int, list[Any]], None, None]:
    """(row number as the file shows it, cells) for each row that holds something, one at a
    time: memory does not grow with the file. Numbers only increase (the header is row 1), and
    a row's cells stop at its last non-empty one. UnreadableFile as soon as reading reaches a
    limit, so rows already yielded may be followed by a refusal."""
    if _BLANK.fullmatch(data):  # not data.strip(), which would copy the file
        raise UnreadableFile("The selected file is empty")
    if data.startswith(b"PK\x03\x04"):
        cell_rows = _xlsx_rows(data, limits)
    else:
        cell_rows = _csv_rows(data, limits)
    last = 0
    for number, cells in cell_rows:
        if not cells:
            continue
        if number > limits.rows + 1:
            raise UnreadableFile(limits.too_many_rows)
        if max(cells) > limits.columns:
            raise UnreadableFile(limits.too_many_columns)
        last = max(number, last + 1)  # rows out of order are read in file order
        yield last, [cells.get(column) for column in range(1, max(cells) + 1)]


# CSV


def csv_encoding(data: bytes) -> str:
    """The encoding a CSV file is read in: UTF-8 (with or without a byte order mark) if the whole
    file is valid UTF-8, else Windows-1252, which Excel on Windows uses when it saves "CSV".
    Checked in chunks, so no copy of the file's text is made."""
    view = memoryview(data)
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(view), _CHUNK):
                decoder.decode(view[start : start + _CHUNK])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue  # cp1252 leaves five bytes undefined: a file using them is not text
        return encoding
    raise UnreadableFile(NOT_A_TABLE)


def _csv_rows(data: bytes, limits: TableLimits) -> Iterator[tuple[int, dict[int, Any]]]:
    if b"\x00" in data:
        raise UnreadableFile(NOT_A_TABLE)
    text = io.TextIOWrapper(io.BytesIO(data), encoding=csv_encoding(data), newline="")
    try:
        for number, row in enumerate(csv.reader(_csv_lines(text, limits)), start=1):
            cells = {}
            for column, cell in enumerate(row, start=1):
                if len(cell) > limits.cell:
                    raise UnreadableFile(f"{limits.long_cell} (row {number:,})")
                value = _clean(cell)
                if value is not None:
                    cells[column] = value
            yield number, cells
    except csv.Error as error:
        # csv's own limit on a field (128 KB unless raised) is far above any cell limit.
        if "field larger than field limit" in str(error):
            raise UnreadableFile(limits.long_cell) from error
        raise UnreadableFile(f"The selected file could not be read as CSV: {error}") from error


def _csv_lines(text: io.TextIOWrapper, limits: TableLimits) -> Iterator[str]:
    """The text's lines, each measured as it is read, before csv splits it."""
    longest = limits.longest_line
    while line := text.readline(longest + 1):
        if len(line) > longest:
            commas = line.count(",")
            raise UnreadableFile(
                limits.too_many_columns if commas > limits.columns else limits.long_cell
            )
        yield line


def _clean(cell: Any) -> Any:
    if isinstance(cell, str):
        stripped = cell.strip()
        # Undo our own export escaping, so an exported file imports unchanged.
        if stripped.startswith("'") and stripped[1:].startswith(FORMULA_STARTS):
            stripped = stripped[1:]
        return stripped or None
    return cell


# Excel (.xlsx)
#
# A workbook is a zip of XML parts. Before anything is unzipped, the zip's directory is checked by
# the rule evidence files share (number of parts, total size, compression ratio), then each part
# read here against its own limit. Only the parts a table needs are read: the workbook (to find
# the first sheet), its relationships, the shared strings, the styles (to know which numbers are
# dates) and the first sheet. Each is parsed as a stream (see _elements), and of the sheet only
# the non-empty cells are kept.


def _xlsx_rows(data: bytes, limits: TableLimits) -> Iterator[tuple[int, dict[int, Any]]]:
    entries = zips.entries_of(data)
    if entries is None:
        raise UnreadableFile(NOT_A_TABLE)
    try:
        zips.check_entries(entries, max_unzipped=limits.unzipped, max_ratio=_MAX_RATIO)
    except zips.ZipRefused as refused:
        raise UnreadableFile(str(refused)) from refused
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            yield from _Workbook(archive, limits).rows()
    except (zipfile.BadZipFile, ParseError, OSError, EOFError, NotImplementedError) as error:
        raise UnreadableFile(NOT_A_TABLE) from error
    except RuntimeError as error:  # an encrypted part
        raise UnreadableFile("The selected file must not be password protected") from error


class _Workbook:
    def __init__(self, archive: zipfile.ZipFile, limits: TableLimits) -> None:
        self.archive = archive
        self.limits = limits
        self.parts = {info.filename.lstrip("/").lower(): info for info in archive.infolist()}

    def rows(self) -> Iterator[tuple[int, dict[int, Any]]]:
        workbook_path = _target(self._relations("_rels/.rels"), "", kind="officeDocument")
        workbook_path = workbook_path or "xl/workbook.xml"
        folder, _, name = workbook_path.rpartition("/")
        folder = f"{folder}/" if folder else ""
        first_sheet, date1904 = None, False
        for event, tag, element in self._elements(
            workbook_path, self.limits.other_part, required=True
        ):
            if event == "start" and tag == "sheet" and first_sheet is None:
                first_sheet = _attribute(element, "id")
            elif event == "start" and tag == "workbookPr":
                date1904 = element.get("date1904", "").lower() in ("1", "true")
        relations = self._relations(f"{folder}_rels/{name}.rels")
        sheet_path = first_sheet and _target(relations, folder, id_=first_sheet)
        if not sheet_path:
            raise UnreadableFile(NOT_A_TABLE)
        strings = self._shared_strings(
            _target(relations, folder, kind="sharedStrings") or f"{folder}sharedStrings.xml"
        )
        styles = _target(relations, folder, kind="styles") or f"{folder}styles.xml"
        dates = self._date_styles(styles)
        epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        sheet = _Sheet(strings, dates, epoch, self.limits)
        for event, tag, element in self._elements(sheet_path, self.limits.sheet, required=True):
            row = sheet.take(event, tag, element)
            if row is not None:
                yield row

    def _relations(self, path: str) -> list[tuple[str, str, str]]:
        """(id, type, target) of each relationship the part lists."""
        return [
            (element.get("Id", ""), element.get("Type", ""), element.get("Target", ""))
            for event, tag, element in self._elements(path, self.limits.other_part)
            if event == "start" and tag == "Relationship"
        ]

    def _shared_strings(self, path: str) -> list[str]:
        strings: list[str] = []
        for event, tag, element in self._elements(path, self.limits.shared_strings):
            if event == "end" and tag == "si":
                strings.append(_text_of(element, self.limits))
        return strings

    def _date_styles(self, path: str) -> set[int]:
        formats: dict[int, str] = {}
        cell_formats: list[int] = []  # the number format of each cell style, in order
        in_cell_styles = False
        for event, tag, element in self._elements(path, self.limits.other_part):
            if tag == "cellXfs":
                in_cell_styles = event == "start"
            elif event == "start" and tag == "numFmt":
                format_id = _int(element.get("numFmtId"))
                if format_id is not None:
                    formats[format_id] = element.get("formatCode", "")
            elif event == "start" and tag == "xf" and in_cell_styles:
                cell_formats.append(_int(element.get("numFmtId")) or 0)
        return {
            style
            for style, format_id in enumerate(cell_formats)
            if is_date_format(formats.get(format_id) or BUILTIN_FORMATS.get(format_id))
        }

    def _elements(
        self, path: str, limit: int, *, required: bool = False
    ) -> Iterator[tuple[str, str, Element]]:
        info = self.parts.get(path.lower())
        if info is None:
            if required:
                raise UnreadableFile(NOT_A_TABLE)
            return
        if info.file_size > limit:
            raise UnreadableFile(
                "The selected file is too big to import: part of it unzips to more than "
                f"{limit // MB} MB"
            )
        with self.archive.open(info) as stream:
            yield from _elements(stream)


def _elements(stream: Any) -> Iterator[tuple[str, str, Element]]:
    """("start" or "end", local name, element) for each element of an XML stream.

    Memory stays flat: an element is dropped from its parent once it has ended, unless it is
    inside one of _RECORDS (a cell, a shared string), which is dropped once that has ended, and
    a record may hold only so many elements. Nesting is refused beyond _MAX_DEPTH, and so is a
    DOCTYPE (no real workbook part has one; entities hide behind it)."""
    parser: XMLPullParser[Element] = XMLPullParser(events=("start", "end"))
    open_elements: list[Element] = []
    record_at = -1  # the depth of the record being read, if any
    in_record = 0
    first = True
    while True:
        chunk = stream.read(_CHUNK)
        if first and b"<!DOCTYPE" in chunk[:4096]:
            raise UnreadableFile(NOT_A_TABLE)
        first = False
        if chunk:
            parser.feed(chunk)
        else:
            parser.close()
        for event, element in cast(Iterator[tuple[str, Element]], parser.read_events()):
            tag = _LOCAL_NAMES.get(element.tag) or _local_name(element.tag)
            if event == "start":
                open_elements.append(element)
                if len(open_elements) > _MAX_DEPTH:
                    raise UnreadableFile(NOT_A_TABLE)
                if record_at >= 0:
                    in_record += 1
                    if in_record > _MAX_RECORD_ELEMENTS:
                        raise UnreadableFile(NOT_A_TABLE)
                elif tag in _RECORDS:
                    record_at, in_record = len(open_elements), 0
                yield "start", tag, element
            else:
                depth = len(open_elements)
                open_elements.pop()
                yield "end", tag, element
                if record_at < 0 or depth == record_at:
                    record_at = -1
                    if open_elements:
                        open_elements[-1].remove(element)
        if not chunk:
            return


_RECORDS = {"c", "si"}
_MAX_RECORD_ELEMENTS = 10_000  # a cell of rich text has a few elements a run
_LOCAL_NAMES: dict[str, str] = {}


def _local_name(tag: str) -> str:
    """ "{http://...}row" -> "row", remembered (a sheet repeats a few names millions of times)."""
    name = tag.rpartition("}")[2]
    if len(_LOCAL_NAMES) < 1_000:
        _LOCAL_NAMES[tag] = name
    return name


def _attribute(element: Element, name: str) -> str | None:
    """An attribute by its local name, whatever its namespace (r:id)."""
    for key, value in element.attrib.items():
        if key.rpartition("}")[2] == name:
            return value
    return None


def _target(
    relations: list[tuple[str, str, str]],
    folder: str,
    *,
    id_: str | None = None,
    kind: str | None = None,
) -> str | None:
    for rel_id, rel_type, target in relations:
        if (id_ is not None and rel_id == id_) or (
            kind is not None and rel_type.rpartition("/")[2] == kind
        ):
            return target.lstrip("/") if target.startswith("/") else folder + target
    return None


def _text_of(element: Element, limits: TableLimits) -> str:
    """A shared or inline string's text: its t elements, less pronunciation guides (rPh)."""
    parts = []
    length = 0
    for child in element.iter():
        tag = _LOCAL_NAMES.get(child.tag) or _local_name(child.tag)
        if tag == "rPh":
            for guide in child.iter():
                guide.text = None
        elif tag == "t" and child.text:
            length += len(child.text)
            if length > limits.cell:
                raise UnreadableFile(limits.long_cell)
            parts.append(child.text)
    return "".join(parts)


def _int(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() and len(text) < 10 else None


_COORDINATE = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_WHOLE_NUMBER = re.compile(r"-?\d{1,15}$")


def _coordinate(reference: str | None) -> tuple[int, int] | None:
    """ "AB12" -> (column 28, row 12)."""
    match = _COORDINATE.match(reference or "")
    if match is None:
        return None
    column = 0
    for letter in match[1].upper():
        column = column * 26 + ord(letter) - ord("A") + 1
    return column, int(match[2])


class _Sheet:
    """The rows of a sheet, from its elements as they stream past."""

    def __init__(
        self, strings: list[str], date_styles: set[int], epoch: datetime, limits: TableLimits
    ) -> None:
        self.strings = strings
        self.date_styles = date_styles
        self.epoch = epoch
        self.limits = limits
        self.row_number = 0
        self.reference: str | None = None
        self.after_reference = 0
        self.cells: dict[int, Any] = {}
        self.cells_read = 0

    def take(self, event: str, tag: str, element: Element) -> tuple[int, dict[int, Any]] | None:
        """The row just read, with its non-empty cells by column (1 for A), at its end."""
        if tag == "c":
            if event == "end":
                self._cell(element)
        elif tag == "row":
            if event == "start":
                number = _int(element.get("r"))
                self.row_number = number if number is not None else self.row_number + 1
                self.cells, self.reference, self.after_reference = {}, None, 0
            else:
                return self.row_number, self.cells
        elif tag == "dimension" and event == "start":
            _check_dimension(element.get("ref", ""), self.limits)
        return None

    def _cell(self, cell: Element) -> None:
        self.cells_read += 1
        if self.cells_read > self.limits.sheet_cells:
            raise UnreadableFile(self.limits.too_many_cells)
        # A cell's column is in its reference ("AB12"); a cell without one follows the last.
        # The reference is only parsed for cells with a value, the few among many empty ones.
        reference = cell.get("r")
        if reference is not None:
            self.reference, self.after_reference = reference, 0
        else:
            self.after_reference += 1
        if len(cell) == 0:  # no value: empty, however it is formatted
            return
        value = _clean(self._value(cell))
        if value is None:
            return
        at = _coordinate(self.reference)
        self.cells[(at[0] if at else 0) + self.after_reference] = value

    def _value(self, cell: Element) -> Any:
        kind = cell.get("t", "n")
        value = None
        for child in cell:
            tag = _LOCAL_NAMES.get(child.tag) or _local_name(child.tag)
            if tag == "is":
                return _text_of(child, self.limits) if kind == "inlineStr" else None
            if tag == "v":
                value = child.text
        if value is None:
            return None
        if len(value) > self.limits.cell:
            raise UnreadableFile(self.limits.long_cell)
        if kind == "s":
            index = _int(value.strip())
            if index is None or index >= len(self.strings):
                raise UnreadableFile(NOT_A_TABLE)
            return self.strings[index]
        if kind == "b":
            return value.strip() in ("1", "true")
        if kind == "d":  # an ISO 8601 date, as some programs other than Excel write them
            try:
                return datetime.fromisoformat(value.strip())
            except ValueError:
                return value
        if kind in ("str", "e", "inlineStr"):
            return value
        return self._number(value.strip(), _int(cell.get("s")) or 0)

    def _number(self, text: str, style: int) -> Any:
        if not text:
            return None
        try:
            number: int | float = int(text) if _WHOLE_NUMBER.match(text) else float(text)
        except ValueError as error:
            raise UnreadableFile(NOT_A_TABLE) from error
        if style in self.date_styles and math.isfinite(number):
            try:
                return from_excel(number, self.epoch)
            except (ValueError, OverflowError):
                return number  # not a date any calendar has: the import's checks say so
        return number


def _check_dimension(reference: str, limits: TableLimits) -> None:
    """The sheet's own account of the range it uses, e.g. A1:XFD1048576, refused if too big."""
    last = _coordinate(reference.rsplit(":", 1)[-1])
    if last is None:
        return
    columns, rows = last
    if rows > limits.rows + 1:
        raise UnreadableFile(
            f"{limits.too_many_rows} (its first sheet is marked as using {rows:,} rows: delete the "
            "empty rows below your table and save it again)"
        )
    if columns > limits.columns:
        raise UnreadableFile(
            f"{limits.too_many_columns} (its first sheet is marked as using {columns:,} columns: "
            "delete the empty columns to the right of your table and save it again)"
        )


# A parsed table kept as JSON (a stored contract import): dates and times are tagged so that
# they come back as they were read.

_TAGGED: dict[str, Callable[[str], Any]] = {
    "datetime": datetime.fromisoformat,
    "date": date.fromisoformat,
    "time": time.fromisoformat,
    "seconds": lambda text: timedelta(seconds=float(text)),
    "float": float,
}


def table_to_json(rows: list[list[Any]]) -> list[list[Any]]:
    return [[_to_json(cell) for cell in row] for row in rows]


def table_from_json(rows: list[list[Any]]) -> list[list[Any]]:
    return [[_from_json(cell) for cell in row] for row in rows]


def _to_json(cell: Any) -> Any:
    if isinstance(cell, datetime):
        return {"datetime": cell.isoformat()}
    if isinstance(cell, date):
        return {"date": cell.isoformat()}
    if isinstance(cell, time):
        return {"time": cell.isoformat()}
    if isinstance(cell, timedelta):
        return {"seconds": str(cell.total_seconds())}
    if isinstance(cell, float) and not math.isfinite(cell):
        return {"float": str(cell)}  # JSON has no infinity
    return cell


def _from_json(cell: Any) -> Any:
    if isinstance(cell, dict) and len(cell) == 1:
        ((tag, text),) = cell.items()
        return _TAGGED[tag](text)
    return cell


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
