from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.spend import (
    DEFAULT_PUBLIC_BODY_PATTERNS,
    MAX_AMOUNT,
    ClassificationRow,
    Location,
    RowProblem,
    Share,
    SpendField,
    SpendProblem,
    SupplierTotal,
    analyse_year,
    breakdown,
    choose_columns,
    columns_by_header,
    format_amount,
    header_key,
    is_redacted,
    largest_remainder_percents,
    location_of,
    looks_like_public_body,
    missing_fields,
    normalise_supplier_name,
    parse_amount,
    parse_payee_postcode,
    parse_payment_date,
    parse_yes_no,
    payee_key,
    plan_classification,
    propose_mapping,
    yes_no_cell,
)

D = Decimal
AMOUNT_INVALID = "Amount must be an amount in pounds, like 1,234.56 or -12.00"

# Amounts


@pytest.mark.parametrize(
    ("cell", "amount"),
    [
        ("£1,234.56", "1234.56"),
        ("-£12.00", "-12.00"),
        ("£-12.00", "-12.00"),
        ("(12.00)", "-12.00"),
        ("(£1,000)", "-1000.00"),
        ("12.00-", "-12.00"),  # SAP's trailing minus
        ("1234.5", "1234.50"),
        ("  1234.5  ", "1234.50"),
        ("£ 500", "500.00"),
        ("\u00a0£500.00\u00a0", "500.00"),  # non-breaking spaces from a web page
        ("GBP 12", "12.00"),
        ("+12", "12.00"),
        ("1,234,567.8", "1234567.80"),
        (".5", "0.50"),
        ("12.", "12.00"),
        ("0.005", "0.01"),  # a fraction of a penny, half up
        ("-0.004", "0.00"),
        ("-0.00", "0.00"),
        (1234, "1234.00"),
        (1234.5, "1234.50"),
        (0.1 + 0.2, "0.30"),  # a sum Excel stored as a float
        (D("99.999"), "100.00"),
        (-12, "-12.00"),
    ],
)
def test_amounts_as_councils_publish_them(cell: object, amount: str) -> None:
    parsed = parse_amount(cell)
    assert parsed == D(amount) and str(parsed) == amount


@pytest.mark.parametrize(
    "cell",
    [
        "12,50",  # a decimal comma: refused, not read as 1,250
        "1,2345",
        "1,23,456",
        "--12",
        "-(12)",
        "(-12)",
        "-12-",
        "(12",
        "12)",
        "£",
        "twelve",
        "12 pounds",
        "$12",
        "1e5",
        "NaN",
        True,
        float("nan"),
        float("inf"),
        D("NaN"),
        [12],
    ],
)
def test_amounts_that_are_not_amounts(cell: object) -> None:
    with pytest.raises(SpendProblem, match=f"^{AMOUNT_INVALID}$"):
        parse_amount(cell)


@pytest.mark.parametrize("cell", [None, "", "   "])
def test_a_missing_amount(cell: object) -> None:
    with pytest.raises(SpendProblem, match="^Enter the amount$"):
        parse_amount(cell)


@pytest.mark.parametrize("cell", ["£1,000,000,000.00", -1e9, "999999999999"])
def test_an_amount_of_a_billion_or_more_is_a_mistake(cell: object) -> None:
    with pytest.raises(SpendProblem, match="^Amount must be less than £1,000,000,000 either way$"):
        parse_amount(cell)
    assert parse_amount("£999,999,999.99") == D("999999999.99")


def test_format_amount_writes_what_the_windows_files_hold() -> None:
    assert format_amount(D("1234.5")) == "£1,234.50"
    assert format_amount(D("-12")) == "-£12.00"


pennies = st.decimals(min_value=-MAX_AMOUNT + D("0.01"), max_value=MAX_AMOUNT - D("0.01"), places=2)


@given(pennies)
def test_formatted_amounts_read_back_the_same(amount: Decimal) -> None:
    assert parse_amount(format_amount(amount)) == amount
    assert parse_amount(f"{amount:.2f}") == amount
    assert parse_amount(f"({abs(amount):,.2f})") == -abs(amount)


