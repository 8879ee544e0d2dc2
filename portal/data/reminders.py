"""What the reminder job reads: contracts, where each return stands, who to write to."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from portal.data import recovery
from portal.data.base import among
from portal.data.models import (
    Commitment,
    Contract,
    Flag,
    OutboxMessage,
    RecoveryAction,
    Return,
    ReturnSubmission,
    User,
)
from portal.data.types import EmailStatus, ReturnStatus, Role
from portal.domain.reminders import EmailKey
from portal.extensions import db

# The emails that chase a return that has not been sent (a nudge is about one sent back).
SUPPLIER_STAGES = ("reminder", "overdue")  # what an escalation says the supplier was sent
CHASING_STAGES = (*SUPPLIER_STAGES, "escalation")


@dataclass(frozen=True)
class ReturnFacts:
    id: int
    status: ReturnStatus
    submission_count: int
    decided_at: datetime | None
    updated_at: datetime
    reviewer_name: str | None  # whoever decided the latest submission


def contracts() -> list[Contract]:
    """Contracts with something to report on: one with no active commitment has no returns."""
    monitored = exists().where(
        Commitment.contract_id == Contract.id, Commitment.retired_at.is_(None)
    )
    query = (
        select(Contract)
        .where(monitored)
        .options(joinedload(Contract.supplier), joinedload(Contract.manager))
    )
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


@dataclass(frozen=True)
class SentReminder:
    """A reminder or overdue notice in the outbox, and how its delivery went."""

    key: EmailKey
    recipient_name: str
    recipient: str
    status: EmailStatus
    attempts: int
    written_at: datetime
    sent_at: datetime | None

    @property
    def description(self) -> str:
        """ "Overdue notice", "Reminder 3 days before the due date", "Escalation"."""
        stage = self.key.description
        return stage[0].upper() + stage[1:]


def _written_about(periods: Collection[tuple[int, int, int]]) -> list[SentReminder]:
    """Every email written about these (contract, financial year, quarter) periods, oldest
    sent first, in one query through the outbox's period index: a handful of rows for each
    period, however long the history. (Kind and status are left for the callers to check:
    on SQLite, a condition on the status draws the planner to the status index and a read of
    every sent email.)"""
    if not periods:
        return []
    query = (
        select(  # not the bodies
            OutboxMessage.key,
            User.full_name,
            OutboxMessage.recipient,
            OutboxMessage.status,
            OutboxMessage.attempts,
            OutboxMessage.created_at,
            OutboxMessage.sent_at,
        )
        .join(User, User.id == OutboxMessage.user_id)
        .where(
            among(
                (OutboxMessage.contract_id, OutboxMessage.financial_year, OutboxMessage.quarter),
                periods,
            )
        )
        .order_by(OutboxMessage.sent_at, OutboxMessage.id)
    )
    found = []
    for row in db.session.execute(query):
        key = EmailKey.parse(row.key)
        if key is not None and key.period in periods:
            found.append(SentReminder(key, *row[1:]))
    return found


def reminders_sent(
    periods: Collection[tuple[int, int, int]],
) -> dict[tuple[int, int, int], list[SentReminder]]:
    """Every reminder and overdue notice written to the supplier about each of these periods
    (whether or not delivered, whoever can still sign in), oldest first."""
    sent: dict[tuple[int, int, int], list[SentReminder]] = defaultdict(list)
    for reminder in sorted(_written_about(periods), key=lambda r: r.written_at):
        if reminder.key.stage.kind in SUPPLIER_STAGES:
            sent[reminder.key.period].append(reminder)
    return sent


def last_reminders(
    periods: Collection[tuple[int, int, int]],
) -> dict[tuple[int, int, int], SentReminder]:
    """The last reminder, overdue notice or escalation delivered about each of these periods,
    whoever it went to."""
    return {
        reminder.key.period: reminder
        for reminder in _written_about(periods)
        if reminder.key.stage.kind in CHASING_STAGES and reminder.status is EmailStatus.SENT
    }


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


def overdue_actions_by_manager(today: date) -> dict[int, int]:
    """Actions of accepted recovery plans on open flags past their date, by contract manager."""
    query = (
        select(Contract.manager_id, func.count())
        .select_from(RecoveryAction)
        .join(Flag, Flag.id == RecoveryAction.flag_id)
        .join(Contract, Contract.id == Flag.contract_id)
        .where(recovery.overdue_action(today))
        .group_by(Contract.manager_id)
    )
    return {manager_id: count for manager_id, count in db.session.execute(query)}


def digest_recipients(manager_ids: set[int]) -> list[User]:
    query = select(User).where(
        User.id.in_(manager_ids), User.deactivated_at.is_(None), User.password_hash.is_not(None)
    )
    return list(db.session.scalars(query.order_by(User.id)))
