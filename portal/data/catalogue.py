"""The measures a new council starts with (design brief section 4). The council edits them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from portal.data import measures
from portal.data.models import Measure
from portal.data.types import MeasureKind, MeasureUnit, WorkforceDerivation

PEOPLE_EVIDENCE = (
    "Anonymised workforce records from your HR system: your own worker reference (never a "
    "name), home postcode, age band, start and end dates, weekly hours and share of time on "
    "this contract. Keep the payroll extract that backs them."
)

FAIR_WORK_EVIDENCE = (
    PEOPLE_EVIDENCE + " For fair work, each person's basic hourly pay (before tax, without "
    "overtime or bonuses), contract type and guaranteed weekly hours, from the payroll."
)
_OF_FTE = (
    "FTE is counted as for local people employed: weekly hours (at most 37) ÷ 37 × share of "
    "time on the contract × days engaged ÷ days in the period."
)
_LIVING_WAGE_RULE = (
    "Paid at least the real Living Wage in force for the period (the London rate where the "
    "work is done in London): basic hourly pay before tax, without overtime or bonuses. "
    "Counted over the FTE whose hourly pay is given; the share of FTE with pay given (the "
    "coverage) is shown beside it. With no pay given, there is no figure, never 0%. " + _OF_FTE
)
_SECURE_WORK_RULE = (
    "In secure work: not on a zero-hours or casual contract, and guaranteed at least 16 hours a "
    "week. Counted over the FTE whose contract type and guaranteed hours are given (a "
    "zero-hours or casual contract is insecure whatever its hours); the share of FTE with them "
    "given (the coverage) is shown beside it. With none of them given, there is no figure, never "
    "0%. " + _OF_FTE
)

# Fair work (design brief section 5a): each a floor phrased positively, as a % of FTE.
FAIR_WORK_MEASURES: list[dict[str, Any]] = [
    {
        "code": "LIVING_WAGE",
        "name": "FTE paid at least the real Living Wage",
        "derivation": WorkforceDerivation.LIVING_WAGE,
        "counting_rule": "The % of the contract's full-time equivalent (FTE) in the period "
        "that is " + _LIVING_WAGE_RULE[0].lower() + _LIVING_WAGE_RULE[1:],
    },
    {
        "code": "SECURE_WORK",
        "name": "FTE in secure work",
        "derivation": WorkforceDerivation.SECURE_WORK,
        "counting_rule": "The % of the contract's full-time equivalent (FTE) in the period "
        "that is " + _SECURE_WORK_RULE[0].lower() + _SECURE_WORK_RULE[1:],
    },
    {
        "code": "OLDER_LIVING_WAGE",
        "name": "Older workers' FTE paid at least the real Living Wage (50+)",
        "derivation": WorkforceDerivation.OLDER_LIVING_WAGE,
        "counting_rule": "The % of the FTE of workers aged 50 or over at their start date that "
        "is " + _LIVING_WAGE_RULE[0].lower() + _LIVING_WAGE_RULE[1:],
    },
    {
        "code": "OLDER_SECURE_WORK",
        "name": "Older workers' FTE in secure work (50+)",
        "derivation": WorkforceDerivation.OLDER_SECURE_WORK,
        "counting_rule": "The % of the FTE of workers aged 50 or over at their start date that "
        "is " + _SECURE_WORK_RULE[0].lower() + _SECURE_WORK_RULE[1:],
    },
]
for _measure in FAIR_WORK_MEASURES:
    _measure |= {
        "unit": MeasureUnit.PERCENT,
        "kind": MeasureKind.LEVEL,
        "evidence_guidance": FAIR_WORK_EVIDENCE,
    }

DEFAULT_MEASURES: list[dict[str, Any]] = [
    {
        "code": "LOCAL_HIRES",
        "name": "Local people hired",
        "unit": MeasureUnit.PEOPLE,
        "kind": MeasureKind.CUMULATIVE,
        "derivation": WorkforceDerivation.LOCAL_HIRES,
        "counting_rule": "New hires whose start date falls in the period and whose home "
        "postcode lies in the contract's local area. Each person counts once.",
        "evidence_guidance": PEOPLE_EVIDENCE,
    },
    {
        "code": "LOCAL_FTE",
        "name": "Local people employed (FTE)",
        "unit": MeasureUnit.FTE,
        "kind": MeasureKind.LEVEL,
        "derivation": WorkforceDerivation.LOCAL_FTE,
        "counting_rule": "Full-time equivalent of local workers in the period: weekly hours ÷ 37 "
        "× share of time on the contract × days employed ÷ days in the period.",
        "evidence_guidance": PEOPLE_EVIDENCE,
        "proxy_value": Decimal("28500.00"),
        "proxy_price_year": 2024,
    },
    {
        "code": "APPRENTICE_STARTS",
        "name": "Apprenticeship starts",
        "unit": MeasureUnit.PEOPLE,
        "kind": MeasureKind.CUMULATIVE,
        "derivation": WorkforceDerivation.APPRENTICESHIP_STARTS,
        "counting_rule": "Apprentices on a level 2 to 7 apprenticeship that starts in the period.",
        "evidence_guidance": PEOPLE_EVIDENCE + " Keep each apprenticeship agreement.",
    },
    {
        "code": "APPRENTICE_WEEKS",
        "name": "Weeks of apprenticeship",
        "unit": MeasureUnit.WEEKS,
        "kind": MeasureKind.CUMULATIVE,
        "derivation": WorkforceDerivation.APPRENTICESHIP_WEEKS,
        "counting_rule": "Days on an apprenticeship within the period, divided by 7.",
        "evidence_guidance": PEOPLE_EVIDENCE + " Keep each apprenticeship agreement.",
        "proxy_value": Decimal("250.00"),
        "proxy_price_year": 2024,
    },
    {
        "code": "OLDER_HIRES",
        "name": "Older workers hired (50+)",
        "unit": MeasureUnit.PEOPLE,
        "kind": MeasureKind.CUMULATIVE,
        "derivation": WorkforceDerivation.OLDER_WORKER_HIRES,
        "counting_rule": "New hires aged 50 or over at their start date, starting in the period.",
        "evidence_guidance": PEOPLE_EVIDENCE,
    },
    {
        "code": "VOLUNTEER_HOURS",
        "name": "Staff volunteering hours",
        "unit": MeasureUnit.HOURS,
        "kind": MeasureKind.CUMULATIVE,
        "counting_rule": "Hours your staff volunteered, in paid time, for local community "
        "organisations in the period.",
        "evidence_guidance": "A log of volunteering sessions (date, organisation, hours) signed "
        "off by the organisation.",
        "proxy_value": Decimal("18.00"),
        "proxy_price_year": 2024,
    },
    {
        "code": "LOCAL_SPEND",
        "name": "Spend with local suppliers",
        "unit": MeasureUnit.POUNDS,
        "kind": MeasureKind.CUMULATIVE,
        "counting_rule": "Money paid in the period to suppliers based in the local area for work "
        "on this contract, excluding VAT.",
        "evidence_guidance": "Invoices or a ledger extract showing each payment, the supplier "
        "and its address.",
    },
    *FAIR_WORK_MEASURES,
]


def install_defaults(council_id: int) -> list[Measure]:
    return [measures.create(council_id, by=None, **definition) for definition in DEFAULT_MEASURES]
