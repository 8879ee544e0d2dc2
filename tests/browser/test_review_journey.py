"""Re-review and reopening (issue 11, items 2 and 3) in a real Chromium; every page reached is
checked with axe-core.

1. Sam, of Acme, submits the Q1 2025/26 return for a contract promising volunteering hours and
   spend with local suppliers, with timesheets as the evidence for the hours.
2. The contract manager queries the hours and accepts the spend.
3. Sam reads the query on the hours, replies to it on that line, corrects the figure, replaces
   the timesheets with sign-in sheets, sees the thread on the check page, and sends it again.
4. The manager sees only the hours to decide: the figure before and after, the evidence added
   and removed, and the query with Sam's reply, each with who and when; the spend, accepted
   before and unchanged, is folded away. The manager accepts the return.
5. Later the manager reopens it (the form refuses no line and no reason first) for the spend,
   with a reason; the return goes back to the supplier and the versions list says so.
6. Sam is emailed, follows the link, and sees the spend marked with the reason on it.

The contract and its commitments are set up through the data layer, as in the other journeys;
the manager reaches the return from the contract page's Returns table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from portal.data import commit, contracts
from portal.data.models import Contract
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.pages import (
    arrive,
    decide,
    decision_card,
    error_summary,
    open_task,
    row_headed,
    sign_in,
    success_banner,
    task,
    visit,
)
from tests.browser.test_return_journey import emails_to
from tests.conftest import World
from tests.support import Mailbox

pytestmark = pytest.mark.browser

PERIOD = "Q1 2025/26"
RETURN = f"{PERIOD} return"
REVIEW = f"{PERIOD} return from Acme Grounds Ltd"
HOURS = "Staff volunteering hours"
SPEND = "Spend with local suppliers"
QUERY = "Send the sign-in sheets for these hours"
REPLY = "Sign-in sheets attached: two hours were counted twice, so it is 38 now."
REASON = "Two of these invoices are from a supplier in Leeds, not a local one"
# "Name, Organisation, 1 December 2026 at 3:04pm": who wrote a message, for which side, when.
WHEN = r"\d{1,2} \w+ \d{4} at \d{1,2}:\d{2}[ap]m"


def a_contract(world: World) -> Contract:
    """NCC-010, 1 April 2025 to 31 March 2028: 400 volunteering hours and £100,000 of spend
    with local suppliers, both typed in by the supplier."""
    contract = factories.contract(
        world.council, world.supplier, world.manager, reference="NCC-010", codes=()
    )
    for code, target in (("VOLUNTEER_HOURS", 400), ("LOCAL_SPEND", 100_000)):
        contracts.add_commitment(
            contract, factories.measure(world.council, code), target=Decimal(target), by=None
        )
    commit()
    return contract


def returns_table(page: Page) -> Locator:
    return page.get_by_role("table", name="Reporting periods, due dates and returns")


def period_row(page: Page) -> Locator:
    return row_headed(returns_table(page), PERIOD)


def thread(page: Page, measure: str) -> Locator:
    """The messages of one line's thread, in a page's section of queries and replies."""
    return page.locator(f"h3:text-is('{measure}') + ol.portal-thread > li")


def line_thread(page: Page | Locator) -> Locator:
    """The messages of the thread on a line's own page, or on its card."""
    return page.locator("ol.portal-thread > li")


def said(name: str, organisation: str, text: str) -> re.Pattern[str]:
    """A message as a thread shows it: who, for which side, when, and what."""
    start = re.escape(f"{name}, {organisation}, ")
    return re.compile(f"^\\s*{start}{WHEN}\\s*{re.escape(text)}\\s*$")


def fill_line(page: Page, measure: str, figure: str, narrative: str) -> None:
    open_task(page, measure)
    page.get_by_label("Figure delivered this quarter").fill(figure)
    page.get_by_label("What was delivered").fill(narrative)
    page.get_by_role("button", name="Save and continue").click()
    arrive(page, RETURN)


def attach(page: Page, path: Path, measure: str) -> None:
    page.get_by_label("Upload a file").set_input_files(path)
    page.get_by_label("What is it evidence for?").select_option(label=measure)
    page.get_by_role("button", name="Upload evidence").click()
    arrive(page, "Evidence", re.compile(r"/evidence$"))
    expect(success_banner(page)).to_contain_text(f"{path.name} uploaded")


def submit(page: Page) -> None:
    open_task(page, "Check your answers and submit", "Check your return")
    page.get_by_label("I confirm this declaration").check()
    page.get_by_role("button", name="Submit return").click()
    arrive(page, "Return submitted", re.compile(r"/supplier/returns/\d+/submitted$"))


