from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.counting import (
    AgeBand,
    Claim,
    ContractType,
    DoubleClaim,
    NotKnown,
    PeriodFigures,
    Share,
    WorkforceRecord,
    _round,
    _weighted_days,
    derive,
    describe_double_claim,
    double_claims,
    is_secure,
)
from portal.domain.measures import FAIR_WORK
from portal.domain.measures import WorkforceDerivation as D

# Q1 2025-26: 1 April to 30 June 2025 = 30 + 31 + 30 = 91 days.
Q1_START = date(2025, 4, 1)
Q1_END = date(2025, 6, 30)
AREA = ["M1", "M27 4"]  # a district and a sector


def record(
    ref: str = "W1",
    *,
    sector: str = "M1 1",
    age: AgeBand = AgeBand.AGE_25_34,
    starts_on: date = Q1_START,
    ends_on: date | None = None,
    hours: str = "37",
    share: str = "1",
    new: bool = True,
    level: int | None = None,
    pay: str | None = None,
    contract: ContractType | None = None,
    guaranteed: str | None = None,
) -> WorkforceRecord:
    return WorkforceRecord(
        worker_reference=ref,
        postcode_sector=sector,
        age_band=age,
        starts_on=starts_on,
        ends_on=ends_on,
        weekly_hours=Decimal(hours),
        share_on_contract=Decimal(share),
        is_new_hire=new,
        apprenticeship_level=level,
        apprenticeship_standard=None if level is None else "Bricklayer",
        hourly_pay=None if pay is None else Decimal(pay),
        contract_type=contract,
        guaranteed_hours=None if guaranteed is None else Decimal(guaranteed),
    )


def q1(
    *records: WorkforceRecord, area: list[str] = AREA, living_wage: str | None = None
) -> PeriodFigures:
    return derive(
        records,
        period_starts_on=Q1_START,
        period_ends_on=Q1_END,
        local_area=area,
        living_wage=None if living_wage is None else Decimal(living_wage),
    )


def values(figures: PeriodFigures) -> dict[D, str]:
    return {d: str(v) for d, v in figures.values.items()}


ZERO = {
    D.LOCAL_HIRES: "0",
    D.LOCAL_FTE: "0.00",
    D.APPRENTICESHIP_STARTS: "0",
    D.APPRENTICESHIP_WEEKS: "0.00",
    D.OLDER_WORKER_HIRES: "0",
} | {d: "None" for d in FAIR_WORK}  # a share of no FTE is not known, never 0%


# --- age bands and records ---------------------------------------------------------------------


def test_age_bands() -> None:
    assert [b.is_50_or_over for b in AgeBand] == [False, False, False, False, True, True]
    assert AgeBand.UNDER_18.label == "16 to 17"
    assert AgeBand.AGE_50_64.label == "50 to 64"
    assert AgeBand.AGE_65_PLUS.label == "65 and over"
    assert AgeBand("35-49") is AgeBand.AGE_35_49


@pytest.mark.parametrize(("level", "apprentice"), [(None, False), (1, False), (2, True), (7, True)])
def test_only_levels_2_to_7_are_apprenticeships(level: int | None, apprentice: bool) -> None:
    assert record(level=level).is_apprentice is apprentice


# --- derive: hand-worked cases ----------------------------------------------------------------


def test_no_records_gives_every_figure_as_zero() -> None:
    figures = q1()
    assert values(figures) == ZERO
    assert figures.contributors == {d: () for d in D}


def test_full_time_local_new_hire_starting_mid_period() -> None:
    # 16 May to 30 June = 16 + 30 = 46 days. 37 / 37 * 1 * 46 / 91 = 0.50549... -> 0.51
    figures = q1(record(starts_on=date(2025, 5, 16)))
    assert values(figures) == ZERO | {D.LOCAL_HIRES: "1", D.LOCAL_FTE: "0.51"}
    assert figures.contributors[D.LOCAL_HIRES] == ("W1",)
    assert figures.contributors[D.LOCAL_FTE] == ("W1",)
    assert figures.contributors[D.OLDER_WORKER_HIRES] == ()


def test_part_timer_with_half_their_time_on_the_contract() -> None:
    # Started before the period, retained: 18.5 / 37 * 0.5 * 91 / 91 = 0.25
    figures = q1(record(starts_on=date(2024, 1, 1), hours="18.5", share="0.5", new=False))
    assert values(figures) == ZERO | {D.LOCAL_FTE: "0.25"}


def test_retained_local_worker_counts_for_fte_not_hires() -> None:
    # 37 / 37 * 1 * 91 / 91 = 1.00; retained, and started before the period anyway.
    figures = q1(record(starts_on=date(2023, 9, 1), new=False))
    assert values(figures) == ZERO | {D.LOCAL_FTE: "1.00"}
    assert figures.contributors[D.LOCAL_HIRES] == ()


def test_retained_worker_starting_in_the_period_is_still_not_a_hire() -> None:
    figures = q1(record(starts_on=date(2025, 5, 1), new=False))
    assert figures.values[D.LOCAL_HIRES] == 0


def test_new_hire_starting_before_the_period_is_not_hired_in_it() -> None:
    # Hired last quarter: counts for this quarter's FTE only. 37 / 37 * 1 * 91 / 91 = 1.00
    figures = q1(record(starts_on=date(2025, 3, 31), age=AgeBand.AGE_50_64))
    assert values(figures) == ZERO | {D.LOCAL_FTE: "1.00"}


