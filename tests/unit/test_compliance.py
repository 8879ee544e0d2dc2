"""Compliance rules (design brief section 5), worked by hand, then as properties."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from portal.domain.compliance import (
    DEFAULT_THRESHOLDS,
    Assessment,
    PeriodInput,
    Rating,
    Standing,
    Status,
    Thresholds,
    assess,
    cumulative_trajectory,
    level_delivered,
    mean_capped_pct,
    rate,
    rate_kpi,
    standing,
    year_totals,
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
        expected_by_end=D(100),
        periods_due=0,
        periods_awaiting_review=0,
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
    assert to_one_place(a.delivery_pct) == D("119.8")
    assert a.shortfall == 0


def test_behind_at_85_percent() -> None:
    # 4.26 x 100 / 5.00912... = 85.04%: at least 80, below 100. Shortfall 5.00912... - 4.26.
    a = cumulative(periods(accepted=[D(2), D("2.26")]))
    assert a.delivered == D("4.26")
    assert to_one_place(a.delivery_pct) == D("85.0")
    assert a.status is Status.BEHIND
    assert a.shortfall == EXPECTED_AFTER_Q2 - D("4.26")


def test_off_track_below_80_percent() -> None:
    # 3 x 100 / 5.00912... = 59.89%
    a = cumulative(periods(accepted=[D(1), D(2)]))
    assert to_one_place(a.delivery_pct) == D("59.9")
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
    assert to_one_place(a.delivery_pct) == D("89.5")
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


def test_level_measure_a_quarter_awaiting_review_is_left_out_never_a_false_0() -> None:
    # Target 10 FTE. As of 15 Feb 2026 Q1-Q3 are due: accepted 12; Q2's 8 submitted but not yet
    # accepted; accepted 9. Q2 is left out of the mean: (12 + 9) / 2 = 10.5, 105%, not
    # (12 + 0 + 9) / 3 = 7. Q4's accepted 20 is not due yet, so not counted. Pending is the mean
    # of the periods that have one: (8 + 6) / 2 = 7.
    ps = periods(accepted=[D(12), None, D(9), D(20)], pending=[None, D(8), None, D(6)])
    a = level(ps, as_of=date(2026, 2, 15))
    assert a.periods_due == 3
    assert a.periods_awaiting_review == 1
    assert a.expected_to_date == D(10)
    assert a.delivered == D("10.5")
    assert a.pending == D(7)
    assert a.delivery_pct == D(105)
    assert a.status is Status.ON_TRACK
    assert a.shortfall == 0
    assert not a.at_risk


def test_level_measure_an_overdue_quarter_with_no_return_counts_as_0() -> None:
    # Q2 has nothing submitted and was due 30 Oct 2025: (12 + 0 + 9) / 3 = 7: 70%, off track.
    ps = periods(accepted=[D(12), None, D(9)])
    a = level(ps, as_of=date(2026, 2, 15))
    assert a.periods_awaiting_review == 0
    assert a.delivered == D(7)
    assert a.delivery_pct == D(70)
    assert a.status is Status.OFF_TRACK
    assert a.shortfall == D(3)
    assert a.forecast == D(7)
    assert a.at_risk
    assert [standing(p, date(2026, 2, 15)) for p in ps[:4]] == [
        Standing.ACCEPTED,
        Standing.NO_RETURN,
        Standing.ACCEPTED,
        Standing.NOT_DUE,
    ]


def test_level_measure_on_its_due_day_a_quarter_with_nothing_sent_is_not_yet_late() -> None:
    # Q1 is due 30 Jul 2025: that day it is due but not late, so it is not counted as 0.
    ps = periods()
    assert standing(ps[0], date(2025, 7, 30)) is Standing.DUE_TODAY
    assert level(ps, as_of=date(2025, 7, 30)).delivery_pct is None
    assert standing(ps[0], date(2025, 7, 31)) is Standing.NO_RETURN
    assert level(ps, as_of=date(2025, 7, 31)).delivered == 0


def test_level_measure_with_every_due_quarter_awaiting_review_says_so() -> None:
    a = level(periods(pending=[D(9), D(11)]), as_of=AFTER_Q2_DUE)
    assert a.periods_due == 2 and a.periods_awaiting_review == 2
    assert a.delivery_pct is None and a.expected_to_date == 0
    assert a.status is Status.AWAITING_REVIEW
    assert not a.at_risk
    assert rate([a]) is Rating.NOT_YET_RATED  # nothing to rate yet, rather than Inadequate


def test_a_line_accepted_while_another_was_queried_counts() -> None:
    # Q1's FTE line was accepted although the return's other lines were queried: the caller
    # passes it as accepted, so 30.48 FTE counts; with the old whole-return rule it was 0.
    a = level(periods(accepted=[D("30.48")]), as_of=date(2025, 8, 1), target=D(30))
    assert a.delivered == D("30.48")
    assert a.status is Status.ON_TRACK


def test_level_measure_held_is_on_track_and_not_at_risk() -> None:
    a = level(periods(accepted=[D(10), D(11)]), as_of=AFTER_Q2_DUE)  # mean 10.5: 105%
    assert a.delivery_pct == D(105)
    assert a.status is Status.ON_TRACK
    assert not a.at_risk


def test_a_fair_work_share_is_a_level_like_any_other() -> None:
    # "At least 95% of FTE paid the real Living Wage in every quarter". As of 15 Feb 2026 Q1-Q3
    # are due: 96%, 90% and 87% accepted. Mean (96 + 90 + 87) / 3 = 91%: 91 / 95 = 95.789...%,
    # behind (not a 0.91 or a 9,100%), short by 4 percentage points, and at risk.
    a = level(periods(accepted=[D(96), D(90), D(87)]), as_of=date(2026, 2, 15), target=D(95))
    assert a.delivered == D(91)
    assert a.expected_to_date == D(95)
    assert a.delivery_pct is not None and a.delivery_pct.quantize(D("0.01")) == D("95.79")
    assert a.status is Status.BEHIND
    assert a.shortfall == D(4)
    assert a.at_risk
    # Held at or above 95% every quarter: on track, rated Good.
    held = level(
        periods(accepted=[D(95), D(100), D("97.5")]), as_of=date(2026, 2, 15), target=D(95)
    )
    assert held.status is Status.ON_TRACK and not held.at_risk
    assert rate([held]) is Rating.GOOD


def nobody_in(ps: list[PeriodInput], *quarters: int) -> list[PeriodInput]:
    """The periods, with these (0-based) sent with nobody to count."""
    return [replace(p, nothing_to_count=True) if i in quarters else p for i, p in enumerate(ps)]


def test_a_quarter_sent_with_nobody_to_count_is_left_out_never_a_false_0() -> None:
    # "At least 95% of the FTE aged 50 and over paid the real Living Wage". As of 15 Feb 2026
    # Q1-Q3 are due: 90%, nobody aged 50 or over in Q2, 100%. Mean (90 + 100) / 2 = 95%: on
    # track, not (90 + 0 + 100) / 3 = 63.3%.
    ps = nobody_in(periods(accepted=[D(90), None, D(100)]), 1)
    a = level(ps, as_of=date(2026, 2, 15), target=D(95))
    assert a.delivered == D(95) and a.delivery_pct == D(100)
    assert a.status is Status.ON_TRACK and a.periods_awaiting_review == 0
    assert standing(ps[1], date(2026, 2, 15)) is Standing.NOTHING_TO_COUNT
    assert level_delivered(ps[1], date(2026, 2, 15)) is None
    # Not due yet, it is not due, whatever was sent.
    assert standing(ps[1], date(2025, 10, 1)) is Standing.NOT_DUE


def test_a_level_with_nobody_to_count_in_every_due_quarter_is_not_rated() -> None:
    ps = nobody_in(periods(), 0, 1)
    a = level(ps, as_of=AFTER_Q2_DUE, target=D(95))
    assert a.status is Status.NOTHING_TO_COUNT
    assert (a.delivery_pct, a.shortfall, a.at_risk) == (None, 0, False)
    assert rate([a]) is Rating.NOT_YET_RATED
    # With one quarter awaiting review as well, awaiting review is what the manager acts on.
    waiting = nobody_in(periods(pending=[None, D(80)]), 0)
    assert level(waiting, as_of=AFTER_Q2_DUE, target=D(95)).status is Status.AWAITING_REVIEW
    # A due quarter with no return still counts as 0, beside one with nobody to count.
    late = level(nobody_in(periods(), 0), as_of=AFTER_Q2_DUE, target=D(95))
    assert (late.delivered, late.status) == (0, Status.OFF_TRACK)


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
        ("94.99", Rating.APPROACHING),  # unrounded; formatting.pct shows it as 94.9%
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
    assert [s.label for s in Status] == [
        "Not yet due",
        "Awaiting review",
        "Nobody to count",
        "On track",
        "Behind",
        "Off track",
    ]
    assert [r.label for r in Rating] == [
        "Good",
        "Approaching target",
        "Requires improvement",
        "Inadequate",
        "Not yet rated",
    ]
    assert Rating.APPROACHING == "approaching_target"


def to_one_place(pct: Decimal | None) -> Decimal:
    """A computed percentage to compare with one worked by hand to one decimal place."""
    assert pct is not None
    return pct.quantize(D("0.1"), rounding=ROUND_HALF_UP)


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
    # A level period awaiting review (or due today) is left out of the mean; accepting it
    # adds a period to the mean rather than more to a period, which the next property covers.
    left_out = (Standing.AWAITING_REVIEW, Standing.DUE_TODAY)
    assume(scenario["kind"] is CUMULATIVE or standing(ps[i], scenario["as_of"]) not in left_out)
    more = (ps[i].accepted or D(0)) + data.draw(figures)
    bumped = {**scenario, "periods": [*ps[:i], _replace_accepted(ps[i], more), *ps[i + 1 :]]}
    before, after = assess(**scenario), assess(**bumped)
    assert after.expected_to_date == before.expected_to_date
    assert after.delivered >= before.delivered
    if before.status in (Status.NOT_YET_DUE, Status.AWAITING_REVIEW):
        assert after.status is before.status
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
    unrated = (Status.NOT_YET_DUE, Status.AWAITING_REVIEW)
    assert (a.status in unrated) == (a.expected_to_date == 0)
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


@given(scenarios(), st.data())
def test_accepting_a_pending_figure_never_lowers_delivered(scenario, data) -> None:
    """Cumulative: accepting adds to the total. Level: accepting a figure at least the mean so
    far never lowers the mean (a lower figure may: that is what the quarter held)."""
    ps: list[PeriodInput] = scenario["periods"]
    pending = [i for i, p in enumerate(ps) if p.pending is not None and p.accepted is None]
    assume(pending)
    i = data.draw(st.sampled_from(pending))
    before = assess(**scenario)
    figure = ps[i].pending
    assert figure is not None
    if scenario["kind"] is LEVEL:
        figure = max(figure, before.delivered)
    accepted = PeriodInput(
        ps[i].starts_on, ps[i].ends_on, ps[i].due_on, ps[i].planned, figure, None
    )
    after = assess(**{**scenario, "periods": [*ps[:i], accepted, *ps[i + 1 :]]})
    assert after.delivered >= before.delivered - D("1e-20")  # a mean's last decimal place
    assert after.periods_awaiting_review <= before.periods_awaiting_review


# --- Reporting that starts part-way through a contract ---------------------------------------


def test_reporting_that_starts_part_way_expects_the_share_of_the_target_from_that_day() -> None:
    # The 3-year contract (1 Apr 2025 - 31 Mar 2028) entered on 1 Oct 2026 (day 549 of 1096):
    # quarters before it need no return, so the periods given start there; the contract's own
    # dates still decide the share of the target a day is worth. As of 15 Feb 2027 only
    # Q3 2026/27 (1 Oct - 31 Dec, 92 days) is due: 30 x 92 / 1096 = 2.518... expected, not
    # 30 x 640 / 1096 from the start.
    reported = periods(accepted=[D(3)], start=date(2026, 10, 1))
    a = cumulative(reported, as_of=date(2027, 2, 15))
    assert a.periods_due == 1
    assert a.expected_to_date == TARGET * 92 / 1096
    assert a.status is Status.ON_TRACK
    # What is left of the target over the rest of the contract: 548 of 1096 days.
    assert a.expected_by_end == TARGET * 548 / 1096 == D(15)
    # 3 in 92 days -> 3 x 548 / 92 = 17.9 by the end, more than the 15 expected: not at risk.
    assert a.forecast == D(3) * 548 / 92 and not a.at_risk
    assert cumulative_trajectory(TARGET, reported, START, END)[-1] == D(15)


def test_reporting_that_starts_mid_quarter_clips_the_first_period_like_a_contract_start() -> None:
    # Reporting from 15 Nov 2026: the first period is 15 Nov - 31 Dec (47 days), due 30 Jan 2027.
    reported = periods(start=date(2026, 11, 15), accepted=[D(1)])
    assert (reported[0].starts_on, reported[0].days) == (date(2026, 11, 15), 47)
    assert cumulative(reported, as_of=date(2027, 1, 30)).expected_to_date == TARGET * 47 / 1096


@given(contracts(), st.data())
def test_a_reporting_start_never_makes_anything_due_before_it(contract, data) -> None:
    from portal.domain.periods import reporting_periods

    start, end, _ = contract
    reporting_start = start + timedelta(days=data.draw(st.integers(0, (end - start).days)))
    reported = reporting_periods(reporting_start, end)
    assert reported[0].starts_on == reporting_start
    assert all(p.starts_on >= reporting_start for p in reported)
    target = data.draw(figures)
    assume(target > 0)
    inputs = [PeriodInput(p.starts_on, p.ends_on, p.due_on, None, None, None) for p in reported]
    as_of = start + timedelta(days=data.draw(st.integers(0, (end - start).days + 400)))
    a = assess(
        CUMULATIVE, target, inputs, contract_starts_on=start, contract_ends_on=end, as_of=as_of
    )
    share_left = target * ((end - reporting_start).days + 1) / ((end - start).days + 1)
    assert a.expected_to_date <= share_left
    if as_of < reported[0].due_on:
        assert a.periods_due == 0 and a.expected_to_date == 0


# --- Procurement Act ratings per KPI, over an assessment period -------------------------------


def test_a_kpi_is_rated_over_the_periods_of_the_assessment_period() -> None:
    # The 2025/26 financial year: Q1-Q4 2025/26, 365 days: 30 x 365 / 1096 = 9.99 expected.
    # 9 accepted in the year: 90.1%: Approaching target. The next year's figures do not count.
    ps = periods(accepted=[D(2), D(2), D(2), D(3), D(10)])
    year = [p for p in ps if date(2025, 4, 1) <= p.ends_on <= date(2026, 3, 31)]
    a = cumulative(year, as_of=date(2026, 6, 1))
    assert a.expected_to_date == TARGET * 365 / 1096
    assert a.delivered == D(9)
    assert to_one_place(a.delivery_pct) == D("90.1")
    assert rate_kpi(a) is Rating.APPROACHING
    # A level KPI: the mean over the year's quarters; one left out awaiting review.
    fte = periods(accepted=[D(10), None, D(8), D(9)], pending=[None, D(3)])
    b = level(fte[:4], as_of=date(2026, 6, 1))
    assert b.delivered == D(9) and rate_kpi(b) is Rating.APPROACHING  # 90%
    assert rate_kpi(with_pct(None)) is Rating.NOT_YET_RATED
    assert rate_kpi(with_pct(D(250))) is Rating.GOOD


@given(contracts(), st.data())
def test_the_assessment_periods_of_a_finished_contract_add_up_to_the_whole(contract, data) -> None:
    start, end, spans = contract
    accepted = data.draw(st.lists(maybe_figures, min_size=len(spans), max_size=len(spans)))
    ps = [
        PeriodInput(s, e, e + timedelta(days=30), None, accepted[i], None)
        for i, (s, e) in enumerate(spans)
    ]
    target = data.draw(figures)
    as_of = ps[-1].due_on
    whole = assess(
        CUMULATIVE, target, ps, contract_starts_on=start, contract_ends_on=end, as_of=as_of
    )
    years = sorted({p.ends_on.year if p.ends_on.month > 3 else p.ends_on.year - 1 for p in ps})
    parts = [
        assess(
            CUMULATIVE,
            target,
            [p for p in ps if date(y, 4, 1) <= p.ends_on <= date(y + 1, 3, 31)],
            contract_starts_on=start,
            contract_ends_on=end,
            as_of=as_of,
        )
        for y in years
    ]
    assert sum(p.delivered for p in parts) == whole.delivered
    assert abs(sum(p.expected_to_date for p in parts) - whole.expected_to_date) < D("1e-20")


# --- A financial year's totals ------------------------------------------------------------------


def test_a_level_years_totals_leave_out_a_quarter_awaiting_review_on_both_sides() -> None:
    # 2025/26 as of 15 Feb 2026: Q1 accepted 12, Q2 awaiting review, Q3 accepted 9, Q4 not due.
    ps = periods(accepted=[D(12), None, D(9)], pending=[None, D(8)])
    in_year = [date(2025, 4, 1) <= p.ends_on <= date(2026, 3, 31) for p in ps]
    window = {"contract_starts_on": START, "contract_ends_on": END}
    totals = year_totals(LEVEL, FTE, ps, in_year, **window, as_of=date(2026, 2, 15))
    assert totals == (FTE, D("10.5"))
    # As of 15 Nov 2025: Q1 awaiting review is left out; Q2, overdue with no return, counts 0.
    late = year_totals(LEVEL, FTE, periods(pending=[D(8)]), in_year, **window, as_of=AFTER_Q2_DUE)
    assert late == (FTE, D(0))
    # Only Q1 due, and awaiting review: nothing to compare yet on either side.
    early = year_totals(
        LEVEL, FTE, periods(pending=[D(8)]), in_year, **window, as_of=date(2025, 8, 1)
    )
    assert early == (D(0), D(0))
