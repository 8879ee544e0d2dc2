"""Council staff's work queues: returns waiting for a decision, and overdue returns.

Each page is a fixed number of queries whatever the size of the council. Overdue periods are
read from the rows compliance stores when it refreshes a contract, in the same step as the
count the dashboard shows, so the list and the tile agree.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import contains_eager

from portal.data.base import among
from portal.data.contracts import seen_by, supplier_name_contains
from portal.data.models import Contract, OverduePeriod, Return, User
from portal.data.pagination import Page, paginate
from portal.data.reminders import SentReminder, last_reminders
from portal.data.types import ReturnStatus
from portal.extensions import db

EXPORT_BATCH = 500
Query = TypeVar("Query", bound=Select)
Period = tuple[int, int, int]  # (contract, financial year, quarter)


@dataclass(frozen=True)
class QueueFilters:
    """What a queue shows. The same filters drive the page and its download."""

    managed_by: int | None = None
    supplier_name: str = ""  # all or part of it, in any case
    financial_year: int | None = None
    quarter: int | None = None


def _filtered(query: Query, user: User, filters: QueueFilters, period: Any) -> Query:
    """`period` is the table whose financial_year and quarter the period filter reads."""
    query = query.where(seen_by(user))
    if filters.managed_by is not None:
        query = query.where(Contract.manager_id == filters.managed_by)
    if filters.supplier_name:
        query = query.where(supplier_name_contains(filters.supplier_name))
    if filters.financial_year is not None:
        query = query.where(period.financial_year == filters.financial_year)
    if filters.quarter is not None:
        query = query.where(period.quarter == filters.quarter)
    return query


def first_contract_start(user: User) -> date | None:
    """When the user's earliest contract started: the period filter offers the financial
    years from then on (one read of the contracts, not of every return or overdue period)."""
    return db.session.scalar(select(func.min(Contract.start_on)).where(seen_by(user)))


# Returns to review


def _to_review(user: User, filters: QueueFilters) -> Select[Return]:
    query = (
        select(Return)
        .join(Return.contract)
        .where(Return.status == ReturnStatus.SUBMITTED)
        .options(
            contains_eager(Return.contract).joinedload(Contract.supplier),
            contains_eager(Return.contract).joinedload(Contract.manager),
        )
    )
    return _filtered(query, user, filters, Return).order_by(Return.submitted_at, Return.id)


def to_review(user: User, filters: QueueFilters, *, page: int) -> Page[Return]:
    """Submitted returns waiting for a decision, the longest waiting first."""
    return paginate(_to_review(user, filters), page)


def to_review_export(user: User, filters: QueueFilters) -> Iterator[Return]:
    yield from db.session.scalars(_to_review(user, filters).execution_options(yield_per=500))


# Overdue returns


@dataclass(frozen=True)
class Overdue:
    """A period whose return is overdue: no return, or a draft (`started`) not yet sent."""

    period: OverduePeriod
    started: bool
    last_reminder: SentReminder | None = None

    @property
    def contract(self) -> Contract:
        return self.period.contract


def _overdue(user: User, filters: QueueFilters) -> Select[int, int, int]:
    """The overdue periods' keys, the longest overdue first. Only the keys are sorted and cut:
    sorting tens of thousands of rows with their contract, supplier and manager attached is
    what makes a long list slow."""
    query = select(
        OverduePeriod.contract_id, OverduePeriod.financial_year, OverduePeriod.quarter
    ).join(OverduePeriod.contract)
    return _filtered(query, user, filters, OverduePeriod).order_by(
        OverduePeriod.due_on,
        Contract.reference,
        OverduePeriod.financial_year,
        OverduePeriod.quarter,
    )


def _with_context(keys: Sequence[Period]) -> list[Overdue]:
    """These overdue periods, in this order, with their contract, supplier and manager,
    whether a draft was started, and the last reminder sent about each: two queries."""
    started = and_(
        Return.contract_id == OverduePeriod.contract_id,
        Return.financial_year == OverduePeriod.financial_year,
        Return.quarter == OverduePeriod.quarter,
    )
    query = (
        select(OverduePeriod, Return.id.is_not(None))
        .join(OverduePeriod.contract)
        .outerjoin(Return, started)
        .options(
            contains_eager(OverduePeriod.contract).joinedload(Contract.supplier),
            contains_eager(OverduePeriod.contract).joinedload(Contract.manager),
        )
        .where(
            among(
                (OverduePeriod.contract_id, OverduePeriod.financial_year, OverduePeriod.quarter),
                keys,
            )
        )
    )
    loaded = {
        (period.contract_id, period.financial_year, period.quarter): (period, bool(draft))
        for period, draft in db.session.execute(query)
    }
    sent = last_reminders(keys)
    return [Overdue(*loaded[key], last_reminder=sent.get(key)) for key in keys if key in loaded]


def overdue(user: User, filters: QueueFilters, *, page: int) -> Page[Overdue]:
    """Overdue returns, the longest overdue first."""
    keys = paginate(_overdue(user, filters), page, rows=True)
    return replace(keys, items=_with_context([(c, y, q) for c, y, q in keys.items]))


def overdue_export(user: User, filters: QueueFilters) -> Iterator[Overdue]:
    rows = iter(
        db.session.execute(_overdue(user, filters).execution_options(yield_per=EXPORT_BATCH))
    )
    while batch := [(c, y, q) for c, y, q in islice(rows, EXPORT_BATCH)]:
        yield from _with_context(batch)
