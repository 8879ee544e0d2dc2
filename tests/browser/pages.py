"""Page helpers shared by the browser journeys: finding the parts of a GOV.UK page that every
journey looks at, and moving between pages so that each page reached is checked with axe-core
(see conftest.py: a page left unchecked fails the test)."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import LiveServer, axe_check
from tests.factories import PASSWORD


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def navigation(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Menu")


def error_summary(page: Page) -> Locator:
    return page.locator(".govuk-error-summary")


def success_banner(page: Page) -> Locator:
    return page.locator(".govuk-notification-banner--success")


def body_rows(table: Locator) -> Locator:
    return table.locator("tbody tr")


def row_headed(table: Locator, name: str) -> Locator:
    """The one body row of this table whose row header is exactly this text."""
    row = body_rows(table).filter(has=table.page.get_by_role("rowheader", name=name, exact=True))
    expect(row).to_have_count(1)
    return row


def expect_title_starts(page: Page, start: str) -> None:
    expect(page).to_have_title(re.compile("^" + re.escape(start)))


def visit(page: Page, url: str, *, status: int = 200) -> None:
    """Open this address, expect this status, and check the page with axe."""
    response = page.goto(url)
    assert response is not None and response.status == status, (
        f"{url}: {response and response.status}"
    )
    axe_check(page)


def arrive(page: Page, h1: str | re.Pattern[str], url: str | re.Pattern[str] | None = None) -> None:
    """After a click: the page with this heading (and address) has loaded, its title begins with
    the heading ("Error: " first when it shows an error summary), and axe finds nothing."""
    if url is not None:
        expect(page).to_have_url(url)
    expect(heading(page)).to_have_text(h1)
    shown = " ".join(heading(page).inner_text().split())
    prefix = "Error: " if error_summary(page).count() else ""
    expect_title_starts(page, prefix + shown)
    axe_check(page)


def go_to(
    page: Page, item: str, h1: str | None = None, *, url: str | re.Pattern[str] | None = None
) -> None:
    """Follow a link in the service navigation to the page with that heading (the item's name
    unless given) and, if given, that address."""
    navigation(page).get_by_role("link", name=item, exact=True).click()
    arrive(page, h1 or item, url)


def sign_in(page: Page, server: LiveServer, email: str, password: str = PASSWORD) -> None:
    """Fill in and send the sign-in form; the caller checks where it lands."""
    visit(page, server.url("/sign-in"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def fill_date(page: Page, legend: str, day: str, month: str, year: str) -> None:
    """Fill in the Day, Month and Year boxes of the GOV.UK date input with this legend."""
    group = page.get_by_role("group", name=legend, exact=True)
    for label, part in (("Day", day), ("Month", month), ("Year", year)):
        group.get_by_label(label, exact=True).fill(part)


# The quarterly return: the supplier's task list and the council's review


def task(page: Page, name: str) -> Locator:
    """An item of the return's task list."""
    return page.locator(".govuk-task-list__item").filter(has_text=name)


def open_task(page: Page, name: str, h1: str | None = None) -> None:
    page.locator(".govuk-task-list").get_by_role("link", name=name, exact=True).click()
    arrive(page, h1 or name)


def decision_card(page: Page, measure: str) -> Locator:
    """The card of one line on the review page."""
    return page.locator(".govuk-summary-card").filter(
        has=page.get_by_role("heading", name=measure, exact=True)
    )


def decide(page: Page, measure: str, decision: str) -> None:
    """Choose "Accept" or "Query" for one line on the review page."""
    group = decision_card(page, measure).get_by_role("group", name=f"Your decision on {measure}")
    group.get_by_label(decision, exact=True).check()
