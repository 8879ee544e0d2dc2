"""Compliance rules (design brief section 5): expected to date, delivery %, status, rating.

Pure: plain dates and Decimals in, Decimals out; no Flask, no database. Figures are never
rounded here: portal/formatting.py writes them for people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from portal.domain.measures import MeasureKind

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class PeriodInput:
    """One reporting period of one commitment. A line the reviewer accepted counts as
    `accepted` even if other lines of its return were queried; a figure submitted but not yet
    accepted (in review, or queried) is `pending`; neither means nothing was submitted."""

    starts_on: date
    ends_on: date
    due_on: date
    planned: Decimal | None  # explicit profile figure for this period (None: even spread)
    accepted: Decimal | None  # accepted figure (None: nothing accepted)
    pending: Decimal | None  # submitted but not yet accepted (None: nothing pending)
    # Sent with nobody to count (a 50+ share when nobody aged 50 or over worked on the
    # contract): a level period left out of the mean, never a 0 and never a shortfall.
    nothing_to_count: bool = False

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


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
    AWAITING_REVIEW = "awaiting_review"  # periods are due, but none has an accepted figure yet
    NOTHING_TO_COUNT = "nothing_to_count"  # periods are due, but each was sent with nobody to count
    ON_TRACK = "on_track"
    BEHIND = "behind"
    OFF_TRACK = "off_track"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    Status.NOT_YET_DUE: "Not yet due",
    Status.AWAITING_REVIEW: "Awaiting review",
    Status.NOTHING_TO_COUNT: "Nobody to count",
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


class Standing(StrEnum):
    """Where one period's figure stands as of a date, as the chart and its table say it."""

    NOT_DUE = "not_due"
    ACCEPTED = "accepted"
    AWAITING_REVIEW = "awaiting_review"  # submitted, in review or queried: left out, never 0
    NOTHING_TO_COUNT = "nothing_to_count"  # sent with nobody to count: left out, never 0
    DUE_TODAY = "due_today"  # nothing submitted yet, but the return is not late until tomorrow
    NO_RETURN = "no_return"  # overdue with nothing submitted: counts as 0

    @property
    def label(self) -> str:
        return _STANDING_LABELS[self]


_STANDING_LABELS = {
    Standing.NOT_DUE: "Not due",
    Standing.ACCEPTED: "Accepted",
    Standing.AWAITING_REVIEW: "Awaiting review",
    Standing.NOTHING_TO_COUNT: "Nobody to count",
    Standing.DUE_TODAY: "Due today",
    Standing.NO_RETURN: "No return",
}


@dataclass(frozen=True)
class Assessment:
    expected_to_date: Decimal
    delivered: Decimal
    pending: Decimal
    shortfall: Decimal  # max(0, expected - delivered)
    delivery_pct: Decimal | None  # None when nothing can be compared yet
    status: Status
    forecast: Decimal  # cumulative: straight-line total at the contract end; level: mean level
    at_risk: bool
    target: Decimal
    expected_by_end: Decimal  # over all the periods given: the target, or its share reported on
    periods_due: int
    periods_awaiting_review: int  # due periods whose figure is submitted but not yet accepted


def _contract_days(starts_on: date, ends_on: date) -> int:
    if ends_on < starts_on:
        raise ValueError("the contract ends before it starts")
    return (ends_on - starts_on).days + 1


def _is_profiled(periods: Sequence[PeriodInput]) -> bool:
    return any(p.planned is not None for p in periods)


def _planned(period: PeriodInput) -> Decimal:
    return period.planned if period.planned is not None else ZERO


def _mean(values: Sequence[Decimal]) -> Decimal:
    return sum(values, ZERO) / len(values) if values else ZERO


def _share_of_target(
    target: Decimal, periods: Sequence[PeriodInput], total_days: int, profiled: bool
) -> Decimal:
    """What a cumulative commitment expects over these periods: their planned figures, or the
    target spread evenly over every day of the contract. Days are summed before multiplying,
    so periods covering the whole contract expect exactly the target."""
    if profiled:
        return sum((_planned(p) for p in periods), ZERO)
    return target * sum(p.days for p in periods) / total_days


def standing(period: PeriodInput, as_of: date) -> Standing:
    if period.due_on > as_of:
        return Standing.NOT_DUE
    if period.nothing_to_count:
        return Standing.NOTHING_TO_COUNT
    if period.accepted is not None:
        return Standing.ACCEPTED
    if period.pending is not None:
        return Standing.AWAITING_REVIEW
    return Standing.NO_RETURN if period.due_on < as_of else Standing.DUE_TODAY


def level_delivered(period: PeriodInput, as_of: date) -> Decimal | None:
    """A level period's figure as it counts: accepted, 0 for no return, None when left out."""
    match standing(period, as_of):
        case Standing.ACCEPTED:
            return period.accepted
        case Standing.NO_RETURN:
            return ZERO
        case _:
            return None


def _counted_levels(
    periods: Sequence[PeriodInput], as_of: date
) -> list[tuple[PeriodInput, Decimal]]:
    """The periods a level's mean is taken over, each with its figure."""
    figures = [(p, level_delivered(p, as_of)) for p in periods]
    return [(p, figure) for p, figure in figures if figure is not None]


