from __future__ import annotations

import csv
import io
import re
import tracemalloc
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from portal.domain.spend import SpendField, columns_by_header, propose_mapping
from portal.spend_files import (
    SPEND_LIMITS,
    RowResult,
    SpendRow,
    find_header,
    read_spend_file,
    sample_rows,
)
from portal.spreadsheets import UnreadableFile
from tests import crafted_files as crafted
from tests import spend_files as files

D = Decimal
MB = 1024 * 1024


def read(data: bytes) -> list[tuple[int, RowResult]]:
    return list(read_spend_file(data, propose_mapping(find_header(data).headers)))


def good_rows(data: bytes) -> list[SpendRow]:
    rows = read(data)
    problems = [(number, row) for number, row in rows if not isinstance(row, SpendRow)]
    assert problems == []
    return [row for _, row in rows if isinstance(row, SpendRow)]


def as_read(payment: files.Payment, *, supplier_id: bool = True) -> SpendRow:
    return SpendRow(
        paid_on=payment.paid_on,
        amount=payment.amount,
        supplier_name=payment.supplier_name,
        redacted=payment.supplier_name == files.REDACTED,
        transaction_number=payment.transaction_number,
        service_area=payment.service_area,
        expense_type=payment.expense_type,
        supplier_id=(payment.supplier_id or None) if supplier_id else None,
    )


# Hand-worked files, one for each habit of real ones.


def test_a_windows_1252_file_with_pound_signs_and_dotted_dates() -> None:
    text = (
        "Payments over £500 – April 2024\r\n"  # a title line, with an en dash
        "\r\n"
        "Organisation Name,Directorate,Expenditure Category,Date Paid,Transaction No.,"
        "Amount (£),Beneficiary\r\n"
        'Northtown City Council,Adult Social Care,Agency Staff,01.04.2024,5000001,"£1,234.56",'
        "Café Boulevard Catering Ltd\r\n"
        "Northtown City Council,Highways,Repairs,02.04.2024,5000002,-£12.00,Acme Ltd\r\n"
        "Northtown City Council,Adult Social Care,Agency Staff,01.04.2024,5000001,"
        '"£1,234.56",Café Boulevard Catering Ltd\r\n'  # the first line again: a second payment
        "Northtown City Council,Adult Social Care,Care,3.4.2024,5000003,£600.00,"
        "Redacted Personal Information\r\n"
    )
    data = text.encode("cp1252")
    header = find_header(data)
    assert header.row == 3 and header.encoding == "cp1252"
    assert header.headers[5] == "Amount (£)"
    first = SpendRow(
        paid_on=date(2024, 4, 1),
        amount=D("1234.56"),
        supplier_name="Café Boulevard Catering Ltd",
        redacted=False,
        transaction_number="5000001",
        service_area="Adult Social Care",
        expense_type="Agency Staff",
    )
    assert read(data) == [
        (4, first),
        (
            5,
            SpendRow(
                paid_on=date(2024, 4, 2),
                amount=D("-12.00"),
                supplier_name="Acme Ltd",
                redacted=False,
                transaction_number="5000002",
                service_area="Highways",
                expense_type="Repairs",
            ),
        ),
        (6, first),  # identical lines are separate payments: both come back
        (
            7,
            SpendRow(
                paid_on=date(2024, 4, 3),
                amount=D("600.00"),
                supplier_name="Redacted Personal Information",
                redacted=True,
                transaction_number="5000003",
                service_area="Adult Social Care",
                expense_type="Care",
            ),
        ),
    ]


@pytest.mark.parametrize("bom", [b"\xef\xbb\xbf", b""], ids=["with-bom", "without-bom"])
def test_a_utf8_file_with_iso_dates(bom: bytes) -> None:
    text = (
        "Body Name,Payment Date,Transaction Number,Net Amount,Supplier Name,Supplier ID\n"
        "Northtown City Council,2024-04-01,T1,1234.5,Ćwikła Łódź Sp. z o.o.,V9\n"
        "Northtown City Council,2024-04-30,T2,-99.99,Sainsbury’s Supermarkets Ltd,V10\n"
    )
    data = bom + text.encode("utf-8")
    assert find_header(data).encoding == "utf-8-sig"
    assert good_rows(data) == [
        SpendRow(
            date(2024, 4, 1), D("1234.50"), "Ćwikła Łódź Sp. z o.o.", False, "T1", None, None, "V9"
        ),
        SpendRow(
            date(2024, 4, 30),
            D("-99.99"),
            "Sainsbury’s Supermarkets Ltd",
            False,
            "T2",
            None,
            None,
            "V10",
        ),
    ]


