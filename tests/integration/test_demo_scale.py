"""`flask seed-demo --scale`: a big council in bulk, at a tiny scale for the test."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from portal.calendar import periods_of, today
from portal.data import users
from portal.data.models import (
    Commitment,
    CommitmentState,
    Contract,
    Flag,
    Measure,
    Organisation,
    Return,
    ReturnLine,
    ReturnSubmission,
    User,
)
from portal.data.types import (
    FlagKind,
    FlagStatus,
    MeasureUnit,
    OrganisationKind,
    ReturnStatus,
    Role,
)
from portal.demo_scale import FAIR_WORK_TARGETS, SCALES
from portal.domain.compliance import Status
from portal.extensions import db

PASSWORD = "a scale demo password"


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_seed_demo_at_scale_builds_returns_in_every_state_and_stored_compliance(
    app: Flask,
) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--scale", "tiny", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert "contracts: 30 in" in result.output  # progress, with counts and timings

    tiny = SCALES["tiny"]
    suppliers = select(func.count()).where(Organisation.kind == OrganisationKind.SUPPLIER)
    assert db.session.scalar(suppliers) == tiny.suppliers
    assert count(Contract) == tiny.contracts
    roles = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    assert roles == {
        Role.ADMINISTRATOR: 1,
        Role.CONTRACT_MANAGER: 2,
        Role.SUPPLIER_USER: tiny.suppliers,
    }
    # The three people measures on every contract, and fair work on some.
    promised = dict(
        db.session.execute(
            select(Measure.code, func.count()).join(Commitment.measure).group_by(Measure.code)
        ).all()
    )
    people = {"APPRENTICE_STARTS", "LOCAL_HIRES", "OLDER_HIRES"}
    assert {code: promised[code] for code in people} == dict.fromkeys(people, tiny.contracts)
    assert set(promised) - people == set(FAIR_WORK_TARGETS)
    assert 0 < promised["LIVING_WAGE"] < tiny.contracts / 2
    accredited = select(func.count()).where(Organisation.is_living_wage_employer)
    assert 0 < (db.session.scalar(accredited) or 0) < tiny.suppliers / 2

    # Every period due before today has a return, except a few deliberately missing ones,
    # and each of those is flagged as overdue.
    due = {
        (contract.id, period.financial_year, period.quarter)
        for contract in db.session.scalars(select(Contract))
        for period in periods_of(contract)
        if period.due_on < today()
    }
    returned = {
        (contract_id, year, quarter)
        for contract_id, year, quarter in db.session.execute(
            select(Return.contract_id, Return.financial_year, Return.quarter)
        )
    }
    assert returned <= due
    missing = due - returned
    assert 0 < len(missing) < len(due) / 10
    assert f"{len(missing)} missing" in result.output
    overdue = set(
        db.session.scalars(
            select(Flag.key).where(
                Flag.kind == FlagKind.OVERDUE_RETURN, Flag.status == FlagStatus.OPEN
            )
        )
    )
    assert {f"overdue:{c}:{year}-{quarter}" for c, year, quarter in missing} <= overdue

    statuses = dict(
        db.session.execute(select(Return.status, func.count()).group_by(Return.status)).all()
    )
    assert set(statuses) == set(ReturnStatus)
    assert statuses[ReturnStatus.ACCEPTED] > sum(statuses.values()) / 2  # mostly accepted
    lines_due = (  # a line for every commitment of the return's contract
        select(func.count())
        .select_from(Return)
        .join(Commitment, Commitment.contract_id == Return.contract_id)
    )
    assert count(ReturnLine) == db.session.scalar(lines_due)
    misplaced = (
        select(func.count())
        .select_from(ReturnLine)
        .join(Return, Return.id == ReturnLine.return_id)
        .join(Commitment, Commitment.id == ReturnLine.commitment_id)
        .where(Commitment.contract_id != Return.contract_id)
    )
    assert db.session.scalar(misplaced) == 0  # each line is on its own contract's return
    # One submission for every return that was sent, decided for the reviewed ones.
    sent = sum(n for status, n in statuses.items() if status is not ReturnStatus.DRAFT)
    assert count(ReturnSubmission) == sent
    for column in (ReturnSubmission.outcome, ReturnSubmission.decided_at, ReturnSubmission.review):
        undecided = select(func.count()).where(column.is_(None))  # SQL NULL, not a JSON null
        assert db.session.scalar(undecided) == statuses[ReturnStatus.SUBMITTED]
    figures = select(func.sum(ReturnLine.figure))
    assert (db.session.scalar(figures) or 0) > 0
    # Fair-work shares are percentages, below 100% where someone is paid below the rate or
    # insecure; and some commitments fall short of them while others are on track.
    shares = (
        select(func.min(ReturnLine.figure), func.max(ReturnLine.figure))
        .join(Commitment, Commitment.id == ReturnLine.commitment_id)
        .join(Measure, Measure.id == Commitment.measure_id)
        .where(Measure.unit == MeasureUnit.PERCENT)
    )
    lowest, highest = db.session.execute(shares).one()
    assert 0 < lowest < 90 and highest == 100
    fair_states = set(
        db.session.scalars(
            select(CommitmentState.status)
            .join(Measure, Measure.id == CommitmentState.measure_id)
            .where(Measure.unit == MeasureUnit.PERCENT)
        )
    )
    assert {Status.ON_TRACK, Status.BEHIND} <= fair_states

    # The one password hash works for everyone.
    supplier_user = db.session.scalar(select(User).where(User.role == Role.SUPPLIER_USER))
    assert supplier_user is not None and supplier_user.email.startswith("returns@")
    assert users.authenticate(supplier_user.email, PASSWORD) is not None
    assert users.authenticate("priya.shah@northmoor.example", PASSWORD) is not None
    db.session.remove()

    # The stored compliance is what a recomputation gives, and up to date.
    verify = runner.invoke(args=["compliance", "verify"])
    assert verify.exit_code == 0, verify.output
    refresh = runner.invoke(args=["compliance", "refresh"])
    assert refresh.exit_code == 0, refresh.output
    assert "0 states changed" in refresh.output

    again = runner.invoke(args=["seed-demo", "--scale", "tiny", "--if-empty"])
    assert "not loaded again" in again.output and count(Contract) == tiny.contracts


def test_seed_demo_refuses_an_unknown_scale(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["seed-demo", "--scale", "london"])
    assert result.exit_code != 0 and "manchester, x10" in result.output
    assert count(User) == 0
