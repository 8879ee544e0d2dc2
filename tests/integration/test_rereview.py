"""Issue 11, items 2 and 3, through the web client: a resubmitted return shows the reviewer what
changed (before and after, evidence added and removed, the thread of queries and replies on each
line), and an accepted return can be reopened with a reason."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import html5lib
import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select, text

from portal.data import commit, contracts, local_areas
from portal.data import compliance as store
from portal.data.models import (
    AuditEvent,
    EvidenceFile,
    LineMessage,
    OutboxMessage,
    Return,
    ReturnReopening,
)
from portal.data.types import EmailKind, LineReview, ReturnStatus
from portal.extensions import db
from portal.template_helpers import format_date
from tests import factories
from tests.conftest import World, sign_in_as
from tests.integration.test_migrations import (  # noqa: F401
    a_contract_as_rows,
    empty_database,
    insert_rows,
    migrating_app,
)
from tests.integration.test_returns import PEOPLE, review, schedule, submit, upload_people
from tests.support import Mailbox, PortalClient, showing_hostile_text, visible_text

HOURS = "Staff volunteering hours"
HIRES = "Local people hired"
STARTS = "Apprenticeship starts"
OLDER = "Older workers hired (50+)"
QUERY = "Send the sign-in sheets for these hours"
REPLY = "Sign-in sheets attached. Two hours were counted twice, so the figure is now 38."
REASON = "The payroll extract shows two of these hires started in July, not in Q1"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# Reading pages


def words(html: str) -> str:
    """The text a person reads in this HTML, spaces collapsed."""
    document = html5lib.parse(html, namespaceHTMLElements=False)
    return " ".join(visible_text(document).replace("\n|\n", " ").split())


def card(html: str, measure: str) -> str:
    """The review page's card for one line, as text."""
    [found] = [
        chunk
        for chunk in html.split('<div class="govuk-summary-card">')[1:]
        if f'class="govuk-summary-card__title">{measure}</h2>' in chunk
    ]
    return words(found)


