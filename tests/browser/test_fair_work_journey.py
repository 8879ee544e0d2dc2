"""Fair work (issue 14) in a real Chromium; every page reached is checked with axe-core, and the
Nu HTML checker checks them after the last browser test.

1. Sam, of Acme, starts the Q1 2025/26 return for a cleaning contract that promises at least 95%
   of FTE paid the real Living Wage and at least 90% in secure work, and uploads a schedule of
   five people with their pay, contract types and guaranteed hours.
2. The people page, each commitment's line and the check page show the shares the portal counts
   from them, before the declaration; they equal the hand-worked figures below. Sam submits.
3. The contract manager opens the contract page: its Fair work section (the chart, and the table
   beside it) shows the same figures for the quarter, with the rate it was judged against.

The contract and its commitments are set up through the data layer, as in the other journeys.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from portal.data import commit, contracts
from portal.data.models import Contract
from portal.domain.workforce_import import COLUMNS
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.pages import (
    arrive,
    body_rows,
    go_to,
    open_task,
    row_headed,
    sign_in,
    success_banner,
    task,
)
from tests.conftest import World

pytestmark = pytest.mark.browser

PERIOD = "Q1 2025/26"
RETURN = f"{PERIOD} return"
LIVING_WAGE = "FTE paid at least the real Living Wage"  # the commitments' measures
SECURE_WORK = "FTE in secure work"
RATE = "£12.60"

# Everyone worked the whole quarter (1 April to 30 June 2025), so a person's FTE is their weekly
# hours (at most 37) ÷ 37 × their share of time on the contract. Their pay is judged against the
# real Living Wage in force on the quarter's last day: the UK rate of £12.60 announced in October
# 2024, payable from 1 May 2025 (seeded with the known rates; the council is not in London).
PEOPLE = [
    # 1 FTE; paid exactly the rate (written as the template's example writes it); secure.
    ["F-1", "M1 1AA", "25 to 34", "01/09/2021", "", "37", "100", "Retained", "", "", "£12.60",
     "Permanent", "37"],
    # 1 FTE; paid above the rate; secure.
    ["F-2", "M4 5AB", "35 to 49", "01/03/2023", "", "37", "100", "Retained", "", "", "13.45",
     "Permanent", "37"],
    # 18.5 / 37 = 0.5 FTE; paid above the rate, but zero-hours, so not secure.
    ["F-3", "M1 2BB", "18 to 24", "01/01/2025", "", "18.5", "100", "Retained", "", "", "13.00",
     "Zero-hours", "0"],
    # 50 and over, 1 FTE; paid £12.00, the rate payable until 30 April, so below the quarter's
    # £12.60; a fixed-term contract guaranteeing 37 hours: secure.
    ["F-4", "M1 3CC", "50 to 64", "01/06/2019", "", "37", "100", "Retained", "", "", "12.00",
     "Fixed-term", "37"],
    # 50 and over, 37 / 37 × 50% = 0.5 FTE; paid the rate (written "12.6"); 20 guaranteed hours
    # (at least 16): secure.
    ["F-5", "SK1 1AA", "65 and over", "01/10/2024", "", "37", "50", "Retained", "", "", "12.6",
     "Permanent", "20"],
]  # fmt: skip
# All 4 FTE give pay and contract (coverage 100%).
# Paid the real Living Wage: F-1, F-2, F-3, F-5 = 3 of 4 FTE = 75%; 4 of 5 people.
# In secure work: F-1, F-2, F-4, F-5 = 3.5 of 4 FTE = 87.5%; 4 of 5 people.
# Aged 50 and over (F-4, F-5: 1.5 FTE): paid the rate F-5 = 0.5 of 1.5 = 33.33%, shown rounded
#   down to 33.3%; 1 of 2 people. In secure work: both, 1.5 of 1.5 = 100%; 2 of 2 people.
SHARES = {
    # as the check page and the contract page name each share: (figure, what is behind it)
    "Paid the real Living Wage": ("75%", "4 of 5 people; pay given for 100% of FTE"),
    "In secure work": ("87.5%", "4 of 5 people; contract given for 100% of FTE"),
    "Paid the real Living Wage, aged 50 and over": (
        "33.3%",
        "1 of 2 people; pay given for 100% of FTE",
    ),
    "In secure work, aged 50 and over": ("100%", "2 of 2 people; contract given for 100% of FTE"),
}
COMMITTED = {LIVING_WAGE: "75%", SECURE_WORK: "87.5%"}  # each commitment's line


def a_contract(world: World) -> Contract:
    """NCC-003, office cleaning for Northmoor by Acme from 1 April 2025: at least 95% of FTE paid
    the real Living Wage and at least 90% in secure work, in every quarter."""
    contract = factories.contract(
        world.council, world.supplier, world.manager, reference="NCC-003", codes=()
    )
    contract.title = "Office cleaning"
    for code, target in (("LIVING_WAGE", 95), ("SECURE_WORK", 90)):
        contracts.add_commitment(
            contract, factories.measure(world.council, code), target=Decimal(target), by=None
        )
    commit()
    return contract


def write_schedule(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        writer.writerows(PEOPLE)
    return path


def period_row(page: Page) -> Locator:
    return row_headed(
        page.get_by_role("table", name="Reporting periods, due dates and returns"), PERIOD
    )


def read(locator: Locator) -> str:
    """The text as a person reads it: what the screen shows, each run of spaces and line breaks
    as one space."""
    return " ".join(locator.inner_text().split())


def summary_value(summary_list: Locator, key: str) -> Locator:
    """The value of the row with this key in a GOV.UK summary list."""
    row = summary_list.locator(".govuk-summary-list__row").filter(
        has=summary_list.page.get_by_role("term").get_by_text(key, exact=True)
    )
    expect(row).to_have_count(1)
    return row.get_by_role("definition").first


def test_a_supplier_sends_pay_and_contract_types_and_the_manager_reads_the_shares(
    page: Page,
    new_page: Callable[..., Page],
    live_server: LiveServer,
    world: World,
    tmp_path: Path,
) -> None:
    contract = a_contract(world)
    title = f"{contract.reference}: {contract.title}"
    supplier_contract = live_server.url(f"/supplier/contracts/{contract.id}")

    # 1. Sam starts the return and uploads the people with their pay and contract types.
    supplier = page
    sign_in(supplier, live_server, "sam@acme.example")
    arrive(supplier, "Overview", live_server.url("/supplier/"))
    go_to(supplier, "Your contracts", url=live_server.url("/supplier/contracts"))
    supplier.get_by_role("link", name="NCC-003").click()
    arrive(supplier, title, supplier_contract)
    period_row(supplier).get_by_role("button", name=f"Start {RETURN}", exact=True).click()
    arrive(supplier, RETURN, re.compile(r"/supplier/returns/\d+$"))
    task_list = supplier.url
    open_task(supplier, "People on this contract")
    supplier.get_by_role("link", name="Upload a spreadsheet").click()
    arrive(supplier, "Upload people", re.compile(r"/workforce/upload$"))
    # The contract has a fair-work commitment, so the three columns are asked of everyone.
    expect(supplier.locator("main")).to_contain_text(
        "This contract has a fair work commitment, so give these three columns for everyone"
    )
    supplier.get_by_label("Upload a file").set_input_files(write_schedule(tmp_path / "people.csv"))
    supplier.get_by_role("button", name="Upload", exact=True).click()
    arrive(supplier, "People on this contract", re.compile(r"/workforce$"))
    expect(success_banner(supplier)).to_contain_text("5 people uploaded")
    counted = supplier.get_by_role("table", name="Figures counted from the people below")
    expect(body_rows(counted)).to_have_count(len(COMMITTED))
    for measure, figure in COMMITTED.items():
        expect(row_headed(counted, measure).get_by_role("cell").first).to_have_text(figure)
    people = body_rows(supplier.get_by_role("table", name="People on this contract this quarter"))
    expect(people).to_have_count(len(PEOPLE))
    supplier.get_by_role("link", name="Back to the return").last.click()
    arrive(supplier, RETURN, task_list)
    expect(task(supplier, "People on this contract")).to_contain_text("5 people recorded")

    # 2. Each commitment's line shows its share, counted from the people; Sam describes it.
    for measure, figure in COMMITTED.items():
        expect(task(supplier, measure)).to_contain_text(f"Counted from people: {figure}")
        open_task(supplier, measure)
        counted_here = supplier.locator(".govuk-summary-list")
        expect(summary_value(counted_here, "Counted from your people")).to_have_text(figure)
        supplier.get_by_label("What was delivered").fill(f"Pay and contracts for {measure}")
        supplier.get_by_role("button", name="Save and continue").click()
        arrive(supplier, RETURN, task_list)
        expect(task(supplier, measure)).to_contain_text("Completed")

    # The check page: the shares and their coverage, against the quarter's rate, before the
    # declaration.
    open_task(supplier, "Check your answers and submit", "Check your return")
    main = supplier.get_by_role("main")
    figures = supplier.get_by_role("heading", name="Figures", exact=True)
    figures_list = figures.locator("xpath=following-sibling::dl[1]")
    for measure, figure in COMMITTED.items():
        expect(summary_value(figures_list, measure)).to_contain_text(figure)
    fair_work = supplier.get_by_role("heading", name="Fair work", exact=True)
    expect(fair_work).to_be_visible()
    expect(main).to_contain_text(f"against the real Living Wage of {RATE} an hour")
    shares = fair_work.locator("xpath=following-sibling::dl[1]")
    expect(shares.locator(".govuk-summary-list__row")).to_have_count(len(SHARES))
    for name, (figure, behind) in SHARES.items():
        assert read(summary_value(shares, name)) == f"{figure} {behind}", name
    declaration = supplier.get_by_role("heading", name="Declaration", exact=True)
    above, below = fair_work.bounding_box(), declaration.bounding_box()
    assert above is not None and below is not None and above["y"] < below["y"]
    supplier.get_by_label("I confirm this declaration").check()
    supplier.get_by_role("button", name="Submit return").click()
    arrive(supplier, "Return submitted", re.compile(r"/supplier/returns/\d+/submitted$"))
    expect(supplier.locator(".govuk-panel")).to_contain_text(f"NCC-003, {PERIOD}")

    # 3. The contract manager reads the same shares in the contract's Fair work section.
    manager = new_page("contract manager")
    sign_in(manager, live_server, "cm@northmoor.example")
    arrive(manager, "Dashboard", live_server.url("/council/"))
    go_to(manager, "Contracts", url=live_server.url("/council/contracts"))
    manager.get_by_role("link", name=re.compile(r"^NCC-003\b")).click()
    arrive(manager, title, live_server.url(f"/council/contracts/{contract.id}"))
    expect(period_row(manager)).to_contain_text("Submitted")
    expect(manager.get_by_role("heading", name="Fair work", exact=True)).to_be_visible()
    expect(manager.get_by_role("main")).to_contain_text(  # what secure work means, in words
        "neither on zero-hours or casual contracts nor guaranteed fewer than 16 hours a week"
    )
    chart = manager.get_by_role("img", name=re.compile(r"^Fair work shares by quarter\b"))
    expect(chart).to_be_visible()
    table = manager.get_by_role("table", name="Fair work shares by quarter")
    expect(table.get_by_role("columnheader")).to_have_text(["Quarter", *SHARES, "Real Living Wage"])
    expect(body_rows(table)).to_have_count(1)
    cells = row_headed(table, PERIOD).get_by_role("cell")
    expect(cells).to_have_count(len(SHARES) + 1)
    shown = [read(cell) for cell in cells.all()]
    assert shown == [f"{figure} {behind}" for figure, behind in SHARES.values()] + [RATE]
    # The chart says the latest quarter in words, for those who cannot see it, with the real
    # Living Wage spelt as everywhere else (the Living Wage Foundation's name for it).
    expect(chart).to_have_accessible_name(
        f"Fair work shares by quarter In {PERIOD}: paid the real Living Wage 75%; in secure work "
        "87.5%; paid the real Living Wage, aged 50 and over 33.3%; in secure work, aged 50 and "
        "over 100%. The table below has every quarter's figures."
    )
