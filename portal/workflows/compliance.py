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

from portal import formatting
from portal.calendar import reporting_periods_of
from portal.config import current_settings
from portal.data import compliance as store
from portal.data import fair_work, flags
from portal.data.base import utcnow
from portal.data.models import Commitment, CommitmentState, Contract, ContractState, Return
from portal.data.types import FlagKind, FlagSeverity, MeasureKind, MeasureUnit, ReturnStatus
from portal.domain import compliance
from portal.domain.periods import (
    ReportingPeriod,
    Span,
    financial_quarter,
    long_date,
    quarter_label,
    within,
)
from portal.domain.social_value import social_value
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
    "periods_awaiting_review",
    "financial_year",
    "year_committed",
    "year_delivered",
    "social_value",
    "year_social_value",
    "proxy_price_year",
)
CONTRACT_FIELDS = ("rating", "mean_pct", "overdue_returns", "next_due_on")
CENTS = Decimal("0.01")
ZERO = Decimal(0)


@dataclass
class Computed:
    commitments: dict[int, dict[str, Any]] = field(default_factory=dict)
    contracts: dict[int, dict[str, Any]] = field(default_factory=dict)
    flags: dict[str, flags.Wanted] = field(default_factory=dict)
    overdue: dict[int, list[ReportingPeriod]] = field(default_factory=dict)


@dataclass
class Report:
    contracts: int = 0
    states_changed: int = 0
    flags_raised: int = 0
    flags_resolved: int = 0
    fair_work_counted: int = 0  # returns whose fair-work shares had not been stored


def _money(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENTS)


def compute(contract: Contract, contract_returns: Sequence[Return], today: date) -> Computed:
    """Every stored figure and wanted flag for one contract, from its raw facts. Pure apart from
    reading the settings."""
    settings = current_settings()
    periods = reporting_periods_of(contract)
    by_period = {(r.financial_year, r.quarter): r for r in contract_returns}
    year = financial_quarter(today, start_month=settings.financial_year_start_month)[0]
    in_year = [p.financial_year == year for p in periods]
    result = Computed()
    assessments = []
    active = [c for c in contract.commitments if not c.is_retired]
    for commitment in active:
        inputs = _period_inputs(periods, commitment, by_period)
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
            as_of=today,
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
            "periods_awaiting_review": assessment.periods_awaiting_review,
            "financial_year": year,
            "year_committed": _money(committed),
            "year_delivered": _money(delivered),
            # From the rounded figures, so that the pounds agree with what people read.
            "social_value": _money(
                social_value(_money(assessment.delivered) or ZERO, commitment.proxy_value)
            ),
            "year_social_value": _money(
                social_value(_money(delivered) or ZERO, commitment.proxy_value)
            ),
            "proxy_price_year": commitment.proxy_price_year,
        }
        result.flags.update(_commitment_flags(contract, commitment, assessment))
    # A contract with nothing monitored has no returns to send.
    unsent = [p for p in periods if _not_sent(by_period.get((p.financial_year, p.quarter)))]
    overdue = [p for p in unsent if p.due_on < today] if active else []
    for period in overdue:
        result.flags[f"overdue:{contract.id}:{period.financial_year}-{period.quarter}"] = (
            flags.Wanted(
                FlagKind.OVERDUE_RETURN,
                FlagSeverity.HIGH,
                contract.id,
                f"The {period.label} return was due on {long_date(period.due_on)}",
            )
        )
    result.overdue[contract.id] = overdue
    next_due = next((p.due_on for p in unsent if p.due_on >= today), None) if active else None
    mean = compliance.mean_capped_pct(assessments)
    result.contracts[contract.id] = {
        "rating": compliance.rate(assessments, settings.thresholds),
        "mean_pct": _money(mean),
        "overdue_returns": len(overdue),
        "next_due_on": next_due,
    }
    return result


def _period_inputs(
    periods: Sequence[ReportingPeriod],
    commitment: Commitment,
    by_period: dict[tuple[int, int], Return],
) -> list[compliance.PeriodInput]:
    """The commitment's facts in each period: planned, accepted, pending or sent with nobody
    to count, line by line."""
    # A profiled commitment plans nothing in a quarter its profile leaves out.
    plan = {(p.financial_year, p.quarter): p.planned for p in commitment.plan}
    inputs = []
    for period in periods:
        key = (period.financial_year, period.quarter)
        ret = by_period.get(key)
        line = (
            next((li for li in ret.lines if li.commitment_id == commitment.id), None)
            if ret is not None
            else None
        )
        accepted = line.accepted_figure if line is not None else None
        pending = line.submitted_figure if line is not None and accepted is None else None
        inputs.append(
            compliance.PeriodInput(
                period.starts_on,
                period.ends_on,
                period.due_on,
                plan.get(key, ZERO) if plan else None,
                accepted,
                pending,
                nothing_to_count=line is not None and line.nothing_to_count,
            )
        )
    return inputs