def page(client: PortalClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def said(message: LineMessage, organisation: str) -> str:
    """A message as its thread shows it: who, for which side, when, and what."""
    return (
        f"{message.author.full_name}, {organisation}, {format_date(message.created_at)} "
        f"{message.text}"
    )


# Doing things as the users do


def line_id(ret: Return, measure: str) -> int:
    return next(line.id for line in ret.lines if line.commitment.measure.name == measure)


def save_line(client: PortalClient, ret: Return, measure: str, **fields: str) -> object:
    db.session.refresh(ret)
    line = next(li for li in ret.lines if li.commitment.measure.name == measure)
    form = {
        "narrative": line.narrative or f"Delivered: {measure}",
        "nil_reason": line.nil_reason or "",
        "version": str(ret.version),
    }
    if line.commitment.measure.derivation is None:
        form["figure"] = str(line.figure) if line.figure is not None else ""
    return client.submit(f"/supplier/returns/{ret.id}/lines/{line.id}", form | fields)


def attach(client: PortalClient, ret: Return, filename: str, measure: str | None) -> None:
    db.session.refresh(ret)
    attach_to = (
        next(li.commitment_id for li in ret.lines if li.commitment.measure.name == measure)
        if measure
        else ""
    )
    response = client.submit(
        f"/supplier/returns/{ret.id}/evidence",
        {"file": (io.BytesIO(PDF), filename), "attach_to": attach_to, "version": ret.version},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def remove(client: PortalClient, ret: Return, filename: str) -> None:
    db.session.refresh(ret)
    file = db.session.scalars(
        select(EvidenceFile).where(
            EvidenceFile.return_id == ret.id, EvidenceFile.filename == filename
        )
    ).one()
    response = client.submit(
        f"/supplier/returns/{ret.id}/evidence/{file.id}/remove",
        {"version": ret.version},
        form_page=f"/supplier/returns/{ret.id}/evidence",
    )
    assert response.status_code == 302


def reopen(client: PortalClient, ret: Return, measures: list[str], reason: str, **extra: object):
    db.session.refresh(ret)
    form: dict[str, object] = {
        "reopen-lines": [str(line_id(ret, m)) for m in measures],
        "reopen-reason": reason,
        "version": ret.version,
    }
    return client.submit(
        f"/council/returns/{ret.id}/reopen",
        form | extra,
        form_page=f"/council/returns/{ret.id}",
    )


def delivered(ret: Return) -> dict[str, tuple[Decimal, Decimal]]:
    """Each commitment's stored (delivered, pending)."""
    db.session.expire_all()
    states = store.commitment_states(ret.contract_id)
    return {
        line.commitment.measure.name: (
            states[line.commitment_id].delivered,
            states[line.commitment_id].pending,
        )
        for line in ret.lines
    }


@pytest.fixture
def q1(world: World, as_supplier: PortalClient) -> Return:
    """NCC-001's Q1 2025/26 return, submitted: people counted for the three people measures,
    40 volunteering hours typed in with timesheets.pdf as its evidence, and payroll.pdf for the
    return as a whole."""
    local_areas.save_default(world.council.id, name="City", codes=["M1", "M4 5"], by=None)
    contracts.add_commitment(
        world.contract,
        factories.measure(world.council, "VOLUNTEER_HOURS"),
        target=Decimal(400),
        by=world.manager,
    )
    commit()
    as_supplier.submit(
        f"/supplier/contracts/{world.contract.id}/returns/2025/1",
        form_page=f"/supplier/contracts/{world.contract.id}",
    )
    ret = db.session.scalars(select(Return)).one()
    upload_people(as_supplier, ret, schedule(PEOPLE))
    for measure in (HIRES, STARTS, OLDER):
        assert save_line(as_supplier, ret, measure).status_code == 302  # type: ignore[attr-defined]
    saved = save_line(as_supplier, ret, HOURS, figure="40", narrative="Park clean-ups")
    assert saved.status_code == 302  # type: ignore[attr-defined]
    attach(as_supplier, ret, "timesheets.pdf", HOURS)
    attach(as_supplier, ret, "payroll.pdf", None)
    submit(as_supplier, ret)
    return ret


def queried_and_answered(
    world: World, supplier: PortalClient, manager: PortalClient, ret: Return
) -> None:
    """The manager queries the hours; Sam replies on that line, corrects the figure to 38,
    replaces its evidence, and sends the return again."""
    review(manager, ret, {HOURS: QUERY})
    saved = save_line(supplier, ret, HOURS, figure="38", narrative="Park clean-ups", reply=REPLY)
    assert saved.status_code == 302  # type: ignore[attr-defined]
    remove(supplier, ret, "timesheets.pdf")
    attach(supplier, ret, "sign-in-sheets.pdf", HOURS)
    submit(supplier, ret)


# 1. Re-review: what changed -------------------------------------------------------------------


def test_the_reviewer_sees_only_what_needs_a_decision_and_what_changed_on_it(
    world: World, as_supplier: PortalClient, as_manager: PortalClient, q1: Return
) -> None:
    queried_and_answered(world, as_supplier, as_manager, q1)
    html = page(as_manager, f"/council/returns/{q1.id}")
    text = words(html)

    # Only the queried line asks for a decision; the three accepted ones are folded away.
    assert f'name="review-{line_id(q1, HOURS)}"' in html
    for measure in (HIRES, STARTS, OLDER):
        assert f'name="review-{line_id(q1, measure)}"' not in html
    folded = html[html.index('<details class="govuk-details">') : html.index("</details>")]
    assert "3 lines accepted before and sent again unchanged" in words(folded)
    for measure, figure in ((HIRES, "2 people"), (STARTS, "1 person"), (OLDER, "2 people")):
        assert f"{measure} {figure}" in words(folded)
    assert "1 line needs your decision" in text

    hours = card(html, HOURS)
    assert hours.startswith(f"{HOURS} Queried Changed Evidence changed")
    # Before and after, the figure and the words, from the two submissions.
    assert "Before (submission 1) After (submission 2)" in hours
    assert "Figure Changed 40 hours 38 hours" in hours
    assert "What was delivered Park clean-ups Park clean-ups" in hours  # not changed
    assert "Evidence added sign-in-sheets.pdf Evidence removed timesheets.pdf" in hours
    # The thread: the manager's query, then Sam's reply, each with who and when.
    query, reply = db.session.scalars(select(LineMessage).order_by(LineMessage.id)).all()
    assert (query.role.value, reply.role.value) == ("council", "supplier")
    assert f"Queries and replies {said(query, 'Northmoor City Council')}" in hours
    assert said(reply, "Acme Grounds Ltd") in hours
    # And the evidence of the whole return, line by line.
    assert (
        f"Evidence added and removed since submission 1 Added: sign-in-sheets.pdf, for {HOURS} "
        f"Removed: timesheets.pdf, for {HOURS}"
    ) in text
    assert "payroll.pdf, for" not in text  # still attached: neither added nor removed


def test_a_changed_accepted_line_needs_a_decision_and_says_what_changed(
    world: World, as_supplier: PortalClient, as_manager: PortalClient, q1: Return
) -> None:
    review(as_manager, q1, {HOURS: QUERY})
    save_line(as_supplier, q1, STARTS, narrative="Now with the apprenticeship agreement")
    attach(as_supplier, q1, "agreement.pdf", STARTS)
    submit(as_supplier, q1)  # hours sent again unchanged, with no reply: that is allowed
    html = page(as_manager, f"/council/returns/{q1.id}")
    starts = card(html, STARTS)
    assert starts.startswith(f"{STARTS} Changed Evidence changed")
    assert (
        f"What was delivered Changed Delivered: {STARTS} Now with the apprenticeship agreement"
    ) in starts
    assert "Figure 1 person 1 person" in starts
    assert "Evidence added agreement.pdf" in starts and "Evidence removed" not in starts
    hours = card(html, HOURS)
    assert hours.startswith(f"{HOURS} Queried Not changed")  # queried, and only that
    assert "Nothing added or removed for this line since submission 1" in hours
    assert "2 lines accepted before and sent again unchanged" in words(html)


def test_the_thread_shows_on_both_sides_and_in_the_history(
    app: Flask, world: World, as_supplier: PortalClient, as_manager: PortalClient, q1: Return
) -> None:
    review(as_manager, q1, {HOURS: QUERY})
    [query] = db.session.scalars(select(LineMessage)).all()
    assert (query.author_id, query.text, query.submission_number) == (world.manager.id, QUERY, 1)
    council = said(query, "Northmoor City Council")
    hours_page = f"/supplier/returns/{q1.id}/lines/{line_id(q1, HOURS)}"

    # The supplier sees the query on the task list and on the line, with a place to reply.
    task_list = words(page(as_supplier, f"/supplier/returns/{q1.id}"))
    assert f"Queries and replies {HOURS} {council} Reply or change {HOURS}" in task_list
    line_html = page(as_supplier, hours_page)
    assert council in words(line_html)
    assert "Your reply to the council (optional)" in line_html
    accepted_line = page(as_supplier, f"/supplier/returns/{q1.id}/lines/{line_id(q1, HIRES)}")
    assert 'name="reply"' not in accepted_line  # nothing to reply to on an accepted line

    # A reply too long is refused, keeping everything typed.
    too_long = save_line(as_supplier, q1, HOURS, figure="38", reply="x" * 2001)
    html = too_long.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Error: " in html and "Reply must be 2000 characters or fewer" in html
    assert 'value="38"' in html and "x" * 2001 in html
    assert len(db.session.scalars(select(LineMessage)).all()) == 1

    done = save_line(as_supplier, q1, HOURS, figure="38", reply=REPLY)
    flashed = page(as_supplier, done.headers["Location"])  # type: ignore[attr-defined]
    assert f"Your reply on {HOURS} was saved" in flashed
    query, reply = db.session.scalars(select(LineMessage).order_by(LineMessage.id)).all()
    supplier = said(reply, "Acme Grounds Ltd")
    assert reply.author_id == world.supplier_user.id and reply.submission_number == 1

    # Before sending again, the check page shows the thread.
    check = words(page(as_supplier, f"/supplier/returns/{q1.id}/check"))
    assert f"Queries and replies {HOURS} {council} {supplier}" in check
    # The council sees the reply at once, on the return.
    assert f"{council} {supplier}" in words(page(as_manager, f"/council/returns/{q1.id}"))
    # The audit trail has both messages.
    written = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "message").order_by(AuditEvent.id)
    ).all()
    assert [(e.actor_id, e.after["from"], e.after["text"]) for e in written] == [  # type: ignore[index]
        (world.manager.id, "council", QUERY),
        (world.supplier_user.id, "supplier", REPLY),
    ]

    submit(as_supplier, q1)
    # After sending: the supplier's read-only page shows the thread too.
    assert f"{council} {supplier}" in words(page(as_supplier, f"/supplier/returns/{q1.id}"))
    # The history: submission 1's page holds the query and the reply about it.
    first = words(page(as_manager, f"/council/returns/{q1.id}/submissions/1"))
    assert f"Queries and replies about this submission {HOURS} {council} {supplier}" in first
    second = words(page(as_manager, f"/council/returns/{q1.id}/submissions/2"))
    assert "Queries and replies about this submission" not in second


