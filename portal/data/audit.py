"""The audit trail: append-only records of who changed what, when, and why."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import joinedload

from portal.data.models import AuditEvent, User
from portal.extensions import db


def record(
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    *,
    contract_id: int | None = None,
    reason: str | None = None,
) -> None:
    db.session.add(
        AuditEvent(
            actor_id=actor.id if actor else None,
            action=action,
            object_type=object_type,
            object_id=object_id,
            before=before,
            after=after,
            contract_id=contract_id,
            reason=reason,
        )
    )


def record_many(events: list[dict[str, Any]]) -> None:
    """Many events (each the keyword arguments of an AuditEvent) in one statement, for the jobs
    that change many objects at once."""
    if events:
        db.session.execute(insert(AuditEvent), events)


def history(object_type: str, object_id: int) -> list[AuditEvent]:
    query = (
        select(AuditEvent)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    return list(db.session.scalars(query))


def contract_history(contract_id: int) -> list[AuditEvent]:
    """Everything that happened to a contract and its commitments, newest first."""
    query = (
        select(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .where(AuditEvent.contract_id == contract_id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    return list(db.session.scalars(query))
