"""The reminder job through a whole quarter with a frozen clock, against a real SMTP server:
which emails arrive on which day, to whom, exactly once, however the job is run."""

from __future__ import annotations

import threading
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from portal.data import commit, flags, returns, users
from portal.data.base import utcnow
from portal.data.models import Flag, OutboxMessage
from portal.data.types import EmailStatus, FlagKind, Role
from portal.extensions import db
from portal.jobs import reminders
from portal.notifications import delivery
from tests import factories
from tests.conftest import World
from tests.support import Mailbox

LONDON = ZoneInfo("Europe/London")
DUE = date(2025, 7, 30)  # NCC-001's Q1 2025/26 return
WALK = [DUE + timedelta(days=offset) for offset in range(-20, 31)]
EXPECTED = {  # day -> (recipient, subject fragment)
    date(2025, 7, 16): ("sam@acme.example", "is due on 30 July 2025"),
    date(2025, 7, 27): ("sam@acme.example", "is due on 30 July 2025"),
    date(2025, 7, 30): ("sam@acme.example", "is due on 30 July 2025"),
    date(2025, 7, 31): ("sam@acme.example", "is overdue"),
    date(2025, 8, 6): ("cm@northmoor.example", "from Acme Grounds Ltd is overdue"),
    date(2025, 8, 13): ("cm@northmoor.example", "from Acme Grounds Ltd is overdue"),
    date(2025, 8, 20): ("cm@northmoor.example", "from Acme Grounds Ltd is overdue"),
    date(2025, 8, 27): ("cm@northmoor.example", "from Acme Grounds Ltd is overdue"),
}


def at_nine(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=LONDON)


def about_ncc001_q1(mailbox: Mailbox) -> list[tuple[str, str]]:
    return [
        (m["To"], m["Subject"])
        for m in mailbox.messages
        if m["Subject"].startswith("NCC-001:") and "Q1 2025/26" in m["Subject"]
    ]


def walk(mailbox: Mailbox, run) -> dict[date, list[tuple[str, str]]]:  # noqa: ANN001
    arrived: dict[date, list[tuple[str, str]]] = defaultdict(list)
    for day in WALK:
        before = len(about_ncc001_q1(mailbox))
        run(day)
        arrived[day] = about_ncc001_q1(mailbox)[before:]
    return arrived


def assert_schedule(arrived: dict[date, list[tuple[str, str]]]) -> None:
    for day in WALK:
        got = arrived[day]
        if day in EXPECTED:
            recipient, fragment = EXPECTED[day]
            assert len(got) == 1, (day, got)
            assert got[0][0] == recipient and fragment in got[0][1], (day, got)
        else:
            assert got == [], (day, got)


def test_a_quarter_of_reminders_day_by_day(app: Flask, world: World, mailbox: Mailbox) -> None:
    arrived = walk(mailbox, lambda day: reminders.send(at_nine(day)))
    assert_schedule(arrived)
    # Running again on any day sends nothing more.
    reminders.send(at_nine(date(2025, 8, 27)))
    assert len(about_ncc001_q1(mailbox)) == len(EXPECTED)
    bodies = [Mailbox.body(m) for m in mailbox.messages if m["To"] == "sam@acme.example"]
    assert any(f"/supplier/contracts/{world.contract.id}#calendar" in body for body in bodies)


def test_several_runs_a_day_send_each_email_once(
    app: Flask, world: World, mailbox: Mailbox
) -> None:
    arrived = walk(
        mailbox, lambda day: [reminders.send(at_nine(day) + timedelta(hours=h)) for h in (0, 3, 8)]
    )
    assert_schedule(arrived)


