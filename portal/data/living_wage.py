"""The real Living Wage rates administrators keep, and the rate that applies to a contract."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from portal.data import audit
from portal.data.base import as_dict
from portal.data.models import Contract, LivingWageRate, Organisation, User
from portal.domain import living_wage
from portal.extensions import db

AUDITED = ("london", "hourly_rate", "announced_on", "payable_from")


def _known(london: bool, rate: str, announced_on: date, payable_from: date) -> dict[str, object]:
    return {
        "london": london,
        "hourly_rate": Decimal(rate),
        "announced_on": announced_on,
        "payable_from": payable_from,
    }


# The Living Wage Foundation's rates as the design brief lists them (UK, then London). Each was
# announced in the autumn; employers are asked to pay it within six months, so it is payable
# from 1 May of the next year. The same rows are seeded by the migration that made the table.
KNOWN_RATES = [
    row
    for uk, london, announced_on in (
        ("8.45", "9.75", date(2016, 10, 31)),
        ("9.00", "10.55", date(2018, 11, 5)),
        ("9.30", "10.75", date(2019, 11, 11)),
        ("12.00", "13.15", date(2023, 10, 25)),
        ("12.60", "13.85", date(2024, 10, 23)),
        ("13.45", "14.80", date(2025, 10, 21)),
    )
    for row in (
        _known(False, uk, announced_on, date(announced_on.year + 1, 5, 1)),
        _known(True, london, announced_on, date(announced_on.year + 1, 5, 1)),
    )
]


class RateClash(ValueError):
    """Another rate for the same place is already payable from the same day."""


def install_known_rates() -> None:
    """Seed an empty table with KNOWN_RATES (a new deployment's tests and demo data)."""
    if db.session.scalar(select(func.count()).select_from(LivingWageRate)):
        return
    db.session.add_all(LivingWageRate(**row) for row in KNOWN_RATES)
    db.session.flush()


def list_rates() -> list[LivingWageRate]:
    """Newest first; London after the rest of the UK for the same day."""
    query = select(LivingWageRate).order_by(
        LivingWageRate.payable_from.desc(), LivingWageRate.london, LivingWageRate.id
    )
    return list(db.session.scalars(query))


def get(rate_id: int) -> LivingWageRate | None:
    return db.session.get(LivingWageRate, rate_id)


def save(
    rate: LivingWageRate | None,
    *,
    london: bool,
    hourly_rate: Decimal,
    announced_on: date,
    payable_from: date,
    by: User,
) -> LivingWageRate:
    """Add (rate None) or change a rate; RateClash if the place already has one from that day."""
    clash = select(LivingWageRate.id).where(
        LivingWageRate.london.is_(london), LivingWageRate.payable_from == payable_from
    )
    if rate is not None:
        clash = clash.where(LivingWageRate.id != rate.id)
    if db.session.scalar(clash) is not None:
        raise RateClash()
    before = as_dict(rate, *AUDITED) if rate is not None else None
    if rate is None:
        rate = LivingWageRate()
        db.session.add(rate)
    rate.london = london
    rate.hourly_rate = hourly_rate
    rate.announced_on = announced_on
    rate.payable_from = payable_from
    db.session.flush()
    after = as_dict(rate, *AUDITED)
    if before != after:
        action = "updated" if before else "created"
        audit.record(by, action, "living_wage_rate", rate.id, before=before, after=after)
    return rate


def is_london(contract: Contract) -> bool:
    """The contract's own choice, or else its council's."""
    if contract.uses_london_living_wage is not None:
        return contract.uses_london_living_wage
    council = db.session.get(Organisation, contract.council_id)
    return bool(council and council.is_in_london)


def rate_for(contract: Contract, period_starts_on: date, period_ends_on: date) -> Decimal | None:
    """The real Living Wage in force for the period where the contract's work is done; None
    if the table has no rate in force for it."""
    london = is_london(contract)
    rates = [
        living_wage.LivingWageRate(r.london, r.hourly_rate, r.announced_on, r.payable_from)
        for r in db.session.scalars(select(LivingWageRate).where(LivingWageRate.london.is_(london)))
    ]
    return living_wage.rate_in_force(
        rates,
        london=london,
        period_starts_on=period_starts_on,
        period_ends_on=period_ends_on,
    )
