"""Recovery plans as a conversation, through the web client: the supplier writes and keeps the
plan up to date, the council accepts it or asks for a better one, each side is emailed when a
person would expect it, the flag page shows the whole thread, and an accepted plan's action
past its date raises its flag a step (once) and reaches the contract manager's digest."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from email.message import Message
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import event, select
from werkzeug.test import TestResponse

from portal import calendar
from portal.data import commit, flags, recovery
from portal.data.models import AuditEvent, Flag, OutboxMessage
from portal.data.types import EmailKind, FlagKind, FlagSeverity, FlagStatus, PlanStatus, Role
from portal.domain.recovery import Answer, should_escalate
from portal.extensions import db
from portal.jobs import reminders
from portal.workflows import compliance
from tests import factories
from tests.conftest import World, sign_in_as
from tests.integration.test_compliance import AS_OF, accepted_return
from tests.support import Mailbox, PortalClient

LONDON = ZoneInfo("Europe/London")
TODAY = calendar.today()
SOON = TODAY + timedelta(days=30)
LATER = TODAY + timedelta(days=60)


def boxes(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def supplier_page(client: PortalClient, flag: Flag) -> str:
    return client.get(f"/supplier/flags/{flag.id}").get_data(as_text=True)


def council_page(client: PortalClient, flag: Flag) -> str:
    return client.get(f"/council/flags/{flag.id}").get_data(as_text=True)


def fresh(flag: Flag) -> Flag:
    db.session.expire_all()
    found = db.session.get(Flag, flag.id)
    assert found is not None
    return found


def add_action(
    client: PortalClient, flag: Flag, action: str, owner: str, due_on: date, **extra: object
) -> TestResponse:
    data = {
        "action": action,
        "owner": owner,
        "due_on": boxes(due_on),
        "version": fresh(flag).plan_version,
    }
    return client.submit(f"/supplier/flags/{flag.id}", data | extra, follow_redirects=True)


def answer(
    client: PortalClient, flag: Flag, button: str, comment: str = "", **extra: object
) -> TestResponse:
    data = {button: "x", "comment": comment, "version": fresh(flag).plan_version}
    return client.submit(
        f"/council/flags/{flag.id}/plan",
        data | extra,
        form_page=f"/council/flags/{flag.id}",
        follow_redirects=True,
    )


def emails_of(kind: EmailKind) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def subject(email: Message) -> str:
    """The subject as written (a long one arrives folded over two lines)."""
    return " ".join(str(email["Subject"]).split())


def text_of(html: str) -> str:
    """The page's words, tags and extra spaces removed, for sentences that span elements."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# The conversation


def test_the_supplier_writes_a_plan_and_the_manager_is_told_once_per_round(
    world: World, flag: Flag, as_supplier: PortalClient, mailbox: Mailbox
) -> None:
    page = add_action(as_supplier, flag, "Send the payroll extract", "Payroll lead", SOON)
    html = page.get_data(as_text=True)
    assert "Added to your recovery plan. Your plan is waiting for the council" in html
    assert "Waiting for the council" in html
    written = fresh(flag)
    assert written.status is FlagStatus.ACKNOWLEDGED
    assert written.plan_status is PlanStatus.WAITING
    [email] = mailbox.delivered().to("cm@northmoor.example")
    assert subject(email) == "NCC-001: Acme Grounds Ltd wrote a recovery plan"
    body = mailbox.body(email)
    assert "Acme Grounds Ltd has written a recovery plan for this flag on NCC-001" in body
    assert "The plan has 1 action. It is waiting for you to accept it" in body
    assert f"http://localhost/council/flags/{flag.id}" in body

    # A second action while the plan still waits is in the same answer: no second email.
    add_action(as_supplier, flag, "Check the extract with HR", "HR manager", LATER)
    assert len(mailbox.delivered().to("cm@northmoor.example")) == 1
    assert [m.key for m in emails_of(EmailKind.RECOVERY_PLAN_SENT)] == [
        f"recovery_plan_sent:{flag.id}:1:{world.manager.id}"  # the plan's first version
    ]
    assert [a.action for a in fresh(flag).actions] == [
        "Send the payroll extract",
        "Check the extract with HR",
    ]