def test_what_people_write_in_a_thread_is_shown_as_text(
    world: World, as_supplier: PortalClient, as_manager: PortalClient, q1: Return
) -> None:
    review(as_manager, q1, {HOURS: QUERY})
    hostile = '<script>alert("x")</script>'
    with showing_hostile_text(hostile):
        save_line(as_supplier, q1, HOURS, reply=hostile)
        council = page(as_manager, f"/council/returns/{q1.id}")
        supplier = page(as_supplier, f"/supplier/returns/{q1.id}")
    for shown in (council, supplier):
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in shown
        assert "<script>alert" not in shown


def test_messages_are_never_edited(world: World, as_manager: PortalClient, q1: Return) -> None:
    review(as_manager, q1, {HOURS: QUERY})
    [message] = db.session.scalars(select(LineMessage)).all()
    message.text = "Something else"
    with pytest.raises(ValueError, match="append-only"):
        db.session.flush()
    db.session.rollback()


# 2. Reopening an accepted return ---------------------------------------------------------------


@pytest.fixture
def accepted(world: World, as_manager: PortalClient, q1: Return, mailbox: Mailbox) -> Return:
    review(as_manager, q1, {})
    assert q1.status is ReturnStatus.ACCEPTED
    mailbox.delivered().clear()
    return q1


