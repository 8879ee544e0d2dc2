"""Journeys through the portal in a real Chromium: signing in and out as each role, inviting
people and accepting invitations by email, keyboard-only and JavaScript-free use, and an axe-core
accessibility check of every page reached."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, allow_console_error, axe_check
from tests.browser.pages import (
    arrive,
    error_summary,
    expect_title_starts,
    go_to,
    heading,
    navigation,
    sign_in,
    success_banner,
    visit,
)
from tests.conftest import World
from tests.factories import PASSWORD
from tests.support import Mailbox

pytestmark = pytest.mark.browser

NEW_PASSWORD = "sunlit orchard ladder"  # at least 12 characters

NAVIGATION = {
    "supplier": ["Overview", "Your contracts"],
    "manager": [
        "Dashboard",
        "Contracts",
        "Returns to review",
        "Overdue returns",
        "Flags",
        "Suppliers",
        "Spend",
    ],
    "admin": [
        "Dashboard",
        "Contracts",
        "Returns to review",
        "Overdue returns",
        "Suppliers",
        "Spend",
        "Organisations",
        "Users",
        "Measures",
        "Local areas",
        "Living Wage",
        "Emails",
    ],
}


# Helpers


def sign_out(page: Page, server: LiveServer) -> None:
    navigation(page).get_by_role("button", name="Sign out").click()
    arrive(page, "Sign in", server.url("/sign-in"))
    expect(page.get_by_text("You have signed out")).to_be_visible()
    header = page.locator("header")
    expect(header.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(header.get_by_role("link", name="Contracts", exact=True)).to_have_count(0)


def email_link(mailbox: Mailbox, server: LiveServer, address: str) -> str:
    """The link in the one email sent to this address, pointed at the live server."""
    deadline = time.monotonic() + 5
    while not mailbox.delivered().to(address) and time.monotonic() < deadline:
        time.sleep(0.05)
    messages = mailbox.delivered().to(address)
    assert len(messages) == 1, f"{len(messages)} emails to {address}"
    return server.localise(mailbox.link_in(messages[0]))


# Signing in and out


@pytest.mark.parametrize(
    ("who", "email", "home", "h1", "contracts", "contracts_path"),
    [
        (
            "supplier",
            "sam@acme.example",
            "/supplier/",
            "Overview",
            "Your contracts",
            "/supplier/contracts",
        ),
        (
            "manager",
            "cm@northmoor.example",
            "/council/",
            "Dashboard",
            "Contracts",
            "/council/contracts",
        ),
        (
            "admin",
            "admin@northmoor.example",
            "/council/",
            "Dashboard",
            "Contracts",
            "/council/contracts",
        ),
    ],
)
def test_each_role_signs_in_sees_its_navigation_and_signs_out(
    page: Page,
    live_server: LiveServer,
    world: World,
    who: str,
    email: str,
    home: str,
    h1: str,
    contracts: str,
    contracts_path: str,
) -> None:
    person = {u.email: u for u in (world.admin, world.manager, world.supplier_user)}[email]
    name = person.full_name
    sign_in(page, live_server, email)
    arrive(page, h1, live_server.url(home))
    # The role's sections, then the account page beside "Sign out".
    expect(navigation(page).get_by_role("link")).to_have_text([*NAVIGATION[who], "Your account"])
    # The home page is the current item of the navigation.
    current = navigation(page).locator("[aria-current=page]")
    expect(current).to_have_text(NAVIGATION[who][0])
    expect(page.get_by_text("Signed in as")).to_contain_text(name)
    # The contract list is a navigation item away, and becomes the current one.
    go_to(page, contracts)
    expect(page).to_have_url(live_server.url(contracts_path))
    expect(current).to_have_text(contracts)
    expect(page.get_by_role("link", name="NCC-001")).to_be_visible()
    sign_out(page, live_server)
    # Signed out means signed out: the home page now asks to sign in.
    visit(page, live_server.url(home))
    expect(page).to_have_url(re.compile(re.escape(live_server.url("/sign-in")) + r"\?next="))
    expect(heading(page)).to_have_text("Sign in")


def test_wrong_password_shows_the_error_summary_and_keeps_the_email(
    page: Page, live_server: LiveServer, world: World
) -> None:
    sign_in(page, live_server, "admin@northmoor.example", "not the password at all")
    arrive(page, "Sign in", live_server.url("/sign-in"))
    expect_title_starts(page, "Error: Sign in")
    summary = error_summary(page)
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Enter a correct email address and password")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    expect(page.get_by_label("Email address")).to_have_value("admin@northmoor.example")
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    # The summary's link takes you to the field.
    summary.get_by_role("link", name="Enter a correct email address and password").click()
    expect(page.get_by_label("Email address")).to_be_focused()
    axe_check(page)


# Invitations


def test_administrator_invites_a_supplier_user_who_accepts_by_email(
    page: Page,
    new_page: Callable[..., Page],
    live_server: LiveServer,
    world: World,
    mailbox: Mailbox,
) -> None:
    sign_in(page, live_server, "admin@northmoor.example")
    arrive(page, "Dashboard", live_server.url("/council/"))
    go_to(page, "Users")
    page.get_by_role("link", name="Invite a user").click()
    arrive(page, "Invite a user", live_server.url("/admin/users/invite"))

    # Sending the form empty lists every problem.
    page.get_by_role("button", name="Send invitation").click()
    arrive(page, "Invite a user")
    expect_title_starts(page, "Error: Invite a user")
    expect(error_summary(page)).to_contain_text("Enter the person's full name")

    page.get_by_label("Full name").fill("Pat Jones")
    page.get_by_label("Email address").fill("pat@bolt.example")
    page.get_by_label("Supplier user").check()
    page.get_by_label("Organisation").select_option(label="Bolt Facilities Ltd")
    page.get_by_role("button", name="Send invitation").click()
    arrive(page, "Pat Jones", re.compile(r"/admin/users/\d+$"))
    expect(success_banner(page)).to_contain_text("An invitation to pat@bolt.example is being sent")

    link = email_link(mailbox, live_server, "pat@bolt.example")
    assert "/invitations/" in link

    go_to(page, "Emails", "Emails sent")
    expect(page.locator("main")).to_contain_text("pat@bolt.example")
    # The filters find it: a plain GET form, kept filled in.
    page.get_by_label("Kind", exact=True).select_option(label="Invitation")
    page.get_by_label("Recipient contains").fill("pat@")
    page.get_by_role("button", name="Filter emails").click()
    arrive(page, "Emails sent", re.compile(r"/admin/emails\?.*recipient=pat%40"))
    expect(page.get_by_label("Recipient contains")).to_have_value("pat@")
    emails = page.get_by_role("table", name="Emails, newest first").locator("tbody tr")
    expect(emails).to_have_count(1)
    expect(emails.locator("td").nth(1)).to_have_text("Invitation")
    expect(emails.locator("td").nth(2)).to_have_text("pat@bolt.example")

    # Pat opens the link in their own browser.
    invitee = new_page("invitee")
    visit(invitee, link)
    expect(heading(invitee)).to_have_text("Create your account")
    expect(invitee.locator("main")).to_contain_text("Bolt Facilities Ltd")
    invitee.get_by_label("Create a password", exact=True).fill(NEW_PASSWORD)
    invitee.get_by_label("Confirm your password", exact=True).fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Create account").click()
    arrive(invitee, "Overview", live_server.url("/supplier/"))
    expect(success_banner(invitee)).to_contain_text("Welcome, Pat Jones")
    expect(navigation(invitee).get_by_role("link")).to_have_text(
        [*NAVIGATION["supplier"], "Your account"]
    )
    go_to(invitee, "Your contracts")
    expect(invitee.get_by_role("link", name="NCC-002")).to_be_visible()  # Bolt's contract

    # The link works once.
    allow_console_error(invitee, "status of 410")
    visit(invitee, link, status=410)
    expect(heading(invitee)).to_have_text("This link is not valid")
    axe_check(invitee)


def test_contract_manager_invites_a_supplier_user(
    page: Page,
    new_page: Callable[..., Page],
    live_server: LiveServer,
    world: World,
    mailbox: Mailbox,
) -> None:
    sign_in(page, live_server, "cm@northmoor.example")
    arrive(page, "Dashboard", live_server.url("/council/"))
    go_to(page, "Suppliers")
    page.get_by_role("link", name="Bolt Facilities Ltd").click()
    arrive(page, "Bolt Facilities Ltd")
    page.get_by_role("link", name="Invite a user from Bolt Facilities Ltd").click()
    arrive(page, "Invite a user from Bolt Facilities Ltd")
    page.get_by_label("Full name").fill("Robin Mills")
    page.get_by_label("Email address").fill("robin@bolt.example")
    page.get_by_role("button", name="Send invitation").click()
    arrive(page, "Bolt Facilities Ltd", re.compile(r"/council/suppliers/\d+$"))
    expect(success_banner(page)).to_contain_text(
        "An invitation to robin@bolt.example is being sent"
    )
    expect(page.get_by_role("row").filter(has_text="robin@bolt.example")).to_contain_text(
        "Robin Mills"
    )

    invitee = new_page("invitee")
    visit(invitee, email_link(mailbox, live_server, "robin@bolt.example"))
    expect(heading(invitee)).to_have_text("Create your account")
    expect(invitee.locator("main")).to_contain_text("Supplier user")


# Keyboard and no JavaScript


def focused(page: Page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return (e.getAttribute('aria-label') || e.id || e.textContent || '').trim() }"
    )


def test_sign_in_with_the_keyboard_only(page: Page, live_server: LiveServer, world: World) -> None:
    visit(page, live_server.url("/sign-in"))
    keyboard = page.keyboard
    keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # shown when focused
    keyboard.press("Enter")
    keyboard.press("Tab")
    expect(page.get_by_label("Email address")).to_be_focused()
    keyboard.type("sam@acme.example")
    keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    keyboard.type(PASSWORD)
    keyboard.press("Tab")
    expect(page.get_by_role("button", name="Show password")).to_be_focused()
    keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign in")).to_be_focused()
    keyboard.press("Enter")
    # The form posts to the address on screen, /sign-in#main-content after the skip link, and
    # the browser keeps the fragment through the redirect.
    arrive(
        page, "Overview", re.compile(re.escape(live_server.url("/supplier/")) + "(#main-content)?$")
    )

    # And out again, with the keyboard: the Sign out button is reachable by Tab.
    for _ in range(20):
        keyboard.press("Tab")
        if focused(page).startswith("Sign out"):
            break
    else:
        pytest.fail("Tab never reached the Sign out button")
    keyboard.press("Enter")
    arrive(page, "Sign in", live_server.url("/sign-in"))


def test_sign_in_works_without_javascript(
    new_page: Callable[..., Page], live_server: LiveServer, world: World
) -> None:
    page = new_page("no javascript", java_script_enabled=False)
    sign_in(page, live_server, "cm@northmoor.example")
    arrive(page, "Dashboard", live_server.url("/council/"))
    assert page.evaluate("document.body.classList.contains('js-enabled')") is False
    go_to(page, "Contracts")
    expect(page).to_have_url(live_server.url("/council/contracts"))
    expect(page.get_by_role("link", name="NCC-001")).to_be_visible()
    # The filters are a plain GET form.
    page.get_by_label("All contracts").check()
    page.get_by_role("button", name="Apply filters").click()
    arrive(page, "Contracts", re.compile(r"/council/contracts\?show=all"))
    expect(page.get_by_role("link", name="NCC-002")).to_be_visible()
    page.get_by_role("link", name="NCC-001").click()
    arrive(page, re.compile(r"^NCC-001"))
    sign_out(page, live_server)


# Every page


@pytest.mark.parametrize(
    ("path", "h1", "status"),
    [
        ("/", "Social value tracker", 200),
        ("/accessibility", "Accessibility statement", 200),
        ("/cookies", "Cookies", 200),
        ("/privacy", "Privacy notice", 200),
        ("/forgot-password", "Reset your password", 200),
        ("/no-such-page", "Page not found", 404),
    ],
)
def test_public_pages_are_accessible(
    page: Page, live_server: LiveServer, path: str, h1: str, status: int
) -> None:
    if status != 200:
        allow_console_error(page, f"status of {status}")
    visit(page, live_server.url(path), status=status)
    expect(heading(page)).to_have_text(h1)


def test_every_administrator_page_is_accessible(
    page: Page, live_server: LiveServer, world: World
) -> None:
    sam, bo = world.supplier_user.full_name, world.other_supplier_user.full_name
    sign_in(page, live_server, "admin@northmoor.example")
    arrive(page, "Dashboard", live_server.url("/council/"))

    go_to(page, "Contracts")
    page.get_by_role("link", name="NCC-001").click()
    arrive(page, re.compile(r"^NCC-001"))

    go_to(page, "Suppliers")
    page.get_by_role("link", name="Acme Grounds Ltd").click()
    arrive(page, "Acme Grounds Ltd")

    go_to(page, "Organisations")
    page.locator("main a[href$='/admin/organisations/new']").click()
    adding = re.compile(r"^Add an? ")  # "Add an organisation", or "Add a supplier"
    arrive(page, adding, re.compile(r"/admin/organisations/new$"))
    # Saved empty: the error summary links to the name field, whose message is shown by it.
    page.get_by_role("button", name=re.compile("^Save")).click()
    arrive(page, adding)
    expect_title_starts(page, "Error: Add a")
    expect(error_summary(page).locator("a[href='#name']")).to_have_count(1)
    expect(page.locator("#name-error")).to_be_visible()
    page.get_by_role("link", name="Back to organisations").click()
    arrive(page, "Organisations")
    page.get_by_role("link", name="Bolt Facilities Ltd (edit)").click()
    arrive(page, "Edit Bolt Facilities Ltd")
    page.get_by_role("link", name="Back to organisations").click()
    arrive(page, "Organisations")
    # Southmere also has contracts with Acme, so it is read-only here.
    page.get_by_role("link", name="Acme Grounds Ltd", exact=True).click()
    arrive(page, "Acme Grounds Ltd", re.compile(r"/admin/organisations/\d+/edit$"))

    go_to(page, "Users")
    page.get_by_role("link", name="Invite a user").click()
    arrive(page, "Invite a user")
    go_to(page, "Users")
    page.get_by_role("row").filter(has_text="sam@acme.example").get_by_role("link").click()
    arrive(page, sam)
    expect(page.get_by_role("link", name="Deactivate user")).to_have_count(0)
    go_to(page, "Users")
    page.get_by_role("row").filter(has_text="bo@bolt.example").get_by_role("link").click()
    arrive(page, bo)
    page.get_by_role("link", name="Deactivate user").click()
    arrive(page, f"Deactivate {bo}?")
    page.get_by_role("link", name="Cancel").click()  # changed their mind
    arrive(page, bo)

    go_to(page, "Measures")
    page.get_by_role("link", name="Add a measure").click()
    arrive(page, "Add a measure")
    page.get_by_role("button", name="Save measure").click()
    arrive(page, "Add a measure")
    expect_title_starts(page, "Error: Add a measure")
    go_to(page, "Measures")
    page.get_by_role("link", name="Local people hired").click()
    arrive(page, "Edit Local people hired")

    go_to(page, "Local areas")
    go_to(page, "Living Wage", "Real Living Wage")
    page.get_by_role("link", name="Add a rate").click()
    arrive(page, "Add a real Living Wage rate")
    page.get_by_role("button", name="Save rate").click()  # empty: every question's message
    arrive(page, "Add a real Living Wage rate")
    expect_title_starts(page, "Error: Add a real Living Wage rate")
    expect(error_summary(page).locator("a[href='#hourly_rate']")).to_have_count(1)
    page.get_by_role("link", name="Back to real Living Wage rates").click()
    arrive(page, "Real Living Wage")
    change = re.compile(r"^Change the London rate payable from 1 May 2026")
    page.get_by_role("link", name=change).click()
    arrive(page, "Change a real Living Wage rate")
    go_to(page, "Emails", "Emails sent")
    # Sending the reminders due now comes back to the list, saying what was sent.
    page.get_by_role("button", name="Send the due reminders now").click()
    arrive(page, "Emails sent", live_server.url("/admin/emails"))
    expect(success_banner(page)).to_contain_text("written to the outbox")
