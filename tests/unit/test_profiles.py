from __future__ import annotations

from datetime import date
from decimal import Decimal
from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from portal.domain.measures import MeasureKind
from portal.domain.periods import reporting_periods
from portal.domain.profiles import (
    CHOICE,
    NothingToRescale,
    field_name,
    fits,
    parse_plan,
    planned_total,
    replan,
    rescale,
    typed_from,
)

PERIODS = reporting_periods(date(2025, 4, 1), date(2026, 3, 31))  # four quarters
CUMULATIVE, LEVEL = MeasureKind.CUMULATIVE, MeasureKind.LEVEL


def typed(*figures: str) -> dict[str, str]:
    return {field_name(p): figure for p, figure in zip(PERIODS, figures, strict=True)}


def test_a_cumulative_profile_must_add_up_to_the_target() -> None:
    planned, errors = parse_plan(
        typed("1", "2", "3", "4"), PERIODS, kind=MeasureKind.CUMULATIVE, target=Decimal(10)
    )
    assert errors == {}
    assert planned == {
        (2025, 1): Decimal(1),
        (2025, 2): Decimal(2),
        (2025, 3): Decimal(3),
        (2025, 4): Decimal(4),
    }
    _, errors = parse_plan(
        typed("1", "2", "3", "5"), PERIODS, kind=MeasureKind.CUMULATIVE, target=Decimal(10)
    )
    assert errors == {"q-2025-1": "The quarters must add up to the target of 10; they add up to 11"}


def test_a_level_profile_may_vary() -> None:
    _, errors = parse_plan(
        typed("2", "3", "3", "4"), PERIODS, kind=MeasureKind.LEVEL, target=Decimal(3)
    )
    assert errors == {}


def test_every_quarter_needs_a_sensible_figure() -> None:
    _, errors = parse_plan(
        typed("", "x", "-1", "1"), PERIODS, kind=MeasureKind.LEVEL, target=Decimal(3)
    )
    assert errors == {
        "q-2025-1": "Enter a figure for Q1 2025/26",
        "q-2025-2": "Q2 2025/26 must be a number",
        "q-2025-3": "Q3 2025/26 must be 0 or more",
    }


def test_figures_are_kept_to_the_penny() -> None:
    _, errors = parse_plan(
        typed("2.5", "2.50", "2.499", "2.501"), PERIODS, kind=MeasureKind.LEVEL, target=D(3)
    )
    assert errors == {
        "q-2025-3": "Q3 2025/26 must have no more than 2 decimal places",
        "q-2025-4": "Q4 2025/26 must have no more than 2 decimal places",
    }


def test_without_a_valid_target_only_the_figures_are_checked() -> None:
    planned, errors = parse_plan(typed("1", "1", "1", "1"), PERIODS, kind=CUMULATIVE, target=None)
    assert errors == {} and sum(planned.values()) == 4


def test_typed_from_a_saved_profile_fills_in_the_boxes() -> None:
    saved = {(2025, 1): D("5.00"), (2025, 2): D("3.30"), (2025, 4): D("0.00")}
    assert typed_from(saved, PERIODS) == {
        "q-2025-1": "5",
        "q-2025-2": "3.3",
        "q-2025-3": "",
        "q-2025-4": "0",
    }


# Rescaling


def test_rescaling_30_to_36_over_six_quarters_of_5() -> None:
    planned = dict(enumerate([D(5)] * 6))
    rescaled = rescale(planned, kind=CUMULATIVE, old_target=D(30), new_target=D(36))
    assert list(rescaled.values()) == [D(6)] * 6


def test_rescaling_10_to_11_gives_the_missing_penny_to_the_biggest_loss() -> None:
    # Exact shares: 3.663, 3.663, 3.674. Rounded down: 3.66 + 3.66 + 3.67 = 10.99, a penny short.
    # The third quarter lost most to the rounding (0.004 against 0.003), so it gets the penny.
    planned = {"Q1": D("3.33"), "Q2": D("3.33"), "Q3": D("3.34")}
    rescaled = rescale(planned, kind=CUMULATIVE, old_target=D(10), new_target=D(11))
    assert rescaled == {"Q1": D("3.66"), "Q2": D("3.66"), "Q3": D("3.68")}
    assert sum(rescaled.values()) == D(11)


def test_rescaling_down_keeps_zeros_and_gives_ties_to_the_earliest() -> None:
    # 10 over [0, 4, 0, 3, 3] to 7: exact shares 0, 2.8, 0, 2.1, 2.1; all exact to the penny.
    planned = dict(enumerate([D(0), D(4), D(0), D(3), D(3)]))
    rescaled = rescale(planned, kind=CUMULATIVE, old_target=D(10), new_target=D(7))
    assert list(rescaled.values()) == [D(0), D("2.8"), D(0), D("2.1"), D("2.1")]
    # 3 over three equal quarters to 1: shares of 0.333..., one penny to place among equals.
    thirds = rescale(dict(enumerate([D(1)] * 3)), kind=CUMULATIVE, old_target=D(3), new_target=D(1))
    assert list(thirds.values()) == [D("0.34"), D("0.33"), D("0.33")]


def test_a_total_that_plans_nothing_cannot_be_rescaled() -> None:
    with pytest.raises(NothingToRescale):
        rescale({(2025, 1): D(0)}, kind=CUMULATIVE, old_target=D(5), new_target=D(6))


def test_a_level_profile_scales_with_the_target_to_the_nearest_penny() -> None:
    # Levels of 2, 3, 3, 4 around a target of 3, now 4: x 4/3 = 2.666.., 4, 4, 5.333..
    planned = dict(enumerate([D(2), D(3), D(3), D(4)]))
    rescaled = rescale(planned, kind=LEVEL, old_target=D(3), new_target=D(4))
    assert list(rescaled.values()) == [D("2.67"), D(4), D(4), D("5.33")]


