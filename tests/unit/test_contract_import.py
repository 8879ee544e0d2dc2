from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from portal.domain.contract_import import COLUMNS, Lookups, plan_import, references_in
from portal.domain.measures import MeasureKind, MeasureUnit

TOTAL, LEVEL = MeasureKind.CUMULATIVE, MeasureKind.LEVEL
LOOKUPS = Lookups(
    suppliers={"acme ltd": 7},
    managers={"cm@council.example": 3},
    measures={
        "LOCAL_HIRES": (11, False, TOTAL),
        "OLD_MEASURE": (12, True, TOTAL),
        "APPRENTICE_STARTS": (13, False, TOTAL),
        "LOCAL_FTE": (14, False, LEVEL),
    },
    local_areas={"city centre": 5},
    existing_references={"taken-1"},
    councils={"northmoor city council"},
)


def row(**changes: object) -> list[object]:
    values = {
        "Contract reference": "C-1",
        "Title": "Cleaning",
        "Supplier": "ACME Ltd",
        "Contract manager email": "CM@council.example",
        "Value (£)": "£6,000,000",
        "Start date": "01/04/2025",
        "End date": "2028-03-31",
        "Reporting starts": None,
        "KPI contract": None,
        "Local area": None,
        "Measure code": "local_hires",
        "Target": "12",
        "Note": None,
        "New supplier postcode": None,
        "SME": None,
        "VCSE": None,
        "Profile": None,
    }
    values.update({key.replace("_", " "): value for key, value in changes.items()})
    return [values[column] for column in COLUMNS]


def test_a_good_row_becomes_a_contract_with_a_commitment() -> None:
    plan = plan_import([COLUMNS, row()], LOOKUPS)
    assert plan.errors == [] and plan.is_valid
    [contract] = plan.contracts
    assert (contract.supplier_id, contract.manager_id, contract.value) == (7, 3, Decimal(6000000))
    assert contract.start_on == date(2025, 4, 1) and contract.end_on == date(2028, 3, 31)
    assert contract.is_kpi_contract  # blank: decided from the value, over £5m
    assert [(c.measure_id, c.target) for c in contract.commitments] == [(11, Decimal(12))]


def test_rows_of_the_same_contract_group_together() -> None:
    table = [COLUMNS, row(), row(**{"Measure_code": "APPRENTICE_STARTS", "Target": "3"})]
    plan = plan_import(table, LOOKUPS)
    assert len(plan.contracts) == 1 and plan.commitment_count == 2 and plan.rows == 2


def test_spreadsheet_cells_arrive_as_dates_and_numbers() -> None:
    table = [COLUMNS, row(Start_date=datetime(2025, 4, 1), End_date=date(2026, 3, 31), Target=5)]
    plan = plan_import(table, LOOKUPS)
    assert plan.errors == []
    assert plan.contracts[0].end_on == date(2026, 3, 31)


def test_each_problem_is_reported_against_its_row() -> None:
    table = [
        COLUMNS,
        row(),  # row 2: fine
        row(Contract_reference="C-2", Measure_code="NOPE"),
        row(Contract_reference="C-3", Start_date="32/01/2025"),
        row(Contract_reference="C-4", End_date="01/01/2020"),
        row(Contract_reference="taken-1"),
        row(Contract_reference="C-6", Supplier="Who Ltd"),
        row(Contract_reference="C-7", Measure_code="OLD_MEASURE"),
        row(Contract_reference="C-8", Target="-1"),
        row(Contract_reference="C-9", KPI_contract="maybe"),
        row(Contract_reference="C-10", Local_area="Moon"),
        row(Contract_reference="C-11", **{"Value (£)": "1.005"}),
        row(),  # row 13: same measure twice for C-1
    ]
    plan = plan_import(table, LOOKUPS)
    assert [(error.row, error.message) for error in plan.errors] == [
        (3, "Measure code NOPE is not in the catalogue"),
        (4, "Start date must be a real date, like 01/04/2025"),
        (5, "End date must be the same as or after the start date"),
        (6, "Contract reference taken-1 already exists"),
        (
            7,
            "Supplier 'Who Ltd' is not in the portal: check the spelling, or give its New "
            "supplier postcode to add it",
        ),
        (8, "Measure OLD_MEASURE is retired and cannot be committed to"),
        (9, "Target must be more than 0"),
        (10, "KPI contract must be yes, no or empty"),
        (11, "Local area 'Moon' does not exist"),
        (12, "Value must have no more than 2 decimal places"),
        (13, "LOCAL_HIRES appears more than once for C-1"),
    ]
    assert not plan.is_valid