def test_reopening_needs_a_line_and_a_reason_and_keeps_what_was_typed(
    world: World, as_manager: PortalClient, accepted: Return, mailbox: Mailbox
) -> None:
    version = accepted.version
    html = page(as_manager, f"/council/returns/{accepted.id}")
    assert "Reopen the return" in html and "Reason for reopening the return" in html

    nothing = reopen(as_manager, accepted, [], "  ").get_data(as_text=True)
    assert "<title>Error: Q1 2025/26 return from Acme Grounds Ltd" in nothing
    assert 'href="#reopen-lines">Select the lines the supplier needs to look at again' in nothing
    assert 'href="#reopen-reason">Enter the reason for reopening the return' in nothing

    no_reason = reopen(as_manager, accepted, [HIRES], "").get_data(as_text=True)
    assert "Enter the reason for reopening the return" in no_reason
    assert "Select the lines" not in no_reason
    hires = line_id(accepted, HIRES)
    assert re.search(rf'value="{hires}" checked', no_reason)

    no_lines = reopen(as_manager, accepted, [], REASON).get_data(as_text=True)
    assert "Select the lines the supplier needs to look at again" in no_lines
    assert REASON in no_lines

    too_long = reopen(as_manager, accepted, [HIRES], "x" * 2001).get_data(as_text=True)
    assert "Reason must be 2000 characters or fewer" in too_long

    # Nothing was saved, and nobody was emailed.
    db.session.expire_all()
    assert accepted.status is ReturnStatus.ACCEPTED and accepted.version == version
    assert db.session.scalars(select(ReturnReopening)).all() == []
    assert mailbox.delivered().messages == []


