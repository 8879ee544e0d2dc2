"""Spend files as two real kinds of council publish them, written by the project itself: shared by
the unit and integration tests (through tests/spend_files.py), the demo and the benchmarks.
Never imported by a request.

- CITY_LAYOUT: a big city's monthly CSV, saved by Excel on Windows (Windows-1252): a title line
  and a blank line above the headers, `£1,234.56` amounts, `-£12.00` credit notes, dates as
  `01.04.2024`.
- TEMPLATE_LAYOUT: the Local Government Transparency Code template, UTF-8 with a byte order mark,
  plain `1234.56` amounts and ISO dates; also written as .xlsx with real date and number cells.

Every file holds what real ones do: identical lines (one invoice split into equal payments),
credit notes, payments to people as "Redacted Personal Information", public bodies, and one
supplier under several spellings. Payments come from a seeded generator, so a test can compute
what a file should read as.
"""

from __future__ import annotations

import calendar
import csv
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from openpyxl import Workbook

from portal.domain.spend import format_amount

REDACTED = "Redacted Personal Information"
# (published name, supplier id, weight): the weights make a few suppliers take most spend, as
# in real files. Spellings of one supplier differ as they do between finance systems.
SUPPLIERS: tuple[tuple[str, str, int], ...] = (
    ("Northtown Building Services Ltd", "V1001", 30),
    ("NORTHTOWN BUILDING SERVICES LIMITED", "V1001", 5),
    ("Acme Care & Support Ltd T/A Acme Homecare", "V1002", 25),
    ("Greenway Waste Management PLC", "V1003", 20),
    ("The Community Food Network", "V1004", 8),
    ("St. Anne's Youth Trust", "V1005", 6),
    ("Café Boulevard Catering Ltd", "V1006", 6),
    ("Brightstart Nurseries Limited", "V1007", 10),
    ("Metro Facilities Management Ltd", "V1008", 15),
    ("Pennine IT Solutions LLP", "V1009", 12),
    ("Greater Northtown Combined Authority", "V2001", 8),
    ("HM Revenue & Customs", "V2002", 6),
    ("Northtown Primary School", "V2003", 4),
    ("Riverside Fire and Rescue Service", "V2004", 2),
    (REDACTED, "", 12),
)
SERVICE_AREAS = (
    "Adult Social Care",
    "Children's Services",
    "Neighbourhoods",
    "Highways",
    "Corporate Services",
)
EXPENSE_TYPES = ("Agency Staff", "Contracted Services", "Supplies", "Repairs", "Grants")
COUNCIL = "Northtown City Council"


@dataclass(frozen=True)
class Payment:
    paid_on: date
    amount: Decimal
    supplier_name: str
    supplier_id: str
    transaction_number: str
    service_area: str
    expense_type: str


Supplier = tuple[str, str, int]  # (published name, supplier id, weight)


def month_of_payments(
    year: int,
    month: int,
    count: int,
    *,
    seed: int = 1,
    first_transaction: int = 1,
    suppliers: Sequence[Supplier] = SUPPLIERS,
) -> list[Payment]:
    """count payments dated in that month. About 1 in 30 is a credit note, 1 in 40 repeats the
    line before it exactly (a separate payment all the same), and about 1 in 14 is to a person."""
    chooser = random.Random(seed * 10_000 + year * 12 + month)  # noqa: S311 (repeatable)
    names = [supplier for supplier, _, _ in suppliers]
    weights = [weight for _, _, weight in suppliers]
    ids = {name: supplier_id for name, supplier_id, _ in suppliers}
    days = calendar.monthrange(year, month)[1]
    payments: list[Payment] = []
    transaction = first_transaction
    while len(payments) < count:
        if payments and chooser.random() < 1 / 40:
            payments.append(payments[-1])  # an identical line
            continue
        name = chooser.choices(names, weights)[0]
        pence = int(chooser.paretovariate(1.2) * 50_000)  # from £500, a long tail
        amount = Decimal(min(pence, 500_000_000)) / 100
        if chooser.random() < 1 / 30:
            amount = -amount
        payments.append(
            Payment(
                paid_on=date(year, month, 1) + timedelta(days=chooser.randrange(days)),
                amount=amount,
                supplier_name=name,
                supplier_id=ids[name],
                transaction_number=f"{5_000_000 + transaction}",
                service_area=chooser.choice(SERVICE_AREAS),
                expense_type=chooser.choice(EXPENSE_TYPES),
            )
        )
        transaction += 1
    return payments