# Dates


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        ("31/03/2025", date(2025, 3, 31)),
        ("1/4/2025", date(2025, 4, 1)),
        ("01/04/25", date(2025, 4, 1)),
        ("31.03.2025", date(2025, 3, 31)),
        ("1.4.2025", date(2025, 4, 1)),
        ("31-03-2025", date(2025, 3, 31)),
        ("2025-03-31", date(2025, 3, 31)),
        ("2025-4-1", date(2025, 4, 1)),
        ("31-Mar-2025", date(2025, 3, 31)),
        ("01-APR-24", date(2024, 4, 1)),  # Oracle's default
        ("1 April 2025", date(2025, 4, 1)),
        ("1 Sept 2025", date(2025, 9, 1)),
        ("01/04/2024 00:00:00", date(2024, 4, 1)),
        ("01/04/2024 14:30", date(2024, 4, 1)),
        ("2024-04-01T00:00:00", date(2024, 4, 1)),
        ("2024-04-01 09:15:00.000", date(2024, 4, 1)),
        ("  12/05/2024  ", date(2024, 5, 12)),  # day first: UK files
        ("45383", date(2024, 4, 1)),  # an Excel serial saved as text
        (45383, date(2024, 4, 1)),
        (45383.75, date(2024, 4, 1)),  # 6 pm on that day
        (D("45383"), date(2024, 4, 1)),
        (36526, date(2000, 1, 1)),
        (date(2024, 4, 1), date(2024, 4, 1)),
        (datetime(2024, 4, 1, 23, 59), date(2024, 4, 1)),
    ],
)
def test_payment_dates_as_councils_publish_them(cell: object, day: date) -> None:
    assert parse_payment_date(cell) == day


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (None, "Enter the payment date"),
        ("", "Enter the payment date"),
        ("31/02/2024", "Payment date must be a real date, like 31/03/2025"),
        ("29/02/2023", "Payment date must be a real date, like 31/03/2025"),
        ("04/13/2024", "Payment date must be a real date, like 31/03/2025"),  # American
        ("2024-02-30", "Payment date must be a real date, like 31/03/2025"),
        ("00/01/2024", "Payment date must be a real date, like 31/03/2025"),
        ("31/03/2025/1", "Payment date must be a date, like 31/03/2025"),
        ("31/03-2025", "Payment date must be a date, like 31/03/2025"),  # separators differ
        ("31 Marchish 2025", "Payment date must be a date, like 31/03/2025"),
        ("2025", "Payment date must be a date, like 31/03/2025"),
        ("yesterday", "Payment date must be a date, like 31/03/2025"),
        ("1234567", "Payment date must be a date, like 31/03/2025"),
        (True, "Payment date must be a date, like 31/03/2025"),
        (float("nan"), "Payment date must be a date, like 31/03/2025"),
        ("31/12/1999", "Payment date must be between 1 January 2000 and 31 December 2099"),
        ("01/01/2100", "Payment date must be between 1 January 2000 and 31 December 2099"),
        (5_000_123, "Payment date must be between 1 January 2000 and 31 December 2099"),
        (12, "Payment date must be between 1 January 2000 and 31 December 2099"),
        ("36525", "Payment date must be between 1 January 2000 and 31 December 2099"),
        (date(1999, 12, 31), "Payment date must be between 1 January 2000 and 31 December 2099"),
    ],
)
def test_dates_that_are_not_payment_dates(cell: object, message: str) -> None:
    with pytest.raises(SpendProblem, match=f"^{message}$"):
        parse_payment_date(cell)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_every_written_form_of_a_date_reads_back(day: date) -> None:
    serial = (day - date(1899, 12, 30)).days
    for written in (
        day.strftime("%d/%m/%Y"),
        day.strftime("%d.%m.%Y"),
        day.isoformat(),
        f"{day.day}/{day.month}/{day.year}",
        day.strftime("%d-%b-%Y"),
        str(serial),
    ):
        assert parse_payment_date(written) == day
    assert parse_payment_date(serial) == day


