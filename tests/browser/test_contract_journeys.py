"""Contract journeys in a real Chromium: a contract manager sets up a contract and its
commitments by hand and a supplier sees it (and another supplier cannot), a contract manager
changes the target of a commitment with a quarterly profile, and a contract manager imports 250
contracts from a spreadsheet, first with a mistake and then fixed. Every page reached is checked
with axe-core."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from portal import calendar
from portal.data import commit, contracts
from portal.domain.contract_import import COLUMNS
from portal.workflows import compliance
from tests.browser.conftest import LiveServer, allow_console_error, axe_check
from tests.browser.pages import (
    arrive,
    body_rows,
    error_summary,
    expect_title_starts,
    fill_date,
    go_to,
    heading,
    sign_in,
    success_banner,
    visit,
)
from tests.conftest import World

pytestmark = pytest.mark.browser

REFERENCE = "NCC-2025-200"
TITLE = "Parks and open spaces maintenance"
COMMITMENTS = [
    ("Local people hired", "30", "30 people"),
    ("Apprenticeship starts", "6", "6 people"),
    ("Older workers hired (50+)", "9", "9 people"),
]

IMPORTED_CONTRACTS = 250
MEASURE_CODES = ("LOCAL_HIRES", "APPRENTICE_STARTS")
BAD_CODE = "LOCAL_HIRE"  # a typo for LOCAL_HIRES
BAD_CONTRACT = 137  # the contract whose second row has the typo


# Helpers


def open_council_contracts(page: Page, server: LiveServer) -> None:
    """Signed in as council staff: from the dashboard, where they land, to the contract list."""
    arrive(page, "Dashboard", server.url("/council/"))
    go_to(page, "Contracts")
    expect(page).to_have_url(server.url("/council/contracts"))


def open_supplier_contracts(page: Page, server: LiveServer) -> None:
    """Signed in as a supplier user: from the overview, where they land, to their contracts."""
    arrive(page, "Overview", server.url("/supplier/"))
    go_to(page, "Your contracts")
    expect(page).to_have_url(server.url("/supplier/contracts"))


def commitments_table(page: Page) -> Locator:
    return page.get_by_role("table", name="What the supplier promised")


def calendar_table(page: Page) -> Locator:
    return page.get_by_role("table", name="Reporting periods, due dates and returns")


def expect_commitments_and_calendar(page: Page) -> None:
    rows = body_rows(commitments_table(page))
    expect(rows).to_have_count(len(COMMITMENTS))
    for name, _, shown in COMMITMENTS:
        row = rows.filter(has=page.get_by_role("rowheader", name=name))
        expect(row).to_have_count(1)
        expect(row.locator("td").first).to_have_text(shown)

    periods = body_rows(calendar_table(page))
    expect(periods).to_have_count(12)  # 1 April 2025 to 31 March 2028: three whole years
    first = periods.first
    expect(first.get_by_role("rowheader")).to_have_text("Q1 2025/26")
    expect(first.locator("td").nth(0)).to_have_text("1 April 2025 to 30 June 2025")
    expect(first.locator("td").nth(1)).to_have_text("30 July 2025")
    last = periods.last
    expect(last.get_by_role("rowheader")).to_have_text("Q4 2027/28")
    expect(last.locator("td").nth(1)).to_have_text("30 April 2028")


# Setting up a contract by hand


def test_manager_sets_up_a_contract_that_only_its_supplier_sees(
    page: Page, new_page: Callable[..., Page], live_server: LiveServer, world: World
) -> None:
    sign_in(page, live_server, "cm@northmoor.example")
    open_council_contracts(page, live_server)
    page.get_by_role("link", name="Add a contract").click()
    arrive(page, "Add a contract", live_server.url("/council/contracts/new"))

    # Saved empty: the error summary lists what is missing, and the page stays accessible.
    page.get_by_role("button", name="Save contract").click()
    arrive(page, "Add a contract")
    expect_title_starts(page, "Error: Add a contract")
    summary = error_summary(page)
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    for message in (
        "Enter the contract reference",
        "Enter the contract title",
        "Select a supplier or enter the name of a new one",
        "Enter the contract value",
        "Enter the start date",
        "Enter the end date",
    ):
        expect(summary).to_contain_text(message)
    # Each message links to its field.
    summary.get_by_role("link", name="Enter the contract reference").click()
    expect(page.get_by_label("Contract reference")).to_be_focused()
    axe_check(page)

    page.get_by_label("Contract reference").fill(REFERENCE)
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Supplier", exact=True).select_option(label="Acme Grounds Ltd")
    page.get_by_label("Contract manager").select_option(label=world.manager.full_name)
    page.get_by_label("Contract value").fill("2,400,000")
    fill_date(page, "Start date", "1", "4", "2025")
    fill_date(page, "End date", "31", "3", "2028")
    # The local area and the KPI question keep their defaults.
    expect(page.get_by_label("Area that counts as local")).to_have_value("")
    expect(page.get_by_label("Decide from the value")).to_be_checked()
    page.get_by_role("button", name="Save contract").click()

    arrive(page, f"{REFERENCE}: {TITLE}", re.compile(r"/council/contracts/\d+$"))
    contract_id = int(page.url.rsplit("/", 1)[1])
    expect(success_banner(page)).to_contain_text(
        f"Contract {REFERENCE} created. Now add its commitments."
    )
    facts = page.locator(".govuk-summary-list")
    expect(facts).to_contain_text("Acme Grounds Ltd")
    expect(facts).to_contain_text("£2,400,000")
    expect(facts).to_contain_text("1 April 2025 to 31 March 2028")
    kpi = facts.locator(".govuk-summary-list__row").filter(has_text="KPI contract")
    expect(kpi.locator("dd")).to_have_text("No")  # £2.4 million is under £5 million
    expect(page.get_by_text("No commitments have been recorded")).to_be_visible()

    for name, target, _ in COMMITMENTS:
        page.get_by_role("link", name="Add a commitment").click()
        arrive(page, f"Add a commitment to {REFERENCE}")
        measure = page.get_by_label("Measure")
        option = measure.locator("option").filter(
            has_text=re.compile("^" + re.escape(name) + r" \(")
        )
        expect(option).to_have_count(1)
        measure.select_option(value=option.get_attribute("value"))
        page.get_by_label("Target").fill(target)
        page.get_by_role("button", name="Add commitment").click()
        arrive(page, f"{REFERENCE}: {TITLE}", live_server.url(f"/council/contracts/{contract_id}"))
        expect(success_banner(page)).to_contain_text(f"{name} added")

    expect_commitments_and_calendar(page)

    # Sam, of Acme, sees the contract.
    supplier = new_page("Acme supplier user")
    sign_in(supplier, live_server, "sam@acme.example")
    open_supplier_contracts(supplier, live_server)
    link = supplier.get_by_role("link", name=REFERENCE)
    expect(link).to_be_visible()
    link.click()
    contract_url = live_server.url(f"/supplier/contracts/{contract_id}")
    arrive(supplier, f"{REFERENCE}: {TITLE}", contract_url)
    expect_commitments_and_calendar(supplier)
    for name, _, _ in COMMITMENTS:
        # Exactly its name: the performance section has "<name>: running total" headings too.
        commitment = supplier.get_by_role("heading", level=3, name=name, exact=True)
        expect(commitment).to_be_visible()
    # A supplier cannot change anything.
    expect(supplier.get_by_role("link", name="Add a commitment")).to_have_count(0)
    expect(supplier.get_by_role("link", name=re.compile("^Change"))).to_have_count(0)

    # Bo, of Bolt, is not told the contract exists.
    other = new_page("Bolt supplier user")
    sign_in(other, live_server, "bo@bolt.example")
    open_supplier_contracts(other, live_server)
    expect(other.get_by_role("link", name=REFERENCE)).to_have_count(0)
    allow_console_error(other, "status of 404")
    visit(other, contract_url, status=404)
    expect(heading(other)).to_have_text("Page not found")
    expect_title_starts(other, "Page not found")
    expect(other.locator("main")).not_to_contain_text(REFERENCE)
    expect(other.locator("main")).not_to_contain_text(TITLE)


def test_the_day_box_is_labelled_and_the_error_summary_reaches_it(
    page: Page, live_server: LiveServer, world: World
) -> None:
    sign_in(page, live_server, "cm@northmoor.example")
    open_council_contracts(page, live_server)
    page.get_by_role("link", name="Add a contract").click()
    arrive(page, "Add a contract", live_server.url("/council/contracts/new"))
    page.get_by_role("button", name="Save contract").click()
    arrive(page, "Add a contract")
    assert page.locator("[id=start_on]").count() == 1, "two elements have the id start_on"
    day = page.get_by_role("group", name="Start date", exact=True).get_by_label("Day")
    expect(day).to_have_count(1, timeout=1_000)
    error_summary(page).get_by_role("link", name="Enter the start date").click()
    expect(day).to_be_focused(timeout=1_000)


# Changing the target of a profiled commitment


def expected_by_quarter(page: Page, measure: str) -> Locator:
    """The Expected column of a commitment's table of quarters on the contract page."""
    table = page.get_by_role("table", name=f"{measure}: expected and delivered by quarter")
    return table.locator("tbody td:nth-of-type(1)")


