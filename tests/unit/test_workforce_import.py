from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.counting import AgeBand, ContractType, WorkforceRecord
from portal.domain.postcodes import sector_of
from portal.domain.workforce_import import (
    AGE_BAND_CHOICES,
    COLUMNS,
    EXAMPLE_ROWS,
    FAIR_WORK_COLUMNS,
    MESSAGES,
    RowError,
    WorkforcePlan,
    long_date,
    parse_record,
    period_error,
    plan_workforce,
)

Q1 = {"period_starts_on": date(2025, 4, 1), "period_ends_on": date(2025, 6, 30)}
OUTSIDE_Q1 = (
    "The person must have worked on the contract during this quarter (1 April 2025 to 30 June 2025)"
)


def values(**changes: Any) -> dict[str, Any]:
    """A good row by column name; keyword names use _ for spaces, e.g. Start_date."""
    row: dict[str, Any] = {
        "Worker reference": "W123",
        "Home postcode": "M4 5AB",
        "Age band": "25 to 34",
        "Start date": "07/04/2025",
        "End date": None,
        "Weekly hours": "37.5",
        "Share of time on this contract (%)": "100",
        "New hire or retained": "New hire",
        "Apprenticeship level": None,
        "Apprenticeship standard": None,
        "Basic hourly pay (£)": None,
        "Contract type": None,
        "Guaranteed weekly hours": None,
    }
    for key, value in changes.items():
        name = key.replace("_", " ")
        name = "Share of time on this contract (%)" if name == "Share" else name
        name = "Basic hourly pay (£)" if name == "Pay" else name
        assert name in row, name
        row[name] = value
    return row


def row(**changes: Any) -> list[Any]:
    cells = values(**changes)
    return [cells[column] for column in COLUMNS]


def plan(*rows: list[Any], header: list[Any] = COLUMNS) -> WorkforcePlan:
    return plan_workforce([list(header), *rows], **Q1)


def messages(**changes: Any) -> list[str]:
    """The messages for one row with these changes (planned as a file, row 2)."""
    result = plan(row(**changes))
    assert all(error.row == 2 for error in result.errors)
    return [error.message for error in result.errors]


# -- a good file --------------------------------------------------------------------------------


def test_a_valid_file_becomes_exact_records() -> None:
    result = plan(
        row(),
        row(
            Worker_reference="GW_0032/B",
            Home_postcode="m14 6qr",
            Age_band="35-49",
            Start_date="2021-09-01",
            End_date="15/05/2025",
            Weekly_hours="20",
            Share="50%",
            New_hire_or_retained="retained",
        ),
        row(
            Worker_reference="AP-9",
            Home_postcode="SW1A1AA",
            Age_band="50 to 64",
            Start_date="14/04/2025",
            Weekly_hours=30,
            Share=100,
            New_hire_or_retained="YES",
            Apprenticeship_level="3",
            Apprenticeship_standard="Hospitality supervisor",
        ),
    )
    assert result.errors == [] and result.is_valid and result.rows == 3
    assert result.records == [
        WorkforceRecord(
            worker_reference="W123",
            postcode_sector="M4 5",
            age_band=AgeBand.AGE_25_34,
            starts_on=date(2025, 4, 7),
            ends_on=None,
            weekly_hours=Decimal("37.5"),
            share_on_contract=Decimal(1),
            is_new_hire=True,
        ),
        WorkforceRecord(
            worker_reference="GW_0032/B",
            postcode_sector="M14 6",
            age_band=AgeBand.AGE_35_49,
            starts_on=date(2021, 9, 1),
            ends_on=date(2025, 5, 15),
            weekly_hours=Decimal(20),
            share_on_contract=Decimal("0.5"),
            is_new_hire=False,
        ),
        WorkforceRecord(
            worker_reference="AP-9",
            postcode_sector="SW1A 1",
            age_band=AgeBand.AGE_50_64,
            starts_on=date(2025, 4, 14),
            ends_on=None,
            weekly_hours=Decimal(30),
            share_on_contract=Decimal(1),
            is_new_hire=True,
            apprenticeship_level=3,
            apprenticeship_standard="Hospitality supervisor",
        ),
    ]
    assert str(result.records[1].share_on_contract) == "0.5"