def test_the_manager_asks_for_more_then_accepts_and_the_supplier_is_told_each_time(
    world: World,
    flag: Flag,
    as_supplier: PortalClient,
    as_manager: PortalClient,
    mailbox: Mailbox,
) -> None:
    factories.user(Role.SUPPLIER_USER, world.supplier, email="kim@acme.example")
    invited = factories.user(Role.SUPPLIER_USER, world.supplier, email="new@acme.example")
    invited.password_hash = None  # has not accepted the invitation: nobody to write to yet
    commit()
    add_action(as_supplier, flag, "Send the payroll extract", "Payroll lead", SOON)
    council = council_page(as_manager, flag)
    assert "It is waiting for the council to accept it or ask for changes." in council
    assert "Accept the plan" in council and "Ask for changes" in council

    # Asking for changes needs words: the error keeps the page as it was, nothing is saved.
    refused = answer(as_manager, flag, "ask", "   ")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "Enter what the plan needs" in html
    assert 'href="#comment"' in html  # the error summary leads to the box
    assert fresh(flag).plan_status is PlanStatus.WAITING
    mailbox.delivered().clear()

    asked = answer(as_manager, flag, "ask", "Say when the new starters' records will come")
    assert "Changes asked for. We are emailing Person" in asked.get_data(as_text=True)
    assert fresh(flag).plan_status is PlanStatus.CHANGES_ASKED
    told = sorted(m["To"] for m in mailbox.delivered().messages)
    assert told == ["kim@acme.example", "sam@acme.example"]  # not the one still invited
    email = mailbox.delivered().to("sam@acme.example")[0]
    assert subject(email) == (
        "NCC-001: Northmoor City Council asked for changes to your recovery plan"
    )
    assert "What the plan needs: Say when the new starters' records will come" in mailbox.body(
        email
    )
    supplier = supplier_page(as_supplier, flag)
    assert "Changes asked for" in supplier
    assert f"{world.manager.full_name} asked for changes on" in supplier
    assert "Say when the new starters&#39; records will come" in supplier
    # It is the supplier's turn: the council has nothing to answer.
    assert "Answer the recovery plan" not in council_page(as_manager, flag)

    mailbox.delivered().clear()
    add_action(as_supplier, flag, "Send the new starters' records", "HR manager", LATER)
    [changed] = mailbox.delivered().to("cm@northmoor.example")
    assert subject(changed) == "NCC-001: Acme Grounds Ltd changed its recovery plan"
    assert "has changed its recovery plan, as you asked" in mailbox.body(changed)

    mailbox.delivered().clear()
    accepted = answer(as_manager, flag, "accept", "Thank you")
    assert "Recovery plan accepted. We are emailing" in accepted.get_data(as_text=True)
    assert fresh(flag).plan_status is PlanStatus.ACCEPTED
    email = mailbox.delivered().to("sam@acme.example")[0]
    assert subject(email) == "NCC-001: your recovery plan was accepted"
    assert f"{world.manager.full_name} said: Thank you" in mailbox.body(email)
    supplier = text_of(supplier_page(as_supplier, flag))
    assert f"{world.manager.full_name} accepted it on" in supplier
    assert "If you change an action or add one, the plan goes back to the council" in supplier
    # An accepted plan can still be sent back, not accepted twice.
    council = council_page(as_manager, flag)
    assert "Ask for changes" in council and "Accept the plan" not in council


def test_changing_an_accepted_plan_sends_it_back_to_the_council_and_says_so(
    world: World,
    flag: Flag,
    as_supplier: PortalClient,
    as_manager: PortalClient,
    mailbox: Mailbox,
) -> None:
    add_action(as_supplier, flag, "Send the payroll extract", "Payroll lead", SOON)
    answer(as_manager, flag, "accept")
    step = fresh(flag).actions[0]
    change_url = f"/supplier/flags/{flag.id}/actions/{step.id}"
    form = as_supplier.get(change_url).get_data(as_text=True)
    assert "has accepted this plan. If you change this action, the plan goes back" in form
    mailbox.delivered().clear()
    changed = as_supplier.submit(
        change_url,
        {
            "action": "Send the payroll extract for both months",
            "owner": "Payroll lead",
            "due_on": boxes(LATER),
            "version": fresh(flag).plan_version,
        },
        follow_redirects=True,
    )
    assert (
        "Action changed. Northmoor City Council had accepted your plan, so it is waiting for "
        "the council to accept it again" in changed.get_data(as_text=True)
    )
    after = fresh(flag)
    assert after.plan_status is PlanStatus.WAITING
    assert (after.actions[0].action, after.actions[0].due_on) == (
        "Send the payroll extract for both months",
        LATER,
    )
    [email] = mailbox.delivered().to("cm@northmoor.example")
    assert "has changed the recovery plan you accepted" in mailbox.body(email)
    thread = text_of(council_page(as_manager, flag))
    assert "The council had accepted the plan: it is waiting for the council again." in thread

    # The same words again change nothing: no new version, no email.
    mailbox.delivered().clear()
    version = fresh(flag).plan_version
    same = as_supplier.submit(
        change_url,
        {
            "action": "Send the payroll extract for both months",
            "owner": "Payroll lead",
            "due_on": boxes(LATER),
            "version": version,
        },
        follow_redirects=True,
    )
    assert "Nothing was changed" in same.get_data(as_text=True)
    assert fresh(flag).plan_version == version and mailbox.delivered().messages == []


