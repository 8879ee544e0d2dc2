from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from portal.data.types import MeasureUnit
from portal.template_helpers import format_date, format_money, format_number, format_quantity


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
