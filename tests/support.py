"""Test helpers: a real SMTP server, a page checker, and a client that submits forms like a
browser does."""

from __future__ import annotations

import re
import secrets
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

import html5lib
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from werkzeug.test import TestResponse


def session_cookie_for(app: Any, user: Any) -> tuple[str, str]:
    """(cookie name, value) of a new server-side session signed in as this user, as a sign-in
    makes one (the sign-in form itself is tested separately)."""
    from portal.data import commit
    from portal.data import sessions as store
    from portal.data.base import utcnow
    from portal.sessions import ServerSessionInterface

    user_id, login_id = user.id, user.get_id()
    # With a CSRF token already, and not "fresh" (as Flask-Login marks a session whose browser it
    # cannot identify), so that the first page writes nothing and counts no extra query.
    contents = {"_user_id": login_id, "_fresh": False, "csrf_token": secrets.token_hex(20)}
    data = ServerSessionInterface.serializer.dumps(contents)
    # Inside the test's own app context, its database session (SQLite allows one writer, and the
    # test may hold uncommitted rows, such as this user); otherwise a context of our own.
    from flask import current_app, has_app_context

    with nullcontext() if has_app_context() and current_app == app else app.app_context():
        raw, _ = store.create(data=data, user_id=user_id, browser="Test client", now=utcnow())
        commit()
    return app.config["SESSION_COOKIE_NAME"], raw


def free_port() -> int:
    # aiosmtpd's Controller(port=0) does not work: find a free port first.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# Words the portal counts. "1" before one of them (as a word of its own: not "Q1", "£1" or
# "2021"), maybe with an adjective between, is a sentence untrue to its figure: "1 returns",
# "1 days ago", "1 new flags".
# fmt: off
PLURAL_NOUNS = (
    "actions", "apprentices", "attempts", "changes", "commitments", "contracts", "councils",
    "days", "districts", "emails", "entries", "errors", "files", "flags", "hires", "hours",
    "lines", "measures", "minutes", "months", "organisations", "pages", "people", "periods",
    "problems", "profiles", "quarters", "records", "reminders", "returns", "rows", "sectors",
    "starts", "submissions", "suppliers", "users", "weeks", "workers", "years",
)
# fmt: on
# "1" as a word (not in "Q1", "£1", "2.1" or a link's ".../returns/1"), then spaces or one line
# break (a blank line ends the sentence), then a plural noun.
PLURAL_AFTER_ONE = re.compile(
    r"(?<![\w.,£$/-])1(?:[ \t]+|[ \t]*\r?\n[ \t]*)"
    r"(?:(?:new|open|overdue|other|more|local|older|quarterly)\s+)?"
    rf"(?:{'|'.join(PLURAL_NOUNS)})\b",
    re.IGNORECASE,
)
# Markup that was escaped and so shows as text: a template joined a safe value to a plain one.
ESCAPED_MARKUP = re.compile(
    r"</?(?:a|br|div|dl|dd|dt|em|h[1-6]|img|li|ol|p|script|span|strong|table|td|th|tr|ul)"
    r"(?=[\s/>])",
    re.IGNORECASE,
)
# A plain-text email shows these as they are: an entity in one means HTML escaping leaked in.
HTML_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-f]+);", re.IGNORECASE)
# Text a test posted on purpose (see showing_hostile_text): allowed to show as text.
_hostile: ContextVar[tuple[str, ...]] = ContextVar("hostile", default=())


@contextmanager
def showing_hostile_text(*payloads: str) -> Iterator[None]:
    """Within this block, pages may show these exact strings (the test's own hostile input,
    such as an XSS payload) as text; anything else that looks like escaped markup still fails."""
    token = _hostile.set(_hostile.get() + payloads)
    try:
        yield
    finally:
        _hostile.reset(token)


def plural_after_one(text: str) -> list[str]:
    return PLURAL_AFTER_ONE.findall(text)


def untrue_text(text: str) -> list[str]:
    """What is wrong with text a person reads: a plural after 1, or markup shown as text."""
    problems = [f"plural after 1: {found!r}" for found in plural_after_one(text)]
    for payload in _hostile.get():
        text = text.replace(payload, "")
    problems += [f"escaped markup shown as text: {m!r}" for m in ESCAPED_MARKUP.findall(text)]
    return problems


class Mailbox:
    """Collects what a real SMTP server (aiosmtpd, in-process on 127.0.0.1) received, and what
    is untrue in each email's subject and body (the tests' fixture fails on any)."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.peers: list[Any] = []  # the client's (address, port) for each message
        self.problems: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content)
        subject = str(make_header(decode_header(message["Subject"] or "")))
        problems = [
            f"email {subject!r} to {message['To']}: {problem}"
            for problem in untrue_text(f"{subject}\n{self.body(message)}")
            + [f"HTML entity in plain text: {e!r}" for e in HTML_ENTITY.findall(self.body(message))]
        ]
        with self.lock:
            self.messages.append(message)
            self.peers.append(session.peer)
            self.problems += problems
        return "250 Message accepted for delivery"

    def delivered(self) -> Mailbox:
        """Run the delivery worker's pass (requests only write the outbox), then this mailbox:
        `mailbox.delivered().to(address)`. Needs an app context."""
        from portal.jobs.outbox import work_once

        work_once()
        return self

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.peers.clear()
            self.problems.clear()

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def body(message: Message) -> str:
        payload = message.get_payload(decode=True)
        assert isinstance(payload, bytes)
        return payload.decode()

    def link_in(self, message: Message) -> str:
        match = re.search(r"https?://\S+", self.body(message))
        assert match, "no link in the email"
        return match.group(0)


def start_smtp(mailbox: Mailbox) -> Controller:
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


class PageError(AssertionError):
    pass


# Elements that sit inside a sentence; any other element's edges break the text (with a mark
# that is not a space), so that a table cell's "1" and the next cell's "Returns waiting" are
# not read as one phrase.
INLINE = {"a", "abbr", "b", "code", "em", "i", "label", "small", "span", "strong", "time"}
NOT_TEXT = {"script", "style", "template"}
BREAK = "\n|\n"


def visible_text(element: Any) -> str:
    """The text a person reads (or hears) in an html5lib element, block by block."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if not isinstance(node.tag, str) or node.tag in NOT_TEXT:
            parts.append(node.tail or "")
            return
        block = node.tag not in INLINE
        parts.append((BREAK if block else "") + (node.text or ""))
        for child in node:
            walk(child)
        parts.append((BREAK if block else "") + (node.tail or ""))

    walk(element)
    return "".join(parts)


