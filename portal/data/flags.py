"""Flags: raised once per key when a condition appears, closed when it clears or is waived."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Select, case, select
from sqlalchemy.orm import joinedload, selectinload

from portal.data import audit
from portal.data.base import utcnow
from portal.data.contracts import seen_by, supplier_name_contains
from portal.data.models import Commitment, Contract, Flag, User
from portal.data.pagination import Page, paginate
from portal.data.types import FlagKind, FlagSeverity, FlagStatus, PlanStatus
from portal.domain.recovery import severity_for
from portal.extensions import db

OPEN_STATUSES = (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED)
# The lists' default status filter. Not "open": that is FlagStatus.OPEN alone.
OPEN_OR_ACKNOWLEDGED = "open-or-acknowledged"


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
        _record_raised(flag)
        return flag
    if flag.status is FlagStatus.RESOLVED:
        _reopen(flag)
    flag.summary, flag.details, flag.severity = summary, details, _severity(flag, severity)
    return flag


def _severity(flag: Flag, condition: FlagSeverity) -> FlagSeverity:
    """The condition's severity, kept one step higher on a flag whose accepted recovery plan
    let an action go past its date (see recovery.escalate_overdue)."""
    return severity_for(condition, escalated=flag.escalated_on is not None)


def _record_raised(flag: Flag) -> None:
    audit.record(
        None,
        "raised",
        "flag",
        flag.id,
        after={"kind": flag.kind.value, "summary": flag.summary},
        contract_id=flag.contract_id,
    )


def _move(
    flag: Flag, to: FlagStatus, action: str, *, by: User | None = None, reason: str | None = None
) -> None:
    """Every change of a flag's status goes through here, so each is in the audit trail."""
    before = flag.status.value
    flag.status = to
    audit.record(
        by,
        action,
        "flag",
        flag.id,
        before={"status": before},
        after={"status": to.value},
        contract_id=flag.contract_id,
        reason=reason,
    )


def _reopen(flag: Flag) -> None:
    """A resolved flag whose condition is back."""
    flag.closed_at, flag.resolution = None, None
    _move(flag, FlagStatus.OPEN, "reopened")