def year_of_payments(
    starting_year: int, count: int, *, seed: int = 1, suppliers: Sequence[Supplier] = SUPPLIERS
) -> list[tuple[date, list[Payment]]]:
    """A financial year from April: (first of the month, its payments) for twelve months, count
    payments in all."""
    months = []
    transaction = 1
    for index in range(12):
        year, month = starting_year + (3 + index) // 12, (3 + index) % 12 + 1
        share = count // 12 + (1 if index < count % 12 else 0)
        payments = month_of_payments(
            year, month, share, seed=seed, first_transaction=transaction, suppliers=suppliers
        )
        transaction += share
        months.append((date(year, month, 1), payments))
    return months


# City layout: Windows-1252, title line, £ amounts, dd.mm.yyyy dates.

CITY_HEADERS = (
    "Organisation Name",
    "Directorate",
    "Expenditure Category",
    "Date Paid",
    "Transaction No.",
    "Amount (£)",
    "Beneficiary",
)


def city_csv(
    payments: Sequence[Payment], *, title: str | None = None, council: str = COUNCIL
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    if title is not None:
        writer.writerow([title])
        writer.writerow([])
    writer.writerow(CITY_HEADERS)
    for payment in payments:
        writer.writerow(
            [
                council,
                payment.service_area,
                payment.expense_type,
                payment.paid_on.strftime("%d.%m.%Y"),
                payment.transaction_number,
                format_amount(payment.amount),
                payment.supplier_name,
            ]
        )
    return buffer.getvalue().encode("cp1252")


def city_title(month: date, council: str = COUNCIL) -> str:
    return f"{council} – payments over £500 – {month:%B %Y}"  # an en dash: cp1252


# Transparency Code template layout: UTF-8 with BOM, ISO dates, plain amounts.

TEMPLATE_HEADERS = (
    "Body Name",
    "Body",
    "Payment Date",
    "Transaction Number",
    "Net Amount",
    "Supplier Name",
    "Supplier ID",
    "Expense Area",
    "Expense Type",
    "Expense Code",
)
_BODY_CODE = "E08000099"


def _template_row(payment: Payment, council: str = COUNCIL) -> list[str]:
    return [
        council,
        _BODY_CODE,
        payment.paid_on.isoformat(),
        payment.transaction_number,
        f"{payment.amount:.2f}",
        payment.supplier_name,
        payment.supplier_id,
        payment.service_area,
        payment.expense_type,
        f"{EXPENSE_TYPES.index(payment.expense_type) + 4000}",
    ]


def template_csv(payments: Sequence[Payment], *, council: str = COUNCIL) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(TEMPLATE_HEADERS)
    for payment in payments:
        writer.writerow(_template_row(payment, council))
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(payments: Sequence[Payment]) -> bytes:
    """The template layout as a workbook: dates as date cells, amounts as numbers, as a council
    exporting from Excel has them."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Spend")
    sheet.append(list(TEMPLATE_HEADERS))
    for payment in payments:
        row: list[object] = list(_template_row(payment))
        row[2] = payment.paid_on
        row[4] = float(payment.amount)
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_names(payments: Sequence[Payment], names: Sequence[str]) -> list[Payment]:
    """The payments with their supplier names replaced in turn (for names only UTF-8 holds)."""
    return [
        replace(payment, supplier_name=names[index % len(names)])
        for index, payment in enumerate(payments)
    ]


def year_of_files(
    layout: str,
    starting_year: int,
    count: int,
    *,
    seed: int = 1,
    suppliers: Sequence[Supplier] = SUPPLIERS,
    council: str = COUNCIL,
) -> list[tuple[str, bytes]]:
    """Twelve monthly files of a financial year, as (file name, content), count payments in
    all. layout: "city" (CSV), "template" (CSV) or "template-xlsx"."""
    files = []
    months = year_of_payments(starting_year, count, seed=seed, suppliers=suppliers)
    for month, payments in months:
        if layout == "city":
            title = city_title(month, council)
            files.append(
                (f"spend-{month:%Y-%m}.csv", city_csv(payments, title=title, council=council))
            )
        elif layout == "template":
            files.append((f"Spend_{month:%b_%Y}.csv", template_csv(payments, council=council)))
        elif layout == "template-xlsx":
            files.append((f"Spend_{month:%b_%Y}.xlsx", template_xlsx(payments)))
        else:
            raise ValueError(f"no layout called {layout}")
    return files
