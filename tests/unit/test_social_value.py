"""Social value in pounds: delivered x the frozen proxy value, totalled per price-base year."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from portal.domain.social_value import by_price_year, social_value

D = Decimal


def test_delivered_times_the_proxy_value() -> None:
    # 12 weeks of apprenticeship at £250 a week (2024 prices) = £3,000.
    assert social_value(D(12), D("250.00")) == D(3000)
    assert social_value(D("30.48"), D("28500")) == D("868680.00")
    assert social_value(D(0), D(18)) == D(0)


def test_no_proxy_value_is_unknown_not_nothing() -> None:
    assert social_value(D(12), None) is None


def test_amounts_in_different_price_years_are_never_added_together() -> None:
    amounts = [(2024, D(3000)), (2023, D(100)), (2024, D("0.50")), (None, None), (2025, None)]
    assert by_price_year(amounts) == {2023: D(100), 2024: D("3000.50")}
    assert list(by_price_year(amounts)) == [2023, 2024]  # oldest first
    assert by_price_year([]) == {}


money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@given(st.lists(st.tuples(st.sampled_from([None, 2022, 2023, 2024]), st.none() | money)))
def test_each_years_total_is_the_sum_of_that_years_amounts_only(amounts) -> None:
    totals = by_price_year(amounts)
    for year, total in totals.items():
        assert total == sum((a for y, a in amounts if y == year and a is not None), D(0))
    assert set(totals) == {y for y, a in amounts if y is not None and a is not None}