# Supplier names


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Acme Ltd", "acme"),
        ("ACME LIMITED", "acme"),
        ("  Acme   Limited. ", "acme"),
        ("Acme (UK) Ltd", "acme uk"),
        ("Greenway Waste Management PLC", "greenway waste management"),
        ("Greenway Waste Management Public Limited Company", "greenway waste management"),
        ("Pennine IT Solutions LLP", "pennine it solutions"),
        ("Northtown Community Food CIC", "northtown community food"),
        ("Acme Holdings Ltd Limited", "acme holdings"),  # every trailing form
        ("Ltd Cleaning Services", "ltd cleaning services"),  # only at the end
        ("Limited", "limited"),  # nothing else to keep
        ("The Community Food Network", "community food network"),
        ("Community Food Network, The", "community food network the"),
        ("The", "the"),
        ("Smith & Sons Ltd", "smith and sons"),
        ("Smith and Sons Limited", "smith and sons"),
        ("Marks+Spencer", "marks and spencer"),
        ("Sainsbury's Supermarkets Ltd", "sainsburys supermarkets"),
        ("Sainsbury’s Supermarkets Ltd", "sainsburys supermarkets"),  # a curly apostrophe
        ("St. Anne's Youth Trust", "st annes youth trust"),
        ("A.B.C. Cleaning", "abc cleaning"),
        ("Smith-Jones Builders", "smith jones builders"),
        ("Café Boulevard Catering Ltd", "cafe boulevard catering"),
        ("Acme Care & Support Ltd T/A Acme Homecare", "acme care and support"),
        ("Acme Care & Support Ltd t/a Acme Homecare", "acme care and support"),
        ("Acme Care & Support Ltd T / A Acme Homecare", "acme care and support"),
        ("J Smith T/As Smith Plumbing", "j smith"),
        ("Acme Care Ltd (trading as Acme Homecare)", "acme care"),
        ("T/A Acme Homecare", "t a acme homecare"),  # no legal entity to keep
        ("Art/Aesthetics Studio", "art aesthetics studio"),  # not "t/a"
        ("", ""),
        ("   ", ""),
        ("---", ""),
    ],
)
def test_names_are_matched_by_a_normalised_key(name: str, key: str) -> None:
    assert normalise_supplier_name(name) == key


def test_spellings_of_one_supplier_share_a_key() -> None:
    spellings = [
        "Northtown Building Services Ltd",
        "NORTHTOWN BUILDING SERVICES LIMITED",
        "Northtown Building Services Ltd.",
        "The Northtown Building Services Ltd T/A NBS",
    ]
    assert {normalise_supplier_name(name) for name in spellings} == {"northtown building services"}


@given(st.text())
def test_normalising_twice_changes_nothing(name: str) -> None:
    once = normalise_supplier_name(name)
    assert normalise_supplier_name(once) == once


@pytest.mark.parametrize(
    "name",
    [
        "Redacted Personal Information",
        "REDACTED PERSONAL INFORMATION",
        "REDACTED",
        "Redacted",
        "Redacted - personal data",
        "Redacted (Personal Data)",
        "[Redacted]",
        "Personal information redacted",
        "Personal Data Redacted",
        "Redacted under DPA",
        "Data redacted",
        "Withheld",
        "Name withheld",
        "Personal Data",
        "Personal Information",
        "Private Individual",
        "Individual",
        "DPA",
        "*****",
        "XXXX",
    ],
)
def test_names_withheld_from_the_file_are_redacted(name: str) -> None:
    assert is_redacted(name)


@pytest.mark.parametrize(
    "name",
    [
        "Personal Touch Catering Ltd",
        "Individual Care Services Ltd",
        "Data Protection Training Ltd",
        "Acme Ltd",
        "XL Cleaning",
        "",
    ],
)
def test_supplier_names_are_not_redacted(name: str) -> None:
    assert not is_redacted(name)


@pytest.mark.parametrize(
    "name",
    [
        "Bolton Metropolitan Borough Council",
        "SALFORD CITY COUNCIL",
        "Greater Northtown Combined Authority",
        "Environment Agency Flood Defence Levy",
        "Police and Crime Commissioner Precept",
        "NHS Northtown Integrated Care Board",
        "Northtown University Hospitals NHS Foundation Trust",
        "HM Revenue & Customs",
        "HMRC",
        "Northtown Primary School",
        "St. Mary's R.C. High School",
        "Riverside Fire and Rescue Service",
        "Transport for Greater Manchester",
        "Greater Manchester Pension Fund",
    ],
)
def test_public_bodies_are_proposed_from_the_default_words(name: str) -> None:
    assert looks_like_public_body(name)


