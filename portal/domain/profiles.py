"""An explicit per-quarter profile for a commitment: as typed into a form, rescaled with its
target or replaced when the manager changes the target, and checked against the contract's
quarters.

A profile of a total over the contract always adds up to its commitment's target (design brief
section 5), so it only moves the promise in time. A profile of a level may differ quarter by
quarter. Figures are kept to the penny, as they are stored (2 decimal places).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar

from portal.domain.measures import MeasureKind
from portal.domain.periods import ReportingPeriod

Quarter = tuple[int, int]  # (financial year, quarter)
Plan = dict[Quarter, Decimal]
K = TypeVar("K")

CENT = Decimal("0.01")
ZERO = Decimal(0)
CHOICE = "profile"  # the field saying what happens to a profile when its commitment changes


class ProfileChoice(StrEnum):
    RESCALE = "rescale"  # every quarter in proportion to the new target
    ENTER = "enter"  # the manager types new quarterly figures
    EVEN = "even"  # back to the even spread over the contract


class NothingToRescale(ValueError):
    """A profile of a total that plans nothing at all has no proportions to keep."""


def field_name(period: ReportingPeriod) -> str:
    return f"q-{period.financial_year}-{period.quarter}"


def quarter_of(period: ReportingPeriod) -> Quarter:
    return (period.financial_year, period.quarter)


def as_text(figure: Decimal) -> str:
    """30, 3.5, 3.33: as a person would write it, for messages and form boxes."""
    return f"{figure.normalize():f}"


def typed_from(
    saved: Mapping[Quarter, Decimal], periods: Sequence[ReportingPeriod]
) -> dict[str, str]:
    """The quarter boxes of a form, filled in with a saved profile (empty where it has none)."""
    return {
        field_name(p): as_text(saved[quarter_of(p)]) if quarter_of(p) in saved else ""
        for p in periods
    }


def parse_plan(
    typed: Mapping[str, str],
    periods: Sequence[ReportingPeriod],
    *,
    kind: MeasureKind,
    target: Decimal | None,
) -> tuple[Plan, dict[str, str]]:
    """(figure per quarter, error per field name). Errors mean: save nothing.

    Every quarter needs a figure of 0 or more, to no more than 2 decimal places as it is stored.
    A total over the contract must add up to its target; a level may differ quarter by quarter.
    With no target (the one typed beside the quarters is not valid yet), only the figures are
    checked.
    """
    planned: Plan = {}
    errors: dict[str, str] = {}
    for period in periods:
        name = field_name(period)
        text = typed.get(name, "").replace(",", "").strip()
        if not text:
            errors[name] = f"Enter a figure for {period.label}"
            continue
        try:
            figure = Decimal(text)
        except InvalidOperation:
            errors[name] = f"{period.label} must be a number"
            continue
        if not figure.is_finite() or figure < 0:
            errors[name] = f"{period.label} must be 0 or more"
            continue
        if figure != figure.quantize(CENT):
            errors[name] = f"{period.label} must have no more than 2 decimal places"
            continue
        planned[quarter_of(period)] = figure
    total = sum(planned.values(), ZERO)
    if not errors and target is not None and kind is MeasureKind.CUMULATIVE and total != target:
        errors[field_name(periods[0])] = (
            f"The quarters must add up to the target of {as_text(target)}; "
            f"they add up to {as_text(total)}"
        )
    return planned, errors


def _cents(figure: Decimal) -> int:
    if figure != figure.quantize(CENT):
        raise ValueError(f"{figure} has more than 2 decimal places")
    return int(figure * 100)


def rescale(
    planned: Mapping[K, Decimal],
    *,
    kind: MeasureKind,
    old_target: Decimal,
    new_target: Decimal,
) -> dict[K, Decimal]:
    """The same profile for a new target, to the penny.

    A total: each quarter's share of the profile stays the same, and the quarters add up to the
    new target exactly. Each quarter is first rounded down to the penny; the pennies still
    missing go, one each, to the quarters that lost most to the rounding (the earliest first
    when they lost the same). So every quarter is within a penny of its exact share, none is
    negative and a quarter planned at 0 stays 0. Raises NothingToRescale if it plans nothing.

    A level: each quarter changes in proportion to the target, rounded to the nearest penny
    (halves up); the quarters need not add up to anything.
    """
    cents = {quarter: _cents(figure) for quarter, figure in planned.items()}
    target = _cents(new_target)
    if kind is MeasureKind.LEVEL:
        old = _cents(old_target)
        if old <= 0:
            raise ValueError("a level's old target must be more than 0")
        # Round half up in whole numbers: floor((2 * c * target + old) / (2 * old)).
        scaled = {q: (2 * c * target + old) // (2 * old) for q, c in cents.items()}
    else:
        total = sum(cents.values())
        if total <= 0:
            raise NothingToRescale("the profile plans nothing")
        scaled = {q: c * target // total for q, c in cents.items()}
        lost = {q: c * target % total for q, c in cents.items()}  # in 1/total of a penny
        missing = target - sum(scaled.values())
        # sorted() keeps the given order among equals: the earliest quarter first.
        for quarter in sorted(cents, key=lambda q: -lost[q])[:missing]:
            scaled[quarter] += 1
    return {q: Decimal(c).scaleb(-2) for q, c in scaled.items()}


def replan(
    typed: Mapping[str, str],
    saved: Mapping[Quarter, Decimal],
    periods: Sequence[ReportingPeriod],
    *,
    kind: MeasureKind,
    old_target: Decimal,
    new_target: Decimal | None,
) -> tuple[Plan | None, dict[str, str]]:
    """What a saved profile becomes when its commitment is saved with a new (or the same)
    target, as the manager chose in typed[CHOICE]: (the profile, or None for the even spread;
    error per field name). new_target is None while the target typed is not valid. A
    commitment without a profile keeps the even spread."""
    if not saved:
        return None, {}
    choice = typed.get(CHOICE, "")
    if choice == ProfileChoice.EVEN:
        return None, {}
    if choice == ProfileChoice.ENTER:
        return parse_plan(typed, periods, kind=kind, target=new_target)
    if choice != ProfileChoice.RESCALE:
        return None, {CHOICE: "Select what should happen to the quarterly profile"}
    current = {quarter_of(p): saved[quarter_of(p)] for p in periods if quarter_of(p) in saved}
    if new_target is None:
        return current, {}
    try:
        rescaled = rescale(current, kind=kind, old_target=old_target, new_target=new_target)
    except NothingToRescale:
        return None, {
            CHOICE: "The profile plans nothing to rescale: enter new quarterly figures or use "
            "an even spread"
        }
    return rescaled, {}


def planned_total(saved: Mapping[Quarter, Decimal], periods: Sequence[ReportingPeriod]) -> Decimal:
    """What a profile plans over these quarters (a figure for another quarter does not count)."""
    return sum((saved.get(quarter_of(p), ZERO) for p in periods), ZERO)


def fits(
    saved: Mapping[Quarter, Decimal],
    periods: Sequence[ReportingPeriod],
    *,
    kind: MeasureKind,
    target: Decimal,
) -> bool:
    """Whether a profile still works for these quarters: a figure for every one of them and,
    for a total, adding up to the target over them."""
    if any(quarter_of(p) not in saved for p in periods):
        return False
    return kind is MeasureKind.LEVEL or planned_total(saved, periods) == target
