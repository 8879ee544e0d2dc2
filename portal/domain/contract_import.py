"""Checking a spreadsheet of contracts and their commitments before anything is saved.

One row per commitment; the contract's columns repeat on each of its rows (a contract with no
commitments yet has one row with the measure columns empty). Every problem is reported with
its row number as the spreadsheet shows it (the header is row 1), and nothing is saved unless
there are none.

A supplier not yet in the portal is added when a row gives its postcode (with SME and VCSE if
known): the postcode says the name is meant to be new, not misspelt. It is added once however
many rows name it. A commitment may carry its quarterly profile in one cell, "Q1 2025/26 = 3;
Q2 2025/26 = 3; ...", checked by the same rules as the profile form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from portal.domain.contracts import is_kpi_by_default
from portal.domain.measures import MeasureKind, MeasureUnit
from portal.domain.periods import DEFAULT_START_MONTH, ReportingPeriod, reporting_periods
from portal.domain.postcodes import InvalidPostcode, normalise_postcode
from portal.domain.profiles import Plan, field_name, parse_plan
from portal.formatting import listing, quantity

COLUMNS = [
    "Contract reference",
    "Title",
    "Supplier",
    "New supplier postcode",
    "SME",
    "VCSE",
    "Contract manager email",
    "Value (£)",
    "Start date",
    "End date",
    "Reporting starts",
    "KPI contract",
    "Local area",
    "Measure code",
    "Target",
    "Profile",
    "Note",
]
_EXAMPLE_CONTRACT = [
    "NCC-2025-101",
    "Grounds maintenance north",
    "Greenway Grounds Maintenance",
    "M4 5AB",
    "yes",
    "no",
    "priya.shah@northmoor.example",
    "1250000",
    "01/04/2025",
    "31/03/2028",
    "",
    "",
    "",
]


def example_rows(start_month: int = DEFAULT_START_MONTH) -> list[list[str]]:
    """The template's example: a new supplier's contract with two commitments, the first with
    a profile (none in the first quarter, then one a quarter, the rest in the last) named as the
    council's financial year names its quarters."""
    periods = reporting_periods(date(2025, 4, 1), date(2028, 3, 31), start_month=start_month)
    figures = [0] + [1] * (len(periods) - 2) + [12 - (len(periods) - 2)]
    profile = "; ".join(f"{p.label}={figure}" for p, figure in zip(periods, figures, strict=True))
    return [
        [*_EXAMPLE_CONTRACT, "LOCAL_HIRES", "12", profile, "Hires from the north estates"],
        [*_EXAMPLE_CONTRACT, "APPRENTICE_STARTS", "3", "", ""],
    ]


NEW_SUPPLIER_COLUMNS = ("New supplier postcode", "SME", "VCSE")
# What must be the same on every row of one contract (a new supplier's details need giving once).
CONTRACT_COLUMNS = [
    column
    for column in COLUMNS[: COLUMNS.index("Measure code")]
    if column not in NEW_SUPPLIER_COLUMNS
]
OPTIONAL_COLUMNS = (
    "Reporting starts",
    "KPI contract",
    "Local area",
    "Note",
    "Profile",
    *NEW_SUPPLIER_COLUMNS,
)
MAX_TEXT = {"Contract reference": 50, "Title": 300, "Supplier": 200, "Note": 2000}


@dataclass(frozen=True)
class Lookups:
    """What the rows may refer to, keyed the way people type them (names without case)."""

    suppliers: dict[str, int]  # lower-case name -> organisation id
    managers: dict[str, int]  # lower-case email -> user id
    measures: dict[str, tuple[int, bool, MeasureKind]]  # upper-case code -> (id, retired, kind)
    local_areas: dict[str, int]  # lower-case name -> local area id
    existing_references: set[str]  # lower-case references the council already uses
    councils: set[str] = field(default_factory=set)  # lower-case names no supplier may take
    # Lower-case names of suppliers only other councils deal with: neither usable nor free.
    others_suppliers: set[str] = field(default_factory=set)
    # Upper-case codes of measures whose unit caps a target, and the cap (a share: 100%).
    most: dict[str, tuple[Decimal, MeasureUnit]] = field(default_factory=dict)


OTHERS_SUPPLIER = (
    "already in the portal as another council's supplier, so this council cannot add it or "
    "name it in a contract"
)


@dataclass(frozen=True)
class NewSupplier:
    """A supplier the import adds, as the first row that gave its details names it."""

    name: str
    postcode: str  # "M4 5AB"
    is_sme: bool
    is_vcse: bool
    first_row: int

    @property
    def details(self) -> tuple[str, bool, bool]:
        return self.postcode, self.is_sme, self.is_vcse


@dataclass(frozen=True)
class CommitmentRow:
    measure_id: int
    target: Decimal
    note: str
    profile: Plan | None = None  # None: the even spread


@dataclass
class ContractRow:
    reference: str
    title: str
    supplier_id: int | None  # None for a supplier this import adds
    manager_id: int
    value: Decimal
    start_on: date
    end_on: date
    is_kpi_contract: bool
    local_area_id: int | None
    first_row: int
    reporting_starts_on: date | None = None
    commitments: list[CommitmentRow] = field(default_factory=list)
    supplier_name: str = ""  # as the file gives it
    new_supplier: NewSupplier | None = None