@pytest.mark.parametrize(
    "name",
    [
        "Schoolwear Direct Ltd",  # whole words only
        "Councillor Training Ltd",
        "Acme Care & Support Ltd",
        "Firework Displays Ltd",
        "Policemen's Helmets Ltd",
    ],
)
def test_businesses_are_not_public_bodies(name: str) -> None:
    assert not looks_like_public_body(name)


def test_a_council_edits_the_words() -> None:
    own = ("Northtown Homes", "council")
    assert looks_like_public_body("NORTHTOWN HOMES LTD", own)
    assert not looks_like_public_body("Northtown Primary School", own)
    assert not looks_like_public_body("Northtown Council", ())
    assert not looks_like_public_body("Anything", ("", "  "))  # an empty line matches nothing
    assert "council" in DEFAULT_PUBLIC_BODY_PATTERNS


# Column mapping

CITY = [
    "Organisation Name",
    "Directorate",
    "Expenditure Category",
    "Date Paid",
    "Transaction No.",
    "Amount (£)",
    "Beneficiary",
]
TEMPLATE = [
    "Body Name",
    "Body",
    "Payment Date",
    "Transaction Number",
    "Net Amount",
    "Supplier Name",
    "Supplier ID",
    "Expense Area",
    "Expense Type",
    "Expense Code",
]


def test_a_city_layout_is_mapped() -> None:
    assert propose_mapping(CITY) == {
        SpendField.SERVICE_AREA: 1,
        SpendField.EXPENSE_TYPE: 2,
        SpendField.PAYMENT_DATE: 3,
        SpendField.TRANSACTION_NUMBER: 4,
        SpendField.AMOUNT: 5,
        SpendField.SUPPLIER_NAME: 6,
    }


def test_the_transparency_code_template_is_mapped() -> None:
    assert propose_mapping(TEMPLATE) == {
        SpendField.PAYMENT_DATE: 2,
        SpendField.TRANSACTION_NUMBER: 3,
        SpendField.AMOUNT: 4,
        SpendField.SUPPLIER_NAME: 5,
        SpendField.SUPPLIER_ID: 6,
        SpendField.SERVICE_AREA: 7,  # "Expense Area" is the template's service area
        SpendField.EXPENSE_TYPE: 8,
    }


def test_headers_are_compared_without_case_space_or_punctuation() -> None:
    headers = [
        " PAYMENT_DATE ",
        "amount  (£)",
        "VENDOR-NAME",
        "Vendor I.D.",
        "trans. no",
        "SERVICE  AREA:",
        "Expenses Type",
    ]
    assert propose_mapping(headers) == {
        SpendField.PAYMENT_DATE: 0,
        SpendField.AMOUNT: 1,
        SpendField.SUPPLIER_NAME: 2,
        SpendField.SUPPLIER_ID: 3,
        SpendField.TRANSACTION_NUMBER: 4,
        SpendField.SERVICE_AREA: 5,
        SpendField.EXPENSE_TYPE: 6,
    }


def test_the_best_spelling_wins_and_a_column_serves_one_field() -> None:
    headers = ["Date", "Gross Amount", "Net Amount", "Payee", "Supplier", "Date Paid"]
    assert propose_mapping(headers) == {
        SpendField.PAYMENT_DATE: 5,  # "Date Paid" before a bare "Date"
        SpendField.AMOUNT: 2,  # net before gross
        SpendField.SUPPLIER_NAME: 4,
    }


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Amount (£)", "amount"),
        ("Payment Date (dd/mm/yyyy)", "payment date"),
        ("Value £", "value"),
        ("Transaction No.", "transaction no"),
        ("(£)", ""),
        (None, ""),
        (2024, "2024"),
    ],
)
def test_header_keys(header: object, key: str) -> None:
    assert header_key(header) == key


def test_unrecognised_headers_leave_the_required_fields_missing() -> None:
    mapping = propose_mapping(["Date of the thing", "Cost", "Who"])
    assert mapping == {}
    assert missing_fields(mapping) == [
        SpendField.PAYMENT_DATE,
        SpendField.AMOUNT,
        SpendField.SUPPLIER_NAME,
    ]
    assert missing_fields(propose_mapping(CITY)) == []


