"""What the reminder job reads: contracts, where each return stands, who to write to."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal.data.models import Contract, Flag, Return, ReturnSubmission, User
from portal.data.types import ReturnStatus, Role
from portal.extensions import db


@dataclass(frozen=True)
class ReturnFacts:
    id: int
    status: ReturnStatus
    submission_count: int
    decided_at: datetime | None
    updated_at: datetime
    reviewer: str | None  # the name of whoever decided the latest submission


def contracts() -> list[Contract]:
    query = select(Contract).options(joinedload(Contract.supplier), joinedload(Contract.manager))
    return list(db.session.scalars(query.order_by(Contract.id)))


def returns_by_period() -> dict[tuple[int, int, int], ReturnFacts]:
    """(contract, financial year, quarter) -> the return's standing, for every return."""
    latest = (ReturnSubmission.return_id == Return.id) & (
        ReturnSubmission.number == Return.submission_count
    )
    query = (
        select(
            Return.contract_id,
            Return.financial_year,
            Return.quarter,
            Return.id,
            Return.status,
            Return.submission_count,
            Return.decided_at,
            Return.updated_at,
            User.full_name,
        )
        .outerjoin(ReturnSubmission, latest)
        .outerjoin(User, User.id == ReturnSubmission.decided_by_id)
    )
    return {
        (row.contract_id, row.financial_year, row.quarter): ReturnFacts(
            row.id,
            row.status,
            row.submission_count,
            row.decided_at,
            row.updated_at,
            row.full_name,
        )
        for row in db.session.execute(query)
    }


def supplier_recipients() -> dict[int, list[User]]:
    """Active supplier users who have set up their account, by supplier."""
    query = (
        select(User)
        .where(
            User.role == Role.SUPPLIER_USER,
            User.deactivated_at.is_(None),
            User.password_hash.is_not(None),
        )
        .order_by(User.id)
    )
    by_supplier: dict[int, list[User]] = defaultdict(list)
    for user in db.session.scalars(query):
        by_supplier[user.organisation_id].append(user)
    return by_supplier


def new_flags_by_manager(since: datetime) -> dict[int, int]:
    query = (
        select(Contract.manager_id, func.count())
        .join(Flag, Flag.contract_id == Contract.id)
        .where(Flag.raised_at >= since)
        .group_by(Contract.manager_id)
    )
    return {manager_id: count for manager_id, count in db.session.execute(query)}


def awaiting_review_by_manager() -> dict[int, int]:
    query = (
        select(Contract.manager_id, func.count())
        .join(Return, Return.contract_id == Contract.id)
        .where(Return.status == ReturnStatus.SUBMITTED)
        .group_by(Contract.manager_id)
    )
    return {manager_id: count for manager_id, count in db.session.execute(query)}


def digest_recipients(manager_ids: set[int]) -> list[User]:
    query = select(User).where(
        User.id.in_(manager_ids), User.deactivated_at.is_(None), User.password_hash.is_not(None)
    )
    return list(db.session.scalars(query.order_by(User.id)))