def test_local_apprentice_aged_52_counts_for_every_measure() -> None:
    # Starts 1 April, 30 hours a week, all on the contract:
    # FTE 30 / 37 * 1 * 91 / 91 = 0.8108... -> 0.81; weeks 91 / 7 = 13.00; paid the real
    # Living Wage on a permanent contract guaranteeing 30 hours: all of their FTE, 100%.
    apprentice = record(
        "A1",
        age=AgeBand.AGE_50_64,
        hours="30",
        level=3,
        pay="12.60",
        contract=ContractType.PERMANENT,
        guaranteed="30",
    )
    figures = q1(apprentice, living_wage="12.60")
    assert values(figures) == {
        D.LOCAL_HIRES: "1",
        D.LOCAL_FTE: "0.81",
        D.APPRENTICESHIP_STARTS: "1",
        D.APPRENTICESHIP_WEEKS: "13.00",
        D.OLDER_WORKER_HIRES: "1",
    } | {d: "100.00" for d in FAIR_WORK}
    assert figures.contributors == {d: ("A1",) for d in D}


def test_non_local_older_hire_counts_for_older_workers_only() -> None:
    figures = q1(record("N1", sector="SK1 1", age=AgeBand.AGE_65_PLUS, starts_on=date(2025, 6, 1)))
    assert values(figures) == ZERO | {D.OLDER_WORKER_HIRES: "1"}
    assert figures.contributors[D.OLDER_WORKER_HIRES] == ("N1",)
    assert figures.contributors[D.LOCAL_FTE] == ()


def test_leaver_counts_the_days_up_to_and_including_the_last_day() -> None:
    # 1 April to 15 May = 30 + 15 = 45 days. 37 / 37 * 1 * 45 / 91 = 0.4945... -> 0.49
    figures = q1(record(starts_on=date(2024, 6, 1), ends_on=date(2025, 5, 15), new=False))
    assert figures.values[D.LOCAL_FTE] == Decimal("0.49")


def test_one_day_engagement() -> None:
    # Starts and leaves on 30 June: 1 day. 37 / 37 * 1 * 1 / 91 = 0.0109... -> 0.01
    figures = q1(record(starts_on=Q1_END, ends_on=Q1_END))
    assert values(figures) == ZERO | {D.LOCAL_HIRES: "1", D.LOCAL_FTE: "0.01"}


def test_record_ending_before_the_period_counts_for_nothing() -> None:
    figures = q1(
        record(
            starts_on=date(2025, 1, 6), ends_on=date(2025, 3, 31), age=AgeBand.AGE_50_64, level=2
        )
    )
    assert values(figures) == ZERO
    assert figures.contributors == {d: () for d in D}


def test_record_starting_after_the_period_counts_for_nothing() -> None:
    assert values(q1(record(starts_on=date(2025, 7, 1), level=2))) == ZERO


def test_apprentice_weeks_within_the_period() -> None:
    # Non-local retained apprentice from 1 March to 12 May: in the period 1 April to 12 May
    # = 30 + 12 = 42 days = 6.00 weeks. Started before the period: not a start.
    # A second, local apprentice starts 2 June: 2 to 30 June = 29 days = 4.142... -> 4.14 weeks.
    # Total 71 days / 7 = 10.142... -> 10.14 (the total is rounded, not each worker).
    figures = q1(
        record(
            "A1",
            sector="SK1 1",
            starts_on=date(2025, 3, 1),
            ends_on=date(2025, 5, 12),
            new=False,
            level=2,
        ),
        record("A2", starts_on=date(2025, 6, 2), new=False, level=6),
    )
    assert figures.values[D.APPRENTICESHIP_WEEKS] == Decimal("10.14")
    assert figures.values[D.APPRENTICESHIP_STARTS] == 1
    assert figures.contributors[D.APPRENTICESHIP_WEEKS] == ("A1", "A2")
    assert figures.contributors[D.APPRENTICESHIP_STARTS] == ("A2",)


def test_same_worker_in_two_records_counts_once_for_head_counts() -> None:
    # Two engagements in the period, both new hires: one hire. Their days do not overlap:
    # 1 to 30 April = 30 days full time, 1 May to 30 June = 61 days at 18.5 h:
    # (37 * 30 + 18.5 * 61) / (37 * 91) = (1110 + 1128.5) / 3367 = 0.6648... -> 0.66
    figures = q1(
        record("W1", age=AgeBand.AGE_50_64, ends_on=date(2025, 4, 30)),
        record("W1", age=AgeBand.AGE_50_64, starts_on=date(2025, 5, 1), hours="18.5"),
    )
    assert values(figures) == ZERO | {
        D.LOCAL_HIRES: "1",
        D.LOCAL_FTE: "0.66",
        D.OLDER_WORKER_HIRES: "1",
    }
    assert figures.contributors[D.LOCAL_HIRES] == ("W1",)
    assert figures.contributors[D.LOCAL_FTE] == ("W1",)


def test_overlapping_records_of_one_worker_count_their_shared_days_once() -> None:
    # Whole period at 37 h x 0.5 = 18.5, and 1 May to 30 June (61 days) at 37 h x 0.8 = 29.6.
    # Shared days take the larger: (18.5 * 30 + 29.6 * 61) / (37 * 91)
    # = (555 + 1805.6) / 3367 = 0.7010... -> 0.70 (not 0.5 + 0.8 * 61 / 91 = 1.04)
    figures = q1(
        record(share="0.5", new=False, starts_on=date(2024, 1, 1)),
        record(share="0.8", new=False, starts_on=date(2025, 5, 1)),
    )
    assert figures.values[D.LOCAL_FTE] == Decimal("0.70")
    # An apprentice recorded twice for the same days: 91 days once = 13.00 weeks.
    twice = record("A1", level=3)
    assert q1(twice, twice).values[D.APPRENTICESHIP_WEEKS] == Decimal("13.00")


