from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.periods import (
    PeriodStatus,
    ReportingPeriod,
    contract_days,
    financial_quarter,
    financial_year_span,
    periods_due_by,
    reporting_periods,
    twelve_months_ending,
    within,
)

D = date


def summary(period: ReportingPeriod) -> tuple[str, date, date, date, int]:
    return period.label, period.starts_on, period.ends_on, period.due_on, period.days


# --- financial_quarter -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2025, 4, 1), (2025, 1, D(2025, 4, 1), D(2025, 6, 30))),
        (D(2025, 6, 30), (2025, 1, D(2025, 4, 1), D(2025, 6, 30))),
        (D(2025, 7, 1), (2025, 2, D(2025, 7, 1), D(2025, 9, 30))),
        (D(2025, 9, 30), (2025, 2, D(2025, 7, 1), D(2025, 9, 30))),
        (D(2025, 10, 1), (2025, 3, D(2025, 10, 1), D(2025, 12, 31))),
        (D(2025, 12, 31), (2025, 3, D(2025, 10, 1), D(2025, 12, 31))),
        (D(2026, 1, 1), (2025, 4, D(2026, 1, 1), D(2026, 3, 31))),
        (D(2026, 3, 31), (2025, 4, D(2026, 1, 1), D(2026, 3, 31))),
        (D(2028, 2, 29), (2027, 4, D(2028, 1, 1), D(2028, 3, 31))),
    ],
)
def test_financial_quarter_defaults_to_an_april_year(
    day: date, expected: tuple[int, int, date, date]
) -> None:
    assert financial_quarter(day) == expected


@pytest.mark.parametrize(
    ("day", "start_month", "expected"),
    [
        (D(2025, 1, 1), 1, (2025, 1, D(2025, 1, 1), D(2025, 3, 31))),
        (D(2025, 12, 31), 1, (2025, 4, D(2025, 10, 1), D(2025, 12, 31))),
        (D(2025, 5, 1), 7, (2024, 4, D(2025, 4, 1), D(2025, 6, 30))),
        (D(2025, 7, 1), 7, (2025, 1, D(2025, 7, 1), D(2025, 9, 30))),
        (D(2026, 1, 15), 2, (2025, 4, D(2025, 11, 1), D(2026, 1, 31))),
        (D(2025, 12, 31), 10, (2025, 1, D(2025, 10, 1), D(2025, 12, 31))),
        # A quarter running over the new year that ends on 29 February.
        (D(2028, 2, 29), 12, (2027, 1, D(2027, 12, 1), D(2028, 2, 29))),
        (D(2027, 12, 1), 12, (2027, 1, D(2027, 12, 1), D(2028, 2, 29))),
        (D(2027, 11, 30), 12, (2026, 4, D(2027, 9, 1), D(2027, 11, 30))),
    ],
)
def test_financial_quarter_with_another_start_month(
    day: date, start_month: int, expected: tuple[int, int, date, date]
) -> None:
    assert financial_quarter(day, start_month=start_month) == expected


@pytest.mark.parametrize("start_month", [0, 13, -4])
def test_financial_quarter_refuses_a_month_that_does_not_exist(start_month: int) -> None:
    with pytest.raises(ValueError, match="start month"):
        financial_quarter(D(2025, 4, 1), start_month=start_month)


# --- a whole contract --------------------------------------------------------------------------