def test_missing_cells_say_what_to_enter() -> None:
    empty = [None] * len(COLUMNS)
    empty[COLUMNS.index("Measure code")] = "LOCAL_HIRES"
    plan = plan_import([COLUMNS, empty], LOOKUPS)
    messages = {error.message for error in plan.errors}
    assert {
        "Enter the contract reference",
        "Enter the contract title",
        "Enter the supplier",
        "Enter the start date",
        "Enter the target for LOCAL_HIRES",
    } <= messages


def test_a_share_cannot_be_promised_above_100_percent() -> None:
    lookups = Lookups(
        **(
            vars(LOOKUPS)
            | {
                "measures": LOOKUPS.measures | {"LIVING_WAGE": (15, False, LEVEL)},
                "most": {"LIVING_WAGE": (Decimal(100), MeasureUnit.PERCENT)},
            }
        )
    )
    over = plan_import([COLUMNS, row(Measure_code="living_wage", Target="100.01")], lookups)
    assert [e.message for e in over.errors] == ["Target for LIVING_WAGE must be 100% or less"]
    ok = plan_import([COLUMNS, row(Measure_code="LIVING_WAGE", Target="100")], lookups)
    assert ok.is_valid and ok.contracts[0].commitments[0].target == Decimal(100)


def test_a_contract_without_commitments_is_allowed() -> None:
    plan = plan_import([COLUMNS, row(Measure_code=None, Target=None)], LOOKUPS)
    assert plan.is_valid and plan.contracts[0].commitments == []


def test_an_empty_file_or_wrong_header_is_refused() -> None:
    assert plan_import([], LOOKUPS).errors[0].message == "The file has no header row"
    assert "missing" in plan_import([["Reference"]], LOOKUPS).errors[0].message
    assert plan_import([COLUMNS], LOOKUPS).errors[0].message == "The file has no contracts in it"


def test_columns_are_found_by_name_in_any_order_and_case() -> None:
    shuffled = list(reversed(COLUMNS))
    table = [[name.upper() for name in shuffled], list(reversed(row()))]
    assert plan_import(table, LOOKUPS).is_valid


def test_references_in_finds_the_column() -> None:
    assert references_in([COLUMNS, row(), row(Contract_reference="C-2")]) == ["C-1", "C-2"]


def test_a_contract_entered_part_way_through_names_the_day_reporting_starts() -> None:
    plan = plan_import([COLUMNS, row(Reporting_starts="01/10/2026")], LOOKUPS)
    assert plan.errors == []
    assert plan.contracts[0].reporting_starts_on == date(2026, 10, 1)
    assert plan_import([COLUMNS, row()], LOOKUPS).contracts[0].reporting_starts_on is None


def test_reporting_must_start_within_the_contract() -> None:
    for outside in ("31/03/2025", "01/04/2028"):
        plan = plan_import([COLUMNS, row(Reporting_starts=outside)], LOOKUPS)
        assert [e.message for e in plan.errors] == [
            "Reporting starts must be between the contract's start and end dates"
        ]
    plan = plan_import([COLUMNS, row(Reporting_starts="next year")], LOOKUPS)
    assert [e.message for e in plan.errors] == [
        "Reporting starts must be a real date, like 01/04/2025"
    ]


def test_the_reporting_start_column_is_optional() -> None:
    columns = [c for c in COLUMNS if c != "Reporting starts"]
    cells = row()
    del cells[COLUMNS.index("Reporting starts")]
    assert plan_import([columns, cells], LOOKUPS).errors == []


# New suppliers