def test_hours_beyond_full_time_do_not_count() -> None:
    # 45 h is capped at 37 h: one person is at most 1 FTE. 37 / 37 * 1 * 91 / 91 = 1.00
    assert q1(record(hours="45", new=False)).values[D.LOCAL_FTE] == Decimal("1.00")


def test_full_time_hours_can_be_changed() -> None:
    # 37.5 / 37.5 * 1 = 1.00; at the default 37 h, 35 h would be 0.9459... -> 0.95
    figures = derive(
        [record(hours="37.5", new=False), record("W2", hours="35", new=False)],
        period_starts_on=Q1_START,
        period_ends_on=Q1_END,
        local_area=AREA,
        full_time_hours=Decimal("37.5"),
    )
    # (37.5 + 35) / 37.5 = 1.9333... -> 1.93
    assert figures.values[D.LOCAL_FTE] == Decimal("1.93")


def test_rounding_is_half_up() -> None:
    # An 8-day period, employed full time on its last day: 1 / 8 = 0.125 -> 0.13
    # (half up, where banker's rounding would give 0.12)
    figures = derive(
        [record(starts_on=date(2025, 4, 8))],
        period_starts_on=date(2025, 4, 1),
        period_ends_on=date(2025, 4, 8),
        local_area=AREA,
    )
    assert figures.values[D.LOCAL_FTE] == Decimal("0.13")


@pytest.mark.parametrize(
    ("sector", "local"),
    [("M1 1", True), ("M1 9", True), ("M27 4", True), ("M27 5", False), ("M11 1", False)],
)
def test_local_area_of_districts_and_sectors(sector: str, local: bool) -> None:
    # AREA is district M1 (all its sectors) and sector M27 4 only.
    figures = q1(record(sector=sector))
    assert figures.values[D.LOCAL_HIRES] == (1 if local else 0)
    assert figures.contributors[D.LOCAL_FTE] == (("W1",) if local else ())


def test_a_contract_may_name_its_own_local_area() -> None:
    assert q1(record(sector="SK1 1"), area=["SK1"]).values[D.LOCAL_HIRES] == 1
    assert q1(record(sector="M1 1"), area=[]).values[D.LOCAL_HIRES] == 0


def test_mixed_workforce_and_contributors() -> None:
    figures = q1(
        record("W3", starts_on=date(2025, 5, 16)),  # 46 / 91 = 0.50549...
        record("W1", hours="18.5", share="0.5", new=False, starts_on=date(2024, 1, 1)),  # 0.25
        record("W2", new=False, starts_on=date(2023, 9, 1)),  # 1
        record("A1", age=AgeBand.AGE_50_64, hours="30", level=3),  # 30 / 37 = 0.81081...
        record("N1", sector="SK1 1", age=AgeBand.AGE_50_64),  # not local
        record("X1", starts_on=date(2025, 1, 1), ends_on=date(2025, 3, 31)),  # before the period
    )
    # LOCAL_FTE: (37 * 46 + 9.25 * 91 + 37 * 91 + 30 * 91) / (37 * 91)
    # = (1702 + 841.75 + 3367 + 2730) / 3367 = 8640.75 / 3367 = 2.5663... -> 2.57
    assert values(figures) == ZERO | {
        D.LOCAL_HIRES: "2",
        D.LOCAL_FTE: "2.57",
        D.APPRENTICESHIP_STARTS: "1",
        D.APPRENTICESHIP_WEEKS: "13.00",
        D.OLDER_WORKER_HIRES: "2",
    }
    assert figures.contributors == {d: () for d in FAIR_WORK} | {
        D.LOCAL_HIRES: ("A1", "W3"),
        D.LOCAL_FTE: ("A1", "W1", "W2", "W3"),
        D.APPRENTICESHIP_STARTS: ("A1",),
        D.APPRENTICESHIP_WEEKS: ("A1",),
        D.OLDER_WORKER_HIRES: ("A1", "N1"),
    }


def test_a_period_must_not_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="period"):
        derive([], period_starts_on=Q1_END, period_ends_on=Q1_START, local_area=AREA)
    with pytest.raises(ValueError, match="full-time"):
        derive(
            [],
            period_starts_on=Q1_START,
            period_ends_on=Q1_END,
            local_area=AREA,
            full_time_hours=Decimal(0),
        )


# --- fair work: hand-worked shares of FTE -----------------------------------------------------

# The real Living Wage rates of 2024/25, £ an hour.
UK, LONDON = "12.60", "13.85"


def share(figures: PeriodFigures, derivation: D) -> tuple[str, str, int, int | None, int]:
    """(share, coverage, people counted, people meeting it, people without the data)"""
    found = figures.shares[derivation]
    assert figures.values[derivation] == found.percent
    return str(found.percent), str(found.coverage), found.counted, found.meeting, found.without_data


def test_living_wage_share_of_a_part_timer_and_a_full_timer() -> None:
    # FTE: W1 37 / 37 = 1 paid above the rate; W2 18.5 / 37 = 0.5 paid below it.
    # 1 / 1.5 = 66.666...% -> 66.67%; both gave their pay: coverage 100%.
    figures = q1(record("W1", pay="13.00"), record("W2", hours="18.5", pay="12.00"), living_wage=UK)
    assert share(figures, D.LIVING_WAGE) == ("66.67", "100.00", 2, 1, 0)
    assert figures.contributors[D.LIVING_WAGE] == ("W1",)