def test_three_year_contract_from_april_has_twelve_full_quarters() -> None:
    periods = reporting_periods(D(2025, 4, 1), D(2028, 3, 31))

    assert [summary(p) for p in periods] == [
        ("Q1 2025/26", D(2025, 4, 1), D(2025, 6, 30), D(2025, 7, 30), 91),
        ("Q2 2025/26", D(2025, 7, 1), D(2025, 9, 30), D(2025, 10, 30), 92),
        ("Q3 2025/26", D(2025, 10, 1), D(2025, 12, 31), D(2026, 1, 30), 92),
        ("Q4 2025/26", D(2026, 1, 1), D(2026, 3, 31), D(2026, 4, 30), 90),
        ("Q1 2026/27", D(2026, 4, 1), D(2026, 6, 30), D(2026, 7, 30), 91),
        ("Q2 2026/27", D(2026, 7, 1), D(2026, 9, 30), D(2026, 10, 30), 92),
        ("Q3 2026/27", D(2026, 10, 1), D(2026, 12, 31), D(2027, 1, 30), 92),
        ("Q4 2026/27", D(2027, 1, 1), D(2027, 3, 31), D(2027, 4, 30), 90),
        ("Q1 2027/28", D(2027, 4, 1), D(2027, 6, 30), D(2027, 7, 30), 91),
        ("Q2 2027/28", D(2027, 7, 1), D(2027, 9, 30), D(2027, 10, 30), 92),
        ("Q3 2027/28", D(2027, 10, 1), D(2027, 12, 31), D(2028, 1, 30), 92),
        ("Q4 2027/28", D(2028, 1, 1), D(2028, 3, 31), D(2028, 4, 30), 91),  # 29 Feb 2028
    ]
    assert [p.index for p in periods] == list(range(1, 13))
    assert [(p.financial_year, p.quarter) for p in periods[:5]] == [
        (2025, 1),
        (2025, 2),
        (2025, 3),
        (2025, 4),
        (2026, 1),
    ]
    assert not any(p.is_partial for p in periods)
    assert all(
        p.starts_on == p.quarter_starts_on and p.ends_on == p.quarter_ends_on for p in periods
    )
    assert sum(p.days for p in periods) == contract_days(D(2025, 4, 1), D(2028, 3, 31)) == 1096


def test_contract_starting_and_ending_mid_quarter_has_partial_first_and_last_periods() -> None:
    periods = reporting_periods(D(2025, 5, 15), D(2027, 2, 10))

    assert [summary(p) for p in periods] == [
        ("Q1 2025/26", D(2025, 5, 15), D(2025, 6, 30), D(2025, 7, 30), 47),  # 17 + 30
        ("Q2 2025/26", D(2025, 7, 1), D(2025, 9, 30), D(2025, 10, 30), 92),
        ("Q3 2025/26", D(2025, 10, 1), D(2025, 12, 31), D(2026, 1, 30), 92),
        ("Q4 2025/26", D(2026, 1, 1), D(2026, 3, 31), D(2026, 4, 30), 90),
        ("Q1 2026/27", D(2026, 4, 1), D(2026, 6, 30), D(2026, 7, 30), 91),
        ("Q2 2026/27", D(2026, 7, 1), D(2026, 9, 30), D(2026, 10, 30), 92),
        ("Q3 2026/27", D(2026, 10, 1), D(2026, 12, 31), D(2027, 1, 30), 92),
        # Due 30 days after the contract's own end, not the quarter's.
        ("Q4 2026/27", D(2027, 1, 1), D(2027, 2, 10), D(2027, 3, 12), 41),  # 31 + 10
    ]
    first, last = periods[0], periods[-1]
    assert (first.is_partial, first.quarter_days) == (True, 91)
    assert (first.quarter_starts_on, first.quarter_ends_on) == (D(2025, 4, 1), D(2025, 6, 30))
    assert (last.is_partial, last.quarter_days) == (True, 90)
    assert (last.quarter_starts_on, last.quarter_ends_on) == (D(2027, 1, 1), D(2027, 3, 31))
    assert not any(p.is_partial for p in periods[1:-1])
    assert sum(p.days for p in periods) == contract_days(D(2025, 5, 15), D(2027, 2, 10)) == 637


def test_contract_shorter_than_a_quarter_inside_one_quarter() -> None:
    periods = reporting_periods(D(2025, 8, 4), D(2025, 9, 12))

    assert [summary(p) for p in periods] == [
        ("Q2 2025/26", D(2025, 8, 4), D(2025, 9, 12), D(2025, 10, 12), 40),  # 28 + 12
    ]
    assert periods[0].is_partial
    assert periods[0].quarter_days == 92


def test_contract_shorter_than_a_quarter_spanning_two_quarters() -> None:
    periods = reporting_periods(D(2025, 11, 17), D(2026, 2, 6))

    assert [summary(p) for p in periods] == [
        ("Q3 2025/26", D(2025, 11, 17), D(2025, 12, 31), D(2026, 1, 30), 45),  # 14 + 31
        ("Q4 2025/26", D(2026, 1, 1), D(2026, 2, 6), D(2026, 3, 8), 37),  # 31 + 6
    ]
    assert all(p.is_partial for p in periods)
    assert contract_days(D(2025, 11, 17), D(2026, 2, 6)) == 82


