"""The reporting calendar of a contract under the council's settings, and today's date."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from portal.config import Settings, current_settings
from portal.data.models import Contract
from portal.domain.periods import ReportingPeriod, reporting_periods

LONDON = ZoneInfo("Europe/London")


def today() -> date:
    """Dates in this service are UK dates: a return due "today" is due by London's calendar."""
    return datetime.now(LONDON).date()


def periods_of(contract: Contract) -> list[ReportingPeriod]:
    """Every quarter of the contract's life: what a quarterly profile plans over."""
    return _periods(contract.start_on, contract.end_on)


def reporting_periods_of(contract: Contract) -> list[ReportingPeriod]:
    """The periods the supplier reports on: from the contract's start or, for a contract
    entered part-way through its life, from its reporting start date (the first period is
    clipped to it, like a contract that starts mid-quarter)."""
    return _periods(contract.reporting_starts_on or contract.start_on, contract.end_on)


def _periods(starts_on: date, ends_on: date) -> list[ReportingPeriod]:
    settings: Settings = current_settings()
    return reporting_periods(
        starts_on,
        ends_on,
        start_month=settings.financial_year_start_month,
        due_days=settings.return_due_days,
    )


def day_of(moment: datetime) -> date:
    """The UK date of a moment stored in UTC: what "submitted on" means to people here."""
    return moment.astimezone(LONDON).date()