def test_only_the_councils_own_staff_reopen_its_returns(
    app: Flask, world: World, accepted: Return
) -> None:
    url = f"/council/returns/{accepted.id}/reopen"
    form = {"reopen-lines": str(line_id(accepted, HIRES)), "reopen-reason": REASON}
    elsewhere = sign_in_as(app, world.other_council_manager)
    token = elsewhere.csrf_token("/accessibility")
    refused = elsewhere.post(url, data=form | {"csrf_token": token, "version": accepted.version})
    assert refused.status_code == 404
    supplier = sign_in_as(app, world.supplier_user)
    token = supplier.csrf_token("/accessibility")
    assert supplier.post(url, data=form | {"csrf_token": token}).status_code == 403
    db.session.expire_all()
    assert accepted.status is ReturnStatus.ACCEPTED


def test_reopening_sends_the_chosen_lines_back_and_their_figures_to_pending(
    world: World,
    as_manager: PortalClient,
    as_supplier: PortalClient,
    accepted: Return,
    mailbox: Mailbox,
) -> None:
    before = delivered(accepted)
    assert before[HIRES] == (2, 0) and before[HOURS] == (40, 0)
    accepted_on = accepted.submissions[0].decided_at
    response = reopen(as_manager, accepted, [HIRES, OLDER], REASON)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/council/returns/{accepted.id}"

    # The return is back with the supplier: the chosen lines queried, the others accepted.
    db.session.expire_all()
    assert accepted.status is ReturnStatus.CHANGES_REQUESTED
    lines = {line.commitment.measure.name: line for line in accepted.lines}
    for measure in (HIRES, OLDER):
        assert lines[measure].review is LineReview.QUERIED
        assert lines[measure].accepted_figure is None
        assert lines[measure].review_comment == REASON
    for measure in (STARTS, HOURS):
        assert lines[measure].review is LineReview.ACCEPTED
    # The stored compliance: their figures are pending again, not delivered; the rest count.
    after = delivered(accepted)
    assert after[HIRES] == (0, 2) and after[OLDER] == (0, 2)
    assert after[STARTS] == before[STARTS] and after[HOURS] == (40, 0)
    # The reason opens each chosen line's thread.
    messages = db.session.scalars(select(LineMessage).order_by(LineMessage.id)).all()
    assert [(m.line_id, m.text, m.role.value, m.submission_number) for m in messages] == [
        (lines[HIRES].id, REASON, "council", 1),
        (lines[OLDER].id, REASON, "council", 1),
    ]

    # What the manager is told.
    flashed = words(page(as_manager, response.headers["Location"]))
    assert (
        f"Return reopened. {HIRES} and {OLDER} do not count as delivered until you accept them "
        f"again. We are emailing {world.supplier_user.full_name}."
    ) in flashed
    assert "Changes requested" in flashed and "Reopen the return" not in flashed

    # The email to each supplier user.
    [email] = mailbox.delivered().to("sam@acme.example")
    assert email["Subject"] == "NCC-001: your Q1 2025/26 return has been reopened"
    body = " ".join(mailbox.body(email).split())
    assert (
        f"{world.manager.full_name} at Northmoor City Council has reopened your Q1 2025/26 "
        "return for NCC-001: Grounds maintenance, which had been accepted."
    ) in body
    assert f"The reason they gave: {REASON}" in body
    assert f"They have asked you to look again at: {HIRES} {OLDER} Until you submit" in body
    assert (
        "the council accepts them, these lines' figures do not count as delivered. "
        f"{STARTS} and {HOURS} stay accepted and count as delivered."
    ) in body
    assert f"http://localhost/supplier/returns/{accepted.id}" in body
    [stored] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == EmailKind.RETURN_REOPENED)
    ).all()
    assert stored.recipient == "sam@acme.example" and stored.subject == email["Subject"]

    # The audit trail: who, when (the event's time), why, which lines.
    [event] = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "reopened", AuditEvent.object_type == "return"
        )
    ).all()
    assert event.actor_id == world.manager.id and event.reason == REASON
    assert event.before == {"status": "accepted"}
    assert event.after == {
        "status": "changes_requested",
        "submission": 1,
        "lines reopened": f"{HIRES}, {OLDER}",
        "lines still accepted": f"{STARTS}, {HOURS}",
    }
    contract_history = words(page(as_manager, f"/council/contracts/{accepted.contract_id}"))
    assert (
        "Return reopened Status: accepted → changes_requested Submission: 1 "
        f"Lines reopened: {HIRES}, {OLDER} Lines still accepted: {STARTS}, {HOURS} "
        f"Reason: {REASON}"
    ) in contract_history

    # The history: submission 1 is kept as it was decided, with its reopening beside it.
    [first] = accepted.submissions
    assert first.outcome is ReturnStatus.ACCEPTED and first.decided_at == accepted_on
    assert {item["review"] for item in first.review or []} == {"accepted"}
    [reopening] = accepted.reopenings
    assert reopening.reopened_by_id == world.manager.id and reopening.reason == REASON
    versions = words(page(as_manager, f"/council/returns/{accepted.id}"))
    assert (
        f"Submission 1: {format_date(first.submitted_at)} by {world.supplier_user.full_name}, "
        f"accepted; reopened {format_date(reopening.reopened_at)} by "
        f"{world.manager.full_name}: {REASON}"
    ) in versions
    history = words(page(as_manager, f"/council/returns/{accepted.id}/submissions/1"))
    assert f"Outcome Accepted on {format_date(accepted_on)}" in history
    assert (
        f"Reopened on {format_date(reopening.reopened_at)} by {world.manager.full_name}, "
        f"after it was accepted. Reason: {REASON}"
    ) in history

    # The supplier sees the marked lines, and the reason on each.
    task_list = page(as_supplier, f"/supplier/returns/{accepted.id}")
    tags = re.findall(r'class="govuk-tag[^"]*">\s*(\w+)\s*</strong>', task_list)
    assert tags.count("Queried") == 2 and tags.count("Accepted") == 2
    assert f"Queried: {REASON}" in words(task_list)


