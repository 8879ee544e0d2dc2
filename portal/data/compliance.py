"""Loading the facts compliance is computed from, and the stored states it produces."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.data.models import (
    Commitment,
    CommitmentState,
    Contract,
    ContractState,
    OverduePeriod,
    Return,
    ReturnLine,
)
from portal.domain.periods import ReportingPeriod
from portal.extensions import db

# An overdue period as stored: financial year, quarter, first day, last day, due date.
OverdueKey = tuple[int, int, date, date, date]


def contracts_with_facts(contract_ids: Sequence[int]) -> list[tuple[Contract, list[Return]]]:
    """Contracts with their commitments (and plans) and all their returns' lines: three queries
    for any number of contracts."""
    contracts = list(
        db.session.scalars(
            select(Contract)
            .where(Contract.id.in_(contract_ids))
            .options(
                selectinload(Contract.commitments).joinedload(Commitment.measure),
                selectinload(Contract.commitments).selectinload(Commitment.plan),
            )
            .order_by(Contract.id)
        )
    )
    by_contract: dict[int, list[Return]] = defaultdict(list)
    for ret in db.session.scalars(
        select(Return)
        .where(Return.contract_id.in_(contract_ids))
        .options(
            selectinload(Return.lines).load_only(
                ReturnLine.commitment_id,
                ReturnLine.submitted_figure,
                ReturnLine.accepted_figure,
                ReturnLine.nothing_to_count,
            )
        )
    ):
        by_contract[ret.contract_id].append(ret)
    return [(contract, by_contract[contract.id]) for contract in contracts]


def all_contract_ids() -> list[int]:
    return list(db.session.scalars(select(Contract.id).order_by(Contract.id)))


def states_for(
    contract_ids: Sequence[int],
) -> tuple[dict[int, CommitmentState], dict[int, ContractState]]:
    commitment_states = {
        s.commitment_id: s
        for s in db.session.scalars(
            select(CommitmentState).where(CommitmentState.contract_id.in_(contract_ids))
        )
    }
    contract_states = {
        s.contract_id: s
        for s in db.session.scalars(
            select(ContractState).where(ContractState.contract_id.in_(contract_ids))
        )
    }
    return commitment_states, contract_states


def contract_state(contract_id: int) -> ContractState | None:
    return db.session.get(ContractState, contract_id)


def commitment_states(contract_id: int) -> dict[int, CommitmentState]:
    query = select(CommitmentState).where(CommitmentState.contract_id == contract_id)
    return {s.commitment_id: s for s in db.session.scalars(query)}


def overdue_keys(periods: Sequence[ReportingPeriod]) -> list[OverdueKey]:
    """Overdue periods as overdue_periods gives them, to compare."""
    return sorted(
        (p.financial_year, p.quarter, p.starts_on, p.ends_on, p.due_on) for p in periods
    )


def overdue_periods(contract_ids: Sequence[int]) -> dict[int, list[OverdueKey]]:
    """The stored overdue periods of these contracts, in one query."""
    query = select(OverduePeriod).where(OverduePeriod.contract_id.in_(contract_ids))
    by_contract: dict[int, list[OverdueKey]] = defaultdict(list)
    for row in db.session.scalars(query):
        by_contract[row.contract_id].append(
            (row.financial_year, row.quarter, row.period_starts_on, row.period_ends_on, row.due_on)
        )
    return {contract_id: sorted(keys) for contract_id, keys in by_contract.items()}


def save_overdue_periods(
    contract_ids: Sequence[int], overdue: Mapping[int, Sequence[ReportingPeriod]]
) -> int:
    """Make these contracts' stored overdue periods the ones given (none for a contract left
    out): one query, then only the rows that differ are written. Returns how many."""
    stored = {
        (row.contract_id, row.financial_year, row.quarter): row
        for row in db.session.scalars(
            select(OverduePeriod).where(OverduePeriod.contract_id.in_(contract_ids))
        )
    }
    changed = 0
    for contract_id, periods in overdue.items():
        for period in periods:
            key = (contract_id, period.financial_year, period.quarter)
            row = stored.pop(key, None)
            dates = (period.starts_on, period.ends_on, period.due_on)
            if row is None:
                row = OverduePeriod(
                    contract_id=contract_id,
                    financial_year=period.financial_year,
                    quarter=period.quarter,
                )
                db.session.add(row)
            elif (row.period_starts_on, row.period_ends_on, row.due_on) == dates:
                continue
            row.period_starts_on, row.period_ends_on, row.due_on = dates
            changed += 1
    for gone in stored.values():  # sent since, or no longer needing a return
        db.session.delete(gone)
        changed += 1
    return changed