def test_marking_an_action_done_is_progress_not_a_change(
    world: World,
    flag: Flag,
    as_supplier: PortalClient,
    as_manager: PortalClient,
    mailbox: Mailbox,
) -> None:
    add_action(as_supplier, flag, "Send the payroll extract", "Payroll lead", SOON)
    answer(as_manager, flag, "accept")
    step = fresh(flag).actions[0]
    done_url = f"/supplier/flags/{flag.id}/actions/{step.id}/done"
    version = fresh(flag).plan_version

    empty = as_supplier.submit(done_url, {"done_on": ["", "", ""], "version": version})
    assert "Enter the date the action was done" in empty.get_data(as_text=True)
    tomorrow = TODAY + timedelta(days=1)
    future = as_supplier.submit(done_url, {"done_on": boxes(tomorrow), "version": version})
    html = future.get_data(as_text=True)
    assert "Date the action was done must be today or in the past" in html
    assert f'value="{tomorrow.day}"' in html and f'value="{tomorrow.year}"' in html  # kept
    assert fresh(flag).actions[0].done_on is None

    mailbox.delivered().clear()
    yesterday = TODAY - timedelta(days=1)
    done = as_supplier.submit(
        done_url, {"done_on": boxes(yesterday), "version": version}, follow_redirects=True
    )
    assert "Action marked as done" in done.get_data(as_text=True)
    after = fresh(flag)
    assert after.actions[0].done_on == yesterday
    assert after.plan_status is PlanStatus.ACCEPTED  # still accepted
    assert mailbox.delivered().messages == []  # no email: nothing for the council to answer
    # A done action is settled: no links to change it, and its pages lead back to the flag.
    assert done_url not in supplier_page(as_supplier, flag)
    for url in (done_url, f"/supplier/flags/{flag.id}/actions/{step.id}"):
        assert as_supplier.get(url).headers["Location"] == f"/supplier/flags/{flag.id}"


def test_validation_keeps_what_was_typed_and_saves_nothing(
    world: World, flag: Flag, as_supplier: PortalClient
) -> None:
    add_action(as_supplier, flag, "Send the payroll extract", "Payroll lead", SOON)
    step = fresh(flag).actions[0]
    change_url = f"/supplier/flags/{flag.id}/actions/{step.id}"
    version = fresh(flag).plan_version
    blank = as_supplier.submit(
        change_url,
        {"action": "", "owner": "Finance team", "due_on": boxes(SOON), "version": version},
    )
    html = blank.get_data(as_text=True)
    assert "Enter the action you will take" in html and 'value="Finance team"' in html
    past = as_supplier.submit(
        change_url,
        {
            "action": "Send it",
            "owner": "Payroll lead",
            "due_on": boxes(TODAY - timedelta(days=3)),
            "version": version,
        },
    )
    assert "Date the action will be done by must be today or in the future" in past.get_data(
        as_text=True
    )
    assert fresh(flag).actions[0].action == "Send the payroll extract"
    assert fresh(flag).plan_version == version

    # An action already past its date keeps that date when only its words change.
    fresh(flag).actions[0].due_on = TODAY - timedelta(days=5)
    commit()
    kept = as_supplier.submit(
        change_url,
        {
            "action": "Send the payroll extract today",
            "owner": "Payroll lead",
            "due_on": boxes(TODAY - timedelta(days=5)),
            "version": version,
        },
        follow_redirects=True,
    )
    assert "Action changed" in kept.get_data(as_text=True)
    assert fresh(flag).actions[0].action == "Send the payroll extract today"


