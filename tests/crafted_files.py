"""Hostile spreadsheets, built in memory: shared by the tests and tests/benchmarks/hostile_uploads.

Each builder makes the smallest file that does the harm the security test found (or that a
reader written naively would suffer), so a test can send it through the real upload forms.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from functools import cache

MB = 1024 * 1024
WORKFORCE_HEADER = [
    "Worker reference",
    "Postcode sector",
    "Age band",
    "Start date",
    "End date",
    "Weekly hours",
    "Share of time on this contract (%)",
    "New hire or retained",
    "Apprenticeship level",
    "Apprenticeship standard",
]

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" '
    b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.styles+xml"/>'
    b"%s</Types>"
)
_SHARED_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sharedStrings+xml"/>'
)
_ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="People" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/sharedStrings" Target="sharedStrings.xml"/>'
    b'<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/styles" Target="styles.xml"/></Relationships>'
)
# Style 1 fills a cell yellow: what a person formatting a range leaves behind in empty cells.
_STYLES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<fills count="3"><fill><patternFill patternType="none"/></fill>'
    b'<fill><patternFill patternType="gray125"/></fill>'
    b'<fill><patternFill patternType="solid"><fgColor rgb="FFFFFF00"/></patternFill></fill></fills>'
    b'<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    b'<xf numFmtId="0" fontId="0" fillId="2" borderId="0" applyFill="1"/></cellXfs>'
    b"</styleSheet>"
)
_SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def workbook(
    sheet: Iterable[bytes], *, shared_strings: Iterable[bytes] = (), level: int = 6
) -> bytes:
    """An .xlsx whose first sheet's XML is the joined chunks (streamed into the zip, so a
    part of hundreds of megabytes never sits in memory whole)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        strings = iter(shared_strings)
        first_strings = next(strings, None)
        # The parts as Excel lists them (openpyxl finds the shared strings by this list).
        archive.writestr(
            "[Content_Types].xml",
            _CONTENT_TYPES % (_SHARED_STRINGS_TYPE if first_strings is not None else b""),
        )
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        for name, first, chunks in (
            ("xl/sharedStrings.xml", first_strings, strings),
            ("xl/worksheets/sheet1.xml", b"", iter(sheet)),
        ):
            if first is None:
                continue
            with archive.open(name, "w", force_zip64=True) as part:
                part.write(first)
                for chunk in chunks:
                    part.write(chunk)
    return buffer.getvalue()


def _inline(reference: str, text: str) -> bytes:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;")
    return f'<c r="{reference}" t="inlineStr"><is><t>{escaped}</t></is></c>'.encode()


def _column(number: int) -> str:
    letters = ""
    while number:
        number, left = divmod(number - 1, 26)
        letters = chr(65 + left) + letters
    return letters


def _row(number: int, values: list[str]) -> bytes:
    cells = b"".join(
        _inline(f"{_column(column)}{number}", value)
        for column, value in enumerate(values, start=1)
        if value
    )
    return f'<row r="{number}">'.encode() + cells + b"</row>"


def person(number: int) -> list[str]:
    """A valid workforce row (periods in 2025/26 Q1)."""
    return [f"W-{number:05d}", "M1 1", "25-34", "01/04/2025", "", "37", "100", "new hire", "", ""]


def _table_rows(people: int) -> Iterator[bytes]:
    yield _row(1, WORKFORCE_HEADER)
    for number in range(1, people + 1):
        yield _row(number + 1, person(number))


def huge_shared_strings(megabytes: int = 300) -> bytes:
    """About 300 KB that unzips to 300 MB of shared strings (the security test's file)."""
    # One enormous string of one letter: deflate's best case, about 1,000 to 1.
    padding = b"A" * MB

    def strings() -> Iterator[bytes]:
        yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
        for _ in range(megabytes):
            yield padding
        yield b"</t></si></sst>"

    sheet = [_SHEET_START, b"<sheetData>", *_table_rows(2), b"</sheetData></worksheet>"]
    return workbook(sheet, shared_strings=strings(), level=9)


def huge_dimension() -> bytes:
    """A few rows, but a sheet that declares every cell Excel has: A1:XFD1048576."""
    return workbook(
        [
            _SHEET_START,
            b'<dimension ref="A1:XFD1048576"/><sheetData>',
            *_table_rows(2),
            b'<row r="1048576"><c r="XFD1048576" s="1"/></row>',
            b"</sheetData></worksheet>",
        ]
    )


def far_away_cell(reference: str = "A1048576") -> bytes:
    """No dimension at all, and one value a long way from the table (a reader that fills the
    gap with empty rows or columns makes millions of them)."""
    return workbook(
        [
            _SHEET_START,
            b"<sheetData>",
            *_table_rows(2),
            b'<row r="' + reference.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ").encode() + b'">',
            _inline(reference, "x"),
            b"</row></sheetData></worksheet>",
        ]
    )


def many_empty_styled_cells(rows: int = 1_000, columns: int = 1_000, people: int = 3) -> bytes:
    """A short table, then a large range formatted but empty (no dimension, as some tools
    write it): the empty cells must cost neither memory nor rows."""

    def sheet() -> Iterator[bytes]:
        yield _SHEET_START + b"<sheetData>"
        yield from _table_rows(people)
        names = [_column(column) for column in range(1, columns + 1)]
        for number in range(people + 2, people + 2 + rows):
            yield (
                f'<row r="{number}">'
                + "".join(f'<c r="{name}{number}" s="1"/>' for name in names)
                + "</row>"
            ).encode()
        yield b"</sheetData></worksheet>"

    return workbook(sheet())


def deep_xml(depth: int = 100_000) -> bytes:
    """A cell holding elements nested 100,000 deep (each level costs a parser memory)."""
    return workbook(
        [
            _SHEET_START,
            b"<sheetData>",
            *_table_rows(1),
            b'<row r="3"><c r="A3" t="inlineStr"><is>',
            b"<r>" * depth,
            b"</r>" * depth,
            b"</is></c></row></sheetData></worksheet>",
        ]
    )


def entity_expansion() -> bytes:
    """A DOCTYPE with nested entities ("billion laughs")."""
    entities = b'<!ENTITY a0 "laugh">' + b"".join(
        f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">'.encode() for n in range(1, 10)
    )
    return workbook(
        [
            b'<?xml version="1.0"?><!DOCTYPE worksheet [' + entities + b"]>",
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
            b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a9;</t></is></c></row>',
            b"</sheetData></worksheet>",
        ]
    )


def csv_with_huge_field(megabytes: int = 10) -> bytes:
    """A workforce CSV whose second row has one 10 MB cell."""
    return (
        ",".join(WORKFORCE_HEADER).encode()
        + b"\r\n"
        + b"W-1,"
        + b"x" * (megabytes * MB)
        + b",25-34,01/04/2025,,37,100,new hire,,\r\n"
    )


def csv_with_many_columns(columns: int = 1_000_000) -> bytes:
    """One row of a million empty cells (commas), after a real header."""
    return ",".join(WORKFORCE_HEADER).encode() + b"\r\n" + b"," * columns + b"\r\n"


@cache
def people_csv(people: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(WORKFORCE_HEADER)
    writer.writerows(person(number) for number in range(1, people + 1))
    return buffer.getvalue().encode()


@cache
def people_xlsx(people: int) -> bytes:
    """A workbook of `people` valid rows below the header, as Excel stores text (shared)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("People")
    sheet.append(WORKFORCE_HEADER)
    for number in range(1, people + 1):
        sheet.append(person(number))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
