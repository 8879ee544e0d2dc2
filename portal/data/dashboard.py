"""The contract managers' portfolio view, read from the stored compliance states: a fixed
number of aggregate queries whatever the number of contracts or returns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Result, func, select

from portal.data.models import (
    Commitment,
    CommitmentState,
    Contract,
    ContractState,
    Flag,
    Measure,
    Return,
)
from portal.data.types import FlagSeverity, FlagStatus, MeasureUnit, ReturnStatus, Status
from portal.extensions import db


@dataclass(frozen=True)
class Portfolio:
    contracts: int
    commitments_by_status: dict[Status, int]
    open_flags_by_severity: dict[FlagSeverity, int]
    awaiting_review: int
    overdue_returns: int

    @property
    def commitments_assessed(self) -> int:
        return sum(n for s, n in self.commitments_by_status.items() if s is not Status.NOT_YET_DUE)

    @property
    def on_track_pct(self) -> Decimal | None:
        assessed = self.commitments_assessed
        if not assessed:
            return None
        on_track = self.commitments_by_status.get(Status.ON_TRACK, 0)
        return (Decimal(on_track) * 100 / assessed).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class MeasureTotal:
    name: str
    unit: MeasureUnit
    committed: Decimal
    delivered: Decimal
    financial_year: int


def _contracts(council_id: int, manager_id: int | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Contract.council_id == council_id]
    if manager_id is not None:
        conditions.append(Contract.manager_id == manager_id)
    return conditions


def _pairs(rows: Iterable[Any]) -> dict[Any, int]:
    return {key: count for key, count in rows}


def portfolio(council_id: int, manager_id: int | None = None) -> Portfolio:
    where = _contracts(council_id, manager_id)
    contracts = db.session.scalar(select(func.count()).select_from(Contract).where(*where)) or 0
    by_status = _pairs(
        db.session.execute(
            select(CommitmentState.status, func.count())
            .join(Contract, Contract.id == CommitmentState.contract_id)
            .where(*where)
            .group_by(CommitmentState.status)
        )
    )
    by_severity = _pairs(
        db.session.execute(
            select(Flag.severity, func.count())
            .join(Contract, Contract.id == Flag.contract_id)
            .where(*where, Flag.status.in_([FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED]))
            .group_by(Flag.severity)
        )
    )
    awaiting = (
        db.session.scalar(
            select(func.count())
            .select_from(Return)
            .join(Contract, Contract.id == Return.contract_id)
            .where(*where, Return.status == ReturnStatus.SUBMITTED)
        )
        or 0
    )
    overdue = (
        db.session.scalar(
            select(func.coalesce(func.sum(ContractState.overdue_returns), 0))
            .join(Contract, Contract.id == ContractState.contract_id)
            .where(*where)
        )
        or 0
    )
    return Portfolio(contracts, by_status, by_severity, awaiting, int(overdue))


def year_totals(council_id: int, manager_id: int | None = None) -> list[MeasureTotal]:
    """Delivered against committed for each measure in the current financial year."""
    query = (
        select(
            Measure.name,
            Measure.unit,
            func.sum(CommitmentState.year_committed),
            func.sum(CommitmentState.year_delivered),
            func.max(CommitmentState.financial_year),
        )
        .join(Measure, Measure.id == CommitmentState.measure_id)
        .join(Contract, Contract.id == CommitmentState.contract_id)
        .where(*_contracts(council_id, manager_id))
        .group_by(Measure.id, Measure.name, Measure.unit)
        .order_by(Measure.name)
    )
    return [
        MeasureTotal(name, unit, committed or Decimal(0), delivered or Decimal(0), year)
        for name, unit, committed, delivered, year in db.session.execute(query)
    ]


def commitment_statuses(council_id: int) -> Result[Any]:
    """Every monitored commitment with its stored compliance, for the status export."""
    query = (
        select(Contract.reference, Contract.title, Commitment.target, Measure.name, CommitmentState)
        .join(Commitment, Commitment.id == CommitmentState.commitment_id)
        .join(Contract, Contract.id == CommitmentState.contract_id)
        .join(Measure, Measure.id == CommitmentState.measure_id)
        .where(Contract.council_id == council_id)
        .order_by(Contract.reference, Measure.name)
        .execution_options(yield_per=1000)
    )
    return db.session.execute(query)


def supplier_contracts(supplier_id: int) -> list[tuple[Contract, ContractState | None]]:
    """A supplier's contracts with their rating and next return, the soonest due first."""
    query = (
        select(Contract, ContractState)
        .outerjoin(ContractState, ContractState.contract_id == Contract.id)
        .where(Contract.supplier_id == supplier_id)
        .order_by(
            ContractState.next_due_on.is_(None), ContractState.next_due_on, Contract.reference
        )
    )
    return [(contract, state) for contract, state in db.session.execute(query)]


def returns_to_fix(supplier_id: int) -> list[Return]:
    query = (
        select(Return)
        .join(Contract, Contract.id == Return.contract_id)
        .where(Contract.supplier_id == supplier_id, Return.status == ReturnStatus.CHANGES_REQUESTED)
        .order_by(Return.due_on)
    )
    return list(db.session.scalars(query))
