"""The demo council's published spend (design brief section 5b): two financial years of monthly
files in two councils' layouts, loaded as a council would load them, and partly classified,
so that the spend analysis shows something on first run.

- 2024/25 in a big city's layout: Windows-1252, a title line, `£1,234.56` amounts and
  `dd.mm.yyyy` dates; 2025/26 in the Transparency Code template (UTF-8, ISO dates).
- The demo's portal suppliers are paid under their own names (one also in capitals, as another
  finance system writes it), beside suppliers known only from spend, public bodies and payments
  to people.
- About two in three of the suppliers known only from spend have a postcode and an SME answer;
  the rest are left for someone to classify. The wider area is the city region.
"""

from __future__ import annotations

from sqlalchemy import select

from portal.data import local_areas, spend
from portal.data.models import Organisation, Payee, User
from portal.extensions import db
from portal.spend_samples import REDACTED, Supplier, year_of_files
from portal.workflows.spend import load_files

# Suppliers known only from spend: (name, postcode, SME, VCSE). None: nobody has said yet.
SPEND_ONLY: tuple[tuple[str, str | None, bool | None, bool | None], ...] = (
    ("Ardwick Plumbing & Heating Ltd", "M12 6AB", True, False),
    ("Salford Quays Office Supplies", "M50 3AZ", True, False),
    ("Stockport Tyres Ltd", "SK4 1AA", True, False),
    ("Northern Powerhouse Consulting LLP", "LS1 4AP", False, False),
    ("National Fleet Leasing plc", "B1 1AA", False, False),
    ("Chorlton Community Garden", "M21 9AB", True, True),
    ("Levenshulme Food Bank", None, None, True),
    ("Oldham Skip Hire", "OL1 1AA", None, None),
    ("Rochdale Signs & Graphics", None, None, None),
    ("Global Software Licensing Ltd", "EC1A 1BB", False, False),
)
PUBLIC_BODIES = (
    "Greater Northmoor Combined Authority",
    "HM Revenue & Customs",
    "Northmoor Fire and Rescue Service",
    "NHS Northmoor Integrated Care Board",
)
# The city region beyond Manchester's own districts: the towns around it.
REGION_TOWNS = ["SK1", "SK2", "SK3", "SK4", "SK5", "OL1", "OL2", "BL1", "BL2", "WN1"]
PAYMENTS_A_YEAR = 2_400
# The portal suppliers' postcodes, in turn: most in the city, some in the region, a few
# further away, and one nobody has recorded.
SUPPLIER_POSTCODES = (
    "M1 1AE",
    "M4 5JD",
    "M15 4FN",
    "SK4 1AA",
    "M40 8WN",
    "LS1 4AP",
    "M12 6JH",
    "OL1 1XX",
    None,
    "M20 2RN",
)


def suppliers(portal_suppliers: list[str]) -> list[Supplier]:
    """Who the files pay, with weights that let a few take most of the spend."""
    paid: list[Supplier] = [
        (name, f"V{1001 + n}", 12 if n < 6 else 5) for n, name in enumerate(portal_suppliers)
    ]
    paid.append((portal_suppliers[0].upper().replace(" LTD", " LIMITED"), "V1001", 3))
    paid += [(name, f"V{3001 + n}", 4) for n, (name, _, _, _) in enumerate(SPEND_ONLY)]
    paid += [(name, f"V{2001 + n}", 6) for n, name in enumerate(PUBLIC_BODIES)]
    paid.append((REDACTED, "", 8))
    return paid


def load_demo_spend(council: Organisation, portal_suppliers: list[str], by: User) -> None:
    """Load the two years (and commit, as a load does), then classify some of the payees."""
    paid = suppliers(portal_suppliers)
    files = year_of_files(
        "city", 2024, PAYMENTS_A_YEAR, seed=7, suppliers=paid, council=council.name
    ) + year_of_files(
        "template", 2025, PAYMENTS_A_YEAR, seed=8, suppliers=paid, council=council.name
    )
    load_files(council, files, by=by)
    region = local_areas.save(
        council.id,
        None,
        name="Greater Northmoor",
        codes=_region_codes(),
        make_default=False,
        by=None,
    )
    settings = spend.settings_of(council.id)
    top_n = settings.top_n if settings else 300
    spend.save_settings(
        council.id, top_n=top_n, wider_area_id=region.id, public_body_patterns=None, by=by
    )
    known = {name: (postcode, sme, vcse) for name, postcode, sme, vcse in SPEND_ONLY}
    matched = 0
    for payee in db.session.scalars(
        select(Payee).where(Payee.council_id == council.id).order_by(Payee.name)
    ):
        if payee.name in known:
            payee.postcode, payee.is_sme, payee.is_vcse = known[payee.name]
        elif payee.organisation_id is not None:
            # Most of the council's own suppliers are confirmed and placed; a few are left
            # for someone to do.
            payee.organisation_confirmed = matched % 5 != 4
            payee.postcode = SUPPLIER_POSTCODES[matched % len(SUPPLIER_POSTCODES)]
            matched += 1
    db.session.flush()


def _region_codes() -> list[str]:
    """Every district of the city region (M1 to M99 and the towns around it): an area holds
    districts and sectors, not whole postcode areas."""
    return [f"M{n}" for n in range(1, 100)] + REGION_TOWNS