def test_two_people_cannot_overwrite_each_other(
    app: Flask, world: World, flag: Flag, as_supplier: PortalClient, as_manager: PortalClient
) -> None:
    colleague = sign_in_as(
        app, factories.user(Role.SUPPLIER_USER, world.supplier, email="kim@acme.example")
    )
    commit()
    stale = fresh(flag).plan_version
    add_action(as_supplier, flag, "Send the payroll extract", "Payroll lead", SOON)
    # Kim opened the page before Sam saved: Kim's action is refused and kept on the form.
    conflict = colleague.submit(
        f"/supplier/flags/{flag.id}",
        {"action": "Phone the agency", "owner": "Kim", "due_on": boxes(SOON), "version": stale},
    )
    html = conflict.get_data(as_text=True)
    assert "Someone else changed this recovery plan after you opened this page" in html
    assert "Phone the agency" in html
    assert [a.action for a in fresh(flag).actions] == ["Send the payroll extract"]
    assert f'name="version" type="hidden" value="{fresh(flag).plan_version}"' in html

    # The manager answers a plan that changed since the page was opened: refused too.
    seen = fresh(flag).plan_version
    add_action(as_supplier, flag, "Check the extract with HR", "HR manager", LATER)
    late = answer(as_manager, flag, "accept", version=seen)
    assert "Someone else changed this recovery plan" in late.get_data(as_text=True)
    assert fresh(flag).plan_status is PlanStatus.WAITING


def test_nobody_reaches_another_organisations_plan(
    app: Flask, world: World, flag: Flag, as_supplier: PortalClient
) -> None:
    add_action(as_supplier, flag, "Send the payroll extract", "Payroll lead", SOON)
    step = fresh(flag).actions[0]
    bolt = sign_in_as(app, world.other_supplier_user)
    for url in (
        f"/supplier/flags/{flag.id}",
        f"/supplier/flags/{flag.id}/actions/{step.id}",
        f"/supplier/flags/{flag.id}/actions/{step.id}/done",
    ):
        assert bolt.get(url).status_code == 404
        token = bolt.csrf_token("/supplier/")
        assert bolt.post(url, data={"csrf_token": token, "version": 1}).status_code == 404
    southmere = sign_in_as(app, world.other_council_manager)
    assert southmere.get(f"/council/flags/{flag.id}").status_code == 404
    token = southmere.csrf_token("/council/")
    posted = southmere.post(
        f"/council/flags/{flag.id}/plan",
        data={"csrf_token": token, "accept": "x", "version": fresh(flag).plan_version},
    )
    assert posted.status_code == 404
    assert fresh(flag).plan_status is PlanStatus.WAITING
    # An action is found only under its own flag.
    other = flags.raise_flag(
        "test:other",
        kind=FlagKind.SHORTFALL,
        severity=FlagSeverity.LOW,
        contract_id=world.contract.id,
        summary="Behind",
    )
    commit()
    assert as_supplier.get(f"/supplier/flags/{other.id}/actions/{step.id}").status_code == 404


def test_a_closed_flag_takes_no_more_changes(
    world: World, flag: Flag, as_supplier: PortalClient, as_manager: PortalClient
) -> None:
    add_action(as_supplier, flag, "Send the payroll extract", "Payroll lead", SOON)
    as_manager.submit(f"/council/flags/{flag.id}", {"reason": "Agreed variation"})
    assert fresh(flag).status is FlagStatus.WAIVED
    page = council_page(as_manager, flag)
    assert "Answer the recovery plan" not in page
    refused = answer(as_manager, flag, "accept")
    assert "This flag is closed, so its recovery plan can no longer change" in refused.get_data(
        as_text=True
    )
    assert fresh(flag).plan_status is PlanStatus.WAITING
    step = fresh(flag).actions[0]
    assert "Add to your recovery plan" not in supplier_page(as_supplier, flag)
    change = as_supplier.get(f"/supplier/flags/{flag.id}/actions/{step.id}")
    assert change.headers["Location"] == f"/supplier/flags/{flag.id}"


