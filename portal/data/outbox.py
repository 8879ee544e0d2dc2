"""The outbox: every email, written in the same transaction as the change that causes it.

Delivery claims a message with a conditional update before sending, so two workers never send
the same message.
"""

from __future__ import annotations

from sqlalchemy import select, update

from portal.data.base import utcnow
from portal.data.models import OutboxMessage
from portal.data.pagination import Page, paginate
from portal.data.types import EmailKind, EmailStatus
from portal.extensions import db


def enqueue(
    *,
    key: str,
    kind: EmailKind,
    recipient: str,
    subject: str,
    body: str,
    user_id: int | None = None,
) -> OutboxMessage:
    """Add a message unless one with this key exists already; returns the message either way."""
    existing = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
    if existing is not None:
        return existing
    message = OutboxMessage(
        key=key,
        kind=kind,
        recipient=recipient,
        subject=subject,
        body=body,
        user_id=user_id,
        status=EmailStatus.PENDING,
        attempts=0,
    )
    db.session.add(message)
    db.session.flush()
    return message


def pending_ids(limit: int = 500) -> list[int]:
    query = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == EmailStatus.PENDING)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def claim(message_id: int) -> OutboxMessage | None:
    """Mark a pending message as being sent; None if someone else has it or it is done."""
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == EmailStatus.PENDING)
        .values(status=EmailStatus.SENDING, attempts=OutboxMessage.attempts + 1)
    )
    db.session.commit()
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return db.session.get(OutboxMessage, message_id)


def mark_sent(message: OutboxMessage, reference: str | None) -> None:
    message.status = EmailStatus.SENT
    message.sent_at = utcnow()
    message.transport_reference = reference
    message.last_error = None
    db.session.commit()


def mark_failed(message: OutboxMessage, error: str, max_attempts: int) -> None:
    """Back to pending for a later retry, or failed for good after max_attempts."""
    message.status = EmailStatus.FAILED if message.attempts >= max_attempts else EmailStatus.PENDING
    message.last_error = error[:2000]
    db.session.commit()


def list_messages(
    *,
    page: int,
    kind: EmailKind | None = None,
    status: EmailStatus | None = None,
    recipient: str = "",
) -> Page[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    if recipient:
        query = query.where(OutboxMessage.recipient.contains(recipient.strip().lower()))
    return paginate(query, page)