@dataclass(frozen=True)
class RowError:
    row: int
    message: str


@dataclass
class ImportPlan:
    contracts: list[ContractRow]
    errors: list[RowError]
    rows: int
    new_suppliers: list[NewSupplier] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.contracts)

    @property
    def commitment_count(self) -> int:
        return sum(len(contract.commitments) for contract in self.contracts)

    @property
    def profile_count(self) -> int:
        return sum(
            c.profile is not None for contract in self.contracts for c in contract.commitments
        )


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


def plan_import(
    table: list[list[Any]], lookups: Lookups, *, start_month: int = DEFAULT_START_MONTH
) -> ImportPlan:
    """The contracts, commitments and new suppliers a file makes, or what is wrong with it.
    start_month is the first month of the council's financial year, which names the quarters
    of a profile."""
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
    data_rows = [
        (number, {column: (row[i] if i < len(row) else None) for column, i in index.items()})
        for number, row in enumerate(table[1:], start=2)
        if any(cell is not None for cell in row)
    ]
    if not data_rows:
        return ImportPlan([], [RowError(2, "The file has no contracts in it")], 0)
    # Suppliers first: a row may name a new supplier that a later row gives the details of.
    new_suppliers, errors, named_as_new = _new_suppliers(data_rows, lookups)
    contracts: dict[str, ContractRow] = {}
    signatures: dict[str, tuple[int, tuple[Any, ...]]] = {}
    for number, cells in data_rows:
        row_errors: list[str] = []
        contract = _contract_from(cells, lookups, new_suppliers, named_as_new, row_errors, number)
        runs = (contract.start_on, contract.end_on) if contract else _runs(cells)
        commitment = _commitment_from(cells, lookups, runs, start_month, row_errors)
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
    used = {c.new_supplier.name.lower() for c in contracts.values() if c.new_supplier}
    return ImportPlan(
        list(contracts.values()),
        sorted(errors, key=lambda error: error.row),  # stable: a row's problems keep their order
        len(data_rows),
        [supplier for key, supplier in new_suppliers.items() if key in used],
    )


def _new_suppliers(
    rows: list[tuple[int, dict[str, Any]]], lookups: Lookups
) -> tuple[dict[str, NewSupplier], list[RowError], set[str]]:
    """(the suppliers to add by lower-case name, what is wrong with the rows that describe them,
    and every name a row tried to add, so that a row naming one that failed is not also told
    the name is unknown)."""
    found: dict[str, NewSupplier] = {}
    errors: list[RowError] = []
    named: set[str] = set()
    for number, cells in rows:
        name = str(cells.get("Supplier") or "").strip()
        if not name or all(_blank(cells.get(column)) for column in NEW_SUPPLIER_COLUMNS):
            continue
        if name.lower() in lookups.suppliers:
            errors.append(
                RowError(
                    number,
                    f"Supplier {name!r} is already in the portal: leave New supplier postcode, "
                    "SME and VCSE empty",
                )
            )
            continue
        named.add(name.lower())
        if name.lower() in lookups.councils:
            errors.append(RowError(number, f"{name} is a council, so it cannot be a new supplier"))
            continue
        if name.lower() in lookups.others_suppliers:
            errors.append(RowError(number, f"{name} is {OTHERS_SUPPLIER}"))
            continue
        problems: list[str] = []
        postcode = _postcode(cells.get("New supplier postcode"), name, problems)
        is_sme = _yes_no(cells.get("SME"), "SME", problems)
        is_vcse = _yes_no(cells.get("VCSE"), "VCSE", problems)
        errors.extend(RowError(number, problem) for problem in problems)
        if problems or postcode is None:
            continue
        supplier = NewSupplier(name, postcode, bool(is_sme), bool(is_vcse), number)
        first = found.setdefault(name.lower(), supplier)
        if first.details != supplier.details:
            errors.append(
                RowError(
                    number,
                    f"Row {number} has different postcode, SME or VCSE for new supplier "
                    f"{name} than row {first.first_row}",
                )
            )
    return found, errors, named