def test_a_remembered_mapping_is_found_by_header_wherever_the_column_moved() -> None:
    remembered = {
        SpendField.PAYMENT_DATE: "Date Paid",
        SpendField.AMOUNT: "Amount (£)",
        SpendField.SUPPLIER_NAME: "Beneficiary",
    }
    columns, problems = columns_by_header(["beneficiary", "AMOUNT (£)", "Date paid "], remembered)
    assert columns == {
        SpendField.PAYMENT_DATE: 2,
        SpendField.AMOUNT: 1,
        SpendField.SUPPLIER_NAME: 0,
    }
    assert problems == []
    columns, problems = columns_by_header(["Date Paid", "Net Amount", "Beneficiary"], remembered)
    assert problems == ["The selected file has no column called ‘Amount (£)’ for the amount"]


def test_columns_chosen_by_a_person_are_read_as_chosen_or_refused() -> None:
    chosen = {
        SpendField.PAYMENT_DATE: "When",
        SpendField.AMOUNT: "Amount (£)",
        SpendField.SUPPLIER_NAME: "Who",
    }
    assert choose_columns(["Who", "When", "amount (£)"], chosen, may_propose=False) == (
        {SpendField.PAYMENT_DATE: 1, SpendField.AMOUNT: 2, SpendField.SUPPLIER_NAME: 0},
        [],
    )
    # A file with the usual headers is still read as the person said, so refused here.
    assert choose_columns(CITY, chosen, may_propose=False) == (
        {},
        [
            "The selected file has no column called ‘When’ for the payment date",
            "The selected file has no column called ‘Who’ for the supplier name",
        ],
    )
    # Chosen without a required field: the file cannot be read.
    _, problems = choose_columns(CITY, {SpendField.AMOUNT: "Amount (£)"}, may_propose=False)
    assert problems == [
        "The selected file has no column for the payment date: choose the column that holds it",
        "The selected file has no column for the supplier name: choose the column that holds it",
    ]


def test_remembered_columns_give_way_to_a_proposal_when_the_layout_changed() -> None:
    remembered = {
        SpendField.PAYMENT_DATE: "Date Paid",
        SpendField.AMOUNT: "Amount (£)",
        SpendField.SUPPLIER_NAME: "Beneficiary",
    }
    assert choose_columns(CITY, remembered, may_propose=True) == (
        {SpendField.PAYMENT_DATE: 3, SpendField.AMOUNT: 5, SpendField.SUPPLIER_NAME: 6},
        [],
    )  # only the remembered fields, though the file has more that a proposal would find
    assert choose_columns(TEMPLATE, remembered, may_propose=True) == (
        propose_mapping(TEMPLATE),
        [],
    )
    assert choose_columns(TEMPLATE, None, may_propose=True) == (propose_mapping(TEMPLATE), [])
    _, problems = choose_columns(["When", "Cost", "Who"], remembered, may_propose=True)
    assert len(problems) == 3 and problems[0].endswith("choose the column that holds it")


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Acme Ltd", "acme"),
        ("ACME LIMITED", "acme"),
        ("-", "-"),  # nothing left to normalise: the name stands for itself
        ("  ?  ? ", "? ?"),
        ("&" * 255, " ".join(["and"] * 255)[:255]),
    ],
)
def test_payee_keys(name: str, key: str) -> None:
    assert payee_key(name) == key


# The year's analysis


def supplier(
    key: str | None,
    total: str,
    location: Location = Location.UNKNOWN,
    *,
    sme: bool | None = None,
    vcse: bool | None = None,
    public: bool = False,
) -> SupplierTotal:
    return SupplierTotal(key, D(total), location, sme, vcse, public)


def shares(breakdown: tuple[Share, ...]) -> dict[str, tuple[str, str | None]]:
    return {
        share.key: (str(share.amount), None if share.percent is None else str(share.percent))
        for share in breakdown
    }


