"""Flags: raised once per key when a condition appears, closed when it clears or is waived."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Wanted:
    """A flag whose condition holds now."""

    kind: FlagKind
    severity: FlagSeverity
    contract_id: int
    summary: str
    commitment_id: int | None = None
    details: dict[str, Any] | None = None


def sync(
    wanted: dict[str, Wanted],
    *,
    contract_ids: Sequence[int],
    kinds: Sequence[FlagKind],
    resolutions: dict[FlagKind, str],
) -> tuple[int, int]:
    """Make the flags of these kinds on these contracts match the conditions that hold: raise
    the new, reopen the returned, resolve the cleared. Two queries whatever the number of flags.
    Returns (raised or reopened, resolved)."""
    existing = {
        flag.key: flag
        for flag in db.session.scalars(
            select(Flag).where(Flag.contract_id.in_(contract_ids), Flag.kind.in_(kinds))
        )
    }
    raised = resolved = 0
    for key, spec in wanted.items():
        flag = existing.get(key)
        if flag is None or flag.status is FlagStatus.RESOLVED:
            raised += 1
        if flag is None:
            flag = Flag(
                key=key,
                kind=spec.kind,
                severity=spec.severity,
                contract_id=spec.contract_id,
                commitment_id=spec.commitment_id,
                summary=spec.summary,
                details=spec.details,
                status=FlagStatus.OPEN,
            )
            db.session.add(flag)
            db.session.flush()
            audit.record(
                None,
                "raised",
                "flag",
                flag.id,
                after={"kind": spec.kind.value, "summary": spec.summary},
                contract_id=spec.contract_id,
            )
            continue
        if flag.status is FlagStatus.RESOLVED:
            flag.status, flag.closed_at, flag.resolution = FlagStatus.OPEN, None, None
            audit.record(
                None,
                "reopened",
                "flag",
                flag.id,
                before={"status": "resolved"},
                after={"status": "open"},
                contract_id=flag.contract_id,
            )
        if (flag.summary, flag.severity) != (spec.summary, spec.severity):
            flag.summary, flag.severity, flag.details = spec.summary, spec.severity, spec.details
    for key, flag in existing.items():
        if key not in wanted and flag.status in OPEN_STATUSES:
            resolve(flag, resolutions[flag.kind])
            resolved += 1
    return raised, resolved
