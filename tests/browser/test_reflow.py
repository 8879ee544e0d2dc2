"""WCAG 2.2 1.4.10 Reflow: at 320 CSS pixels wide (a 1280 pixel screen zoomed to 400%), no page
scrolls sideways as a whole. A table too wide for the screen scrolls inside its own region,
which is labelled by the table's caption and can be scrolled from the keyboard (axe-core
checks that every scrollable region can take focus)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from portal import calendar
from portal.data import commit, outbox, returns
from portal.data.types import EmailKind
from portal.workflows import compliance
from tests import factories
from tests.browser.conftest import Browsing, LiveServer, axe_check
from tests.browser.pages import sign_in, visit
from tests.conftest import World

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 640}
# What stands out past the right edge of the screen, outside the tables' own regions, to say
# which part of a page is too wide.
OVERFLOWING = """() => [...document.querySelectorAll("body *")]
  .filter((e) => !e.parentElement.closest(".portal-table-scroll"))
  .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 5)
  .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")}`)"""


def signed_in(browsing: Browsing, server: LiveServer, email: str) -> Page:
    page = browsing.new_page(f"{email} at 320 pixels", viewport=NARROW)
    sign_in(page, server, email)
    page.wait_for_url(re.compile(r"^(?!.*/sign-in)"))
    axe_check(page)
    return page


def assert_reflows(page: Page, server: LiveServer, path: str) -> None:
    visit(page, server.url(path))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], (
        f"{path} is {width} pixels wide at 320: {page.evaluate(OVERFLOWING)}"
    )
    for region in page.locator(".portal-table-scroll").all():
        # Every scrolling region is named by its table's caption, and reachable by keyboard.
        assert region.get_attribute("role") == "region"
        assert region.get_attribute("tabindex") == "0"
        caption = page.locator(f"#{region.get_attribute('aria-labelledby')}")
        assert caption.evaluate("e => e.tagName") == "CAPTION"


def test_every_page_with_a_table_reflows_at_320_pixels(
    browsing: Browsing, live_server: LiveServer, world: World
) -> None:
    ret = factories.a_return(world.contract, world.supplier_user)  # with a person and a file
    for line in ret.lines:
        line.figure, line.narrative, line.nil_reason = 0, "Nobody new", "None this quarter"
    returns.submit(ret, by=world.supplier_user, declaration="ok", workforce_records=1, evidence=[])
    compliance.refresh([world.contract.id], calendar.today())
    email = outbox.enqueue(
        key="reflow",
        kind=EmailKind.PASSWORD_RESET,
        recipient="admin@northmoor.example",
        subject="Reset your password for Social value tracker",
        body="Reset it here: http://localhost/reset-password/" + "x" * 60 + "\n" + "word " * 40,
        user_id=world.admin.id,
        council_id=world.council.id,
    )
    commit()
    contract, supplier_id = world.contract.id, world.supplier.id

    manager = signed_in(browsing, live_server, "cm@northmoor.example")
    for path in (
        "/council/?show=all",
        "/council/contracts?show=all",
        f"/council/contracts/{contract}",
        f"/council/contracts/{contract}/assessment",
        "/council/flags?manager=",
        f"/council/returns/{ret.id}",
        f"/council/returns/{ret.id}/submissions/1",
        f"/council/suppliers/{supplier_id}",
        "/council/measures",
    ):
        assert_reflows(manager, live_server, path)

    supplier = signed_in(browsing, live_server, "sam@acme.example")
    for path in (
        "/supplier/",
        "/supplier/contracts",
        f"/supplier/contracts/{contract}",
        f"/supplier/returns/{ret.id}",
        f"/supplier/returns/{ret.id}/workforce",
        f"/supplier/returns/{ret.id}/submitted",
    ):
        assert_reflows(supplier, live_server, path)

    admin = signed_in(browsing, live_server, "admin@northmoor.example")
    for path in (
        "/admin/emails",
        f"/admin/emails/{email.id}",
        "/admin/users",
        "/admin/organisations",
        "/admin/measures",
        "/admin/local-areas",
        "/council/suppliers",
    ):
        assert_reflows(admin, live_server, path)