def test_after_reopening_only_the_reopened_lines_need_a_decision_again(
    world: World, as_manager: PortalClient, as_supplier: PortalClient, accepted: Return
) -> None:
    reopen(as_manager, accepted, [HIRES], REASON)
    save_line(as_supplier, accepted, HIRES, reply="Two starters moved to Q2: see the new upload")
    submit(as_supplier, accepted)
    html = page(as_manager, f"/council/returns/{accepted.id}")
    assert f'name="review-{line_id(accepted, HIRES)}"' in html
    for measure in (STARTS, OLDER, HOURS):
        assert f'name="review-{line_id(accepted, measure)}"' not in html
    assert "3 lines accepted before and sent again unchanged" in words(html)
    hires = card(html, HIRES)
    assert hires.startswith(f"{HIRES} Reopened Not changed")
    assert REASON in hires and "Two starters moved to Q2" in hires
    assert delivered(accepted)[HIRES] == (0, 2)

    review(as_manager, accepted, {})
    db.session.refresh(accepted)
    assert accepted.status is ReturnStatus.ACCEPTED and delivered(accepted)[HIRES] == (2, 0)
    # Accepted again, it can be reopened again: a second reopening, of submission 2.
    assert reopen(as_manager, accepted, [HOURS], "Hours need a second look").status_code == 302
    db.session.expire_all()
    assert [r.submission_number for r in accepted.reopenings] == [1, 2]


