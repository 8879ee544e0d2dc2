"""Checking an uploaded workforce schedule for one reporting period before anything is saved.

One anonymised person per row, from the supplier's own HR data (design brief section 3,
"Workforce record"). Every problem is reported with its row number as the spreadsheet shows it
(the header is row 1), and the caller saves nothing unless there are none.

The full home postcode is only ever read here: a record keeps its sector ("M4 5"), and no
message repeats what was typed in the postcode cell.

Pure functions: no Flask, no database.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from portal.domain.counting import AgeBand, ContractType, WorkforceRecord
from portal.domain.periods import long_date
from portal.domain.postcodes import InvalidPostcode, sector_of

COLUMNS = [
    "Worker reference",
    "Home postcode",
    "Age band",
    "Start date",
    "End date",
    "Weekly hours",
    "Share of time on this contract (%)",
    "New hire or retained",
    "Apprenticeship level",
    "Apprenticeship standard",
    "Basic hourly pay (£)",
    "Contract type",
    "Guaranteed weekly hours",
]
# Fair work (design brief section 5a): required only on a contract with a fair-work commitment.
FAIR_WORK_COLUMNS = ("Basic hourly pay (£)", "Contract type", "Guaranteed weekly hours")
# A file may leave these columns out: nobody has an end date, or nobody is an apprentice, or
# (files made before fair work, and contracts without it) nobody's pay is given.
OPTIONAL_COLUMNS = (
    "End date",
    "Apprenticeship level",
    "Apprenticeship standard",
    *FAIR_WORK_COLUMNS,
)
EXAMPLE_ROWS = [
    # A local full-time new hire.
    [
        "GW-0147",
        "M4 5AB",
        "25 to 34",
        "07/04/2025",
        "",
        "37.5",
        "100",
        "New hire",
        "",
        "",
        "12.60",
        "Permanent",
        "37.5",
    ],
    # A part-time worker retained from before the contract, half their time on it.
    [
        "GW-0032",
        "M14 6QR",
        "35 to 49",
        "01/09/2021",
        "",
        "20",
        "50",
        "Retained",
        "",
        "",
        "£13.45",
        "Zero-hours",
        "0",
    ],
    # A 52-year-old who started a level 3 apprenticeship this quarter.
    [
        "GW-0151",
        "M11 2LP",
        "50 to 64",
        "14/04/2025",
        "",
        "30",
        "100",
        "New hire",
        "3",
        "Horticulture or landscape supervisor",
        "11.44",
        "Fixed-term",
        "30",
    ],
]

AGE_BAND_CHOICES: dict[AgeBand, tuple[str, ...]] = {
    band: (band.value, band.label) for band in AgeBand
}
AGE_BAND_CHOICES[AgeBand.AGE_65_PLUS] += ("65 or over", "65 plus", "over 65")

MAX_REFERENCE = 50
MAX_STANDARD = 200
MAX_WEEKLY_HOURS = Decimal(60)
APPRENTICESHIP_LEVELS = range(2, 8)
MIN_HOURLY_PAY = Decimal("1.00")
MAX_HOURLY_PAY = Decimal("500.00")
CONTRACT_TYPE_CHOICES: dict[ContractType, tuple[str, ...]] = {
    kind: (kind.value,) for kind in ContractType
}
CONTRACT_TYPE_CHOICES[ContractType.TEMPORARY_OR_AGENCY] += ("temporary", "agency", "temp")
CONTRACT_TYPE_CHOICES[ContractType.FIXED_TERM] += ("fixed term contract",)
CONTRACT_TYPE_CHOICES[ContractType.ZERO_HOURS] += ("zero hours contract",)
NEW_HIRE = {"new hire": True, "new": True, "yes": True, "y": True}
RETAINED = {"retained": False, "no": False, "n": False}

MESSAGES = {
    "reference_missing": "Enter the worker reference",
    "reference_long": f"Worker reference must be {MAX_REFERENCE} characters or fewer",
    "reference_name": (
        "Worker reference must be your own reference for the person, not their name"
    ),
    "reference_characters": (
        "Worker reference must only include letters, numbers, hyphens (-), "
        "underscores (_) and slashes (/)"
    ),
    "postcode_missing": "Enter the home postcode",
    "postcode_invalid": "Enter a real UK postcode, like M4 5AB",
    "age_band_missing": "Enter the age band",
    "age_band_invalid": ("Age band must be one of " + ", ".join(band.label for band in AgeBand)),
    "end_before_start": "End date must be the same as or after the start date",
    "hours_missing": "Enter the weekly hours",
    "hours_invalid": "Weekly hours must be a number, like 37.5",
    "hours_range": f"Weekly hours must be between 0 and {MAX_WEEKLY_HOURS}",
    "share_missing": "Enter the share of time on this contract",
    "share_invalid": "Share of time on this contract must be a percentage, like 50",
    "share_range": "Share of time on this contract must be a percentage from 1 to 100, like 50 "
    "for half their time",
    "new_hire_missing": "Enter whether the person is a new hire or retained",
    "new_hire_invalid": "New hire or retained must be 'new hire' or 'retained'",
    "level_invalid": "Apprenticeship level must be a whole number from 2 to 7",
    "standard_missing": "Enter the apprenticeship standard, like Hospitality team member",
    "standard_long": f"Apprenticeship standard must be {MAX_STANDARD} characters or fewer",
    "level_missing": "Enter the apprenticeship level for this standard",
    "pay_missing": "Enter the basic hourly pay",
    "pay_invalid": "Basic hourly pay must be an amount in pounds, like 12.60",
    "pay_pence": "Basic hourly pay must be in pounds and pence, with no more than 2 decimal "
    "places, like 12.60",
    "pay_range": f"Basic hourly pay must be between £{MIN_HOURLY_PAY} and £{MAX_HOURLY_PAY}",
    "contract_type_missing": "Enter the contract type",
    "contract_type_invalid": "Contract type must be one of "
    + ", ".join(kind.value for kind in ContractType),
    "guaranteed_missing": "Enter the guaranteed weekly hours (0 if none are guaranteed)",
    "guaranteed_invalid": "Guaranteed weekly hours must be a number, like 16",
    "guaranteed_range": f"Guaranteed weekly hours must be between 0 and {MAX_WEEKLY_HOURS}",
    "guaranteed_above_hours": "Guaranteed weekly hours must be no more than the weekly hours",
    "guaranteed_zero_hours": "Guaranteed weekly hours must be 0 for a zero-hours contract",
}
EXAMPLE_ROW = (
    "This is an example row from the template (worker reference {reference}): delete the "
    "example rows and add your own people"
)


def contract_type_label(kind: ContractType) -> str:
    """"Fixed-term", "Temporary or agency": the value as the start of a sentence."""
    return kind.value.capitalize()


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet shows it: the header is row 1
    message: str


@dataclass
class WorkforcePlan:
    records: list[WorkforceRecord]  # the rows without errors, in file order
    errors: list[RowError]
    rows: int  # data rows, not counting the header or wholly empty rows

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.records)


def plan_workforce(
    table: list[list[Any]],
    *,
    period_starts_on: date,
    period_ends_on: date,
    require_fair_work: bool = False,
) -> WorkforcePlan:
    """Check every row of a workforce schedule for the period [period_starts_on, period_ends_on].

    With require_fair_work (a contract with a fair-work commitment), every row must give the
    hourly pay, contract type and guaranteed hours; otherwise they are optional, cell by cell."""
    if period_ends_on < period_starts_on:
        raise ValueError("the period ends before it starts")
    if not table:
        return WorkforcePlan([], [RowError(1, "The file has no header row")], 0)
    index = _column_index(table[0])
    optional = _optional_columns(require_fair_work)
    missing = [c for c in COLUMNS if c not in index and c not in optional]
    if missing:
        message = (
            f"The header row is missing: {', '.join(missing)}. "
            "Download the template to see the columns"
        )
        return WorkforcePlan([], [RowError(1, message)], 0)
    data_rows = [
        (number, row) for number, row in enumerate(table[1:], start=2) if not _is_empty_row(row)
    ]
    if not data_rows:
        return WorkforcePlan([], [RowError(2, "The file has no people in it")], 0)

    records: list[WorkforceRecord] = []
    errors: list[RowError] = []
    first_seen: dict[tuple[str, date], int] = {}  # (reference without case, start) -> row
    columns = list(index.items())
    for number, row in data_rows:
        width = len(row)
        values = {column: (row[i] if i < width else None) for column, i in columns}
        row_errors: list[str] = []
        record, reference, starts_on = _parse(
            values,
            row_errors,
            period=(period_starts_on, period_ends_on),
            require_fair_work=require_fair_work,
        )
        if reference is not None and starts_on is not None:
            key = (reference.casefold(), starts_on)
            if key in _example_keys():
                # Its other cells may be fine: the row must go all the same.
                row_errors = [EXAMPLE_ROW.format(reference=reference)]
            first = first_seen.setdefault(key, number)
            if first != number:
                row_errors.append(
                    f"Worker reference {reference} appears more than once with the same "
                    f"start date (rows {first} and {number})"
                )
        errors.extend(RowError(number, message) for message in row_errors)
        if record is not None and not row_errors:
            records.append(record)
    return WorkforcePlan(records, errors, len(data_rows))


@cache
def _example_keys() -> frozenset[tuple[str, date]]:
    """The template's example people, by worker reference and start date: a file that still
    holds them would replace the quarter's people with invented ones."""
    keys = set()
    for row in EXAMPLE_ROWS:
        record = parse_record(dict(zip(COLUMNS, row, strict=True)), [])
        assert record is not None, "the template's example rows must be valid"
        keys.add((record.worker_reference.casefold(), record.starts_on))
    return frozenset(keys)