def test_contract_starting_on_the_last_day_of_a_quarter_has_a_one_day_first_period() -> None:
    periods = reporting_periods(D(2025, 6, 30), D(2025, 12, 31))

    assert [summary(p) for p in periods] == [
        ("Q1 2025/26", D(2025, 6, 30), D(2025, 6, 30), D(2025, 7, 30), 1),
        ("Q2 2025/26", D(2025, 7, 1), D(2025, 9, 30), D(2025, 10, 30), 92),
        ("Q3 2025/26", D(2025, 10, 1), D(2025, 12, 31), D(2026, 1, 30), 92),
    ]
    assert [p.is_partial for p in periods] == [True, False, False]


def test_contract_ending_on_the_first_day_of_a_quarter_has_a_one_day_last_period() -> None:
    periods = reporting_periods(D(2025, 4, 1), D(2025, 7, 1))

    assert [summary(p) for p in periods] == [
        ("Q1 2025/26", D(2025, 4, 1), D(2025, 6, 30), D(2025, 7, 30), 91),
        ("Q2 2025/26", D(2025, 7, 1), D(2025, 7, 1), D(2025, 7, 31), 1),
    ]
    assert [p.is_partial for p in periods] == [False, True]


@pytest.mark.parametrize(
    ("day", "label", "due_on"),
    [
        (D(2025, 4, 1), "Q1 2025/26", D(2025, 5, 1)),
        (D(2028, 2, 29), "Q4 2027/28", D(2028, 3, 30)),
        (D(2026, 3, 31), "Q4 2025/26", D(2026, 4, 30)),
    ],
)
def test_one_day_contract_has_one_period_of_one_day(day: date, label: str, due_on: date) -> None:
    (period,) = reporting_periods(day, day)

    assert summary(period) == (label, day, day, due_on, 1)
    assert period.index == 1
    assert period.is_partial
    assert contract_days(day, day) == 1


# --- leap years --------------------------------------------------------------------------------


def test_january_to_march_has_91_days_in_a_leap_year_and_90_otherwise() -> None:
    (leap,) = reporting_periods(D(2028, 1, 1), D(2028, 3, 31))
    (common,) = reporting_periods(D(2027, 1, 1), D(2027, 3, 31))

    assert (leap.days, leap.quarter_days, leap.is_partial) == (91, 91, False)
    assert (common.days, common.quarter_days, common.is_partial) == (90, 90, False)


def test_contract_starting_on_29_february() -> None:
    periods = reporting_periods(D(2028, 2, 29), D(2029, 2, 28))

    assert [summary(p) for p in periods] == [
        ("Q4 2027/28", D(2028, 2, 29), D(2028, 3, 31), D(2028, 4, 30), 32),  # 1 + 31
        ("Q1 2028/29", D(2028, 4, 1), D(2028, 6, 30), D(2028, 7, 30), 91),
        ("Q2 2028/29", D(2028, 7, 1), D(2028, 9, 30), D(2028, 10, 30), 92),
        ("Q3 2028/29", D(2028, 10, 1), D(2028, 12, 31), D(2029, 1, 30), 92),
        ("Q4 2028/29", D(2029, 1, 1), D(2029, 2, 28), D(2029, 3, 30), 59),  # 31 + 28
    ]
    assert periods[0].quarter_days == 91
    assert periods[-1].quarter_days == 90
    assert sum(p.days for p in periods) == contract_days(D(2028, 2, 29), D(2029, 2, 28)) == 366


@pytest.mark.parametrize(
    ("ends_on", "due_on"),
    [
        (D(2028, 1, 31), D(2028, 3, 1)),  # counts through 29 February
        (D(2027, 1, 31), D(2027, 3, 2)),
    ],
)
def test_due_date_counts_29_february(ends_on: date, due_on: date) -> None:
    assert reporting_periods(D(2026, 12, 1), ends_on)[-1].due_on == due_on


# --- another financial year --------------------------------------------------------------------


