"""Checking a spreadsheet of contracts and their commitments before anything is saved.

One row per commitment; the contract's columns repeat on each of its rows (a contract with no
commitments yet has one row with the measure columns empty). Every problem is reported with
its row number as the spreadsheet shows it (the header is row 1), and nothing is saved unless
there are none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from portal.domain.contracts import is_kpi_by_default

COLUMNS = [
    "Contract reference",
    "Title",
    "Supplier",
    "Contract manager email",
    "Value (£)",
    "Start date",
    "End date",
    "Reporting starts",
    "KPI contract",
    "Local area",
    "Measure code",
    "Target",
    "Note",
]
EXAMPLE_ROWS = [
    [
        "NCC-2025-101",
        "Grounds maintenance north",
        "Greenway Grounds Maintenance",
        "priya.shah@northmoor.example",
        "1250000",
        "01/04/2025",
        "31/03/2028",
        "",
        "",
        "",
        "LOCAL_HIRES",
        "12",
        "Hires from the north estates",
    ],
    [
        "NCC-2025-101",
        "Grounds maintenance north",
        "Greenway Grounds Maintenance",
        "priya.shah@northmoor.example",
        "1250000",
        "01/04/2025",
        "31/03/2028",
        "",
        "",
        "",
        "APPRENTICE_STARTS",
        "3",
        "",
    ],
]
CONTRACT_COLUMNS = COLUMNS[: COLUMNS.index("Measure code")]
OPTIONAL_COLUMNS = ("Reporting starts", "KPI contract", "Local area", "Note")
MAX_TEXT = {"Contract reference": 50, "Title": 300, "Note": 2000}


@dataclass(frozen=True)
class Lookups:
    """What the rows may refer to, keyed the way people type them (names without case)."""

    suppliers: dict[str, int]  # lower-case name -> organisation id
    managers: dict[str, int]  # lower-case email -> user id
    measures: dict[str, tuple[int, bool]]  # upper-case code -> (measure id, retired)
    local_areas: dict[str, int]  # lower-case name -> local area id
    existing_references: set[str]  # lower-case references the council already uses


@dataclass(frozen=True)
class CommitmentRow:
    measure_id: int
    target: Decimal
    note: str


@dataclass
class ContractRow:
    reference: str
    title: str
    supplier_id: int
    manager_id: int
    value: Decimal
    start_on: date
    end_on: date
    is_kpi_contract: bool
    local_area_id: int | None
    first_row: int
    reporting_starts_on: date | None = None
    commitments: list[CommitmentRow] = field(default_factory=list)


@dataclass(frozen=True)
class RowError:
    row: int
    message: str


@dataclass
class ImportPlan:
    contracts: list[ContractRow]
    errors: list[RowError]
    rows: int

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.contracts)

    @property
    def commitment_count(self) -> int:
        return sum(len(contract.commitments) for contract in self.contracts)


def references_in(table: list[list[Any]]) -> list[str]:
    """The contract references a file mentions, to look up only those."""
    if not table:
        return []
    index = _column_index(table[0]).get("Contract reference")
    if index is None:
        return []
    return [str(row[index]) for row in table[1:] if index < len(row) and row[index] is not None]


def _column_index(header: list[Any]) -> dict[str, int]:
    wanted = {column.lower(): column for column in COLUMNS}
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        column = wanted.get(str(name or "").strip().lower())
        if column is not None and column not in index:
            index[column] = position
    return index


def plan_import(table: list[list[Any]], lookups: Lookups) -> ImportPlan:
    if not table:
        return ImportPlan([], [RowError(1, "The file has no header row")], 0)
    index = _column_index(table[0])
    missing = [c for c in COLUMNS if c not in index and c not in OPTIONAL_COLUMNS]
    if missing:
        return ImportPlan(
            [],
            [
                RowError(
                    1,
                    f"The header row is missing: {', '.join(missing)}. "
                    "Download the template to see the columns",
                )
            ],
            0,
        )
    errors: list[RowError] = []
    contracts: dict[str, ContractRow] = {}
    signatures: dict[str, tuple[int, tuple[Any, ...]]] = {}
    data_rows = [
        (number, row)
        for number, row in enumerate(table[1:], start=2)
        if any(cell is not None for cell in row)
    ]
    if not data_rows:
        return ImportPlan([], [RowError(2, "The file has no contracts in it")], 0)
    for number, row in data_rows:
        cells = {column: (row[i] if i < len(row) else None) for column, i in index.items()}
        row_errors: list[str] = []
        contract = _contract_from(cells, lookups, row_errors, number)
        commitment = _commitment_from(cells, lookups, row_errors)
        errors.extend(RowError(number, message) for message in row_errors)
        if contract is None or row_errors:
            continue
        key = contract.reference.lower()
        signature = tuple(str(cells.get(column)) for column in CONTRACT_COLUMNS)
        if key not in contracts:
            contracts[key] = contract
            signatures[key] = (number, signature)
        elif signatures[key][1] != signature:
            first = signatures[key][0]
            errors.append(
                RowError(
                    number,
                    f"Row {number} has different contract details for "
                    f"{contract.reference} than row {first}",
                )
            )
            continue
        if commitment is not None:
            existing = contracts[key]
            if any(c.measure_id == commitment.measure_id for c in existing.commitments):
                code = str(cells["Measure code"]).upper()
                errors.append(
                    RowError(number, f"{code} appears more than once for {contract.reference}")
                )
                continue
            existing.commitments.append(commitment)
    return ImportPlan(list(contracts.values()), errors, len(data_rows))


def _contract_from(
    cells: dict[str, Any], lookups: Lookups, errors: list[str], number: int
) -> ContractRow | None:
    reference = _text(cells, "Contract reference", errors, "Enter the contract reference")
    title = _text(cells, "Title", errors, "Enter the contract title")
    supplier_name = _text(cells, "Supplier", errors, "Enter the supplier")
    manager_email = _text(
        cells, "Contract manager email", errors, "Enter the contract manager's email address"
    )
    value = _number(cells.get("Value (£)"), "Value", errors, minimum=Decimal(0))
    start_on = _date(cells.get("Start date"), "Start date", errors)
    end_on = _date(cells.get("End date"), "End date", errors)

    if reference and reference.lower() in lookups.existing_references:
        errors.append(f"Contract reference {reference} already exists")
    supplier_id = lookups.suppliers.get(supplier_name.lower()) if supplier_name else None
    if supplier_name and supplier_id is None:
        errors.append(
            f"Supplier {supplier_name!r} is not in the portal: check the spelling "
            "or add the supplier first"
        )
    manager_id = lookups.managers.get(manager_email.lower()) if manager_email else None
    if manager_email and manager_id is None:
        errors.append(f"{manager_email} is not a contract manager at this council")
    if start_on and end_on and end_on < start_on:
        errors.append("End date must be the same as or after the start date")
    reporting_starts_on = None
    if cells.get("Reporting starts") not in (None, ""):
        reporting_starts_on = _date(cells["Reporting starts"], "Reporting starts", errors)
    if reporting_starts_on and start_on and end_on and not (
        start_on <= reporting_starts_on <= end_on
    ):
        errors.append("Reporting starts must be between the contract's start and end dates")
    kpi = _kpi(cells.get("KPI contract"), value, errors)
    area_name = str(cells.get("Local area") or "").strip()
    local_area_id = lookups.local_areas.get(area_name.lower()) if area_name else None
    if area_name and local_area_id is None:
        errors.append(f"Local area {area_name!r} does not exist")
    if errors or None in (supplier_id, manager_id, value, start_on, end_on, kpi):
        return None
    assert supplier_id is not None and manager_id is not None and value is not None
    assert start_on is not None and end_on is not None and kpi is not None
    return ContractRow(
        reference,
        title,
        supplier_id,
        manager_id,
        value,
        start_on,
        end_on,
        kpi,
        local_area_id,
        number,
        reporting_starts_on,
    )


def _commitment_from(
    cells: dict[str, Any], lookups: Lookups, errors: list[str]
) -> CommitmentRow | None:
    code = str(cells.get("Measure code") or "").strip().upper()
    target_cell = cells.get("Target")
    if not code:
        if target_cell is not None:
            errors.append("Enter the measure code for this target")
        return None
    found = lookups.measures.get(code)
    if found is None:
        errors.append(f"Measure code {code} is not in the catalogue")
    elif found[1]:
        errors.append(f"Measure {code} is retired and cannot be committed to")
    if target_cell is None:
        errors.append(f"Enter the target for {code}")
        return None
    target = _number(target_cell, "Target", errors, minimum=Decimal("0.01"))
    note = str(cells.get("Note") or "")
    if len(note) > MAX_TEXT["Note"]:
        errors.append("Note must be 2000 characters or fewer")
    if found is None or found[1] or target is None:
        return None
    return CommitmentRow(found[0], target, note)


def _text(cells: dict[str, Any], column: str, errors: list[str], missing: str) -> str:
    value = cells.get(column)
    text = str(value).strip() if value is not None else ""
    if not text:
        errors.append(missing)
    elif len(text) > MAX_TEXT.get(column, 320):
        errors.append(f"{column} must be {MAX_TEXT.get(column, 320)} characters or fewer")
    return text


def _number(value: Any, name: str, errors: list[str], *, minimum: Decimal) -> Decimal | None:
    if value is None or value == "":
        errors.append(f"Enter the {name.lower()}")
        return None
    try:
        number = Decimal(str(value).replace("£", "").replace(",", "").strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        errors.append(f"{name} must be a number, like 1250000")
        return None
    if number < minimum:
        errors.append(f"{name} must be {'more than 0' if minimum > 0 else '0 or more'}")
        return None
    if number.as_tuple().exponent < -2:  # type: ignore[operator]
        errors.append(f"{name} must have no more than 2 decimal places")
        return None
    return number


DATE_FORMATS = (
    re.compile(r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})$"),  # 01/04/2025 (UK order)
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),  # 2025-04-01
)


def _date(value: Any, name: str, errors: list[str]) -> date | None:
    if value is None or value == "":
        errors.append(f"Enter the {name.lower()}")
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in DATE_FORMATS:
        match = pattern.match(text.split(" ")[0])
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                break
    errors.append(f"{name} must be a real date, like 01/04/2025")
    return None


def _kpi(value: Any, contract_value: Decimal | None, errors: list[str]) -> bool | None:
    text = str(value or "").strip().lower()
    if text in ("yes", "y", "true"):
        return True
    if text in ("no", "n", "false"):
        return False
    if text:
        errors.append("KPI contract must be yes, no or empty")
        return None
    return is_kpi_by_default(contract_value) if contract_value is not None else None