def test_the_full_postcode_never_leaves_the_module() -> None:
    result = plan(row(Home_postcode="M4 5AB"), row(Worker_reference="W2", Home_postcode="ZZ"))
    assert "5AB" not in repr(result.records)
    assert all("ZZ" not in error.message for error in result.errors)


def test_the_example_rows_are_valid_people_for_their_first_quarter() -> None:
    records = []
    for example in EXAMPLE_ROWS:
        errors: list[str] = []
        records.append(parse_record(dict(zip(COLUMNS, example, strict=True)), errors, **Q1))
        assert errors == []
    local_hire, retained, apprentice = records
    assert local_hire is not None and retained is not None and apprentice is not None
    assert local_hire.is_new_hire and local_hire.share_on_contract == 1
    assert not retained.is_new_hire and retained.weekly_hours < 37
    assert retained.share_on_contract == Decimal("0.5")
    assert apprentice.age_band.is_50_or_over and apprentice.apprenticeship_level == 3


def test_a_file_that_still_holds_the_example_rows_is_refused_row_by_row() -> None:
    """Uploaded unchanged, the template would replace a quarter's people with invented ones."""
    result = plan(row(Worker_reference="W1"), *EXAMPLE_ROWS)
    assert result.records[0].worker_reference == "W1"  # other rows are still checked
    assert [(error.row, error.message.split(":")[0]) for error in result.errors] == [
        (3, "This is an example row from the template (worker reference GW-0147)"),
        (4, "This is an example row from the template (worker reference GW-0032)"),
        (5, "This is an example row from the template (worker reference GW-0151)"),
    ]
    assert not result.is_valid
    assert all(len(example) == len(COLUMNS) for example in EXAMPLE_ROWS)


def test_the_header_may_be_in_any_order_and_case_with_extra_columns() -> None:
    shuffled = list(reversed(COLUMNS)) + ["Notes"]
    header = [f"  {name.upper()} " for name in shuffled]
    cells = values(Share="50")
    result = plan([cells.get(name) for name in shuffled] + ["ignored"], header=header)
    assert result.errors == []
    assert result.records[0].share_on_contract == Decimal("0.5")


def test_optional_columns_may_be_left_out_of_the_header() -> None:
    header = [c for c in COLUMNS if c not in ("End date", "Apprenticeship level")]
    header.remove("Apprenticeship standard")
    cells = values()
    result = plan([cells[name] for name in header], header=header)
    assert result.errors == [] and result.records[0].apprenticeship_level is None


def test_date_cells_may_be_datetimes_or_dates() -> None:
    result = plan(row(Start_date=datetime(2025, 4, 7, 0, 0), End_date=date(2025, 6, 1)))
    assert result.errors == []
    assert (result.records[0].starts_on, result.records[0].ends_on) == (
        date(2025, 4, 7),
        date(2025, 6, 1),
    )


def test_spreadsheet_numbers_and_text_with_times_are_read() -> None:
    result = plan(
        row(
            Worker_reference=1234.0,
            Start_date="2025-04-07 00:00:00",
            Weekly_hours=37.5,
            Share=50.0,
            Apprenticeship_level=2.0,
            Apprenticeship_standard="Hospitality team member",
        )
    )
    assert result.errors == []
    [record] = result.records
    assert record.worker_reference == "1234" and record.starts_on == date(2025, 4, 7)
    assert record.weekly_hours == Decimal("37.5") and record.share_on_contract == Decimal("0.5")
    assert record.apprenticeship_level == 2


def test_a_short_row_counts_its_missing_cells_as_empty() -> None:
    result = plan(row()[:8])
    assert result.errors == [] and result.records[0].ends_on is None


