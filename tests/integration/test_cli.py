"""The commands a newcomer and an operator run."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

from flask import Flask
from sqlalchemy import func, select

from portal.data import living_wage, users
from portal.data.models import (
    Commitment,
    CommitmentState,
    Contract,
    Flag,
    Measure,
    Organisation,
    Payee,
    Return,
    SpendFile,
    User,
    WorkforceEntry,
)
from portal.data.types import (
    FlagKind,
    FlagStatus,
    MeasureUnit,
    OrganisationKind,
    PlanStatus,
    ReturnStatus,
    Role,
)
from portal.domain.compliance import Status
from portal.domain.counting import AgeBand
from portal.extensions import db
from tests.support import PortalClient


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_create_admin_makes_the_council_catalogue_and_first_administrator(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "First@Council.example",
            "--name",
            "Ada First",
            "--password",
            "a long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    admin = users.get_by_email("first@council.example")
    assert admin is not None and admin.role is Role.ADMINISTRATOR
    assert admin.organisation.kind is OrganisationKind.COUNCIL
    assert users.authenticate("first@council.example", "a long enough password") is not None
    again = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "first@council.example",
            "--name",
            "Ada",
            "--password",
            "a long enough password",
        ]
    )
    assert again.exit_code != 0 and "already has an account" in again.output


def test_create_admin_refuses_a_short_password(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "a@b.example", "--name", "A", "--password", "short"]
    )
    assert result.exit_code != 0 and "12 characters" in result.output


def test_seed_demo_loads_a_believable_council_once(app: Flask, client: PortalClient) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--password", "another demo password"])
    assert result.exit_code == 0, result.output
    assert "admin@northmoor.example" in result.output
    assert "priya.shah@northmoor.example" in result.output
    suppliers = db.session.scalar(
        select(func.count()).where(Organisation.kind == OrganisationKind.SUPPLIER)
    )
    assert suppliers == 20
    assert count(Contract) == 40 and count(Commitment) >= 120
    assert count(User) >= 9
    statuses = set(db.session.scalars(select(Return.status).distinct()))
    assert statuses == set(ReturnStatus)  # every state a manager meets
    assert count(WorkforceEntry) > 100
    # Recovery plans at each point of the conversation, one raised a step for a late action.
    plans = set(db.session.scalars(select(Flag.plan_status).distinct()))
    assert plans == set(PlanStatus)
    assert db.session.scalar(select(func.count()).where(Flag.escalated_on.is_not(None))) == 1
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "not loaded again" in again.output and count(Contract) == 40
    # The printed sign-ins work with the given password.
    token = client.csrf_token("/sign-in")
    response = client.post(
        "/sign-in",
        data={
            "csrf_token": token,
            "email": "priya.shah@northmoor.example",
            "password": "another demo password",
        },
    )
    assert response.headers["Location"] == "/council/"
    listing = client.get("/council/contracts").get_data(as_text=True)
    assert "NCC-" in listing
    assert "Living Wage employer</strong>" in listing  # accredited suppliers are tagged

    # Fair work, checked here rather than seeding the demo again (it takes a while).
    demo_pay_has_a_believable_spread()
    refresh = runner.invoke(args=["compliance", "refresh"])
    assert refresh.exit_code == 0 and "0 states changed" in refresh.output, refresh.output
    demo_fair_work_commitments_are_on_track_behind_and_off_track()
    verify = runner.invoke(args=["compliance", "verify"])
    assert verify.exit_code == 0, verify.output

    # Spend, checked here too.
    demo_spend_is_loaded_and_partly_classified(client)


def demo_spend_is_loaded_and_partly_classified(client: PortalClient) -> None:
    """Two years of monthly files, one in each layout; the portal suppliers matched; some
    payees classified, some left for someone; the analysis shows both years."""
    files = db.session.scalars(select(SpendFile).order_by(SpendFile.first_paid_on)).all()
    assert len(files) == 24
    assert files[0].filename == "spend-2024-04.csv" and files[-1].filename == "Spend_Mar_2026.csv"
    assert sum(f.payments for f in files) == 4_800
    payees = db.session.scalars(select(Payee)).all()
    matched = [p for p in payees if p.organisation_id is not None]
    assert len(matched) == 20  # every portal supplier, its capitalised spelling joined to it
    assert any(not p.organisation_confirmed for p in matched)  # some left to confirm
    assert any(p.postcode for p in payees) and any(p.postcode is None for p in payees)
    page = client.get("/council/spend").get_data(as_text=True)
    assert ">2024/25</th>" in page and ">2025/26</th>" in page
    assert "in the wider area (Greater Northmoor)" in page


def demo_pay_has_a_believable_spread() -> None:
    """Judged here against the rate in force for each quarter, FTE weighted by hours and share
    (independently of the counting module): most at or above the real Living Wage, some care and
    cleaning contracts below it, the 50+ more often low paid (about a fifth), a few suppliers
    leaning on zero-hours and casual contracts, accredited employers paying everyone the rate."""
    rates: dict[tuple[int, date], Decimal | None] = {}
    fte: dict[bool, Decimal] = defaultdict(Decimal)  # by aged 50 or over
    low: dict[bool, Decimal] = defaultdict(Decimal)
    by_contract: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    heads: Counter[str] = Counter()
    insecure: Counter[str] = Counter()
    accredited_low = 0
    query = (
        select(WorkforceEntry, Return, Contract, Organisation)
        .join(Return, Return.id == WorkforceEntry.return_id)
        .join(Contract, Contract.id == Return.contract_id)
        .join(Organisation, Organisation.id == Contract.supplier_id)
    )
    for entry, ret, contract, supplier in db.session.execute(query):
        assert entry.hourly_pay is not None and entry.contract_type is not None
        assert entry.guaranteed_hours is not None
        key = (contract.id, ret.period_starts_on)
        if key not in rates:
            rates[key] = living_wage.rate_for(contract, ret.period_starts_on, ret.period_ends_on)
        rate = rates[key]
        assert rate is not None
        weight = min(entry.weekly_hours, Decimal(37)) / 37 * entry.share_on_contract
        below = entry.hourly_pay < rate
        older = entry.age_band in (AgeBand.AGE_50_64, AgeBand.AGE_65_PLUS)
        fte[older] += weight
        low[older] += weight * below
        by_contract[supplier.name][0] += weight
        by_contract[supplier.name][1] += weight * below
        heads[supplier.name] += 1
        insecure[supplier.name] += entry.contract_type in ("zero-hours", "casual")
        accredited_low += supplier.is_living_wage_employer and below
    assert sum(low.values()) / sum(fte.values()) < Decimal("0.12")  # most at or above
    below_by_supplier = {name: low / all_ for name, (all_, low) in by_contract.items()}
    low_payers = {name for name, share in below_by_supplier.items() if share > Decimal("0.2")}
    assert {"Mancunian Care Partnership", "Oakfield Cleaning Services"} <= low_payers
    assert len(low_payers) <= 3
    older_low, younger_low = low[True] / fte[True], low[False] / fte[False]
    assert Decimal("0.14") < older_low < Decimal("0.28") and older_low > 2 * younger_low
    zero_hours_heavy = {name for name in heads if insecure[name] / heads[name] > 0.3}
    assert zero_hours_heavy == {
        "Castlefield Events CIC",
        "Mancunian Care Partnership",
        "Quayside Security Group",
    }
    assert accredited_low == 0


def demo_fair_work_commitments_are_on_track_behind_and_off_track() -> None:
    query = (
        select(CommitmentState)
        .join(Measure, Measure.id == CommitmentState.measure_id)
        .where(Measure.unit == MeasureUnit.PERCENT)
    )
    states = db.session.scalars(query).all()
    assert len(states) >= 6
    by_status = Counter(state.status for state in states)
    assert by_status[Status.ON_TRACK] and by_status[Status.BEHIND] and by_status[Status.OFF_TRACK]
    live = (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED)
    shortfalls = select(Flag.key).where(Flag.kind == FlagKind.SHORTFALL, Flag.status.in_(live))
    flagged_keys = set(db.session.scalars(shortfalls))
    for state in states:
        flagged = f"shortfall:{state.commitment_id}" in flagged_keys
        assert flagged == (state.status in (Status.BEHIND, Status.OFF_TRACK)), state.status