def test_paid_exactly_the_rate_is_paid_the_living_wage() -> None:
    figures = q1(record("W1", pay=UK), record("W2", pay="12.59"), living_wage=UK)
    assert share(figures, D.LIVING_WAGE) == ("50.00", "100.00", 2, 1, 0)


def test_living_wage_share_of_someone_engaged_for_part_of_the_period() -> None:
    # W1 from 16 May: 46 of 91 days, paid above; W2 all 91 days, paid below.
    # 46 / (46 + 91) = 46 / 137 = 33.576...% -> 33.58%
    figures = q1(
        record("W1", starts_on=date(2025, 5, 16), pay="13.00"),
        record("W2", starts_on=date(2024, 1, 1), pay="11.00"),
        living_wage=UK,
    )
    assert share(figures, D.LIVING_WAGE) == ("33.58", "100.00", 2, 1, 0)


def test_living_wage_share_weighs_the_share_of_time_on_the_contract() -> None:
    # W1 half their time here (0.5 FTE), paid above; W2 all of it (1 FTE), paid below.
    # 0.5 / 1.5 = 33.333...% -> 33.33%
    figures = q1(record("W1", share="0.5", pay="14.00"), record("W2", pay="10.00"), living_wage=UK)
    assert share(figures, D.LIVING_WAGE) == ("33.33", "100.00", 2, 1, 0)


def test_a_share_is_counted_over_the_fte_whose_pay_is_given() -> None:
    # W1 1 FTE paid above; W2 1 FTE, pay not given; W3 0.5 FTE paid below.
    # Share: 1 / (1 + 0.5) = 66.67%. Coverage: 1.5 / 2.5 = 60.00%.
    figures = q1(
        record("W1", pay="13.00"),
        record("W2"),
        record("W3", hours="18.5", pay="10.00"),
        living_wage=UK,
    )
    assert share(figures, D.LIVING_WAGE) == ("66.67", "60.00", 2, 1, 1)


def test_the_rate_is_a_parameter_london_or_the_rest_of_the_uk() -> None:
    # W1 1 FTE at £13.50, W2 0.5 FTE at £14.00: both above the UK rate (£12.60), only W2
    # above the London rate (£13.85): 0.5 / 1.5 = 33.33%.
    people = (record("W1", pay="13.50"), record("W2", hours="18.5", pay="14.00"))
    assert share(q1(*people, living_wage=UK), D.LIVING_WAGE) == ("100.00", "100.00", 2, 2, 0)
    assert share(q1(*people, living_wage=LONDON), D.LIVING_WAGE) == ("33.33", "100.00", 2, 1, 0)


def test_hours_beyond_full_time_count_as_one_fte_in_a_share() -> None:
    # W1 48 h is capped at 37 h (1 FTE), paid above; W2 1 FTE paid below: 50%, not 48 / 85.
    figures = q1(record("W1", hours="48", pay="13.00"), record("W2", pay="10.00"), living_wage=UK)
    assert share(figures, D.LIVING_WAGE) == ("50.00", "100.00", 2, 1, 0)


def test_shares_are_over_all_workers_not_only_local_ones() -> None:
    figures = q1(
        record("W1", sector="SK1 1", pay="13.00"), record("W2", pay="10.00"), living_wage=UK
    )
    assert share(figures, D.LIVING_WAGE) == ("50.00", "100.00", 2, 1, 0)
    assert figures.values[D.LOCAL_FTE] == Decimal("1.00")  # only W2 is local


def test_shares_round_half_up() -> None:
    # 1 h of 32 h paid above the rate: 1 / 32 = 3.125% -> 3.13% (banker's rounding: 3.12%)
    figures = q1(
        record("W1", hours="1", pay="13.00"), record("W2", hours="31", pay="10.00"), living_wage=UK
    )
    assert figures.values[D.LIVING_WAGE] == Decimal("3.13")


def test_without_a_rate_the_living_wage_shares_are_not_known() -> None:
    figures = q1(record("W1", pay="13.00"), record("W2"), living_wage=None)
    assert figures.values[D.LIVING_WAGE] is None  # never 0%: that would raise a false flag
    assert figures.shares[D.LIVING_WAGE] == Share(
        None, Decimal("50.00"), 1, None, 1, NotKnown.NO_RATE, fte_given=ONE, fte_all=TWO
    )
    assert figures.contributors[D.LIVING_WAGE] == ()


def test_with_nobody_giving_the_figure_a_share_is_not_known() -> None:
    figures = q1(record("W1"), record("W2"), living_wage=UK)
    for derivation in (D.LIVING_WAGE, D.SECURE_WORK):
        assert figures.values[derivation] is None
        assert figures.shares[derivation] == Share(
            None, Decimal("0.00"), 0, 0, 2, NotKnown.NO_DATA, fte_all=TWO
        )
    nobody = q1(living_wage=UK).shares[D.LIVING_WAGE]
    assert nobody == Share(None, None, 0, 0, 0, NotKnown.NO_DATA)  # no FTE: no coverage either


ONE, TWO = Decimal("1.0000"), Decimal("2.0000")


def test_a_share_carries_its_fte_to_be_added_up() -> None:
    # Full time all quarter (1 FTE) paid above the rate; half time half the quarter unpaid-for
    # (0.25 FTE, no pay given); 0.5 FTE below the rate: 1 of 1.5 FTE given, of 1.75 in all.
    half_quarter = Q1_START + (Q1_END - Q1_START) / 2
    figures = q1(
        record("W1", pay="13.00"),
        record("W2", hours="18.5", ends_on=half_quarter),
        record("W3", hours="18.5", pay="10.00"),
        living_wage=UK,
    )
    share = figures.shares[D.LIVING_WAGE]
    assert share.percent == Decimal("66.67")
    assert (share.fte_met, share.fte_given) == (ONE, Decimal("1.5000"))
    assert Decimal("1.74") < share.fte_all < Decimal("1.76")  # 45 of 91 days: not quite half


