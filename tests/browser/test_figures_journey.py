"""Figures and words that users can trust (issue 10), in a real Chromium, as the users reach
them; every page visited is checked with axe-core.

1. A contract manager adds a contract that started about a year ago, with reporting starting on
   the first day of this quarter, and a commitment: no flag, nothing overdue, no earlier quarter
   in its returns, and the page says when reporting starts.
2. A target change on a profiled commitment has its own journey:
   test_manager_changes_a_profiled_target_and_the_profile_follows in test_contract_journeys.py.
3. On a contract with a level commitment (local FTE) and two totals, the supplier fills in and
   submits the Q1 2025/26 return (people uploaded as CSV, each line described). Until the
   manager reviews it, the level's quarter says "Awaiting review" (never 0) in the table beside
   its chart, in the chart's notes and in the description read out for it, and in the
   quarterly download, while overdue quarters say "No return" and count 0. The manager queries
   one total and accepts the other lines: the accepted figures count at once (the level's
   2.09 FTE among them, in its quarter and in its mean), the queried one waits as pending.
4. The supplier sees the same figures on its own page and gets the same download.

Set-up that users do not do here goes through the data layer, as in the other journeys: the
local area, and the second contract with its commitments (step 1 adds a contract and a
commitment through the forms).
"""

from __future__ import annotations

import calendar as months
import csv
import io
import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from portal import calendar
from portal.data import commit, contracts, local_areas
from portal.data.models import Contract
from portal.workflows import compliance
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.pages import (
    arrive,
    body_rows,
    decide,
    decision_card,
    fill_date,
    go_to,
    open_task,
    row_headed,
    sign_in,
    success_banner,
    task,
    visit,
)
from tests.conftest import World
from tests.integration.test_returns import PEOPLE, schedule

pytestmark = pytest.mark.browser

FTE = "Local people employed (FTE)"
HIRES = "Local people hired"
STARTS = "Apprenticeship starts"
QUERIED = STARTS
QUERY = "Send the apprenticeship agreement"
PERIOD = "Q1 2025/26"
# What PEOPLE counts in Q1 2025/26 with M1 and M4 5 as the local area (hand-worked in
# tests/integration/test_returns.py): local FTE 1 + 0.25 + 0.51 + 0.33.
COUNTED = {HIRES: "2 people", STARTS: "1 person", FTE: "2.09 FTE"}
LOCAL_FTE_Q1 = Decimal("2.09")
TABLE_BESIDE = "The table beside it has every quarter's figures."
NO_RETURN = "0 FTE (no return)"  # a level's overdue quarter with nothing submitted, in its table


# Dates, worked out here rather than by the portal's own calendar


def long_date(day: date) -> str:
    return f"{day.day} {months.month_name[day.month]} {day.year}"


def quarter_of(day: date) -> tuple[int, int, date, date]:
    """(financial year, quarter, first day, last day) of an April financial year."""
    year = day.year if day.month >= 4 else day.year - 1
    quarter = (day.month - 4) % 12 // 3 + 1
    first_month = (day.month - 1) // 3 * 3 + 1
    last_month = first_month + 2
    last_day = months.monthrange(day.year, last_month)[1]
    return year, quarter, date(day.year, first_month, 1), date(day.year, last_month, last_day)


def label(year: int, quarter: int) -> str:
    return f"Q{quarter} {year}/{(year + 1) % 100:02d}"


def quarters_between(first: date, last: date) -> list[tuple[str, date]]:
    """The label and last day of each quarter from the one holding `first` to `last`'s."""
    found = []
    day = first
    while day <= last:
        year, quarter, _, ends_on = quarter_of(day)
        found.append((label(year, quarter), ends_on))
        day = ends_on + timedelta(days=1)
    return found


# The contract page


def performance_row(page: Page, measure: str) -> Locator:
    return row_headed(page.get_by_role("table", name="Each commitment's delivery to date"), measure)


def quarter_table(page: Page, measure: str) -> Locator:
    return page.get_by_role("table", name=f"{measure}: expected and delivered by quarter")


def delivered_by_quarter(page: Page, measure: str) -> Locator:
    """The Delivered column of a commitment's table of quarters (beside its chart)."""
    return quarter_table(page, measure).locator("tbody td:nth-of-type(2)")


def chart(page: Page, measure: str) -> Locator:
    return page.get_by_role("img", name=re.compile("^" + re.escape(f"{measure}: expected")))


def returns_table(page: Page) -> Locator:
    return page.get_by_role("table", name="Reporting periods, due dates and returns")


def quarters_download(page: Page, server: LiveServer) -> list[dict[str, str]]:
    """The rows of the quarterly figures download linked from the page, as the user gets it."""
    link = (
        page.locator("p")
        .filter(has_text="Download every quarter's expected and delivered figures as")
        .get_by_role("link", name="CSV", exact=True)
    )
    response = page.request.get(server.url(link.get_attribute("href") or ""))
    assert response.ok, response.status
    assert response.headers["content-type"].startswith("text/csv"), response.headers
    return list(csv.DictReader(io.StringIO(response.text().lstrip("\ufeff"))))