def test_a_workbook_with_date_number_and_serial_cells() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Spend over £500"])
    sheet.append(["Payment Date", "Amount", "Vendor Name", "Vendor ID", "Transaction No"])
    sheet.append([date(2024, 4, 1), 1234.56, "Acme Ltd", 1001, 777])
    sheet.append([45384, -12, "Acme Ltd", 1001.0, "778"])  # a serial left unformatted
    sheet.append(["03/04/2024", "£500.00", "  REDACTED  ", None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    header = find_header(data)
    assert (header.row, header.encoding) == (2, None)
    assert read(data) == [
        (3, SpendRow(date(2024, 4, 1), D("1234.56"), "Acme Ltd", False, "777", None, None, "1001")),
        (4, SpendRow(date(2024, 4, 2), D("-12.00"), "Acme Ltd", False, "778", None, None, "1001")),
        (5, SpendRow(date(2024, 4, 3), D("500.00"), "REDACTED", True)),
    ]
    # The first rows below the header as a person checks the columns against them: a date
    # cell as a date, an empty cell as nothing.
    assert sample_rows(data, 2) == [
        (3, ("01/04/2024", "1234.56", "Acme Ltd", "1001", "777")),
        (4, ("45384", "-12", "Acme Ltd", "1001", "778")),
    ]
    assert sample_rows(data)[-1] == (5, ("03/04/2024", "£500.00", "REDACTED"))


def test_each_bad_row_comes_back_with_every_problem_and_its_row_number() -> None:
    text = (
        "Payment Date,Amount,Supplier Name,Service Area\n"
        "01/04/2024,100.00,Acme Ltd,Highways\n"
        "31/02/2024,100.00,Acme Ltd,Highways\n"
        "01/04/2024,12;50,Acme Ltd,Highways\n"
        ",,,\n"  # a blank line: skipped
        ",,,Highways\n"  # nothing to read in the columns that matter: skipped
        "02/04/2024,,,Highways\n"
        "yesterday,lots,Acme Ltd\n"
        f"03/04/2024,1.00,{'A' * 256},{'B' * 256}\n"
        ",£5000.00,,\n"  # a totals line: refused, not guessed at
        "Note: figures exclude VAT\n"  # a note in the first column, which is the date's
    )
    results = read(text.encode())
    assert results[0] == (
        2,
        SpendRow(date(2024, 4, 1), D("100.00"), "Acme Ltd", False, None, "Highways"),
    )
    assert results[1:] == [
        (3, ("Payment date must be a real date, like 31/03/2025",)),
        (4, ("Amount must be an amount in pounds, like 1,234.56 or -12.00",)),
        (7, ("Enter the amount", "Enter the supplier name")),
        (
            8,
            (
                "Payment date must be a date, like 31/03/2025",
                "Amount must be an amount in pounds, like 1,234.56 or -12.00",
            ),
        ),
        (
            9,
            (
                "Supplier name must be 255 characters or fewer",
                "Service area must be 255 characters or fewer",
            ),
        ),
        (10, ("Enter the payment date", "Enter the supplier name")),
        (
            11,
            (
                "Payment date must be a date, like 31/03/2025",
                "Enter the amount",
                "Enter the supplier name",
            ),
        ),
    ]


def test_the_header_is_the_first_line_naming_date_amount_and_supplier() -> None:
    data = (
        b"Spend,,\n"
        b"Period,April 2024,\n"
        b"Organisation,Team,Contact\n"  # three cells but not a spend header
        b"Payment Date,Amount,Supplier\n"
        b"01/04/2024,1,Acme\n"
    )
    assert find_header(data).row == 4
    assert [number for number, _ in read(data)] == [5]


def test_without_recognised_headers_the_first_wide_row_is_the_header() -> None:
    data = b"Spend over 500\nDt,Val,Payee name here\n01/04/2024,1,Acme\n"
    header = find_header(data)
    assert (header.row, header.headers) == (2, ("Dt", "Val", "Payee name here"))
    assert propose_mapping(header.headers) == {}
    chosen = {SpendField.PAYMENT_DATE: 0, SpendField.AMOUNT: 1, SpendField.SUPPLIER_NAME: 2}
    assert list(read_spend_file(data, chosen)) == [
        (3, SpendRow(date(2024, 4, 1), D("1.00"), "Acme", False))
    ]


def test_a_remembered_mapping_reads_a_file_whose_columns_moved() -> None:
    remembered = {
        SpendField.PAYMENT_DATE: "Payment Date",
        SpendField.AMOUNT: "Net Amount",
        SpendField.SUPPLIER_NAME: "Supplier Name",
    }
    data = b"Supplier Name,Net Amount,Payment Date\nAcme,5,2024-04-01\n"
    columns, problems = columns_by_header(find_header(data).headers, remembered)
    assert problems == []
    assert list(read_spend_file(data, columns)) == [
        (2, SpendRow(date(2024, 4, 1), D("5.00"), "Acme", False))
    ]


def test_a_mapping_without_the_required_fields_is_a_mistake_of_the_caller() -> None:
    with pytest.raises(ValueError, match="no column for amount, supplier_name"):
        list(read_spend_file(b"a,b\n", {SpendField.PAYMENT_DATE: 0}))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The selected file is empty"),
        (b"\n\n ,\n", "The selected file is empty"),
        (b"PK\x03\x04broken", "The selected file must be a CSV or Excel (.xlsx) file"),
        (b"a,b\x00c\n", "The selected file must be a CSV or Excel (.xlsx) file"),
        (
            b"Payment Date,Amount,Supplier\n\x81\x8d\n",
            "The selected file must be a CSV or Excel (.xlsx) file",
        ),
    ],
)
def test_files_that_are_not_spend_tables(data: bytes, message: str) -> None:
    with pytest.raises(UnreadableFile, match=f"^{re.escape(message)}$"):
        find_header(data)


