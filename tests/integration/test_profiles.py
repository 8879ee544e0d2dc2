"""Profiles always add up (issue 10, item 3): a change of target changes the profile in the same
step, a change of dates that breaks a profile sets it back to the even spread, and
`flask compliance verify` reports any profile that does not add up."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import event, select

from portal import calendar
from portal.data import audit, commit, contracts
from portal.data import compliance as store
from portal.data.models import AuditEvent, Commitment, Contract
from portal.data.types import MeasureKind
from portal.extensions import db
from portal.workflows import compliance
from tests import factories
from tests.conftest import World
from tests.support import PortalClient

# NCC-001 runs 1 April 2025 to 31 March 2028: twelve quarters. As of 1 December 2025, Q1 and Q2
# 2025/26 have fallen due.
AS_OF = date(2025, 12, 1)
QUARTERS = [(year, quarter) for year in (2025, 2026, 2027) for quarter in (1, 2, 3, 4)]
BOXES = [f"q-{year}-{quarter}" for year, quarter in QUARTERS]
# 30 local people: 5 in each of the first six quarters, none in the last six.
PROFILE = {q: Decimal(5) if i < 6 else Decimal(0) for i, q in enumerate(QUARTERS)}
PROFILE_BOXES = {box: "5" if i < 6 else "0" for i, box in enumerate(BOXES)}


def with_profile(world: World, code: str, target: Decimal, plan: dict) -> Commitment:
    commitment = next(c for c in world.contract.commitments if c.measure.code == code)
    commitment.target = target
    contracts.save_plan(commitment, plan, by=world.manager)
    compliance.refresh(store.all_contract_ids(), AS_OF)
    commit()
    return commitment


@pytest.fixture
def hires(world: World, monkeypatch: pytest.MonkeyPatch) -> Commitment:
    """Local people hired: a target of 30 with PROFILE, on 1 December 2025."""
    monkeypatch.setattr(calendar, "today", lambda: AS_OF)
    return with_profile(world, "LOCAL_HIRES", Decimal(30), PROFILE)


def change_url(commitment: Commitment) -> str:
    return f"/council/contracts/{commitment.contract_id}/commitments/{commitment.id}/edit"


def expected_to_date(commitment: Commitment) -> Decimal:
    return store.commitment_states(commitment.contract_id)[commitment.id].expected_to_date


def profile_of(commitment: Commitment) -> dict:
    db.session.expire_all()
    return contracts.profile_of(db.session.get(Commitment, commitment.id))  # type: ignore[arg-type]


def events(contract_id: int) -> list[tuple[str, str | None]]:
    return [(e.action, e.reason) for e in audit.contract_history(contract_id)]


def box(html: str, name: str) -> str:
    """The value of a text box on the page."""
    found = re.search(rf'<input[^>]* id="{name}"[^>]* value="([^"]*)"', html)
    assert found, f"no box {name}"
    return found.group(1)


def banner(html: str) -> str:
    """What the success banner says."""
    found = re.search(r'<p class="govuk-notification-banner__heading">(.*?)</p>', html, re.S)
    assert found, "no banner"
    return " ".join(found.group(1).split())


def error_on(html: str, name: str) -> str:
    """The error message shown on a field, as a screen reader reads it."""
    found = re.search(rf'<p id="{name}-error" class="govuk-error-message">(.*?)</p>', html, re.S)
    assert found, f"no error on {name}"
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())


def verify(app: Flask) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["compliance", "verify"])
    return result.exit_code, result.stdout  # the log line of the run goes to stderr


# Changing the target of a profiled commitment


def test_a_new_target_rescales_the_profile_by_default(
    app: Flask, as_manager: PortalClient, hires: Commitment
) -> None:
    form = as_manager.get(change_url(hires)).get_data(as_text=True)
    assert "What should happen to the quarterly profile?" in form
    assert 'name="profile" type="radio" value="rescale" checked' in form
    assert box(form, "q-2025-1") == "5" and box(form, "q-2026-3") == "0"  # the profile to edit
    assert expected_to_date(hires) == Decimal(10)  # Q1 and Q2 due: 5 + 5

    response = as_manager.submit(
        change_url(hires),
        {"target": "36", "note": "", "reason": "Scope extended", "profile": "rescale"}
        | PROFILE_BOXES,  # a browser sends the boxes too, hidden or not
        follow_redirects=True,
    )
    assert banner(response.get_data(as_text=True)) == (
        "Local people hired updated: its quarterly profile was rescaled to the target"
    )
    assert profile_of(hires) == {
        q: Decimal(6) if i < 6 else Decimal(0) for i, q in enumerate(QUARTERS)
    }
    assert hires.target == Decimal(36)
    assert expected_to_date(hires) == Decimal(12)  # the state follows the new profile
    profile, updated = [  # newest first
        e
        for e in audit.contract_history(hires.contract_id)
        if e.object_type == "commitment" and e.action in ("updated", "profile changed")
    ][:2]
    assert profile.action == "profile changed" and updated.action == "updated"
    assert updated.reason == profile.reason == "Scope extended"
    assert updated.before == {"target": "30.00", "note": ""}
    assert profile.before["2025 Q1"] == "5.00" and profile.after["2025 Q1"] == "6.00"
    assert verify(app) == (
        0,
        "Stored compliance matches the returns, and every quarterly profile adds up.\n",
    )


def test_new_figures_that_do_not_add_up_save_nothing(
    as_manager: PortalClient, hires: Commitment
) -> None:
    before = events(hires.contract_id)
    typed = {"target": "36", "note": "More to come", "reason": "Scope extended", "profile": "enter"}
    response = as_manager.submit(change_url(hires), typed | PROFILE_BOXES | {"q-2025-2": "5.5"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    message = "The quarters must add up to the target of 36; they add up to 30.5"
    assert f'href="#q-2025-1">{message}</a>' in html  # in the summary, linked to the field
    assert error_on(html, "q-2025-1") == f"Error: {message}"  # and on the field itself
    assert 'name="profile" type="radio" value="enter" checked' in html  # what was typed is kept
    assert box(html, "target") == "36" and box(html, "q-2025-2") == "5.5"
    assert "More to come</textarea>" in html
    db.session.expire_all()
    assert hires.target == Decimal(30) and hires.note == ""
    assert profile_of(hires) == PROFILE
    assert events(hires.contract_id) == before
    assert expected_to_date(hires) == Decimal(10)

    right = PROFILE_BOXES | {"q-2025-1": "11"}  # 6 more in the first quarter
    assert as_manager.submit(change_url(hires), typed | right).status_code == 302
    assert profile_of(hires)[(2025, 1)] == Decimal(11)
    assert expected_to_date(hires) == Decimal(16)


def test_every_problem_on_the_page_is_listed_in_order(
    as_manager: PortalClient, hires: Commitment
) -> None:
    typed = {"target": "thirty-six", "note": "", "reason": "", "profile": "enter"}
    html = as_manager.submit(change_url(hires), typed | PROFILE_BOXES | {"q-2026-1": ""}).get_data(
        as_text=True
    )
    summary = html.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    assert summary.index('href="#target"') < summary.index('href="#q-2026-1"')
    assert "Enter a figure for Q1 2026/27" in summary
    assert profile_of(hires) == PROFILE


def test_or_back_to_an_even_spread(as_manager: PortalClient, hires: Commitment) -> None:
    response = as_manager.submit(
        change_url(hires),
        {"target": "36", "note": "", "reason": "Scope extended", "profile": "even"},
        follow_redirects=True,
    )
    assert banner(response.get_data(as_text=True)) == (
        "Local people hired updated: it now uses an even spread over the contract"
    )
    assert profile_of(hires) == {}
    # The even spread: 36 x 183 days of 1,096 by the end of Q2.
    assert expected_to_date(hires) == Decimal("6.01")


def test_a_note_alone_leaves_the_profile_as_it_is(
    as_manager: PortalClient, hires: Commitment
) -> None:
    before = events(hires.contract_id)
    response = as_manager.submit(
        change_url(hires),
        {"target": "30", "note": "Agreed at kick-off", "reason": "", "profile": "rescale"},
        follow_redirects=True,
    )
    assert banner(response.get_data(as_text=True)) == "Local people hired updated"
    assert profile_of(hires) == PROFILE
    assert [action for action, _ in events(hires.contract_id)][: -len(before)] == ["updated"]


def test_a_level_profile_is_rescaled_in_proportion(
    as_manager: PortalClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(calendar, "today", lambda: AS_OF)
    fte = contracts.add_commitment(
        world.contract,
        factories.measure(world.council, "LOCAL_FTE"),
        target=Decimal(3),
        by=world.manager,
    )
    levels = {q: Decimal(2 + i % 3) for i, q in enumerate(QUARTERS)}  # 2, 3, 4, 2, 3, 4, ...
    contracts.save_plan(fte, levels, by=world.manager)
    commit()
    as_manager.submit(
        change_url(fte), {"target": "4.5", "note": "", "reason": "More hours", "profile": "rescale"}
    )
    assert list(profile_of(fte).values())[:3] == [Decimal(3), Decimal("4.5"), Decimal(6)]


def test_a_commitment_without_a_profile_is_not_asked(
    as_manager: PortalClient, world: World
) -> None:
    commitment = world.contract.commitments[0]
    html = as_manager.get(change_url(commitment)).get_data(as_text=True)
    assert 'name="profile"' not in html and "q-2025-1" not in html


def test_a_target_is_kept_to_the_penny(as_manager: PortalClient, hires: Commitment) -> None:
    html = as_manager.submit(
        change_url(hires), {"target": "36.125", "note": "", "reason": "x", "profile": "rescale"}
    ).get_data(as_text=True)
    assert "Target must have no more than 2 decimal places" in html


# Changing the contract's dates


def edit_dates(client: PortalClient, contract: Contract, start: str, end: str) -> str:
    response = client.submit(
        f"/council/contracts/{contract.id}/edit",
        {
            "reference": contract.reference,
            "title": contract.title,
            "supplier": contract.supplier_id,
            "new_supplier": "",
            "manager": contract.manager_id,
            "value": "1250000",
            "start_on": start.split(),
            "end_on": end.split(),
            "local_area": "",
            "kpi": "no",
        },
        follow_redirects=True,
    )
    return response.get_data(as_text=True)


def test_new_dates_that_break_a_profile_set_it_back_to_an_even_spread(
    app: Flask, as_manager: PortalClient, world: World, hires: Commitment
) -> None:
    with_profile(world, "APPRENTICE_STARTS", Decimal(12), {q: Decimal(1) for q in QUARTERS})
    html = edit_dates(as_manager, world.contract, "1 4 2025", "31 3 2029")  # a year longer
    assert banner(html) == (
        "Contract updated. Local people hired and Apprenticeship starts are back to an even "
        "spread: their quarterly profiles no longer fitted the new dates"
    )
    assert profile_of(hires) == {}
    reset = [(e.before, e.after, e.reason) for e in audit.history("commitment", hires.id)][0]
    assert reset == (
        {f"{y} Q{q}": f"{f}.00" for (y, q), f in PROFILE.items()},
        None,
        "The contract's dates changed: the profile no longer covered its quarters",
    )
    assert verify(app)[0] == 0


def test_new_dates_that_keep_the_quarters_keep_the_profile(
    as_manager: PortalClient, world: World, hires: Commitment
) -> None:
    html = edit_dates(as_manager, world.contract, "15 4 2025", "31 3 2028")  # still Q1 2025/26
    assert banner(html) == "Contract updated"
    assert profile_of(hires) == PROFILE


# Verifying


def test_verify_reports_a_profile_that_does_not_add_up(app: Flask, world: World) -> None:
    hires = with_profile(world, "LOCAL_HIRES", Decimal(36), PROFILE)  # as the old edit left it
    fte = contracts.add_commitment(
        world.contract,
        factories.measure(world.council, "LOCAL_FTE"),
        target=Decimal(3),
        by=world.manager,
    )
    contracts.save_plan(fte, {q: Decimal(1) for q in QUARTERS}, by=world.manager)  # a level
    compliance.refresh_contract(world.contract.id, AS_OF)
    commit()
    assert verify(app) == (
        1,
        "NCC-001: the quarterly profile of Local people hired adds up to 30, not its target "
        "of 36\n",
    )
    hires.target = Decimal(30)
    commit()
    assert verify(app)[0] == 0


def test_verify_reads_profiles_in_batches(world: World) -> None:
    def profiled(batch: int) -> tuple[list[int], int]:
        """The profiled commitments found, and the number of queries it took."""
        queries = 0

        def count(*_: object) -> None:
            nonlocal queries
            queries += 1

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            found = contracts.profiled_commitments(MeasureKind.CUMULATIVE, batch=batch)
            return [c.id for c in found], queries
        finally:
            event.remove(db.engine, "before_cursor_execute", count)

    for _ in range(5):
        contract = factories.contract(world.council, world.supplier, world.manager)
        contracts.save_plan(contract.commitments[0], {(2025, 1): Decimal(12)}, by=world.manager)
    commit()
    everything = sorted(db.session.scalars(select(Commitment.id).join(Commitment.plan).distinct()))
    assert profiled(500) == (everything, 2)  # the commitments, then their profiles
    assert profiled(2)[0] == everything
    assert profiled(2)[1] == 6  # three batches of two queries


def test_no_audit_event_is_written_when_nothing_changed(world: World) -> None:
    commitment = with_profile(world, "LOCAL_HIRES", Decimal(30), PROFILE)
    count = len(list(db.session.scalars(select(AuditEvent))))
    assert not contracts.save_plan(commitment, dict(PROFILE), by=world.manager)
    commit()
    assert len(list(db.session.scalars(select(AuditEvent)))) == count
    assert profile_of(commitment) == PROFILE