def download_row(rows: list[dict[str, str]], measure: str, quarter: str) -> dict[str, str]:
    [row] = [r for r in rows if r["Measure"] == measure and r["Quarter"] == quarter]
    return row


# 1. A contract entered part-way through its life


def test_a_contract_entered_part_way_through_owes_no_earlier_return(
    page: Page, live_server: LiveServer, world: World
) -> None:
    today = calendar.today()
    year, quarter, reporting_starts, quarter_ends = quarter_of(today)
    starts = today - timedelta(days=365)
    ends = date(year + 3, 3, 31)  # the end of the financial year after next
    reporting = quarters_between(reporting_starts, ends)
    assert len(reporting) == 4 - quarter + 1 + 8
    reference, title = "NCC-2026-400", "Street cleansing"

    sign_in(page, live_server, "cm@northmoor.example")
    arrive(page, "Dashboard", live_server.url("/council/"))
    go_to(page, "Contracts", url=live_server.url("/council/contracts"))
    page.get_by_role("link", name="Add a contract").click()
    arrive(page, "Add a contract", live_server.url("/council/contracts/new"))
    page.get_by_label("Contract reference").fill(reference)
    page.get_by_label("Title").fill(title)
    page.get_by_label("Supplier", exact=True).select_option(label="Acme Grounds Ltd")
    page.get_by_label("Contract value").fill("900,000")
    for legend, day in (
        ("Start date", starts),
        ("End date", ends),
        ("Reporting starts (optional)", reporting_starts),
    ):
        fill_date(page, legend, str(day.day), str(day.month), str(day.year))
    page.get_by_role("button", name="Save contract").click()
    arrive(page, f"{reference}: {title}", re.compile(r"/council/contracts/\d+$"))
    contract_page = page.url

    page.get_by_role("link", name="Add a commitment").click()
    arrive(page, f"Add a commitment to {reference}")
    page.get_by_label("Measure").select_option(label=f"{HIRES} (total over the contract, people)")
    page.get_by_label("Target").fill("10")
    page.get_by_role("button", name="Add commitment").click()
    arrive(page, f"{reference}: {title}", contract_page)
    expect(success_banner(page)).to_contain_text(f"{HIRES} added")

    # When reporting starts, in the contract's facts and above its returns.
    facts = page.locator(".govuk-summary-list__row").filter(
        has=page.locator("dt").get_by_text("Reporting starts", exact=True)
    )
    expect(facts.locator("dd")).to_have_text(
        f"{long_date(reporting_starts)}: earlier quarters need no return"
    )
    expect(page.locator("main")).to_contain_text(
        f"Reporting starts on {long_date(reporting_starts)}: earlier quarters need no return."
    )
    # Its returns run from this quarter: nothing earlier, nothing overdue, no flag at all.
    periods = body_rows(returns_table(page))
    expect(periods.get_by_role("rowheader")).to_have_text([name for name, _ in reporting])
    expect(periods.first.locator("td").first).to_have_text(
        f"{long_date(reporting_starts)} to {long_date(quarter_ends)}"
    )
    expect(periods.first).to_contain_text("Quarter in progress")
    expect(returns_table(page).get_by_text("Overdue")).to_have_count(0)
    expect(page.get_by_role("heading", name="Open flags")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Overdue")
    expect(performance_row(page, HIRES)).to_contain_text("Not yet due")


# 3 and 4. A line queried, the others accepted; a level quarter in review


def ncc_quarters(today: date) -> list[tuple[str, str]]:
    """Each quarter of 1 April 2025 to 31 March 2028 and what the level's table says for it
    with nothing submitted: 0 once overdue, "Due today" on its due day, "Not due" before."""
    said = []
    for name, ends_on in quarters_between(date(2025, 4, 1), date(2028, 3, 31)):
        due_on = ends_on + timedelta(days=30)
        if due_on < today:
            said.append((name, NO_RETURN))
        elif due_on == today:
            said.append((name, "Due today"))
        else:
            said.append((name, "Not due"))
    return said


def a_contract_with_a_level(world: World) -> Contract:
    """Like NCC-001 (1 April 2025 to 31 March 2028, 12 local hires and 12 apprenticeship
    starts), with a level of 2 local FTE to hold in every quarter."""
    local_areas.save_default(world.council.id, name="City", codes=["M1", "M4 5"], by=None)
    contract = factories.contract(
        world.council,
        world.supplier,
        world.manager,
        reference="NCC-003",
        codes=("LOCAL_HIRES", "APPRENTICE_STARTS"),
    )
    contracts.add_commitment(
        contract, factories.measure(world.council, "LOCAL_FTE"), target=Decimal(2), by=world.manager
    )
    compliance.refresh([contract.id], calendar.today())
    commit()
    return contract


def submit_q1(supplier: Page, server: LiveServer, contract_page: str, people: Path) -> None:
    """The supplier starts the Q1 2025/26 return, uploads its people, describes each line and
    submits it."""
    sign_in(supplier, server, "sam@acme.example")
    arrive(supplier, "Overview", server.url("/supplier/"))
    visit(supplier, contract_page)
    row_headed(returns_table(supplier), PERIOD).get_by_role(
        "button", name=f"Start {PERIOD} return", exact=True
    ).click()
    arrive(supplier, f"{PERIOD} return", re.compile(r"/supplier/returns/\d+$"))
    task_list = supplier.url

    open_task(supplier, "People on this contract")
    supplier.get_by_role("link", name="Upload a spreadsheet").click()
    arrive(supplier, "Upload people", re.compile(r"/workforce/upload$"))
    supplier.get_by_label("Upload a file").set_input_files(people)
    supplier.get_by_role("button", name="Upload", exact=True).click()
    arrive(supplier, "People on this contract", re.compile(r"/workforce$"))
    counted = supplier.get_by_role("table", name="Figures counted from the people below")
    for measure, figure in COUNTED.items():
        expect(row_headed(counted, measure).locator("td").first).to_have_text(figure)
    supplier.get_by_role("link", name="Back to the return").last.click()
    arrive(supplier, f"{PERIOD} return", task_list)

    for measure in COUNTED:
        open_task(supplier, measure)
        supplier.get_by_label("What was delivered").fill(f"Delivered: {measure}")
        supplier.get_by_role("button", name="Save and continue").click()
        arrive(supplier, f"{PERIOD} return", task_list)
        expect(task(supplier, measure)).to_contain_text(f"Counted from people: {COUNTED[measure]}")

    open_task(supplier, "Check your answers and submit", "Check your return")
    supplier.get_by_label("I confirm this declaration").check()
    supplier.get_by_role("button", name="Submit return").click()
    arrive(supplier, "Return submitted", re.compile(r"/supplier/returns/\d+/submitted$"))


def expect_level_in_review(page: Page, server: LiveServer, today: date) -> None:
    """Submitted, not yet reviewed: the level's Q1 is awaiting review everywhere, never 0."""
    quarters = ncc_quarters(today)
    overdue = [name for name, said in quarters if said == NO_RETURN]
    assert PERIOD in overdue and len(overdue) >= 6  # Q2 2026/27 was due on 30 October 2026

    fte = performance_row(page, FTE)
    expect(fte.locator("td").nth(1)).to_have_text(
        re.compile(r"^0 FTE\s*mean of the quarters .*; 1 quarter awaiting review left out$")
    )
    expect(fte.locator("td").nth(2)).to_have_text(COUNTED[FTE])  # pending
    expect(delivered_by_quarter(page, FTE)).to_have_text(
        ["Awaiting review"] + [said for _, said in quarters[1:]]
    )
    notes = chart(page, FTE).locator("text")
    expect(notes.filter(has_text=re.compile("^Awaiting review$"))).to_have_count(1)
    expect(notes.filter(has_text=re.compile("^No return$"))).to_have_count(len(overdue) - 1)
    # What screen readers are told of the chart: the quarters with no return are not "held 0".
    expect(chart(page, FTE).locator("desc")).to_have_text(
        "Nothing has been accepted for a quarter that has fallen due yet;"
        f" no return for {len(overdue) - 1} quarters, each counted as 0;"
        f" {PERIOD} awaiting review. {TABLE_BESIDE}"
    )
    # Totals count nothing yet either: their figures are pending.
    for measure in (HIRES, STARTS):
        row = performance_row(page, measure)
        expect(row.locator("td").nth(1)).to_have_text("0 people")
        expect(row.locator("td").nth(2)).to_have_text(COUNTED[measure])
        expect(delivered_by_quarter(page, measure).first).to_have_text("0 people (awaiting review)")

    rows = quarters_download(page, server)
    q1 = download_row(rows, FTE, PERIOD)
    assert (q1["Delivered (accepted)"], q1["Note"]) == ("", "Awaiting review"), q1
    q2 = download_row(rows, FTE, "Q2 2025/26")
    assert (Decimal(q2["Delivered (accepted)"]), q2["Note"]) == (0, "No return"), q2


def expect_reviewed_figures(page: Page, server: LiveServer, today: date) -> list[dict[str, str]]:
    """After the review: the accepted lines count, the queried one is pending. Returns the
    quarterly download."""
    quarters = ncc_quarters(today)
    overdue = [name for name, said in quarters if said == NO_RETURN]

    hires = performance_row(page, HIRES)
    expect(hires.locator("td").nth(1)).to_have_text(COUNTED[HIRES])
    expect(hires.locator("td").nth(2)).to_have_text("0 people")
    queried = performance_row(page, QUERIED)
    expect(queried.locator("td").nth(1)).to_have_text("0 people")
    expect(queried.locator("td").nth(2)).to_have_text(COUNTED[QUERIED])
    # The level: Q1's accepted 2.09 and a 0 for each overdue quarter, averaged.
    mean = (LOCAL_FTE_Q1 / len(overdue)).quantize(Decimal("0.01")).normalize()
    fte = performance_row(page, FTE)
    expect(fte.locator("td").nth(1)).to_have_text(f"{mean:f} FTE")
    expect(fte.locator("td").nth(2)).to_have_text("0 FTE")

    expect(delivered_by_quarter(page, FTE)).to_have_text(
        [COUNTED[FTE]] + [said for _, said in quarters[1:]]
    )
    expect(delivered_by_quarter(page, HIRES).first).to_have_text(COUNTED[HIRES])
    expect(delivered_by_quarter(page, QUERIED).first).to_have_text("0 people (awaiting review)")
    notes = chart(page, FTE).locator("text")
    expect(notes.filter(has_text=re.compile("^Awaiting review$"))).to_have_count(0)
    expect(chart(page, FTE).locator("desc")).to_have_text(
        f"Held {COUNTED[FTE]} in {PERIOD}; no return for {len(overdue) - 1} quarters,"
        f" each counted as 0. {TABLE_BESIDE}"
    )
    expect(chart(page, QUERIED).locator("desc")).to_contain_text(f"{PERIOD} awaiting review")

    rows = quarters_download(page, server)
    q1 = download_row(rows, FTE, PERIOD)
    assert (Decimal(q1["Delivered (accepted)"]), q1["Note"]) == (LOCAL_FTE_Q1, ""), q1
    q1 = download_row(rows, HIRES, PERIOD)
    assert (Decimal(q1["Delivered (accepted)"]), q1["Note"]) == (2, ""), q1
    q1 = download_row(rows, QUERIED, PERIOD)
    assert (Decimal(q1["Delivered (accepted)"]), q1["Note"]) == (0, "Awaiting review"), q1
    return rows


def test_accepted_lines_count_and_a_level_in_review_is_never_a_zero(
    page: Page,
    new_page: Callable[..., Page],
    live_server: LiveServer,
    world: World,
    tmp_path: Path,
) -> None:
    contract = a_contract_with_a_level(world)
    today = calendar.today()
    title = f"{contract.reference}: {contract.title}"
    people = tmp_path / "people.csv"
    people.write_bytes(schedule(PEOPLE))

    # 3. Sam, of Acme, submits the Q1 2025/26 return.
    supplier = page
    supplier_page = live_server.url(f"/supplier/contracts/{contract.id}")
    submit_q1(supplier, live_server, supplier_page, people)

    # Before the review: the level's quarter is awaiting review, never a 0.
    manager = new_page("contract manager")
    sign_in(manager, live_server, "cm@northmoor.example")
    arrive(manager, "Dashboard", live_server.url("/council/"))
    go_to(manager, "Contracts", url=live_server.url("/council/contracts"))
    manager.get_by_role("link", name=re.compile(r"^NCC-003\b")).click()
    council_page = live_server.url(f"/council/contracts/{contract.id}")
    arrive(manager, title, council_page)
    expect_level_in_review(manager, live_server, today)

    # The manager queries the apprenticeship starts and accepts the other lines.
    row_headed(returns_table(manager), PERIOD).get_by_role(
        "link", name=f"Review {PERIOD} return", exact=True
    ).click()
    arrive(manager, f"{PERIOD} return from Acme Grounds Ltd", re.compile(r"/council/returns/\d+$"))
    for measure, figure in COUNTED.items():
        expect(decision_card(manager, measure)).to_contain_text(figure)
        decide(manager, measure, "Query" if measure == QUERIED else "Accept")
    decision_card(manager, QUERIED).get_by_label("Comment (needed if you query it)").fill(QUERY)
    manager.get_by_role("button", name="Save review").click()
    arrive(manager, title, council_page)
    expect(success_banner(manager)).to_contain_text("Changes requested")
    expect(row_headed(returns_table(manager), PERIOD)).to_contain_text("Changes requested")
    council_rows = expect_reviewed_figures(manager, live_server, today)

    # 4. Sam's own page and download say the same.
    supplier.get_by_role("link", name=f"Back to {contract.reference}").click()
    arrive(supplier, title, supplier_page)
    expect(row_headed(returns_table(supplier), PERIOD)).to_contain_text("Changes requested")
    supplier_rows = expect_reviewed_figures(supplier, live_server, today)
    assert supplier_rows == council_rows
