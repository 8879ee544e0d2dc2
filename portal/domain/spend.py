"""Spend analysis rules (design brief section 5b): reading the cells of a council's published
spend files, matching payees by name, and the year's headline figures.

Every English council publishes each payment over £500 as CSV, with its own columns and
habits: `£1,234.56`, `-12.00` for a credit note, dates as `31/03/2025`, `31.03.2025`,
`2025-03-31` or an Excel serial, and "Redacted Personal Information" for payments to people.
The functions here turn one cell into one value, or say in a sentence what is wrong with it.

Pure functions: no Flask, no database.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from typing import Any

from portal.domain.postcodes import InvalidPostcode, is_local, normalise_postcode, sector_of

PENNY = Decimal("0.01")
ZERO = Decimal(0)
# No council pays a supplier a billion pounds in one payment: a bigger figure is a column mixed
# up (a transaction number read as the amount) or a typing slip.
MAX_AMOUNT = Decimal("1000000000")
# Spend files began with the Transparency Code (2011); a date far outside this is a mistake, and
# so is an Excel serial number outside it (a transaction number read as the date).
EARLIEST_PAYMENT = date(2000, 1, 1)
LATEST_PAYMENT = date(2099, 12, 31)
_EXCEL_EPOCH = date(1899, 12, 30)  # Windows Excel's day 0, right for every serial after 60
MAX_TEXT = 255  # a supplier name, transaction number, service area or expense type


class SpendProblem(ValueError):
    """A cell that cannot be read; str(problem) is the message to show the user."""


MESSAGES = {
    "amount_missing": "Enter the amount",
    "amount_invalid": "Amount must be an amount in pounds, like 1,234.56 or -12.00",
    "amount_range": f"Amount must be less than £{MAX_AMOUNT:,} either way",
    "date_missing": "Enter the payment date",
    "date_invalid": "Payment date must be a date, like 31/03/2025",
    "date_impossible": "Payment date must be a real date, like 31/03/2025",
    "date_range": "Payment date must be between 1 January 2000 and 31 December 2099",
    "supplier_missing": "Enter the supplier name",
    "text_long": "{field} must be {limit} characters or fewer",
}


# Amounts


# £1,234.56 / 1234.5 / -£12.00 / £-12.00 / (12.00) / 12.00- / GBP 12: the signs and symbols
# finance systems put around a number. Thousands separators only in groups of three, so that
# a European decimal comma ("12,50") is refused rather than read as 1,250.
_AMOUNT = re.compile(
    r"""^(?P<open>\()?\s*
        (?P<before>[-+])?\s*
        (?:£|GBP)?\s*
        (?P<sign>[-+])?\s*
        (?P<number>\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+)\s*
        (?P<after>-)?\s*
        (?P<close>\))?$""",
    re.VERBOSE | re.IGNORECASE,
)


def parse_amount(value: Any) -> Decimal:
    """An amount in pounds, rounded to the penny (half up: finance systems sometimes export
    fractions of a penny). Negative for a credit note: `-12.00`, `-£12.00`, `£-12.00`,
    accounting brackets `(12.00)` and a trailing minus `12.00-` (SAP's export) all mean -12.00.
    Numbers from a workbook (int, float, Decimal) are taken as they are."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise SpendProblem(MESSAGES["amount_missing"])
    if isinstance(value, bool):
        raise SpendProblem(MESSAGES["amount_invalid"])
    if isinstance(value, int | Decimal):
        amount = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise SpendProblem(MESSAGES["amount_invalid"])
        amount = Decimal(repr(value))  # the shortest decimal that is this float: 0.1, not 0.1000…
    elif isinstance(value, str):
        amount = _amount_from_text(value)
    else:
        raise SpendProblem(MESSAGES["amount_invalid"])
    if not amount.is_finite():
        raise SpendProblem(MESSAGES["amount_invalid"])
    if abs(amount) >= MAX_AMOUNT:
        raise SpendProblem(MESSAGES["amount_range"])
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP) + 0  # + 0: no "-0.00"