def test_the_lists_show_where_each_plan_stands(
    world: World, flag: Flag, as_supplier: PortalClient, as_manager: PortalClient
) -> None:
    flags.raise_flag(
        "test:no-plan",
        kind=FlagKind.SHORTFALL,
        severity=FlagSeverity.LOW,
        contract_id=world.contract.id,
        summary="Older workers hired: behind",
    )
    commit()
    add_action(as_supplier, flag, "Send the payroll extract", "Payroll lead", SOON)
    listed = as_manager.get("/council/flags?manager=").get_data(as_text=True)
    assert "Recovery plan" in listed
    assert "Waiting for the council" in listed and "None yet" in listed
    waiting = as_manager.get("/council/flags?manager=&plan=waiting").get_data(as_text=True)
    assert re.findall(r'href="/council/flags/(\d+)"', waiting) == [str(flag.id)]
    assert '<option value="waiting" selected>' in waiting
    exported = as_manager.get("/council/flags/export.csv?manager=&plan=waiting")
    rows = exported.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert "Recovery plan" in rows[0] and len(rows) == 2 and "Waiting for the council" in rows[1]
    overview = as_supplier.get("/supplier/").get_data(as_text=True)
    assert "Waiting for the council" in overview
    contract = as_manager.get(f"/council/contracts/{world.contract.id}").get_data(as_text=True)
    assert "(recovery plan: waiting for the council)" in contract


# The thread


def test_the_flag_page_shows_the_whole_thread_in_order_with_who_and_when(
    world: World, flag: Flag, as_supplier: PortalClient, as_manager: PortalClient
) -> None:
    add_action(as_supplier, flag, "Send the payroll extract", "Payroll lead", SOON)
    answer(as_manager, flag, "ask", "Add the HR check")
    add_action(as_supplier, flag, "Check the extract with HR", "HR manager", LATER)
    step = fresh(flag).actions[0]
    as_supplier.submit(
        f"/supplier/flags/{flag.id}/actions/{step.id}/done",
        {"done_on": boxes(TODAY), "version": fresh(flag).plan_version},
    )
    answer(as_manager, flag, "accept", "Good")
    sam = f"{world.supplier_user.full_name} (Acme Grounds Ltd)"
    jo = f"{world.manager.full_name} (Northmoor City Council)"
    expected = [
        "The system raised the flag",
        f"{sam} acknowledged the flag",
        f"{sam} added an action",
        f"{jo} asked for changes to the recovery plan",
        f"{sam} added an action",
        f"{sam} marked an action as done",
        f"{jo} accepted the recovery plan",
    ]
    for page in (council_page(as_manager, flag), supplier_page(as_supplier, flag)):
        history = page[page.index('<h2 class="govuk-heading-m">History</h2>') :]
        entries = re.findall(r"<strong>([^<]+)</strong> ([^<]+)</p>", history)
        assert [f"{who} {what}" for who, what in entries] == expected
        words = text_of(history)
        assert "Add the HR check" in words and "Good" in words
        assert f"“Send the payroll extract”, Payroll lead, by {long(SOON)}" in words
        assert f"“Send the payroll extract”, done on {long(TODAY)}" in words
        assert "The plan is waiting for the council." in words
        assert re.search(rf"{long(TODAY)} at \d+:\d\d[ap]m", words)


def test_the_flag_page_makes_the_same_queries_however_long_the_thread(
    world: World, flag: Flag, as_supplier: PortalClient, as_manager: PortalClient
) -> None:
    from tests.integration.test_contracts import queries_for

    pages = [(as_supplier, f"/supplier/flags/{flag.id}"), (as_manager, f"/council/flags/{flag.id}")]
    add_action(as_supplier, flag, "Send the payroll extract", "Payroll lead", SOON)
    answer(as_manager, flag, "ask", "More, please")
    short = [queries_for(client, url) for client, url in pages]
    for number in range(10):
        add_action(as_supplier, flag, f"Action {number}", "Someone", LATER)
    answer(as_manager, flag, "accept")
    assert [queries_for(client, url) for client, url in pages] == short


def long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


# Past its date: escalation and the digest