def test_wholly_empty_rows_are_skipped_but_row_numbers_stay_as_shown() -> None:
    result = plan(row(), [None] * len(COLUMNS), ["", "  "], row(Worker_reference="W9", Age_band=""))
    assert result.rows == 2 and len(result.records) == 1
    assert result.errors == [RowError(5, "Enter the age band")]
    assert not result.is_valid


# -- the file as a whole -----------------------------------------------------------------------


def test_an_empty_file_has_no_header_row() -> None:
    result = plan_workforce([], **Q1)
    assert result.errors == [RowError(1, "The file has no header row")]
    assert not result.is_valid and result.rows == 0


def test_a_file_with_only_a_header_has_no_people() -> None:
    result = plan_workforce([COLUMNS, [None] * len(COLUMNS)], **Q1)
    assert result.errors == [RowError(2, "The file has no people in it")]
    assert not result.is_valid


def test_missing_required_columns_are_named() -> None:
    header = [c for c in COLUMNS if c not in ("Worker reference", "Age band")]
    result = plan_workforce([header, ["x"] * len(header)], **Q1)
    assert result.errors == [
        RowError(
            1,
            "The header row is missing: Worker reference, Age band. "
            "Download the template to see the columns",
        )
    ]


def test_a_period_that_ends_before_it_starts_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        plan_workforce(
            [COLUMNS, row()], period_starts_on=date(2025, 4, 2), period_ends_on=date(2025, 4, 1)
        )


# -- each column -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        (None, "Enter the worker reference"),
        ("   ", "Enter the worker reference"),
        ("W" * 51, "Worker reference must be 50 characters or fewer"),
        (
            "John Smith",
            "Worker reference must be your own reference for the person, not their name",
        ),
        ("smith, j", "Worker reference must be your own reference for the person, not their name"),
        (
            "Mary-Ann O'Neil",
            "Worker reference must be your own reference for the person, not their name",
        ),
        (
            "Zoë Brontë",
            "Worker reference must be your own reference for the person, not their name",
        ),
        (
            "W 123",
            "Worker reference must only include letters, numbers, hyphens (-), underscores (_) "
            "and slashes (/)",
        ),
        (
            "W123!",
            "Worker reference must only include letters, numbers, hyphens (-), underscores (_) "
            "and slashes (/)",
        ),
    ],
)
def test_worker_reference(reference: Any, message: str) -> None:
    assert messages(Worker_reference=reference) == [message]


@pytest.mark.parametrize("reference", ["W" * 50, "GW-2047", "abc_12/3", "Smith"])
def test_good_worker_references(reference: str) -> None:
    assert messages(Worker_reference=reference) == []


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        (None, "Enter the home postcode"),
        ("M4", "Enter a real UK postcode, like M4 5AB"),
        ("not a postcode", "Enter a real UK postcode, like M4 5AB"),
        (12345, "Enter a real UK postcode, like M4 5AB"),
    ],
)
def test_home_postcode(postcode: Any, message: str) -> None:
    assert messages(Home_postcode=postcode) == [message]


@pytest.mark.parametrize(
    ("text", "band"),
    [
        ("16-17", AgeBand.UNDER_18),
        ("16 to 17", AgeBand.UNDER_18),
        ("18 – 24", AgeBand.AGE_18_24),
        ("25-34", AgeBand.AGE_25_34),
        ("35 TO 49", AgeBand.AGE_35_49),
        ("50 - 64", AgeBand.AGE_50_64),
        ("65+", AgeBand.AGE_65_PLUS),
        ("65 +", AgeBand.AGE_65_PLUS),
        ("65 and over", AgeBand.AGE_65_PLUS),
        ("65 And Over", AgeBand.AGE_65_PLUS),
    ],
)
def test_age_band_choices(text: str, band: AgeBand) -> None:
    errors: list[str] = []
    record = parse_record(values(Age_band=text), errors)
    assert errors == [] and record is not None and record.age_band is band


def test_every_age_band_accepts_its_value_and_label() -> None:
    for band in AgeBand:
        assert band.value in AGE_BAND_CHOICES[band] and band.label in AGE_BAND_CHOICES[band]


