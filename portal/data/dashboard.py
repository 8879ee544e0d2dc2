"""The contract managers' portfolio view, read from the stored compliance states: a fixed
number of aggregate queries whatever the number of contracts or returns."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, Float, Result, cast, func, select

from portal.data.models import (
    Commitment,
    CommitmentState,
    Contract,
    ContractState,
    FairWorkFigure,
    Flag,
    Measure,
    Organisation,
    Return,
)
from portal.data.types import (
    FlagSeverity,
    FlagStatus,
    MeasureUnit,
    ReturnStatus,
    Status,
    WorkforceDerivation,
)
from portal.domain.counting import NotKnown
from portal.domain.measures import FAIR_WORK
from portal.extensions import db

ZERO = Decimal(0)


@dataclass(frozen=True)
class MeasureTotal:
    name: str
    unit: MeasureUnit
    committed: Decimal
    delivered: Decimal
    financial_year: int


@dataclass(frozen=True)
class SocialValue:
    """Pounds of social value in one price-base year's prices: never added across years."""

    price_year: int
    to_date: Decimal
    this_year: Decimal


@dataclass(frozen=True)
class PooledShare:
    """A fair-work share over many returns: the FTE meeting it over the FTE whose records
    give the figure, each quarter's FTE weighing what it is (so a big contract counts more
    than a small one, as its people do). Quarters judged without a Living Wage rate are left
    out of both sides."""

    derivation: WorkforceDerivation
    fte_met: Decimal
    fte_given: Decimal
    fte_all: Decimal

    @property
    def percent(self) -> Decimal | None:
        return self.fte_met * 100 / self.fte_given if self.fte_given else None

    @property
    def coverage(self) -> Decimal | None:
        return self.fte_given * 100 / self.fte_all if self.fte_all else None


@dataclass(frozen=True)
class ContractShare:
    contract_id: int
    reference: str
    title: str
    supplier: str
    share: PooledShare


@dataclass(frozen=True)
class FairWork:
    """The portfolio's fair-work shares over the returns sent for one financial year, and
    the contracts with the lowest share of all their workers for each."""

    financial_year: int
    shares: list[PooledShare]  # only the derivations some return gives a figure for
    lowest: dict[WorkforceDerivation, list[ContractShare]]


@dataclass(frozen=True)
class Portfolio:
    contracts: int
    commitments_by_status: dict[Status, int]
    year_totals: list[MeasureTotal]  # delivered against committed, this financial year
    social_value: list[SocialValue]  # oldest price-base year first
    open_flags_by_severity: dict[FlagSeverity, int]
    awaiting_review: int
    overdue_returns: int
    fair_work: FairWork

    # The order of the "Commitments by status" table: every status, so that it adds up.
    status_order: ClassVar[tuple[Status, ...]] = (
        Status.ON_TRACK,
        Status.BEHIND,
        Status.OFF_TRACK,
        Status.AWAITING_REVIEW,
        Status.NOTHING_TO_COUNT,
        Status.NOT_YET_DUE,
    )

    @property
    def commitments_assessed(self) -> int:
        unrated = (Status.NOT_YET_DUE, Status.AWAITING_REVIEW, Status.NOTHING_TO_COUNT)
        return sum(n for s, n in self.commitments_by_status.items() if s not in unrated)

    @property
    def on_track_pct(self) -> Decimal | None:
        assessed = self.commitments_assessed
        if not assessed:
            return None
        on_track = self.commitments_by_status.get(Status.ON_TRACK, 0)
        return (Decimal(on_track) * 100 / assessed).quantize(Decimal("0.1"))