def _contract_from(
    cells: dict[str, Any],
    lookups: Lookups,
    new_suppliers: dict[str, NewSupplier],
    named_as_new: set[str],
    errors: list[str],
    number: int,
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
    new_supplier = new_suppliers.get(supplier_name.lower()) if supplier_id is None else None
    unknown = supplier_name and supplier_id is None and supplier_name.lower() not in named_as_new
    if unknown and supplier_name.lower() in lookups.others_suppliers:
        errors.append(f"Supplier {supplier_name!r} is {OTHERS_SUPPLIER}")
    elif unknown:
        errors.append(
            f"Supplier {supplier_name!r} is not in the portal: check the spelling, or give "
            "its New supplier postcode to add it"
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
    if errors or None in (manager_id, value, start_on, end_on, kpi):
        return None
    if supplier_id is None and new_supplier is None:
        return None  # a new supplier whose own row is wrong: that row says so
    assert manager_id is not None and value is not None
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
        supplier_name=new_supplier.name if new_supplier else supplier_name,
        new_supplier=new_supplier,
    )


def _runs(cells: dict[str, Any]) -> tuple[date, date] | None:
    """The contract's dates when they are valid, to check a profile on a row whose other
    contract details are wrong."""
    ignored: list[str] = []
    start_on = _date(cells.get("Start date"), "Start date", ignored)
    end_on = _date(cells.get("End date"), "End date", ignored)
    if start_on is None or end_on is None or end_on < start_on:
        return None
    return start_on, end_on


def _commitment_from(
    cells: dict[str, Any],
    lookups: Lookups,
    runs: tuple[date, date] | None,
    start_month: int,
    errors: list[str],
) -> CommitmentRow | None:
    code = str(cells.get("Measure code") or "").strip().upper()
    target_cell = cells.get("Target")
    profile_text = str(cells.get("Profile") or "").strip()
    if not code:
        if target_cell is not None:
            errors.append("Enter the measure code for this target")
        if profile_text:
            errors.append("Enter the measure code for this profile")
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
    if target is not None and code in lookups.most and target > lookups.most[code][0]:
        errors.append(f"Target for {code} must be {quantity(*lookups.most[code])} or less")
        target = None
    note = str(cells.get("Note") or "")
    if len(note) > MAX_TEXT["Note"]:
        errors.append("Note must be 2000 characters or fewer")
    profile = None
    if profile_text and found is not None and runs is not None:
        profile = _profile(
            profile_text,
            reporting_periods(*runs, start_month=start_month),
            kind=found[2],
            target=target,
            code=code,
            errors=errors,
        )
    if found is None or found[1] or target is None or (profile_text and profile is None):
        return None
    return CommitmentRow(found[0], target, note, profile)


# "Q1 2025/26 = 3" (or "Q1 2025/26: 3"); entries are separated by semicolons or new lines.
PROFILE_ENTRY = re.compile(r"^(?P<quarter>Q[1-4]\s+[0-9/]+)\s*[=:]\s*(?P<figure>.*)$", re.I)


def _profile(
    text: str,
    periods: list[ReportingPeriod],
    *,
    kind: MeasureKind,
    target: Decimal | None,
    code: str,
    errors: list[str],
) -> Plan | None:
    """A profile cell -> the figure planned for each quarter, by the profile form's rules
    (portal/domain/profiles.py): every quarter of the contract needs a figure and, for a
    total, they add up to the target. None, with errors, if it breaks any."""
    by_quarter = {_quarter_key(period.label): period for period in periods}
    typed: dict[str, str] = {}
    problems: list[str] = []
    for entry in filter(None, (part.strip() for part in re.split(r"[;\n]+", text))):
        match = PROFILE_ENTRY.match(entry)
        period = by_quarter.get(_quarter_key(match["quarter"])) if match else None
        if match is None:
            problems.append(f"write each quarter like Q1 2025/26 = 3, not {entry!r}")
        elif period is None:
            problems.append(
                f"{match['quarter']} is not a quarter of the contract, which runs from "
                f"{periods[0].label} to {periods[-1].label}"
            )
        elif field_name(period) in typed:
            problems.append(f"{period.label} is given more than once")
        else:
            typed[field_name(period)] = match["figure"]
    missing = [period for period in periods if field_name(period) not in typed]
    if missing and not problems:
        problems.append(f"enter a figure for {listing([p.label for p in missing])}")
    planned: Plan | None = None
    if not problems:
        planned, wrong = parse_plan(typed, periods, kind=kind, target=target)
        problems += [_in_a_sentence(message) for message in wrong.values()]
    errors.extend(f"Profile for {code}: {problem}" for problem in problems)
    return None if problems else planned


def _quarter_key(label: str) -> str:
    return " ".join(label.upper().split())


def _in_a_sentence(message: str) -> str:
    """ "Enter a figure ..." -> "enter a figure ...", to follow "Profile for X: "."""
    return message if re.match(r"Q[1-4] ", message) else message[0].lower() + message[1:]


def _blank(value: Any) -> bool:
    return value is None or not str(value).strip()


def _postcode(value: Any, name: str, errors: list[str]) -> str | None:
    if _blank(value):
        errors.append(f"Enter the postcode of new supplier {name} in New supplier postcode")
        return None
    try:
        return normalise_postcode(str(value))
    except InvalidPostcode:
        errors.append("New supplier postcode must be a real UK postcode, like M4 5AB")
        return None


def _yes_no(value: Any, column: str, errors: list[str]) -> bool | None:
    """True or False; None when the cell is empty, or not yes or no (then with an error)."""
    text = str(value or "").strip().lower()
    if text in ("yes", "y", "true"):
        return True
    if text in ("no", "n", "false"):
        return False
    if text:
        errors.append(f"{column} must be yes, no or empty")
    return None


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
    said = _yes_no(value, "KPI contract", errors)
    if said is not None or not _blank(value):
        return said
    return is_kpi_by_default(contract_value) if contract_value is not None else None