def test_two_people_never_reopen_or_review_over_each_other(
    app: Flask, world: World, as_manager: PortalClient, accepted: Return, mailbox: Mailbox
) -> None:
    stale = accepted.version
    colleague = sign_in_as(app, world.admin)
    assert reopen(as_manager, accepted, [HIRES], REASON).status_code == 302
    # The colleague's page was loaded before: their reopening is refused, nothing is saved.
    late = reopen(colleague, accepted, [HOURS], "Another reason", version=stale)
    html = late.get_data(as_text=True)
    assert late.status_code == 200
    assert "Someone else changed this return after you opened this page" in html
    db.session.expire_all()
    assert len(accepted.reopenings) == 1
    assert {li.commitment.measure.name for li in accepted.lines if li.review is None} == set()
    assert len(db.session.scalars(select(LineMessage)).all()) == 1
    assert len(mailbox.delivered().to("sam@acme.example")) == 1
    # A review form loaded before the reopening cannot decide the return either.
    decide = {f"review-{line.id}": "accepted" for line in accepted.lines}
    stale_review = as_manager.submit(f"/council/returns/{accepted.id}", decide | {"version": stale})
    assert stale_review.status_code == 200
    db.session.expire_all()
    assert accepted.status is ReturnStatus.CHANGES_REQUESTED


# 3. Upgrading: the comments already given open their lines' threads ------------------------------


def test_upgrading_turns_each_review_comment_into_a_message(migrating_app: Flask) -> None:  # noqa: F811
    """A line queried on submission 1 and again on submission 2; another accepted with a
    comment on submission 1 and sent again unchanged, which carried its comment into the second
    review: said once, on the submission it was given on."""
    upgrade(revision="d870782b16eb")
    first, second = datetime(2025, 8, 1, 9, tzinfo=UTC), datetime(2025, 8, 20, 9, tzinfo=UTC)
    review_1 = [
        {"commitment_id": 1, "review": "accepted", "comment": "Fine"},
        {"commitment_id": 2, "review": "queried", "comment": "Send the letters"},
    ]
    review_2 = [
        {"commitment_id": 1, "review": "accepted", "comment": "Fine"},
        {"commitment_id": 2, "review": "queried", "comment": "Still missing"},
    ]
    rows: dict[str, list[dict[str, object]]] = a_contract_as_rows() | {
        "returns": [
            {
                "id": 1,
                "contract_id": 1,
                "financial_year": 2025,
                "quarter": 1,
                "period_starts_on": date(2025, 4, 1),
                "period_ends_on": date(2025, 6, 30),
                "due_on": date(2025, 7, 30),
                "status": "changes_requested",
                "version": 5,
                "started_at": first,
                "updated_at": second,
                "submission_count": 2,
            }
        ],
        "return_lines": [
            {
                "id": 7,
                "return_id": 1,
                "commitment_id": 1,
                "review": "accepted",
                "figure": 3,
                "submitted_figure": 3,
                "accepted_figure": 3,
            },
            {
                "id": 8,
                "return_id": 1,
                "commitment_id": 2,
                "review": "queried",
                "figure": 2,
                "submitted_figure": 2,
                "accepted_figure": None,
            },
        ],
        "return_submissions": [
            {
                "return_id": 1,
                "number": number,
                "submitted_at": decided,
                "submitted_by_id": 1,
                "submitted_by_name": "Sam",
                "declaration": "ok",
                "lines": [
                    {"commitment_id": 1, "figure": "3.00", "accepted_before": number == 2},
                    {"commitment_id": 2, "figure": "2.00", "accepted_before": False},
                ],
                "workforce_records": 0,
                "evidence": [],
                "outcome": "changes_requested",
                "decided_at": decided,
                "decided_by_id": 1,
                "review": review,
            }
            for number, decided, review in ((1, first, review_1), (2, second, review_2))
        ],
    }
    insert_rows(rows, first)
    upgrade()
    with db.engine.connect() as connection:
        messages = connection.execute(
            text(
                "SELECT line_id, author_id, role, text, submission_number, created_at"
                " FROM line_messages ORDER BY id"
            )
        ).all()
    assert [tuple(m[:5]) for m in messages] == [
        (7, 1, "council", "Fine", 1),
        (8, 1, "council", "Send the letters", 1),
        (8, 1, "council", "Still missing", 2),
    ]
    assert [str(m[5])[:10] for m in messages] == ["2025-08-01", "2025-08-01", "2025-08-20"]
