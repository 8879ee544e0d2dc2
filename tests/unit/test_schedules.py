"""What replacing one list of people with another changes, and lists kept aside as JSON."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

from hypothesis import given

from portal.domain.counting import AgeBand, ContractType, WorkforceRecord
from portal.domain.schedules import compare, describe, from_json, to_json
from tests.unit.test_counting import record_lists

ANNA = WorkforceRecord(
    "A-1", "M1 1", AgeBand.AGE_25_34, date(2025, 4, 1), None, Decimal(37), Decimal(1), True
)
BEN = WorkforceRecord(
    "B-2", "M4 5", AgeBand.AGE_50_64, date(2020, 1, 1), None, Decimal("18.5"), Decimal("0.5"), False
)
CARL = WorkforceRecord(
    "C-3",
    "SK1 1",
    AgeBand.AGE_18_24,
    date(2025, 5, 16),
    None,
    Decimal(30),
    Decimal(1),
    True,
    3,
    "Chef de partie",
)


def test_people_are_matched_by_reference_and_start_date() -> None:
    later_ben = replace(BEN, weekly_hours=Decimal(20), ends_on=date(2025, 6, 30))
    rejoined_anna = replace(ANNA, starts_on=date(2025, 6, 1))  # another engagement: not a change
    change = compare([ANNA, BEN], [later_ben, rejoined_anna, replace(CARL, worker_reference="c-3")])
    assert (change.now, change.after, change.unchanged) == (2, 3, 0)
    assert change.added == (rejoined_anna, replace(CARL, worker_reference="c-3"))
    assert change.removed == (ANNA,)
    [changed] = change.changed
    assert changed.fields == ("ends_on", "weekly_hours")
    assert describe(changed) == "End date from none to 30 June 2025; weekly hours from 18.5 to 20"


def test_each_kind_of_value_is_described_for_people() -> None:
    [changed] = compare(
        [CARL],
        [
            replace(
                CARL,
                share_on_contract=Decimal("0.5"),
                is_new_hire=False,
                age_band=AgeBand.AGE_65_PLUS,
            )
        ],
    ).changed
    assert describe(changed) == (
        "Age band from 18 to 24 to 65 and over; share of time on this contract from 100% to 50%; "
        "new hire or retained from new hire to retained"
    )


def test_pay_and_contract_terms_are_described_too() -> None:
    paid = replace(ANNA, hourly_pay=Decimal("12.6"), contract_type=ContractType.ZERO_HOURS)
    raised = replace(
        paid,
        hourly_pay=Decimal("13.45"),
        contract_type=ContractType.PERMANENT,
        guaranteed_hours=Decimal(37),
    )
    [changed] = compare([paid], [raised]).changed
    assert describe(changed) == (
        "Basic hourly pay from £12.60 to £13.45; contract type from zero-hours to permanent; "
        "guaranteed weekly hours from none to 37"
    )


def test_dropping_more_than_half_of_the_people_is_pointed_out() -> None:
    assert compare([ANNA, BEN, CARL], [ANNA]).removes_most
    assert not compare([ANNA, BEN], [ANNA]).removes_most  # half is not most
    assert not compare([], [ANNA]).removes_most


@given(record_lists, record_lists)
def test_every_person_after_is_added_changed_or_unchanged(before, after) -> None:  # type: ignore[no-untyped-def]
    unique_before = list({(r.worker_reference.casefold(), r.starts_on): r for r in before}.values())
    unique_after = list({(r.worker_reference.casefold(), r.starts_on): r for r in after}.values())
    change = compare(unique_before, unique_after)
    assert len(change.added) + len(change.changed) + change.unchanged == len(unique_after)
    assert len(change.removed) + len(change.changed) + change.unchanged == len(unique_before)
    assert compare(unique_after, unique_after).unchanged == len(unique_after)


@given(record_lists)
def test_a_list_kept_as_json_comes_back_the_same(records) -> None:  # type: ignore[no-untyped-def]
    paid = replace(
        CARL,
        hourly_pay=Decimal("12.60"),
        contract_type=ContractType.TEMPORARY_OR_AGENCY,
        guaranteed_hours=Decimal("0"),
    )
    stored = json.loads(json.dumps([to_json(record) for record in [*records, CARL, paid]]))
    assert [from_json(record) for record in stored] == [*records, CARL, paid]