@pytest.mark.parametrize(
    ("text", "message"), [(None, "Enter the age band"), ("40", None), ("16-64", None)]
)
def test_age_band_errors(text: Any, message: str | None) -> None:
    expected = message or (
        "Age band must be one of 16 to 17, 18 to 24, 25 to 34, 35 to 49, 50 to 64, 65 and over"
    )
    assert messages(Age_band=text) == [expected]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"Start_date": None}, ["Enter the start date"]),
        ({"Start_date": "31/02/2025"}, ["Start date must be a real date, like 01/04/2025"]),
        ({"Start_date": "April 2025"}, ["Start date must be a real date, like 01/04/2025"]),
        ({"End_date": "2025-13-01"}, ["End date must be a real date, like 01/04/2025"]),
        (
            {"Start_date": "10/04/2025", "End_date": "09/04/2025"},
            ["End date must be the same as or after the start date"],
        ),
    ],
)
def test_dates(changes: dict[str, Any], expected: list[str]) -> None:
    assert messages(**changes) == expected


def test_an_end_date_on_the_start_date_is_fine() -> None:
    assert messages(Start_date="10/04/2025", End_date="10/04/2025") == []


@pytest.mark.parametrize(
    ("start", "end", "inside"),
    [
        ("01/01/2024", "31/03/2025", False),  # ended the day before the period starts
        ("01/01/2024", "01/04/2025", True),  # ended on the period's first day
        ("30/06/2025", None, True),  # started on the period's last day
        ("01/07/2025", None, False),  # started the day after the period ends
        ("01/01/2020", None, True),  # retained from long before, still working
    ],
)
def test_the_person_must_have_worked_during_the_period(
    start: str, end: str | None, inside: bool
) -> None:
    assert messages(Start_date=start, End_date=end) == ([] if inside else [OUTSIDE_Q1])


def test_the_period_message_names_the_period_in_long_dates() -> None:
    assert long_date(date(2026, 1, 9)) == "9 January 2026"
    assert period_error(date(2026, 4, 1), None, date(2025, 10, 1), date(2025, 12, 31)) == (
        "The person must have worked on the contract during this quarter "
        "(1 October 2025 to 31 December 2025)"
    )


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        (None, "Enter the weekly hours"),
        ("lots", "Weekly hours must be a number, like 37.5"),
        ("NaN", "Weekly hours must be a number, like 37.5"),
        ("0", "Weekly hours must be between 0 and 60"),
        (-5, "Weekly hours must be between 0 and 60"),
        ("60.5", "Weekly hours must be between 0 and 60"),
    ],
)
def test_weekly_hours(hours: Any, message: str) -> None:
    assert messages(Weekly_hours=hours) == [message]


@pytest.mark.parametrize(("hours", "stored"), [("60", Decimal(60)), ("0.5", Decimal("0.5"))])
def test_weekly_hours_at_the_edges(hours: str, stored: Decimal) -> None:
    assert plan(row(Weekly_hours=hours)).records[0].weekly_hours == stored


SHARE_RANGE = (
    "Share of time on this contract must be a percentage from 1 to 100, like 50 for half their time"
)


@pytest.mark.parametrize(
    ("share", "message"),
    [
        (None, "Enter the share of time on this contract"),
        ("%", "Enter the share of time on this contract"),
        ("half", "Share of time on this contract must be a percentage, like 50"),
        ("0", SHARE_RANGE),
        ("0%", SHARE_RANGE),
        ("100.1", SHARE_RANGE),
        ("-50%", SHARE_RANGE),
        ("0.5", SHARE_RANGE),  # Excel reads a cell shown as 50% as 0.5: refuse, do not guess
    ],
)
def test_share_of_time(share: Any, message: str) -> None:
    assert messages(Share=share) == [message]