def test_secure_work() -> None:
    # Each 1 FTE. Secure: S1 (permanent, 37 h) and S2 (fixed-term, exactly 16 h guaranteed).
    # Insecure: I1 zero-hours (hours not given: insecure whatever they are), I2 permanent with
    # 15.5 h guaranteed, I3 casual with 20 h guaranteed. Not given: N1 (no hours), N2 (no type).
    # Share 2 / 5 = 40.00%; coverage 5 / 7 = 71.428...% -> 71.43%.
    figures = q1(
        record("S1", contract=ContractType.PERMANENT, guaranteed="37"),
        record("S2", contract=ContractType.FIXED_TERM, guaranteed="16"),
        record("I1", contract=ContractType.ZERO_HOURS),
        record("I2", contract=ContractType.PERMANENT, guaranteed="15.5"),
        record("I3", contract=ContractType.CASUAL, guaranteed="20"),
        record("N1", contract=ContractType.PERMANENT),
        record("N2", guaranteed="20"),
    )
    assert share(figures, D.SECURE_WORK) == ("40.00", "71.43", 5, 2, 2)
    assert figures.contributors[D.SECURE_WORK] == ("S1", "S2")


def test_secure_work_needs_no_rate_and_weighs_fte() -> None:
    # S1 0.5 FTE (18.5 h) permanent with 18.5 h guaranteed; I1 1 FTE zero-hours, 0 h guaranteed.
    # 0.5 / 1.5 = 33.33%.
    figures = q1(
        record("S1", hours="18.5", contract=ContractType.PERMANENT, guaranteed="18.5"),
        record("I1", contract=ContractType.ZERO_HOURS, guaranteed="0"),
        living_wage=None,
    )
    assert share(figures, D.SECURE_WORK) == ("33.33", "100.00", 2, 1, 0)


def test_the_older_workers_shares_count_only_those_aged_50_and_over() -> None:
    # O1 (50 to 64) 1 FTE paid above; O2 (65 and over) 0.5 FTE paid below, zero-hours;
    # Y1 (25 to 34) 1 FTE paid below, permanent 37 h.
    # All: 1 / 2.5 = 40.00%. 50 and over: 1 / 1.5 = 66.67%.
    # Secure, all: O2 insecure, Y1 secure, O1 not given: 1 / 1.5 = 66.67%, coverage 1.5 / 2.5 = 60%.
    # Secure, 50 and over: O2 only, insecure: 0 / 0.5 = 0%, coverage 0.5 / 1.5 = 33.33%.
    figures = q1(
        record("O1", age=AgeBand.AGE_50_64, pay="13.00"),
        record(
            "O2",
            age=AgeBand.AGE_65_PLUS,
            hours="18.5",
            pay="11.00",
            contract=ContractType.ZERO_HOURS,
        ),
        record("Y1", pay="11.00", contract=ContractType.PERMANENT, guaranteed="37"),
        living_wage=UK,
    )
    assert share(figures, D.LIVING_WAGE) == ("40.00", "100.00", 3, 1, 0)
    assert share(figures, D.OLDER_LIVING_WAGE) == ("66.67", "100.00", 2, 1, 0)
    assert share(figures, D.SECURE_WORK) == ("66.67", "60.00", 2, 1, 1)
    assert share(figures, D.OLDER_SECURE_WORK) == ("0.00", "33.33", 1, 0, 1)
    assert figures.contributors[D.OLDER_LIVING_WAGE] == ("O1",)


def test_with_nobody_aged_50_or_over_their_shares_are_not_known() -> None:
    figures = q1(
        record("Y1", pay="13.00", contract=ContractType.PERMANENT, guaranteed="37"), living_wage=UK
    )
    assert figures.values[D.LIVING_WAGE] == Decimal("100.00")
    for derivation in (D.OLDER_LIVING_WAGE, D.OLDER_SECURE_WORK):
        assert figures.shares[derivation] == Share(None, None, 0, 0, 0, NotKnown.NO_DATA)


def test_one_persons_overlapping_records_count_their_shared_days_once_in_a_share() -> None:
    # W1 has two records over the whole quarter: full time below the rate, and half time
    # above it. Shared days count once at the larger weight: 1 FTE given, of which 0.5 meets.
    figures = q1(
        record("W1", pay="10.00"),
        record("W1", hours="18.5", pay="13.00"),
        living_wage=UK,
    )
    assert share(figures, D.LIVING_WAGE) == ("50.00", "100.00", 1, 1, 0)


# --- double claims ----------------------------------------------------------------------------


def claim(
    contract: int, share: str, starts_on: date, ends_on: date | None, ref: str = "W1"
) -> Claim:
    return Claim(ref, contract, starts_on, ends_on, Decimal(share))


JAN_1, MAR_31, APR_1 = date(2025, 1, 1), date(2025, 3, 31), date(2025, 4, 1)
JUN_30, DEC_31 = date(2025, 6, 30), date(2025, 12, 31)


def found_claim(shares: dict[int, str], starts_on: date, ends_on: date | None) -> DoubleClaim:
    by_contract = tuple((contract, Decimal(share)) for contract, share in sorted(shares.items()))
    return DoubleClaim("W1", by_contract, starts_on, ends_on)


