"""A recovery plan as a conversation, in a real Chromium: Sam, of Acme, writes a recovery plan
for a flag on NCC-001; the contract manager, arriving from the email, asks for more; Sam adds an
action and marks the first one done; the manager accepts the plan. Each side sees where the plan
stands and the whole thread, each email arrives where a person expects it, and every page
reached is checked with axe-core."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date, timedelta
from email.message import Message

import pytest
from playwright.sync_api import Locator, Page, expect

from portal import calendar, data
from portal.data import flags
from portal.data.types import FlagKind, FlagSeverity
from tests.browser.conftest import LiveServer
from tests.browser.pages import (
    arrive,
    body_rows,
    error_summary,
    expect_title_starts,
    fill_date,
    go_to,
    sign_in,
    success_banner,
    visit,
)
from tests.conftest import World
from tests.support import Mailbox

pytestmark = pytest.mark.browser

FLAG = "Queried evidence: NCC-001"  # the flag page's heading: its kind and contract
SUMMARY = "Local people hired: the payroll extract does not show the start dates"
FIRST = "Send a payroll extract that shows each start date"
SECOND = "Send the offer letters of the two new starters"
NEEDS = "Add the offer letters: the extract alone does not show who is local"
PLAN = "Recovery actions"


def summary_value(page: Page, key: str) -> Locator:
    row = page.locator(".govuk-summary-list__row").filter(
        has=page.locator(".govuk-summary-list__key").get_by_text(key, exact=True)
    )
    return row.locator(".govuk-summary-list__value")


def plan_status(page: Page) -> Locator:
    """The tag under "Recovery plan" that says where the plan stands."""
    return page.locator("h2:text-is('Recovery plan') + p .govuk-tag")


def plan_rows(page: Page) -> Locator:
    return body_rows(page.get_by_role("table", name=PLAN))


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def emails_to(mailbox: Mailbox, address: str, count: int) -> list[Message]:
    """The emails sent to this address, once there are `count` of them."""
    deadline = time.monotonic() + 5
    while len(mailbox.delivered().to(address)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    messages = mailbox.delivered().to(address)
    assert len(messages) == count, [m["Subject"] for m in messages]
    return messages


def subject(message: Message) -> str:
    return " ".join(str(message["Subject"]).split())


def add_action(page: Page, action: str, owner: str, by_when: date) -> None:
    page.get_by_label("What will you do?").fill(action)
    page.get_by_label("Who is responsible?").fill(owner)
    fill_date(page, "By when?", str(by_when.day), str(by_when.month), str(by_when.year))
    page.get_by_role("button", name="Add to the recovery plan").click()


def test_a_plan_is_written_sent_back_improved_and_accepted(
    page: Page,
    new_page: Callable[..., Page],
    live_server: LiveServer,
    world: World,
    mailbox: Mailbox,
) -> None:
    today = calendar.today()
    flag = flags.raise_flag(
        "journey:queried",
        kind=FlagKind.QUERIED_EVIDENCE,
        severity=FlagSeverity.LOW,
        contract_id=world.contract.id,
        summary=SUMMARY,
    )
    data.commit()
    supplier_flag = live_server.url(f"/supplier/flags/{flag.id}")
    council_flag = live_server.url(f"/council/flags/{flag.id}")
    sam = f"{world.supplier_user.full_name} (Acme Grounds Ltd)"
    jo = f"{world.manager.full_name} (Northmoor City Council)"

    # 1. Sam finds the flag on the overview: no plan yet.
    supplier = page
    sign_in(supplier, live_server, "sam@acme.example")
    arrive(supplier, "Overview", live_server.url("/supplier/"))
    row = body_rows(supplier.get_by_role("table", name="Open flags on your contracts"))
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(4)).to_have_text("None yet")
    row.get_by_role("link", name=re.compile(r"^Queried evidence on NCC-001")).click()
    arrive(supplier, FLAG, supplier_flag)
    expect(supplier.locator("main")).to_contain_text("No recovery plan yet.")

    # Sam writes the plan: one action, who and by when.
    first_by = today + timedelta(days=14)
    add_action(supplier, FIRST, "Payroll lead", first_by)
    arrive(supplier, FLAG, supplier_flag)
    expect(success_banner(supplier)).to_contain_text(
        "Added to your recovery plan. Your plan is waiting for the council"
    )
    expect(plan_status(supplier)).to_have_text("Waiting for the council")
    expect(supplier.locator("main")).to_contain_text(
        "It is waiting for Northmoor City Council to accept it or ask for changes."
    )
    expect(plan_rows(supplier)).to_have_count(1)
    expect(plan_rows(supplier).first.locator("td").nth(2)).to_have_text(long_date(first_by))
    expect(summary_value(supplier, "Status")).to_have_text("Acknowledged")

    # 2. The contract manager is emailed, and follows the link to the flag.
    [written] = emails_to(mailbox, "cm@northmoor.example", 1)
    assert subject(written) == "NCC-001: Acme Grounds Ltd wrote a recovery plan"
    manager = new_page("manager")
    sign_in(manager, live_server, "cm@northmoor.example")
    arrive(manager, "Dashboard", live_server.url("/council/"))
    visit(manager, live_server.localise(mailbox.link_in(written)))
    arrive(manager, FLAG, council_flag)
    expect(plan_status(manager)).to_have_text("Waiting for the council")
    expect(manager.get_by_role("button", name="Accept the plan")).to_be_visible()

    # Asking for changes without saying what: the error summary leads to the box.
    manager.get_by_role("button", name="Ask for changes").click()
    arrive(manager, FLAG, live_server.url(f"/council/flags/{flag.id}/plan"))
    expect_title_starts(manager, f"Error: {FLAG}")
    needs = "Enter what the plan needs"
    expect(error_summary(manager)).to_contain_text(needs)
    error_summary(manager).get_by_role("link", name=needs).click()
    comments = manager.get_by_label("Your comments for the supplier")
    expect(comments).to_be_focused()
    expect(plan_status(manager)).to_have_text("Waiting for the council")
    comments.fill(NEEDS)
    manager.get_by_role("button", name="Ask for changes").click()
    arrive(manager, FLAG, council_flag)
    expect(success_banner(manager)).to_contain_text(
        f"Changes asked for. We are emailing {world.supplier_user.full_name}."
    )
    expect(plan_status(manager)).to_have_text("Changes asked for")
    expect(manager.locator("main")).to_contain_text(
        "It is waiting for the supplier to change the plan."
    )
    expect(manager.get_by_role("button", name="Accept the plan")).to_have_count(0)

    # 3. Sam reads what the plan needs, from the email's link.
    [asked] = emails_to(mailbox, "sam@acme.example", 1)
    assert subject(asked) == (
        "NCC-001: Northmoor City Council asked for changes to your recovery plan"
    )
    visit(supplier, live_server.localise(mailbox.link_in(asked)))
    expect(plan_status(supplier)).to_have_text("Changes asked for")
    expect(supplier.locator(".govuk-inset-text").first).to_have_text(NEEDS)

    # Sam adds the action asked for...
    second_by = today + timedelta(days=21)
    add_action(supplier, SECOND, "HR manager", second_by)
    arrive(supplier, FLAG, supplier_flag)
    expect(plan_status(supplier)).to_have_text("Waiting for the council")
    expect(plan_rows(supplier)).to_have_count(2)

    # ...and marks the first one done: first without a date, then with one in the future.
    supplier.get_by_role("link", name=re.compile(rf"^Mark as done\W+{re.escape(FIRST)}$")).click()
    done_page = re.compile(rf"/supplier/flags/{flag.id}/actions/\d+/done$")
    arrive(supplier, "Mark an action as done", done_page)
    expect(summary_value(supplier, "Action")).to_have_text(FIRST)
    supplier.get_by_role("button", name="Mark as done").click()
    arrive(supplier, "Mark an action as done", done_page)
    expect(error_summary(supplier)).to_contain_text("Enter the date the action was done")
    tomorrow = today + timedelta(days=1)
    fill_date(
        supplier, "When was it done?", str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)
    )
    supplier.get_by_role("button", name="Mark as done").click()
    arrive(supplier, "Mark an action as done", done_page)
    expect(error_summary(supplier)).to_contain_text(
        "Date the action was done must be today or in the past"
    )
    when = supplier.get_by_role("group", name="When was it done?", exact=True)
    expect(when.get_by_label("Year")).to_have_value(str(tomorrow.year))  # kept
    fill_date(supplier, "When was it done?", str(today.day), str(today.month), str(today.year))
    supplier.get_by_role("button", name="Mark as done").click()
    arrive(supplier, FLAG, supplier_flag)
    expect(success_banner(supplier)).to_contain_text("Action marked as done")
    done_row = plan_rows(supplier).filter(has_text=FIRST)
    expect(done_row.locator("td").nth(3)).to_have_text(long_date(today))
    expect(done_row.get_by_role("link")).to_have_count(0)  # done: settled

    # 4. The manager is told the plan changed, reads it, and accepts it.
    changed = emails_to(mailbox, "cm@northmoor.example", 2)[1]
    assert subject(changed) == "NCC-001: Acme Grounds Ltd changed its recovery plan"
    go_to(manager, "Flags")
    manager.get_by_label("Recovery plan", exact=True).select_option(label="Waiting for the council")
    manager.get_by_role("button", name="Filter flags").click()
    arrive(manager, "Flags")
    listed = body_rows(manager.get_by_role("table", name="Flags", exact=True))
    expect(listed).to_have_count(1)
    expect(listed.locator("td").nth(4)).to_have_text("Waiting for the council")
    listed.get_by_role("link", name=re.compile(r"^Queried evidence on NCC-001")).click()
    arrive(manager, FLAG, council_flag)
    expect(plan_rows(manager)).to_have_count(2)
    expect(plan_rows(manager).filter(has_text=FIRST).locator("td").nth(3)).to_have_text(
        long_date(today)
    )
    manager.get_by_label("Your comments for the supplier").fill("Thank you")
    manager.get_by_role("button", name="Accept the plan").click()
    arrive(manager, FLAG, council_flag)
    expect(success_banner(manager)).to_contain_text(
        f"Recovery plan accepted. We are emailing {world.supplier_user.full_name}."
    )
    expect(plan_status(manager)).to_have_text("Accepted")
    expect(manager.get_by_role("button", name="Accept the plan")).to_have_count(0)
    expect(manager.get_by_role("button", name="Ask for changes")).to_be_visible()

    # The whole thread, in order, with who did what.
    expect(manager.locator("ol.portal-thread > li")).to_have_text(
        [
            re.compile(r"The system raised the flag\s+" + re.escape(SUMMARY)),
            re.compile(re.escape(f"{sam} acknowledged the flag")),
            re.compile(re.escape(f"{sam} added an action") + r"\s+“" + re.escape(FIRST)),
            re.compile(
                re.escape(f"{jo} asked for changes to the recovery plan")
                + r"\s+"
                + re.escape(NEEDS)
            ),
            re.compile(re.escape(f"{sam} added an action") + r"\s+“" + re.escape(SECOND)),
            re.compile(re.escape(f"{sam} marked an action as done") + r"\s+“" + re.escape(FIRST)),
            re.compile(re.escape(f"{jo} accepted the recovery plan") + r"\s+Thank you"),
        ]
    )

    # 5. Sam is told, and sees the plan accepted, with what a change would do.
    [_, accepted] = emails_to(mailbox, "sam@acme.example", 2)
    assert subject(accepted) == "NCC-001: your recovery plan was accepted"
    visit(supplier, supplier_flag)
    expect(plan_status(supplier)).to_have_text("Accepted")
    expect(supplier.locator("main")).to_contain_text(
        "If you change an action or add one, the plan goes back to the council to accept again."
    )
    expect(supplier.locator("ol.portal-thread > li")).to_have_count(7)
