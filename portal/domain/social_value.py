"""Social value in pounds (design brief section 5): delivered x the commitment's proxy value.

Pure. A proxy value is in the prices of its base year, so amounts are only ever added up within
one price-base year: totals come back keyed by year, never as one sum across years.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal


def social_value(delivered: Decimal, proxy_value: Decimal | None) -> Decimal | None:
    """None when the commitment has no proxy value: unknown, which is not the same as £0."""
    return None if proxy_value is None else delivered * proxy_value


def by_price_year(amounts: Iterable[tuple[int | None, Decimal | None]]) -> dict[int, Decimal]:
    """(price-base year, amount) pairs added up per year, oldest year first; amounts without a
    proxy value (None) are left out."""
    totals: dict[int, Decimal] = {}
    for year, amount in amounts:
        if year is not None and amount is not None:
            totals[year] = totals.get(year, Decimal(0)) + amount
    return dict(sorted(totals.items()))