def test_half_and_half_on_two_contracts_is_fine() -> None:
    assert double_claims([claim(1, "0.5", JAN_1, DEC_31), claim(2, "0.5", JAN_1, DEC_31)]) == []


def test_more_than_all_of_one_person_is_a_double_claim() -> None:
    # Contract 1: January to June; contract 2: April to December; 0.6 + 0.6 = 1.2 over April-June.
    found = double_claims([claim(2, "0.6", APR_1, DEC_31), claim(1, "0.6", JAN_1, JUN_30)])
    assert found == [found_claim({1: "0.6", 2: "0.6"}, APR_1, JUN_30)]


def test_claims_that_do_not_overlap_are_fine() -> None:
    assert double_claims([claim(1, "1", JAN_1, MAR_31), claim(2, "1", APR_1, DEC_31)]) == []


def test_a_single_shared_day_is_an_overlap() -> None:
    # Dates are inclusive: both claim 1 April.
    found = double_claims([claim(1, "1", JAN_1, APR_1), claim(2, "1", APR_1, DEC_31)])
    assert found == [found_claim({1: "1", 2: "1"}, APR_1, APR_1)]


def test_three_contracts() -> None:
    # 0.4 + 0.4 all year = 0.8 is fine; contract 3 adds 0.4 over April-June: 1.2.
    found = double_claims(
        [
            claim(1, "0.4", JAN_1, DEC_31),
            claim(2, "0.4", JAN_1, DEC_31),
            claim(3, "0.4", APR_1, JUN_30),
        ]
    )
    assert found == [found_claim({1: "0.4", 2: "0.4", 3: "0.4"}, APR_1, JUN_30)]


def test_a_new_result_starts_where_the_contracts_involved_change() -> None:
    # Contract 1 at 0.6 all year; contract 2 at 0.6 January-June; contract 3 at 0.6 April-December.
    # January-March: 1 + 2 = 1.2; April-June: 1 + 2 + 3 = 1.8; July-December: 1 + 3 = 1.2.
    found = double_claims(
        [
            claim(1, "0.6", JAN_1, DEC_31),
            claim(2, "0.6", JAN_1, JUN_30),
            claim(3, "0.6", APR_1, None),
        ]
    )
    assert found == [
        found_claim({1: "0.6", 2: "0.6"}, JAN_1, MAR_31),
        found_claim({1: "0.6", 2: "0.6", 3: "0.6"}, APR_1, JUN_30),
        found_claim({1: "0.6", 3: "0.6"}, date(2025, 7, 1), DEC_31),
    ]


def test_open_ended_claims() -> None:
    both_open = double_claims([claim(1, "0.6", JAN_1, None), claim(2, "0.6", APR_1, None)])
    assert both_open == [found_claim({1: "0.6", 2: "0.6"}, APR_1, None)]
    one_open = double_claims([claim(1, "0.6", JAN_1, None), claim(2, "0.6", APR_1, JUN_30)])
    assert one_open == [found_claim({1: "0.6", 2: "0.6"}, APR_1, JUN_30)]


def test_claims_on_the_same_contract_never_conflict() -> None:
    # Two overlapping claims on contract 1 count once, at the larger share: 0.6 + 0.3 = 0.9.
    same = [claim(1, "0.6", JAN_1, DEC_31), claim(1, "0.6", APR_1, DEC_31)]
    assert double_claims(same) == []
    assert double_claims([*same, claim(2, "0.3", JAN_1, DEC_31)]) == []
    # ... but with contract 2 at 0.5 it is 0.6 + 0.5 = 1.1.
    assert double_claims([*same, claim(2, "0.5", JAN_1, DEC_31)]) == [
        found_claim({1: "0.6", 2: "0.5"}, JAN_1, DEC_31)
    ]


def test_a_new_result_starts_where_a_share_changes_even_if_the_total_does_not() -> None:
    # 0.7 + 0.5 in January-March, then 0.5 + 0.7: 1.2 all along, but not the same facts.
    found = double_claims(
        [
            claim(1, "0.7", JAN_1, MAR_31),
            claim(1, "0.5", APR_1, JUN_30),
            claim(2, "0.5", JAN_1, MAR_31),
            claim(2, "0.7", APR_1, JUN_30),
        ]
    )
    assert found == [
        found_claim({1: "0.7", 2: "0.5"}, JAN_1, MAR_31),
        found_claim({1: "0.5", 2: "0.7"}, APR_1, JUN_30),
    ]
    assert [d.total_share for d in found] == [Decimal("1.2")] * 2


def test_a_claim_seen_from_each_of_its_contracts() -> None:
    [found] = double_claims(
        [
            claim(1, "0.6", JAN_1, DEC_31),
            claim(2, "0.6", APR_1, JUN_30),
            claim(3, "0.25", JAN_1, None),
        ]
    )
    assert found.contract_ids == (1, 2, 3) and found.total_share == Decimal("1.45")
    assert found.share_on(2) == Decimal("0.6") and found.share_on(9) == 0
    assert found.elsewhere(2) == ((1, Decimal("0.6")), (3, Decimal("0.25")))
    names = {1: "NCC-001", 2: "NCC-002", 3: "a contract with another council"}
    assert describe_double_claim(found, 2, names) == (
        "Worker W1 is also claimed on NCC-001 (60%) and a contract with another council (25%) "
        "from 1 April 2025 to 30 June 2025: with 60% on this contract, that is 145% of their "
        "time in all."
    )
    assert describe_double_claim(found, 3, names) == (
        "Worker W1 is also claimed on NCC-001 (60%) and NCC-002 (60%) from 1 April 2025 to "
        "30 June 2025: with 25% on this contract, that is 145% of their time in all."
    )


