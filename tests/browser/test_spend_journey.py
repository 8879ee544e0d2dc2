"""Spend analysis (issue 15) in a real Chromium; every page reached is checked with axe-core, and
the Nu HTML checker checks them after the last browser test.

The contract manager of Northmoor, whose local area is the districts M1 and the sector M4 5 and
whose wider area (the city region) is M1, M4 and SK1:

1. uploads three monthly files at once: April 2025 as a big city publishes it (Windows-1252, a
   title line, `£1,234.56` amounts, `dd.mm.yyyy` dates) and May and June in the Transparency
   Code template (UTF-8 with a byte order mark, ISO dates, plain amounts);
2. checks the columns proposed for each layout and loads; reads each file's payments and total;
3. downloads the payees not yet classified, fills in postcodes, SME and VCSE for some of them in
   the file, and uploads it back;
4. opens the analysis of 2025/26: the totals, where the top suppliers are and the SME shares
   equal the figures worked out below from the generated payments, independently of the
   portal's own rules; the analysis is offered as a download.

The areas are set up through the data layer, as the other journeys set up contracts.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from portal.data import commit, local_areas
from portal.data.models import SpendSettings
from portal.extensions import db
from tests import spend_files
from tests.browser.conftest import LiveServer
from tests.browser.pages import arrive, body_rows, sign_in, success_banner
from tests.conftest import World

pytestmark = pytest.mark.browser

YEAR = "2025/26"
# 30 payments a month: the first three months of a year of 360.
MONTHS = spend_files.year_of_payments(2025, 360)[:3]
FILES = [
    (
        "spend-2025-04.csv",
        spend_files.city_csv(MONTHS[0][1], title=spend_files.city_title(MONTHS[0][0])),
    ),
    ("Spend_May_2025.csv", spend_files.template_csv(MONTHS[1][1])),
    ("Spend_Jun_2025.csv", spend_files.template_csv(MONTHS[2][1])),
]
PAYMENTS = [payment for _, payments in MONTHS for payment in payments]

# What the manager knows of the suppliers, by the supplier id the generator gives each (so both
# spellings of Northtown Building Services are one supplier): (postcode, SME, VCSE).
KNOWN: dict[str, tuple[str, str, str]] = {
    "V1001": ("M1 1AA", "Yes", ""),  # local: district M1
    "V1002": ("M4 5AB", "", ""),  # local: sector M4 5
    "V1003": ("M4 6XY", "No", ""),  # wider: M4, but not the sector M4 5
    "V1004": ("SK1 3XX", "", "Yes"),  # wider
    "V1005": ("LS1 4AP", "", "Yes"),  # elsewhere
    "V1007": ("m1 2bb", "yes", ""),  # local, written as people write it
    "V1009": ("LS2 7EW", "Yes", "No"),  # elsewhere
    # V1006 (Café Boulevard) and V1008 (Metro Facilities) stay unclassified: not known.
}
LOCATIONS = {
    "V1001": "In the local area",
    "V1002": "In the local area",
    "V1007": "In the local area",
    "V1003": "In the wider area",
    "V1004": "In the wider area",
    "V1005": "Elsewhere",
    "V1009": "Elsewhere",
}
# Public bodies by their names: the combined authority, HMRC, a school, a fire service. They are
# counted in total spend, not among the top suppliers.
PUBLIC = {"V2001", "V2002", "V2003", "V2004"}
WHERE = ["In the local area", "In the wider area", "Elsewhere", "Not known"]


def money(amount: Decimal) -> str:
    """As the portal writes money: pence only when there are any."""
    pence = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign, pence = ("-" if pence < 0 else ""), abs(pence)
    if pence == pence.to_integral_value():
        return f"{sign}£{int(pence):,}"
    return f"{sign}£{pence:,.2f}"


def shares(amounts: list[Decimal]) -> list[str]:
    """Each amount's share of their sum in tenths of a percent, made to add up to 100%: each
    rounded down, then the tenths left over to the largest remainders (the portal's rule, so a
    table's shares never add up to 99.8%). Written without a trailing .0."""
    whole = total(amounts)
    exact = [amount * 1000 / whole for amount in amounts]
    tenths = [int(value) for value in exact]  # the amounts are not negative: int rounds down
    order = sorted(range(len(exact)), key=lambda i: (tenths[i] - exact[i], i))
    for index in order[: 1000 - sum(tenths)]:
        tenths[index] += 1
    return [f"{(Decimal(t) / 10).normalize():f}%" for t in tenths]


def total(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, Decimal(0))


@dataclass(frozen=True)
class Figures:
    total: Decimal
    people: Decimal
    public: Decimal
    top: Decimal
    suppliers: int
    where: list[list[str]]  # each row of the table: where, spend, share
    sme: list[list[str]]


def expected_figures() -> Figures:
    """The year's figures, worked out from the payments generated."""
    by_supplier: dict[str, Decimal] = defaultdict(Decimal)
    for payment in PAYMENTS:
        if payment.supplier_name != spend_files.REDACTED:
            by_supplier[payment.supplier_id] += payment.amount
    # The top suppliers: fewer than 300 are paid, so every one that received money this year,
    # leaving out people and public bodies.
    top = {key: value for key, value in by_supplier.items() if key not in PUBLIC and value > 0}
    top_spend = total(top.values())
    where = {
        label: total(v for k, v in top.items() if LOCATIONS.get(k, "Not known") == label)
        for label in WHERE
    }
    sme = {
        answer: total(
            v
            for k, v in top.items()
            if {"yes": "Yes", "no": "No", "": "Not known"}[KNOWN.get(k, ("", "", ""))[1].lower()]
            == answer
        )
        for answer in ("Yes", "No", "Not known")
    }
    return Figures(
        total=total(p.amount for p in PAYMENTS),
        people=total(p.amount for p in PAYMENTS if p.supplier_name == spend_files.REDACTED),
        public=total(by_supplier[key] for key in PUBLIC),
        top=top_spend,
        suppliers=len(top),
        where=[
            [label, money(v), percent]
            for (label, v), percent in zip(where.items(), shares(list(where.values())), strict=True)
        ],
        sme=[
            [answer, money(v), percent]
            for (answer, v), percent in zip(sme.items(), shares(list(sme.values())), strict=True)
        ],
    )


def set_up_areas(world: World) -> None:
    local_areas.save_default(world.council.id, name="Northtown", codes=["M1", "M4 5"], by=None)
    region = local_areas.save(
        world.council.id,
        None,
        name="Greater Northtown",
        codes=["M1", "M4", "SK1"],
        make_default=False,
        by=None,
    )
    db.session.add(SpendSettings(council_id=world.council.id, wider_area_id=region.id))
    commit()


def read(locator: Locator) -> str:
    return " ".join(locator.inner_text().split())


def rows_of(table: Locator) -> list[list[str]]:
    return [[read(cell) for cell in row.locator("th, td").all()] for row in body_rows(table).all()]


def summary_value(summary_list: Locator, key: str) -> Locator:
    row = summary_list.locator(".govuk-summary-list__row").filter(
        has=summary_list.page.get_by_role("term").get_by_text(key, exact=True)
    )
    expect(row).to_have_count(1)
    return row.get_by_role("definition").first


def stat(page: Page, name: str) -> Locator:
    """The figure of a headline statistic on the analysis page."""
    return page.locator(".portal-stat").filter(has=page.get_by_text(name, exact=True)).locator("dd")


def chosen(select: Locator) -> str:
    return str(select.evaluate("box => box.selectedOptions[0].text"))


def test_a_manager_loads_three_months_classifies_payees_and_reads_the_analysis(
    page: Page, live_server: LiveServer, world: World, tmp_path: Path
) -> None:
    set_up_areas(world)
    expected = expected_figures()
    paths = []
    for name, content in FILES:
        (tmp_path / name).write_bytes(content)
        paths.append(tmp_path / name)
    analysis_url = live_server.url("/council/spend")

    sign_in(page, live_server, "cm@northmoor.example")
    arrive(page, "Dashboard", live_server.url("/council/"))
    page.goto(analysis_url)
    arrive(page, "Spend analysis", analysis_url)
    expect(page.get_by_role("main")).to_contain_text("No spend files are loaded yet.")

    # 1. Three monthly files at once, in two layouts.
    page.get_by_role("link", name="Load spend files").click()
    arrive(page, "Load spend files", live_server.url("/council/spend/load"))
    page.get_by_label("Upload spend files").set_input_files(paths)
    page.get_by_role("button", name="Upload and check the columns").click()
    arrive(page, "Check the columns", re.compile(r"/council/spend/load/\d+$"))

    # 2. Each layout with the columns proposed from its headings, and its first rows.
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=2)).to_have_text(
        ["Files laid out like spend-2025-04.csv", "Files laid out like Spend_May_2025.csv"]
    )
    expect(main).to_contain_text("1 file: spend-2025-04.csv.")
    expect(main).to_contain_text("2 files: Spend_May_2025.csv, Spend_Jun_2025.csv.")
    proposed = {
        "Payment date": ["Date Paid", "Payment Date"],
        "Amount": ["Amount (£)", "Net Amount"],
        "Supplier name": ["Beneficiary", "Supplier Name"],
        "Transaction number (optional)": ["Transaction No.", "Transaction Number"],
        "Service area (optional)": ["Directorate", "Expense Area"],
        "Expense type (optional)": ["Expenditure Category", "Expense Type"],
        "Supplier ID (optional)": ["Not in these files", "Supplier ID"],
    }
    for label, headers in proposed.items():
        boxes = page.get_by_label(label, exact=True)
        expect(boxes).to_have_count(2)
        assert [chosen(box) for box in boxes.all()] == headers, label
    first = MONTHS[0][1][0]
    april = page.get_by_role("table", name="The first rows of spend-2025-04.csv")
    expect(april).to_contain_text(f"{first.paid_on:%d.%m.%Y}")  # as the city writes dates
    expect(april).to_contain_text(first.transaction_number)
    expect(page.get_by_role("table", name="The first rows of Spend_May_2025.csv")).to_contain_text(
        MONTHS[1][1][0].transaction_number
    )
    page.get_by_role("button", name="Load 3 files").click()
    arrive(page, "Spend files loaded")
    for (name, _), (month, payments) in zip(FILES, MONTHS, strict=True):
        file_heading = page.get_by_role("heading", name=re.compile("^" + re.escape(name)))
        expect(file_heading).to_contain_text("Loaded")
        told = file_heading.locator("xpath=following-sibling::dl[1]")
        expect(summary_value(told, "Payments added")).to_have_text(str(len(payments)))
        net = total(p.amount for p in payments)
        expect(summary_value(told, "Net total")).to_have_text(money(net))
        expect(summary_value(told, "Paid")).to_contain_text(f"{month:%B %Y}")
    page.get_by_role("link", name="See the spend analysis").click()
    arrive(page, "Spend analysis", analysis_url)
    # Nobody has said where any supplier is yet: all of the top suppliers' spend is not known.
    where = page.get_by_role("table", name=f"Where the top suppliers are, {YEAR}")
    top = money(expected.top)
    assert rows_of(where)[-1] == ["Not known", top, "100%"]

    # 3. The payees not yet classified, downloaded, filled in and uploaded back.
    page.get_by_role("link", name="Payees", exact=True).click()
    arrive(page, "Payees", live_server.url("/council/spend/payees"))
    page.get_by_role("link", name="Classify payees in bulk with a spreadsheet").click()
    classify = live_server.url("/council/spend/payees/classify")
    arrive(page, "Classify payees in bulk", classify)
    unclassified = page.get_by_role("listitem").filter(has_text="Payees not yet classified")
    with page.expect_download() as download_info:
        unclassified.get_by_role("link", name="CSV").click()
    download = download_info.value
    downloaded = Path(download.path()).read_bytes()
    assert downloaded.startswith(b"\xef\xbb\xbf")  # a byte order mark, for Excel
    rows = list(csv.reader(io.StringIO(downloaded.decode("utf-8-sig"))))
    header, payees = rows[0], rows[1:]
    assert header == [
        "Payee reference",
        "Payee",
        "Portal supplier",
        f"Spend {YEAR} (£)",
        "Spend, all years (£)",
        "Postcode",
        "SME",
        "VCSE",
        "Public body",
    ]
    ids = {p.supplier_name: p.supplier_id for p in PAYMENTS}
    listed = {ids[row[1]] for row in payees}
    assert spend_files.REDACTED not in [row[1] for row in payees]  # people are not payees
    assert set(KNOWN) <= listed
    changed, postcodes, sme, vcse = 0, 0, 0, 0
    for row in payees:
        known = KNOWN.get(ids[row[1]])
        if known is None:
            continue
        row[5:8] = known
        changed += 1
        postcodes += 1
        sme += bool(known[1])
        vcse += bool(known[2])
    filled = tmp_path / "payees.csv"
    with filled.open("w", newline="", encoding="utf-8-sig") as file:
        csv.writer(file).writerows([header, *payees])
    page.get_by_label("Upload the filled-in file").set_input_files(filled)
    page.get_by_role("button", name="Upload and save").click()
    arrive(page, "Payees", live_server.url("/council/spend/payees"))
    expect(success_banner(page)).to_contain_text(
        f"{len(payees)} payees read: {changed} changed ({postcodes} postcodes, {sme} SME answers "
        f"and {vcse} VCSE answers)"
    )
    listing = page.get_by_role("table", name="Payees, the largest spend first")
    northtown = next(row[1] for row in payees if ids[row[1]] == "V1001")
    expect(row_headed_cell(listing, northtown, 4)).to_have_text("M1 1AA")

    # 4. The year's analysis: the figures worked out above.
    page.get_by_role("link", name="Back to spend analysis").click()
    arrive(page, "Spend analysis", analysis_url)
    page.get_by_label("Financial year").select_option(label=YEAR)
    page.get_by_role("button", name="Show").click()
    arrive(page, "Spend analysis", re.compile(r"/council/spend\?year=2025"))
    expect(page.get_by_role("heading", name=YEAR, exact=True)).to_be_visible()
    expect(stat(page, "Total spend")).to_have_text(money(expected.total))
    expect(stat(page, "With the top 300 suppliers")).to_have_text(top)
    expect(stat(page, "Paid to people (names redacted)")).to_have_text(money(expected.people))
    expect(stat(page, "Paid to public bodies")).to_have_text(money(expected.public))
    expect(page.get_by_role("main")).to_contain_text(
        f"The top suppliers are the {expected.suppliers} suppliers with the most spend "
        "(fewer than 300 were paid)"
    )
    expect(page.get_by_role("main")).to_contain_text("in the wider area (Greater Northtown)")
    assert rows_of(where) == expected.where
    sme_table = page.get_by_role("table", name="Small or medium-sized enterprise (SME)")
    assert rows_of(sme_table) == expected.sme
    # The chart says the shares in words, for those who cannot see it.
    said = "; ".join(f"{label.lower()} {percent}" for label, _, percent in expected.where)
    chart = page.get_by_role("img", name=f"Where the top suppliers are, {YEAR}")
    expect(chart).to_have_accessible_name(
        f"Where the top suppliers are, {YEAR} Of the top suppliers' spend: {said}. "
        "The table below has the figures."
    )
    local_share = expected.where[0][2]
    trend = page.get_by_role("table", name="Spend and the local share, year by year")
    assert rows_of(trend) == [[YEAR, money(expected.total), top, local_share]]
    # The figures are offered as a download, for the year shown.
    downloads = page.get_by_role("main").get_by_text("Download every figure on this page")
    csv_link = downloads.get_by_role("link", name="CSV").first
    expect(csv_link).to_have_attribute("href", "/council/spend/analysis.csv?year=2025")
    with page.expect_download() as analysis_download:
        csv_link.click()
    exported = Path(analysis_download.value.path()).read_bytes().decode("utf-8-sig")
    figures = list(csv.reader(io.StringIO(exported)))
    headline = next(row for row in figures if row[1:3] == ["Headline", "Total spend"])
    assert Decimal(headline[4]) == expected.total
    assert [
        [row[2], money(Decimal(row[4])), f"{row[5]}%"] for row in figures if row[1] == "Where"
    ] == (expected.where)


def row_headed_cell(table: Locator, name: str, index: int) -> Locator:
    """A cell of the row whose first cell links to this name."""
    row = body_rows(table).filter(has=table.page.get_by_role("link", name=name, exact=True))
    expect(row).to_have_count(1)
    return row.get_by_role("cell").nth(index)
