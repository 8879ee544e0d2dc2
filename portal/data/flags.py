"""Flags: raised once per key when a condition appears, closed when it clears or is waived."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from portal.data import audit
from portal.data.base import utcnow
from portal.data.models import Flag, User
from portal.data.types import FlagKind, FlagSeverity, FlagStatus
from portal.extensions import db

OPEN_STATUSES = (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED)


def raise_flag(
    key: str,
    *,
    kind: FlagKind,
    severity: FlagSeverity,
    contract_id: int,
    summary: str,
    details: dict[str, Any] | None = None,
    commitment_id: int | None = None,
    return_id: int | None = None,
) -> Flag:
    """Open the flag for this key, or refresh it if already open. A resolved flag whose
    condition is back opens again; a waived one stays waived (the manager decided)."""
    flag = db.session.scalar(select(Flag).where(Flag.key == key))
    if flag is None:
        flag = Flag(
            key=key,
            kind=kind,
            severity=severity,
            contract_id=contract_id,
            commitment_id=commitment_id,
            return_id=return_id,
            summary=summary,
            details=details,
            status=FlagStatus.OPEN,
        )
        db.session.add(flag)
        db.session.flush()
        audit.record(
            None,
            "raised",
            "flag",
            flag.id,
            after={"kind": kind.value, "summary": summary},
            contract_id=contract_id,
        )
        return flag
    if flag.status is FlagStatus.RESOLVED:
        flag.status = FlagStatus.OPEN
        flag.closed_at = None
        flag.resolution = None
        audit.record(
            None,
            "reopened",
            "flag",
            flag.id,
            before={"status": "resolved"},
            after={"status": "open"},
            contract_id=contract_id,
        )
    flag.summary, flag.details, flag.severity = summary, details, severity
    return flag


def resolve(flag: Flag, resolution: str, *, by: User | None = None) -> None:
    if flag.status not in OPEN_STATUSES:
        return
    before = flag.status.value
    flag.status = FlagStatus.RESOLVED
    flag.closed_at = utcnow()
    flag.resolution = resolution
    audit.record(
        by,
        "resolved",
        "flag",
        flag.id,
        before={"status": before},
        after={"status": "resolved"},
        contract_id=flag.contract_id,
        reason=resolution,
    )


def open_with_prefix(prefix: str) -> list[Flag]:
    query = select(Flag).where(Flag.key.startswith(prefix), Flag.status.in_(OPEN_STATUSES))
    return list(db.session.scalars(query))


def resolve_cleared(prefix: str, still_true: Iterable[str], resolution: str) -> int:
    """Every open flag under this key prefix whose key is no longer among the conditions
    that hold resolves itself, saying why."""
    keep = set(still_true)
    cleared = [flag for flag in open_with_prefix(prefix) if flag.key not in keep]
    for flag in cleared:
        resolve(flag, resolution)
    return len(cleared)