cents = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False, allow_infinity=False)
targets = st.decimals(
    min_value=D("0.01"), max_value=100_000, places=2, allow_nan=False, allow_infinity=False
)


@given(st.lists(cents, min_size=1, max_size=24), targets, targets)
def test_rescaled_totals_add_up_exactly_and_stay_within_a_penny(
    figures: list[Decimal], old_target: Decimal, new_target: Decimal
) -> None:
    assume(sum(figures) > 0)
    planned = dict(enumerate(figures))
    rescaled = rescale(planned, kind=CUMULATIVE, old_target=old_target, new_target=new_target)
    assert rescaled.keys() == planned.keys()
    assert sum(rescaled.values()) == new_target
    total = Fraction(sum(figures))
    for quarter, figure in planned.items():
        assert rescaled[quarter] >= 0
        assert rescaled[quarter] == rescaled[quarter].quantize(D("0.01"))
        if figure == 0:
            assert rescaled[quarter] == 0
        exact = Fraction(figure) * Fraction(new_target) / total
        assert abs(Fraction(rescaled[quarter]) - exact) < Fraction(1, 100)


@given(st.lists(cents, min_size=1, max_size=24), targets, targets)
def test_rescaled_levels_are_proportional_within_half_a_penny(
    figures: list[Decimal], old_target: Decimal, new_target: Decimal
) -> None:
    planned = dict(enumerate(figures))
    rescaled = rescale(planned, kind=LEVEL, old_target=old_target, new_target=new_target)
    for quarter, figure in planned.items():
        assert rescaled[quarter] >= 0
        if figure == 0:
            assert rescaled[quarter] == 0
        exact = Fraction(figure) * Fraction(new_target) / Fraction(old_target)
        assert abs(Fraction(rescaled[quarter]) - exact) <= Fraction(1, 200)


@given(st.lists(cents, min_size=1, max_size=12), targets)
def test_rescaling_a_total_that_adds_up_to_the_same_target_changes_nothing(
    figures: list[Decimal], old_target: Decimal
) -> None:
    total = sum(figures, D(0))
    assume(total > 0)
    planned = dict(enumerate(figures))
    assert rescale(planned, kind=CUMULATIVE, old_target=old_target, new_target=total) == planned


# What a profile becomes when its commitment is saved


SAVED = {(2025, 1): D(5), (2025, 2): D(5), (2025, 3): D(5), (2025, 4): D(15)}


def test_replan_rescales_by_default_and_can_start_again_or_go_even() -> None:
    def replanned(choice: str, *figures: str, target: Decimal | None = D(36)) -> tuple:
        boxes = typed(*figures) if figures else {}
        return replan(
            boxes | {CHOICE: choice},
            SAVED,
            PERIODS,
            kind=CUMULATIVE,
            old_target=D(30),
            new_target=target,
        )

    assert replanned("rescale") == (
        {(2025, 1): D(6), (2025, 2): D(6), (2025, 3): D(6), (2025, 4): D(18)},
        {},
    )
    assert replanned("even") == (None, {})
    assert replanned("enter", "9", "9", "9", "9") == (
        {(2025, 1): D(9), (2025, 2): D(9), (2025, 3): D(9), (2025, 4): D(9)},
        {},
    )
    assert replanned("enter", "5", "5", "5", "15")[1] == {
        "q-2025-1": "The quarters must add up to the target of 36; they add up to 30"
    }
    assert replanned("enter", "5", "", "5", "15", target=None)[1] == {
        "q-2025-2": "Enter a figure for Q2 2025/26"
    }
    assert replanned("")[1] == {CHOICE: "Select what should happen to the quarterly profile"}


def test_replan_leaves_an_even_spread_alone() -> None:
    assert replan(
        {CHOICE: "enter"}, {}, PERIODS, kind=CUMULATIVE, old_target=D(30), new_target=D(36)
    ) == (None, {})


def test_replan_cannot_rescale_a_profile_that_plans_nothing_in_the_contract() -> None:
    outside = {(2024, 4): D(30)}  # a quarter the contract no longer has
    _, errors = replan(
        {CHOICE: "rescale"}, outside, PERIODS, kind=CUMULATIVE, old_target=D(30), new_target=D(36)
    )
    assert errors == {
        CHOICE: "The profile plans nothing to rescale: enter new quarterly figures or use an "
        "even spread"
    }


# Whether a profile still fits its contract

LONGER = reporting_periods(date(2025, 4, 1), date(2026, 6, 30))  # a fifth quarter
SHORTER = reporting_periods(date(2025, 4, 1), date(2025, 12, 31))  # the last quarter gone


def test_only_the_contracts_quarters_count_towards_a_profile() -> None:
    assert planned_total(SAVED, PERIODS) == D(30)
    assert planned_total(SAVED, LONGER) == D(30)
    assert planned_total(SAVED, SHORTER) == D(15)


def test_a_profile_fits_when_it_covers_every_quarter_and_a_total_adds_up() -> None:
    assert fits(SAVED, PERIODS, kind=CUMULATIVE, target=D(30))
    assert not fits(SAVED, PERIODS, kind=CUMULATIVE, target=D(36))
    assert fits(SAVED, PERIODS, kind=LEVEL, target=D(36))  # a level need not add up
    assert not fits(SAVED, LONGER, kind=CUMULATIVE, target=D(30))  # adds up, a quarter empty
    assert not fits(SAVED, LONGER, kind=LEVEL, target=D(5))
    assert not fits(SAVED, SHORTER, kind=CUMULATIVE, target=D(30))  # 15 of 30
    assert fits(SAVED, SHORTER, kind=LEVEL, target=D(5))