def test_financial_year_starting_in_january_uses_calendar_quarters_and_plain_year_labels() -> None:
    periods = reporting_periods(D(2025, 4, 1), D(2026, 3, 31), start_month=1)

    assert [summary(p) for p in periods] == [
        ("Q2 2025", D(2025, 4, 1), D(2025, 6, 30), D(2025, 7, 30), 91),
        ("Q3 2025", D(2025, 7, 1), D(2025, 9, 30), D(2025, 10, 30), 92),
        ("Q4 2025", D(2025, 10, 1), D(2025, 12, 31), D(2026, 1, 30), 92),
        ("Q1 2026", D(2026, 1, 1), D(2026, 3, 31), D(2026, 4, 30), 90),
    ]
    assert [p.financial_year for p in periods] == [2025, 2025, 2025, 2026]


def test_financial_year_starting_in_july() -> None:
    periods = reporting_periods(D(2025, 4, 1), D(2026, 3, 31), start_month=7)

    assert [summary(p) for p in periods] == [
        ("Q4 2024/25", D(2025, 4, 1), D(2025, 6, 30), D(2025, 7, 30), 91),
        ("Q1 2025/26", D(2025, 7, 1), D(2025, 9, 30), D(2025, 10, 30), 92),
        ("Q2 2025/26", D(2025, 10, 1), D(2025, 12, 31), D(2026, 1, 30), 92),
        ("Q3 2025/26", D(2026, 1, 1), D(2026, 3, 31), D(2026, 4, 30), 90),
    ]
    assert [(p.financial_year, p.quarter) for p in periods] == [
        (2024, 4),
        (2025, 1),
        (2025, 2),
        (2025, 3),
    ]


def test_quarters_that_do_not_line_up_with_calendar_quarters() -> None:
    periods = reporting_periods(D(2025, 12, 15), D(2026, 3, 1), start_month=2)

    assert [summary(p) for p in periods] == [
        ("Q4 2025/26", D(2025, 12, 15), D(2026, 1, 31), D(2026, 3, 2), 48),  # 17 + 31
        ("Q1 2026/27", D(2026, 2, 1), D(2026, 3, 1), D(2026, 3, 31), 29),  # 28 + 1
    ]
    assert [p.quarter_days for p in periods] == [92, 89]  # Nov-Jan; Feb-Apr 2026


def test_label_of_a_year_crossing_a_century() -> None:
    (period,) = reporting_periods(D(2099, 4, 1), D(2099, 4, 1))

    assert period.label == "Q1 2099/00"


# --- due dates ---------------------------------------------------------------------------------


def test_due_days_zero_makes_a_return_due_on_the_last_day_of_its_period() -> None:
    periods = reporting_periods(D(2025, 4, 1), D(2025, 11, 20), due_days=0)

    assert [p.due_on for p in periods] == [D(2025, 6, 30), D(2025, 9, 30), D(2025, 11, 20)]
    first = periods[0]
    assert first.status(D(2025, 6, 30)) == PeriodStatus.OPEN
    assert first.status(D(2025, 7, 1)) == PeriodStatus.DUE  # never awaiting
    assert periods_due_by(periods, D(2025, 6, 30)) == [first]


