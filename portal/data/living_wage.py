"""The real Living Wage rate in force for a contract's period.

A stand-in with the agreed signature (tasks/fair_shared.md): the rates table and the London
setting come with the Living Wage rates work, which replaces this module. Until then no rate is
known, so the Living Wage shares are "not known" rather than a false 0%.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from portal.data.models import Contract


def rate_for(contract: Contract, period_starts_on: date, period_ends_on: date) -> Decimal | None:
    """The real Living Wage rate (£ an hour) in force for the period where the contract's work
    is done; None when the table has no rate in force."""
    return None