@pytest.mark.parametrize(
    ("share", "stored"),
    [
        ("50%", Decimal("0.5")),
        ("50 %", Decimal("0.5")),
        (50, Decimal("0.5")),
        ("100", Decimal(1)),
        (1, Decimal("0.01")),
    ],
)
def test_share_of_time_is_a_percentage(share: Any, stored: Decimal) -> None:
    assert plan(row(Share=share)).records[0].share_on_contract == stored


@pytest.mark.parametrize(
    ("text", "is_new"),
    [
        ("new hire", True),
        ("New Hire", True),
        ("new-hire", True),
        ("NEW", True),
        ("yes", True),
        ("Retained", False),
        ("no", False),
    ],
)
def test_new_hire_or_retained(text: str, is_new: bool) -> None:
    assert plan(row(New_hire_or_retained=text)).records[0].is_new_hire is is_new


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "Enter whether the person is a new hire or retained"),
        ("maybe", "New hire or retained must be 'new hire' or 'retained'"),
    ],
)
def test_new_hire_or_retained_errors(text: Any, message: str) -> None:
    assert messages(New_hire_or_retained=text) == [message]


@pytest.mark.parametrize(
    ("level", "standard", "expected"),
    [
        ("1", "Cleaner", ["Apprenticeship level must be a whole number from 2 to 7"]),
        ("8", "Cleaner", ["Apprenticeship level must be a whole number from 2 to 7"]),
        ("3.5", "Cleaner", ["Apprenticeship level must be a whole number from 2 to 7"]),
        ("three", None, ["Apprenticeship level must be a whole number from 2 to 7"]),
        (
            "3",
            None,
            ["Enter the apprenticeship standard, like Hospitality team member"],
        ),
        (None, "Hospitality team member", ["Enter the apprenticeship level for this standard"]),
        ("2", "x" * 201, ["Apprenticeship standard must be 200 characters or fewer"]),
    ],
)
def test_apprenticeship(level: Any, standard: Any, expected: list[str]) -> None:
    assert messages(Apprenticeship_level=level, Apprenticeship_standard=standard) == expected


@pytest.mark.parametrize(("level", "stored"), [("2", 2), (7, 7), ("Level 4", 4), (5.0, 5)])
def test_good_apprenticeship_levels(level: Any, stored: int) -> None:
    result = plan(row(Apprenticeship_level=level, Apprenticeship_standard="Chef de partie"))
    assert result.errors == []
    assert result.records[0].apprenticeship_level == stored
    assert result.records[0].apprenticeship_standard == "Chef de partie"


def test_every_problem_in_a_row_is_reported_in_column_order() -> None:
    assert messages(
        Worker_reference=None,
        Home_postcode="nope",
        Age_band=None,
        Start_date=None,
        Weekly_hours=None,
        Share=None,
        New_hire_or_retained=None,
    ) == [
        "Enter the worker reference",
        "Enter a real UK postcode, like M4 5AB",
        "Enter the age band",
        "Enter the start date",
        "Enter the weekly hours",
        "Enter the share of time on this contract",
        "Enter whether the person is a new hire or retained",
    ]


# -- duplicates --------------------------------------------------------------------------------


def test_the_same_reference_and_start_date_twice_is_reported_on_the_later_row() -> None:
    filler = [row(Worker_reference=f"F{n}") for n in range(5)]
    result = plan(
        row(Worker_reference="X1"),
        row(Worker_reference="W123", Start_date="07/04/2025"),  # row 3
        *filler,  # rows 4-8
        row(Worker_reference="w123", Start_date=date(2025, 4, 7), Weekly_hours="10"),  # row 9
        row(Worker_reference="W123", Start_date="2025-04-07"),  # row 10
    )
    assert result.errors == [
        RowError(
            9,
            "Worker reference w123 appears more than once with the same start date (rows 3 and 9)",
        ),
        RowError(
            10,
            "Worker reference W123 appears more than once with the same start date (rows 3 and 10)",
        ),
    ]
    assert len(result.records) == 7  # the first W123 stays; the caller saves nothing anyway