def portfolio(
    council_id: int, manager_id: int | None = None, *, financial_year: int | None = None
) -> Portfolio:
    """The portfolio in seven aggregate queries over the stored states and fair-work figures,
    whatever its size. `financial_year`: the fair-work shares' (None: none shown)."""
    where = [Contract.council_id == council_id]
    if manager_id is not None:
        where.append(Contract.manager_id == manager_id)
    contracts, overdue = db.session.execute(
        select(func.count(Contract.id), func.coalesce(func.sum(ContractState.overdue_returns), 0))
        .outerjoin(ContractState, ContractState.contract_id == Contract.id)
        .where(*where)
    ).one()
    by_status, year_totals, social_value = _commitments(where)
    by_severity = {
        severity: count
        for severity, count in db.session.execute(
            select(Flag.severity, func.count())
            .join(Contract, Contract.id == Flag.contract_id)
            .where(*where, Flag.status.in_([FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED]))
            .group_by(Flag.severity)
        )
    }
    awaiting = db.session.scalar(
        select(func.count())
        .select_from(Return)
        .join(Contract, Contract.id == Return.contract_id)
        .where(*where, Return.status == ReturnStatus.SUBMITTED)
    )
    return Portfolio(
        contracts,
        by_status,
        year_totals,
        social_value,
        by_severity,
        awaiting or 0,
        int(overdue or 0),
        _fair_work(where, financial_year) if financial_year is not None else FairWork(0, [], {}),
    )


# The shares whose lowest contracts the dashboard lists: those of all the workers.
LOWEST_OF = (WorkforceDerivation.LIVING_WAGE, WorkforceDerivation.SECURE_WORK)
LOWEST_SHOWN = 5


def _fair_work(where: list[ColumnElement[bool]], financial_year: int) -> FairWork:
    sums = (
        func.sum(FairWorkFigure.fte_met),
        func.sum(FairWorkFigure.fte_given),
        func.sum(FairWorkFigure.fte_all),
    )
    sent = (
        select(FairWorkFigure.derivation, *sums)
        .join(Return, Return.id == FairWorkFigure.return_id)
        .join(Contract, Contract.id == FairWorkFigure.contract_id)
        .where(
            *where,
            Return.financial_year == financial_year,
            Return.status.in_([ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED]),
            FairWorkFigure.not_known.is_distinct_from(NotKnown.NO_RATE),
        )
    )
    shares = sorted(
        (
            PooledShare(derivation, met or ZERO, given or ZERO, all_ or ZERO)
            for derivation, met, given, all_ in db.session.execute(
                sent.group_by(FairWorkFigure.derivation)
            )
            if given
        ),
        key=lambda share: FAIR_WORK.index(share.derivation),  # the catalogue's order
    )
    by_contract = (
        sent.add_columns(Contract.id, Contract.reference, Contract.title, Organisation.name)
        .join(Organisation, Organisation.id == Contract.supplier_id)
        .group_by(
            FairWorkFigure.derivation,
            Contract.id,
            Contract.reference,
            Contract.title,
            Organisation.name,
        )
        .having(sums[1] > 0)
        # As floats: SQLite keeps a whole-number NUMERIC as an integer, and divides integers.
        .order_by(cast(sums[0], Float) / cast(sums[1], Float), Contract.reference)
        .limit(LOWEST_SHOWN)
    )
    lowest = {
        derivation: [
            ContractShare(contract_id, reference, title, supplier, PooledShare(d, met, given, all_))
            for d, met, given, all_, contract_id, reference, title, supplier in db.session.execute(
                by_contract.where(FairWorkFigure.derivation == derivation)
            )
        ]
        for derivation in LOWEST_OF
        if any(share.derivation is derivation for share in shares)
    }
    return FairWork(financial_year, shares, lowest)