def test_an_open_ended_claim_is_described_from_its_start() -> None:
    [found] = double_claims([claim(1, "1", JAN_1, None), claim(2, "0.0050", APR_1, None)])
    assert describe_double_claim(found, 1, {2: "NCC-002"}) == (
        "Worker W1 is also claimed on NCC-002 (0.5%) from 1 April 2025: with 100% on this "
        "contract, that is 100.5% of their time in all."
    )


def test_results_are_sorted_by_worker_then_start_and_workers_are_separate() -> None:
    found = double_claims(
        [
            claim(1, "1", APR_1, JUN_30, ref="W2"),
            claim(2, "1", APR_1, JUN_30, ref="W1"),
            claim(3, "1", JAN_1, JAN_1, ref="W2"),
            claim(4, "1", JAN_1, JAN_1, ref="W2"),
            claim(1, "1", APR_1, JUN_30, ref="W1"),
            claim(9, "1", JAN_1, DEC_31, ref="W3"),  # alone: nothing to conflict with
        ]
    )
    assert [(d.worker_reference, d.contract_ids, d.overlap_starts_on) for d in found] == [
        ("W1", (1, 2), APR_1),
        ("W2", (3, 4), JAN_1),  # W2's contract 1 in April-June has nothing to conflict with
    ]


# --- properties -------------------------------------------------------------------------------

DAY0 = date(2025, 1, 1)
LOCAL_SECTORS = {"M1 1", "M1 2", "M27 4"}  # of the sampled sectors, those in AREA
days = st.integers(min_value=0, max_value=300).map(lambda n: DAY0 + timedelta(days=n))

records = st.builds(
    WorkforceRecord,
    worker_reference=st.sampled_from(["W1", "W2", "W3", "W4"]),
    postcode_sector=st.sampled_from(["M1 1", "M1 2", "M27 4", "M27 5", "SK1 1"]),
    age_band=st.sampled_from(list(AgeBand)),
    starts_on=days,
    ends_on=st.none() | days,
    weekly_hours=st.decimals(min_value="0.5", max_value="48", places=1),
    share_on_contract=st.decimals(min_value="0.01", max_value="1", places=2),
    is_new_hire=st.booleans(),
    apprenticeship_level=st.none() | st.integers(min_value=1, max_value=8),
    hourly_pay=st.none() | st.decimals(min_value="5", max_value="30", places=2),
    contract_type=st.none() | st.sampled_from(list(ContractType)),
    guaranteed_hours=st.none() | st.decimals(min_value="0", max_value="48", places=1),
)
record_lists = st.lists(records, max_size=8)
COUNTS = [d for d in D if not d.is_share]


def derive_q1(rs: list[WorkforceRecord], living_wage: Decimal | None = None) -> PeriodFigures:
    return derive(
        rs,
        period_starts_on=Q1_START,
        period_ends_on=Q1_END,
        local_area=AREA,
        living_wage=living_wage,
    )


@given(record_lists)
def test_figures_are_never_negative_and_always_complete(rs: list[WorkforceRecord]) -> None:
    figures = derive_q1(rs)
    assert set(figures.values) == set(D) == set(figures.contributors)
    assert set(figures.shares) == set(FAIR_WORK)
    for derivation in COUNTS:
        value = figures.values[derivation]
        assert value is not None and value >= 0
    for derivation, refs in figures.contributors.items():
        assert list(refs) == sorted(set(refs))
        if derivation in (D.LOCAL_HIRES, D.APPRENTICESHIP_STARTS, D.OLDER_WORKER_HIRES):
            assert figures.values[derivation] == len(refs)


@given(record_lists)
def test_local_fte_is_at_most_one_per_local_worker(rs: list[WorkforceRecord]) -> None:
    figures = derive_q1(rs)
    local_workers = {r.worker_reference for r in rs if r.postcode_sector in LOCAL_SECTORS}
    assert figures.values[D.LOCAL_FTE] <= len(figures.contributors[D.LOCAL_FTE])
    assert figures.values[D.LOCAL_FTE] <= len(local_workers)
    # 91 days is 13 weeks: at most 13 weeks per apprentice.
    assert figures.values[D.APPRENTICESHIP_WEEKS] <= 13 * len(
        figures.contributors[D.APPRENTICESHIP_WEEKS]
    )


@given(record_lists, records)
def test_adding_a_record_never_lowers_a_figure(
    rs: list[WorkforceRecord], extra: WorkforceRecord
) -> None:
    """Counts only: a share can fall when someone who does not meet it is added."""
    before, after = derive_q1(rs), derive_q1([*rs, extra])
    for derivation in COUNTS:
        assert after.values[derivation] >= before.values[derivation]
        assert set(after.contributors[derivation]) >= set(before.contributors[derivation])


@given(st.data(), record_lists)
def test_order_of_records_does_not_matter(data: st.DataObject, rs: list[WorkforceRecord]) -> None:
    shuffled = data.draw(st.permutations(rs))
    assert derive_q1(shuffled) == derive_q1(rs)


claims = st.builds(
    Claim,
    worker_reference=st.sampled_from(["W1", "W2"]),
    contract_id=st.integers(min_value=1, max_value=4),
    starts_on=days,
    ends_on=st.none() | days,
    share_on_contract=st.decimals(min_value="0.1", max_value="1", places=1),
)