def accept_plan_due(flag: Flag, world: World, due_on: date, *, done_on: date | None = None) -> None:
    """An accepted plan of one action, written through the data layer so its date may be past."""
    recovery.add_action(
        flag,
        action="Send the payroll extract",
        owner="Payroll lead",
        due_on=due_on,
        by=world.supplier_user,
        expected_version=flag.plan_version,
    )
    flag.actions[-1].done_on = done_on
    recovery.answer(
        flag, Answer.ACCEPT, comment="", by=world.manager, expected_version=flag.plan_version
    )
    commit()


def escalations(flag: Flag) -> list[AuditEvent]:
    return [e for e in recovery.thread(fresh(flag)) if e.action == recovery.ESCALATED]


def test_an_accepted_plan_past_its_date_raises_the_flag_once_and_says_why(
    app: Flask, world: World, flag: Flag, as_manager: PortalClient
) -> None:
    accept_plan_due(flag, world, TODAY - timedelta(days=1))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["compliance", "refresh"])
    assert "1 raised a step for a recovery action past its date" in first.output
    raised = fresh(flag)
    assert (raised.severity, raised.escalated_from, raised.escalated_on) == (
        FlagSeverity.MEDIUM,
        FlagSeverity.LOW,
        TODAY,
    )
    # The reminder job runs the same rule: the flag is not raised again, by either.
    reminders.send(datetime.now(LONDON))
    second = runner.invoke(args=["compliance", "refresh"])
    assert "0 raised a step" in second.output
    assert fresh(flag).severity is FlagSeverity.MEDIUM
    [escalated] = escalations(flag)
    assert escalated.reason == (
        "An action of the accepted recovery plan is past its date: “Send the payroll "
        f"extract” was due by {long(TODAY - timedelta(days=1))}"
    )
    page = text_of(council_page(as_manager, flag))
    assert (
        f"Medium. Raised from low on {long(TODAY)}, because an action of the accepted "
        "recovery plan was past its date" in page
    )
    assert "The system raised the severity from low to medium" in page
    assert "Past its date" in page


def test_the_compliance_refresh_keeps_the_step_the_overdue_action_added(
    app: Flask, world: World
) -> None:
    # Apprenticeship starts are behind (99.8%): a medium shortfall.
    accepted_return(
        world.contract,
        1,
        {"LOCAL_HIRES": Decimal(1), "APPRENTICE_STARTS": Decimal(2), "OLDER_HIRES": Decimal(0)},
        world,
    )
    compliance.refresh([world.contract.id], AS_OF)
    commit()
    shortfall = next(
        f
        for f in flags.for_contract(world.contract.id)
        if f.commitment is not None and f.commitment.measure.code == "APPRENTICE_STARTS"
    )
    assert shortfall.severity is FlagSeverity.MEDIUM
    accept_plan_due(shortfall, world, AS_OF - timedelta(days=10))
    assert recovery.escalate_overdue(AS_OF) == 1
    commit()
    assert fresh(shortfall).severity is FlagSeverity.HIGH
    report = compliance.refresh([world.contract.id], AS_OF)
    commit()
    assert fresh(shortfall).severity is FlagSeverity.HIGH  # the refresh kept the step
    assert report.flags_raised == 0
    assert recovery.escalate_overdue(AS_OF) == 0  # and it happens once


def test_the_sql_rule_agrees_with_the_pure_rule(world: World) -> None:
    """escalate_overdue picks exactly the flags domain.recovery.should_escalate names."""
    today = TODAY
    cases = {
        "late": (today - timedelta(days=1), None, True),
        "due today": (today, None, True),
        "done late": (today - timedelta(days=9), today - timedelta(days=2), True),
        "not accepted": (today - timedelta(days=1), None, False),
    }
    made: dict[str, Flag] = {}
    for name, (due_on, done_on, accept) in cases.items():
        made[name] = flags.raise_flag(
            f"test:{name}",
            kind=FlagKind.QUERIED_EVIDENCE,
            severity=FlagSeverity.LOW,
            contract_id=world.contract.id,
            summary=name,
        )
        commit()
        if accept:
            accept_plan_due(made[name], world, due_on, done_on=done_on)
        else:
            recovery.add_action(
                made[name],
                action="Act",
                owner="Someone",
                due_on=due_on,
                by=world.supplier_user,
                expected_version=0,
            )
            commit()
    expected = {
        name
        for name, found in made.items()
        if should_escalate(
            found.plan_status,
            [(a.due_on, a.done_on) for a in found.actions],
            today,
            escalated=False,
        )
    }
    assert expected == {"late"}
    recovery.escalate_overdue(today)
    commit()
    assert {name for name, found in made.items() if fresh(found).escalated_on} == expected


