"""Builders for test data, through the data layer so the same rules apply as in the app."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from portal.data import catalogue, contracts, living_wage, organisations, users
from portal.data.models import Contract, Measure, Organisation, Return, User
from portal.data.types import OrganisationKind, Role

PASSWORD = "correct horse battery"  # noqa: S105
_counter = itertools.count(1)


def council(name: str | None = None) -> Organisation:
    organisation = organisations.create(
        name=name or f"Council {next(_counter)}",
        kind=OrganisationKind.COUNCIL,
        is_sme=False,
        is_vcse=False,
        by=None,
    )
    catalogue.install_defaults(organisation.id)
    living_wage.install_known_rates()  # reference data, as the migrations seed it
    return organisation


def supplier(
    name: str | None = None,
    *,
    sme: bool = False,
    vcse: bool = False,
    added_by: Organisation | None = None,
) -> Organisation:
    """A supplier; `added_by` is the council whose staff added it (none: a council sees it
    only through its contracts)."""
    organisation = organisations.create(
        name=name or f"Supplier {next(_counter)} Ltd",
        kind=OrganisationKind.SUPPLIER,
        is_sme=sme,
        is_vcse=vcse,
        by=None,
    )
    organisation.created_by_council_id = added_by.id if added_by else None
    return organisation


def user(
    role: Role, organisation: Organisation, *, email: str | None = None, password: str = PASSWORD
) -> User:
    n = next(_counter)
    return users.create_user(
        email=email or f"person{n}@example.org",
        full_name=f"Person {n}",
        role=role,
        organisation=organisation,
        password=password,
    )


def measure(council_org: Organisation, code: str) -> Measure:
    from portal.data import measures

    found = next(m for m in measures.catalogue(council_org.id) if m.code == code)
    return found


def contract(
    council_org: Organisation,
    supplier_org: Organisation,
    manager: User,
    *,
    reference: str | None = None,
    codes: tuple[str, ...] = ("LOCAL_HIRES",),
) -> Contract:
    created = contracts.create(
        council=council_org,
        reference=reference or f"REF-{next(_counter):04d}",
        title="Grounds maintenance",
        supplier=supplier_org,
        manager=manager,
        value=Decimal("1250000.00"),
        start_on=date(2025, 4, 1),
        end_on=date(2028, 3, 31),
        is_kpi_contract=False,
        by=manager,
    )
    for code in codes:
        contracts.add_commitment(
            created, measure(council_org, code), target=Decimal(12), by=manager
        )
    return created


def a_return(contract: Contract, by: User, *, quarter: int = 1, year: int = 2025) -> Return:
    """A draft return for one of the contract's periods, with a person and a file."""
    from portal.data import evidence, returns, workforce
    from portal.domain.counting import AgeBand, WorkforceRecord
    from portal.domain.evidence import check_file
    from portal.domain.periods import reporting_periods

    period = next(
        p
        for p in reporting_periods(contract.start_on, contract.end_on)
        if (p.financial_year, p.quarter) == (year, quarter)
    )
    ret = returns.start(contract, period, by=by)
    workforce.add(
        ret.id,
        WorkforceRecord(
            worker_reference="W-1",
            postcode_sector="M4 5",
            age_band=AgeBand.AGE_25_34,
            starts_on=period.starts_on,
            ends_on=None,
            weekly_hours=Decimal(37),
            share_on_contract=Decimal(1),
            is_new_hire=True,
        ),
    )
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    evidence.attach(
        ret.id, check_file("payroll.pdf", pdf, max_bytes=10**6), pdf, commitment_id=None, by=by
    )
    return ret


def submitted_return(contract: Contract, by: User) -> Return:
    """The contract's first return, submitted with a nil figure on every line."""
    from portal.data import returns
    from portal.domain.periods import reporting_periods

    period = reporting_periods(contract.start_on, contract.end_on)[0]
    ret = returns.start(contract, period, by=by)
    for line in ret.lines:
        line.figure, line.narrative, line.nil_reason = 0, "n/a", "none"
    returns.submit(ret, by=by, declaration="ok", workforce_records=0, evidence=[])
    return ret
