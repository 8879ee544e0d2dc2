"""Keeping each commitment's compliance, each contract's rating and the flags current.

Called in the same transaction as every fact that changes them (a return submitted or
reviewed, a target or profile changed, a commitment retired) and daily by
`flask compliance refresh` for what the passing of time changes. `verify` recomputes everything
from the raw returns and lists any difference from what is stored.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from portal.calendar import periods_of
from portal.config import current_settings
from portal.data import compliance as store
from portal.data import flags
from portal.data.base import utcnow
from portal.data.models import Commitment, CommitmentState, Contract, ContractState, Return
from portal.data.types import FlagKind, FlagSeverity, MeasureKind, ReturnStatus
from portal.domain import compliance
from portal.domain.periods import ReportingPeriod, financial_quarter, long_date
from portal.extensions import db
from portal.workflows import profiles

KINDS = (FlagKind.SHORTFALL, FlagKind.AT_RISK, FlagKind.OVERDUE_RETURN)
RESOLUTIONS = {
    FlagKind.SHORTFALL: "Resolved itself: delivery is back on track",
    FlagKind.AT_RISK: "Resolved itself: the forecast now meets the target",
    FlagKind.OVERDUE_RETURN: "Resolved itself: the return was submitted",
}
BATCH = 500
COMMITMENT_FIELDS = (
    "expected_to_date",
    "delivered",
    "pending",
    "shortfall",
    "delivery_pct",
    "status",
    "forecast",
    "at_risk",
    "periods_due",
    "financial_year",
    "year_committed",
    "year_delivered",
)
CONTRACT_FIELDS = ("rating", "mean_pct", "overdue_returns", "next_due_on")
CENTS = Decimal("0.01")


@dataclass
class Computed:
    commitments: dict[int, dict[str, Any]] = field(default_factory=dict)
    contracts: dict[int, dict[str, Any]] = field(default_factory=dict)
    flags: dict[str, flags.Wanted] = field(default_factory=dict)


@dataclass
class Report:
    contracts: int = 0
    states_changed: int = 0
    flags_raised: int = 0
    flags_resolved: int = 0


def _money(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENTS)


def compute(contract: Contract, contract_returns: Sequence[Return], today: date) -> Computed:
    """Every stored figure and wanted flag for one contract, from its raw facts. Pure apart from
    reading the settings."""
    settings = current_settings()
    periods = periods_of(contract)
    by_period = {(r.financial_year, r.quarter): r for r in contract_returns}
    year = financial_quarter(today, start_month=settings.financial_year_start_month)[0]
    in_year = [p.financial_year == year for p in periods]
    result = Computed()
    assessments = []
    for commitment in contract.commitments:
        if commitment.is_retired:
            continue
        inputs = [
            _period_input(p, commitment, by_period.get((p.financial_year, p.quarter)))
            for p in periods
        ]
        assessment = compliance.assess(
            commitment.measure.kind,
            commitment.target,
            inputs,
            contract_starts_on=contract.start_on,
            contract_ends_on=contract.end_on,
            as_of=today,
            thresholds=settings.thresholds,
        )
        committed, delivered = compliance.year_totals(
            commitment.measure.kind,
            commitment.target,
            inputs,
            in_year,
            contract_starts_on=contract.start_on,
            contract_ends_on=contract.end_on,
        )
        assessments.append(assessment)
        result.commitments[commitment.id] = {
            "contract_id": contract.id,  # where a new state belongs; never changes
            "measure_id": commitment.measure_id,
            "expected_to_date": _money(assessment.expected_to_date),
            "delivered": _money(assessment.delivered),
            "pending": _money(assessment.pending),
            "shortfall": _money(assessment.shortfall),
            "delivery_pct": _money(assessment.delivery_pct),
            "status": assessment.status,
            "forecast": _money(assessment.forecast),
            "at_risk": assessment.at_risk,
            "periods_due": assessment.periods_due,
            "financial_year": year,
            "year_committed": _money(committed),
            "year_delivered": _money(delivered),
        }
        result.flags.update(_commitment_flags(contract, commitment, assessment))
    overdue = [
        p
        for p in periods
        if p.due_on < today and _not_sent(by_period.get((p.financial_year, p.quarter)))
    ]
    for period in overdue:
        result.flags[f"overdue:{contract.id}:{period.financial_year}-{period.quarter}"] = (
            flags.Wanted(
                FlagKind.OVERDUE_RETURN,
                FlagSeverity.HIGH,
                contract.id,
                f"The {period.label} return was due on {long_date(period.due_on)}",
            )
        )
    next_due = next(
        (
            p.due_on
            for p in periods
            if p.due_on >= today and _not_sent(by_period.get((p.financial_year, p.quarter)))
        ),
        None,
    )
    mean = compliance.mean_capped_pct(assessments)
    result.contracts[contract.id] = {
        "rating": compliance.rate(assessments, settings.thresholds),
        "mean_pct": _money(mean),
        "overdue_returns": len(overdue),
        "next_due_on": next_due,
    }
    return result


def _period_input(
    period: ReportingPeriod, commitment: Commitment, ret: Return | None
) -> compliance.PeriodInput:
    planned = next(
        (
            p.planned
            for p in commitment.plan
            if (p.financial_year, p.quarter) == (period.financial_year, period.quarter)
        ),
        None,
    )
    figure = None
    if ret is not None:
        figure = next(
            (line.figure for line in ret.lines if line.commitment_id == commitment.id), None
        )
    accepted = figure if ret is not None and ret.status is ReturnStatus.ACCEPTED else None
    pending = figure if ret is not None and ret.status is ReturnStatus.SUBMITTED else None
    return compliance.PeriodInput(
        period.starts_on, period.ends_on, period.due_on, planned, accepted, pending
    )


def _not_sent(ret: Return | None) -> bool:
    return ret is None or ret.status is ReturnStatus.DRAFT


def _commitment_flags(
    contract: Contract, commitment: Commitment, assessment: compliance.Assessment
) -> Iterator[tuple[str, flags.Wanted]]:
    name = commitment.measure.name
    if assessment.status in (compliance.Status.BEHIND, compliance.Status.OFF_TRACK):
        pct = compliance.display_pct(assessment.delivery_pct or Decimal(0))
        yield (
            f"shortfall:{commitment.id}",
            flags.Wanted(
                FlagKind.SHORTFALL,
                FlagSeverity.HIGH
                if assessment.status is compliance.Status.OFF_TRACK
                else FlagSeverity.MEDIUM,
                contract.id,
                f"{name}: {_number(assessment.delivered)} delivered against "
                f"{_number(assessment.expected_to_date)} expected to date ({pct}%)",
                commitment.id,
            ),
        )
    elif assessment.at_risk:
        yield (
            f"at_risk:{commitment.id}",
            flags.Wanted(
                FlagKind.AT_RISK,
                FlagSeverity.LOW,
                contract.id,
                f"{name}: on the current pace {_number(assessment.forecast)} by the end, against a "
                f"target of {_number(assessment.target)}",
                commitment.id,
            ),
        )


def _number(value: Decimal) -> str:
    rounded = value.quantize(Decimal("0.1"))
    return f"{rounded.normalize():f}" if rounded != rounded.to_integral() else f"{int(rounded)}"


def refresh(contract_ids: Sequence[int], today: date) -> Report:
    """Recompute and store the compliance of these contracts, and sync their flags. Writes
    only what differs, so running it twice changes nothing the second time."""
    report = Report()
    for start in range(0, len(contract_ids), BATCH):
        batch = list(contract_ids[start : start + BATCH])
        computed = Computed()
        for contract, contract_returns in store.contracts_with_facts(batch):
            one = compute(contract, contract_returns, today)
            computed.commitments |= one.commitments
            computed.contracts |= one.contracts
            computed.flags |= one.flags
            report.contracts += 1
        report.states_changed += _store(batch, computed, today)
        raised, resolved = flags.sync(
            computed.flags, contract_ids=batch, kinds=KINDS, resolutions=RESOLUTIONS
        )
        report.flags_raised += raised
        report.flags_resolved += resolved
        db.session.flush()
    return report


def _store(contract_ids: Sequence[int], computed: Computed, today: date) -> int:
    commitment_states, contract_states = store.states_for(contract_ids)
    changed = 0
    for commitment_id, values in computed.commitments.items():
        state = commitment_states.pop(commitment_id, None)
        if state is None:
            state = CommitmentState(
                commitment_id=commitment_id,
                contract_id=values["contract_id"],
                measure_id=values["measure_id"],
            )
            db.session.add(state)
        changed += _update(state, values, COMMITMENT_FIELDS, today)
    for stale in commitment_states.values():  # retired commitments are no longer monitored
        db.session.delete(stale)
        changed += 1
    for contract_id, values in computed.contracts.items():
        contract_state = contract_states.get(contract_id)
        if contract_state is None:
            contract_state = ContractState(contract_id=contract_id)
            db.session.add(contract_state)
        changed += _update(contract_state, values, CONTRACT_FIELDS, today)
    return changed


def _update(state: Any, values: dict[str, Any], fields: Sequence[str], today: date) -> int:
    """Set what differs; as_of records the day the figures are true for."""
    if state.as_of == today and all(getattr(state, name) == values[name] for name in fields):
        return 0
    for name in fields:
        setattr(state, name, values[name])
    state.as_of = today
    state.updated_at = utcnow()
    return 1


def refresh_contract(contract_id: int, today: date) -> None:
    refresh([contract_id], today)


def verify(today: date) -> list[str]:
    """Differences between the stored states and a recomputation from the raw facts (as of
    the day each contract was last refreshed; `today` for contracts never refreshed), and any
    quarterly profile that does not add up to its target."""
    differences = []
    ids = store.all_contract_ids()
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        commitment_states, contract_states = store.states_for(batch)
        for contract, contract_returns in store.contracts_with_facts(batch):
            stored_contract = contract_states.get(contract.id)
            # Recompute for the day the stored figures claim to be true for.
            as_of = stored_contract.as_of if stored_contract else today
            computed = compute(contract, contract_returns, as_of)
            for commitment_id, values in computed.commitments.items():
                stored = commitment_states.get(commitment_id)
                differences += _differences(
                    f"{contract.reference} commitment {commitment_id}",
                    stored,
                    values,
                    COMMITMENT_FIELDS,
                )
            differences += _differences(
                contract.reference,
                contract_states.get(contract.id),
                computed.contracts[contract.id],
                CONTRACT_FIELDS,
            )
    return differences + profiles.differences()


def _differences(
    label: str, stored: Any, values: dict[str, Any], fields: Sequence[str]
) -> list[str]:
    if stored is None:
        return [f"{label}: no stored state"]
    return [
        f"{label}: {name} stored {getattr(stored, name)!r}, recomputed {values[name]!r}"
        for name in fields
        if getattr(stored, name) != values[name]
    ]


@dataclass(frozen=True)
class Trajectory:
    """One commitment's quarters for the chart and its table: expected against delivered."""

    commitment: Commitment
    state: CommitmentState | None
    rows: list[tuple[str, Decimal, Decimal | None]]  # (quarter, expected, delivered so far)
    cumulative: bool