def _not_sent(ret: Return | None) -> bool:
    return ret is None or ret.status is ReturnStatus.DRAFT


def _commitment_flags(
    contract: Contract, commitment: Commitment, assessment: compliance.Assessment
) -> Iterator[tuple[str, flags.Wanted]]:
    name = commitment.measure.name
    unit = commitment.measure.unit
    level = commitment.measure.kind is MeasureKind.LEVEL
    if assessment.status in (compliance.Status.BEHIND, compliance.Status.OFF_TRACK):
        pct = formatting.pct(assessment.delivery_pct or ZERO)
        delivered = formatting.quantity(assessment.delivered, unit, places=2)
        expected = formatting.quantity(assessment.expected_to_date, unit, places=2)
        if unit is MeasureUnit.PERCENT:  # "(94.7%)" beside two shares would read as a third
            pct += " of it"
        summary = (
            f"{name}: {delivered} on average against {expected} expected ({pct})"
            if level
            else f"{name}: {delivered} delivered against {expected} expected to date ({pct})"
        )
        awaiting = assessment.periods_awaiting_review
        if level and awaiting:
            summary += f"; {formatting.count(awaiting, 'quarter')} awaiting review left out"
        yield (
            f"shortfall:{commitment.id}",
            flags.Wanted(
                FlagKind.SHORTFALL,
                FlagSeverity.HIGH
                if assessment.status is compliance.Status.OFF_TRACK
                else FlagSeverity.MEDIUM,
                contract.id,
                summary,
                commitment.id,
            ),
        )
    elif assessment.at_risk:
        forecast = formatting.quantity(assessment.forecast, unit, places=2)
        if assessment.expected_by_end == assessment.target:
            against = f"a target of {formatting.quantity(assessment.target, unit, places=2)}"
        else:
            expected = formatting.quantity(assessment.expected_by_end, unit, places=2)
            against = f"{expected} expected from the start of reporting to the end"
        yield (
            f"at_risk:{commitment.id}",
            flags.Wanted(
                FlagKind.AT_RISK,
                FlagSeverity.LOW,
                contract.id,
                f"{name}: on the current pace {forecast} by the end, against {against}",
                commitment.id,
            ),
        )


def refresh(contract_ids: Sequence[int], today: date) -> Report:
    """Recompute and store the compliance of these contracts, and sync their flags, and count
    the fair-work shares of any of their returns without them (made before they were stored,
    or in bulk). Writes only what differs, so running it twice changes nothing the second
    time."""
    # Here, not at the top: the return workflow refreshes compliance when a return moves.
    from portal.workflows.returns import backfill_fair_work

    report = Report()
    for start in range(0, len(contract_ids), BATCH):
        batch = list(contract_ids[start : start + BATCH])
        computed = Computed()
        for contract, contract_returns in store.contracts_with_facts(batch):
            one = compute(contract, contract_returns, today)
            computed.commitments |= one.commitments
            computed.contracts |= one.contracts
            computed.flags |= one.flags
            computed.overdue |= one.overdue
            report.contracts += 1
        report.states_changed += _store(batch, computed, today)
        raised, resolved = flags.sync(
            computed.flags, contract_ids=batch, kinds=KINDS, resolutions=RESOLUTIONS
        )
        report.flags_raised += raised
        report.flags_resolved += resolved
        report.fair_work_counted += backfill_fair_work(batch)
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
    # The periods themselves, beside the count of them just stored, for the overdue list.
    return changed + store.save_overdue_periods(contract_ids, computed.overdue)


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
        overdue = store.overdue_periods(batch)
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
            stored_overdue = overdue.get(contract.id, [])
            recomputed = store.overdue_keys(computed.overdue[contract.id])
            if stored_overdue != recomputed:
                differences.append(
                    f"{contract.reference}: overdue periods stored {_overdue(stored_overdue)}, "
                    f"recomputed {_overdue(recomputed)}"
                )
    missing = fair_work.count_returns_without()
    if missing:
        differences.append(
            f"{formatting.count(missing, 'return')} without stored fair-work figures: "
            "run flask compliance refresh"
        )
    return differences + profiles.differences()