def test_two_runs_at_the_same_moment_send_each_email_once(
    app: Flask, world: World, mailbox: Mailbox
) -> None:
    failures: list[BaseException] = []

    def concurrently(day: date) -> None:
        def one_run() -> None:
            try:
                with app.app_context():
                    reminders.send(at_nine(day))
            except BaseException as error:  # noqa: BLE001 (reported below)
                failures.append(error)

        threads = [threading.Thread(target=one_run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        db.session.remove()

    arrived = walk(mailbox, concurrently)
    assert failures == []
    assert_schedule(arrived)


def test_submitting_stops_the_reminders(app: Flask, world: World, mailbox: Mailbox) -> None:
    def run(day: date) -> None:
        if day == date(2025, 7, 28):  # the supplier submits two days early
            factories.submitted_return(world.contract, world.supplier_user)
            commit()
        reminders.send(at_nine(day))

    arrived = walk(mailbox, run)
    sent_days = sorted(day for day, got in arrived.items() if got)
    assert sent_days == [date(2025, 7, 16), date(2025, 7, 27)]


def test_a_run_killed_after_writing_the_outbox_is_finished_by_the_next(
    app: Flask, world: World, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = at_nine(date(2025, 8, 6))  # the overdue notice is late; the escalation is due

    def killed() -> None:
        raise SystemExit("killed")

    with monkeypatch.context() as patch:
        patch.setattr(delivery, "deliver", killed)
        with pytest.raises(SystemExit):
            reminders.send(day)
    db.session.remove()
    written = db.session.scalars(select(OutboxMessage)).all()
    assert written and all(m.status is EmailStatus.PENDING for m in written)
    assert mailbox.messages == []
    summary = reminders.send(day)
    assert summary.delivered == len(written) and summary.failed == 0
    assert len(mailbox.messages) == len(written)
    reminders.send(day)
    assert len(mailbox.messages) == len(written)  # nothing twice


def test_a_run_killed_while_delivering_is_finished_without_duplicates(
    app: Flask, world: World, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.notifications.transports import SmtpTransport

    real_send = SmtpTransport.send
    calls = {"n": 0}

    def dies_on_the_second(self, message):  # noqa: ANN001, ANN202
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("killed while delivering")
        return real_send(self, message)

    day = at_nine(date(2025, 8, 6))
    with monkeypatch.context() as patch:
        patch.setattr(SmtpTransport, "send", dies_on_the_second)
        with pytest.raises(KeyboardInterrupt):
            reminders.send(day)
    db.session.remove()
    assert len(mailbox.messages) == 1
    reminders.send(day)
    keys = db.session.scalars(select(OutboxMessage.key)).all()
    assert len(mailbox.messages) == len(keys)  # every email, each once
    assert all(m.status is EmailStatus.SENT for m in db.session.scalars(select(OutboxMessage)))


def test_dry_run_changes_nothing(app: Flask, world: World, mailbox: Mailbox) -> None:
    result = app.test_cli_runner().invoke(
        args=["reminders", "send", "--as-of", "2025-08-06", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "would send escalation to cm@northmoor.example" in result.output
    assert db.session.scalars(select(OutboxMessage)).all() == []
    assert mailbox.messages == []


def test_a_supplier_with_nobody_to_write_to_raises_a_flag(
    app: Flask, world: World, mailbox: Mailbox
) -> None:
    users.deactivate(world.supplier_user, by=world.admin)
    commit()
    reminders.send(at_nine(date(2025, 7, 16)))
    [flag] = db.session.scalars(
        select(Flag).where(
            Flag.kind == FlagKind.NO_SUPPLIER_USERS, Flag.contract_id == world.contract.id
        )
    )
    assert "has nobody who can sign in" in flag.summary
    assert about_ncc001_q1(mailbox) == []
    users.reactivate(world.supplier_user, by=world.admin)
    commit()
    reminders.send(at_nine(date(2025, 7, 17)))
    db.session.refresh(flag)
    assert flag.status.value == "resolved"
    assert len(about_ncc001_q1(mailbox)) == 1  # the 14-day reminder, a day late


def test_failures_are_kept_retried_and_make_the_command_fail(
    app: Flask, world: World, mailbox: Mailbox, settings
) -> None:  # noqa: ANN001
    from dataclasses import replace

    from tests.support import free_port

    app.config["SETTINGS"] = replace(settings, smtp_port=free_port())
    try:
        result = app.test_cli_runner().invoke(args=["reminders", "send", "--as-of", "2025-07-16"])
    finally:
        app.config["SETTINGS"] = settings
    assert result.exit_code == 1 and "Failed: " in result.output
    failed = db.session.scalars(select(OutboxMessage)).all()
    assert failed and all(m.last_error and m.next_attempt_at for m in failed)
    for message in failed:  # a minute later: each is due again
        message.next_attempt_at = utcnow() - timedelta(seconds=1)
    commit()
    retried = app.test_cli_runner().invoke(args=["reminders", "send", "--as-of", "2025-07-16"])
    assert retried.exit_code == 0
    assert len(mailbox.messages) == len(failed)
    assert flags  # (imported for the flag test above)


def test_the_nudge_names_whoever_asked_for_changes(
    app: Flask, world: World, mailbox: Mailbox
) -> None:
    from portal.domain.reviews import LineDecision, LineReview

    ret = factories.submitted_return(world.contract, world.supplier_user)
    decisions = [LineDecision(line.id, LineReview.QUERIED, "Explain") for line in ret.lines]
    returns.review(ret, decisions, by=world.other_manager, expected_version=ret.version)
    commit()
    reminders.send(datetime.now(LONDON) + timedelta(days=8))
    [nudge] = [m for m in mailbox.to("sam@acme.example") if "still needed" in m["Subject"]]
    council = app.config["SETTINGS"].council_name
    body = Mailbox.body(nudge)
    assert f"{world.other_manager.full_name} at {council} asked for changes" in body
    assert world.manager.full_name not in body


def escalation_body(mailbox: Mailbox) -> str:
    """NCC-001's Q1 escalation, with its lines joined as one line."""
    [escalation] = [
        m
        for m in mailbox.to("cm@northmoor.example")
        if m["Subject"] == "NCC-001: the Q1 2025/26 return from Acme Grounds Ltd is overdue"
    ]
    return " ".join(Mailbox.body(escalation).split())


def test_an_escalation_lists_the_reminders_sent_before_it(
    app: Flask, world: World, mailbox: Mailbox, settings
) -> None:  # noqa: ANN001
    from dataclasses import replace

    from portal.template_helpers import format_date
    from tests.support import free_port

    nowhere = replace(settings, smtp_port=free_port())
    for day, run_settings in [
        (date(2025, 7, 16), settings),
        (date(2025, 7, 27), settings),
        (date(2025, 7, 30), replace(nowhere, mail_max_attempts=1)),  # fails for good
        (date(2025, 7, 31), nowhere),  # fails once, waits for the next run
    ]:
        app.config["SETTINGS"] = run_settings
        try:
            reminders.send(at_nine(day))
        finally:
            app.config["SETTINGS"] = settings
    mailbox.clear()
    reminders.send(at_nine(date(2025, 8, 6)))
    body = escalation_body(mailbox)

    def outbox(stage: str) -> OutboxMessage:
        key = f"{world.contract.id}:2025-1:{stage}:{world.supplier_user.id}"
        message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key.endswith(key)))
        assert message is not None
        return message

    sam = f"{world.supplier_user.full_name} (sam@acme.example)"
    assert "Reminders and overdue notices sent to Acme Grounds Ltd about this return:" in body
    for line in [
        f"- Reminder 14 days before the due date to {sam}: delivered on "
        f"{format_date(outbox('before-14').sent_at)}",
        f"- Reminder 3 days before the due date to {sam}: delivered on "
        f"{format_date(outbox('before-3').sent_at)}",
        f"- Reminder on the due date to {sam}: written on "
        f"{format_date(outbox('due-day').created_at)}, and could not be delivered (1 attempt)",
        f"- Overdue notice to {sam}: written on {format_date(outbox('overdue').created_at)}, "
        "not delivered yet (1 attempt so far): it will be tried again",
    ]:
        assert line in body, line
    assert "It was due on 30 July 2025, 7 days ago." in body
    assert "reminded" not in body and "can sign in" not in body


def test_an_escalation_says_when_nobody_could_be_reminded(
    app: Flask, world: World, mailbox: Mailbox
) -> None:
    users.deactivate(world.supplier_user, by=world.admin)
    commit()
    reminders.send(at_nine(date(2025, 8, 6)))
    body = escalation_body(mailbox)
    assert (
        "Nobody at Acme Grounds Ltd can sign in to Social value tracker, so no reminder or "
        "overdue notice could be sent. Invite someone from the supplier."
    ) in body
    assert "reminded" not in body and "notices sent to" not in body


def test_escalations_read_the_outbox_in_the_same_queries_however_many(
    app: Flask, world: World, mailbox: Mailbox
) -> None:
    from sqlalchemy import event

    def run_counting_outbox_reads(day: date) -> tuple[int, int]:
        """(escalations written, SELECTs on the outbox) for a run on this day."""
        reads: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
            # Delivery fetches each message it claims by its id: one per email, as it must.
            if (
                statement.lstrip().startswith("SELECT")
                and "outbox_messages" in statement
                and "WHERE outbox_messages.id =" not in statement
            ):
                reads.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            summary = reminders.send(at_nine(day))
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return summary.written["escalation"], len(reads)

    for day in (date(2025, 7, 16), date(2025, 7, 31)):
        reminders.send(at_nine(day))
    few = run_counting_outbox_reads(date(2025, 8, 6))  # NCC-001, NCC-002, SBC-001: 2 suppliers
    for n in range(3):
        supplier = factories.supplier(f"Extra {n} Ltd")
        factories.user(Role.SUPPLIER_USER, supplier, email=f"extra{n}@example.org")
        factories.contract(world.council, supplier, world.manager, reference=f"NCC-10{n}")
    commit()
    for day in (date(2025, 7, 16), date(2025, 7, 31)):
        reminders.send(at_nine(day))
    many = run_counting_outbox_reads(date(2025, 8, 13))  # the same and 3 more: 5 suppliers
    assert (few[0], many[0]) == (3, 6)
    assert many[1] == few[1]


def test_an_overdue_notice_promises_an_escalation_only_to_someone_who_will_get_it(
    app: Flask, world: World, mailbox: Mailbox
) -> None:
    def overdue_notice() -> str:
        [notice] = [m for m in mailbox.to("sam@acme.example") if "NCC-001" in m["Subject"]]
        return Mailbox.body(notice)

    reminders.send(at_nine(date(2025, 7, 31)))
    assert f"{world.manager.full_name} at Northmoor City Council will be told" in overdue_notice()
    users.deactivate(world.manager, by=world.admin)
    commit()
    mailbox.clear()
    reminders.send(at_nine(date(2025, 10, 31)))  # Q2's notice; nobody will get its escalations
    assert "will be told" not in overdue_notice()
    reminders.send(at_nine(date(2025, 11, 6)))
    assert mailbox.to("cm@northmoor.example") == []