def test_a_worked_year() -> None:
    # Worked by hand: total spend is every net total, 10,000 + 6,000 + 3,000 + 1,000 (a credit
    # note of 500 netted from 1,500) - 250 + 2,000 + 5,000 + 700 = 27,450.
    analysis = analyse_year(
        [
            supplier("acme", "10000", Location.LOCAL, sme=True),
            supplier("brightstart", "6000", Location.WIDER, sme=True, vcse=False),
            supplier("greenway", "3000", Location.ELSEWHERE, sme=False, vcse=False),
            supplier("food network", "1000", vcse=True),  # unknown location
            supplier("refunded", "-250", Location.LOCAL, sme=True),  # credit notes beyond pay
            supplier(None, "2000"),  # redacted: people
            supplier("northtown council", "5000", Location.LOCAL, public=True),
            supplier("tiny", "700", Location.LOCAL, sme=True, vcse=True),
        ],
        top_n=4,
    )
    assert analysis.total_spend == D("27450")
    assert analysis.redacted_spend == D("2000")
    assert analysis.public_body_spend == D("5000")
    assert [row.supplier_key for row in analysis.top_suppliers] == [
        "acme",
        "brightstart",
        "greenway",
        "food network",
    ]
    assert analysis.top_spend == D("20000")
    assert shares(analysis.by_location) == {
        "local": ("10000", "50.0"),
        "wider": ("6000", "30.0"),
        "elsewhere": ("3000", "15.0"),
        "unknown": ("1000", "5.0"),  # shown, never dropped
    }
    assert shares(analysis.by_sme) == {
        "yes": ("16000", "80.0"),
        "no": ("3000", "15.0"),
        "unknown": ("1000", "5.0"),
    }
    assert shares(analysis.by_vcse) == {
        "yes": ("1000", "5.0"),
        "no": ("9000", "45.0"),
        "unknown": ("10000", "50.0"),
    }


def test_public_bodies_are_ranked_only_when_asked() -> None:
    rows = [
        supplier("northtown council", "5000", Location.LOCAL, public=True),
        supplier("acme", "1000", Location.ELSEWHERE),
    ]
    left_out = analyse_year(rows, top_n=300)
    assert [row.supplier_key for row in left_out.top_suppliers] == ["acme"]
    assert shares(left_out.by_location)["local"] == ("0", "0.0")
    included = analyse_year(rows, top_n=300, include_public_bodies=True)
    assert [row.supplier_key for row in included.top_suppliers] == ["northtown council", "acme"]
    assert shares(included.by_location)["local"] == ("5000", "83.3")
    assert left_out.total_spend == included.total_spend == D("6000")


def test_ties_are_broken_by_key_at_the_cut_too() -> None:
    rows = [supplier(key, "100") for key in ("c", "a", "d", "b")] + [supplier("z", "200")]
    analysis = analyse_year(rows, top_n=3)
    assert [row.supplier_key for row in analysis.top_suppliers] == ["z", "a", "b"]
    assert analyse_year(reversed(rows), top_n=3) == analysis


def test_suppliers_netting_to_zero_or_less_are_never_top_but_still_in_the_total() -> None:
    analysis = analyse_year(
        [supplier("even", "0"), supplier("owes us", "-900"), supplier(None, "-100")], top_n=10
    )
    assert analysis.top_suppliers == ()
    assert analysis.total_spend == D("-1000")
    assert analysis.redacted_spend == D("-100")
    assert all(share.percent is None for share in analysis.by_location)
    assert [share.amount for share in analysis.by_location] == [D(0)] * 4


def test_an_empty_year() -> None:
    analysis = analyse_year([])
    assert analysis.total_spend == 0 and analysis.top_suppliers == ()
    assert analysis.top_n == 300
    assert [share.key for share in analysis.by_location] == [
        "local",
        "wider",
        "elsewhere",
        "unknown",
    ]


def test_one_total_per_supplier() -> None:
    with pytest.raises(ValueError, match="one total"):
        analyse_year([supplier("acme", "1"), supplier("acme", "2")])
    with pytest.raises(ValueError, match="at least 1"):
        analyse_year([], top_n=0)
    analysis = analyse_year([supplier(None, "1"), supplier(None, "2")])  # many redacted rows
    assert analysis.redacted_spend == 3


@pytest.mark.parametrize(
    ("amounts", "percents"),
    [
        (["1", "1", "1"], ["33.4", "33.3", "33.3"]),  # the tenth left over to the first
        (["2", "1"], ["66.7", "33.3"]),
        (["1", "0"], ["100.0", "0.0"]),
        (["0.01", "999.99"], ["0.0", "100.0"]),
        (["1", "1", "1", "1", "1", "1"], ["16.7", "16.7", "16.7", "16.7", "16.6", "16.6"]),
    ],
)
def test_percents_add_up_to_exactly_100(amounts: list[str], percents: list[str]) -> None:
    assert [str(p) for p in largest_remainder_percents([D(a) for a in amounts])] == percents


