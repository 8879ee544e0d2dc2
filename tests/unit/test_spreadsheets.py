from __future__ import annotations

import io
import json
import tracemalloc
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from portal.spreadsheets import (
    UnreadableFile,
    read_table,
    safe_cell,
    table_from_json,
    table_to_json,
    to_csv,
    to_xlsx,
)
from tests import crafted_files as crafted

MB = 1024 * 1024


@pytest.mark.parametrize("text", ["=1+1", "+44 161", "-3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_are_escaped(text: str) -> None:
    assert safe_cell(text) == "'" + text


def test_ordinary_values_are_untouched() -> None:
    assert safe_cell("Acme") == "Acme" and safe_cell(-3) == -3 and safe_cell(None) is None


def test_csv_round_trip_with_escaping_undone() -> None:
    data = to_csv(["Name", "Value", "On"], [["=cmd", Decimal("12.50"), date(2025, 4, 1)]])
    assert data.startswith(b"\xef\xbb\xbf")  # BOM so Excel reads UTF-8
    assert read_table(data) == [["Name", "Value", "On"], ["=cmd", "12.50", "2025-04-01"]]


def test_xlsx_round_trip() -> None:
    data = to_xlsx(["Name", "Value"], [["@x", Decimal("3")], ["Acme", Decimal("2.5")]], title="T")
    sheet = load_workbook(io.BytesIO(data)).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Name", "Value"],
        ["'@x", 3],
        ["Acme", 2.5],
    ]
    assert read_table(data) == [["Name", "Value"], ["@x", 3], ["Acme", 2.5]]


def test_windows_encoded_csv_is_read() -> None:
    assert read_table("Name\nCaf\xe9 £\n".encode("cp1252")) == [["Name"], ["Café £"]]


@pytest.mark.parametrize("data", [b"", b"   \n", b"MZ\x00\x00binary", b"PK\x03\x04broken zip"])
def test_unreadable_files_are_refused(data: bytes) -> None:
    with pytest.raises(UnreadableFile):
        read_table(data)


def test_trailing_blank_rows_are_dropped() -> None:
    assert read_table(b"a,b\n1,2\n,\n,\n") == [["a", "b"], ["1", "2"]]


# Crafted files (the security test's spreadsheet bombs): each is refused before it costs memory.


def _read(data: bytes) -> tuple[str, int]:
    """read_table's refusal message and the peak memory it allocated on the way."""
    tracemalloc.start()
    try:
        read_table(data)
    except UnreadableFile as refused:
        return str(refused), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    raise AssertionError("the file was accepted")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (crafted.huge_shared_strings, "The selected file must be smaller than 64 MB unzipped"),
        (
            crafted.huge_dimension,
            "The selected file must have 20,000 rows or fewer below the header (its first sheet "
            "is marked as using 1,048,576 rows: delete the empty rows below your table and save "
            "it again)",
        ),
        (
            crafted.far_away_cell,
            "The selected file must have 20,000 rows or fewer below the header",
        ),
        (
            lambda: crafted.far_away_cell("XFD3"),
            "The selected file must have 100 columns or fewer",
        ),
        (crafted.deep_xml, "The selected file must be a CSV or Excel (.xlsx) file"),
        (crafted.entity_expansion, "The selected file must be a CSV or Excel (.xlsx) file"),
        (
            crafted.csv_with_huge_field,
            "The selected file has a cell longer than 5,000 characters",
        ),
        (crafted.csv_with_many_columns, "The selected file must have 100 columns or fewer"),
    ],
    ids=[
        "shared-strings",
        "dimension",
        "far-row",
        "far-column",
        "deep",
        "entities",
        "csv-field",
        "csv-columns",
    ],
)
def test_crafted_files_are_refused_cheaply(build: Callable[[], bytes], message: str) -> None:
    said, peak = _read(build())
    assert said == message
    assert peak < 64 * MB


def test_a_part_compressed_like_a_bomb_is_refused_under_the_total_limit() -> None:
    data = crafted.huge_shared_strings(megabytes=40)
    assert _read(data)[0] == (
        "The selected file is packed too tightly to check safely: "
        "save it again from your spreadsheet or word processor"
    )


def test_a_cell_longer_than_any_column_takes_is_refused_in_a_workbook_too() -> None:
    data = to_xlsx(["Note"], [["x" * 5_001]], title="T")
    assert _read(data)[0] == "The selected file has a cell longer than 5,000 characters"
    assert read_table(to_xlsx(["Note"], [["x" * 5_000]], title="T"))[1] == ["x" * 5_000]


def test_csv_cells_are_limited_with_the_row_named() -> None:
    data = b"Note\nshort\n" + b"y" * 5_001 + b"\n"
    assert _read(data)[0] == "The selected file has a cell longer than 5,000 characters (row 3)"


def test_empty_formatted_cells_cost_neither_rows_nor_memory() -> None:
    tracemalloc.start()
    rows = read_table(crafted.many_empty_styled_cells(rows=200, columns=500, people=3))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert rows == [crafted.WORKFORCE_HEADER, *map(_without_trailing_blanks, people(3))]
    assert peak < 16 * MB


def test_a_sheet_of_too_many_empty_formatted_cells_is_refused_before_it_is_read_through() -> None:
    data = crafted.many_empty_styled_cells(rows=500, columns=801, people=3)
    assert _read(data)[0].startswith("The selected file must have 400,000 cells or fewer")


def people(count: int) -> list[list[str | None]]:
    return [[cell or None for cell in crafted.person(number)] for number in range(1, count + 1)]


def _without_trailing_blanks(row: list[str | None]) -> list[str | None]:
    while row and row[-1] is None:
        row = row[:-1]
    return row


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_20000_rows_are_accepted_and_one_more_is_refused(kind: str) -> None:
    build = crafted.people_csv if kind == "csv" else crafted.people_xlsx
    rows = read_table(build(20_000))
    assert len(rows) == 20_001 and rows[-1][0] == "W-20000"
    with pytest.raises(
        UnreadableFile, match="^The selected file must have 20,000 rows or fewer below the header$"
    ):
        read_table(build(20_001))


def test_workbook_values_keep_their_types() -> None:
    when = datetime(2025, 4, 1)
    data = to_xlsx(
        ["Text", "Whole", "Part", "On", "Yes"], [["Acme", 3, 2.5, when, True]], title="T"
    )
    assert read_table(data)[1] == ["Acme", 3, 2.5, when, True]


def test_a_table_kept_as_json_comes_back_the_same() -> None:
    rows = [["a", 1, 2.5, None, True], [datetime(2025, 4, 1, 9, 30), date(2025, 4, 1)], []]
    assert table_from_json(json.loads(json.dumps(table_to_json(rows)))) == rows


def test_cells_without_references_follow_the_last_one() -> None:
    sheet = (
        crafted._SHEET_START
        + b'<sheetData><row r="1"><c r="B1" t="inlineStr"><is><t>b</t></is></c>'
        + b'<c s="1"/><c t="inlineStr"><is><t>d</t></is></c></row>'
        + b'<row><c t="inlineStr"><is><t>a</t></is></c><c t="d"><v>2025-04-01</v></c></row>'
        + b"</sheetData></worksheet>"
    )
    assert read_table(crafted.workbook([sheet])) == [
        [None, "b", None, "d"],
        ["a", datetime(2025, 4, 1)],
    ]


def test_a_csv_row_of_many_long_cells_is_fine_when_each_cell_is() -> None:
    row = ",".join(["z" * 4_000] * 17)
    assert read_table(f"Note\n{row}\n".encode())[1] == ["z" * 4_000] * 17
