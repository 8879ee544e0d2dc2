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
    settings: Settings = current_settings()
    return reporting_periods(
        contract.start_on,
        contract.end_on,
        start_month=settings.financial_year_start_month,
        due_days=settings.return_due_days,
    )
