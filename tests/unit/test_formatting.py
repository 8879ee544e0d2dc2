from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

from portal.data.types import MeasureUnit
from portal.domain.compliance import Standing
from portal.template_helpers import (
    chart_description,
    format_date,
    format_money,
    format_number,
    format_quantity,
)


def test_money() -> None:
    assert format_money(Decimal("1522000.00")) == "£1,522,000"
    assert format_money(Decimal("12.50")) == "£12.50"
    assert format_money(None) == ""


def test_numbers_drop_needless_decimals() -> None:
    assert format_number(Decimal("600.00")) == "600"
    assert format_number(Decimal("3.50")) == "3.5"
    assert format_number(12000) == "12,000"


def test_quantities_carry_their_unit() -> None:
    assert format_quantity(Decimal("50"), MeasureUnit.PEOPLE) == "50 people"
    assert format_quantity(Decimal("1"), MeasureUnit.PEOPLE) == "1 person"
    assert format_quantity(Decimal("2.5"), MeasureUnit.FTE) == "2.5 FTE"
    assert format_quantity(Decimal("76100"), MeasureUnit.POUNDS) == "£76,100"


def test_dates_in_gov_uk_style_and_london_time() -> None:
    assert format_date(date(2026, 4, 1)) == "1 April 2026"
    # 13:05 UTC in summer is 2:05pm in London
    assert format_date(datetime(2026, 7, 1, 13, 5, tzinfo=UTC)) == "1 July 2026 at 2:05pm"
    assert format_date(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) == "1 December 2026 at 9:00am"


def fte_line(*rows: tuple[str, Decimal | None, Standing]) -> SimpleNamespace:
    """A level commitment's quarters as the chart gets them: (label, delivered, standing)."""
    measure = SimpleNamespace(name="Local people employed (FTE)", unit=MeasureUnit.FTE)
    return SimpleNamespace(
        commitment=SimpleNamespace(measure=measure),
        cumulative=False,
        rows=[SimpleNamespace(label=a, delivered=b, standing=c) for a, b, c in rows],
    )


def test_a_level_chart_never_says_a_quarter_with_no_return_held_0() -> None:
    accepted = ("Q1 2025/26", Decimal("2.09"), Standing.ACCEPTED)
    in_review = ("Q1 2025/26", None, Standing.AWAITING_REVIEW)
    no_return = [(f"Q{q} 2025/26", Decimal(0), Standing.NO_RETURN) for q in (2, 3)]
    not_due = ("Q4 2025/26", None, Standing.NOT_DUE)
    table = ". The table beside it has every quarter's figures."
    assert chart_description(fte_line(accepted, *no_return, not_due)) == (
        "Held 2.09 FTE in Q1 2025/26; no return for 2 quarters, each counted as 0" + table
    )
    assert chart_description(fte_line(in_review, no_return[0], not_due)) == (
        "Nothing has been accepted for a quarter that has fallen due yet;"
        " no return for Q2 2025/26, counted as 0; Q1 2025/26 awaiting review" + table
    )
    assert chart_description(fte_line(accepted, not_due)) == "Held 2.09 FTE in Q1 2025/26" + table