def test_manager_changes_a_profiled_target_and_the_profile_follows(
    page: Page, live_server: LiveServer, world: World
) -> None:
    hires = next(c for c in world.contract.commitments if c.measure.code == "LOCAL_HIRES")
    hires.target = Decimal(30)
    quarters = [(year, quarter) for year in (2025, 2026, 2027) for quarter in (1, 2, 3, 4)]
    # 5 local people in each of the first six quarters, none after.
    plan = {q: Decimal(5) if i < 6 else Decimal(0) for i, q in enumerate(quarters)}
    contracts.save_plan(hires, plan, by=world.manager)
    compliance.refresh([world.contract.id], calendar.today())
    commit()
    contract_page = live_server.url(f"/council/contracts/{world.contract.id}")
    change_page = f"{contract_page}/commitments/{hires.id}/edit"
    contract_h1 = "NCC-001: Grounds maintenance"

    sign_in(page, live_server, "cm@northmoor.example")
    open_council_contracts(page, live_server)
    page.get_by_role("link", name=re.compile(r"^NCC-001\b")).click()
    arrive(page, contract_h1, contract_page)
    expected = expected_by_quarter(page, "Local people hired")
    expect(expected).to_have_text([f"{n} people" for n in (5, 10, 15, 20, 25)] + ["30 people"] * 7)

    page.get_by_role("link", name="Change Local people hired", exact=True).click()
    arrive(page, "Change Local people hired", change_page)
    rescale = page.get_by_label("Rescale it to the target", exact=True)
    expect(rescale).to_be_checked()  # the default
    first_quarter = page.get_by_label("Q1 2025/26 (1 April 2025 to 30 June 2025)", exact=True)
    expect(first_quarter).to_have_value("5")  # the profile as it is, to change

    # New figures that do not add up: the error names the target, and nothing is saved.
    page.get_by_label("Target", exact=True).fill("36")
    page.get_by_label("Reason for the change").fill("Second site added")
    page.get_by_label("Enter new quarterly figures", exact=True).check()
    page.get_by_role("button", name="Save changes").click()
    arrive(page, "Change Local people hired", change_page)
    message = "The quarters must add up to the target of 36; they add up to 30"
    error_summary(page).get_by_role("link", name=message).click()
    expect(first_quarter).to_be_focused()
    expect(page.get_by_label("Target", exact=True)).to_have_value("36")  # what was typed is kept

    # Rescaled instead: 6 in each of the six quarters, and the same step saved the target.
    rescale.check()
    page.get_by_role("button", name="Save changes").click()
    arrive(page, contract_h1, contract_page)
    expect(success_banner(page)).to_contain_text(
        "Local people hired updated: its quarterly profile was rescaled to the target"
    )
    expect(expected).to_have_text([f"{n} people" for n in (6, 12, 18, 24, 30)] + ["36 people"] * 7)
    row = body_rows(commitments_table(page)).filter(
        has=page.get_by_role("rowheader", name=re.compile("^Local people hired"))
    )
    expect(row.locator("td").first).to_have_text("36 people")