def check_text(document: Any, where: str) -> None:
    problems = untrue_text(visible_text(document))
    if problems:
        raise PageError(f"{where}: " + "; ".join(problems))


def check_page(response: TestResponse) -> None:
    """Every HTML page: valid HTML, exactly one h1, a title that begins with it, and text that
    is true to its figures and shows no escaped markup."""
    if response.mimetype != "text/html" or not response.data:
        return
    html = response.get_data(as_text=True)
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        document = parser.parse(html)
    except html5lib.html5parser.ParseError as error:
        line = html.splitlines()[max(0, parser.errors[-1][0][0] - 1)] if parser.errors else ""
        raise PageError(f"invalid HTML on {response.request.path}: {error}\n{line}") from error
    headings = document.findall(".//h1")
    if len(headings) != 1:
        raise PageError(f"{response.request.path} has {len(headings)} h1 elements")
    h1 = " ".join("".join(headings[0].itertext()).split())
    title_element = document.find(".//title")
    assert title_element is not None and title_element.text
    title = " ".join(title_element.text.split())
    has_error_summary = 'class="govuk-error-summary"' in html
    expected = f"Error: {h1}" if has_error_summary else h1
    if not title.startswith(expected):
        raise PageError(f"title {title!r} does not begin with {expected!r}")
    if title.startswith("Error: ") and not has_error_summary:
        raise PageError(f"title {title!r} says Error but the page shows no error summary")
    check_title_segments(title, response.request.path)
    check_selects(document, response.request.path)
    check_unique_ids(document, response.request.path)
    check_text(document, response.request.path)


def check_unique_ids(document: Any, where: str) -> None:
    """No id is used twice on a page: a label, a link from the error summary or a script
    would reach the first element only."""
    ids = [element.get("id") for element in document.iter() if element.get("id") is not None]
    repeated = sorted({value for value in ids if ids.count(value) > 1})
    if repeated:
        raise PageError(f"{where}: the id {', '.join(map(repr, repeated))} is used more than once")


def check_title_segments(title: str, where: str) -> None:
    """A title's parts ("Page - Service - Council") each say something new: a part said twice
    ("Social value tracker - Social value tracker - ...") is read out twice by screen readers."""
    segments = [" ".join(part.split()) for part in title.removeprefix("Error: ").split(" - ")]
    repeated = sorted({part for part in segments if segments.count(part) > 1})
    if repeated:
        raise PageError(f"{where}: title {title!r} repeats {', '.join(map(repr, repeated))}")


def check_selects(document: Any, where: str) -> None:
    """Each drop-down offers each value once, and (unless it allows several) has at most one
    option selected: two "Open" options, both selected, left "Open" alone unchoosable."""
    for select in document.iter("select"):
        name = select.get("name") or select.get("id") or "a select"
        options = select.findall(".//option")
        values = [
            option.get("value", " ".join("".join(option.itertext()).split())) for option in options
        ]
        repeated = sorted({value for value in values if values.count(value) > 1})
        if repeated:
            raise PageError(
                f"{where}: {name} offers the same value twice: {', '.join(map(repr, repeated))}"
            )
        selected = [option for option in options if option.get("selected") is not None]
        if len(selected) > 1 and select.get("multiple") is None:
            raise PageError(f"{where}: {name} has {len(selected)} options selected")


CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)

VERSION = re.compile(
    r'name="version" type="hidden" value="([^"]*)"|type="hidden" name="version" value="([^"]*)"'
)


class PortalClient(FlaskClient):
    """A test client that checks every page it gets, and fills in CSRF tokens like a browser."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        # Each request gets its own app context, as in production: without it, the test's
        # context (and its g, with the signed-in user, and its database session) would leak in.
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        check_page(response)
        return response

    def csrf_token(self, page_url: str) -> str:
        return self.hidden_fields(page_url)["csrf_token"]

    def hidden_fields(self, page_url: str) -> dict[str, str]:
        """The CSRF token on the page and, if it has one, the version its form was loaded at."""
        html = self.get(page_url).get_data(as_text=True)
        match = CSRF.search(html)
        assert match, f"no CSRF token on {page_url}"
        fields = {"csrf_token": match.group(1) or match.group(2)}
        version = VERSION.search(html)
        if version:
            fields["version"] = version.group(1) or version.group(2)
        return fields

    def submit(
        self,
        url: str,
        data: dict[str, Any] | None = None,
        *,
        form_page: str | None = None,
        **kwargs: Any,
    ) -> TestResponse:
        """POST to url with the CSRF token, and the version if the form has one, from form_page
        (default: url itself), as a browser sends them. A version of None sends none."""
        sent = {**self.hidden_fields(form_page or url), **(data or {})}
        sent = {name: value for name, value in sent.items() if value is not None}
        return self.post(url, data=sent, **kwargs)
