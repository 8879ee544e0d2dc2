"""Browser fixtures: the test app served over real HTTP on 127.0.0.1, Debian's Chromium driven
by Playwright, and pages that fail the test on console errors, CSP violations, server errors or
an axe-core accessibility violation.

Every page a test reaches must be checked with axe_check(page): the page fixture records each
document the browser lands on and fails the test if one was left unchecked. axe_check also keeps
each page for the Nu HTML checker, which checks them all after the last browser test
(html_validity.py).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import html5lib
import pytest
from flask import Flask, got_request_exception
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    Response,
    Route,
    sync_playwright,
)
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from tests.browser.html_validity import PAGES, HtmlValidity, add_check
from tests.support import check_selects, check_text, check_title_segments

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}
# Reported by Chromium through the console when a policy blocks something, and by the listener
# below (securitypolicyviolation events), so that nothing the policy blocks goes unnoticed.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    `CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline code"}` +
    ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`
  );
});
"""


class LiveServer(str):
    """The base URL of the running app ("http://127.0.0.1:PORT"), with a few helpers.

    It carries .app because pytest-flask's autouse _push_request_context fixture reads
    live_server.app whenever a test uses a fixture called live_server."""

    app: Flask

    def __new__(cls, base_url: str, app: Flask) -> LiveServer:
        server = super().__new__(cls, base_url)
        server.app = app
        return server

    def url(self, path: str) -> str:
        return f"{self}{path}"

    def localise(self, link: str) -> str:
        """An email link (built from Settings.base_url) pointed at this server instead."""
        base_url = self.app.config["SETTINGS"].base_url.rstrip("/")
        assert link.startswith(base_url + "/"), f"{link} is not a link to {base_url}"
        return self + link[len(base_url) :]


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@dataclass
class ServerErrors:
    """Exceptions raised by views while serving the browser."""

    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, sender: Flask, exception: BaseException, **_: Any) -> None:
        with self.lock:
            self.errors.append(f"{type(exception).__name__}: {exception}")

    def take(self) -> list[str]:
        with self.lock:
            taken, self.errors = self.errors, []
        return taken


@pytest.fixture(scope="session")
def server_errors() -> ServerErrors:
    return ServerErrors()


@pytest.fixture(scope="session")
def live_server(app: Flask, server_errors: ServerErrors) -> Iterator[LiveServer]:
    got_request_exception.connect(server_errors.record, app)
    server: BaseWSGIServer = make_server(
        "127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    got_request_exception.disconnect(server_errors.record, app)


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    launched = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield launched
    launched.close()


@dataclass
class PageWatch:
    """What went wrong on one page (tab), and which documents still need an axe check."""

    label: str
    javascript: bool = True
    # For a page without JavaScript (where axe cannot run): a JavaScript page to check copies of
    # its documents on.
    checker: Callable[[], Page] | None = None
    problems: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)
    unchecked: str | None = None  # the URL of the document on screen, until axe has run

    def problem(self, text: str) -> None:
        if not any(pattern.search(text) for pattern in self.allowed):
            self.problems.append(text)


_WATCHES: WeakKeyDictionary[Page, PageWatch] = WeakKeyDictionary()


def watch_of(page: Page) -> PageWatch:
    return _WATCHES[page]


def allow_console_error(page: Page, pattern: str) -> None:
    """Expect a console error on this page (such as the 404 a missing page answers with)."""
    watch_of(page).allowed.append(re.compile(pattern))


def assert_no_problems(page: Page) -> None:
    watch = watch_of(page)
    problems, watch.problems = watch.problems, []
    assert not problems, f"{watch.label}: the browser reported problems:\n" + "\n".join(
        f"  - {p}" for p in problems
    )


def format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"
            f"\n    {violation.get('helpUrl', '')}"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    * {target}\n        {' '.join(node.get('html', '').split())}")
            summary = node.get("failureSummary")
            if summary:
                lines.append("        " + " ".join(summary.split()))
    return "\n".join(lines)


_AXE: Any = None


def axe_check(page: Page) -> None:
    """Run axe-core (WCAG 2.0, 2.1 and 2.2 A and AA rules) on the page as it is now, and fail
    with a readable list of violations. Also fails on any console error or CSP violation so far,
    and on text that the page check of the test client refuses (tests/support.py).
    """
    global _AXE
    if _AXE is None:
        from axe_playwright_python.sync_playwright import Axe

        _AXE = Axe()
    watch = watch_of(page)
    page.wait_for_load_state("load")
    # The same checks as the test client's (tests/support.py), on the page as drawn.
    html = page.content()
    PAGES.add(html, page.url)
    document = html5lib.parse(html, namespaceHTMLElements=False)
    check_text(document, page.url)
    check_selects(document, page.url)
    check_title_segments(page.title(), page.url)
    target = page if watch.javascript else snapshot(page)
    results = _AXE.run(target, options=AXE_OPTIONS)
    watch.unchecked = None
    violations = results.response["violations"]
    assert not violations, format_violations(page.url, violations)
    assert_no_problems(page)
    if target is not page:
        watch_of(target).unchecked = None
        assert_no_problems(target)


SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)


def snapshot(page: Page) -> Page:
    """axe-core needs JavaScript, so a page without it is checked as a copy: its document as the
    browser has it, scripts removed (so that it stays as it is without JavaScript), loaded at the
    same address in a JavaScript page, with the stylesheets and images from the server."""
    watch = watch_of(page)
    assert watch.checker is not None
    checker = watch.checker()
    url = page.url
    html = SCRIPT.sub("", page.content())

    def serve_copy(route: Route, _request: Request) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    def is_the_page(address: str) -> bool:
        return address == url

    checker.route(is_the_page, serve_copy)
    try:
        checker.goto(url)
    finally:
        checker.unroute(is_the_page, serve_copy)
    return checker


@dataclass
class Browsing:
    """Opens pages, each in its own browser context (its own cookies: one person each)."""

    browser: Browser
    base_url: str
    contexts: list[BrowserContext] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    axe_copies: Page | None = None  # a JavaScript page for checking copies of pages without it

    def new_page(self, label: str = "page", **context_options: Any) -> Page:
        context = self.browser.new_context(**context_options)
        context.set_default_timeout(10_000)
        javascript = context_options.get("java_script_enabled", True)
        if javascript:
            context.add_init_script(REPORT_CSP_VIOLATIONS)
        self.contexts.append(context)
        page = context.new_page()
        watch = PageWatch(label=label, javascript=javascript)
        if not javascript:
            watch.checker = self.checker
        _WATCHES[page] = watch
        self.pages.append(page)

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                location = message.location or {}
                where = location.get("url") or page.url
                watch.problem(f"console error on {where}: {message.text}")

        def on_new_document(loaded: Page) -> None:
            # Once per document: not for a move within one (such as following the skip link).
            if loaded.url.startswith("about:"):
                return
            if watch.unchecked is not None:
                watch.problems.append(f"left {watch.unchecked} without running axe_check")
            watch.unchecked = loaded.url

        def on_response(response: Response) -> None:
            if response.status >= 500:
                watch.problem(f"HTTP {response.status} from {response.url}")
            elif response.status >= 400 and response.request.resource_type != "document":
                watch.problem(f"HTTP {response.status} for {response.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: watch.problem(f"uncaught JavaScript error: {error}"))
        page.on("domcontentloaded", on_new_document)
        page.on("response", on_response)
        return page

    def checker(self) -> Page:
        if self.axe_copies is None:
            self.axe_copies = self.new_page("axe check of a page without JavaScript")
        return self.axe_copies

    def close(self) -> list[str]:
        leftovers: list[str] = []
        for page in self.pages:
            watch = _WATCHES.get(page)
            if watch is None:
                continue
            leftovers.extend(f"{watch.label}: {p}" for p in watch.problems)
            if watch.unchecked is not None:
                leftovers.append(f"{watch.label}: ended on {watch.unchecked} without axe_check")
        for context in self.contexts:
            context.close()
        return leftovers


@pytest.fixture
def browsing(
    browser: Browser, live_server: LiveServer, server_errors: ServerErrors
) -> Iterator[Browsing]:
    server_errors.take()
    opened = Browsing(browser, str(live_server))
    yield opened
    problems = opened.close() + [f"server error: {e}" for e in server_errors.take()]
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def new_page(browsing: Browsing) -> Callable[..., Page]:
    """Another page in a fresh browser context: new_page("invitee", java_script_enabled=False)."""
    return browsing.new_page


@pytest.fixture
def page(browsing: Browsing) -> Page:
    return browsing.new_page("page")


# A wrapper: the browser mark goes on before the other plugins choose the tests to run (-m, -k,
# --lf), and the HTML check after the last browser test among those they chose.
@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> Iterator[None]:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)
    yield
    add_check(items)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    outcome = HtmlValidity.outcome
    if outcome is not None:
        terminalreporter.write_line(
            f"Nu HTML checker: {outcome.pages} distinct pages ({outcome.reached} checks), "
            f"{outcome.errors} errors, {outcome.seconds:.1f} s"
        )