def new_supplier_row(**changes: object) -> list[object]:
    details: dict[str, object] = {
        "Supplier": "Greenway Ltd",
        "New_supplier_postcode": "m4 5ab",
        "SME": "yes",
        "VCSE": None,
    }
    return row(**{**details, **changes})


def test_a_supplier_with_a_postcode_is_added_once_however_many_rows_name_it() -> None:
    table = [
        COLUMNS,
        # A row may name the new supplier before the row that gives its details.
        row(Contract_reference="C-0", Supplier="GREENWAY LTD"),
        new_supplier_row(),
        new_supplier_row(Measure_code="APPRENTICE_STARTS", Target="3"),
        new_supplier_row(Contract_reference="C-2"),
        row(Contract_reference="C-3"),  # an existing supplier, as before
    ]
    plan = plan_import(table, LOOKUPS)
    assert plan.errors == [] and plan.is_valid
    [greenway] = plan.new_suppliers
    assert (greenway.name, greenway.postcode, greenway.is_sme, greenway.is_vcse) == (
        "Greenway Ltd",
        "M4 5AB",
        True,
        False,
    )
    by_reference = {c.reference: c for c in plan.contracts}
    assert [by_reference[r].new_supplier for r in ("C-0", "C-1", "C-2")] == [greenway] * 3
    assert by_reference["C-1"].supplier_id is None and by_reference["C-3"].supplier_id == 7
    assert by_reference["C-1"].supplier_name == "Greenway Ltd"
    assert by_reference["C-3"].new_supplier is None


def test_what_is_wrong_with_a_new_supplier_is_said_against_its_row() -> None:
    table = [
        COLUMNS,
        new_supplier_row(),
        new_supplier_row(Contract_reference="C-2", New_supplier_postcode="M1 1AA"),
        new_supplier_row(
            Contract_reference="C-3", Supplier="Bad Postcode Ltd", **{"New_supplier_postcode": "M1"}
        ),
        new_supplier_row(Contract_reference="C-4", Supplier="Unsure Ltd", SME="maybe"),
        new_supplier_row(Contract_reference="C-5", Supplier="ACME Ltd"),
        row(Contract_reference="C-6", Supplier="No Postcode Ltd", VCSE="yes"),
        row(Contract_reference="C-7", Supplier="Misspelt Ltd"),
        row(Contract_reference="C-8", Supplier="Bad Postcode Ltd"),  # its details failed above
        new_supplier_row(Contract_reference="C-9", Supplier="Northmoor City Council"),
    ]
    plan = plan_import(table, LOOKUPS)
    assert [(error.row, error.message) for error in plan.errors] == [
        (3, "Row 3 has different postcode, SME or VCSE for new supplier Greenway Ltd than row 2"),
        (4, "New supplier postcode must be a real UK postcode, like M4 5AB"),
        (5, "SME must be yes, no or empty"),
        (
            6,
            "Supplier 'ACME Ltd' is already in the portal: leave New supplier postcode, SME and "
            "VCSE empty",
        ),
        (7, "Enter the postcode of new supplier No Postcode Ltd in New supplier postcode"),
        (
            8,
            "Supplier 'Misspelt Ltd' is not in the portal: check the spelling, or give its New "
            "supplier postcode to add it",
        ),
        (10, "Northmoor City Council is a council, so it cannot be a new supplier"),
    ]


def test_the_new_supplier_columns_are_optional() -> None:
    dropped = {"New supplier postcode", "SME", "VCSE", "Profile"}
    columns = [c for c in COLUMNS if c not in dropped]
    cells = [value for column, value in zip(COLUMNS, row(), strict=True) if column not in dropped]
    assert plan_import([columns, cells], LOOKUPS).is_valid


# Quarterly profiles

ONE_YEAR = {"Start_date": "01/04/2025", "End_date": "31/03/2026"}  # Q1 to Q4 2025/26


def profiled(profile: str, **changes: object) -> list[object]:
    return row(**ONE_YEAR, Profile=profile, **changes)


