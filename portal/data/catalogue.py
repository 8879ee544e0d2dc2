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
]


def install_defaults(council_id: int) -> list[Measure]:
    return [measures.create(council_id, by=None, **definition) for definition in DEFAULT_MEASURES]
