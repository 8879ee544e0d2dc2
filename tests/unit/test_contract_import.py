from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from portal.domain.contract_import import COLUMNS, Lookups, plan_import, references_in

LOOKUPS = Lookups(
    suppliers={"acme ltd": 7},
    managers={"cm@council.example": 3},
    measures={
        "LOCAL_HIRES": (11, False),
        "OLD_MEASURE": (12, True),
        "APPRENTICE_STARTS": (13, False),
    },
    local_areas={"city centre": 5},
    existing_references={"taken-1"},
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
            "Supplier 'Who Ltd' is not in the portal: check the spelling or add the supplier first",
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
