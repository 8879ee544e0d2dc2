"""The work queues in a real Chromium: NCC-001's Q1 2025/26 return is waiting for review and
its later quarters are overdue. The contract manager follows the dashboard's tiles to the two
lists, opens the return to review from its row, narrows the overdue list to one quarter and
then to every contract, and sorts the contract list by rating and by latest return. Every page
reached is checked with axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import func, select

from portal import calendar, data
from portal.data.models import OverduePeriod
from portal.extensions import db
from portal.workflows import compliance
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.pages import arrive, body_rows, go_to, navigation, sign_in
from tests.conftest import World

pytestmark = pytest.mark.browser


def tile(page: Page, name: str) -> Locator:
    """The link of one portfolio statistic on the dashboard."""
    stat = page.locator(".portal-stat").filter(has=page.locator("dt").get_by_text(name, exact=True))
    return stat.locator("dd").get_by_role("link")


def apply_filters(page: Page, h1: str) -> None:
    page.get_by_role("button", name="Apply filters").click()
    arrive(page, h1)


def test_the_dashboard_leads_to_the_work_queues(
    page: Page, live_server: LiveServer, world: World
) -> None:
    today = calendar.today()
    ret = factories.submitted_return(world.contract, world.supplier_user)  # Q1 2025/26
    compliance.refresh([world.contract.id, world.other_supplier_contract.id], today)
    data.commit()
    mine = db.session.scalar(
        select(func.count())
        .select_from(OverduePeriod)
        .where(OverduePeriod.contract_id == world.contract.id)
    )
    assert mine is not None and mine >= 1, "today should be after the Q2 2025/26 due date"
    data.commit()  # end the read, so the server's writes are not held up

    manager = page
    sign_in(manager, live_server, "cm@northmoor.example")
    arrive(manager, "Dashboard", live_server.url("/council/"))

    # Returns to review: the tile's figure, then the list it leads to, then the review.
    waiting = tile(manager, "Returns waiting for review")
    expect(waiting).to_have_text(re.compile(r"^1\b"))
    waiting.click()
    arrive(manager, "Returns to review", live_server.url("/council/returns/to-review?show=mine"))
    expect(navigation(manager).locator("[aria-current=page]")).to_have_text("Returns to review")
    table = manager.get_by_role("table", name="1 return to review")
    expect(body_rows(table)).to_have_count(1)
    expect(body_rows(table)).to_contain_text("Acme Grounds Ltd")
    expect(body_rows(table)).to_contain_text("Q1 2025/26")
    table.get_by_role("link", name=re.compile(r"^NCC-001")).click()
    arrive(
        manager,
        "Q1 2025/26 return from Acme Grounds Ltd",
        live_server.url(f"/council/returns/{ret.id}"),
    )

    # Overdue returns: as many rows as the tile says, the longest overdue first.
    go_to(manager, "Dashboard")
    overdue = tile(manager, "Overdue returns")
    expect(overdue).to_have_text(re.compile(rf"^{mine}\b"))
    overdue.click()
    arrive(manager, "Overdue returns", live_server.url("/council/returns/overdue?show=mine"))
    listed = body_rows(manager.get_by_role("table", name=re.compile("overdue return")))
    expect(listed).to_have_count(mine)
    expect(listed.first).to_contain_text("Q2 2025/26")
    expect(listed.first).to_contain_text("Not started")

    manager.get_by_label("Financial year", exact=True).select_option(label="2025/26")
    manager.get_by_label("Quarter", exact=True).select_option(label="Q2")
    apply_filters(manager, "Overdue returns")
    expect(listed).to_have_count(1)
    expect(manager.get_by_label("Quarter", exact=True)).to_have_value("2")
    manager.get_by_label("All contracts", exact=True).check()
    apply_filters(manager, "Overdue returns")
    expect(listed).to_have_count(2)  # NCC-002's Q2 too
    expect(listed.nth(1)).to_contain_text("Bolt Facilities Ltd")

    # The contract list sorted by rating, worst first, and by latest return.
    go_to(manager, "Contracts")
    manager.get_by_label("All contracts", exact=True).check()
    manager.get_by_label("Sort by", exact=True).select_option(label="Rating, worst first")
    apply_filters(manager, "Contracts")
    contracts = body_rows(manager.get_by_role("table", name="Contracts", exact=True))
    expect(contracts).to_have_count(2)
    expect(contracts.first).to_contain_text("Inadequate")
    manager.get_by_label("Sort by", exact=True).select_option(
        label="Latest return, least progress first"
    )
    apply_filters(manager, "Contracts")
    expect(contracts.first).to_contain_text("NCC-002")  # no return yet, first
    expect(contracts.nth(1)).to_contain_text("Submitted")
