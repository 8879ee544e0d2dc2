"""The real Living Wage rate a period is judged against: the one payable on its last day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.domain.living_wage import LivingWageRate, rate_in_force, years_missing

# The brief's 2023/24 and 2024/25 rates, announced in October, payable from 1 May after.
RATES = [
    LivingWageRate(False, Decimal("12.00"), date(2023, 10, 25), date(2024, 5, 1)),
    LivingWageRate(True, Decimal("13.15"), date(2023, 10, 25), date(2024, 5, 1)),
    LivingWageRate(False, Decimal("12.60"), date(2024, 10, 23), date(2025, 5, 1)),
    LivingWageRate(True, Decimal("13.85"), date(2024, 10, 23), date(2025, 5, 1)),
]


def in_force(starts_on: date, ends_on: date, *, london: bool = False) -> Decimal | None:
    return rate_in_force(RATES, london=london, period_starts_on=starts_on, period_ends_on=ends_on)


def test_london_and_the_rest_of_the_uk_have_their_own_rates() -> None:
    # Quarter 3 of 2024/25: October to December 2024.
    assert in_force(date(2024, 10, 1), date(2024, 12, 31)) == Decimal("12.00")
    assert in_force(date(2024, 10, 1), date(2024, 12, 31), london=True) == Decimal("13.15")


def test_a_rate_announced_but_not_yet_payable_is_not_in_force() -> None:
    # January to March 2025: 12.60 was announced in October 2024 but is payable from May 2025.
    assert in_force(date(2025, 1, 1), date(2025, 3, 31)) == Decimal("12.00")


def test_a_rate_that_becomes_payable_mid_quarter_judges_the_whole_quarter() -> None:
    """April to June 2025, the first quarter of 2025/26: 12.60 is payable from 1 May, so it is
    the rate in force on 30 June, and the quarter is judged against it."""
    assert in_force(date(2025, 4, 1), date(2025, 6, 30)) == Decimal("12.60")
    assert in_force(date(2025, 4, 1), date(2025, 6, 30), london=True) == Decimal("13.85")


def test_the_financial_year_changes_rate_between_its_quarters() -> None:
    """2024/25: the first quarter (April to June 2024) already has 12.00, payable from 1 May
    2024; every later quarter of the year too; only the next year's first quarter moves on."""
    quarters = [
        (date(2024, 4, 1), date(2024, 6, 30)),
        (date(2024, 7, 1), date(2024, 9, 30)),
        (date(2024, 10, 1), date(2024, 12, 31)),
        (date(2025, 1, 1), date(2025, 3, 31)),
        (date(2025, 4, 1), date(2025, 6, 30)),
    ]
    assert [in_force(*q) for q in quarters] == [Decimal("12.00")] * 4 + [Decimal("12.60")]


def test_the_day_before_and_the_day_a_rate_becomes_payable() -> None:
    assert in_force(date(2025, 4, 1), date(2025, 4, 30)) == Decimal("12.00")
    assert in_force(date(2025, 4, 1), date(2025, 5, 1)) == Decimal("12.60")


def test_no_rate_in_force() -> None:
    # Before the table's first rate is payable.
    assert in_force(date(2024, 1, 1), date(2024, 3, 31)) is None
    assert (
        rate_in_force(
            [], london=False, period_starts_on=date(2025, 4, 1), period_ends_on=date(2025, 6, 30)
        )
        is None
    )
    # A table with rates for the rest of the UK only has none for London.
    uk_only = [r for r in RATES if not r.london]
    assert (
        rate_in_force(
            uk_only,
            london=True,
            period_starts_on=date(2025, 4, 1),
            period_ends_on=date(2025, 6, 30),
        )
        is None
    )


def test_the_order_of_the_table_does_not_matter() -> None:
    backwards = list(reversed(RATES))
    assert rate_in_force(
        backwards, london=False, period_starts_on=date(2025, 4, 1), period_ends_on=date(2025, 6, 30)
    ) == Decimal("12.60")


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        in_force(date(2025, 6, 30), date(2025, 4, 1))


def test_the_years_with_no_rate_announced_are_found() -> None:
    seeded = [date(2016, 10, 31), date(2018, 11, 5), date(2019, 11, 11), date(2023, 10, 25)]
    assert years_missing(seeded) == [2017, 2020, 2021, 2022]
    assert years_missing([date(2024, 10, 23), date(2025, 10, 21)]) == []
    assert years_missing([]) == []
