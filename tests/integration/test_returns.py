"""The quarterly return: people, figures, evidence, submission, review, versions and emails."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import delete, select
from werkzeug.test import TestResponse

from portal.config import Settings
from portal.data import commit, flags, local_areas, returns, users, workforce
from portal.data.models import (
    Contract,
    EvidenceBlob,
    EvidenceFile,
    Flag,
    OutboxMessage,
    Return,
    WorkforceEntry,
)
from portal.data.types import EmailStatus, FlagKind, ReturnStatus, Role
from portal.domain.counting import AgeBand, NotKnown, Share, WorkforceRecord
from portal.domain.periods import reporting_periods
from portal.domain.workforce_import import COLUMNS
from portal.extensions import db
from tests import factories
from tests.conftest import World, sign_in_as
from tests.support import Mailbox, PageError, PortalClient, free_port, showing_hostile_text

# 1 April to 30 June 2025: 91 days.
PEOPLE = [
    # local full-time new hire from 1 April: 1 FTE
    ["A-1", "M1 1AA", "25-34", "01/04/2025", "", "37", "100", "new hire", "", ""],
    # local part-timer, retained, half their time here: 18.5/37 x 0.5 = 0.25 FTE
    ["A-2", "M4 5AB", "35-49", "01/01/2020", "", "18.5", "50", "retained", "", ""],
    # local 52-year-old apprentice hired 16 May: 46/91 of a quarter = 0.51 FTE, 46 days = 6.57 weeks
    ["A-3", "M1 2BB", "50-64", "16/05/2025", "", "37", "100", "new hire", "3", "Chef de partie"],
    # non-local 55-year-old new hire: older workers only
    ["A-4", "SK1 1AA", "50-64", "01/06/2025", "", "37", "100", "new hire", "", ""],
    # local leaver: worked 1 to 30 April, 30/91 of the quarter = 0.33 FTE
    ["A-5", "M1 3CC", "18-24", "01/02/2025", "30/04/2025", "37", "100", "retained", "", ""],
]


def schedule(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue().encode()


@pytest.fixture
def ret(world: World, as_supplier: PortalClient) -> Return:
    local_areas.save_default(world.council.id, name="City", codes=["M1", "M4 5"], by=None)
    commit()
    response = as_supplier.submit(
        f"/supplier/contracts/{world.contract.id}/returns/2025/1",
        form_page=f"/supplier/contracts/{world.contract.id}",
    )
    assert response.status_code == 302
    started = db.session.scalar(select(Return))
    assert started is not None
    return started


def upload_people(client: PortalClient, ret: Return, content: bytes) -> object:
    return client.submit(
        f"/supplier/returns/{ret.id}/workforce/upload",
        {"file": (io.BytesIO(content), "people.csv")},
        content_type="multipart/form-data",
    )


def fill_lines(client: PortalClient, ret: Return) -> None:
    db.session.refresh(ret)
    for line in ret.lines:
        client.submit(
            f"/supplier/returns/{ret.id}/lines/{line.id}",
            {
                "narrative": f"Delivered {line.commitment.measure.name}",
                "nil_reason": "Nobody new this quarter",
                "version": ret.version,
            },
        )
        db.session.refresh(ret)


def test_people_measures_are_counted_by_the_rules(as_supplier: PortalClient, ret: Return) -> None:
    response = upload_people(as_supplier, ret, schedule(PEOPLE))
    assert response.status_code == 302
    db.session.refresh(ret)
    figures = {line.commitment.measure.code: line.figure for line in ret.lines}
    assert figures == {
        "LOCAL_HIRES": Decimal(2),  # A-1 and A-3 (A-4 is not local)
        "APPRENTICE_STARTS": Decimal(1),
        "OLDER_HIRES": Decimal(2),  # local or not
    }
    page = as_supplier.get(f"/supplier/returns/{ret.id}/workforce").get_data(as_text=True)
    assert "A-1, A-3" in page  # who counts for local hires
    assert "M1 1" in page and "M1 1AA" not in page  # only the sector is stored
    stored = db.session.scalars(select(WorkforceEntry.postcode_sector)).all()
    assert sorted(stored) == ["M1 1", "M1 2", "M1 3", "M4 5", "SK1 1"]


def test_a_bad_schedule_is_refused_row_by_row_and_saves_nobody(
    as_supplier: PortalClient, ret: Return
) -> None:
    bad = [list(row) for row in PEOPLE]
    bad[1][1] = "NOT A POSTCODE"
    bad[3][0] = "John Smith"
    html = upload_people(as_supplier, ret, schedule(bad)).get_data(as_text=True)
    assert "2 problems need fixing: nobody has been saved" in html
    assert re.search(r">3</td>\s*<td[^>]*>Enter a real UK postcode", html)
    assert re.search(r">5</td>\s*<td[^>]*>Worker reference must be your own reference", html)
    assert db.session.scalars(select(WorkforceEntry)).all() == []


def test_the_whole_journey_with_a_query_and_a_resubmission(
    app: Flask, world: World, as_supplier: PortalClient, ret: Return, mailbox: Mailbox
) -> None:
    upload_people(as_supplier, ret, schedule(PEOPLE))
    check = f"/supplier/returns/{ret.id}/check"
    db.session.refresh(ret)
    # Not ready: lines have no narrative yet.
    refused = as_supplier.submit(check, {"confirm": "y", "version": ret.version})
    assert "Describe what was delivered for Local people hired" in refused.get_data(as_text=True)
    fill_lines(as_supplier, ret)
    pdf = b"%PDF-1.4\n%%EOF\n"
    as_supplier.submit(
        f"/supplier/returns/{ret.id}/evidence",
        {"file": (io.BytesIO(pdf), "payroll.pdf"), "attach_to": "", "version": ret.version},
        content_type="multipart/form-data",
    )
    db.session.refresh(ret)
    undeclared = as_supplier.submit(check, {"version": ret.version})
    assert "Confirm the declaration to submit the return" in undeclared.get_data(as_text=True)
    submitted = as_supplier.submit(check, {"confirm": "y", "version": ret.version})
    assert submitted.headers["Location"] == f"/supplier/returns/{ret.id}/submitted"
    db.session.refresh(ret)
    assert ret.status is ReturnStatus.SUBMITTED
    [email] = mailbox.delivered().to("cm@northmoor.example")
    assert "submitted for review" in email["Subject"]
    assert f"/council/returns/{ret.id}" in mailbox.body(email)

    # Locked: the supplier cannot change it now.
    line = ret.lines[0]
    assert as_supplier.get(f"/supplier/returns/{ret.id}/lines/{line.id}").status_code == 302

    manager = sign_in_as(app, world.manager)
    review = f"/council/returns/{ret.id}"
    decisions = {f"review-{item.id}": "accepted" for item in ret.lines}
    decisions[f"review-{line.id}"] = "queried"
    missing_comment = manager.submit(review, decisions | {"version": ret.version})
    assert "Enter what the supplier needs to change" in missing_comment.get_data(as_text=True)
    manager.submit(
        review, decisions | {f"comment-{line.id}": "Send the offer letters", "version": ret.version}
    )
    db.session.refresh(ret)
    assert ret.status is ReturnStatus.CHANGES_REQUESTED
    [changes] = mailbox.delivered().to("sam@acme.example")
    assert "changes requested" in changes["Subject"]
    assert "Send the offer letters" in mailbox.body(changes)
    [queried] = db.session.scalars(select(Flag).where(Flag.kind == FlagKind.QUERIED_EVIDENCE))

    # The supplier fixes the queried line and submits again.
    as_supplier.submit(
        f"/supplier/returns/{ret.id}/lines/{line.id}",
        {"narrative": "Offer letters attached", "nil_reason": "", "version": ret.version},
    )
    db.session.refresh(ret)
    as_supplier.submit(check, {"confirm": "y", "version": ret.version})
    db.session.refresh(ret)
    assert ret.status is ReturnStatus.SUBMITTED and ret.submission_count == 2
    accept_all = {f"review-{item.id}": "accepted" for item in ret.lines}
    manager.submit(review, accept_all | {"version": ret.version})
    db.session.refresh(ret)
    assert ret.status is ReturnStatus.ACCEPTED
    db.session.refresh(queried)
    assert queried.status.value == "resolved" and "Resolved itself" in (queried.resolution or "")

    # Every version stays in the history, as it was.
    first, second = ret.submissions
    assert first.outcome is ReturnStatus.CHANGES_REQUESTED
    assert second.outcome is ReturnStatus.ACCEPTED
    assert first.lines[0]["narrative"] == "Delivered Local people hired"
    assert second.lines[0]["narrative"] == "Offer letters attached"
    old = manager.get(f"/council/returns/{ret.id}/submissions/1").get_data(as_text=True)
    assert "Delivered Local people hired" in old and "Send the offer letters" in old
    assert len(mailbox.delivered().to("sam@acme.example")) == 2  # changes requested, then accepted


def test_emails_name_whoever_reviewed_the_return(
    app: Flask, world: World, as_supplier: PortalClient, ret: Return, mailbox: Mailbox
) -> None:
    """A second contract manager, not the contract's own, reviews: every sentence names them."""
    council = app.config["SETTINGS"].council_name
    reviewer, manager = world.other_manager, world.manager
    upload_people(as_supplier, ret, schedule(PEOPLE))
    fill_lines(as_supplier, ret)
    check = f"/supplier/returns/{ret.id}/check"
    as_supplier.submit(check, {"confirm": "y", "version": ret.version})
    db.session.refresh(ret)
    line = ret.lines[0]
    decisions = {f"review-{item.id}": "accepted" for item in ret.lines}
    decisions |= {f"review-{line.id}": "queried", f"comment-{line.id}": "Send the offer letters"}
    colleague = sign_in_as(app, reviewer)
    colleague.submit(f"/council/returns/{ret.id}", decisions | {"version": ret.version})
    [changes] = mailbox.delivered().to("sam@acme.example")
    assert f"{reviewer.full_name} at {council} has asked for changes" in mailbox.body(changes)
    assert manager.full_name not in mailbox.body(changes)
    line_page = as_supplier.get(f"/supplier/returns/{ret.id}/lines/{line.id}")
    # The query opens the line's thread, under the name of whoever wrote it.
    assert re.search(
        rf"<strong>{reviewer.full_name}</strong>, Northmoor City Council, [^<]+</p>\s*"
        r"<p [^>]+>Send the offer letters</p>",
        line_page.get_data(as_text=True),
    )

    db.session.refresh(ret)
    as_supplier.submit(
        f"/supplier/returns/{ret.id}/lines/{line.id}",
        {"narrative": "Offer letters attached", "nil_reason": "", "version": ret.version},
    )
    db.session.refresh(ret)
    as_supplier.submit(check, {"confirm": "y", "version": ret.version})
    db.session.refresh(ret)
    accept_all = {f"review-{item.id}": "accepted" for item in ret.lines}
    colleague.submit(f"/council/returns/{ret.id}", accept_all | {"version": ret.version})
    _, accepted = mailbox.delivered().to("sam@acme.example")
    assert f"{reviewer.full_name} at {council} has accepted" in mailbox.body(accepted)
    assert manager.full_name not in mailbox.body(accepted)