def test_the_digest_counts_recovery_actions_past_their_date(
    world: World, flag: Flag, mailbox: Mailbox
) -> None:
    accept_plan_due(flag, world, TODAY - timedelta(days=3))
    second = flags.raise_flag(
        "test:second",
        kind=FlagKind.QUERIED_EVIDENCE,
        severity=FlagSeverity.LOW,
        contract_id=world.contract.id,
        summary="Older workers hired: which start dates?",
    )
    commit()
    accept_plan_due(second, world, TODAY - timedelta(days=2))
    # Not counted: done, not yet due, or a plan the council has not accepted.
    accept_plan_due(second, world, TODAY - timedelta(days=2), done_on=TODAY - timedelta(days=4))
    mailbox.delivered().clear()
    monday = TODAY + timedelta(days=(7 - TODAY.weekday()) % 7 or 7)
    reminders.send(datetime.combine(monday, time(9), tzinfo=LONDON))
    [digest] = [m for m in mailbox.to("cm@northmoor.example") if "Social value" in m["Subject"]]
    assert subject(digest) == (
        "Social value: 2 new flags, 0 returns to review and 2 recovery actions past their date"
    )
    assert "- 2 recovery actions past their date, on accepted recovery plans" in mailbox.body(
        digest
    )


def test_the_digest_reads_in_the_singular_for_one_late_action(
    world: World, flag: Flag, mailbox: Mailbox
) -> None:
    accept_plan_due(flag, world, TODAY - timedelta(days=3))
    mailbox.delivered().clear()
    monday = TODAY + timedelta(days=(7 - TODAY.weekday()) % 7 or 7)
    reminders.send(datetime.combine(monday, time(9), tzinfo=LONDON))
    [digest] = [m for m in mailbox.to("cm@northmoor.example") if "Social value" in m["Subject"]]
    assert subject(digest).endswith("and 1 recovery action past its date")
    assert "- 1 recovery action past its date" in mailbox.body(digest)


def count_queries(run: Callable[[], None]) -> int:
    statements = 0

    def counted(*_args: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    return statements


def test_the_digest_and_the_escalation_make_the_same_queries_whatever_the_number(
    world: World,
) -> None:
    monday = TODAY + timedelta(days=(7 - TODAY.weekday()) % 7 or 7)

    def plan_and_escalate() -> None:
        reminders.plan(datetime.combine(monday, time(9), tzinfo=LONDON))
        recovery.escalate_overdue(monday)
        db.session.flush()  # the history of each flag raised
        db.session.rollback()

    def late_plans(number: int) -> None:
        for n in range(number):
            manager = factories.user(Role.CONTRACT_MANAGER, world.council)
            contract = factories.contract(world.council, world.supplier, manager)
            late = flags.raise_flag(
                f"test:late:{contract.id}:{n}",
                kind=FlagKind.QUERIED_EVIDENCE,
                severity=FlagSeverity.LOW,
                contract_id=contract.id,
                summary="Late",
            )
            commit()
            accept_plan_due(late, world, TODAY - timedelta(days=1))

    late_plans(2)
    few = count_queries(plan_and_escalate)
    late_plans(12)
    assert count_queries(plan_and_escalate) == few


def test_the_flags_export_reads_recovery_actions_in_a_fixed_number_of_queries(
    world: World, as_manager: PortalClient
) -> None:
    from tests.integration.test_contracts import queries_for

    def flags_with_actions(numbers: range) -> None:
        for number in numbers:
            contract = factories.contract(
                world.council, world.supplier, world.manager, reference=f"EXP-{number}"
            )
            commit()
            compliance.refresh_contract(contract.id, date(2026, 1, 15))
            for flag in flags.for_contract(contract.id):
                recovery.add_action(
                    flag,
                    action="Recruit",
                    owner="HR",
                    due_on=date(2026, 6, 1),
                    by=world.supplier_user,
                    expected_version=flag.plan_version,
                )
            commit()

    url = "/council/flags/export.csv?manager=&status=all"
    flags_with_actions(range(1))
    few = queries_for(as_manager, url)
    flags_with_actions(range(1, 7))
    assert queries_for(as_manager, url) == few