def test_due_days_45() -> None:
    periods = reporting_periods(D(2025, 4, 1), D(2026, 3, 31), due_days=45)

    assert [p.due_on for p in periods] == [
        D(2025, 8, 14),  # 30 June + 31 + 14
        D(2025, 11, 14),  # 30 September + 31 + 14
        D(2026, 2, 14),  # 31 December + 31 + 14
        D(2026, 5, 15),  # 31 March + 30 + 15
    ]


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "start_month", "due_days", "message"),
    [
        (D(2025, 4, 2), D(2025, 4, 1), 4, 30, "End date"),
        (D(2025, 4, 1), D(2026, 3, 31), 0, 30, "start month"),
        (D(2025, 4, 1), D(2026, 3, 31), 13, 30, "start month"),
        (D(2025, 4, 1), D(2026, 3, 31), 4, -1, "due"),
    ],
)
def test_reporting_periods_refuses_bad_arguments(
    starts_on: date, ends_on: date, start_month: int, due_days: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        reporting_periods(starts_on, ends_on, start_month=start_month, due_days=due_days)


def test_contract_days_counts_both_ends_and_refuses_an_end_before_the_start() -> None:
    assert contract_days(D(2025, 4, 1), D(2025, 4, 1)) == 1
    assert contract_days(D(2025, 4, 1), D(2026, 3, 31)) == 365
    assert contract_days(D(2027, 4, 1), D(2028, 3, 31)) == 366
    with pytest.raises(ValueError, match="End date"):
        contract_days(D(2025, 4, 2), D(2025, 4, 1))


# --- status and what is due --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (D(2025, 5, 14), PeriodStatus.FUTURE),  # inside the quarter but before the contract
        (D(2025, 5, 15), PeriodStatus.OPEN),
        (D(2025, 6, 30), PeriodStatus.OPEN),
        (D(2025, 7, 1), PeriodStatus.AWAITING),
        (D(2025, 7, 30), PeriodStatus.AWAITING),  # the due day itself is not yet late
        (D(2025, 7, 31), PeriodStatus.DUE),
    ],
)
def test_status_of_a_partial_first_period(today: date, status: PeriodStatus) -> None:
    first = reporting_periods(D(2025, 5, 15), D(2027, 2, 10))[0]

    assert first.status(today) == status


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (D(2026, 12, 31), PeriodStatus.FUTURE),
        (D(2027, 1, 1), PeriodStatus.OPEN),
        (D(2027, 2, 10), PeriodStatus.OPEN),
        (D(2027, 2, 11), PeriodStatus.AWAITING),  # inside the quarter but after the contract
        (D(2027, 3, 12), PeriodStatus.AWAITING),
        (D(2027, 3, 13), PeriodStatus.DUE),
    ],
)
def test_status_of_a_partial_last_period(today: date, status: PeriodStatus) -> None:
    last = reporting_periods(D(2025, 5, 15), D(2027, 2, 10))[-1]

    assert last.status(today) == status


def test_status_values() -> None:
    assert [s.value for s in PeriodStatus] == ["future", "open", "awaiting", "due"]


def test_periods_due_by_includes_a_period_due_today() -> None:
    periods = reporting_periods(D(2025, 4, 1), D(2028, 3, 31))

    assert periods_due_by(periods, D(2025, 7, 29)) == []
    assert periods_due_by(periods, D(2025, 7, 30)) == periods[:1]
    assert periods_due_by(periods, D(2025, 10, 29)) == periods[:1]
    assert periods_due_by(periods, D(2025, 10, 30)) == periods[:2]
    assert periods_due_by(periods, D(2028, 4, 29)) == periods[:11]
    assert periods_due_by(periods, D(2030, 1, 1)) == periods
    assert periods_due_by([], D(2030, 1, 1)) == []


def test_periods_are_immutable() -> None:
    period = reporting_periods(D(2025, 4, 1), D(2025, 6, 30))[0]

    with pytest.raises(AttributeError):
        period.due_on = D(2025, 8, 1)  # type: ignore[misc]


# --- properties --------------------------------------------------------------------------------

days = st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31))
start_months = st.integers(min_value=1, max_value=12)


@st.composite
def contracts(draw: st.DrawFn) -> tuple[date, date, int, int]:
    starts_on = draw(days)
    ends_on = starts_on + timedelta(days=draw(st.integers(min_value=0, max_value=4000)))
    return starts_on, ends_on, draw(start_months), draw(st.integers(min_value=0, max_value=120))


@given(contracts())
def test_periods_tile_the_contract_exactly(contract: tuple[date, date, int, int]) -> None:
    starts_on, ends_on, start_month, due_days = contract
    periods = reporting_periods(starts_on, ends_on, start_month=start_month, due_days=due_days)

    assert [p.index for p in periods] == list(range(1, len(periods) + 1))
    assert periods[0].starts_on == starts_on
    assert periods[-1].ends_on == ends_on
    for before, after in zip(periods, periods[1:], strict=False):
        assert after.starts_on == before.ends_on + timedelta(days=1)
        assert after.quarter_starts_on == before.quarter_ends_on + timedelta(days=1)
    assert sum(p.days for p in periods) == contract_days(starts_on, ends_on)
    assert len({p.label for p in periods}) == len(periods)