def parse_record(
    values: Mapping[str, Any],
    errors: list[str],
    *,
    period_starts_on: date | None = None,
    period_ends_on: date | None = None,
    require_fair_work: bool = False,
) -> WorkforceRecord | None:
    """One person's cells, by column name (absent names count as empty) -> a record, or None.

    Appends a message to errors for each problem found, in column order. Given a period (both
    dates), also checks that the person worked on the contract during it. With
    require_fair_work, the pay, contract type and guaranteed hours must be given.
    """
    if (period_starts_on is None) != (period_ends_on is None):
        raise ValueError("give both period dates or neither")
    period = None
    if period_starts_on is not None and period_ends_on is not None:
        period = (period_starts_on, period_ends_on)
    record, _, _ = _parse(values, errors, period=period, require_fair_work=require_fair_work)
    return record


def _optional_columns(require_fair_work: bool) -> tuple[str, ...]:
    if require_fair_work:
        return tuple(c for c in OPTIONAL_COLUMNS if c not in FAIR_WORK_COLUMNS)
    return OPTIONAL_COLUMNS


def _parse(
    values: Mapping[str, Any],
    errors: list[str],
    *,
    period: tuple[date, date] | None,
    require_fair_work: bool,
) -> tuple[WorkforceRecord | None, str | None, date | None]:
    """The record (None if any problem), and the reference and start date when those are valid."""
    before = len(errors)
    reference = _reference(values.get("Worker reference"), errors)
    sector = _postcode_sector(values.get("Home postcode"), errors)
    age_band = _age_band(values.get("Age band"), errors)
    starts_on = _date(values.get("Start date"), "Start date", errors, required=True)
    ends_on = _date(values.get("End date"), "End date", errors, required=False)
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        errors.append(MESSAGES["end_before_start"])
    elif starts_on is not None and period is not None:
        outside = period_error(starts_on, ends_on, *period)
        if outside:
            errors.append(outside)
    hours = _number(
        values.get("Weekly hours"),
        errors,
        missing="hours_missing",
        invalid="hours_invalid",
        out_of_range="hours_range",
        maximum=MAX_WEEKLY_HOURS,
    )
    percent = _number(
        values.get("Share of time on this contract (%)"),
        errors,
        missing="share_missing",
        invalid="share_invalid",
        out_of_range="share_range",
        maximum=Decimal(100),
        minimum=Decimal(1),
        percent=True,
    )
    is_new_hire = _new_hire(values.get("New hire or retained"), errors)
    level, standard = _apprenticeship(
        values.get("Apprenticeship level"), values.get("Apprenticeship standard"), errors
    )
    pay = _hourly_pay(values.get("Basic hourly pay (£)"), errors, required=require_fair_work)
    contract_type = _contract_type(
        values.get("Contract type"), errors, required=require_fair_work
    )
    guaranteed = _number(
        values.get("Guaranteed weekly hours"),
        errors,
        missing="guaranteed_missing",
        invalid="guaranteed_invalid",
        out_of_range="guaranteed_range",
        maximum=MAX_WEEKLY_HOURS,
        minimum=Decimal(0),
        required=require_fair_work,
    )
    if guaranteed is not None:
        if contract_type is ContractType.ZERO_HOURS and guaranteed > 0:
            errors.append(MESSAGES["guaranteed_zero_hours"])
        elif hours is not None and guaranteed > hours:
            errors.append(MESSAGES["guaranteed_above_hours"])
    if len(errors) > before:
        return None, reference, starts_on
    assert reference is not None and sector is not None and age_band is not None
    assert starts_on is not None and hours is not None and percent is not None
    assert is_new_hire is not None
    record = WorkforceRecord(
        worker_reference=reference,
        postcode_sector=sector,
        age_band=age_band,
        starts_on=starts_on,
        ends_on=ends_on,
        weekly_hours=hours,
        share_on_contract=percent / 100,
        is_new_hire=is_new_hire,
        apprenticeship_level=level,
        apprenticeship_standard=standard,
        hourly_pay=pay,
        contract_type=contract_type,
        guaranteed_hours=guaranteed,
    )
    return record, reference, starts_on