locations = st.sampled_from(list(Location))
flags = st.sampled_from([True, False, None])
supplier_rows = st.lists(
    st.tuples(
        st.decimals(min_value=-10_000, max_value=1_000_000, places=2),
        locations,
        flags,
        flags,
        st.booleans(),
    ),
    max_size=40,
)


@given(supplier_rows, st.integers(min_value=1, max_value=50), st.decimals(0, 50_000, places=2))
def test_shares_always_account_for_the_whole_top_n_spend(
    rows: list[tuple[Decimal, Location, bool | None, bool | None, bool]],
    top_n: int,
    redacted: Decimal,
) -> None:
    totals = [
        SupplierTotal(f"s{index}", total, location, sme, vcse, public)
        for index, (total, location, sme, vcse, public) in enumerate(rows)
    ]
    analysis = analyse_year([*totals, SupplierTotal(None, redacted)], top_n=top_n)
    assert analysis.total_spend == sum((row.total for row in totals), redacted)
    assert len(analysis.top_suppliers) <= top_n
    assert all(row.total > 0 and not row.is_public_body for row in analysis.top_suppliers)
    ranked = [row.total for row in analysis.top_suppliers]
    assert ranked == sorted(ranked, reverse=True)
    for shares in (analysis.by_location, analysis.by_sme, analysis.by_vcse):
        assert sum(share.amount for share in shares) == analysis.top_spend
        if analysis.top_spend > 0:
            assert sum(share.percent or 0 for share in shares) == 100
        else:
            assert all(share.percent is None for share in shares)
    # Nothing outside the top N has more than the smallest inside it.
    if ranked and len(ranked) == top_n:
        outside = [
            row.total
            for row in totals
            if row not in analysis.top_suppliers and not row.is_public_body
        ]
        assert all(total <= ranked[-1] for total in outside)


@given(st.one_of(st.text(), st.integers(), st.floats(), st.decimals(), st.dates(), st.none()))
def test_any_cell_is_read_or_refused_with_a_message(cell: object) -> None:
    for parse in (parse_amount, parse_payment_date):
        try:
            parse(cell)
        except SpendProblem as problem:
            assert str(problem)


# Where a supplier is, and the top suppliers' spend by service area


@pytest.mark.parametrize(
    ("postcode", "where"),
    [
        ("M1 1AA", Location.LOCAL),  # district M1 is local
        ("m4 5ab", Location.LOCAL),  # sector M4 5 is local, however it is typed
        ("M4 6AB", Location.WIDER),  # M4 is in the wider area, its sector 6 is not local
        ("SK1 3XX", Location.WIDER),
        ("LS1 4AP", Location.ELSEWHERE),
        (None, Location.UNKNOWN),
        ("", Location.UNKNOWN),
        ("Manchester", Location.UNKNOWN),  # not a postcode: unknown, never dropped
    ],
)
def test_a_supplier_is_placed_by_its_postcode(postcode: str | None, where: Location) -> None:
    assert location_of(postcode, {"M1", "M4 5"}, {"M1", "M4", "SK1"}) is where


def test_without_a_wider_area_everything_outside_the_local_one_is_elsewhere() -> None:
    assert location_of("SK1 3XX", {"M1"}, set()) is Location.ELSEWHERE


def test_the_top_suppliers_spend_by_service_area() -> None:
    # Top: a (local) 14,000 and b (wider) 8,000; c is a public body, left out of the top.
    # Highways: a 10,000 + b 8,000 = 18,000 (10,000 / 18,000 = 55.56%: 55.6% and 44.4%);
    # parks: a 5,000 - 1,000 = 4,000, all local; c's 50,000 on highways is not counted.
    analysis = analyse_year(
        [
            SupplierTotal("a", D(14000), Location.LOCAL),
            SupplierTotal("b", D(8000), Location.WIDER),
            SupplierTotal("c", D(50000), is_public_body=True),
            SupplierTotal(None, D(500)),
        ]
    )
    groups = breakdown(
        [
            ("Highways", "a", D(10000)),
            ("Highways", "b", D(8000)),
            ("Parks", "a", D(5000)),
            ("Parks", "a", D(-1000)),
            ("Highways", "c", D(50000)),
            (None, None, D(500)),  # redacted: never a supplier's
        ],
        analysis,
    )
    assert [(g.group, g.spend) for g in groups] == [("Highways", D(18000)), ("Parks", D(4000))]
    assert [s.percent for s in groups[0].by_location] == [D("55.6"), D("44.4"), D(0), D(0)]
    assert [s.percent for s in groups[1].by_location] == [D(100), D(0), D(0), D(0)]


