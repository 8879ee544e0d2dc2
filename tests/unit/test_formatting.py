from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.compliance import Standing
from portal.domain.measures import MeasureUnit
from portal.formatting import count, listing, money, number, pct, percent, quantity
from portal.template_helpers import chart_description, format_date
from tests.support import plural_after_one

amounts = st.decimals(
    min_value=Decimal("-10000000"), max_value=Decimal("10000000"), places=2, allow_nan=False
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("70216"), "£70,216"),
        (Decimal("70216.00"), "£70,216"),
        (Decimal("115096.8"), "£115,096.80"),
        (Decimal("1522000.00"), "£1,522,000"),
        (Decimal("12.50"), "£12.50"),
        (Decimal("0.5"), "£0.50"),
        (Decimal("0.004"), "£0"),
        (Decimal("0.005"), "£0.01"),
        (Decimal("-12.5"), "-£12.50"),
        (999, "£999"),
        (0, "£0"),
    ],
)
def test_money(value: Decimal | int, expected: str) -> None:
    assert money(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("600.00"), "600"),
        (Decimal("3.50"), "3.5"),
        (Decimal("30.48"), "30.48"),
        (Decimal("1E+3"), "1,000"),
        (Decimal("1234567.125"), "1,234,567.125"),
        (Decimal("-0.00"), "0"),
        (12000, "12,000"),
        (0.1, "0.1"),
    ],
)
def test_numbers_drop_needless_decimals(value: Decimal | int | float, expected: str) -> None:
    assert number(value) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (Decimal("1"), MeasureUnit.PEOPLE, "1 person"),
        (Decimal("1.00"), MeasureUnit.PEOPLE, "1 person"),
        (Decimal("3"), MeasureUnit.PEOPLE, "3 people"),
        (Decimal("0"), MeasureUnit.PEOPLE, "0 people"),
        (Decimal("30.48"), MeasureUnit.FTE, "30.48 FTE"),
        (Decimal("1"), MeasureUnit.FTE, "1 FTE"),
        (Decimal("1"), MeasureUnit.WEEKS, "1 week"),
        (Decimal("12"), MeasureUnit.WEEKS, "12 weeks"),
        (Decimal("6.57"), MeasureUnit.WEEKS, "6.57 weeks"),
        (Decimal("1"), MeasureUnit.HOURS, "1 hour"),
        (Decimal("1500"), MeasureUnit.HOURS, "1,500 hours"),
        (Decimal("1200"), MeasureUnit.POUNDS, "£1,200"),
        (Decimal("76100.5"), MeasureUnit.POUNDS, "£76,100.50"),
        (Decimal("95"), MeasureUnit.PERCENT, "95%"),  # no space, and never "£95"
        (Decimal("95.00"), MeasureUnit.PERCENT, "95%"),
        (Decimal("87.25"), MeasureUnit.PERCENT, "87.25%"),
        (Decimal("1"), MeasureUnit.PERCENT, "1%"),
    ],
)
def test_quantities_carry_their_unit(value: Decimal, unit: MeasureUnit, expected: str) -> None:
    assert quantity(value, unit) == expected


@pytest.mark.parametrize(
    ("n", "words", "expected"),
    [
        (1, ("return",), "1 return"),
        (2, ("return",), "2 returns"),
        (0, ("flag",), "0 flags"),
        (1, ("person", "people"), "1 person"),
        (3, ("person", "people"), "3 people"),
        (1200, ("contract",), "1,200 contracts"),
    ],
)
def test_counts(n: int, words: tuple[str, ...], expected: str) -> None:
    assert count(n, *words) == expected


def test_figures_can_be_rounded_first() -> None:
    assert number(Decimal("3.3333"), places=1) == "3.3"
    assert number(Decimal("1234.96"), places=0) == "1,235"
    assert number(Decimal("2.05"), places=1) == "2.1"  # half up, as people round
    assert quantity(Decimal("0.96"), MeasureUnit.PEOPLE, places=0) == "1 person"
    assert quantity(Decimal("1.04"), MeasureUnit.WEEKS, places=1) == "1 week"
    assert quantity(Decimal("1.04"), MeasureUnit.WEEKS, places=2) == "1.04 weeks"
    assert quantity(Decimal("1200.004"), MeasureUnit.POUNDS, places=0) == "£1,200"
    assert quantity(Decimal("94.995"), MeasureUnit.PERCENT, places=2) == "95%"


def test_percentages_are_exact() -> None:
    assert percent(Decimal("0.6")) == "60%"
    assert percent(Decimal("1.6000")) == "160%"
    assert percent(Decimal("1.0050")) == "100.5%"  # never rounded down to a misleading 100%


def test_lists_read_as_a_sentence() -> None:
    assert listing([]) == ""
    assert listing(["NCC-001"]) == "NCC-001"
    assert listing(["NCC-001", "NCC-002"]) == "NCC-001 and NCC-002"
    assert listing(["A", "B", "C"]) == "A, B and C"


def test_the_template_filters_are_these_formatters(app) -> None:  # noqa: ANN001
    render = app.jinja_env.from_string
    assert render("{{ v | money }}").render(v=Decimal("115096.8")) == "£115,096.80"
    assert (
        render("{{ v | money }}|{{ v | number }}|{{ v | quantity(u) }}").render(
            v=None, u=MeasureUnit.WEEKS
        )
        == "||"
    )
    assert render("{{ 1 | quantity(u) }}").render(u=MeasureUnit.WEEKS) == "1 week"
    assert render("{{ n | count('return') }}").render(n=1) == "1 return"
    assert render("{{ n | count('person', 'people') }}").render(n=2) == "2 people"


@given(amounts)
def test_number_reads_back_as_the_same_value(value: Decimal) -> None:
    written = number(value)
    assert re.fullmatch(r"-?\d{1,3}(,\d{3})*(\.\d*[1-9])?", written), written
    assert Decimal(written.replace(",", "")) == value


@given(amounts)
def test_money_shows_pence_only_when_there_are_any(value: Decimal) -> None:
    written = money(value)
    assert re.fullmatch(r"-?£\d{1,3}(,\d{3})*(\.\d\d)?", written), written
    assert Decimal(written.replace("£", "").replace(",", "")) == value
    assert ("." in written) == (value != value.to_integral_value())


@given(
    st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False),
    st.sampled_from(list(MeasureUnit)),
)
def test_no_quantity_reads_as_one_of_many(value: Decimal, unit: MeasureUnit) -> None:
    written = quantity(value, unit)
    assert not plural_after_one(quantity(value, unit, places=0)), written
    assert not plural_after_one(written), written
    assert written.startswith("£" if unit is MeasureUnit.POUNDS else number(value))


@given(st.integers(min_value=0, max_value=10**7), st.sampled_from(["return", "flag", "day"]))
def test_count_is_singular_exactly_for_one(n: int, word: str) -> None:
    written = count(n, word)
    assert written.endswith("s") == (n != 1)
    assert not plural_after_one(written)


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


def test_a_delivery_percentage_never_reads_as_reaching_a_threshold_it_has_not() -> None:
    # Statuses and ratings compare the unrounded figure with whole-number thresholds, so it is
    # written rounded down: 79.996% is off track and reads 79.9%, never 80%.
    assert pct(Decimal("79.996")) == "79.9%"
    assert pct(Decimal("94.99")) == "94.9%"
    assert pct(Decimal("84.95")) == "84.9%"
    assert pct(Decimal("100")) == "100%"
    assert pct(Decimal("100.09")) == "100%"
    assert pct(Decimal("17.42")) == "17.4%"
    assert pct(Decimal("0")) == "0%"