def _amount_from_text(text: str) -> Decimal:
    match = _AMOUNT.match(text.strip().replace("\u00a0", " "))
    if match is None:
        raise SpendProblem(MESSAGES["amount_invalid"])
    signs = [match["before"], match["sign"], match["after"] and "-"]
    signed = sum(sign is not None for sign in signs)
    bracketed = match["open"] is not None
    if signed > 1 or (bracketed and signed) or bracketed != (match["close"] is not None):
        raise SpendProblem(MESSAGES["amount_invalid"])  # "--12", "-(12)", "(12"
    try:
        amount = Decimal(match["number"].replace(",", ""))
    except InvalidOperation as error:  # not reached: the pattern admits only digits
        raise SpendProblem(MESSAGES["amount_invalid"]) from error
    negative = bracketed or "-" in signs
    return -amount if negative else amount


def format_amount(amount: Decimal) -> str:
    """£1,234.56 / -£12.00, as the Windows-1252 files write them."""
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


# Dates

_NUMERIC_DATE = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NAMED_MONTH_DATE = re.compile(r"^(\d{1,2})[\s\-/.]*([A-Za-z]{3,9})[\s\-/.,]*(\d{4}|\d{2})$")
# A time after the date ("01/04/2024 00:00:00", "2024-04-01T00:00:00") says nothing about the day.
_TIME_AFTER = re.compile(r"(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp][Mm])?)$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}


def parse_payment_date(value: Any) -> date:
    """A payment date from a cell: a date or datetime from a workbook; an Excel serial number
    (as a number, or as text of five digits); or text as UK councils write it: `31/03/2025`,
    `1/4/2025`, `31.03.2025`, `31-03-2025`, `2025-03-31`, `31-Mar-2025`, `31 March 2025`, with
    or without a time after it. Day before month always (UK files); two-digit years are 20xx.
    Dates outside EARLIEST_PAYMENT to LATEST_PAYMENT are refused as mistakes."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise SpendProblem(MESSAGES["date_missing"])
    if isinstance(value, datetime):
        found = value.date()
    elif isinstance(value, date):
        found = value
    elif isinstance(value, bool):
        raise SpendProblem(MESSAGES["date_invalid"])
    elif isinstance(value, int | float | Decimal):
        found = _from_serial(value)
    elif isinstance(value, str):
        found = _date_from_text(value.strip())
    else:
        raise SpendProblem(MESSAGES["date_invalid"])
    if not EARLIEST_PAYMENT <= found <= LATEST_PAYMENT:
        raise SpendProblem(MESSAGES["date_range"])
    return found


def _from_serial(serial: int | float | Decimal) -> date:
    """Excel's day number (the fraction is the time of day). Only serials inside the range a
    payment date may have are taken, so a stray number is not read as a date in 1900."""
    if isinstance(serial, float) and not math.isfinite(serial):
        raise SpendProblem(MESSAGES["date_invalid"])
    if isinstance(serial, Decimal) and not serial.is_finite():
        raise SpendProblem(MESSAGES["date_invalid"])
    days = int(serial)  # towards zero: a time of day never moves the date
    if not _serial_of(EARLIEST_PAYMENT) <= days <= _serial_of(LATEST_PAYMENT):
        raise SpendProblem(MESSAGES["date_range"])
    return _EXCEL_EPOCH + timedelta(days=days)


def _serial_of(day: date) -> int:
    return (day - _EXCEL_EPOCH).days


def _date_from_text(text: str) -> date:
    text = _TIME_AFTER.sub("", text).strip()
    if _SERIAL.match(text):
        return _from_serial(Decimal(text))
    if match := _ISO_DATE.match(text):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    elif match := _NUMERIC_DATE.match(text):
        day, month, year = int(match[1]), int(match[3]), _full_year(match[4])
    elif (match := _NAMED_MONTH_DATE.match(text)) and match[2].lower() in _MONTHS:
        day, month, year = int(match[1]), _MONTHS[match[2].lower()], _full_year(match[3])
    else:
        raise SpendProblem(MESSAGES["date_invalid"])
    try:
        return date(year, month, day)
    except ValueError as error:
        raise SpendProblem(MESSAGES["date_impossible"]) from error


def _full_year(digits: str) -> int:
    return 2000 + int(digits) if len(digits) == 2 else int(digits)


# Supplier names

# "Trading as": the legal entity (the left side) is kept, the trading name dropped. The council
# pays, and contracts with, the legal entity; a portal organisation is registered under it; and
# one company trading under several names then matches itself. The trading name stays on the
# published name for people to read.
_TRADING_AS = re.compile(r"\s*(?:\bt\s*/\s*as?\b|\btrading\s+as\b)", re.IGNORECASE)
# Legal forms at the end of a name, as words after punctuation is gone. Longest first.
_LEGAL_FORMS = (
    "public limited company",
    "limited liability partnership",
    "community interest company",
    "limited",
    "ltd",
    "plc",
    "llp",
    "cic",
)
_DROPPED = re.compile(r"['’‘`.]")  # Sainsbury's -> sainsburys, A.B.C. -> abc
_PUNCTUATION = re.compile(r"[^\w\s]|_")


def normalise_supplier_name(name: str) -> str:
    """The key a published name is matched by: "The A.B.C. Company & Sons Ltd T/A Fresh Foods"
    -> "abc company and sons". Case, accents, punctuation and spacing are ignored; "&" is
    "and"; a leading "The" and trailing legal forms (Ltd, Limited, PLC, LLP, CIC) go, unless
    nothing else is left; "T/A" and "trading as" keep the legal entity before them.
    Normalising a normalised name changes nothing."""
    before_trading_as = _TRADING_AS.split(name, maxsplit=1)[0]
    if _words(before_trading_as):  # "T/A Fresh Foods" alone keeps what it has
        name = before_trading_as
    words = _words(name)
    while len(words) > 1 and words[0] == "the":
        words = words[1:]
    stripped = True
    while stripped:
        stripped = False
        for form in _LEGAL_FORMS:
            form_words = form.split()
            if len(words) > len(form_words) and words[-len(form_words) :] == form_words:
                words = words[: -len(form_words)]
                stripped = True
    return " ".join(words)


NAME_KEY_LENGTH = 255


def payee_key(name: str) -> str:
    """The key a payee is found by: its normalised name, or for a name with no letters or
    digits ("-", "?"), the name itself without case or extra spaces, so that it still stands
    apart from others; at most NAME_KEY_LENGTH characters (a normalised name can be longer
    than the published one: "&" becomes "and")."""
    return (normalise_supplier_name(name) or " ".join(name.casefold().split()))[:NAME_KEY_LENGTH]


def _words(text: str) -> list[str]:
    """Lower-case words without accents or punctuation, "&" as "and"."""
    if text.isascii():
        plain = text.lower()
    else:
        # Decomposed before and after folding: "ℌ" only becomes "h" that way round.
        decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
        plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    plain = plain.replace("&", " and ").replace("+", " and ")
    return _PUNCTUATION.sub(" ", _DROPPED.sub("", plain)).split()


# Words that say a payee's name was withheld (payments to people, under data protection). Any
# name containing one of these words is redacted, whatever else it says...
_REDACTED_WORDS = {"redacted", "redaction", "withheld"}
# ...and these whole names, which councils use on their own.
_REDACTED_NAMES = {
    "personal data",
    "personal information",
    "personal details",
    "private individual",
    "individual",
    "data protection",
    "data protection act",
    "dpa",
    "gdpr",
    "sensitive",
    "name not disclosed",
    "not disclosed",
}
_ONLY_MASKS = re.compile(r"^\s*(?:[*#]+|[xX]{3,})\s*$")  # "*****", "XXXX"


@lru_cache(maxsize=4_096)  # a file repeats a few hundred names thousands of times
def is_redacted(name: str) -> bool:
    """Whether a published supplier name stands for a person whose name was withheld:
    "Redacted Personal Information", "REDACTED", "Redacted - personal data", "Personal
    information redacted", "Withheld", "Personal Data", "*****". Such payments count in every
    total and are never matched to a supplier."""
    if _ONLY_MASKS.match(name):
        return True
    words = _words(name)
    return bool(_REDACTED_WORDS.intersection(words)) or " ".join(words) in _REDACTED_NAMES


# Public bodies: proposed, never decided, from words a council can edit. Matched as whole words
# anywhere in the name, after the same cleaning as names ("HM Revenue & Customs" matches
# "hm revenue and customs"). The defaults are kinds of body, plus the big transport authorities,
# whose names have no telling word; other named bodies are the council's to add. A word can
# catch a business ("Levy Restaurants" for "levy"): that is why these are only proposals.
DEFAULT_PUBLIC_BODY_PATTERNS = (
    "council",
    "combined authority",
    "levy",
    "precept",
    "nhs",
    "clinical commissioning group",
    "integrated care board",
    "hmrc",
    "hm revenue and customs",
    "school",
    "academy trust",
    "police",
    "fire and rescue",
    "fire authority",
    "transport for london",
    "transport for greater manchester",
    "transport for west midlands",
    "environment agency",
    "pension fund",
    "department for work and pensions",
)


def looks_like_public_body(
    name: str, patterns: Iterable[str] = DEFAULT_PUBLIC_BODY_PATTERNS
) -> bool:
    """Whether a name contains any of the patterns as whole words ("Bolton Council", "Kirkby
    Primary School"; not "Schoolwear Ltd" for "school")."""
    padded = f" {' '.join(_words(name))} "
    return any(phrase in padded for phrase in _phrases(tuple(patterns)))


@lru_cache(maxsize=16)
def _phrases(patterns: tuple[str, ...]) -> tuple[str, ...]:
    """Each pattern's words as they appear padded in a name: worked out once per list, not
    once per name (an analysis asks of thousands of names)."""
    return tuple(f" {' '.join(words)} " for pattern in patterns if (words := _words(pattern)))


# Column mapping


class SpendField(StrEnum):
    PAYMENT_DATE = "payment_date"
    AMOUNT = "amount"
    SUPPLIER_NAME = "supplier_name"
    TRANSACTION_NUMBER = "transaction_number"
    SERVICE_AREA = "service_area"
    EXPENSE_TYPE = "expense_type"
    SUPPLIER_ID = "supplier_id"

    @property
    def label(self) -> str:
        return _FIELD_LABELS[self]


_FIELD_LABELS = {
    SpendField.PAYMENT_DATE: "Payment date",
    SpendField.AMOUNT: "Amount",
    SpendField.SUPPLIER_NAME: "Supplier name",
    SpendField.TRANSACTION_NUMBER: "Transaction number",
    SpendField.SERVICE_AREA: "Service area",
    SpendField.EXPENSE_TYPE: "Expense type",
    SpendField.SUPPLIER_ID: "Supplier ID",
}
REQUIRED_FIELDS = (SpendField.PAYMENT_DATE, SpendField.AMOUNT, SpendField.SUPPLIER_NAME)

# Header spellings seen in councils' files, as _header_key leaves them, best first: a file
# with both "Net Amount" and "Gross Amount" maps the net one. Bracketed parts are dropped
# first, so "Amount (£)" is "amount" and "Payment Date (dd/mm/yyyy)" is "payment date".
# "Expense Area" is the Transparency Code template's name for the service area.
HEADER_SPELLINGS: dict[SpendField, tuple[str, ...]] = {
    SpendField.PAYMENT_DATE: (
        "payment date",
        "date paid",
        "paid date",
        "date of payment",
        "payment made date",
        "pay date",
        "transaction date",
        "date of transaction",
        "payment run date",
        "date",
    ),
    SpendField.AMOUNT: (
        "net amount",
        "amount excluding vat",
        "amount excl vat",
        "amount ex vat",
        "net value",
        "net",
        "amount",
        "amount paid",
        "payment amount",
        "transaction amount",
        "amount in sterling",
        "invoice amount",
        "value",
        "total",
        "total amount",
        "gross amount",
        "gross",
    ),
    SpendField.SUPPLIER_NAME: (
        "supplier name",
        "supplier",
        "beneficiary",
        "beneficiary name",
        "vendor name",
        "vendor",
        "payee",
        "payee name",
        "creditor name",
        "creditor",
        "merchant name",
        "merchant",
        "recipient",
        "recipient name",
        "paid to",
    ),
    SpendField.TRANSACTION_NUMBER: (
        "transaction number",
        "transaction no",
        "transaction id",
        "transaction ref",
        "transaction reference",
        "trans no",
        "trans ref",
        "unique transaction id",
        "payment reference",
        "payment ref",
        "payment number",
        "payment id",
        "document number",
        "doc no",
        "voucher number",
        "reference",
        "ref",
    ),
    SpendField.SERVICE_AREA: (
        "service area",
        "service",
        "expense area",
        "directorate",
        "department",
        "service division",
        "service area categorisation",
        "service label",
        "division",
        "portfolio",
    ),
    SpendField.EXPENSE_TYPE: (
        "expense type",
        "expenditure type",
        "expenditure category",
        "expense category",
        "expenses type",
        "expense description",
        "expenditure description",
        "account description",
        "subjective description",
        "subjective",
        "purpose of expenditure",
        "purpose",
        "category",
    ),
    SpendField.SUPPLIER_ID: (
        "supplier id",
        "vendor id",
        "supplier number",
        "supplier no",
        "vendor number",
        "vendor no",
        "supplier code",
        "vendor code",
        "supplier reference",
        "supplier ref",
        "creditor number",
        "creditor id",
        "beneficiary id",
        "payee id",
    ),
}
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def header_key(header: Any) -> str:
    """A header as compared: "Transaction No." -> "transaction no", "Amount (£)" -> "amount",
    "SUPPLIER_NAME" -> "supplier name", "Vendor I.D." -> "vendor id"."""
    text = "" if header is None else str(header).casefold()
    without_brackets = _BRACKETED.sub(" ", text)
    if _NOT_WORD.sub("", without_brackets):
        text = without_brackets
    text = text.replace(".", "")  # "No." and "I.D." as written without the stops
    return " ".join(_NOT_WORD.sub(" ", text.replace("£", " ")).split())


def propose_mapping(headers: Sequence[Any]) -> dict[SpendField, int]:
    """Which column (0 for the first) each field is in, from the headers' spellings. A field
    with no recognised header is left out; each column serves one field at most."""
    keys = [header_key(header) for header in headers]
    mapping: dict[SpendField, int] = {}
    for field, spellings in HEADER_SPELLINGS.items():
        for spelling in spellings:
            column = next(
                (
                    index
                    for index, key in enumerate(keys)
                    if key == spelling and index not in mapping.values()
                ),
                None,
            )
            if column is not None:
                mapping[field] = column
                break
    return mapping


def missing_fields(mapping: Mapping[SpendField, object]) -> list[SpendField]:
    """The required fields a mapping leaves out, in form order."""
    return [field for field in REQUIRED_FIELDS if field not in mapping]


def columns_by_header(
    headers: Sequence[Any], names: Mapping[SpendField, str]
) -> tuple[dict[SpendField, int], list[str]]:
    """A remembered mapping (field -> header text) applied to a file's headers: the columns
    found, and a message for each header the file does not have."""
    keys = [header_key(header) for header in headers]
    columns: dict[SpendField, int] = {}
    problems: list[str] = []
    for field, name in names.items():
        key = header_key(name)
        if key in keys:
            columns[field] = keys.index(key)
        else:
            problems.append(
                f"The selected file has no column called ‘{name}’ for the {field.label.lower()}"
            )
    return columns, problems


def choose_columns(
    headers: Sequence[Any], names: Mapping[SpendField, str] | None, *, may_propose: bool
) -> tuple[dict[SpendField, int], list[str]]:
    """Which column each field is read from in a file with these headers, and a message for
    each reason the file cannot be read so (none: it can).

    names: each field's header text, as a person chose it or as the council's files were last
    loaded with. may_propose (the names were remembered, not chosen, or there are none): when
    the file lacks one of them, its columns are proposed from the headers instead, as a new
    layout of the council's files has them; a person's choice is never second-guessed."""
    columns: dict[SpendField, int] = {}
    problems: list[str] = []
    if names is not None:
        columns, problems = columns_by_header(headers, names)
    if (names is None or problems) and may_propose:
        columns, problems = propose_mapping(headers), []
    if problems:
        return {}, problems
    return columns, [
        f"The selected file has no column for the {field.label.lower()}: "
        "choose the column that holds it"
        for field in missing_fields(columns)
    ]


# The year's analysis


class Location(StrEnum):
    LOCAL = "local"  # inside the council's local area
    WIDER = "wider"  # inside the wider area (the city region), outside the local one
    ELSEWHERE = "elsewhere"
    UNKNOWN = "unknown"  # no postcode, or one we cannot place: shown, never dropped

    @property
    def label(self) -> str:
        return _LOCATION_LABELS[self]


_LOCATION_LABELS = {
    Location.LOCAL: "In the local area",
    Location.WIDER: "In the wider area",
    Location.ELSEWHERE: "Elsewhere",
    Location.UNKNOWN: "Not known",
}


def location_of(postcode: str | None, local: set[str], wider: set[str]) -> Location:
    """Where a supplier is, from its postcode and the council's areas (districts "M1" and
    sectors "M27 4"): local, else in the wider area, else elsewhere; unknown without a
    postcode we can read. The wider area may include the local one."""
    if not postcode:
        return Location.UNKNOWN
    try:
        sector = sector_of(postcode)
    except InvalidPostcode:
        return Location.UNKNOWN
    if is_local(sector, local):
        return Location.LOCAL
    if is_local(sector, wider):
        return Location.WIDER
    return Location.ELSEWHERE


@dataclass(frozen=True)
class SupplierTotal:
    """One payee's net spend for a year, credit notes netted, with its classification.
    supplier_key None stands for redacted payments (people): counted in the totals, never a
    supplier. is_sme and is_vcse are None while nobody has said."""

    supplier_key: str | None
    total: Decimal
    location: Location = Location.UNKNOWN
    is_sme: bool | None = None
    is_vcse: bool | None = None
    is_public_body: bool = False


@dataclass(frozen=True)
class Share:
    key: str  # a Location value, or "yes" / "no" / "unknown"
    amount: Decimal
    # Of the top-N spend, to one decimal place, rounded so that a breakdown adds up to exactly
    # 100.0 (largest remainder); None when there is no top-N spend to share.
    percent: Decimal | None


@dataclass(frozen=True)
class SpendAnalysis:
    total_spend: Decimal  # every payment, credit notes netted: redacted and public bodies too
    redacted_spend: Decimal
    public_body_spend: Decimal
    top_n: int  # asked for; top_suppliers may be fewer
    top_suppliers: tuple[SupplierTotal, ...]  # by total, largest first
    top_spend: Decimal
    by_location: tuple[Share, ...]  # local, wider, elsewhere, unknown: always all four
    by_sme: tuple[Share, ...]  # yes, no, unknown
    by_vcse: tuple[Share, ...]


DEFAULT_TOP_N = 300  # CLES's Manchester work


def analyse_year(
    totals: Iterable[SupplierTotal],
    *,
    top_n: int = DEFAULT_TOP_N,
    include_public_bodies: bool = False,
) -> SpendAnalysis:
    """The year's headline figures from each payee's net total.

    The top N are the suppliers with the most spend, ties in order of supplier key (so the
    same figures always give the same list, and the N-th place is decided the same way).
    Redacted payments are never among them; public bodies are not unless asked for (as CLES
    does). A supplier whose net total is zero or negative (credit notes beyond its payments:
    usually a refund of an earlier year's invoice) received nothing this year, so it is never
    in the top N; its net total still counts in total spend, which is always the sum of every
    payment in the files. The shares are of the top-N spend."""
    if top_n < 1:
        raise ValueError("top_n must be at least 1")
    rows = list(totals)
    keys = [row.supplier_key for row in rows if row.supplier_key is not None]
    if len(keys) != len(set(keys)):
        raise ValueError("each supplier must have one total")
    total_spend = sum((row.total for row in rows), Decimal(0))
    redacted_spend = sum((row.total for row in rows if row.supplier_key is None), Decimal(0))
    public_body_spend = sum(
        (row.total for row in rows if row.supplier_key is not None and row.is_public_body),
        Decimal(0),
    )
    candidates = [
        row
        for row in rows
        if row.supplier_key is not None
        and row.total > 0
        and (include_public_bodies or not row.is_public_body)
    ]
    candidates.sort(key=lambda row: (-row.total, row.supplier_key))
    top = tuple(candidates[:top_n])
    top_spend = sum((row.total for row in top), Decimal(0))
    return SpendAnalysis(
        total_spend=total_spend,
        redacted_spend=redacted_spend,
        public_body_spend=public_body_spend,
        top_n=top_n,
        top_suppliers=top,
        top_spend=top_spend,
        by_location=_shares(top, [location.value for location in Location], _location_of),
        by_sme=_shares(top, ["yes", "no", "unknown"], lambda row: _yes_no(row.is_sme)),
        by_vcse=_shares(top, ["yes", "no", "unknown"], lambda row: _yes_no(row.is_vcse)),
    )


def _location_of(row: SupplierTotal) -> str:
    return row.location.value


def _yes_no(flag: bool | None) -> str:
    return "unknown" if flag is None else "yes" if flag else "no"


def _shares(
    rows: Sequence[SupplierTotal], keys: list[str], key_of: Callable[[SupplierTotal], str]
) -> tuple[Share, ...]:
    amounts = dict.fromkeys(keys, Decimal(0))
    for row in rows:
        amounts[key_of(row)] += row.total
    percents = largest_remainder_percents([amounts[key] for key in keys])
    return tuple(
        Share(key=key, amount=amounts[key], percent=percent)
        for key, percent in zip(keys, percents, strict=True)
    )


def largest_remainder_percents(amounts: Sequence[Decimal]) -> list[Decimal | None]:
    """Each amount's share of their sum, in tenths of a percent that add up to exactly 100.0:
    each is rounded down, then the tenths left over go to the largest remainders (ties to the
    earlier). All None if the sum is not positive. Worked in exact fractions."""
    if any(amount < 0 for amount in amounts):
        raise ValueError("shares are of amounts of zero or more")
    whole = sum(amounts, Decimal(0))
    if whole <= 0:
        return [None] * len(amounts)
    exact = [Fraction(amount) * 1000 / Fraction(whole) for amount in amounts]  # tenths
    tenths = [math.floor(value) for value in exact]
    left_over = 1000 - sum(tenths)  # fewer than len(amounts): each floor lost less than one
    by_remainder = sorted(
        range(len(exact)), key=lambda index: (tenths[index] - exact[index], index)
    )
    for index in by_remainder[:left_over]:
        tenths[index] += 1
    return [Decimal(value).scaleb(-1) for value in tenths]


@dataclass(frozen=True)
class GroupBreakdown:
    """The top-N suppliers' spend in one service area (or expense type), and where it went."""

    group: str
    spend: Decimal
    by_location: tuple[Share, ...]  # local, wider, elsewhere, unknown: always all four


NOT_GIVEN = "Not given"  # a payment without a service area or expense type


def breakdown(
    payments: Iterable[tuple[str | None, str | None, Decimal]],
    analysis: SpendAnalysis,
) -> list[GroupBreakdown]:
    """(group, supplier key, net amount) -> the top-N suppliers' spend in each group, largest
    first, with its shares by location: the headline's question asked of one service area or
    expense type. Payments to suppliers outside the top N are left out, as in the headline. A
    group whose top-N spend nets to zero or less is listed with no shares."""
    top = {row.supplier_key: row for row in analysis.top_suppliers}
    amounts: dict[str, dict[str, Decimal]] = {}
    for group, supplier_key, amount in payments:
        supplier = top.get(supplier_key) if supplier_key is not None else None
        if supplier is None:
            continue
        by_location = amounts.setdefault(
            group or NOT_GIVEN, dict.fromkeys([location.value for location in Location], ZERO)
        )
        by_location[supplier.location.value] += amount
    groups = []
    for group, by_location in amounts.items():
        values = list(by_location.values())
        spend = sum(values, ZERO)
        # A group's shares need every part at zero or more: credit notes beyond its
        # payments leave no share to show.
        percents = (
            largest_remainder_percents(values)
            if all(value >= 0 for value in values)
            else [None] * len(values)
        )
        groups.append(
            GroupBreakdown(
                group,
                spend,
                tuple(
                    Share(key, amount, percent)
                    for (key, amount), percent in zip(by_location.items(), percents, strict=True)
                ),
            )
        )
    return sorted(groups, key=lambda g: (-g.spend, g.group))


# Classifying payees in bulk: a downloaded file, filled in and uploaded back

PAYEE_REFERENCE = "Payee reference"
# The columns a person fills; each left out of the file changes nothing. A blank cell is
# "not known" (the download carries what is known, so a blank is one the person left or cleared).
CLASSIFICATION_COLUMNS = ("Postcode", "SME", "VCSE", "Public body")
_YES = {"yes", "y", "true"}
_NO = {"no", "n", "false"}


def parse_yes_no(value: Any) -> bool | None:
    """A yes/no cell: "yes", "Y", "no", "n" (any case), True/False from a workbook; blank is
    None (not known). Raises SpendProblem for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise SpendProblem("must be yes, no or left blank")


def parse_payee_postcode(value: Any) -> str | None:
    """A full UK postcode in its usual form (M4 5AB), or None for a blank cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return normalise_postcode(str(value))
    except InvalidPostcode as error:
        raise SpendProblem("must be a real UK postcode, like M4 5AB, or left blank") from error


@dataclass(frozen=True)
class ClassificationRow:
    """One row of an uploaded classification: the payee and the fields its file has columns
    for (a field the file has no column for is not in `values`)."""

    row: int  # as the spreadsheet shows it: the header is row 1
    payee_id: int
    values: dict[str, str | bool | None]  # "postcode", "is_sme", "is_vcse", "is_public_body"


@dataclass(frozen=True)
class RowProblem:
    row: int
    message: str


@dataclass(frozen=True)
class ClassificationPlan:
    rows: list[ClassificationRow]
    errors: list[RowProblem]

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows)


_CLASSIFICATION_FIELDS = {
    "postcode": "postcode",
    "sme": "is_sme",
    "vcse": "is_vcse",
    "public body": "is_public_body",
}


def plan_classification(
    table: Sequence[Sequence[Any]], known: Collection[int]
) -> ClassificationPlan:
    """Check every row of an uploaded classification (header first) against the council's
    payee ids `known`: every problem of every row, or the rows to apply. Columns are found by
    their headers in any order (the spend columns of the download are ignored)."""
    if not table:
        return ClassificationPlan([], [RowProblem(1, "The file has no header row")])
    headers = {header_key(cell): index for index, cell in reversed(list(enumerate(table[0])))}
    reference = headers.get(header_key(PAYEE_REFERENCE))
    if reference is None:
        return ClassificationPlan(
            [], [RowProblem(1, f"The file must have a column headed {PAYEE_REFERENCE}")]
        )
    columns = {
        field: headers[key] for key, field in _CLASSIFICATION_FIELDS.items() if key in headers
    }
    if not columns:
        listed = ", ".join(CLASSIFICATION_COLUMNS[:-1]) + f" or {CLASSIFICATION_COLUMNS[-1]}"
        return ClassificationPlan(
            [], [RowProblem(1, f"The file must have a column headed {listed}")]
        )
    rows: list[ClassificationRow] = []
    errors: list[RowProblem] = []
    seen: dict[int, int] = {}
    for number, cells in enumerate(table[1:], start=2):
        if not any(cell is not None and str(cell).strip() for cell in cells):
            continue
        cell = _cell_of(cells)
        problems: list[str] = []
        payee_id = _reference(cell(reference))
        if payee_id is None:
            problems.append(f"{PAYEE_REFERENCE} must be a payee reference from the download")
        elif payee_id not in known:
            problems.append(f"{PAYEE_REFERENCE} {payee_id} is not one of the council's payees")
        elif payee_id in seen:
            problems.append(f"{PAYEE_REFERENCE} {payee_id} is already on row {seen[payee_id]}")
        values: dict[str, str | bool | None] = {}
        for field, index in columns.items():
            label = _FIELD_NAMES[field]
            try:
                values[field] = (
                    parse_payee_postcode(cell(index))
                    if field == "postcode"
                    else parse_yes_no(cell(index))
                )
            except SpendProblem as problem:
                problems.append(f"{label} {problem}")
        errors.extend(RowProblem(number, message) for message in problems)
        if not problems and payee_id is not None:
            seen[payee_id] = number
            rows.append(ClassificationRow(number, payee_id, values))
    if not rows and not errors:
        errors.append(RowProblem(2, "The file has no payees in it"))
    return ClassificationPlan(rows, errors)


_FIELD_NAMES = {
    "postcode": "Postcode",
    "is_sme": "SME",
    "is_vcse": "VCSE",
    "is_public_body": "Public body",
}


def _cell_of(cells: Sequence[Any]) -> Callable[[int], Any]:
    return lambda index: cells[index] if index < len(cells) else None


_REFERENCE = re.compile(r"^\s*(\d{1,9})(?:\.0+)?\s*$")


def _reference(value: Any) -> int | None:
    """A payee reference as the download wrote it: a whole number (a workbook may give a float)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    match = _REFERENCE.match(str(value))
    return int(match[1]) if match else None


def yes_no_cell(flag: bool | None) -> str | None:
    """A classification as the download writes it: Yes, No, or blank for not known."""
    return None if flag is None else "Yes" if flag else "No"
