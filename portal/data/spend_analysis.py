"""The reads behind a council's spend analysis (design brief section 5b): net spend by payee
and year, and by service area or expense type, in a fixed number of aggregate queries
whatever the number of payments."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from portal.data import spend
from portal.data.models import (
    LocalArea,
    Organisation,
    Payee,
    SpendPayment,
)
from portal.extensions import db


@dataclass(frozen=True)
class PayeeYear:
    """One payee's net spend in one financial year (payee_id None: redacted payments), with
    what is known about it: its own classification, else its portal supplier's."""

    financial_year: int
    payee_id: int | None
    name: str | None
    total: Decimal
    postcode: str | None
    is_sme: bool | None
    is_vcse: bool | None
    is_public_body: bool | None


def payee_years(council_id: int) -> list[PayeeYear]:
    """Every payee's net spend in every year loaded: one grouped query. A linked portal
    supplier lends its postcode and SME and VCSE flags where the payee has none of its own."""
    totals = (
        select(
            SpendPayment.financial_year,
            SpendPayment.payee_id,
            func.sum(SpendPayment.amount).label("total"),
        )
        .where(SpendPayment.council_id == council_id)
        .group_by(SpendPayment.financial_year, SpendPayment.payee_id)
        .subquery()
    )
    query = (
        select(
            totals.c.financial_year,
            totals.c.payee_id,
            Payee.name,
            totals.c.total,
            func.coalesce(Payee.postcode, Organisation.postcode),
            func.coalesce(Payee.is_sme, Organisation.is_sme),
            func.coalesce(Payee.is_vcse, Organisation.is_vcse),
            Payee.is_public_body,
        )
        .outerjoin(Payee, Payee.id == totals.c.payee_id)
        .outerjoin(Organisation, Organisation.id == Payee.organisation_id)
        .order_by(totals.c.financial_year, totals.c.payee_id)
    )
    return [PayeeYear(*row) for row in db.session.execute(query)]


def by_area_and_type(
    council_id: int, financial_year: int, payee_ids: Collection[int]
) -> list[tuple[str | None, str | None, int | None, Decimal]]:
    """(service area, expense type, payee id, net spend) for one year, of these payees (the
    top suppliers: only their payments are read, through the year-and-payee index). One read
    serves both breakdowns."""
    query = (
        select(
            SpendPayment.service_area,
            SpendPayment.expense_type,
            SpendPayment.payee_id,
            func.sum(SpendPayment.amount),
        )
        .where(
            SpendPayment.council_id == council_id,
            SpendPayment.financial_year == financial_year,
            SpendPayment.payee_id.in_(sorted(payee_ids)),
        )
        .group_by(SpendPayment.service_area, SpendPayment.expense_type, SpendPayment.payee_id)
    )
    return [
        (area, kind, payee_id, total) for area, kind, payee_id, total in db.session.execute(query)
    ]


@dataclass(frozen=True)
class Areas:
    """The council's settings for its analysis: how many suppliers make the headline, the
    words that propose a public body, and the codes of its local and wider areas."""

    top_n: int | None  # None: the default
    public_body_patterns: list[str] | None  # None: the default words
    local: set[str]
    wider: set[str]
    wider_name: str | None  # None: no wider area chosen


def areas(council_id: int) -> Areas:
    settings = spend.settings_of(council_id)
    local = db.session.scalar(
        select(LocalArea).where(LocalArea.council_id == council_id, LocalArea.is_default.is_(True))
    )
    wider = (
        db.session.get(LocalArea, settings.wider_area_id)
        if settings is not None and settings.wider_area_id is not None
        else None
    )
    return Areas(
        settings.top_n if settings else None,
        settings.public_body_patterns if settings else None,
        set(local.codes) if local else set(),
        set(wider.codes) if wider else set(),
        wider.name if wider else None,
    )


@dataclass(frozen=True)
class SupplierSpend:
    """A portal supplier's spend from one council's files: the payees matched to it (by name,
    until someone confirms the match), and their net spend by financial year."""

    payee_names: list[str]
    all_confirmed: bool
    by_year: list[tuple[int, Decimal]]  # oldest first


def supplier_spend(council_id: int, organisation_id: int) -> SupplierSpend:
    payees = db.session.execute(
        select(Payee.name, Payee.organisation_confirmed)
        .where(Payee.council_id == council_id, Payee.organisation_id == organisation_id)
        .order_by(Payee.name)
    ).all()
    if not payees:
        return SupplierSpend([], True, [])
    by_year = (
        select(SpendPayment.financial_year, func.sum(SpendPayment.amount))
        .join(Payee, Payee.id == SpendPayment.payee_id)
        .where(
            SpendPayment.council_id == council_id,
            Payee.council_id == council_id,
            Payee.organisation_id == organisation_id,
        )
        .group_by(SpendPayment.financial_year)
        .order_by(SpendPayment.financial_year)
    )
    return SupplierSpend(
        [name for name, _ in payees],
        all(confirmed for _, confirmed in payees),
        [(year, total) for year, total in db.session.execute(by_year)],
    )