@given(st.data(), st.lists(claims, max_size=8))
def test_double_claims_are_well_formed_and_order_free(data: st.DataObject, cs: list[Claim]) -> None:
    found = double_claims(cs)
    assert double_claims(data.draw(st.permutations(cs))) == found
    assert found == sorted(found, key=lambda d: (d.worker_reference, d.overlap_starts_on))
    for d in found:
        assert d.total_share > 1
        assert len(d.contract_ids) >= 2 and list(d.contract_ids) == sorted(set(d.contract_ids))
        for contract_id in d.contract_ids:  # each contract's share plus the others' is the total
            elsewhere = sum((share for _, share in d.elsewhere(contract_id)), Decimal(0))
            assert d.share_on(contract_id) + elsewhere == d.total_share
            assert d.share_on(contract_id) == max(
                c.share_on_contract
                for c in cs
                if c.worker_reference == d.worker_reference
                and c.contract_id == contract_id
                and c.starts_on <= d.overlap_starts_on
                and (c.ends_on is None or d.overlap_starts_on <= c.ends_on)
            )
        assert d.overlap_ends_on is None or d.overlap_starts_on <= d.overlap_ends_on


# --- fair work: properties --------------------------------------------------------------------

rates = st.decimals(min_value="5", max_value="30", places=2)


@given(record_lists, st.none() | rates)
def test_shares_and_coverage_are_between_0_and_100_percent(
    rs: list[WorkforceRecord], living_wage: Decimal | None
) -> None:
    figures = derive_q1(rs, living_wage)
    for derivation, found in figures.shares.items():
        assert figures.values[derivation] == found.percent
        assert found.percent is None or 0 <= found.percent <= 100
        assert found.coverage is None or 0 <= found.coverage <= 100
        assert (found.percent is None) == (found.not_known is not None)
        assert found.meeting is None or found.meeting <= found.counted
        assert len(figures.contributors[derivation]) == (found.meeting or 0)
    if living_wage is None:
        assert figures.values[D.LIVING_WAGE] is None
        assert figures.values[D.OLDER_LIVING_WAGE] is None


@given(st.data(), st.lists(records, min_size=1, max_size=8), rates)
def test_raising_someones_pay_never_lowers_a_living_wage_share(
    data: st.DataObject, rs: list[WorkforceRecord], living_wage: Decimal
) -> None:
    k = data.draw(st.integers(min_value=0, max_value=len(rs) - 1))
    pay = rs[k].hourly_pay if rs[k].hourly_pay is not None else Decimal(5)
    raised = pay + data.draw(st.decimals(min_value="0.01", max_value="10", places=2))
    before = derive_q1([*rs[:k], replace(rs[k], hourly_pay=pay), *rs[k + 1 :]], living_wage)
    after = derive_q1([*rs[:k], replace(rs[k], hourly_pay=raised), *rs[k + 1 :]], living_wage)
    for derivation in (D.LIVING_WAGE, D.OLDER_LIVING_WAGE):
        was, now = before.values[derivation], after.values[derivation]
        assert (was is None) == (now is None)
        assert was is None or now is None or now >= was


@given(record_lists, st.none() | rates)
def test_the_fte_a_share_is_counted_over_is_never_more_than_all_fte(
    rs: list[WorkforceRecord], living_wage: Decimal | None
) -> None:
    """Everyone whose record gives the figure is in the group: counted + without = the group."""
    figures = derive_q1(rs, living_wage)
    in_period = {
        r.worker_reference
        for r in rs
        if r.starts_on <= Q1_END and (r.ends_on is None or r.ends_on >= max(Q1_START, r.starts_on))
    }
    found = figures.shares[D.LIVING_WAGE]
    assert found.counted + found.without_data == len(in_period)


@given(record_lists, st.none() | rates)
def test_the_shares_are_the_plain_sums_of_fte_they_say(
    rs: list[WorkforceRecord], living_wage: Decimal | None
) -> None:
    """derive sums the twelve subsets in one pass; each must equal the plain sum of FTE over
    the records it stands for (worked out here the slow way, one subset at a time)."""
    figures = derive_q1(rs, living_wage)
    period = (Q1_START, Q1_END + timedelta(days=1))

    def fte_days(keep: Callable[[WorkforceRecord], bool]) -> Decimal:
        chosen = [r for r in rs if keep(r)]
        return _weighted_days(
            chosen, period, lambda r: min(r.weekly_hours, Decimal(37)) * r.share_on_contract
        )[0]

    def pay_given(r: WorkforceRecord) -> bool:
        return r.hourly_pay is not None

    def paid(r: WorkforceRecord) -> bool:
        return r.hourly_pay is not None and living_wage is not None and r.hourly_pay >= living_wage

    def said(r: WorkforceRecord) -> bool:
        return is_secure(r) is not None

    def secure(r: WorkforceRecord) -> bool:
        return is_secure(r) is True

    for derivation, older, gives, meets in (
        (D.LIVING_WAGE, False, pay_given, paid),
        (D.SECURE_WORK, False, said, secure),
        (D.OLDER_LIVING_WAGE, True, pay_given, paid),
        (D.OLDER_SECURE_WORK, True, said, secure),
    ):

        def group(r: WorkforceRecord, older: bool = older) -> bool:
            return r.age_band.is_50_or_over or not older

        everyone = fte_days(group)
        given = fte_days(lambda r, g=group, k=gives: g(r) and k(r))
        met = fte_days(lambda r, g=group, k=gives, m=meets: g(r) and k(r) and m(r))
        found = figures.shares[derivation]
        assert found.coverage == (_round(given * 100 / everyone) if everyone else None)
        if found.not_known is None:
            assert found.percent == _round(met * 100 / given)