def review_all(client: PortalClient, ret: Return, decision: str) -> str:
    """Review every line the same way; the text of the page the manager lands on."""
    decisions = {f"review-{line.id}": decision for line in ret.lines}
    decisions |= {f"comment-{line.id}": "Explain" for line in ret.lines}
    done = client.submit(f"/council/returns/{ret.id}", decisions | {"version": ret.version})
    return " ".join(client.get(done.headers["Location"]).get_data(as_text=True).split())


def test_after_a_review_the_manager_is_told_who_was_emailed(
    app: Flask, world: World, mailbox: Mailbox
) -> None:
    colleague = factories.user(Role.SUPPLIER_USER, world.supplier, email="jo@acme.example")
    invited = users.invite(
        email="new@acme.example",
        full_name="Not Yet",
        role=Role.SUPPLIER_USER,
        organisation=world.supplier,
        invited_by=world.manager,
    )
    ret = factories.submitted_return(world.contract, world.supplier_user)
    commit()
    page = review_all(sign_in_as(app, world.manager), ret, "queried")
    names = sorted([world.supplier_user.full_name, colleague.full_name])
    assert f"Changes requested. We are emailing {names[0]} and {names[1]}." in page
    assert invited.full_name not in page and len(mailbox.delivered().messages) == 2