def resolve(flag: Flag, resolution: str, *, by: User | None = None) -> None:
    if flag.status not in OPEN_STATUSES:
        return
    flag.closed_at = utcnow()
    flag.resolution = resolution
    _move(flag, FlagStatus.RESOLVED, "resolved", by=by, reason=resolution)


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
    the new, reopen the returned, resolve the cleared. A fixed number of queries and one flush
    of the new flags whatever their number. Returns (raised or reopened, resolved)."""
    existing = {
        flag.key: flag
        for flag in db.session.scalars(
            select(Flag).where(Flag.contract_id.in_(contract_ids), Flag.kind.in_(kinds))
        )
    }
    raised = resolved = 0
    new: list[Flag] = []
    for key, spec in wanted.items():
        flag = existing.get(key)
        if flag is None:
            new.append(
                Flag(
                    key=key,
                    kind=spec.kind,
                    severity=spec.severity,
                    contract_id=spec.contract_id,
                    commitment_id=spec.commitment_id,
                    summary=spec.summary,
                    details=spec.details,
                    status=FlagStatus.OPEN,
                )
            )
            continue
        if flag.status is FlagStatus.RESOLVED:
            raised += 1
            _reopen(flag)
        severity = _severity(flag, spec.severity)
        if (flag.summary, flag.severity) != (spec.summary, severity):
            flag.summary, flag.severity, flag.details = spec.summary, severity, spec.details
    db.session.add_all(new)
    db.session.flush()  # all at once: the audit trail needs the new flags' ids
    for flag in new:
        _record_raised(flag)
    raised += len(new)
    for key, flag in existing.items():
        if key not in wanted and flag.status in OPEN_STATUSES:
            resolve(flag, resolutions[flag.kind])
            resolved += 1
    return raised, resolved


# Lists and the lifecycle people drive


@dataclass(frozen=True)
class FlagFilters:
    manager_id: int | None = None
    supplier_name: str = ""  # all or part of it, in any case
    measure_id: int | None = None
    severity: FlagSeverity | None = None
    status: str = OPEN_OR_ACKNOWLEDGED  # or a FlagStatus value, or "all"
    plan: PlanStatus | None = None  # where the recovery plan stands


def _visible_to(user: User) -> Select[Flag]:
    return select(Flag).join(Contract, Contract.id == Flag.contract_id).where(seen_by(user))


def _filtered(user: User, filters: FlagFilters) -> Select[Flag]:
    query = _visible_to(user)
    if filters.manager_id is not None:
        query = query.where(Contract.manager_id == filters.manager_id)
    if filters.supplier_name:
        query = query.where(supplier_name_contains(filters.supplier_name))
    if filters.measure_id is not None:
        query = query.join(Commitment, Commitment.id == Flag.commitment_id).where(
            Commitment.measure_id == filters.measure_id
        )
    if filters.severity is not None:
        query = query.where(Flag.severity == filters.severity)
    if filters.plan is not None:
        query = query.where(Flag.plan_status == filters.plan)
    if filters.status == OPEN_OR_ACKNOWLEDGED:
        query = query.where(Flag.status.in_(OPEN_STATUSES))
    elif filters.status in set(FlagStatus):
        query = query.where(Flag.status == FlagStatus(filters.status))
    severity_order = case({"high": 0, "medium": 1, "low": 2}, value=Flag.severity)
    return query.order_by(severity_order, Flag.raised_at.desc(), Flag.id.desc())


def _with_context(query: Select[Flag]) -> Select[Flag]:
    return query.options(
        joinedload(Flag.contract).joinedload(Contract.supplier),
        joinedload(Flag.contract).joinedload(Contract.manager),
        joinedload(Flag.commitment).joinedload(Commitment.measure),
    )


def list_for(user: User, filters: FlagFilters, *, page: int, per_page: int = 50) -> Page[Flag]:
    """One page of flags. Only the ids are sorted and cut, then those few flags are loaded
    with their context: sorting every matching flag with its contract, supplier and measure
    attached is what made a large council's list slow."""
    ids = paginate(_filtered(user, filters).with_only_columns(Flag.id), page, per_page)
    loaded = {
        flag.id: flag
        for flag in db.session.scalars(_with_context(select(Flag)).where(Flag.id.in_(ids.items)))
    }
    return replace(ids, items=[loaded[flag_id] for flag_id in ids.items])


def export_for(user: User, filters: FlagFilters) -> Iterator[Flag]:
    """Every matching flag with what an export row needs, its recovery actions included."""
    query = _with_context(_filtered(user, filters)).options(selectinload(Flag.actions))
    yield from db.session.scalars(query.execution_options(yield_per=500))


def for_contract(contract_id: int) -> list[Flag]:
    """A contract's open flags, most severe first."""
    query = (
        select(Flag)
        .options(joinedload(Flag.commitment).joinedload(Commitment.measure))
        .where(Flag.contract_id == contract_id, Flag.status.in_(OPEN_STATUSES))
        .order_by(case({"high": 0, "medium": 1, "low": 2}, value=Flag.severity), Flag.id)
    )
    return list(db.session.scalars(query))


def get_for(user: User, flag_id: int) -> Flag | None:
    query = (
        _with_context(_visible_to(user))
        .where(Flag.id == flag_id)
        .options(selectinload(Flag.actions))
    )
    return db.session.scalar(query)


def acknowledge(flag: Flag, *, by: User) -> None:
    """The supplier has answered an open flag with a recovery plan (see data/recovery.py)."""
    if flag.status is FlagStatus.OPEN:
        flag.acknowledged_at = utcnow()
        _move(flag, FlagStatus.ACKNOWLEDGED, "acknowledged", by=by)


def waive(flag: Flag, *, reason: str, by: User) -> None:
    flag.closed_at = utcnow()
    flag.waived_by_id = by.id
    flag.waived_reason = reason.strip()
    _move(flag, FlagStatus.WAIVED, "waived", by=by, reason=flag.waived_reason)