def test_a_resubmission_shows_what_changed_and_an_accepted_return_is_reopened(
    page: Page,
    new_page: Callable[..., Page],
    live_server: LiveServer,
    world: World,
    mailbox: Mailbox,
    tmp_path: Path,
) -> None:
    contract = a_contract(world)
    title = f"{contract.reference}: {contract.title}"
    supplier_contract = live_server.url(f"/supplier/contracts/{contract.id}")
    council_contract = live_server.url(f"/council/contracts/{contract.id}")
    manager_name, sam = world.manager.full_name, world.supplier_user.full_name
    timesheets, sign_in_sheets = tmp_path / "timesheets.pdf", tmp_path / "sign-in-sheets.pdf"
    for file in (timesheets, sign_in_sheets):
        file.write_bytes(b"%PDF-1.4\n%%EOF\n")

    # 1. Sam submits the return: 40 hours with their timesheets, and £12,000 of local spend.
    supplier = page
    sign_in(supplier, live_server, "sam@acme.example")
    arrive(supplier, "Overview", live_server.url("/supplier/"))
    visit(supplier, supplier_contract)
    period_row(supplier).get_by_role("button", name=f"Start {RETURN}", exact=True).click()
    arrive(supplier, RETURN, re.compile(r"/supplier/returns/\d+$"))
    task_list = supplier.url
    fill_line(supplier, HOURS, "40", "Park clean-ups with the Friends of Philips Park")
    fill_line(supplier, SPEND, "12000", "Catering from two local firms")
    open_task(supplier, "Evidence")
    attach(supplier, timesheets, HOURS)
    supplier.get_by_role("link", name="Back to the return").last.click()
    arrive(supplier, RETURN, task_list)
    submit(supplier)

    # 2. The manager, from the contract's Returns table, queries the hours.
    manager = new_page("contract manager")
    sign_in(manager, live_server, "cm@northmoor.example")
    arrive(manager, "Dashboard", live_server.url("/council/"))
    visit(manager, council_contract)
    period_row(manager).get_by_role("link", name=f"Review {RETURN}", exact=True).click()
    arrive(manager, REVIEW, re.compile(r"/council/returns/\d+$"))
    review_page = manager.url
    decide(manager, HOURS, "Query")
    decision_card(manager, HOURS).get_by_label("Comment (needed if you query it)").fill(QUERY)
    decide(manager, SPEND, "Accept")
    manager.get_by_role("button", name="Save review").click()
    arrive(manager, title, council_contract)
    expect(success_banner(manager)).to_contain_text(
        f"Changes requested. {SPEND} counts as delivered now. We are emailing {sam}."
    )

    # 3. Sam reads the query, on the task list and on the line, and replies on that line.
    visit(supplier, task_list)
    expect(task(supplier, HOURS)).to_contain_text("Queried")
    query = said(manager_name, "Northmoor City Council", QUERY)
    expect(thread(supplier, HOURS)).to_have_text([query])
    open_task(supplier, HOURS)
    expect(line_thread(supplier)).to_have_text([query])
    supplier.get_by_label("Figure delivered this quarter").fill("38")
    supplier.get_by_label("Your reply to the council (optional)").fill(REPLY)
    supplier.get_by_role("button", name="Save and continue").click()
    arrive(supplier, RETURN, task_list)
    expect(success_banner(supplier)).to_contain_text(f"Your reply on {HOURS} was saved")
    reply = said(sam, "Acme Grounds Ltd", REPLY)
    expect(thread(supplier, HOURS)).to_have_text([query, reply])
    # The timesheets make way for the sign-in sheets.
    open_task(supplier, "Evidence")
    supplier.get_by_role("button", name="Remove timesheets.pdf").click()
    arrive(supplier, "Evidence", re.compile(r"/evidence$"))
    attach(supplier, sign_in_sheets, HOURS)
    supplier.get_by_role("link", name="Back to the return").last.click()
    arrive(supplier, RETURN, task_list)
    # Before sending it again, the check page shows the thread.
    open_task(supplier, "Check your answers and submit", "Check your return")
    expect(thread(supplier, HOURS)).to_have_text([query, reply])
    supplier.get_by_label("I confirm this declaration").check()
    supplier.get_by_role("button", name="Submit return").click()
    arrive(supplier, "Return submitted", re.compile(r"/supplier/returns/\d+/submitted$"))

    # 4. The manager decides only what changed, seeing before and after.
    visit(manager, council_contract)
    period_row(manager).get_by_role("link", name=f"Review {RETURN}", exact=True).click()
    arrive(manager, REVIEW, review_page)
    expect(manager.get_by_role("radio")).to_have_count(2)  # Accept or Query, for the hours
    expect(decision_card(manager, SPEND)).to_have_count(0)
    folded = manager.locator("details").filter(
        has_text="1 line accepted before and sent again unchanged"
    )
    accepted_table = folded.get_by_role("table", name="Lines accepted before")
    expect(accepted_table).not_to_be_visible()  # collapsed until opened
    folded.get_by_text("1 line accepted before and sent again unchanged").click()
    expect(row_headed(accepted_table, SPEND).locator("td").first).to_have_text("£12,000")

    hours = decision_card(manager, HOURS)
    expect(hours.locator(".govuk-summary-card__title-wrapper .govuk-tag")).to_have_text(
        ["Queried", "Changed", "Evidence changed"]
    )
    changes = hours.get_by_role("table", name=f"{HOURS}: before and after")
    expect(changes.get_by_role("columnheader")).to_have_text(
        ["Answer", "Before (submission 1)", "After (submission 2)"]
    )
    expect(row_headed(changes, "Figure Changed").locator("td")).to_have_text(
        ["40 hours", "38 hours"]
    )
    expect(row_headed(changes, "What was delivered").locator("td")).to_have_text(
        ["Park clean-ups with the Friends of Philips Park"] * 2
    )
    expect(
        hours.locator(".govuk-summary-list__row").filter(has_text="Evidence added")
    ).to_contain_text("sign-in-sheets.pdf")
    expect(
        hours.locator(".govuk-summary-list__row").filter(has_text="Evidence removed")
    ).to_contain_text("timesheets.pdf")
    expect(line_thread(hours)).to_have_text([query, reply])
    decide(manager, HOURS, "Accept")
    manager.get_by_role("button", name="Save review").click()
    arrive(manager, title, council_contract)
    expect(success_banner(manager)).to_contain_text("Return accepted")

    # 5. Later, the manager reopens the return for the spend.
    period_row(manager).get_by_role("link", name=f"View {RETURN}", exact=True).click()
    arrive(manager, REVIEW, review_page)
    reopen = manager.get_by_role("button", name="Reopen return")
    reopen.click()
    arrive(manager, REVIEW, re.compile(r"/reopen$"))
    expect(error_summary(manager)).to_contain_text(
        "Select the lines the supplier needs to look at again"
    )
    expect(error_summary(manager)).to_contain_text("Enter the reason for reopening the return")
    error_summary(manager).get_by_role(
        "link", name="Enter the reason for reopening the return"
    ).click()
    expect(manager.get_by_label("Reason for reopening the return")).to_be_focused()
    lines = manager.get_by_role(
        "group", name="Which lines does the supplier need to look at again?"
    )
    lines.get_by_label(SPEND).check()
    manager.get_by_label("Reason for reopening the return").fill(REASON)
    reopen.click()
    arrive(manager, REVIEW, review_page)
    expect(success_banner(manager)).to_contain_text(
        f"Return reopened. {SPEND} does not count as delivered until you accept it again. "
        f"We are emailing {sam}."
    )
    expect(manager.locator("main")).to_contain_text("Status: Changes requested")
    expect(manager.get_by_role("button", name="Reopen return")).to_have_count(0)
    versions = manager.locator("h2:text-is('Versions') + ul li")
    expect(versions.first).to_contain_text(
        re.compile(f"Submission 2: .*, accepted; reopened {WHEN} by {manager_name}: {REASON}$")
    )
    expect(thread(manager, SPEND)).to_have_text(
        [said(manager_name, "Northmoor City Council", REASON)]
    )

    # 6. Sam is emailed, and the link shows the spend marked, with the reason on it.
    emails_to(mailbox, "sam@acme.example", 3)  # changes requested, accepted, reopened
    sent = mailbox.delivered().to("sam@acme.example")
    [email] = [m for m in sent if "reopened" in str(m["Subject"])]
    assert email["Subject"] == f"{contract.reference}: your {RETURN} has been reopened"
    body = " ".join(mailbox.body(email).split())
    assert f"The reason they gave: {REASON}" in body, body
    assert f"They have asked you to look again at: {SPEND} Until you submit" in body, body
    visit(supplier, live_server.localise(mailbox.link_in(email)))
    expect(supplier).to_have_url(task_list)
    expect(task(supplier, SPEND)).to_contain_text("Queried")
    expect(task(supplier, SPEND)).to_contain_text(f"Queried: {REASON}")
    expect(task(supplier, HOURS)).to_contain_text("Accepted")
    expect(thread(supplier, SPEND)).to_have_text(
        [said(manager_name, "Northmoor City Council", REASON)]
    )
    expect(supplier.get_by_role("link", name=f"Reply or change {SPEND}")).to_be_visible()