def test_after_a_review_nobody_at_the_supplier_could_be_emailed(
    app: Flask, world: World, mailbox: Mailbox
) -> None:
    ret = factories.submitted_return(world.contract, world.supplier_user)
    commit()
    users.deactivate(world.supplier_user, by=world.admin)
    commit()
    page = review_all(sign_in_as(app, world.manager), ret, "accepted")
    assert (
        "Return accepted: its figures now count as delivered. Nobody at Acme Grounds Ltd can "
        "sign in, so nobody could be emailed: invite someone from the supplier."
    ) in page
    assert "has been emailed" not in page and mailbox.delivered().messages == []


def test_after_a_review_an_email_not_yet_sent_is_not_called_sent(
    app: Flask, world: World, settings: Settings
) -> None:
    # The request only writes the email (the delivery worker sends it), so the page says it is
    # on its way, even with the mail server down, and the email waits in the outbox.
    ret = factories.submitted_return(world.contract, world.supplier_user)
    commit()
    app.config["SETTINGS"] = replace(settings, smtp_port=free_port())
    try:
        page = review_all(sign_in_as(app, world.manager), ret, "queried")
    finally:
        app.config["SETTINGS"] = settings
    assert f"Changes requested. We are emailing {world.supplier_user.full_name}." in page
    assert "We emailed" not in page
    [waiting] = db.session.scalars(select(OutboxMessage)).all()
    assert waiting.status is EmailStatus.PENDING and waiting.attempts == 0


