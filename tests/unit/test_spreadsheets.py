from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from portal.spreadsheets import UnreadableFile, read_table, safe_cell, to_csv, to_xlsx


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