@given(contracts())
def test_each_period_lies_within_one_financial_quarter(
    contract: tuple[date, date, int, int],
) -> None:
    starts_on, ends_on, start_month, due_days = contract
    periods = reporting_periods(starts_on, ends_on, start_month=start_month, due_days=due_days)

    for p in periods:
        quarter = (p.financial_year, p.quarter, p.quarter_starts_on, p.quarter_ends_on)
        assert financial_quarter(p.starts_on, start_month=start_month) == quarter
        assert financial_quarter(p.ends_on, start_month=start_month) == quarter
        assert p.quarter_starts_on <= p.starts_on <= p.ends_on <= p.quarter_ends_on
        assert 1 <= p.days <= p.quarter_days
        assert p.due_on - p.ends_on == timedelta(days=due_days)


@given(contracts())
def test_only_the_first_and_last_periods_may_be_partial(
    contract: tuple[date, date, int, int],
) -> None:
    starts_on, ends_on, start_month, due_days = contract
    periods = reporting_periods(starts_on, ends_on, start_month=start_month, due_days=due_days)

    first, last = periods[0], periods[-1]
    assert not any(p.is_partial for p in periods[1:-1])
    # The contract's start clips only the first period and its end only the last.
    starts_mid_quarter = starts_on != first.quarter_starts_on
    ends_mid_quarter = ends_on != last.quarter_ends_on
    assert first.is_partial == (starts_mid_quarter or (len(periods) == 1 and ends_mid_quarter))
    assert last.is_partial == (ends_mid_quarter or (len(periods) == 1 and starts_mid_quarter))


@given(days, start_months)
def test_financial_quarter_is_three_whole_months_containing_the_day(
    day: date, start_month: int
) -> None:
    year, quarter, starts_on, ends_on = financial_quarter(day, start_month=start_month)

    assert starts_on <= day <= ends_on
    assert 1 <= quarter <= 4
    assert starts_on.day == 1
    assert (ends_on + timedelta(days=1)).day == 1
    assert (ends_on.year * 12 + ends_on.month) - (starts_on.year * 12 + starts_on.month) == 2
    assert 89 <= contract_days(starts_on, ends_on) <= 92
    # Q1 starts in the start month of the financial year it names.
    q1_starts_on = financial_quarter(D(year, start_month, 1), start_month=start_month)[2]
    assert q1_starts_on == D(year, start_month, 1)
    months_in = (starts_on.year * 12 + starts_on.month) - (year * 12 + start_month)
    assert months_in == 3 * (quarter - 1)


@given(contracts(), days)
def test_status_agrees_with_the_dates(contract: tuple[date, date, int, int], today: date) -> None:
    starts_on, ends_on, start_month, due_days = contract
    periods = reporting_periods(starts_on, ends_on, start_month=start_month, due_days=due_days)
    due = periods_due_by(periods, today)

    for p in periods:
        status = p.status(today)
        assert (status == PeriodStatus.FUTURE) == (today < p.starts_on)
        assert (status == PeriodStatus.OPEN) == (p.starts_on <= today <= p.ends_on)
        assert (status == PeriodStatus.DUE) == (today > p.due_on)
        assert (p in due) == (p.due_on <= today)
    # What is due by a day is always a leading run of the periods.
    assert due == periods[: len(due)]


# --- Assessment periods -------------------------------------------------------------------------


def test_a_financial_year_runs_from_its_start_month_to_the_day_before_the_next() -> None:
    assert financial_year_span(2025) == (date(2025, 4, 1), date(2026, 3, 31))
    assert financial_year_span(2025, start_month=1) == (date(2025, 1, 1), date(2025, 12, 31))
    assert financial_year_span(2023, start_month=3) == (date(2023, 3, 1), date(2024, 2, 29))


def test_twelve_months_ending_a_day() -> None:
    assert twelve_months_ending(date(2026, 6, 30)) == (date(2025, 7, 1), date(2026, 6, 30))
    assert twelve_months_ending(date(2026, 3, 31)) == (date(2025, 4, 1), date(2026, 3, 31))
    assert twelve_months_ending(date(2028, 2, 29)) == (date(2027, 3, 1), date(2028, 2, 29))


def test_an_assessment_period_covers_the_periods_that_end_inside_it() -> None:
    periods = reporting_periods(date(2025, 5, 15), date(2027, 3, 31))
    covered = within(periods, financial_year_span(2025))
    assert [p.label for p in covered] == ["Q1 2025/26", "Q2 2025/26", "Q3 2025/26", "Q4 2025/26"]
    assert within(periods, (date(2025, 7, 1), date(2026, 6, 30)))[0].label == "Q2 2025/26"
