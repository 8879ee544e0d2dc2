from __future__ import annotations

from datetime import date
from decimal import Decimal

from portal.domain.measures import MeasureKind
from portal.domain.periods import reporting_periods
from portal.domain.profiles import field_name, parse_plan

PERIODS = reporting_periods(date(2025, 4, 1), date(2026, 3, 31))  # four quarters


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
