"""Compliance rules (design brief section 5), worked by hand, then as properties."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from portal.domain.compliance import (
    DEFAULT_THRESHOLDS,
    Assessment,
    PeriodInput,
    Rating,
    Status,
    Thresholds,
    assess,
    cumulative_trajectory,
    display_pct,
    mean_capped_pct,
    rate,
)
from portal.domain.measures import MeasureKind

D = Decimal
CUMULATIVE, LEVEL = MeasureKind.CUMULATIVE, MeasureKind.LEVEL

# A 3-year contract: 1 Apr 2025 to 31 Mar 2028 is 365 + 365 + 366 (Feb 2028) = 1096 days.
START, END = date(2025, 4, 1), date(2028, 3, 31)
# Q1 (Apr-Jun 2025) is due 30 Jul 2025 and Q2 (Jul-Sep) 30 Oct 2025; Q3 (Oct-Dec) not until
# 30 Jan 2026. By the end of Q2, 30 + 31 + 30 + 31 + 31 + 30 = 183 contract days have elapsed.
AFTER_Q2_DUE = date(2025, 11, 15)
TARGET, FTE = D(30), D(10)
EXPECTED_AFTER_Q2 = TARGET * 183 / 1096  # 5.00912...


def quarters(start: date = START, end: date = END) -> list[tuple[date, date]]:
    """Financial quarters (Apr-Jun, Jul-Sep, Oct-Dec, Jan-Mar), the first and last cut to fit."""
    spans = []
    while start <= end:
        month = (start.month - 1) // 3 * 3 + 3
        quarter_end = date(start.year, month, calendar.monthrange(start.year, month)[1])
        spans.append((start, min(quarter_end, end)))
        start = min(quarter_end, end) + timedelta(days=1)
    return spans


def periods(
    accepted: Sequence[Decimal | None] = (),
    pending: Sequence[Decimal | None] = (),
    planned: Sequence[Decimal | None] = (),
    start: date = START,
    end: date = END,
) -> list[PeriodInput]:
    """One period a quarter, due 30 days after it ends; figures given for the first quarters."""

    def nth(values: Sequence[Decimal | None], i: int) -> Decimal | None:
        return values[i] if i < len(values) else None

    return [
        PeriodInput(
            s, e, e + timedelta(days=30), nth(planned, i), nth(accepted, i), nth(pending, i)
        )
        for i, (s, e) in enumerate(quarters(start, end))
    ]


def cumulative(
    ps: Sequence[PeriodInput],
    as_of: date = AFTER_Q2_DUE,
    target: Decimal = TARGET,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Assessment:
    return assess(
        CUMULATIVE,
        target,
        ps,
        contract_starts_on=START,
        contract_ends_on=END,
        as_of=as_of,
        thresholds=thresholds,
    )


def level(ps: Sequence[PeriodInput], as_of: date, target: Decimal = FTE) -> Assessment:
    return assess(LEVEL, target, ps, contract_starts_on=START, contract_ends_on=END, as_of=as_of)


def with_pct(pct: Decimal | None) -> Assessment:
    return Assessment(
        expected_to_date=D(0) if pct is None else D(100),
        delivered=D(0) if pct is None else pct,
        pending=D(0),
        shortfall=D(0),
        delivery_pct=pct,
        status=Status.NOT_YET_DUE,
        forecast=D(0),
        at_risk=False,
        target=D(100),
        periods_due=0,
    )


# --- Cumulative measures, even spread ---------------------------------------------------------


def test_the_quarter_helper_makes_twelve_quarters_of_1096_days() -> None:
    spans = quarters()
    assert len(spans) == 12
    assert sum((e - s).days + 1 for s, e in spans) == 1096
    assert spans[1] == (date(2025, 7, 1), date(2025, 9, 30))


def test_expected_to_date_is_the_target_times_the_share_of_days_to_the_last_due_period() -> None:
    a = cumulative(periods())
    assert a.periods_due == 2
    assert a.expected_to_date == EXPECTED_AFTER_Q2  # 30 x 183 / 1096
    assert a.target == D(30)


def test_a_period_falls_due_on_its_due_date_not_before() -> None:
    # Q2 is due 30 Oct 2025. The day before, only Q1 (91 days: Apr 30 + May 31 + Jun 30) counts.
    assert cumulative(periods(), as_of=date(2025, 10, 29)).expected_to_date == D(30) * 91 / 1096
    assert cumulative(periods(), as_of=date(2025, 10, 30)).expected_to_date == EXPECTED_AFTER_Q2


def test_exactly_on_track() -> None:
    # Delivered equals expected: 2 in Q1, the rest (5.00912... - 2) in Q2: 100%.
    a = cumulative(periods(accepted=[D(2), EXPECTED_AFTER_Q2 - 2]))
    assert a.delivered == EXPECTED_AFTER_Q2
    assert a.delivery_pct == D(100)
    assert a.shortfall == 0
    assert a.status is Status.ON_TRACK


def test_above_expected_is_on_track_and_not_a_negative_shortfall() -> None:
    # 6 x 100 / 5.00912... = 119.8%
    a = cumulative(periods(accepted=[D(3), D(3)]))
    assert a.status is Status.ON_TRACK
    assert display_pct(a.delivery_pct or D(0)) == D("119.8")
    assert a.shortfall == 0


def test_behind_at_85_percent() -> None:
    # 4.26 x 100 / 5.00912... = 85.04%: at least 80, below 100. Shortfall 5.00912... - 4.26.
    a = cumulative(periods(accepted=[D(2), D("2.26")]))
    assert a.delivered == D("4.26")
    assert display_pct(a.delivery_pct or D(0)) == D("85.0")
    assert a.status is Status.BEHIND
    assert a.shortfall == EXPECTED_AFTER_Q2 - D("4.26")


def test_off_track_below_80_percent() -> None:
    # 3 x 100 / 5.00912... = 59.89%
    a = cumulative(periods(accepted=[D(1), D(2)]))
    assert display_pct(a.delivery_pct or D(0)) == D("59.9")
    assert a.status is Status.OFF_TRACK


def test_pending_is_shown_beside_delivered_but_never_counted_as_delivered() -> None:
    # Accepted 2; 10 submitted but not reviewed. 2 x 100 / 5.00912... = 39.9%: off track.
    a = cumulative(periods(accepted=[D(2)], pending=[None, D(7), D(3)]))
    assert a.delivered == D(2)
    assert a.pending == D(10)
    assert a.status is Status.OFF_TRACK
    assert a.shortfall == EXPECTED_AFTER_Q2 - 2


def test_an_accepted_figure_counts_even_before_its_period_falls_due() -> None:
    # Q3's return was accepted early: 1 + 1 + 4 = 6 delivered against 5.00912... expected.
    a = cumulative(periods(accepted=[D(1), D(1), D(4)]))
    assert a.delivered == D(6)
    assert a.status is Status.ON_TRACK


def test_nothing_due_yet() -> None:
    a = cumulative(periods(accepted=[D(1)]), as_of=date(2025, 7, 29))  # Q1 is due 30 Jul
    assert a.periods_due == 0
    assert a.expected_to_date == 0
    assert a.delivery_pct is None
    assert a.status is Status.NOT_YET_DUE
    assert a.forecast == D(1)
    assert not a.at_risk


def test_at_risk_when_the_straight_line_forecast_falls_short_of_the_target() -> None:
    # 5 in 183 days -> 5 x 1096 / 183 = 29.95 by the end: short of 30.
    short = cumulative(periods(accepted=[D(5)]))
    assert short.forecast == D(5) * 1096 / 183
    assert short.at_risk
    # 6 in 183 days -> 35.93
    assert not cumulative(periods(accepted=[D(6)])).at_risk


def test_partial_first_period() -> None:
    # Contract 15 May 2025 - 31 Mar 2028: 1096 - 44 (1 Apr - 14 May) = 1052 days. The first
    # period is 15 May - 30 Jun (17 + 30 = 47 days), due 30 Jul. Expected = 30 x 47 / 1052 = 1.34.
    start = date(2025, 5, 15)
    ps = periods(accepted=[D("1.2")], start=start)
    assert (ps[0].starts_on, ps[0].ends_on) == (start, date(2025, 6, 30))
    a = assess(
        CUMULATIVE,
        D(30),
        ps,
        contract_starts_on=start,
        contract_ends_on=END,
        as_of=date(2025, 8, 1),
    )
    assert a.expected_to_date == D(30) * 47 / 1052
    # 1.2 x 100 / 1.3403... = 89.5%
    assert display_pct(a.delivery_pct or D(0)) == D("89.5")
    assert a.status is Status.BEHIND


def test_after_the_last_period_the_whole_target_is_expected() -> None:
    a = cumulative(periods(accepted=[D(2)] * 12), as_of=date(2028, 6, 1))
    assert a.periods_due == 12
    assert a.expected_to_date == D(30)
    assert a.delivered == D(24)
    assert a.shortfall == D(6)
    assert a.forecast == D(24)
    assert a.at_risk


# --- Cumulative measures, explicit profile ----------------------------------------------------


def test_explicit_profile_expects_the_sum_planned_for_the_periods_due() -> None:
    # Planned 1, (none: 0), 4, then 3 a quarter. As of 15 Feb 2026 Q1-Q3 are due: 1 + 0 + 4 = 5.
    ps = periods(planned=[D(1), None, D(4)] + [D(3)] * 9, accepted=[D(2), D(3)])
    a = cumulative(ps, as_of=date(2026, 2, 15))
    assert a.periods_due == 3
    assert a.expected_to_date == D(5)
    assert a.delivery_pct == D(100)
    assert a.status is Status.ON_TRACK


def test_a_profile_with_nothing_planned_yet_is_not_yet_due() -> None:
    # Back-loaded: nothing planned in the first year, so after Q2 nothing is expected.
    ps = periods(planned=[D(0)] * 4 + [D(5)] * 8, accepted=[D(1)])
    a = cumulative(ps)
    assert a.periods_due == 2
    assert a.expected_to_date == 0
    assert a.delivery_pct is None
    assert a.status is Status.NOT_YET_DUE


# --- The chart ----------------------------------------------------------------------------------


def test_trajectory_even_spread() -> None:
    # Days to the end of each quarter: 91, 183, 275 (... 1096).
    line = cumulative_trajectory(D(30), periods(), START, END)
    assert len(line) == 12
    assert line[:3] == [D(30) * 91 / 1096, D(30) * 183 / 1096, D(30) * 275 / 1096]
    assert line[-1] == D(30)


def test_trajectory_with_a_partial_last_period() -> None:
    # The contract ends 15 Aug 2025: Q1 is 91 days of 137 (91 + 31 + 15), then the target.
    end = date(2025, 8, 15)
    line = cumulative_trajectory(D(10), periods(end=end), START, end)
    assert line == [D(10) * 91 / 137, D(10)]


def test_trajectory_with_a_profile_is_the_running_sum() -> None:
    ps = periods(planned=[D(1), None, D(4)] + [D(3)] * 9)
    line = cumulative_trajectory(D(32), ps, START, END)
    assert line[:4] == [D(1), D(1), D(5), D(8)]
    assert line[-1] == D(32)


# --- Level measures ---------------------------------------------------------------------------


def test_level_measure_a_missing_period_counts_as_zero() -> None:
    # Target 10 FTE. As of 15 Feb 2026 Q1-Q3 are due: accepted 12, nothing, 9 -> (12 + 0 + 9) / 3
    # = 7: 70%, off track. Q4's accepted 20 is not due yet, so not counted. Pending is the mean of
    # the periods that have one: (8 + 6) / 2 = 7.
    ps = periods(accepted=[D(12), None, D(9), D(20)], pending=[None, D(8), None, D(6)])
    a = level(ps, as_of=date(2026, 2, 15))
    assert a.periods_due == 3
    assert a.expected_to_date == D(10)
    assert a.delivered == D(7)
    assert a.pending == D(7)
    assert a.delivery_pct == D(70)
    assert a.status is Status.OFF_TRACK
    assert a.shortfall == D(3)
    assert a.forecast == D(7)
    assert a.at_risk


def test_level_measure_held_is_on_track_and_not_at_risk() -> None:
    a = level(periods(accepted=[D(10), D(11)]), as_of=AFTER_Q2_DUE)  # mean 10.5: 105%
    assert a.delivery_pct == D(105)
    assert a.status is Status.ON_TRACK
    assert not a.at_risk


def test_level_measure_nothing_due_yet() -> None:
    a = level(periods(accepted=[D(10)], pending=[D(4)]), as_of=date(2025, 7, 1))
    assert (a.expected_to_date, a.delivered, a.pending) == (0, 0, D(4))
    assert a.status is Status.NOT_YET_DUE
    assert not a.at_risk


def test_level_measure_profile_compares_the_mean_planned_level() -> None:
    # Ramping up: planned 0, 0, 10. Delivered exactly that: mean 10/3 against mean planned 10/3.
    ps = periods(planned=[D(0), D(0)] + [D(10)] * 10, accepted=[D(0), D(0), D(10)])
    a = level(ps, as_of=date(2026, 2, 15))
    assert a.expected_to_date == D(10) / 3
    assert a.delivery_pct == D(100)
    assert a.status is Status.ON_TRACK


# --- Contract rating --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pct", "rating"),
    [
        ("100", Rating.GOOD),
        ("95", Rating.GOOD),
        ("94.99", Rating.APPROACHING),  # displays as 95.0, but the comparison is unrounded
        ("94.9", Rating.APPROACHING),
        ("85", Rating.APPROACHING),
        ("84.9", Rating.REQUIRES_IMPROVEMENT),
        ("70", Rating.REQUIRES_IMPROVEMENT),
        ("69.9", Rating.INADEQUATE),
        ("0", Rating.INADEQUATE),
    ],
)
def test_rating_boundaries(pct: str, rating: Rating) -> None:
    assert rate([with_pct(D(pct))]) is rating


def test_rating_is_the_mean_of_the_commitments() -> None:
    # (100 + 90 + 80) / 3 = 90: approaching target.
    assert rate([with_pct(D(100)), with_pct(D(90)), with_pct(D(80))]) is Rating.APPROACHING


def test_one_commitment_over_delivering_cannot_hide_another() -> None:
    # Uncapped (300 + 40) / 2 = 170 would be Good; capped (100 + 40) / 2 = 70.
    assert mean_capped_pct([with_pct(D(300)), with_pct(D(40))]) == D(70)
    assert rate([with_pct(D(300)), with_pct(D(40))]) is Rating.REQUIRES_IMPROVEMENT
    assert rate([with_pct(D(300)), with_pct(D(39))]) is Rating.INADEQUATE  # 69.5


def test_commitments_with_nothing_due_are_left_out_of_the_rating() -> None:
    assert rate([with_pct(None), with_pct(D(96))]) is Rating.GOOD
    assert rate([with_pct(None)]) is Rating.NOT_YET_RATED
    assert rate([]) is Rating.NOT_YET_RATED
    assert mean_capped_pct([]) is None


def test_custom_thresholds() -> None:
    relaxed = Thresholds(
        on_track_pct=D(85),
        behind_pct=D(50),
        good_pct=D(80),
        approaching_pct=D(60),
        requires_improvement_pct=D(40),
    )
    # 85.04% is behind by default, on track here; 59.89% off track by default, behind here.
    assert cumulative(periods(accepted=[D("4.26")]), thresholds=relaxed).status is Status.ON_TRACK
    assert cumulative(periods(accepted=[D(3)]), thresholds=relaxed).status is Status.BEHIND
    assert rate([with_pct(D(80))], relaxed) is Rating.GOOD
    assert rate([with_pct(D(60))], relaxed) is Rating.APPROACHING
    assert rate([with_pct(D(40))], relaxed) is Rating.REQUIRES_IMPROVEMENT
    assert rate([with_pct(D("39.9"))], relaxed) is Rating.INADEQUATE


# --- Odds and ends ----------------------------------------------------------------------------


def test_labels() -> None:
    assert [s.label for s in Status] == ["Not yet due", "On track", "Behind", "Off track"]
    assert [r.label for r in Rating] == [
        "Good",
        "Approaching target",
        "Requires improvement",
        "Inadequate",
        "Not yet rated",
    ]
    assert Rating.APPROACHING == "approaching_target"


def test_display_pct_rounds_half_up_to_one_place() -> None:
    assert display_pct(D("84.95")) == D("85.0")
    assert display_pct(D("84.9499")) == D("84.9")
    assert display_pct(D("100")) == D("100.0")


def test_a_contract_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        assess(CUMULATIVE, D(1), [], contract_starts_on=END, contract_ends_on=START, as_of=END)


# --- Properties -------------------------------------------------------------------------------

STATUS_RANK = {Status.OFF_TRACK: 0, Status.BEHIND: 1, Status.ON_TRACK: 2}
RATING_RANK = {
    Rating.INADEQUATE: 0,
    Rating.REQUIRES_IMPROVEMENT: 1,
    Rating.APPROACHING: 2,
    Rating.GOOD: 3,
}

figures = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False, allow_infinity=False)
maybe_figures = st.none() | figures


@st.composite
def contracts(draw: st.DrawFn) -> tuple[date, date, list[tuple[date, date]]]:
    start = draw(st.dates(date(2020, 1, 1), date(2030, 12, 31)))
    end = start + timedelta(days=draw(st.integers(0, 1500)))
    return start, end, quarters(start, end)


@st.composite
def scenarios(draw: st.DrawFn) -> dict:
    start, end, spans = draw(contracts())
    profiled = draw(st.booleans())
    ps = [
        PeriodInput(
            s,
            e,
            e + timedelta(days=30),
            draw(maybe_figures) if profiled else None,
            draw(maybe_figures),
            draw(maybe_figures),
        )
        for s, e in spans
    ]
    return {
        "kind": draw(st.sampled_from(MeasureKind)),
        "target": draw(figures),
        "periods": ps,
        "contract_starts_on": start,
        "contract_ends_on": end,
        "as_of": start + timedelta(days=draw(st.integers(-30, (end - start).days + 200))),
    }


@given(contracts(), st.data())
def test_delivering_the_whole_target_by_the_end_is_never_a_shortfall(contract, data) -> None:
    start, end, spans = contract
    accepted = data.draw(st.lists(figures, min_size=len(spans), max_size=len(spans)))
    target = sum(accepted, D(0))
    assume(target > 0)
    # Either the even spread, or a profile that plans the target in some other order.
    planned = data.draw(st.none() | st.permutations(accepted))
    ps = [
        PeriodInput(
            s, e, e + timedelta(days=30), planned[i] if planned else None, accepted[i], None
        )
        for i, (s, e) in enumerate(spans)
    ]
    as_of = ps[-1].due_on + timedelta(days=data.draw(st.integers(0, 400)))
    a = assess(CUMULATIVE, target, ps, contract_starts_on=start, contract_ends_on=end, as_of=as_of)
    assert a.shortfall == 0
    assert a.status is Status.ON_TRACK
    assert not a.at_risk


@given(scenarios(), st.data())
def test_more_delivery_never_lowers_the_status(scenario, data) -> None:
    ps: list[PeriodInput] = scenario["periods"]
    i = data.draw(st.integers(0, len(ps) - 1))
    more = (ps[i].accepted or D(0)) + data.draw(figures)
    bumped = {**scenario, "periods": [*ps[:i], _replace_accepted(ps[i], more), *ps[i + 1 :]]}
    before, after = assess(**scenario), assess(**bumped)
    assert after.expected_to_date == before.expected_to_date
    assert after.delivered >= before.delivered
    if before.status is Status.NOT_YET_DUE:
        assert after.status is Status.NOT_YET_DUE
    else:
        assert STATUS_RANK[after.status] >= STATUS_RANK[before.status]
        assert not (before.at_risk is False and after.at_risk is True)


def _replace_accepted(period: PeriodInput, accepted: Decimal) -> PeriodInput:
    return PeriodInput(
        period.starts_on, period.ends_on, period.due_on, period.planned, accepted, period.pending
    )


@given(scenarios())
def test_delivery_pct_is_none_exactly_when_nothing_is_expected(scenario) -> None:
    a = assess(**scenario)
    assert (a.delivery_pct is None) == (a.expected_to_date == 0)
    assert (a.status is Status.NOT_YET_DUE) == (a.expected_to_date == 0)
    assert a.shortfall >= 0
    assert a.periods_due == sum(p.due_on <= scenario["as_of"] for p in scenario["periods"])


pcts = st.decimals(min_value=0, max_value=300, places=1, allow_nan=False, allow_infinity=False)


@given(st.lists(pcts, min_size=1, max_size=6), st.integers(0, 3), st.data())
def test_rating_is_monotonic_in_delivery(values, nones, data) -> None:
    i = data.draw(st.integers(0, len(values) - 1))
    better = [*values[:i], values[i] + data.draw(pcts), *values[i + 1 :]]
    before = rate([with_pct(v) for v in values] + [with_pct(None)] * nones)
    after = rate([with_pct(v) for v in better] + [with_pct(None)] * nones)
    assert RATING_RANK[after] >= RATING_RANK[before]