def test_the_same_reference_with_another_start_date_is_fine() -> None:
    result = plan(
        row(),
        row(
            Start_date="01/05/2025",
            Apprenticeship_level="2",
            Apprenticeship_standard="Hospitality team member",
        ),
    )
    assert result.errors == [] and len(result.records) == 2


def test_a_duplicate_is_found_even_when_the_first_row_has_other_errors() -> None:
    result = plan(row(Weekly_hours="99"), row())
    assert [error.row for error in result.errors] == [2, 3]
    assert "rows 2 and 3" in result.errors[1].message


# -- parse_record on its own (the single-record web form) ----------------------------------------


def test_parse_record_takes_cells_by_name_and_treats_absent_names_as_empty() -> None:
    errors: list[str] = []
    record = parse_record({"Worker reference": "W1"}, errors)
    assert record is None
    assert errors[0] == "Enter the home postcode"
    assert "Enter the weekly hours" in errors


def test_parse_record_checks_the_period_when_given_one() -> None:
    errors: list[str] = []
    assert parse_record(values(Start_date="01/07/2025"), errors) is not None and errors == []
    assert parse_record(values(Start_date="01/07/2025"), errors, **Q1) is None
    assert errors == [OUTSIDE_Q1]
    with pytest.raises(ValueError):
        parse_record(values(), [], period_starts_on=date(2025, 4, 1))


# -- properties and speed ----------------------------------------------------------------------

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
postcodes = st.builds(
    lambda area, district, extra, space, sector, unit, lower: (
        (f"{area}{district}{extra}{space}{sector}{unit}").lower()
        if lower
        else f"{area}{district}{extra}{space}{sector}{unit}"
    ),
    st.text(_LETTERS, min_size=1, max_size=2),
    st.integers(0, 9),
    st.sampled_from(["", "0", "9", "A", "W"]),
    st.sampled_from(["", " ", "  "]),
    st.integers(0, 9),
    st.text(_LETTERS, min_size=2, max_size=2),
    st.booleans(),
)
shares = st.decimals(
    min_value=Decimal(1), max_value=Decimal(100), places=2, allow_nan=False
).flatmap(lambda d: st.sampled_from([str(d), f"{d}%", f"{d} %", float(d)]))
hours = st.decimals(min_value=Decimal("0.25"), max_value=Decimal(60), places=2).map(str)
apprenticeships = st.one_of(
    st.just((None, None)),
    st.tuples(st.integers(2, 7), st.sampled_from(["Chef de partie", "Hospitality team member"])),
)


@given(
    reference=st.from_regex(r"[A-Za-z0-9_/-]{1,50}", fullmatch=True),
    postcode=postcodes,
    age_band=st.sampled_from([text for texts in AGE_BAND_CHOICES.values() for text in texts]),
    starts_on=st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
    days=st.none() | st.integers(0, 5000),
    weekly_hours=hours,
    share=shares,
    new_hire=st.sampled_from(["new hire", "New", "YES", "retained", "No"]),
    apprenticeship=apprenticeships,
)
def test_any_valid_row_keeps_only_the_sector_and_a_share_up_to_one(
    reference: str,
    postcode: str,
    age_band: str,
    starts_on: date,
    days: int | None,
    weekly_hours: str,
    share: Any,
    new_hire: str,
    apprenticeship: tuple[int | None, str | None],
) -> None:
    errors: list[str] = []
    record = parse_record(
        {
            "Worker reference": reference,
            "Home postcode": postcode,
            "Age band": age_band,
            "Start date": starts_on.strftime("%d/%m/%Y"),
            "End date": None if days is None else (starts_on + timedelta(days=days)).isoformat(),
            "Weekly hours": weekly_hours,
            "Share of time on this contract (%)": share,
            "New hire or retained": new_hire,
            "Apprenticeship level": apprenticeship[0],
            "Apprenticeship standard": apprenticeship[1],
        },
        errors,
    )
    assert errors == [] and record is not None
    assert record.postcode_sector == sector_of(postcode)
    assert 0 < record.share_on_contract <= 1
    assert record.worker_reference == reference and record.starts_on == starts_on


