"""Which real Living Wage rate a period is judged against (design brief section 5a).

Pure functions: no Flask, no database.

The Living Wage Foundation announces a rate for London and one for the rest of the UK each
autumn; employers have until the rate's payable-from date (about six months later) to pay it.
A period is judged against the rate in force on its LAST day: the latest rate for the place
whose payable-from date is on or before that day. So a quarter in which a new rate becomes
payable part-way through is judged against the new rate, as an employer who has adopted it by
the deadline pays it for the rest of the quarter and beyond; a quarter that ends before the
deadline is judged against the old rate, even if the new one was already announced.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class LivingWageRate:
    london: bool
    hourly_rate: Decimal  # £ per hour
    announced_on: date
    payable_from: date  # the day employers must pay it from


def rate_in_force(
    rates: Sequence[LivingWageRate],
    *,
    london: bool,
    period_starts_on: date,
    period_ends_on: date,
) -> Decimal | None:
    """The hourly rate in force for the period [period_starts_on, period_ends_on] in London or
    the rest of the UK: the rate payable on the period's last day. None if no rate for that
    place is payable by then (the table starts later, or has none for the place)."""
    if period_ends_on < period_starts_on:
        raise ValueError("the period ends before it starts")
    payable = [r for r in rates if r.london is london and r.payable_from <= period_ends_on]
    if not payable:
        return None
    return max(payable, key=lambda r: (r.payable_from, r.announced_on)).hourly_rate


def years_missing(announced_on: Iterable[date]) -> list[int]:
    """The years between a place's first and last announcement with no rate announced: a
    rate is announced every autumn, so the quarters such a rate would judge are judged
    against the older one before it until it is added."""
    years = {day.year for day in announced_on}
    if not years:
        return []
    return [year for year in range(min(years), max(years) + 1) if year not in years]