def test_a_spend_file_may_have_more_rows_than_a_workforce_file_but_not_without_end() -> None:
    header = b"Payment Date,Amount,Supplier\n"
    over = header + b"01/04/2024,1.00,Acme\n" * (SPEND_LIMITS.rows + 1)
    read_before_refusal = 0
    with pytest.raises(
        UnreadableFile,
        match="^The selected file must have 200,000 rows or fewer below the header$",
    ):
        for _ in read_spend_file(over, _columns()):
            read_before_refusal += 1
    assert read_before_refusal == SPEND_LIMITS.rows == 200_000


def _columns() -> dict[SpendField, int]:
    return {SpendField.PAYMENT_DATE: 0, SpendField.AMOUNT: 1, SpendField.SUPPLIER_NAME: 2}


# The project's own generated files


@pytest.mark.parametrize("layout", ["city", "template", "template-xlsx"])
def test_a_generated_month_reads_back_as_written(layout: str) -> None:
    (month, payments), *_ = files.year_of_payments(2024, 1_200, seed=7)
    name, data = files.year_of_files(layout, 2024, 1_200, seed=7)[0]
    assert month == date(2024, 4, 1) and len(payments) == 100
    expected = [as_read(payment, supplier_id=layout != "city") for payment in payments]
    assert good_rows(data) == expected
    # What the file holds that real ones do.
    assert len(set(payments)) < len(payments)  # identical lines
    assert any(payment.amount < 0 for payment in payments)  # credit notes
    assert any(row.redacted for row in expected)


def test_the_city_layout_is_windows_1252_and_the_template_is_utf8_with_a_bom() -> None:
    city = files.year_of_files("city", 2024, 120)[0][1]
    template = files.year_of_files("template", 2024, 120)[0][1]
    assert "£".encode("cp1252") in city and b"\xc2\xa3" not in city
    assert template.startswith(b"\xef\xbb\xbf")
    assert find_header(city).row == 3 and find_header(template).row == 1


def test_memory_does_not_grow_with_the_file() -> None:
    payments = [p for _, month in files.year_of_payments(2024, 12_000) for p in month]
    small, large = files.city_csv(payments[:1_000]), files.city_csv(payments)
    peaks = []
    for data in (small, large):
        tracemalloc.start()
        count = _count(data)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert count in (1_000, 12_000)
    assert len(large) > 1 * MB
    assert peaks[1] < peaks[0] + MB  # twelve times the rows, not twelve times the memory


def _count(data: bytes) -> int:
    columns = propose_mapping(find_header(data).headers)
    return sum(1 for _ in read_spend_file(data, columns))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            crafted.huge_dimension,
            "The selected file must have 200,000 rows or fewer below the header (its first sheet "
            "is marked as using 1,048,576 rows: delete the empty rows below your table and save "
            "it again)",
        ),
        (
            crafted.far_away_cell,
            "The selected file must have 200,000 rows or fewer below the header",
        ),
        (crafted.deep_xml, "The selected file must be a CSV or Excel (.xlsx) file"),
        (crafted.csv_with_many_columns, "The selected file must have 100 columns or fewer"),
    ],
    ids=["dimension", "far-row", "deep", "csv-columns"],
)
def test_hostile_files_are_refused_under_the_spend_limits_too(
    build: Callable[[], bytes], message: str
) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(UnreadableFile) as refused:
            list(read_spend_file(build(), _columns()))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(refused.value) == message
    assert peak < 64 * MB


@given(st.lists(st.lists(st.text(max_size=12), max_size=5), max_size=8))
def test_any_table_is_read_or_refused_and_rows_come_in_order(table: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["Payment Date", "Amount", "Supplier"], *table])
    numbers = []
    try:
        for number, row in read_spend_file(buffer.getvalue().encode(), _columns()):
            numbers.append(number)
            assert isinstance(row, SpendRow) or (row and all(row))
    except UnreadableFile as refused:
        assert str(refused)
    assert numbers == sorted(set(numbers)) and all(number > 1 for number in numbers)