def test_a_nil_figure_needs_a_reason(as_supplier: PortalClient, world: World, ret: Return) -> None:
    spend = factories.measure(world.council, "VOLUNTEER_HOURS")
    from portal.data import contracts

    contracts.add_commitment(world.contract, spend, target=Decimal(100), by=world.manager)
    commit()
    as_supplier.get(f"/supplier/returns/{ret.id}")  # adds the new commitment's line
    db.session.refresh(ret)
    line = next(item for item in ret.lines if item.commitment.measure.code == "VOLUNTEER_HOURS")
    url = f"/supplier/returns/{ret.id}/lines/{line.id}"
    html = as_supplier.submit(
        url,
        {"figure": "0", "narrative": "None this quarter", "nil_reason": "", "version": ret.version},
    ).get_data(as_text=True)
    assert "Enter why nothing was delivered this quarter" in html
    assert 'value="0"' in html and "None this quarter" in html
    ok = as_supplier.submit(
        url,
        {
            "figure": "0",
            "narrative": "None this quarter",
            "nil_reason": "Volunteering starts in Q2",
            "version": ret.version,
        },
    )
    assert ok.status_code == 302


def test_two_people_editing_the_same_draft_never_overwrite_each_other(
    app: Flask, world: World, as_supplier: PortalClient, ret: Return
) -> None:
    colleague = sign_in_as(
        app,
        factories.user(
            __import__("portal.data.types", fromlist=["Role"]).Role.SUPPLIER_USER, world.supplier
        ),
    )
    commit()
    db.session.refresh(ret)
    line = ret.lines[0]
    url = f"/supplier/returns/{ret.id}/lines/{line.id}"
    stale_version = ret.version
    as_supplier.submit(
        url, {"narrative": "First person's words", "nil_reason": "", "version": stale_version}
    )
    second = colleague.submit(
        url, {"narrative": "Second person's words", "nil_reason": "", "version": stale_version}
    )
    html = second.get_data(as_text=True)
    assert "Someone else changed this return after you opened this page" in html
    assert "Second person&#39;s words" in html or "Second person's words" in html  # kept
    db.session.refresh(line)
    assert line.narrative == "First person's words"


def test_two_reviewers_never_overwrite_each_other(
    app: Flask, world: World, as_supplier: PortalClient, ret: Return
) -> None:
    upload_people(as_supplier, ret, schedule(PEOPLE))
    fill_lines(as_supplier, ret)
    as_supplier.submit(
        f"/supplier/returns/{ret.id}/check", {"confirm": "y", "version": ret.version}
    )
    db.session.refresh(ret)
    version = ret.version
    accept = {f"review-{line.id}": "accepted" for line in ret.lines}
    first, second = sign_in_as(app, world.manager), sign_in_as(app, world.admin)
    assert (
        first.submit(f"/council/returns/{ret.id}", accept | {"version": version}).status_code == 302
    )
    late = second.submit(
        f"/council/returns/{ret.id}",
        accept | {"version": version},
        form_page=f"/council/contracts/{world.contract.id}",
    )
    assert late.status_code in (200, 302)
    db.session.refresh(ret)
    assert ret.status is ReturnStatus.ACCEPTED and len(ret.submissions) == 1
    assert ret.submissions[0].decided_by_id == world.manager.id