def test_five_thousand_rows_plan_quickly() -> None:
    bands = [band.label for band in AgeBand]
    table: list[list[Any]] = [list(COLUMNS)]
    for n in range(5000):
        apprentice = n % 10 == 0
        table.append(
            [
                f"W{n:05d}",
                f"M{n % 40 + 1} {n % 10}{_LETTERS[n % 26]}{_LETTERS[n // 26 % 26]}",
                bands[n % len(bands)],
                datetime(2024, 1, 1) + timedelta(days=n % 500) if n % 2 else "01/04/2025",
                None if n % 3 else "30/06/2025",
                str(10 + n % 30),
                f"{n % 100 + 1}%",
                "new hire" if n % 4 else "retained",
                "3" if apprentice else None,
                "Hospitality supervisor" if apprentice else None,
            ]
        )
    started = time.perf_counter()
    result = plan_workforce(table, **Q1)
    elapsed = time.perf_counter() - started
    assert result.errors == [] and len(result.records) == 5000 and result.is_valid
    assert elapsed < 2, f"5,000 rows took {elapsed:.3f}s"


# -- fair work: pay, contract type, guaranteed hours (design brief section 5a) -------------------


def one_record(**changes: Any) -> WorkforceRecord:
    result = plan(row(**changes))
    assert result.errors == [], result.errors
    [record] = result.records
    return record


def test_fair_work_cells_are_optional_and_empty_by_default() -> None:
    record = one_record()
    assert (record.hourly_pay, record.contract_type, record.guaranteed_hours) == (None,) * 3


def test_a_file_made_before_fair_work_is_still_accepted() -> None:
    old_columns = [c for c in COLUMNS if c not in FAIR_WORK_COLUMNS]
    old_row = [values()[c] for c in old_columns]
    result = plan(old_row, header=old_columns)
    assert result.errors == [] and len(result.records) == 1


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("£12.60", "12.60"),
        ("12.6", "12.60"),
        ("12.60", "12.60"),
        (" £ 13.45 ", "13.45"),
        ("GBP 13.45", "13.45"),
        ("12.600", "12.60"),
        (13, "13.00"),  # a whole number in a spreadsheet cell
        (12.6, "12.60"),  # an Excel currency cell: a number with a £ format
        (0.1 * 126, "12.60"),  # a formula's 12.600000000000001
        ("1.00", "1.00"),
        ("500", "500.00"),
    ],
)
def test_hourly_pay_is_read_in_pounds_and_pence(typed: Any, expected: str) -> None:
    pay = one_record(Pay=typed).hourly_pay
    assert pay == Decimal(expected) and str(pay) == expected


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("twelve pounds", "pay_invalid"),
        ("12,60", "pay_invalid"),
        ("nan", "pay_invalid"),
        (float("inf"), "pay_invalid"),
        (True, "pay_invalid"),
        ("£12.605", "pay_pence"),
        (12.6049, "pay_pence"),
        ("0.99", "pay_range"),
        ("-12.60", "pay_range"),
        ("500.01", "pay_range"),
        ("1260", "pay_range"),  # pence typed as pounds
    ],
)
def test_a_bad_hourly_pay_says_what_is_wrong(typed: Any, key: str) -> None:
    assert messages(Pay=typed) == [MESSAGES[key]]


def test_the_pay_range_is_said_in_pounds_and_pence() -> None:
    assert MESSAGES["pay_range"] == "Basic hourly pay must be between £1.00 and £500.00"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("permanent", ContractType.PERMANENT),
        ("Permanent", ContractType.PERMANENT),
        ("Fixed-term", ContractType.FIXED_TERM),
        ("fixed term", ContractType.FIXED_TERM),
        ("Temporary or agency", ContractType.TEMPORARY_OR_AGENCY),
        ("Agency", ContractType.TEMPORARY_OR_AGENCY),
        ("ZERO HOURS", ContractType.ZERO_HOURS),
        ("zero–hours", ContractType.ZERO_HOURS),  # an en dash, as Word and Excel type it
        ("casual", ContractType.CASUAL),
        ("Self employed", ContractType.SELF_EMPLOYED),
    ],
)
def test_contract_types_are_read_in_any_usual_spelling(typed: str, expected: ContractType) -> None:
    assert one_record(Contract_type=typed, Guaranteed_weekly_hours="0").contract_type is expected