def trajectories(contract: Contract, today: date) -> list[Trajectory]:
    """Cumulative measures: the running totals; level measures: the level in each quarter.
    Delivered counts accepted figures only, up to the last quarter that has fallen due."""
    [(loaded, contract_returns)] = store.contracts_with_facts([contract.id])
    periods = periods_of(loaded)
    by_period = {(r.financial_year, r.quarter): r for r in contract_returns}
    states = store.commitment_states(contract.id)
    result = []
    for commitment in loaded.commitments:
        if commitment.is_retired:
            continue
        inputs = [
            _period_input(p, commitment, by_period.get((p.financial_year, p.quarter)))
            for p in periods
        ]
        cumulative = commitment.measure.kind is MeasureKind.CUMULATIVE
        if cumulative:
            expected = compliance.cumulative_trajectory(
                commitment.target, inputs, loaded.start_on, loaded.end_on
            )
        else:
            expected = [i.planned if i.planned is not None else commitment.target for i in inputs]
        delivered: list[Decimal | None] = []
        running = Decimal(0)
        for item in inputs:
            running += item.accepted or 0
            if item.due_on > today:
                delivered.append(None)
            elif cumulative:
                delivered.append(running)
            else:
                delivered.append(item.accepted if item.accepted is not None else Decimal(0))
        rows = [
            (p.label, e.quantize(CENTS), d)
            for p, e, d in zip(periods, expected, delivered, strict=True)
        ]
        result.append(Trajectory(commitment, states.get(commitment.id), rows, cumulative))
    return result
