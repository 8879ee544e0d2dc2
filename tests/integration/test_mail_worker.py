"""No web request waits on a mail server, and a failed email is never quiet.

Requests only write the outbox; the delivery worker (portal.jobs.outbox.work_once) sends. A slow
SMTP server (aiosmtpd that takes 0.5 s per message) shows that a page comes back before anything
is delivered. Emails that keep failing are retried later and later, then shown to administrators
on every page until resent, and the jobs exit non-zero while any are left.
"""

from __future__ import annotations

import ast
import asyncio
import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.config import Settings
from portal.data import commit, outbox
from portal.data.models import AuditEvent, OutboxMessage
from portal.data.types import EmailKind, EmailStatus, Role
from portal.domain.mail import BACKOFF, gives_up_after, next_attempt
from portal.extensions import db
from portal.jobs import reminders
from portal.jobs.outbox import work_once
from tests import factories
from tests.conftest import World, sign_in_as
from tests.support import Mailbox, PortalClient, free_port, start_smtp

PORTAL = Path(__file__).resolve().parents[2] / "portal"


class SlowMailbox(Mailbox):
    """A mail server that takes half a second over each message."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        await asyncio.sleep(0.5)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_smtp(app: Flask, settings: Settings) -> Iterator[SlowMailbox]:
    box = SlowMailbox()
    controller = start_smtp(box)
    app.config["SETTINGS"] = replace(settings, smtp_port=controller.port)
    try:
        yield box
    finally:
        app.config["SETTINGS"] = settings
        controller.stop()


def due_reminders(world: World, at_least: int) -> int:
    """Contracts (from April 2025, so with quarters overdue today) until at least this many
    emails are due today; returns how many."""
    due = 0
    while due < at_least:
        factories.contract(world.council, world.supplier, world.manager)
        commit()
        due = len(reminders.send(datetime.now(UTC), dry_run=True).planned)
    return due


def text_after_redirect(client: PortalClient, response: Any) -> str:
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def statuses() -> list[EmailStatus]:
    db.session.expire_all()
    return [m.status for m in db.session.scalars(select(OutboxMessage))]


# No request waits on a mail server ------------------------------------------------------------


def test_send_now_writes_the_outbox_and_returns_before_anything_is_delivered(
    world: World, as_admin: PortalClient, slow_smtp: SlowMailbox
) -> None:
    due = due_reminders(world, 20)
    page = text_after_redirect(as_admin, as_admin.submit("/admin/emails"))
    # Back before the slow server took a single message: only the outbox was written.
    assert slow_smtp.messages == []
    assert statuses() == [EmailStatus.PENDING] * due
    assert f"{due} emails written to the outbox: they are being sent now." in page
    # The progress counts the emails this administrator may read: their council's.
    ours = len(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.council_id == world.council.id)
        ).all()
    )
    assert ours
    assert f"{ours} emails waiting to be sent, 0 sent, 0 failed." in page
    report = work_once()
    assert (report.sent, report.failed) == (due, 0)
    assert len(slow_smtp.messages) == due
    after = as_admin.get("/admin/emails").get_data(as_text=True)
    assert f"0 emails waiting to be sent, {ours} sent, 0 failed." in after
    # Pressed again: nothing new to write, and it says so.
    again = text_after_redirect(as_admin, as_admin.submit("/admin/emails"))
    assert "No new emails: every reminder due today had been written already" in again


def test_an_invitation_returns_before_the_email_is_delivered(
    world: World, as_admin: PortalClient, slow_smtp: SlowMailbox
) -> None:
    due_reminders(world, 20)
    reminders.send(datetime.now(UTC), deliver=False)  # a queue in front of the invitation
    done = as_admin.submit(
        "/admin/users/invite",
        {
            "full_name": "Nia Jones",
            "email": "nia@acme.example",
            "role": "supplier_user",
            "organisation": str(world.other_supplier.id),
        },
    )
    page = text_after_redirect(as_admin, done)
    assert "An invitation to nia@acme.example is being sent" in page
    assert slow_smtp.messages == []
    work_once()
    assert len(slow_smtp.to("nia@acme.example")) == 1


def test_only_the_jobs_deliver_email() -> None:
    """The class of the bug: any module outside the jobs that calls delivery.deliver would put
    a mail server inside a request."""
    callers = set()
    for path in PORTAL.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "deliver"
            ):
                callers.add(path.relative_to(PORTAL).as_posix())
    assert callers == {"jobs/outbox.py", "jobs/reminders.py"}


# Retries back off over more than a day ---------------------------------------------------------


def test_the_backoff_grows_and_spans_more_than_a_day() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    waits = [next_attempt(n, now) - now for n in range(1, 10)]
    assert waits[:7] == list(BACKOFF)
    assert waits == sorted(waits) and waits[8] == timedelta(hours=24)
    assert gives_up_after(Settings.mail_max_attempts) >= timedelta(days=1)


def test_the_worker_sends_only_what_is_due(
    app: Flask, settings: Settings, mailbox: Mailbox
) -> None:
    message = written("k1")
    app.config["SETTINGS"] = replace(settings, smtp_port=free_port())
    try:
        assert work_once().failed == 1
    finally:
        app.config["SETTINGS"] = settings
    db.session.refresh(message)
    assert message.status is EmailStatus.PENDING and message.next_attempt_at is not None
    wait = message.next_attempt_at - datetime.now(UTC)
    assert timedelta(seconds=50) < wait <= timedelta(minutes=1)
    assert work_once().sent == 0 and mailbox.messages == []  # the mail server is back: not yet
    message.next_attempt_at = datetime.now(UTC) - timedelta(seconds=1)
    commit()
    assert work_once().sent == 1 and len(mailbox.messages) == 1


# Failed for good: a banner, a resend, and jobs that say so -------------------------------------


def written(
    key: str, recipient: str = "sam@acme.example", council_id: int | None = None
) -> OutboxMessage:
    message = outbox.enqueue(
        key=key,
        kind=EmailKind.PASSWORD_RESET,
        recipient=recipient,
        subject=f"Hello {key}",
        body="Plain text body",
        user_id=None,
        council_id=council_id,
    )
    commit()
    return message


def fail_for_good(app: Flask, settings: Settings) -> None:
    """Every pending email tried against a mail server that is not there, with one attempt."""
    app.config["SETTINGS"] = replace(settings, smtp_port=free_port(), mail_max_attempts=1)
    try:
        work_once()
    finally:
        app.config["SETTINGS"] = settings


BANNER = re.compile(r'<div class="govuk-notification-banner"[^>]*>.*?</div>\s*</div>', re.S)


def banner(html: str) -> str:
    found = [b for b in BANNER.findall(html) if "Emails not sent" in b]
    return " ".join(re.sub(r"<[^>]+>", " ", found[0]).split()) if found else ""


def test_failed_emails_show_a_banner_and_can_be_resent_one_or_all(
    app: Flask, world: World, settings: Settings, as_admin: PortalClient, mailbox: Mailbox
) -> None:
    first = written("a", council_id=world.council.id)
    second = written("b", council_id=world.council.id)
    assert banner(as_admin.get("/admin/emails").get_data(as_text=True)) == ""
    fail_for_good(app, settings)
    assert statuses() == [EmailStatus.FAILED] * 2
    for url in ("/council/", "/admin/emails", "/admin/users"):
        shown = banner(as_admin.get(url).get_data(as_text=True))
        assert (
            "2 emails could not be sent and will not be tried again until you resend them" in shown
        )
    assert 'href="/admin/emails?status=failed"' in as_admin.get("/council/").get_data(as_text=True)
    assert "Resend all 2 failed emails" in as_admin.get("/admin/emails").get_data(as_text=True)
    # Contract managers are not told: it is not theirs to resend.
    manager = sign_in_as(app, world.manager)
    assert banner(manager.get("/council/").get_data(as_text=True)) == ""

    # A resend without its CSRF token changes nothing.
    as_admin.post(f"/admin/emails/{first.id}/resend")
    assert statuses() == [EmailStatus.FAILED] * 2
    # One, from its page.
    page = text_after_redirect(
        as_admin,
        as_admin.submit(f"/admin/emails/{first.id}/resend", form_page=f"/admin/emails/{first.id}"),
    )
    assert "The email to sam@acme.example is being sent again" in page
    assert "1 email could not be sent and will not be tried again until you resend it" in banner(
        page
    )
    db.session.refresh(first)
    assert first.status is EmailStatus.PENDING and first.attempts == 0
    work_once()
    assert [m["Subject"] for m in mailbox.messages] == ["Hello a"]
    # Then all that are left.
    page = text_after_redirect(
        as_admin, as_admin.submit("/admin/emails/resend-failed", form_page="/admin/emails")
    )
    assert "1 failed email is being sent again" in page
    work_once()
    assert sorted(m["Subject"] for m in mailbox.messages) == ["Hello a", "Hello b"]
    assert banner(as_admin.get("/council/").get_data(as_text=True)) == ""
    resent = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "resent")).all()
    assert sorted((e.object_type, e.object_id, e.actor_id) for e in resent) == [
        ("email", first.id, world.admin.id),
        ("email", second.id, world.admin.id),
    ]


def test_another_councils_failed_email_is_not_theirs_to_see_or_resend(
    app: Flask, world: World, settings: Settings, as_admin: PortalClient
) -> None:
    theirs = written("theirs", council_id=world.other_council.id)
    fail_for_good(app, settings)
    assert banner(as_admin.get("/council/").get_data(as_text=True)) == ""
    token = as_admin.csrf_token("/admin/emails")
    assert (
        as_admin.post(f"/admin/emails/{theirs.id}/resend", data={"csrf_token": token}).status_code
        == 404
    )
    as_admin.post("/admin/emails/resend-failed", data={"csrf_token": token})
    assert statuses() == [EmailStatus.FAILED]
    other_admin = factories.user(
        Role.ADMINISTRATOR, world.other_council, email="a@southmere.example"
    )
    commit()
    shown = banner(sign_in_as(app, other_admin).get("/admin/emails").get_data(as_text=True))
    assert "1 email could not be sent" in shown


def test_the_jobs_print_failed_emails_and_exit_non_zero_until_resent(
    app: Flask, world: World, settings: Settings, mailbox: Mailbox
) -> None:
    message = written("k", recipient="sam@acme.example")
    fail_for_good(app, settings)
    runner = app.test_cli_runner()
    for args in (["outbox", "work", "--once"], ["reminders", "send"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1, (args, result.output)
        assert "1 email failed for good" in result.output
        assert f"email {message.id} to sam@acme.example" in result.output
        assert "Connection refused" in result.output
    outbox.resend(outbox.failed())  # the CLI ended the session that loaded `message`
    commit()
    for args in (["outbox", "work", "--once"], ["reminders", "send"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, (args, result.output)
        assert "failed for good" not in result.output
    assert [m["Subject"] for m in mailbox.messages].count("Hello k") == 1


def test_a_run_reports_only_the_emails_it_wrote(app: Flask, world: World) -> None:
    """Another run writes the same emails between this run's check and its insert: this run
    must not claim them."""
    now = datetime.now(UTC)
    others: list[reminders.Summary] = []
    real_existing_keys = outbox.existing_keys

    def another_run_gets_there_first(keys: list[str]) -> set[str]:
        found = real_existing_keys(keys)
        if others:  # the other run's own check
            return found

        def other() -> None:
            with app.app_context():
                others.append(reminders.send(now, deliver=False))
                db.session.remove()

        others.append(reminders.Summary())  # a marker: the next call is the other run's
        thread = threading.Thread(target=other)
        thread.start()
        thread.join(timeout=60)
        return found

    due = len(reminders.send(now, dry_run=True).planned)
    assert due
    db.session.rollback()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outbox, "existing_keys", another_run_gets_there_first)
        mine = reminders.send(now, deliver=False)
    _, theirs = others
    assert sum(theirs.written.values()) == due
    assert sum(mine.written.values()) == 0
    assert "New emails: none" in mine.lines()
