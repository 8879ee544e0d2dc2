"""Compliance rules (design brief section 5): expected to date, delivery %, status, rating.

Pure: plain dates and Decimals in, Decimals out; no Flask, no database. Figures are never
rounded here; `display_pct` rounds a percentage for display only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from portal.domain.measures import MeasureKind

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class PeriodInput:
    starts_on: date
    ends_on: date
    due_on: date
    planned: Decimal | None  # explicit profile figure for this period (None: even spread)
    accepted: Decimal | None  # accepted figure (None: nothing accepted)
    pending: Decimal | None  # submitted but not yet reviewed (None: nothing pending)


@dataclass(frozen=True)
class Thresholds:
    on_track_pct: Decimal = Decimal(100)  # status on track at or above
    behind_pct: Decimal = Decimal(80)  # behind at or above, off track below
    good_pct: Decimal = Decimal(95)  # contract rating Good at or above
    approaching_pct: Decimal = Decimal(85)
    requires_improvement_pct: Decimal = Decimal(70)  # Inadequate below


DEFAULT_THRESHOLDS = Thresholds()


class Status(StrEnum):
    NOT_YET_DUE = "not_yet_due"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    OFF_TRACK = "off_track"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    Status.NOT_YET_DUE: "Not yet due",
    Status.ON_TRACK: "On track",
    Status.BEHIND: "Behind",
    Status.OFF_TRACK: "Off track",
}


class Rating(StrEnum):
    GOOD = "good"
    APPROACHING = "approaching_target"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    INADEQUATE = "inadequate"
    NOT_YET_RATED = "not_yet_rated"

    @property
    def label(self) -> str:
        return _RATING_LABELS[self]


_RATING_LABELS = {
    Rating.GOOD: "Good",
    Rating.APPROACHING: "Approaching target",
    Rating.REQUIRES_IMPROVEMENT: "Requires improvement",
    Rating.INADEQUATE: "Inadequate",
    Rating.NOT_YET_RATED: "Not yet rated",
}


@dataclass(frozen=True)
class Assessment:
    expected_to_date: Decimal
    delivered: Decimal
    pending: Decimal
    shortfall: Decimal  # max(0, expected - delivered)
    delivery_pct: Decimal | None  # None when expected_to_date == 0 (nothing due yet)
    status: Status
    forecast: Decimal  # cumulative: straight-line total at the contract end; level: mean level
    at_risk: bool
    target: Decimal
    periods_due: int


def display_pct(pct: Decimal) -> Decimal:
    """A percentage for display: 1 decimal place, halves rounded up (84.95 -> 85.0)."""
    return pct.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _contract_days(starts_on: date, ends_on: date) -> int:
    if ends_on < starts_on:
        raise ValueError("the contract ends before it starts")
    return (ends_on - starts_on).days + 1


def _days_elapsed(period_ends_on: date, starts_on: date, ends_on: date) -> int:
    """Contract days (inclusive) elapsed by the end of a period, clamped to the contract."""
    return max(0, (min(period_ends_on, ends_on) - starts_on).days + 1)


def _is_profiled(periods: Sequence[PeriodInput]) -> bool:
    return any(p.planned is not None for p in periods)


def _planned(period: PeriodInput) -> Decimal:
    return period.planned if period.planned is not None else ZERO


def _mean(values: Sequence[Decimal]) -> Decimal:
    return sum(values, ZERO) / len(values) if values else ZERO


def cumulative_trajectory(
    target: Decimal,
    periods: Sequence[PeriodInput],
    contract_starts_on: date,
    contract_ends_on: date,
) -> list[Decimal]:
    """Expected cumulative figure at the end of each period, in the order given (for the chart)."""
    total = _contract_days(contract_starts_on, contract_ends_on)
    if _is_profiled(periods):
        return [
            sum((_planned(q) for q in periods if q.ends_on <= p.ends_on), ZERO) for p in periods
        ]
    return [
        target * _days_elapsed(p.ends_on, contract_starts_on, contract_ends_on) / total
        for p in periods
    ]


def _status(pct: Decimal | None, thresholds: Thresholds) -> Status:
    if pct is None:
        return Status.NOT_YET_DUE
    if pct >= thresholds.on_track_pct:
        return Status.ON_TRACK
    if pct >= thresholds.behind_pct:
        return Status.BEHIND
    return Status.OFF_TRACK


def assess(
    kind: MeasureKind,
    target: Decimal,
    periods: Sequence[PeriodInput],
    *,
    contract_starts_on: date,
    contract_ends_on: date,
    as_of: date,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Assessment:
    """One commitment's compliance as of a date."""
    total = _contract_days(contract_starts_on, contract_ends_on)
    due = sorted((p for p in periods if p.due_on <= as_of), key=lambda p: p.ends_on)
    profiled = _is_profiled(periods)

    if kind is MeasureKind.LEVEL:
        if not due:
            expected = ZERO
        elif profiled:  # the mean planned level, to compare like with like with `delivered`
            expected = _mean([_planned(p) for p in due])
        else:
            expected = target
        delivered = _mean([p.accepted if p.accepted is not None else ZERO for p in due])
        pending = _mean([p.pending for p in periods if p.pending is not None])
        forecast = delivered
        at_risk = bool(due) and delivered < target
    else:
        elapsed = _days_elapsed(due[-1].ends_on, contract_starts_on, contract_ends_on) if due else 0
        expected = sum((_planned(p) for p in due), ZERO) if profiled else target * elapsed / total
        delivered = sum((p.accepted for p in periods if p.accepted is not None), ZERO)
        pending = sum((p.pending for p in periods if p.pending is not None), ZERO)
        # Multiply before dividing, so a finished contract forecasts exactly what it delivered.
        forecast = delivered * total / elapsed if elapsed else delivered
        at_risk = bool(elapsed) and forecast < target

    pct = None if expected == 0 else delivered * HUNDRED / expected
    return Assessment(
        expected_to_date=expected,
        delivered=delivered,
        pending=pending,
        shortfall=max(ZERO, expected - delivered),
        delivery_pct=pct,
        status=_status(pct, thresholds),
        forecast=forecast,
        at_risk=at_risk,
        target=target,
        periods_due=len(due),
    )