def _overdue(keys: Sequence[store.OverdueKey]) -> str:
    start_month = current_settings().financial_year_start_month
    return (
        ", ".join(
            f"{quarter_label(year, quarter, start_month=start_month)} due {long_date(due_on)}"
            for year, quarter, _, _, due_on in keys
        )
        or "none"
    )


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
class QuarterRow:
    label: str
    expected: Decimal
    delivered: Decimal | None  # None: not due, or (for a level) left out awaiting review
    standing: compliance.Standing


@dataclass(frozen=True)
class Trajectory:
    """One commitment's quarters for the chart and its table: expected against delivered."""

    commitment: Commitment
    state: CommitmentState | None
    rows: list[QuarterRow]
    cumulative: bool


def trajectories(contract: Contract, today: date) -> list[Trajectory]:
    """Cumulative measures: the running totals of accepted figures, to the last quarter that
    has fallen due; level measures: the level accepted in each quarter, 0 where the return is
    overdue, and nothing where it is awaiting review."""
    [(loaded, contract_returns)] = store.contracts_with_facts([contract.id])
    periods = reporting_periods_of(loaded)
    by_period = {(r.financial_year, r.quarter): r for r in contract_returns}
    states = store.commitment_states(contract.id)
    result = []
    for commitment in loaded.commitments:
        if commitment.is_retired:
            continue
        inputs = _period_inputs(periods, commitment, by_period)
        cumulative = commitment.measure.kind is MeasureKind.CUMULATIVE
        if cumulative:
            expected = compliance.cumulative_trajectory(
                commitment.target, inputs, loaded.start_on, loaded.end_on
            )
        else:
            expected = [i.planned if i.planned is not None else commitment.target for i in inputs]
        rows = []
        running = ZERO
        for period, item, expect in zip(periods, inputs, expected, strict=True):
            running += item.accepted or 0
            standing = compliance.standing(item, today)
            if standing is compliance.Standing.NOT_DUE:
                delivered = None
            elif cumulative:
                delivered = running
            else:
                delivered = compliance.level_delivered(item, today)
            rows.append(QuarterRow(period.label, expect.quantize(CENTS), delivered, standing))
        result.append(Trajectory(commitment, states.get(commitment.id), rows, cumulative))
    return result


@dataclass(frozen=True)
class KpiAssessment:
    """One commitment over an assessment period, rated as a Procurement Act 2023 KPI."""

    commitment: Commitment
    assessment: compliance.Assessment
    rating: compliance.Rating
    social_value: Decimal | None


@dataclass(frozen=True)
class PeriodAssessment:
    span: Span
    quarters: list[str]  # the reporting periods it covers
    kpis: list[KpiAssessment]
    rating: compliance.Rating
    mean_pct: Decimal | None


def assess_period(contract: Contract, span: Span, today: date) -> PeriodAssessment:
    """Each KPI and the contract rated over the reporting periods that end in `span`, with
    what is known today: a quarter not yet due is not expected yet."""
    settings = current_settings()
    [(loaded, contract_returns)] = store.contracts_with_facts([contract.id])
    periods = within(reporting_periods_of(loaded), span)
    by_period = {(r.financial_year, r.quarter): r for r in contract_returns}
    kpis = []
    for commitment in loaded.commitments:
        if commitment.is_retired:
            continue
        assessment = compliance.assess(
            commitment.measure.kind,
            commitment.target,
            _period_inputs(periods, commitment, by_period),
            contract_starts_on=loaded.start_on,
            contract_ends_on=loaded.end_on,
            as_of=today,
            thresholds=settings.thresholds,
        )
        delivered = _money(assessment.delivered) or ZERO
        kpis.append(
            KpiAssessment(
                commitment,
                assessment,
                compliance.rate_kpi(assessment, settings.thresholds),
                _money(social_value(delivered, commitment.proxy_value)),
            )
        )
    assessments = [kpi.assessment for kpi in kpis]
    return PeriodAssessment(
        span,
        [p.label for p in periods],
        kpis,
        compliance.rate(assessments, settings.thresholds),
        compliance.mean_capped_pct(assessments),
    )
