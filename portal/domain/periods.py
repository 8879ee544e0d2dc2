"""The reporting calendar of a contract: quarters of the council's financial year.

A financial year starts on the first day of a configurable month (April by default) and is named
after the calendar year it starts in. A contract's first and last periods are clipped to its start
and end dates, so they may be partial. A return is due a number of days after its period ends.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

DEFAULT_START_MONTH = 4  # April: the UK public sector financial year
DEFAULT_DUE_DAYS = 30
Span = tuple[date, date]  # first and last day, both included


class PeriodStatus(StrEnum):
    FUTURE = "future"  # the period has not started
    OPEN = "open"  # today falls within the period
    AWAITING = "awaiting"  # the period has ended and the return is not yet late (up to the due day)
    DUE = "due"  # the due day has passed: the return is overdue


@dataclass(frozen=True)
class ReportingPeriod:
    index: int
    financial_year: int
    quarter: int
    quarter_starts_on: date
    quarter_ends_on: date
    starts_on: date
    ends_on: date
    due_on: date

    @property
    def days(self) -> int:
        return contract_days(self.starts_on, self.ends_on)

    @property
    def quarter_days(self) -> int:
        return contract_days(self.quarter_starts_on, self.quarter_ends_on)

    @property
    def is_partial(self) -> bool:
        return self.days < self.quarter_days

    @property
    def label(self) -> str:
        # The start month is not stored: it is the quarter's first month less the quarters before.
        start_month = (self.quarter_starts_on.month - 1 - 3 * (self.quarter - 1)) % 12 + 1
        return quarter_label(self.financial_year, self.quarter, start_month=start_month)

    def status(self, today: date) -> PeriodStatus:
        if today < self.starts_on:
            return PeriodStatus.FUTURE
        if today <= self.ends_on:
            return PeriodStatus.OPEN
        if today <= self.due_on:
            return PeriodStatus.AWAITING
        return PeriodStatus.DUE


def _check_start_month(start_month: int) -> None:
    if not 1 <= start_month <= 12:
        raise ValueError("Financial year start month must be between 1 and 12")


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(value: date) -> str:
    """1 April 2025 (GOV.UK style; English month names whatever the locale)."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def quarter_label(financial_year: int, quarter: int, *, start_month: int) -> str:
    """ "Q1 2025/26", or "Q1 2025" when the financial year is the calendar year."""
    return f"Q{quarter} {financial_year_label(financial_year, start_month=start_month)}"


def financial_year_label(financial_year: int, *, start_month: int) -> str:
    """ "2025/26", or "2025" when the financial year is the calendar year."""
    if start_month == 1:
        return str(financial_year)
    return f"{financial_year}/{(financial_year + 1) % 100:02d}"


def financial_quarter(
    day: date, *, start_month: int = DEFAULT_START_MONTH
) -> tuple[int, int, date, date]:
    """(financial_year, quarter, quarter_starts_on, quarter_ends_on) containing day."""
    _check_start_month(start_month)
    financial_year = day.year if day.month >= start_month else day.year - 1
    quarter = (day.month - start_month) % 12 // 3 + 1
    # Months counted from January of the financial year, so they may run into the next year.
    first = start_month - 1 + 3 * (quarter - 1)
    last = first + 2
    starts_on = date(financial_year + first // 12, first % 12 + 1, 1)
    end_year, end_month = financial_year + last // 12, last % 12 + 1
    ends_on = date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])
    return financial_year, quarter, starts_on, ends_on


def reporting_periods(
    starts_on: date,
    ends_on: date,
    *,
    start_month: int = DEFAULT_START_MONTH,
    due_days: int = DEFAULT_DUE_DAYS,
) -> list[ReportingPeriod]:
    """Every period of a contract in order, the first and last clipped to the contract dates."""
    if ends_on < starts_on:
        raise ValueError("End date must be the same as or after the start date")
    _check_start_month(start_month)
    if due_days < 0:
        raise ValueError("Days until a return is due must be 0 or more")

    periods: list[ReportingPeriod] = []
    cursor = starts_on
    while True:
        year, quarter, quarter_starts_on, quarter_ends_on = financial_quarter(
            cursor, start_month=start_month
        )
        period_ends_on = min(quarter_ends_on, ends_on)
        periods.append(
            ReportingPeriod(
                index=len(periods) + 1,
                financial_year=year,
                quarter=quarter,
                quarter_starts_on=quarter_starts_on,
                quarter_ends_on=quarter_ends_on,
                starts_on=cursor,
                ends_on=period_ends_on,
                # Counted from the clipped end: a contract ending mid-quarter reports sooner.
                due_on=period_ends_on + timedelta(days=due_days),
            )
        )
        if period_ends_on == ends_on:
            return periods
        cursor = period_ends_on + timedelta(days=1)


def periods_due_by(periods: list[ReportingPeriod], today: date) -> list[ReportingPeriod]:
    """The periods whose return should be in by today (due_on <= today), in their given order.

    This includes a period whose due day is today, which status() still calls AWAITING.
    """
    return [period for period in periods if period.due_on <= today]


def contract_days(starts_on: date, ends_on: date) -> int:
    """Days from starts_on to ends_on, counting both."""
    if ends_on < starts_on:
        raise ValueError("End date must be the same as or after the start date")
    return (ends_on - starts_on).days + 1


def financial_year_span(financial_year: int, *, start_month: int = DEFAULT_START_MONTH) -> Span:
    """The first and last day of a financial year."""
    _check_start_month(start_month)
    starts_on = date(financial_year, start_month, 1)
    next_year = date(financial_year + 1, start_month, 1)
    return starts_on, next_year - timedelta(days=1)


def twelve_months_ending(ends_on: date) -> Span:
    """The 12 months up to and including a day: 1 July 2025 to 30 June 2026 for 30 June 2026."""
    try:
        year_before = ends_on.replace(year=ends_on.year - 1)
    except ValueError:  # 29 February: a year before is 28 February
        year_before = ends_on.replace(year=ends_on.year - 1, day=28)
    return year_before + timedelta(days=1), ends_on


def within(periods: list[ReportingPeriod], span: Span) -> list[ReportingPeriod]:
    """The periods an assessment period covers: those that end inside it."""
    starts_on, ends_on = span
    return [p for p in periods if starts_on <= p.ends_on <= ends_on]