def test_a_profile_gives_every_quarter_its_figure() -> None:
    plan = plan_import(
        [COLUMNS, profiled("Q1 2025/26=0; Q2 2025/26 = 2;q3 2025/26: 4\nQ4 2025/26=6")], LOOKUPS
    )
    assert plan.errors == []
    [commitment] = plan.contracts[0].commitments
    assert commitment.profile == {
        (2025, 1): Decimal(0),
        (2025, 2): Decimal(2),
        (2025, 3): Decimal(4),
        (2025, 4): Decimal(6),
    }
    assert plan.profile_count == 1
    assert plan_import([COLUMNS, profiled("")], LOOKUPS).contracts[0].commitments[0].profile is None


def test_a_profile_follows_the_profile_forms_rules() -> None:
    cases = {
        "Q1 2025/26=3; Q2 2025/26=3; Q3 2025/26=3; Q4 2025/26=4": [
            "Profile for LOCAL_HIRES: the quarters must add up to the target of 12; they add up "
            "to 13"
        ],
        "Q1 2025/26=3; Q2 2025/26=9": [
            "Profile for LOCAL_HIRES: enter a figure for Q3 2025/26 and Q4 2025/26"
        ],
        "Q1 2025/26=3; Q2 2025/26=x; Q3 2025/26=-1; Q4 2025/26=1.234": [
            "Profile for LOCAL_HIRES: Q2 2025/26 must be a number",
            "Profile for LOCAL_HIRES: Q3 2025/26 must be 0 or more",
            "Profile for LOCAL_HIRES: Q4 2025/26 must have no more than 2 decimal places",
        ],
        "Q1 2025/26=3; Q1 2025/26=3; Q4 2024/25=6; all the rest": [
            "Profile for LOCAL_HIRES: Q1 2025/26 is given more than once",
            "Profile for LOCAL_HIRES: Q4 2024/25 is not a quarter of the contract, which runs "
            "from Q1 2025/26 to Q4 2025/26",
            "Profile for LOCAL_HIRES: write each quarter like Q1 2025/26 = 3, not 'all the rest'",
        ],
    }
    for profile, messages in cases.items():
        plan = plan_import([COLUMNS, profiled(profile)], LOOKUPS)
        assert [error.message for error in plan.errors] == messages, profile
        assert not plan.is_valid


def test_a_level_is_held_each_quarter_so_its_profile_need_not_add_up() -> None:
    level = profiled(
        "Q1 2025/26=3; Q2 2025/26=4; Q3 2025/26=4; Q4 2025/26=5", Measure_code="LOCAL_FTE"
    )
    plan = plan_import([COLUMNS, level], LOOKUPS)
    assert plan.errors == [] and plan.profile_count == 1


def test_quarters_are_named_as_the_councils_financial_year_names_them() -> None:
    calendar_year = profiled("Q2 2025=3; Q3 2025=3; Q4 2025=3; Q1 2026=3")
    assert plan_import([COLUMNS, calendar_year], LOOKUPS, start_month=1).errors == []
    assert plan_import([COLUMNS, calendar_year], LOOKUPS).errors != []


def test_a_profile_needs_a_measure() -> None:
    plan = plan_import(
        [COLUMNS, profiled("Q1 2025/26=12", Measure_code=None, Target=None)], LOOKUPS
    )
    assert [e.message for e in plan.errors] == ["Enter the measure code for this profile"]


def test_another_councils_supplier_can_be_neither_named_nor_added() -> None:
    lookups = Lookups(**(vars(LOOKUPS) | {"others_suppliers": {"bolt ltd"}}))
    named = [COLUMNS, row(Supplier="Bolt Ltd")]
    added = [COLUMNS, row(Supplier="Bolt Ltd", New_supplier_postcode="M4 5AB")]
    told = "already in the portal as another council's supplier, so this council cannot add it "
    assert [(e.row, e.message) for e in plan_import(named, lookups).errors] == [
        (2, f"Supplier 'Bolt Ltd' is {told}or name it in a contract")
    ]
    assert [(e.row, e.message) for e in plan_import(added, lookups).errors] == [
        (2, f"Bolt Ltd is {told}or name it in a contract")
    ]