def test_evidence_is_checked_by_content_and_downloaded_as_an_attachment(
    app: Flask, world: World, as_supplier: PortalClient, ret: Return
) -> None:
    url = f"/supplier/returns/{ret.id}/evidence"
    executable = b"MZ\x90\x00" + b"\x00" * 200
    refused = as_supplier.submit(
        url,
        {"file": (io.BytesIO(executable), "payroll.pdf"), "attach_to": "", "version": ret.version},
        content_type="multipart/form-data",
    )
    assert "must be a PDF, PNG, JPEG, CSV, XLSX or DOCX" in refused.get_data(as_text=True)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    db.session.refresh(ret)
    as_supplier.submit(
        url,
        {
            "file": (io.BytesIO(png), "../../etc/passwd.pdf"),
            "attach_to": "",
            "version": ret.version,
        },
        content_type="multipart/form-data",
    )
    [file] = db.session.scalars(select(EvidenceFile))
    assert file.filename == "passwd.png" and file.kind == "png" and file.size == len(png)
    assert file.sha256 == __import__("hashlib").sha256(png).hexdigest()
    download = as_supplier.get(f"/supplier/returns/{ret.id}/evidence/{file.id}")
    assert download.data == png
    assert download.headers["Content-Disposition"].startswith('attachment; filename="passwd.png"')
    policy = [part.strip() for part in download.headers["Content-Security-Policy"].split(";")]
    assert policy == ["sandbox", "default-src 'none'"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    # The other supplier cannot fetch it, through any route.
    outsider = sign_in_as(app, world.other_supplier_user)
    assert outsider.get(f"/supplier/returns/{ret.id}/evidence/{file.id}").status_code == 404
    # Removing the file removes its bytes in the same transaction.
    db.session.refresh(ret)
    as_supplier.submit(
        f"/supplier/returns/{ret.id}/evidence/{file.id}/remove",
        {"version": ret.version},
        form_page=url,
    )
    assert db.session.scalars(select(EvidenceBlob)).all() == []


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    as_supplier: PortalClient, ret: Return
) -> None:
    huge = io.BytesIO(b"%PDF-" + b"0" * (12 * 1024 * 1024))
    response = as_supplier.submit(
        f"/supplier/returns/{ret.id}/evidence",
        {"file": (huge, "big.pdf"), "attach_to": "", "version": ret.version},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "The file is too large" in response.get_data(as_text=True)
    assert db.session.scalars(select(EvidenceFile)).all() == []


def test_html_in_narratives_is_shown_as_text(
    app: Flask, world: World, as_supplier: PortalClient, ret: Return
) -> None:
    db.session.refresh(ret)
    line = ret.lines[0]
    payload = "<script>alert(1)</script>"
    as_supplier.submit(
        f"/supplier/returns/{ret.id}/lines/{line.id}",
        {"narrative": payload, "nil_reason": "", "version": ret.version},
    )
    with showing_hostile_text(payload):
        page = as_supplier.get(f"/supplier/returns/{ret.id}/check").get_data(as_text=True)
    assert payload not in page
    assert '<span class="govuk-body-s">&lt;script&gt;alert(1)&lt;/script&gt;</span>' in page
    # Outside the block, the same page fails the page check: the payload is escaped markup.
    with pytest.raises(PageError, match="escaped markup shown as text: '<script'"):
        as_supplier.get(f"/supplier/returns/{ret.id}/check")


def test_check_your_answers_shows_each_description_under_its_figure(
    as_supplier: PortalClient, ret: Return
) -> None:
    upload_people(as_supplier, ret, schedule(PEOPLE))
    fill_lines(as_supplier, ret)
    page = as_supplier.get(f"/supplier/returns/{ret.id}/check").get_data(as_text=True)
    assert '2 people<br><span class="govuk-body-s">Delivered Local people hired</span>' in page
    assert "&lt;br&gt;" not in page and "&lt;span" not in page


def test_copy_last_quarter_brings_people_still_engaged(
    app: Flask, world: World, as_supplier: PortalClient, ret: Return
) -> None:
    upload_people(as_supplier, ret, schedule(PEOPLE))
    response = as_supplier.submit(
        f"/supplier/contracts/{world.contract.id}/returns/2025/2",
        form_page=f"/supplier/contracts/{world.contract.id}",
    )
    assert response.status_code == 302
    second = returns.find(world.contract.id, 2025, 2)
    assert second is not None
    as_supplier.submit(
        f"/supplier/returns/{second.id}/workforce/copy",
        {"version": second.version},
        form_page=f"/supplier/returns/{second.id}/workforce",
    )
    copied = db.session.scalars(
        select(WorkforceEntry).where(WorkforceEntry.return_id == second.id)
    ).all()
    # A-5 left on 30 April, before the second quarter: not copied. Hires are no longer new.
    assert sorted(e.worker_reference for e in copied) == ["A-1", "A-2", "A-3", "A-4"]
    assert not any(e.is_new_hire for e in copied)


def test_the_same_worker_on_two_contracts_is_flagged(
    app: Flask, world: World, as_supplier: PortalClient, ret: Return
) -> None:
    other = factories.contract(world.council, world.supplier, world.manager, reference="NCC-777")
    commit()
    other_return = factories.a_return(other, world.supplier_user)  # W-1 full time there
    commit()
    both = [["W-1", "M1 1AA", "25-34", "01/04/2025", "", "37", "60", "new hire", "", ""]]
    upload_people(as_supplier, ret, schedule(both))
    said = (
        "Worker W-1 is also claimed on NCC-777 (100%) from 1 April 2025: with 60% on this "
        "contract, that is 160% of their time in all."
    )
    for page in (f"/supplier/returns/{ret.id}/check", f"/supplier/returns/{ret.id}/workforce"):
        assert said in as_supplier.get(page).get_data(as_text=True)
    fill_lines(as_supplier, ret)
    as_supplier.submit(
        f"/supplier/returns/{ret.id}/check", {"confirm": "y", "version": ret.version}
    )
    [flag] = flags.open_with_prefix(f"double:{world.contract.id}:")
    assert flag.kind is FlagKind.DOUBLE_COUNTING and flag.summary == said
    assert flag.details["contract_ids"] == [other.id] and other_return.id
    assert flag.details["shares"] == {str(world.contract.id): "0.6000", str(other.id): "1.0000"}


def claim_worker(contract: Contract, share: str) -> None:
    """W-1 on this contract's Q1 2025/26 return, for the whole quarter, at this share."""
    period = reporting_periods(contract.start_on, contract.end_on)[0]
    elsewhere = returns.start(
        contract, period, by=factories.user(Role.SUPPLIER_USER, contract.supplier)
    )
    workforce.add(
        elsewhere.id,
        WorkforceRecord(
            "W-1",
            "M4 5",
            AgeBand.AGE_25_34,
            period.starts_on,
            None,
            Decimal(37),
            Decimal(share),
            True,
        ),
    )


def test_a_council_never_learns_another_councils_contract_reference(
    app: Flask, world: World, as_supplier: PortalClient, ret: Return
) -> None:
    other = factories.contract(world.council, world.supplier, world.manager, reference="NCC-777")
    commit()
    claim_worker(other, "0.3")
    claim_worker(world.other_council_contract, "0.5")  # SBC-001, with Southmere
    commit()
    both = [["W-1", "M1 1AA", "25-34", "01/04/2025", "", "37", "60", "new hire", "", ""]]
    upload_people(as_supplier, ret, schedule(both))
    # The supplier: every contract is its own, so each is named.
    page = as_supplier.get(f"/supplier/returns/{ret.id}/check").get_data(as_text=True)
    assert (
        "Worker W-1 is also claimed on SBC-001 (50%) and NCC-777 (30%) from 1 April 2025: with "
        "60% on this contract, that is 140% of their time in all."
    ) in page
    fill_lines(as_supplier, ret)
    as_supplier.submit(
        f"/supplier/returns/{ret.id}/check", {"confirm": "y", "version": ret.version}
    )
    # The council: its own contract by reference, the other council's described.
    [flag] = flags.open_with_prefix(f"double:{world.contract.id}:")
    assert flag.summary == (
        "Worker W-1 is also claimed on a contract with another council (50%) and NCC-777 (30%) "
        "from 1 April 2025: with 60% on this contract, that is 140% of their time in all."
    )
    manager = sign_in_as(app, world.manager)
    for url in (f"/council/flags/{flag.id}", "/council/flags", "/council/flags/export.csv"):
        shown = manager.get(url).get_data(as_text=True)
        assert "NCC-777 (30%)" in shown and "SBC-001" not in shown, url


def test_formula_cells_are_stored_as_text_and_exported_safely(
    app: Flask, world: World, as_supplier: PortalClient, ret: Return
) -> None:
    rows = [list(PEOPLE[2])]
    rows[0][9] = '=HYPERLINK("http://evil.example","Chef")'
    assert upload_people(as_supplier, ret, schedule(rows)).status_code == 302
    manager = sign_in_as(app, world.manager)
    db.session.refresh(ret)
    # The manager can export the people once the return is submitted.
    fill_lines(as_supplier, ret)
    as_supplier.submit(
        f"/supplier/returns/{ret.id}/check", {"confirm": "y", "version": ret.version}
    )
    exported = manager.get(f"/council/returns/{ret.id}/people.csv").get_data(as_text=True)
    [row] = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    assert row["Apprenticeship standard"].startswith("'=HYPERLINK")


def test_a_200_mb_upload_is_refused_from_its_length_alone(
    as_supplier: PortalClient, ret: Return
) -> None:
    token = as_supplier.csrf_token(f"/supplier/returns/{ret.id}/evidence")
    response = as_supplier.post(
        f"/supplier/returns/{ret.id}/evidence",
        data={
            "csrf_token": token,
            "version": ret.version,
            "file": (io.BytesIO(b"%PDF-"), "big.pdf"),
        },
        content_type="multipart/form-data",
        environ_overrides={"CONTENT_LENGTH": str(200 * 1024 * 1024)},
    )
    assert response.status_code == 413
    assert db.session.scalars(select(EvidenceFile)).all() == []


def test_the_add_a_person_form_shows_every_mistake_at_once(
    as_supplier: PortalClient, ret: Return
) -> None:
    """An impossible start date used to hide the six other mistakes until it was fixed."""
    url = f"/supplier/returns/{ret.id}/workforce/add"
    typed = {
        "worker_reference": "Jane Smith",
        "postcode": "NOT A POSTCODE",
        "age_band": "",
        "starts_on": ["31", "2", "2025"],
        "weekly_hours": "lots",
        "share": "150",
        "apprenticeship_level": "9",
        "version": ret.version,
    }
    response = as_supplier.submit(url, typed)
    html = response.get_data(as_text=True)
    summary = html[html.index("govuk-error-summary") : html.index("</main>")]
    summary = summary[: summary.index("</ul>")]
    expected = [
        "Worker reference must be your own reference for the person, not their name",
        "Enter a real UK postcode, like M4 5AB",
        "Enter the age band",
        "Start date must be a real date",
        "Weekly hours must be a number, like 37.5",
        "Share of time on this contract must be a percentage from 1 to 100",
        "Enter whether the person is a new hire or retained",
        "Apprenticeship level must be a whole number from 2 to 7",
    ]
    for message in expected:
        assert message in summary, message
    assert "Enter the start date" not in html  # the date's own message says what is wrong
    assert 'value="31"' in html and 'value="NOT A POSTCODE"' in html  # what was typed stays
    assert workforce.entries_of(ret.id) == []  # nothing saved


def submit(client: PortalClient, ret: Return) -> None:
    db.session.refresh(ret)
    response = client.submit(
        f"/supplier/returns/{ret.id}/check", {"confirm": "y", "version": ret.version}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(ret)
    assert ret.status is ReturnStatus.SUBMITTED


def review(client: PortalClient, ret: Return, queried: dict[str, str]) -> TestResponse:
    """Accept every line awaiting a decision except those queried (measure -> comment)."""
    db.session.refresh(ret)
    form: dict[str, object] = {"version": ret.version}
    for line in ret.lines:
        if line.review is None:
            name = line.commitment.measure.name
            form[f"review-{line.id}"] = "queried" if name in queried else "accepted"
            form[f"comment-{line.id}"] = queried.get(name, "")
    response = client.submit(f"/council/returns/{ret.id}", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    return response


def test_a_fair_work_share_that_is_not_known_has_no_figure_and_says_why(
    world: World, as_supplier: PortalClient, ret: Return
) -> None:
    """PEOPLE give no pay, contract types or hours (they were uploaded before the contract
    asked for fair work), and no real Living Wage rate is in the table for the quarter: the
    shares are not known, so their lines stay without a figure (never a 0% that would raise a
    false flag) and the check page says what is missing."""
    from portal.data import contracts
    from portal.data.models import LivingWageRate
    from portal.workflows import returns as workflow

    upload_people(as_supplier, ret, schedule(PEOPLE))
    for code, target in (("LIVING_WAGE", 95), ("SECURE_WORK", 90)):
        measure = factories.measure(world.council, code)
        contracts.add_commitment(world.contract, measure, target=Decimal(target), by=world.manager)
    db.session.execute(delete(LivingWageRate))
    commit()
    as_supplier.get(f"/supplier/returns/{ret.id}")  # adds the new commitments' lines
    people = as_supplier.get(f"/supplier/returns/{ret.id}/workforce").get_data(as_text=True)
    assert people.count(">Not known</td>") == 2
    fill_lines(as_supplier, ret)
    refused = as_supplier.submit(
        f"/supplier/returns/{ret.id}/check", {"confirm": "y", "version": ret.version}
    ).get_data(as_text=True)
    db.session.refresh(ret)
    figures = {line.commitment.measure.code: line.figure for line in ret.lines}
    assert figures == {
        "LOCAL_HIRES": Decimal(2),
        "APPRENTICE_STARTS": Decimal(1),
        "OLDER_HIRES": Decimal(2),
        "LIVING_WAGE": None,
        "SECURE_WORK": None,
    }
    assert (
        "FTE paid at least the real Living Wage cannot be counted: the real Living Wage rate "
        "for this quarter is not in the portal yet. Ask the council to add it" in refused
    )
    assert refused.count("Not known<br>") == 2
    db.session.refresh(ret)
    assert ret.status is ReturnStatus.DRAFT
    # The page shows the first problem of the declaration; every one of them is this:
    assert [problem.message for problem in workflow.line_problems(ret)] == [
        "FTE paid at least the real Living Wage cannot be counted: the real Living Wage rate "
        "for this quarter is not in the portal yet. Ask the council to add it",
        "Enter the contract type and guaranteed weekly hours of the people on this contract "
        "to count FTE in secure work",
    ]


def test_a_share_typed_in_is_at_most_100_percent(
    as_supplier: PortalClient, world: World, ret: Return
) -> None:
    from portal.data import contracts, measures
    from portal.data.types import MeasureKind, MeasureUnit

    survey = measures.create(
        world.council.id,
        code="SURVEY",
        name="Staff who would recommend the job",
        unit=MeasureUnit.PERCENT,
        kind=MeasureKind.LEVEL,
        counting_rule="From the staff survey.",
        evidence_guidance="The survey results.",
        by=None,
    )
    contracts.add_commitment(world.contract, survey, target=Decimal(80), by=world.manager)
    commit()
    as_supplier.get(f"/supplier/returns/{ret.id}")  # adds the new commitment's line
    db.session.refresh(ret)
    line = next(item for item in ret.lines if item.commitment.measure.code == "SURVEY")
    url = f"/supplier/returns/{ret.id}/lines/{line.id}"
    typed = {"figure": "101", "narrative": "Survey in May", "version": ret.version}
    html = as_supplier.submit(url, typed).get_data(as_text=True)
    assert "The figure must be 100% or less" in html and 'value="101"' in html
    assert as_supplier.submit(url, typed | {"figure": "87.5"}).status_code == 302
    page = as_supplier.get(f"/supplier/returns/{ret.id}").get_data(as_text=True)
    assert "This quarter: 87.5%" in page


@pytest.mark.parametrize(
    ("derivation", "share", "message"),
    [
        (
            "living_wage",
            Share(None, None, 0, 0, 0, NotKnown.NO_DATA),
            "Pay 50+ cannot be counted: add the people on this contract this quarter",
        ),
        (
            "older_living_wage",
            Share(None, Decimal(0), 0, 0, 2, NotKnown.NO_DATA),
            "Enter the hourly pay of the people aged 50 and over on this contract to count Pay 50+",
        ),
        (
            "older_secure_work",
            Share(None, Decimal(0), 0, 0, 2, NotKnown.NO_DATA),
            "Enter the contract type and guaranteed weekly hours of the people aged 50 and over "
            "on this contract to count Pay 50+",
        ),
    ],
)
def test_a_share_that_is_not_known_says_what_would_make_it_known(
    derivation: str, share: Share, message: str
) -> None:
    from portal.data.types import WorkforceDerivation
    from portal.workflows.returns import _why_not_known

    assert _why_not_known(WorkforceDerivation(derivation), share, "Pay 50+") == message