def period_error(
    starts_on: date, ends_on: date | None, period_starts_on: date, period_ends_on: date
) -> str | None:
    """The message when an engagement has no day in the period (dates inclusive), else None."""
    if starts_on > period_ends_on or (ends_on is not None and ends_on < period_starts_on):
        return (
            "The person must have worked on the contract during this quarter "
            f"({long_date(period_starts_on)} to {long_date(period_ends_on)})"
        )
    return None


# -- columns ---------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_HEADER_NAMES = {column.lower(): column for column in COLUMNS}
_HEADER_NAMES["basic hourly pay"] = "Basic hourly pay (£)"  # a header typed without the (£)


def _column_index(header: list[Any]) -> dict[str, int]:
    """Column name -> position, matching names without case or extra spaces; first one wins."""
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        column = _HEADER_NAMES.get(_SPACES.sub(" ", str(name or "")).strip().lower())
        if column is not None and column not in index:
            index[column] = position
    return index


def _is_empty_row(row: list[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)


def _text(value: Any) -> str:
    """A cell as text: '' for empty; a whole number typed into a spreadsheet loses its '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# -- one cell at a time ------------------------------------------------------------------------

_REFERENCE = re.compile(r"[A-Za-z0-9_/-]+")


def _reference(value: Any, errors: list[str]) -> str | None:
    text = _text(value)
    if not text:
        errors.append(MESSAGES["reference_missing"])
    elif len(text) > MAX_REFERENCE:
        errors.append(MESSAGES["reference_long"])
    elif _looks_like_a_name(text):
        errors.append(MESSAGES["reference_name"])
    elif not _REFERENCE.fullmatch(text):
        errors.append(MESSAGES["reference_characters"])
    else:
        return text
    return None


def _looks_like_a_name(text: str) -> bool:
    """True if two words of letters stand side by side: "John Smith", "Smith, J", "O'Neil Ann".

    Apostrophes, hyphens and full stops inside a word still count as letters, as in names.
    """
    words = _SPACES.split(text.replace(",", " ").strip())
    alphabetic = [_is_word(word) for word in words]
    return any(a and b for a, b in zip(alphabetic, alphabetic[1:], strict=False))


def _is_word(word: str) -> bool:
    letters = word.replace("'", "").replace("’", "").replace("-", "").replace(".", "")
    return letters.isalpha()


def _postcode_sector(value: Any, errors: list[str]) -> str | None:
    text = _text(value)
    if not text:
        errors.append(MESSAGES["postcode_missing"])
        return None
    try:
        return sector_of(text)
    except InvalidPostcode:
        errors.append(MESSAGES["postcode_invalid"])  # never repeats the postcode typed
        return None


_DASHES = re.compile(r"\s*[-‐‑‒–—]\s*")
_PLUS = re.compile(r"\s*\+$")


def _age_band_key(text: str) -> str:
    return _PLUS.sub("+", _DASHES.sub("-", _SPACES.sub(" ", text.strip().lower())))


_AGE_BANDS = {
    _age_band_key(text): band for band, texts in AGE_BAND_CHOICES.items() for text in texts
}


def _age_band(value: Any, errors: list[str]) -> AgeBand | None:
    text = _text(value)
    if not text:
        errors.append(MESSAGES["age_band_missing"])
        return None
    band = _AGE_BANDS.get(_age_band_key(text))
    if band is None:
        errors.append(MESSAGES["age_band_invalid"])
    return band


_DATE_FORMATS = (
    re.compile(r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})"),  # 01/04/2025 (UK order)
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),  # 2025-04-01
)


def _date(value: Any, name: str, errors: list[str], *, required: bool) -> date | None:
    if isinstance(value, datetime):  # before date: a datetime is a date too
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        if required:
            errors.append(f"Enter the {name.lower()}")
        return None
    first = text.split(" ")[0]  # "2025-04-01 00:00:00" from a CSV export
    for pattern in _DATE_FORMATS:
        match = pattern.fullmatch(first)
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                break
    errors.append(f"{name} must be a real date, like 01/04/2025")
    return None


def _number(
    value: Any,
    errors: list[str],
    *,
    missing: str,
    invalid: str,
    out_of_range: str,
    maximum: Decimal,
    minimum: Decimal | None = None,
    percent: bool = False,
    required: bool = True,
) -> Decimal | None:
    """A number more than 0 (or at least minimum) and no more than maximum; with percent, a
    trailing % is allowed. A share below 1% is refused: Excel reads a cell shown as "50%" as 0.5,
    and a real 0.5% share is far less likely than that mistake."""
    text = _text(value)
    if percent:
        text = text.removesuffix("%").rstrip()
    if not text:
        if required:
            errors.append(MESSAGES[missing])
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        errors.append(MESSAGES[invalid])
        return None
    if not number <= maximum or (number < minimum if minimum is not None else number <= 0):
        errors.append(MESSAGES[out_of_range])
        return None
    return number


_POUND = re.compile(r"^(?:£|GBP)\s*", re.IGNORECASE)


def _hourly_pay(value: Any, errors: list[str], *, required: bool) -> Decimal | None:
    """Pounds and pence: "£12.60", "12.6", "12.60", or a number cell (an Excel currency cell
    is a number with a £ format). A number cell holds a binary fraction, such as
    12.600000000000001 from a formula: rounded to 6 places first, it is the 12.6 Excel shows."""
    if isinstance(value, bool):
        text = str(value)
    elif isinstance(value, float) and math.isfinite(value):
        text = str(round(value, 6))
    else:
        text = _POUND.sub("", _text(value)).strip()
    if not text:
        if required:
            errors.append(MESSAGES["pay_missing"])
        return None
    try:
        pay = Decimal(text)
    except InvalidOperation:
        pay = None
    if pay is None or not pay.is_finite():
        errors.append(MESSAGES["pay_invalid"])
        return None
    if not MIN_HOURLY_PAY <= pay <= MAX_HOURLY_PAY:
        errors.append(MESSAGES["pay_range"])
        return None
    if pay != pay.quantize(_PENNY):
        errors.append(MESSAGES["pay_pence"])
        return None
    return pay.quantize(_PENNY)


_PENNY = Decimal("0.01")


def _contract_type_key(text: str) -> str:
    return _SPACES.sub(" ", _DASHES.sub(" ", text.strip().lower()))


_CONTRACT_TYPES = {
    _contract_type_key(text): kind
    for kind, texts in CONTRACT_TYPE_CHOICES.items()
    for text in texts
}


def _contract_type(value: Any, errors: list[str], *, required: bool) -> ContractType | None:
    text = _text(value)
    if not text:
        if required:
            errors.append(MESSAGES["contract_type_missing"])
        return None
    kind = _CONTRACT_TYPES.get(_contract_type_key(text))
    if kind is None:
        errors.append(MESSAGES["contract_type_invalid"])
    return kind


def _new_hire(value: Any, errors: list[str]) -> bool | None:
    text = _SPACES.sub(" ", _text(value).lower().replace("-", " "))
    if not text:
        errors.append(MESSAGES["new_hire_missing"])
        return None
    if text in NEW_HIRE:
        return NEW_HIRE[text]
    if text in RETAINED:
        return RETAINED[text]
    errors.append(MESSAGES["new_hire_invalid"])
    return None


_LEVEL = re.compile(r"(?:level\s*)?(\d+)(?:\.0+)?", re.IGNORECASE)


def _apprenticeship(
    level_value: Any, standard_value: Any, errors: list[str]
) -> tuple[int | None, str | None]:
    level_text = _text(level_value)
    standard = _text(standard_value)
    level: int | None = None
    if level_text:
        match = _LEVEL.fullmatch(level_text)
        if match and int(match.group(1)) in APPRENTICESHIP_LEVELS:
            level = int(match.group(1))
        else:
            errors.append(MESSAGES["level_invalid"])
    if len(standard) > MAX_STANDARD:
        errors.append(MESSAGES["standard_long"])
    elif level is not None and not standard:
        errors.append(MESSAGES["standard_missing"])
    elif standard and not level_text:
        errors.append(MESSAGES["level_missing"])
    return level, (standard or None)
