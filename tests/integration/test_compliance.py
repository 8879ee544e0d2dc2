"""Stored compliance end to end: a hand-worked portfolio, flags through their lifecycle,
refresh and verify, the dashboard and the exports agreeing with the screen."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

from flask import Flask
from sqlalchemy import select

from portal import calendar
from portal.data import commit, contracts, dashboard, flags, recovery, returns
from portal.data import compliance as store
from portal.data.models import CommitmentState, Contract, Flag, Return
from portal.data.types import FlagKind, FlagSeverity, FlagStatus, Rating, ReturnStatus, Status
from portal.domain.periods import reporting_periods
from portal.domain.reviews import LineDecision, LineReview
from portal.extensions import db
from portal.workflows import compliance
from tests import factories
from tests.conftest import World, sign_in_as
from tests.support import PortalClient

# NCC-001 runs 1 April 2025 to 31 March 2028: 1,096 days, 12 quarters, targets of 12 each.
# As of 1 December 2025, Q1 (due 30 July) and Q2 (due 30 October) have fallen due: they end on
# 30 September 2025, day 183 of the contract, so 12 x 183 / 1096 = 2.0036 is expected to date.
AS_OF = date(2025, 12, 1)


def accepted_return(
    contract: Contract,
    quarter: int,
    figures: dict[str, Decimal],
    world: World,
    *,
    review: bool = True,
    as_of: date = AS_OF,
) -> Return:
    period = reporting_periods(contract.start_on, contract.end_on)[quarter - 1]
    ret = returns.start(contract, period, by=world.supplier_user)
    for line in ret.lines:
        line.figure = figures[line.commitment.measure.code]
        line.narrative = "Done"
        line.nil_reason = "None" if line.figure == 0 else None
    returns.submit(ret, by=world.supplier_user, declaration="ok", workforce_records=0, evidence=[])
    if review:
        returns.review(
            ret,
            [LineDecision(line.id, LineReview.ACCEPTED, "") for line in ret.lines],
            by=world.manager,
            expected_version=ret.version,
        )
    compliance.refresh_contract(contract.id, as_of)  # as the workflows do, in one transaction
    return ret


def state_of(contract: Contract, code: str) -> CommitmentState:
    states = store.commitment_states(contract.id)
    commitment = next(c for c in contract.commitments if c.measure.code == code)
    return states[commitment.id]


def test_a_hand_worked_contract(world: World) -> None:
    contract = world.contract
    accepted_return(
        contract,
        1,
        {"LOCAL_HIRES": Decimal(1), "APPRENTICE_STARTS": Decimal(2), "OLDER_HIRES": Decimal(0)},
        world,
    )
    accepted_return(
        contract,
        2,
        {"LOCAL_HIRES": Decimal(1), "APPRENTICE_STARTS": Decimal(1), "OLDER_HIRES": Decimal(1)},
        world,
        review=False,
    )
    compliance.refresh([contract.id], AS_OF)
    commit()
    hires = state_of(contract, "LOCAL_HIRES")
    assert hires.expected_to_date == Decimal("2.00")  # 12 x 183 / 1096 = 2.0036
    assert hires.delivered == Decimal(1) and hires.pending == Decimal(1)  # Q2 not yet reviewed
    assert hires.delivery_pct == Decimal("49.91")  # 1 / 2.0036
    assert hires.status is Status.OFF_TRACK and hires.shortfall == Decimal("1.00")
    starts = state_of(contract, "APPRENTICE_STARTS")
    assert starts.delivered == Decimal(2) and starts.status is Status.BEHIND  # 99.8%
    older = state_of(contract, "OLDER_HIRES")
    assert older.delivered == Decimal(0) and older.status is Status.OFF_TRACK
    # Rating: mean of 49.91, 99.82 and 0 (each capped at 100) = 49.9: Inadequate.
    contract_state = store.contract_state(contract.id)
    assert contract_state is not None
    assert contract_state.rating is Rating.INADEQUATE
    assert contract_state.mean_pct == Decimal("49.91")
    assert contract_state.overdue_returns == 0  # Q2 was submitted on time
    kinds = sorted(f.kind.value for f in flags.for_contract(contract.id))
    assert kinds == ["shortfall", "shortfall", "shortfall"]


def test_accepting_a_return_updates_the_stored_state_in_the_same_transaction(
    app: Flask, world: World, as_manager: PortalClient
) -> None:
    ret = accepted_return(
        world.contract,
        1,
        {"LOCAL_HIRES": Decimal(3), "APPRENTICE_STARTS": Decimal(3), "OLDER_HIRES": Decimal(3)},
        world,
        review=False,
    )
    commit()
    accept = {f"review-{line.id}": "accepted" for line in ret.lines}
    as_manager.submit(f"/council/returns/{ret.id}", accept | {"version": ret.version})
    db.session.expire_all()
    hires = state_of(world.contract, "LOCAL_HIRES")
    assert hires.delivered == Decimal(3) and hires.pending == Decimal(0)


def test_flags_resolve_themselves_and_say_so(world: World) -> None:
    compliance.refresh([world.contract.id], AS_OF)
    commit()
    overdue = {
        f.key: f for f in flags.for_contract(world.contract.id) if f.kind is FlagKind.OVERDUE_RETURN
    }
    assert set(overdue) == {
        f"overdue:{world.contract.id}:2025-1",
        f"overdue:{world.contract.id}:2025-2",
    }
    accepted_return(
        world.contract,
        1,
        {code: Decimal(2) for code in ("LOCAL_HIRES", "APPRENTICE_STARTS", "OLDER_HIRES")},
        world,
    )
    commit()
    q1 = overdue[f"overdue:{world.contract.id}:2025-1"]
    db.session.refresh(q1)
    assert q1.status is FlagStatus.RESOLVED
    assert q1.resolution == "Resolved itself: the return was submitted"


def test_refresh_twice_changes_nothing_the_second_time(app: Flask, world: World) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["compliance", "refresh", "--as-of", "2025-12-01"])
    assert first.exit_code == 0 and "0 states changed" not in first.output
    second = runner.invoke(args=["compliance", "refresh", "--as-of", "2025-12-01"])
    assert "0 states changed, 0 flags raised, 0 resolved" in second.output


def test_verify_finds_a_tampered_state(app: Flask, world: World) -> None:
    runner = app.test_cli_runner()
    runner.invoke(args=["compliance", "refresh"])
    assert runner.invoke(args=["compliance", "verify"]).exit_code == 0
    state = db.session.scalars(select(CommitmentState)).first()
    assert state is not None
    state.delivered = Decimal("999")
    commit()
    result = runner.invoke(args=["compliance", "verify"])
    assert result.exit_code == 1
    assert "delivered stored Decimal('999.00'), recomputed Decimal('0.00')" in result.output


def test_a_changed_target_moves_the_state_with_it(world: World, as_manager: PortalClient) -> None:
    accepted_return(
        world.contract,
        1,
        {code: Decimal(1) for code in ("LOCAL_HIRES", "APPRENTICE_STARTS", "OLDER_HIRES")},
        world,
        as_of=calendar.today(),
    )
    commit()
    commitment = next(c for c in world.contract.commitments if c.measure.code == "LOCAL_HIRES")
    before = state_of(world.contract, "LOCAL_HIRES").expected_to_date
    as_manager.submit(
        f"/council/contracts/{world.contract.id}/commitments/{commitment.id}/edit",
        {"target": "24", "note": "", "reason": "Extended scope"},
    )
    db.session.expire_all()
    assert state_of(world.contract, "LOCAL_HIRES").expected_to_date == (before * 2).quantize(
        Decimal("0.01")
    )


def test_flag_lifecycle_recovery_plan_then_waiver(app: Flask, world: World) -> None:
    compliance.refresh([world.contract.id], AS_OF)
    commit()
    flag = next(f for f in flags.for_contract(world.contract.id) if f.kind is FlagKind.SHORTFALL)
    supplier = sign_in_as(app, world.supplier_user)
    soon = date.today() + timedelta(days=90)
    past = supplier.submit(
        f"/supplier/flags/{flag.id}",
        {"action": "Recruit", "owner": "Site manager", "due_on": ["1", "1", "2020"]},
    )
    assert "must be today or in the future" in past.get_data(as_text=True)
    empty = supplier.submit(f"/supplier/flags/{flag.id}", {"action": "", "owner": ""})
    assert "Enter the action you will take" in empty.get_data(as_text=True)
    supplier.submit(
        f"/supplier/flags/{flag.id}",
        {
            "action": "Recruit through the jobs fair",
            "owner": "Site manager",
            "due_on": [str(soon.day), str(soon.month), str(soon.year)],
            "version": flag.plan_version,
        },
    )
    db.session.refresh(flag)
    assert flag.status is FlagStatus.ACKNOWLEDGED and flag.actions[0].owner == "Site manager"
    manager = sign_in_as(app, world.manager)
    manager.submit(f"/council/flags/{flag.id}", {"reason": "Agreed variation"})
    db.session.refresh(flag)
    assert flag.status is FlagStatus.WAIVED and flag.waived_reason == "Agreed variation"
    # A waived flag stays waived when the condition still holds.
    compliance.refresh([world.contract.id], AS_OF)
    db.session.refresh(flag)
    assert flag.status is FlagStatus.WAIVED
    other = sign_in_as(app, world.other_supplier_user)
    assert other.get(f"/supplier/flags/{flag.id}").status_code == 404


def test_dashboard_and_exports_agree(world: World, as_manager: PortalClient) -> None:
    compliance.refresh([world.contract.id, world.other_supplier_contract.id], AS_OF)
    commit()
    html = as_manager.get("/council/?show=all").get_data(as_text=True)
    assert ">2</dd>" in html  # two contracts in this council
    open_flags = db.session.scalars(
        select(Flag)
        .join(Contract, Contract.id == Flag.contract_id)
        .where(Contract.council_id == world.council.id, Flag.status == FlagStatus.OPEN)
    ).all()
    response = as_manager.get("/council/flags/export.csv?status=open&manager=")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == len(open_flags) > 0
    assert {row["Summary"] for row in rows} == {flag.summary for flag in open_flags}
    statuses = as_manager.get("/council/commitments/export.csv")
    lines = list(csv.DictReader(io.StringIO(statuses.get_data(as_text=True).lstrip("\ufeff"))))
    stored = {s.commitment_id: s for s in db.session.scalars(select(CommitmentState))}
    assert len(lines) == len(stored)
    assert {Decimal(line["Expected to date"]) for line in lines} == {
        s.expected_to_date for s in stored.values()
    }
    assessment = as_manager.get(f"/council/contracts/{world.contract.id}/assessment.csv")
    kpis = list(csv.DictReader(io.StringIO(assessment.get_data(as_text=True).lstrip("\ufeff"))))
    assert [k["KPI"] for k in kpis] == [
        "Local people hired",
        "Apprenticeship starts",
        "Older workers hired (50+)",
    ]


def test_the_dashboard_makes_the_same_queries_whatever_the_size(
    world: World, as_manager: PortalClient
) -> None:
    from tests.integration.test_contracts import queries_for

    compliance.refresh([c.id for c in db.session.scalars(select(Contract))], AS_OF)
    commit()
    small = queries_for(as_manager, "/council/?show=all")
    for number in range(40):
        factories.contract(
            world.council,
            world.supplier,
            world.manager,
            reference=f"MORE-{number}",
            codes=("LOCAL_HIRES", "OLDER_HIRES"),
        )
    commit()
    compliance.refresh([c.id for c in db.session.scalars(select(Contract))], AS_OF)
    commit()
    assert queries_for(as_manager, "/council/?show=all") == small
    assert queries_for(as_manager, "/council/flags?manager=") == queries_for(
        as_manager, "/council/flags?manager=&severity=high"
    )


def test_the_flags_list_finds_suppliers_by_name_most_severe_and_newest_first(
    world: World, as_manager: PortalClient
) -> None:
    compliance.refresh([world.contract.id, world.other_supplier_contract.id], AS_OF)
    for severity in (FlagSeverity.LOW, FlagSeverity.MEDIUM):
        flags.raise_flag(
            f"test:{severity.value}",
            kind=FlagKind.QUERIED_EVIDENCE,
            severity=severity,
            contract_id=world.contract.id,
            summary=f"A {severity.value} flag",
        )
    commit()
    rank = {"high": 0, "medium": 1, "low": 2}
    acme = sorted(
        db.session.scalars(
            select(Flag).where(
                Flag.contract_id == world.contract.id, Flag.status == FlagStatus.OPEN
            )
        ),
        key=lambda flag: (rank[flag.severity.value], -flag.raised_at.timestamp(), -flag.id),
    )
    assert len({flag.severity for flag in acme}) == 3  # so that the order is tested
    html = as_manager.get("/council/flags?manager=&supplier=ACME+gr").get_data(as_text=True)
    listed = re.findall(r'href="/council/flags/(\d+)"', html)
    assert listed == [str(flag.id) for flag in acme]
    assert "NCC-002" not in html
    nobody = as_manager.get("/council/flags?manager=&supplier=nobody").get_data(as_text=True)
    assert "No flags match these filters" in nobody


def test_the_supplier_overview(world: World, as_supplier: PortalClient) -> None:
    compliance.refresh([world.contract.id], AS_OF)
    commit()
    html = as_supplier.get("/supplier/").get_data(as_text=True)
    assert "Flags to answer" in html and "NCC-001" in html
    assert "NCC-002" not in html  # another supplier's contract
    assert contracts.get_for(world.supplier_user, world.other_supplier_contract.id) is None
    assert ReturnStatus.DRAFT  # (returns to change are listed when changes are requested)


def test_the_status_filter_can_choose_open_alone(world: World, as_manager: PortalClient) -> None:
    """ "Open" and "Open or acknowledged" were one value, so "Open" alone could not be chosen
    (and the page had two options selected)."""
    compliance.refresh([world.contract.id], AS_OF)
    commit()
    raised = flags.for_contract(world.contract.id)
    assert len(raised) >= 2
    acknowledged = raised[0]
    recovery.add_action(
        acknowledged,
        action="Recruit",
        owner="Site manager",
        due_on=AS_OF,
        by=world.supplier_user,
        expected_version=acknowledged.plan_version,
    )
    commit()

    def shown(status: str | None) -> tuple[set[str], list[str]]:
        query = f"&status={status}" if status is not None else ""
        html = as_manager.get(f"/council/flags/export.csv?manager={query}").get_data(as_text=True)
        rows = csv.DictReader(io.StringIO(html.lstrip("\ufeff")))
        page = as_manager.get(f"/council/flags?manager={query}").get_data(as_text=True)
        chosen = re.findall(r'<option value="([^"]*)" selected>', page)
        return {row["Summary"] for row in rows}, chosen

    everything = {flag.summary for flag in raised}
    assert shown(None) == (everything, ["open-or-acknowledged"])
    assert shown("open") == (everything - {acknowledged.summary}, ["open"])
    assert shown("acknowledged") == ({acknowledged.summary}, ["acknowledged"])
    assert shown("nonsense")[1] == ["open-or-acknowledged"]


def test_a_fair_work_shortfall_raises_a_flag(world: World, as_manager: PortalClient) -> None:
    """ "At least 95% of FTE paid the real Living Wage in every quarter": Q1 96% and Q2 88%
    accepted give a mean of 92%, 92 / 95 = 96.84% of the level: behind, so a shortfall flag,
    with the shares written as people write them."""
    contract = factories.contract(
        world.council, world.supplier, world.manager, reference="NCC-FW", codes=()
    )
    measure = factories.measure(world.council, "LIVING_WAGE")
    contracts.add_commitment(contract, measure, target=Decimal(95), by=world.manager)
    commit()
    accepted_return(contract, 1, {"LIVING_WAGE": Decimal(96)}, world)
    accepted_return(contract, 2, {"LIVING_WAGE": Decimal(88)}, world)
    commit()
    state = state_of(contract, "LIVING_WAGE")
    assert state.delivered == Decimal(92) and state.expected_to_date == Decimal(95)
    assert state.status is Status.BEHIND and state.shortfall == Decimal(3)
    [flag] = flags.for_contract(contract.id)
    assert flag.kind is FlagKind.SHORTFALL and flag.severity is FlagSeverity.MEDIUM
    assert flag.summary == (
        "FTE paid at least the real Living Wage: 92% on average against 95% expected (96.8% of it)"
    )
    page = as_manager.get(f"/council/contracts/{contract.id}").get_data(as_text=True)
    assert ">95%<" in page and ">92%" in page
    assert not re.search(r"\d %|£9[25]\b", page)  # never "95 %" or "£95"
    # Shares of different contracts' FTE are never added up into a portfolio total.
    totals = dashboard.portfolio(world.council.id).year_totals
    assert measure.name not in [total.name for total in totals]
    # Q3 at 100% and Q4 at 96% bring the mean to (96 + 88 + 100 + 96) / 4 = 95%: on track,
    # and the flag resolves itself.
    accepted_return(contract, 3, {"LIVING_WAGE": Decimal(100)}, world, as_of=date(2026, 5, 1))
    accepted_return(contract, 4, {"LIVING_WAGE": Decimal(96)}, world, as_of=date(2026, 5, 1))
    commit()
    assert state_of(contract, "LIVING_WAGE").status is Status.ON_TRACK
    db.session.refresh(flag)
    assert flag.status is FlagStatus.RESOLVED