def _commitments(
    where: list[ColumnElement[bool]],
) -> tuple[dict[Status, int], list[MeasureTotal], list[SocialValue]]:
    """Commitments by status, each measure's totals this financial year, and social value by
    price-base year, from one pass over the stored states grouped by all three."""
    query = (
        select(
            Measure.id,
            Measure.name,
            Measure.unit,
            CommitmentState.status,
            CommitmentState.proxy_price_year,
            func.count(),
            func.sum(CommitmentState.year_committed),
            func.sum(CommitmentState.year_delivered),
            func.max(CommitmentState.financial_year),
            func.sum(CommitmentState.social_value),
            func.sum(CommitmentState.year_social_value),
        )
        .join(Measure, Measure.id == CommitmentState.measure_id)
        .join(Contract, Contract.id == CommitmentState.contract_id)
        .where(*where)
        .group_by(
            Measure.id,
            Measure.name,
            Measure.unit,
            CommitmentState.status,
            CommitmentState.proxy_price_year,
        )
        .order_by(Measure.name, Measure.id)
    )
    by_status: Counter[Status] = Counter()
    totals: dict[int, MeasureTotal] = {}
    pounds: dict[int, SocialValue] = {}
    for (
        measure_id,
        name,
        unit,
        status,
        price_year,
        count,
        committed,
        delivered,
        year,
        to_date,
        this_year,
    ) in db.session.execute(query):
        by_status[status] += count
        if unit is MeasureUnit.PERCENT:
            continue  # shares of different contracts' FTE are never added up
        so_far = totals.get(measure_id, MeasureTotal(name, unit, Decimal(0), Decimal(0), year))
        totals[measure_id] = MeasureTotal(
            name,
            unit,
            so_far.committed + (committed or 0),
            so_far.delivered + (delivered or 0),
            max(so_far.financial_year, year),
        )
        if price_year is not None:
            value = pounds.get(price_year, SocialValue(price_year, Decimal(0), Decimal(0)))
            pounds[price_year] = SocialValue(
                price_year, value.to_date + (to_date or 0), value.this_year + (this_year or 0)
            )
    return dict(by_status), list(totals.values()), [pounds[y] for y in sorted(pounds)]


def commitment_statuses(council_id: int) -> Result[Any]:
    """Every monitored commitment with its stored compliance, for the status export."""
    query = (
        select(
            Contract.reference,
            Contract.title,
            Commitment.target,
            Measure.name,
            Measure.unit,
            Commitment.proxy_value,
            Commitment.proxy_price_year,
            CommitmentState,
        )
        .join(Commitment, Commitment.id == CommitmentState.commitment_id)
        .join(Contract, Contract.id == CommitmentState.contract_id)
        .join(Measure, Measure.id == CommitmentState.measure_id)
        .where(Contract.council_id == council_id)
        .order_by(Contract.reference, Measure.name)
        .execution_options(yield_per=1000)
    )
    return db.session.execute(query)


def supplier_social_value(supplier_id: int, council_id: int | None = None) -> list[SocialValue]:
    """A supplier's social value by price-base year, over all its contracts (or one council's)."""
    where = [Contract.supplier_id == supplier_id]
    if council_id is not None:
        where.append(Contract.council_id == council_id)
    query = (
        select(
            CommitmentState.proxy_price_year,
            func.sum(CommitmentState.social_value),
            func.sum(CommitmentState.year_social_value),
        )
        .join(Contract, Contract.id == CommitmentState.contract_id)
        .where(*where, CommitmentState.proxy_price_year.is_not(None))
        .group_by(CommitmentState.proxy_price_year)
        .order_by(CommitmentState.proxy_price_year)
    )
    return [
        SocialValue(year, to_date or Decimal(0), this_year or Decimal(0))
        for year, to_date, this_year in db.session.execute(query)
        if year is not None
    ]


def supplier_contracts(supplier_id: int) -> list[tuple[Contract, ContractState | None]]:
    """A supplier's contracts with their rating and next return, the soonest due first."""
    query = (
        select(Contract, ContractState)
        .outerjoin(ContractState, ContractState.contract_id == Contract.id)
        .where(Contract.supplier_id == supplier_id)
        .order_by(
            ContractState.next_due_on.is_(None), ContractState.next_due_on, Contract.reference
        )
    )
    return [(contract, state) for contract, state in db.session.execute(query)]


def returns_to_fix(supplier_id: int) -> list[Return]:
    query = (
        select(Return)
        .join(Contract, Contract.id == Return.contract_id)
        .where(Contract.supplier_id == supplier_id, Return.status == ReturnStatus.CHANGES_REQUESTED)
        .order_by(Return.due_on)
    )
    return list(db.session.scalars(query))
