"""An explicit per-quarter profile for a commitment, as typed into the profile form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

from portal.domain.measures import MeasureKind
from portal.domain.periods import ReportingPeriod


def field_name(period: ReportingPeriod) -> str:
    return f"q-{period.financial_year}-{period.quarter}"


def parse_plan(
    typed: Mapping[str, str],
    periods: Sequence[ReportingPeriod],
    *,
    kind: MeasureKind,
    target: Decimal,
) -> tuple[dict[tuple[int, int], Decimal], dict[str, str]]:
    """(figure per (financial year, quarter), error per field name). Errors mean: save nothing.

    Every quarter needs a figure. A total over the contract must add up to its target, so the
    profile only moves the promise in time; a level may differ quarter by quarter.
    """
    planned: dict[tuple[int, int], Decimal] = {}
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
        planned[(period.financial_year, period.quarter)] = figure
    total = sum(planned.values(), Decimal(0))
    if not errors and kind is MeasureKind.CUMULATIVE and total != target:
        errors[field_name(periods[0])] = (
            f"The quarters must add up to the target of {target.normalize():f}; "
            f"they add up to {total.normalize():f}"
        )
    return planned, errors