# Importing contracts from a spreadsheet


def reference(number: int) -> str:
    return f"IMP-{number:04d}"


def write_import(path: Path, *, bad: bool) -> int | None:
    """250 contracts with two commitments each (500 rows); with `bad`, one row has an unknown
    measure code. Returns that row's number as the spreadsheet shows it (the header is row 1)."""
    bad_row = None
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        row_number = 1
        for number in range(1, IMPORTED_CONTRACTS + 1):
            for position, code in enumerate(MEASURE_CODES):
                row_number += 1
                if bad and number == BAD_CONTRACT and position == 1:
                    code, bad_row = BAD_CODE, row_number
                cells = {
                    "Contract reference": reference(number),
                    "Title": f"Imported service {number}",
                    "Supplier": "Acme Grounds Ltd",
                    "Contract manager email": "cm@northmoor.example",
                    "Value (£)": str(100_000 + number * 1_000),
                    "Start date": "01/04/2025",
                    "End date": "31/03/2028",
                    "Reporting starts": "",
                    "KPI contract": "",
                    "Local area": "",
                    "Measure code": code,
                    "Target": str(1 + number % 10),
                    "Note": "",
                }
                writer.writerow([cells.get(column, "") for column in COLUMNS])
    assert row_number == 2 * IMPORTED_CONTRACTS + 1
    return bad_row


def upload(page: Page, path: Path) -> None:
    page.get_by_label("Upload a file").set_input_files(path)
    page.get_by_role("button", name="Check the file").click()