def mean_capped_pct(assessments: Sequence[Assessment]) -> Decimal | None:
    """Mean delivery % over the commitments that have one, each capped at 100; None if none."""
    pcts = [min(a.delivery_pct, HUNDRED) for a in assessments if a.delivery_pct is not None]
    return _mean(pcts) if pcts else None


def rate(assessments: Sequence[Assessment], thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Rating:
    """The contract's rating, in the Procurement Act 2023 words."""
    pct = mean_capped_pct(assessments)
    if pct is None:
        return Rating.NOT_YET_RATED
    if pct >= thresholds.good_pct:
        return Rating.GOOD
    if pct >= thresholds.approaching_pct:
        return Rating.APPROACHING
    if pct >= thresholds.requires_improvement_pct:
        return Rating.REQUIRES_IMPROVEMENT
    return Rating.INADEQUATE


def year_totals(
    kind: MeasureKind,
    target: Decimal,
    periods: Sequence[PeriodInput],
    in_year: Sequence[bool],
    *,
    contract_starts_on: date,
    contract_ends_on: date,
) -> tuple[Decimal, Decimal]:
    """(committed, delivered) over the periods of one financial year: the figures a council
    publishes. Cumulative: the year's share of the target and the accepted figures in the year;
    level: the level and the mean accepted level."""
    chosen = [p for p, inside in zip(periods, in_year, strict=True) if inside]
    if not chosen:
        return ZERO, ZERO
    profiled = _is_profiled(periods)
    accepted = [p.accepted for p in chosen if p.accepted is not None]
    if kind is MeasureKind.LEVEL:
        committed = _mean([_planned(p) for p in chosen]) if profiled else target
        return committed, _mean(accepted)
    total = _contract_days(contract_starts_on, contract_ends_on)
    days = sum((p.ends_on - p.starts_on).days + 1 for p in chosen)
    committed = sum((_planned(p) for p in chosen), ZERO) if profiled else target * days / total
    return committed, sum(accepted, ZERO)