def test_an_unknown_contract_type_lists_the_six() -> None:
    assert messages(Contract_type="full time") == [
        "Contract type must be one of permanent, fixed-term, temporary or agency, zero-hours, "
        "casual, self-employed"
    ]


@pytest.mark.parametrize(("typed", "expected"), [("0", "0"), ("16", "16"), (37.5, "37.5")])
def test_guaranteed_hours_may_be_zero(typed: Any, expected: str) -> None:
    assert one_record(Guaranteed_weekly_hours=typed).guaranteed_hours == Decimal(expected)


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"Guaranteed_weekly_hours": "sixteen"}, "guaranteed_invalid"),
        ({"Guaranteed_weekly_hours": "-1"}, "guaranteed_range"),
        ({"Guaranteed_weekly_hours": "61"}, "guaranteed_range"),
        ({"Guaranteed_weekly_hours": "40"}, "guaranteed_above_hours"),  # weekly hours 37.5
        ({"Guaranteed_weekly_hours": "10", "Contract_type": "zero-hours"}, "guaranteed_zero_hours"),
    ],
)
def test_bad_guaranteed_hours_say_what_is_wrong(changes: dict[str, Any], key: str) -> None:
    assert messages(**changes) == [MESSAGES[key]]


def test_every_fair_work_problem_in_a_row_is_reported_in_column_order() -> None:
    assert messages(Pay="lots", Contract_type="gig", Guaranteed_weekly_hours="many") == [
        MESSAGES["pay_invalid"],
        MESSAGES["contract_type_invalid"],
        MESSAGES["guaranteed_invalid"],
    ]


def test_when_fair_work_is_required_every_row_gives_the_three() -> None:
    result = plan_workforce(
        [list(COLUMNS), row(), row(Worker_reference="W2", Pay="12.60")],
        **Q1,
        require_fair_work=True,
    )
    assert result.errors == [
        RowError(2, MESSAGES["pay_missing"]),
        RowError(2, MESSAGES["contract_type_missing"]),
        RowError(2, MESSAGES["guaranteed_missing"]),
        RowError(3, MESSAGES["contract_type_missing"]),
        RowError(3, MESSAGES["guaranteed_missing"]),
    ]
    complete = row(Pay="12.60", Contract_type="Permanent", Guaranteed_weekly_hours="37.5")
    assert plan_workforce([list(COLUMNS), complete], **Q1, require_fair_work=True).is_valid


def test_when_fair_work_is_required_a_file_without_the_columns_is_refused() -> None:
    old_columns = [c for c in COLUMNS if c not in FAIR_WORK_COLUMNS]
    result = plan_workforce(
        [old_columns, [values()[c] for c in old_columns]], **Q1, require_fair_work=True
    )
    assert result.errors == [
        RowError(
            1,
            "The header row is missing: Basic hourly pay (£), Contract type, Guaranteed weekly "
            "hours. Download the template to see the columns",
        )
    ]


def test_the_form_s_cells_follow_the_same_rule() -> None:
    errors: list[str] = []
    assert parse_record(values(), errors, require_fair_work=True) is None
    assert errors == [
        MESSAGES["pay_missing"],
        MESSAGES["contract_type_missing"],
        MESSAGES["guaranteed_missing"],
    ]


def test_a_pay_header_without_the_pound_sign_is_recognised() -> None:
    header = ["Basic hourly pay" if c == "Basic hourly pay (£)" else c for c in COLUMNS]
    [record] = plan(row(Pay="12.60"), header=header).records
    assert record.hourly_pay == Decimal("12.60")
