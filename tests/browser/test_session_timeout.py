"""The GOV.UK timeout warning, in a real browser with its clock moved on: it opens a couple of
minutes before the idle timeout with focus inside it, Escape keeps the session, and letting it
run out signs the user out and says why."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, axe_check
from tests.browser.pages import arrive, heading, sign_in, success_banner
from tests.conftest import World


def test_the_timeout_warning_keeps_or_ends_the_session(
    page: Page, live_server: LiveServer, world: World
) -> None:
    page.clock.install()
    sign_in(page, live_server, "sam@acme.example")
    arrive(page, "Overview", live_server.url("/supplier/"))
    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(dialog).to_be_hidden()

    page.clock.fast_forward("28:00")  # about 2 minutes before the 30-minute idle timeout
    expect(dialog).to_be_visible()
    expect(dialog).to_be_focused()
    expect(dialog).to_contain_text("we will sign you out in 2 minutes")
    axe_check(page)
    with page.expect_response(lambda r: r.url.endswith("/session/keep-alive")) as kept:
        page.keyboard.press("Escape")  # the same as "Stay signed in"
    assert kept.value.status == 204
    expect(dialog).to_be_hidden()

    page.clock.fast_forward("28:00")
    expect(dialog).to_be_visible()
    page.clock.fast_forward("02:00")  # nobody answered
    expect(heading(page)).to_have_text("Sign in")
    expect(success_banner(page)).to_contain_text(
        "You have been signed out because you had not used the service for 30 minutes"
    )
    axe_check(page)