def cumulative_trajectory(
    target: Decimal,
    periods: Sequence[PeriodInput],
    contract_starts_on: date,
    contract_ends_on: date,
) -> list[Decimal]:
    """Expected cumulative figure at the end of each period, in the order given (for the chart).
    The periods may start after the contract does (reporting started part-way through)."""
    total = _contract_days(contract_starts_on, contract_ends_on)
    profiled = _is_profiled(periods)
    return [
        _share_of_target(target, periods[: i + 1], total, profiled) for i in range(len(periods))
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
    """One commitment's compliance as of a date, over the periods given: all the periods
    reported on (which start later than the contract when reporting started part-way through),
    or those of an assessment period.

    Cumulative: expected is the share of the target that falls in the due periods; delivered
    sums every accepted figure. Level: the mean of the due periods' figures, leaving out those
    awaiting review or sent with nobody to count (never a false 0) and counting an overdue
    period with no return as 0."""
    total = _contract_days(contract_starts_on, contract_ends_on)
    ordered = sorted(periods, key=lambda p: p.ends_on)
    due = [p for p in ordered if p.due_on <= as_of]
    profiled = _is_profiled(ordered)
    awaiting = sum(standing(p, as_of) is Standing.AWAITING_REVIEW for p in due)

    if kind is MeasureKind.LEVEL:
        counted = _counted_levels(due, as_of)
        if not counted:
            expected = ZERO
        elif profiled:  # the mean planned level over the same periods as `delivered`
            expected = _mean([_planned(p) for p, _ in counted])
        else:
            expected = target
        delivered = _mean([figure for _, figure in counted])
        pending = _mean([p.pending for p in ordered if p.pending is not None])
        forecast = delivered
        expected_by_end = target
        at_risk = bool(counted) and delivered < target
    else:
        expected = _share_of_target(target, due, total, profiled)
        delivered = sum((p.accepted for p in ordered if p.accepted is not None), ZERO)
        pending = sum((p.pending for p in ordered if p.pending is not None), ZERO)
        elapsed = sum(p.days for p in due)
        span = sum(p.days for p in ordered)
        # Multiply before dividing, so a finished contract forecasts exactly what it delivered.
        forecast = delivered * span / elapsed if elapsed else delivered
        expected_by_end = _share_of_target(target, ordered, total, profiled)
        at_risk = bool(elapsed) and forecast < expected_by_end

    pct = None if expected == 0 else delivered * HUNDRED / expected
    status = _status(pct, thresholds)
    if kind is MeasureKind.LEVEL and status is Status.NOT_YET_DUE and awaiting:
        status = Status.AWAITING_REVIEW
    elif (
        kind is MeasureKind.LEVEL
        and status is Status.NOT_YET_DUE
        and any(p.nothing_to_count for p in due)
    ):
        status = Status.NOTHING_TO_COUNT
    return Assessment(
        expected_to_date=expected,
        delivered=delivered,
        pending=pending,
        shortfall=max(ZERO, expected - delivered),
        delivery_pct=pct,
        status=status,
        forecast=forecast,
        at_risk=at_risk,
        target=target,
        expected_by_end=expected_by_end,
        periods_due=len(due),
        periods_awaiting_review=awaiting,
    )


def mean_capped_pct(assessments: Sequence[Assessment]) -> Decimal | None:
    """Mean delivery % over the commitments that have one, each capped at 100; None if none."""
    pcts = [min(a.delivery_pct, HUNDRED) for a in assessments if a.delivery_pct is not None]
    return _mean(pcts) if pcts else None


def rating_for(pct: Decimal | None, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Rating:
    """A delivery % (capped at 100) in the Procurement Act 2023 words."""
    if pct is None:
        return Rating.NOT_YET_RATED
    if pct >= thresholds.good_pct:
        return Rating.GOOD
    if pct >= thresholds.approaching_pct:
        return Rating.APPROACHING
    if pct >= thresholds.requires_improvement_pct:
        return Rating.REQUIRES_IMPROVEMENT
    return Rating.INADEQUATE


def rate(assessments: Sequence[Assessment], thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Rating:
    """The contract's rating: its commitments' mean capped delivery %."""
    return rating_for(mean_capped_pct(assessments), thresholds)


def rate_kpi(assessment: Assessment, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Rating:
    """One KPI's rating, on the same thresholds as the contract's."""
    return rate([assessment], thresholds)


def year_totals(
    kind: MeasureKind,
    target: Decimal,
    periods: Sequence[PeriodInput],
    in_year: Sequence[bool],
    *,
    contract_starts_on: date,
    contract_ends_on: date,
    as_of: date,
) -> tuple[Decimal, Decimal]:
    """(committed, delivered) over the periods of one financial year: the figures a council
    publishes. Cumulative: the year's share of the target and the accepted figures in the year.
    Level: the level promised and the mean level held, over the same periods: those due that
    count (accepted, or overdue with no return), so a period awaiting review drags neither."""
    chosen = [p for p, inside in zip(periods, in_year, strict=True) if inside]
    if not chosen:
        return ZERO, ZERO
    profiled = _is_profiled(periods)
    if kind is MeasureKind.LEVEL:
        counted = _counted_levels(chosen, as_of)
        if not counted:
            return ZERO, ZERO
        committed = _mean([_planned(p) for p, _ in counted]) if profiled else target
        return committed, _mean([figure for _, figure in counted])
    total = _contract_days(contract_starts_on, contract_ends_on)
    delivered = sum((p.accepted for p in chosen if p.accepted is not None), ZERO)
    return _share_of_target(target, chosen, total, profiled), delivered
