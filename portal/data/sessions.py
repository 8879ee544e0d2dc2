"""Browser sessions, kept server-side. The cookie carries a random id; only its hash is stored,
so a copy of the table opens no session."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import delete, or_, select, update

from portal.data.models import BrowserSession
from portal.domain.sessions import SessionLimits
from portal.extensions import db


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def find(raw: str) -> BrowserSession | None:
    return db.session.scalar(select(BrowserSession).where(BrowserSession.token_hash == _hash(raw)))


def create(
    *, data: str, user_id: int | None, browser: str, now: datetime
) -> tuple[str, BrowserSession]:
    """A new session with a new random id; the raw id is returned once, for the cookie."""
    raw = secrets.token_urlsafe(32)
    row = BrowserSession(
        token_hash=_hash(raw),
        user_id=user_id,
        data=data,
        started_at=now,
        last_seen_at=now,
        browser=browser,
    )
    db.session.add(row)
    db.session.flush()
    return raw, row


def save(session_id: int, *, data: str | None, now: datetime) -> None:
    values: dict[str, object] = {"last_seen_at": now}
    if data is not None:
        values["data"] = data
    db.session.execute(
        update(BrowserSession)
        .where(BrowserSession.id == session_id, BrowserSession.ended_at.is_(None))
        .values(**values)
    )


def end(session_id: int, now: datetime) -> None:
    """Sign-out. A session that never signed in is deleted outright; a signed-in one is marked
    ended (and purged later), so that a copied cookie finds it ended."""
    db.session.execute(
        delete(BrowserSession).where(
            BrowserSession.id == session_id, BrowserSession.user_id.is_(None)
        )
    )
    db.session.execute(
        update(BrowserSession)
        .where(BrowserSession.id == session_id, BrowserSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def end_all_for(user_id: int, now: datetime, *, except_id: int | None = None) -> int:
    """Every session of this user (password change or reset, deactivation), or every other one
    ("sign out of every other device")."""
    query = update(BrowserSession).where(
        BrowserSession.user_id == user_id, BrowserSession.ended_at.is_(None)
    )
    if except_id is not None:
        query = query.where(BrowserSession.id != except_id)
    result = db.session.execute(query.values(ended_at=now))
    return int(result.rowcount)  # type: ignore[attr-defined]


def active_for(user_id: int, limits: SessionLimits, now: datetime) -> list[BrowserSession]:
    """The user's live sessions, most recently used first (the same rule as SessionLimits)."""
    query = (
        select(BrowserSession)
        .where(
            BrowserSession.user_id == user_id,
            BrowserSession.ended_at.is_(None),
            BrowserSession.started_at > limits.started_after(now),
            BrowserSession.last_seen_at > limits.seen_after(now),
        )
        .order_by(BrowserSession.last_seen_at.desc(), BrowserSession.id.desc())
    )
    return list(db.session.scalars(query))


def purge(limits: SessionLimits, now: datetime) -> int:
    """Delete sessions that can no longer be used: ended, too old, or signed in and idle."""
    result = db.session.execute(
        delete(BrowserSession).where(
            or_(
                BrowserSession.ended_at.is_not(None),
                BrowserSession.started_at <= limits.started_after(now),
                BrowserSession.user_id.is_not(None)
                & (BrowserSession.last_seen_at <= limits.seen_after(now)),
            )
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
