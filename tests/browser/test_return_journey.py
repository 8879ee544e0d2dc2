"""The quarterly return in a real Chromium: a supplier starts the Q1 2025/26 return for NCC-001,
uploads the people on the contract, describes each commitment, attaches evidence (and has a
disguised executable refused) and submits; the contract manager queries a line; the supplier
fixes it and submits again; the manager accepts it and reads the first version in the history.
Every page reached is checked with axe-core, and the emails each step sends are checked too."""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from portal import data
from portal.data import local_areas
from portal.domain.workforce_import import COLUMNS
from tests.browser.conftest import LiveServer
from tests.browser.pages import (
    arrive,
    body_rows,
    decide,
    decision_card,
    error_summary,
    expect_title_starts,
    go_to,
    open_task,
    sign_in,
    success_banner,
    task,
    visit,
)
from tests.conftest import World
from tests.support import Mailbox

pytestmark = pytest.mark.browser

CONTRACT = "NCC-001: Grounds maintenance"
PERIOD = "Q1 2025/26"
RETURN = f"{PERIOD} return"
REVIEW = f"{PERIOD} return from Acme Grounds Ltd"
QUERIED = "Local people hired"
QUERY = "Send the offer letters"
FIXED = "Offer letters attached"

# The same schedule as tests/integration/test_returns.py, with its hand-worked figures for
# 1 April to 30 June 2025 (local area: M1 and M4 5).
PEOPLE = [
    ["A-1", "M1 1AA", "25-34", "01/04/2025", "", "37", "100", "new hire", "", ""],
    ["A-2", "M4 5AB", "35-49", "01/01/2020", "", "18.5", "50", "retained", "", ""],
    ["A-3", "M1 2BB", "50-64", "16/05/2025", "", "37", "100", "new hire", "3", "Chef de partie"],
    ["A-4", "SK1 1AA", "50-64", "01/06/2025", "", "37", "100", "new hire", "", ""],
    ["A-5", "M1 3CC", "18-24", "01/02/2025", "30/04/2025", "37", "100", "retained", "", ""],
]
COUNTED = {
    # measure: (figure, who counts)
    "Local people hired": ("2 people", "A-1, A-3"),  # A-4 is not local
    "Apprenticeship starts": ("1 person", "A-3"),
    "Older workers hired (50+)": ("2 people", "A-3, A-4"),  # local or not
}
MEASURES = list(COUNTED)


def narrative(measure: str) -> str:
    return f"Delivered {measure}"


# Helpers


def period_row(page: Page) -> Locator:
    """The Q1 2025/26 row of the contract's Returns table."""
    table = page.locator("table").filter(
        has=page.get_by_role("columnheader", name="Return due", exact=True)
    )
    row = body_rows(table).filter(has=page.get_by_role("rowheader", name=PERIOD, exact=True))
    expect(row).to_have_count(1)
    return row