def test_manager_imports_contracts_after_fixing_a_row(
    page: Page, live_server: LiveServer, world: World, tmp_path: Path
) -> None:
    sign_in(page, live_server, "cm@northmoor.example")
    open_council_contracts(page, live_server)
    page.get_by_role("link", name="Import contracts").click()
    arrive(page, "Import contracts", live_server.url("/council/contracts/import"))

    # The template downloads, as CSV and as Excel.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    template = Path(download.path()).read_text(encoding="utf-8-sig")
    assert next(csv.reader(template.splitlines())) == COLUMNS
    excel = page.get_by_role("link", name="Excel (.xlsx)")
    response = page.request.get(live_server.url(excel.get_attribute("href") or ""))
    assert response.ok, response.status
    assert "spreadsheetml" in response.headers["content-type"], response.headers
    assert response.body()[:2] == b"PK"  # a zip, as .xlsx files are
    # Downloading moved nothing: still the import page.
    expect(heading(page)).to_have_text("Import contracts")

    # A file with one wrong row: the preview names the row and saves nothing.
    bad_file = tmp_path / "contracts-with-a-typo.csv"
    bad_row = write_import(bad_file, bad=True)
    upload(page, bad_file)
    arrive(page, "Check your import", re.compile(r"/council/contracts/import/\d+$"))
    expect_title_starts(page, "Error: Check your import")
    expect(page.locator(".govuk-caption-l")).to_have_text(bad_file.name)
    expect(error_summary(page)).to_contain_text("nothing has been saved")
    expect(page.locator("#errors")).to_contain_text(
        f"We checked {2 * IMPORTED_CONTRACTS} rows and found 1 problem"
    )
    expect(page.locator("#errors")).to_contain_text("nothing has been saved")
    problems = body_rows(page.get_by_role("table", name="Rows to fix"))
    expect(problems).to_have_count(1)
    expect(problems.locator("td")).to_have_text(
        [str(bad_row), f"Measure code {BAD_CODE} is not in the catalogue"]
    )
    expect(page.get_by_role("button", name=re.compile("^Import"))).to_have_count(0)

    # Nothing was saved: the council still has only its two contracts.
    go_to(page, "Contracts")
    page.get_by_label("All contracts").check()
    page.get_by_role("button", name="Apply filters").click()
    arrive(page, "Contracts", re.compile(r"/council/contracts\?show=all"))
    expect(page.get_by_text("Showing 1 to 2 of 2")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^IMP-"))).to_have_count(0)

    # The fixed file: every row is right, and importing saves them all.
    page.get_by_role("link", name="Import contracts").click()
    arrive(page, "Import contracts")
    good_file = tmp_path / "contracts.csv"
    assert write_import(good_file, bad=False) is None
    upload(page, good_file)
    arrive(page, "Check your import", re.compile(r"/council/contracts/import/\d+$"))
    expect(error_summary(page)).to_have_count(0)
    main = page.locator("main")
    expect(main).to_contain_text("Every row is correct. Nothing is saved until you import.")
    expect(main).to_contain_text(
        f"{2 * IMPORTED_CONTRACTS} rows make {IMPORTED_CONTRACTS} contracts"
        f" with {2 * IMPORTED_CONTRACTS} commitments."
    )
    preview = body_rows(page.get_by_role("table", name="Contracts to import"))
    expect(preview).to_have_count(200)  # the first 200, then a count of the rest
    expect(preview.first).to_contain_text(reference(1))
    expect(main).to_contain_text(f"and {IMPORTED_CONTRACTS - 200} more.")
    page.get_by_role("button", name=f"Import {IMPORTED_CONTRACTS} contracts").click()

    arrive(page, "Contracts", re.compile(r"/council/contracts\?show=all$"))
    expect(success_banner(page)).to_contain_text(
        f"{IMPORTED_CONTRACTS} contracts imported with {2 * IMPORTED_CONTRACTS} commitments"
    )
    expect(page.get_by_text(f"Showing 1 to 50 of {IMPORTED_CONTRACTS + 2}")).to_be_visible()
    listed = body_rows(page.get_by_role("table", name="Contracts"))
    expect(listed).to_have_count(50)
    first = listed.first  # sorted by reference: IMP- comes before NCC-
    expect(first.get_by_role("link")).to_have_text(f"{reference(1)}:")
    expect(first).to_contain_text("Imported service 1")
    expect(first).to_contain_text("Acme Grounds Ltd")
    expect(first.locator("td").last).to_have_text("2")
    expect(page.get_by_role("link", name=reference(BAD_CONTRACT))).to_have_count(0)  # page 3

    # An imported contract has its commitments and calendar.
    page.get_by_role("link", name=reference(1)).click()
    arrive(page, f"{reference(1)}: Imported service 1", re.compile(r"/council/contracts/\d+$"))
    expect(body_rows(commitments_table(page))).to_have_count(2)
    expect(body_rows(calendar_table(page))).to_have_count(12)
