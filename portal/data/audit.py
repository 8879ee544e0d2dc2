"""The audit trail: append-only records of who changed what."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from portal.data.models import AuditEvent, User
from portal.extensions import db


def record(
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    db.session.add(
        AuditEvent(
            actor_id=actor.id if actor else None,
            action=action,
            object_type=object_type,
            object_id=object_id,
            before=before,
            after=after,
        )
    )


def history(object_type: str, object_id: int) -> list[AuditEvent]:
    query = (
        select(AuditEvent)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    return list(db.session.scalars(query))