def write_schedule(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        writer.writerows(PEOPLE)
    return path


def upload_evidence(page: Page, path: Path) -> None:
    page.get_by_label("Upload a file").set_input_files(path)
    page.get_by_role("button", name="Upload evidence").click()


def check_and_submit(page: Page) -> None:
    open_task(page, "Check your answers and submit", "Check your return")
    page.get_by_label("I confirm this declaration").check()
    page.get_by_role("button", name="Submit return").click()
    arrive(page, "Return submitted", re.compile(r"/supplier/returns/\d+/submitted$"))
    expect(page.locator(".govuk-panel")).to_contain_text(f"NCC-001, {PERIOD}")


def open_review(page: Page, link: str) -> None:
    period_row(page).get_by_role("link", name=f"{link} {RETURN}", exact=True).click()
    arrive(page, REVIEW, re.compile(r"/council/returns/\d+$"))


def emails_to(mailbox: Mailbox, address: str, count: int) -> list[str]:
    """The subjects of the emails sent to this address, once there are `count` of them."""
    deadline = time.monotonic() + 5
    while len(mailbox.delivered().to(address)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return [str(message["Subject"]) for message in mailbox.delivered().to(address)]


# The journey


def test_a_return_is_submitted_queried_fixed_and_accepted(
    page: Page,
    new_page: Callable[..., Page],
    live_server: LiveServer,
    world: World,
    mailbox: Mailbox,
    tmp_path: Path,
) -> None:
    local_areas.save_default(world.council.id, name="City", codes=["M1", "M4 5"], by=None)
    data.commit()

    # 1. Sam, of Acme, starts the Q1 2025/26 return for NCC-001.
    supplier = page
    sign_in(supplier, live_server, "sam@acme.example")
    arrive(supplier, "Overview", live_server.url("/supplier/"))
    go_to(supplier, "Your contracts", url=live_server.url("/supplier/contracts"))
    supplier.get_by_role("link", name="NCC-001").click()
    supplier_contract = live_server.url(f"/supplier/contracts/{world.contract.id}")
    arrive(supplier, CONTRACT, supplier_contract)
    period_row(supplier).get_by_role("button", name=f"Start {RETURN}", exact=True).click()
    arrive(supplier, RETURN, re.compile(r"/supplier/returns/\d+$"))
    task_list = supplier.url
    expect(supplier.locator("main")).to_contain_text("Covers 1 April 2025 to 30 June 2025.")
    expect(task(supplier, "Check your answers and submit")).to_contain_text("Cannot start yet")

    # 2. The people on the contract, from a spreadsheet; the portal counts the figures.
    open_task(supplier, "People on this contract")
    supplier.get_by_role("link", name="Upload a spreadsheet").click()
    arrive(supplier, "Upload people", re.compile(r"/workforce/upload$"))
    supplier.get_by_label("Upload a file").set_input_files(write_schedule(tmp_path / "people.csv"))
    supplier.get_by_role("button", name="Upload", exact=True).click()
    arrive(supplier, "People on this contract", re.compile(r"/workforce$"))
    expect(success_banner(supplier)).to_contain_text("5 people uploaded")
    counted = body_rows(supplier.get_by_role("table", name="Figures counted from the people below"))
    expect(counted).to_have_count(len(COUNTED))
    for measure, (figure, who) in COUNTED.items():
        row = counted.filter(has=supplier.get_by_role("rowheader", name=measure, exact=True))
        expect(row.locator("td")).to_have_text([figure, who])
    people = body_rows(supplier.get_by_role("table", name="People on this contract this quarter"))
    expect(people).to_have_count(len(PEOPLE))
    expect(people.first.locator("td").nth(1)).to_have_text("M1 1")  # only the sector is kept
    # A second upload replaces nobody unseen: what changes, a confirmation, a way back.
    supplier.get_by_role("link", name="Upload a spreadsheet").click()
    arrive(supplier, "Upload people", re.compile(r"/workforce/upload$"))
    supplier.get_by_label("Upload a file").set_input_files(write_schedule(tmp_path / "people.csv"))
    supplier.get_by_role("button", name="Upload", exact=True).click()
    arrive(supplier, "Check what the upload changes", re.compile(r"/workforce/upload/confirm$"))
    unchanged = supplier.locator(".govuk-summary-list__row").filter(has_text="Unchanged")
    expect(unchanged.locator("dd")).to_have_text("5 people")
    supplier.get_by_role("button", name="Replace the people").click()
    arrive(supplier, "People on this contract", re.compile(r"/workforce$"))
    expect(success_banner(supplier)).to_contain_text("5 people replaced by the 5 people")
    supplier.get_by_role("button", name="Put back the 5 people from before the upload").click()
    arrive(supplier, "People on this contract", re.compile(r"/workforce$"))
    expect(success_banner(supplier)).to_contain_text("5 people put back as before the upload")
    supplier.get_by_role("link", name="Back to the return").last.click()
    arrive(supplier, RETURN, task_list)
    expect(task(supplier, "People on this contract")).to_contain_text("5 people recorded")
    expect(task(supplier, "People on this contract")).to_contain_text("Completed")

    # 3. What was delivered for each commitment (no figure is 0, so no nil reason is needed).
    for measure in MEASURES:
        open_task(supplier, measure)
        figure = COUNTED[measure][0]
        expect(supplier.locator(".govuk-summary-list")).to_contain_text(figure)
        supplier.get_by_label("What was delivered").fill(narrative(measure))
        supplier.get_by_role("button", name="Save and continue").click()
        arrive(supplier, RETURN, task_list)
        expect(task(supplier, measure)).to_contain_text("Completed")
        expect(task(supplier, measure)).to_contain_text(f"Counted from people: {figure}")

    # 4. Evidence: a PDF is attached; an executable called .pdf is refused.
    open_task(supplier, "Evidence")
    expect(supplier.locator("main")).to_contain_text("No files yet.")
    payroll = tmp_path / "payroll.pdf"
    payroll.write_bytes(b"%PDF-1.4\n%%EOF\n")
    upload_evidence(supplier, payroll)
    arrive(supplier, "Evidence", re.compile(r"/evidence$"))
    expect(success_banner(supplier)).to_contain_text("payroll.pdf uploaded")
    files = body_rows(supplier.get_by_role("table", name="Evidence files"))
    expect(files).to_have_count(1)
    expect(files.first.get_by_role("link", name="payroll.pdf")).to_be_visible()
    expect(files.first).to_contain_text("The return as a whole")

    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)
    upload_evidence(supplier, fake)
    arrive(supplier, "Evidence", re.compile(r"/evidence$"))
    expect_title_starts(supplier, "Error: Evidence")
    refused = "must be a PDF, PNG, JPEG, CSV, XLSX or DOCX"
    expect(error_summary(supplier)).to_be_visible()
    expect(error_summary(supplier)).to_contain_text(refused)
    expect(supplier.locator(".govuk-error-message")).to_contain_text(refused)
    error_summary(supplier).get_by_role("link", name=re.compile(re.escape(refused))).click()
    expect(supplier.get_by_label("Upload a file")).to_be_focused()
    expect(files).to_have_count(1)  # nothing more was attached
    expect(supplier.get_by_role("link", name="fake.pdf")).to_have_count(0)
    supplier.get_by_role("link", name="Back to the return").last.click()
    arrive(supplier, RETURN, task_list)
    expect(task(supplier, "Evidence")).to_contain_text("1 file attached")

    # 5. Check and submit: the declaration must be confirmed.
    open_task(supplier, "Check your answers and submit", "Check your return")
    for measure in MEASURES:
        expect(supplier.locator("main")).to_contain_text(narrative(measure))
    expect(supplier.locator("main")).to_contain_text("payroll.pdf")
    supplier.get_by_role("button", name="Submit return").click()
    arrive(supplier, "Check your return", re.compile(r"/check$"))
    expect_title_starts(supplier, "Error: Check your return")
    expect(error_summary(supplier)).to_contain_text("Confirm the declaration to submit the return")
    error_summary(supplier).get_by_role(
        "link", name="Confirm the declaration to submit the return"
    ).click()
    expect(supplier.get_by_label("I confirm this declaration")).to_be_focused()
    supplier.get_by_label("I confirm this declaration").check()
    supplier.get_by_role("button", name="Submit return").click()
    arrive(supplier, "Return submitted", re.compile(r"/supplier/returns/\d+/submitted$"))
    expect(supplier.locator(".govuk-panel")).to_contain_text(f"NCC-001, {PERIOD}")

    # 6. The contract manager queries one line.
    manager = new_page("contract manager")
    sign_in(manager, live_server, "cm@northmoor.example")
    arrive(manager, "Dashboard", live_server.url("/council/"))
    go_to(manager, "Contracts", url=live_server.url("/council/contracts"))
    manager.get_by_role("link", name=re.compile(r"^NCC-001\b")).click()
    council_contract = live_server.url(f"/council/contracts/{world.contract.id}")
    arrive(manager, CONTRACT, council_contract)
    expect(period_row(manager)).to_contain_text("Submitted")
    open_review(manager, "Review")
    for measure, (figure, who) in COUNTED.items():
        card = decision_card(manager, measure)
        expect(card).to_contain_text(figure)
        expect(card).to_contain_text(narrative(measure))
        expect(card).to_contain_text(who)
    expect(manager.get_by_role("link", name="payroll.pdf")).to_be_visible()
    for measure in MEASURES:
        decide(manager, measure, "Query" if measure == QUERIED else "Accept")
    # A query needs a comment: the decisions are kept while it is added.
    manager.get_by_role("button", name="Save review").click()
    arrive(manager, REVIEW, re.compile(r"/council/returns/\d+$"))
    expect_title_starts(manager, f"Error: {REVIEW}")
    missing = "Enter what the supplier needs to change"
    expect(error_summary(manager)).to_contain_text(missing)
    error_summary(manager).get_by_role("link", name=re.compile(missing)).click()
    comment = decision_card(manager, QUERIED).get_by_label("Comment (needed if you query it)")
    expect(comment).to_be_focused()
    for measure in MEASURES:
        choice = "Query" if measure == QUERIED else "Accept"
        expect(decision_card(manager, measure).get_by_label(choice, exact=True)).to_be_checked()
    comment.fill(QUERY)
    manager.get_by_role("button", name="Save review").click()
    arrive(manager, CONTRACT, council_contract)
    # The lines accepted count now, whatever happens to the queried one.
    expect(success_banner(manager)).to_contain_text(
        "Changes requested. Apprenticeship starts and Older workers hired (50+) count as "
        f"delivered now. We are emailing {world.supplier_user.full_name}."
    )
    expect(period_row(manager)).to_contain_text("Changes requested")

    # 7. Sam sees the query, changes that line and submits again.
    supplier.get_by_role("link", name="Back to NCC-001").click()
    arrive(supplier, CONTRACT, supplier_contract)
    expect(period_row(supplier)).to_contain_text("Changes requested")
    period_row(supplier).get_by_role("link", name=f"Continue {RETURN}", exact=True).click()
    arrive(supplier, RETURN, task_list)
    queried = task(supplier, QUERIED)
    expect(queried).to_contain_text("Queried")
    expect(queried).to_contain_text(f"Queried: {QUERY}")
    open_task(supplier, QUERIED)
    # The query opens the line's thread, under the name of whoever wrote it.
    [query] = supplier.locator("ol.portal-thread > li").all()
    expect(query).to_contain_text(f"{world.manager.full_name}, Northmoor City Council, ")
    expect(query).to_contain_text(QUERY)
    box = supplier.get_by_label("What was delivered")
    expect(box).to_have_value(narrative(QUERIED))
    box.fill(FIXED)
    supplier.get_by_role("button", name="Save and continue").click()
    arrive(supplier, RETURN, task_list)
    check_and_submit(supplier)

    # 8. The lines accepted before, sent again unchanged, stay accepted: the manager decides
    # only the changed line. Both versions stay in the history.
    visit(manager, council_contract)
    expect(period_row(manager)).to_contain_text("Submitted")
    open_review(manager, "Review")
    expect(decision_card(manager, QUERIED)).to_contain_text(FIXED)
    for measure in MEASURES:
        card = decision_card(manager, measure)
        if measure == QUERIED:
            expect(card.get_by_role("group", name=f"Your decision on {measure}")).to_be_visible()
        else:  # folded into the list of lines accepted before
            expect(card).to_have_count(0)
    expect(manager.get_by_role("radio")).to_have_count(2)
    expect(manager.locator("details summary")).to_have_text(
        "2 lines accepted before and sent again unchanged"
    )
    decide(manager, QUERIED, "Accept")
    manager.get_by_role("button", name="Save review").click()
    arrive(manager, CONTRACT, council_contract)
    expect(success_banner(manager)).to_contain_text(
        "Return accepted: its figures now count as delivered. We are emailing "
        f"{world.supplier_user.full_name}."
    )
    expect(period_row(manager)).to_contain_text("Accepted")
    open_review(manager, "View")
    expect(manager.get_by_role("button", name="Save review")).to_have_count(0)
    versions = manager.locator("h2:text-is('Versions') + ul li")
    expect(versions).to_have_count(2)
    expect(manager.get_by_role("link", name="Submission 1", exact=True)).to_be_visible()
    expect(manager.get_by_role("link", name="Submission 2", exact=True)).to_be_visible()
    manager.get_by_role("link", name="Submission 1", exact=True).click()
    arrive(manager, f"Submission 1 of the {RETURN}", re.compile(r"/submissions/1$"))
    as_submitted = body_rows(manager.get_by_role("table", name="Figures as submitted"))
    first_try = as_submitted.filter(has=manager.get_by_role("rowheader", name=QUERIED, exact=True))
    expect(first_try).to_contain_text(narrative(QUERIED))
    expect(first_try).to_contain_text(QUERY)
    expect(first_try).not_to_contain_text(FIXED)
    expect(manager.locator(".govuk-summary-list")).to_contain_text("payroll.pdf")

    # The emails: two submissions to the manager; the query, then the acceptance, to Sam.
    to_manager = emails_to(mailbox, "cm@northmoor.example", 2)
    assert len(to_manager) == 2, to_manager
    assert all("submitted for review" in subject for subject in to_manager), to_manager
    to_supplier = emails_to(mailbox, "sam@acme.example", 2)
    assert len(to_supplier) == 2, to_supplier
    assert "changes requested" in to_supplier[0], to_supplier
    assert "accepted" in to_supplier[1], to_supplier