def test_a_group_whose_credit_notes_outweigh_its_payments_has_no_shares() -> None:
    analysis = analyse_year([SupplierTotal("a", D(100), Location.LOCAL), SupplierTotal("b", D(50))])
    [works, refunds] = breakdown(
        [("Refunds", "a", D(-20)), ("Works", "a", D(120)), ("Refunds", "b", D(50))], analysis
    )
    assert works.group == "Works" and works.spend == D(120)
    assert refunds.spend == D(30) and all(s.percent is None for s in refunds.by_location)


# Classifying payees in bulk


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("yes", True),
        (" Y ", True),
        ("TRUE", True),
        (True, True),
        ("No", False),
        ("n", False),
        (False, False),
        ("", None),
        ("  ", None),
        (None, None),
    ],
)
def test_yes_no_cells(cell: object, expected: bool | None) -> None:
    assert parse_yes_no(cell) is expected


@pytest.mark.parametrize("cell", ["maybe", "1", 0, "yes please", "nope"])
def test_anything_else_is_not_a_yes_or_no(cell: object) -> None:
    with pytest.raises(SpendProblem, match="must be yes, no or left blank"):
        parse_yes_no(cell)


def test_payee_postcodes() -> None:
    assert parse_payee_postcode("m45ab") == "M4 5AB"
    assert parse_payee_postcode(" sk1 3xx ") == "SK1 3XX"
    assert parse_payee_postcode("") is None
    assert parse_payee_postcode(None) is None
    with pytest.raises(SpendProblem, match="real UK postcode"):
        parse_payee_postcode("M4")


def test_the_download_writes_yes_no_or_blank() -> None:
    assert [yes_no_cell(True), yes_no_cell(False), yes_no_cell(None)] == ["Yes", "No", None]


def test_a_classification_plan_takes_the_columns_the_file_has() -> None:
    table = [
        ["Payee", "Payee reference", "Spend (£)", "SME", "Public body"],
        ["Acme", 12, "100.00", "yes", ""],
        [],
        ["Bolton Council", 13.0, "50", "", "Yes"],
    ]
    plan = plan_classification(table, {12, 13})
    assert plan.errors == []
    assert plan.rows == [
        ClassificationRow(2, 12, {"is_sme": True, "is_public_body": None}),
        ClassificationRow(4, 13, {"is_sme": None, "is_public_body": True}),
    ]
    assert plan.is_valid


def test_every_problem_of_every_row_is_listed() -> None:
    table = [
        ["Payee reference", "Postcode", "SME", "VCSE"],
        ["12", "M1", "maybe", "no"],
        ["99", "", "", ""],
        ["twelve", "", "", ""],
        ["12", "", "", "y"],
        ["12", "", "", ""],
    ]
    plan = plan_classification(table, {12})
    assert plan.errors == [
        RowProblem(2, "Postcode must be a real UK postcode, like M4 5AB, or left blank"),
        RowProblem(2, "SME must be yes, no or left blank"),
        RowProblem(3, "Payee reference 99 is not one of the council's payees"),
        RowProblem(4, "Payee reference must be a payee reference from the download"),
        RowProblem(6, "Payee reference 12 is already on row 5"),
    ]
    assert not plan.is_valid


def test_a_file_without_the_reference_or_any_column_to_fill_is_refused() -> None:
    assert plan_classification([["Payee", "SME"], ["Acme", "yes"]], {1}).errors == [
        RowProblem(1, "The file must have a column headed Payee reference")
    ]
    assert plan_classification([["Payee reference", "Payee"], [1, "Acme"]], {1}).errors == [
        RowProblem(1, "The file must have a column headed Postcode, SME, VCSE or Public body")
    ]
    assert plan_classification([["Payee reference", "SME"]], {1}).errors == [
        RowProblem(2, "The file has no payees in it")
    ]
    assert plan_classification([], {1}).errors == [RowProblem(1, "The file has no header row")]
