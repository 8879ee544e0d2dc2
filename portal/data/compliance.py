"""Loading the facts compliance is computed from, and the stored states it produces."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.data.models import (
    Commitment,
    CommitmentState,
    Contract,
    ContractState,
    Return,
    ReturnLine,
)
from portal.extensions import db


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
                ReturnLine.commitment_id, ReturnLine.submitted_figure, ReturnLine.accepted_figure
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
