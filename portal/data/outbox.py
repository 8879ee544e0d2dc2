"""The outbox: every email, written in the same transaction as the change that causes it.

Delivery claims a message with a conditional update before sending, so two workers never send
the same message.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.data import organisations
from portal.data.base import utcnow
from portal.data.models import Organisation, OutboxMessage, User
from portal.data.pagination import Page, paginate
from portal.data.types import EmailKind, EmailStatus
from portal.domain.mail import next_attempt
from portal.extensions import db


def enqueue(
    *,
    key: str,
    kind: EmailKind,
    recipient: str,
    subject: str,
    body: str,
    user_id: int | None,
    council_id: int | None,
) -> OutboxMessage:
    """Add a message unless one with this key exists already; returns the message either way.
    `council_id` is the council the email is written for (None only when it concerns no one
    council, as a supplier's password reset): it decides which administrators may read it, so
    every caller must say."""
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
        council_id=council_id,
        status=EmailStatus.PENDING,
        attempts=0,
    )
    db.session.add(message)
    db.session.flush()
    return message


def enqueue_many(messages: list[dict[str, object]]) -> list[str]:
    """Insert messages whose keys are new, ignoring the rest, in one statement: two jobs
    running at the same moment cannot both write the same email. Returns the keys this call
    wrote (not those another run wrote first)."""
    if not messages:
        return []
    dialect = db.session.get_bind().dialect.name
    insert_ = postgresql_insert if dialect == "postgresql" else sqlite_insert
    now = utcnow()
    rows = [
        {**message, "status": EmailStatus.PENDING, "attempts": 0, "created_at": now}
        for message in messages
    ]
    result = db.session.execute(
        insert_(OutboxMessage)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(OutboxMessage.key),
        rows,
    )
    return list(result.scalars())


def with_keys(keys: list[str]) -> dict[str, OutboxMessage]:
    """The messages written under these keys (a handful: one query)."""
    if not keys:
        return {}
    query = select(OutboxMessage).where(OutboxMessage.key.in_(keys))
    return {message.key: message for message in db.session.scalars(query)}


def existing_keys(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found |= set(
            db.session.scalars(select(OutboxMessage.key).where(OutboxMessage.key.in_(chunk)))
        )
    return found


def pending_ids(limit: int = 5000) -> list[int]:
    """Pending messages that are due: new ones, and failed ones whose wait is over."""
    query = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == EmailStatus.PENDING,
            or_(
                OutboxMessage.next_attempt_at.is_(None),
                OutboxMessage.next_attempt_at <= utcnow(),
            ),
        )
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def claim(message_id: int) -> OutboxMessage | None:
    """Take a pending message for sending, inside the caller's transaction: the row stays
    locked until the caller commits, so a second worker waits and then finds it sent. If the
    worker dies before committing, the claim rolls back and the next run sends it."""
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == EmailStatus.PENDING)
        .values(status=EmailStatus.SENDING, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        return None
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    return message


@contextmanager
def delivery_run() -> Iterator[None]:
    """Delivery commits once per email. Those commits leave the session's other objects as
    they are: expiring the thousands that a reminder run has loaded, at every one of its
    thousands of commits, made the run quadratic."""
    session = db.session()
    expire_on_commit = session.expire_on_commit
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = expire_on_commit


def mark_sent(message: OutboxMessage, reference: str | None) -> None:
    message.status = EmailStatus.SENT
    message.sent_at = utcnow()
    message.transport_reference = reference
    message.last_error = None
    message.next_attempt_at = None
    db.session.commit()


def mark_failed(message: OutboxMessage, error: str, max_attempts: int) -> None:
    """Back to pending for a retry after a wait that grows with each attempt, or failed after
    max_attempts (until an administrator resends it)."""
    given_up = message.attempts >= max_attempts
    message.status = EmailStatus.FAILED if given_up else EmailStatus.PENDING
    message.next_attempt_at = None if given_up else next_attempt(message.attempts, utcnow())
    message.last_error = error[:2000]
    db.session.commit()


def failed() -> list[OutboxMessage]:
    """Every email given up on, oldest first: what the jobs print while any is left."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == EmailStatus.FAILED)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    return list(db.session.scalars(query))


def status_counts(admin: User) -> dict[EmailStatus, int]:
    """How many of the emails this administrator may read are in each state."""
    readable = _readable_by(admin).subquery()
    query = select(readable.c.status, func.count()).group_by(readable.c.status)
    counts = dict.fromkeys(EmailStatus, 0)
    counts.update({EmailStatus(status): n for status, n in db.session.execute(query)})
    return counts


def resend(messages: list[OutboxMessage]) -> None:
    """Failed emails back in the queue, due now, with a fresh count of attempts."""
    for message in messages:
        message.status = EmailStatus.PENDING
        message.attempts = 0
        message.next_attempt_at = None


def failed_for_admin(admin: User) -> list[OutboxMessage]:
    query = _readable_by(admin).where(OutboxMessage.status == EmailStatus.FAILED)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def _readable_by(admin: User) -> Select[OutboxMessage]:
    """The emails an administrator may read: those written for their council and, of those
    written for no council (a supplier user's password reset, or an email from before councils
    were recorded), those to a person the administrator can see: their council's staff or a
    user of one of its suppliers. Never another council's."""
    recipient_in_reach = (
        select(User.id)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(User.id == OutboxMessage.user_id, organisations.seen_by(admin))
    )
    return select(OutboxMessage).where(
        or_(
            OutboxMessage.council_id == admin.organisation_id,
            OutboxMessage.council_id.is_(None) & recipient_in_reach.exists(),
        )
    )


def get_for_admin(admin: User, message_id: int) -> OutboxMessage | None:
    return db.session.scalar(_readable_by(admin).where(OutboxMessage.id == message_id))


def list_messages(
    admin: User,
    *,
    page: int,
    kind: EmailKind | None = None,
    status: EmailStatus | None = None,
    recipient: str = "",
    contract_reference: str = "",
) -> Page[OutboxMessage]:
    query = _readable_by(admin).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    if recipient:
        query = query.where(OutboxMessage.recipient.contains(recipient.strip().lower()))
    if contract_reference:
        # Every email about a contract names its reference in the subject.
        query = query.where(OutboxMessage.subject.contains(contract_reference.strip()))
    return paginate(query, page)
