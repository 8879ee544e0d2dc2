"""Administrators read the emails in the outbox: their own council's only, with the secret of
every single-use link hidden."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from markupsafe import escape
from sqlalchemy import select

from portal.auth import invitations
from portal.data import outbox
from portal.data.models import OutboxMessage
from portal.data.types import EmailKind, Role
from portal.extensions import db
from portal.jobs import reminders
from portal.jobs.outbox import work_once
from portal.notifications.links import masked
from tests import factories
from tests.conftest import World, sign_in_as
from tests.integration.test_contracts import queries_for
from tests.support import Mailbox, PortalClient


def written_to(recipient: str, subject_starts: str = "") -> OutboxMessage:
    query = select(OutboxMessage).where(
        OutboxMessage.recipient == recipient, OutboxMessage.subject.startswith(subject_starts)
    )
    [message] = db.session.scalars(query)
    return message


def test_an_email_reads_as_written_with_its_single_use_link_masked(
    as_admin: PortalClient, client: PortalClient, world: World, mailbox: Mailbox
) -> None:
    as_admin.submit(
        "/admin/users/invite",
        {
            "full_name": "Nia Jones",
            "email": "nia@acme.example",
            "role": "supplier_user",
            "organisation": str(world.other_supplier.id),
        },
    )
    client.submit("/forgot-password", {"email": "cm@northmoor.example"})
    work_once()  # the delivery worker writes and sends the reset email
    for recipient, route in (
        ("nia@acme.example", "/invitations/"),
        ("cm@northmoor.example", "/reset-password/"),
    ):
        [sent] = mailbox.delivered().to(recipient)
        link = mailbox.link_in(sent)
        token = link.rsplit("/", 1)[1]
        message = written_to(recipient)
        assert link in message.body  # the outbox keeps the email as it was sent

        listing = as_admin.get("/admin/emails").get_data(as_text=True)
        assert f'href="/admin/emails/{message.id}"' in listing
        html = as_admin.get(f"/admin/emails/{message.id}").get_data(as_text=True)
        assert token not in html
        assert f"http://localhost{route}••••••••" in html
        # The rest as written (escaped once: the page check refuses markup shown as text).
        first_line = message.body.splitlines()[0]
        for shown in (message.subject, recipient, message.kind.label, "Sent", first_line):
            assert str(escape(shown)) in html


def test_masking_covers_every_token_route_and_nothing_else(app: Flask) -> None:
    text = (
        "Accept: http://x/invitations/AbC-_123\n"
        "Reset: https://x/reset-password/zZ9\n"
        "Return: http://x/supplier/returns/12 and /invitations/ alone"
    )
    assert masked(text) == (
        "Accept: http://x/invitations/••••••••\n"
        "Reset: https://x/reset-password/••••••••\n"
        "Return: http://x/supplier/returns/12 and /invitations/ alone"
    )


def test_an_administrator_reads_only_their_own_councils_emails(
    app: Flask, client: PortalClient, world: World
) -> None:
    # 14 days before the first quarter's returns are due, each council reminds the supplier it
    # shares (Acme has a contract with both) about its own contract.
    reminders.send(datetime(2025, 7, 16, 8, tzinfo=UTC))
    ours = written_to("sam@acme.example", "NCC-001")
    theirs = written_to("sam@acme.example", "SBC-001")
    # A supplier user's password reset is no one council's; a council manager's is theirs.
    client.submit("/forgot-password", {"email": "sam@acme.example"})
    client.submit("/forgot-password", {"email": "cm@southmere.example"})
    work_once()
    supplier_reset = written_to("sam@acme.example", "Reset")
    their_reset = written_to("cm@southmere.example", "Reset")
    # An invitation is its inviter's council's, even to a supplier both councils work with
    # (sent before such a supplier's users became read-only to both councils).
    invitations.invite(
        email="ola@acme.example",
        full_name="Ola Nowak",
        role=Role.SUPPLIER_USER,
        organisation=world.supplier,
        invited_by=world.other_council_manager,
    )
    db.session.commit()
    their_invitation = written_to("ola@acme.example")

    their_admin = factories.user(
        Role.ADMINISTRATOR, world.other_council, email="a@southmere.example"
    )
    db.session.commit()
    for admin, readable, hidden in (
        (world.admin, [ours, supplier_reset], [theirs, their_reset, their_invitation]),
        (their_admin, [theirs, supplier_reset, their_reset, their_invitation], [ours]),
    ):
        reader = sign_in_as(app, admin)
        for message in readable:
            assert reader.get(f"/admin/emails/{message.id}").status_code == 200
        for message in hidden:
            assert reader.get(f"/admin/emails/{message.id}").status_code == 404
        listing = reader.get("/admin/emails?recipient=&page=1").get_data(as_text=True)
        assert all(f'/admin/emails/{m.id}"' in listing for m in readable)
        assert not any(f'/admin/emails/{m.id}"' in listing for m in hidden)

    for someone in (world.manager, world.supplier_user):
        assert sign_in_as(app, someone).get(f"/admin/emails/{ours.id}").status_code == 403


def test_the_emails_list_makes_the_same_queries_however_many_emails_there_are(
    as_admin: PortalClient, world: World
) -> None:
    def write(count: int, start: int) -> None:
        for number in range(start, start + count):
            outbox.enqueue(
                key=f"test:{number}",
                kind=EmailKind.RETURN_REMINDER,
                recipient=world.supplier_user.email,
                subject=f"NCC-001: reminder {number}",
                body="Due soon",
                user_id=world.supplier_user.id,
                council_id=world.council.id if number % 2 else None,
            )
        db.session.commit()

    write(2, 0)
    few = queries_for(as_admin, "/admin/emails")
    write(60, 2)
    assert queries_for(as_admin, "/admin/emails") == few


def test_every_email_about_a_contract_is_its_councils_alone(
    app: Flask, world: World, mailbox: Mailbox
) -> None:
    """A recovery plan's emails, a reopened return's and the review emails concern one council's
    contract: another council's administrator must not read them, though the supplier is
    shared (Acme has a contract with both councils)."""
    from datetime import date

    from portal.data import commit, flags
    from portal.domain.recovery import Answer
    from portal.workflows import compliance
    from portal.workflows import recovery as plan

    compliance.refresh_contract(world.contract.id, date(2025, 12, 1))
    commit()
    [flag, *_] = flags.for_contract(world.contract.id)
    plan.add_action(
        flag,
        action="Recruit two local starters",
        owner="Site manager",
        due_on=date(2026, 6, 1),
        by=world.supplier_user,
        expected_version=flag.plan_version,
    )
    plan.answer(
        flag, Answer.ACCEPT, comment="", by=world.manager, expected_version=flag.plan_version
    )
    written = list(db.session.scalars(select(OutboxMessage)))
    assert {m.kind for m in written} >= {
        EmailKind.RECOVERY_PLAN_SENT,
        EmailKind.RECOVERY_PLAN_ACCEPTED,
    }
    assert {m.council_id for m in written} == {world.council.id}
    their_admin = factories.user(Role.ADMINISTRATOR, world.other_council)
    db.session.commit()
    reader = sign_in_as(app, their_admin)
    for message in written:
        assert reader.get(f"/admin/emails/{message.id}").status_code == 404
