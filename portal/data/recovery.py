"""A flag's recovery plan: the supplier's actions and the council's answers.

Every change moves the plan's version on with a conditional UPDATE, so two people working from
the same page cannot both save (the second gets Conflict and nothing is saved). Every change is
in the audit trail, which the flag page reads back, in order, as the plan's thread.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from portal.data import audit, flags
from portal.data.models import AuditEvent, Flag, RecoveryAction, User
from portal.data.types import FlagSeverity, PlanStatus
from portal.data.versions import Conflict as Conflict
from portal.domain.periods import long_date
from portal.domain.recovery import (
    Answer,
    after_council_answer,
    after_supplier_change,
    answers_open_to_council,
    one_step_up,
)
from portal.extensions import db
from portal.formatting import listing


class NotAllowed(Exception):
    """The flag is closed, the action is done, or the council cannot give this answer now:
    nothing was saved. Its message says which, for the person who tried."""


# What the audit trail calls each move, as the flag page reads them back.
ADDED = "recovery action added"
CHANGED = "recovery action changed"
DONE_EVENT = "recovery action done"
ACCEPTED = "recovery plan accepted"
CHANGES_ASKED = "recovery plan changes asked for"
ESCALATED = "escalated"

CLOSED = "This flag is closed, so its recovery plan can no longer change"
DONE = "This action is done, so it can no longer change"
NOT_OPEN = "The recovery plan is not waiting for an answer"


def waive(flag: Flag, *, reason: str, by: User, expected_version: int | None) -> None:
    """Waive the flag if it is still as the page showed it: closed meanwhile (answered,
    waived or resolved) or its plan changed, it is a Conflict and nothing is saved."""
    if flag.status.is_closed:
        raise Conflict()
    _next_version(flag, expected_version)
    flags.waive(flag, reason=reason, by=by)


def _next_version(flag: Flag, expected_version: int | None) -> None:
    """Move the plan's version on if it is still the one the form was loaded with."""
    if flag.status.is_closed:
        raise NotAllowed(CLOSED)
    if expected_version is None:
        raise Conflict()
    moved = db.session.execute(
        update(Flag)
        .where(Flag.id == flag.id, Flag.plan_version == expected_version)
        .values(plan_version=expected_version + 1)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict()
    set_committed_value(flag, "plan_version", expected_version + 1)


def _action_fields(step: RecoveryAction) -> dict[str, Any]:
    return {"action": step.action, "owner": step.owner, "due_on": step.due_on.isoformat()}


def _record(
    by: User | None,
    action: str,
    flag: Flag,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    *,
    reason: str | None = None,
) -> None:
    audit.record(
        by, action, "flag", flag.id, before, after, contract_id=flag.contract_id, reason=reason
    )


def _plan_changed(flag: Flag) -> tuple[dict[str, Any], dict[str, Any]]:
    """A supplier's change leaves the plan waiting for the council; the before and after of
    that, for the change's audit event (nothing when it was waiting already)."""
    before = flag.plan_status
    flag.plan_status = after_supplier_change(before)
    if flag.plan_status is before:
        return {}, {}
    return {"plan_status": before.value}, {"plan_status": flag.plan_status.value}


def add_action(
    flag: Flag, *, action: str, owner: str, due_on: date, by: User, expected_version: int | None
) -> PlanStatus:
    """A new step of the plan; the first one acknowledges the flag. Returns the plan's status
    before the change."""
    _next_version(flag, expected_version)
    before = flag.plan_status
    step = RecoveryAction(
        flag_id=flag.id,
        action=action.strip(),
        owner=owner.strip(),
        due_on=due_on,
        created_by_id=by.id,
    )
    flag.actions.append(step)
    flags.acknowledge(flag, by=by)
    plan_before, plan_after = _plan_changed(flag)
    _record(by, ADDED, flag, plan_before or None, _action_fields(step) | plan_after)
    return before


def change_action(
    flag: Flag,
    step: RecoveryAction,
    *,
    action: str,
    owner: str,
    due_on: date,
    by: User,
    expected_version: int | None,
) -> PlanStatus | None:
    """New words, owner or date for an action not yet done. Returns the plan's status before
    the change, or None if nothing was different (and so nothing changed)."""
    if step.done_on is not None:
        raise NotAllowed(DONE)
    was = _action_fields(step)
    step.action, step.owner, step.due_on = action.strip(), owner.strip(), due_on
    now = _action_fields(step)
    if now == was:
        return None
    _next_version(flag, expected_version)
    before = flag.plan_status
    plan_before, plan_after = _plan_changed(flag)
    _record(by, CHANGED, flag, was | plan_before, now | plan_after)
    return before


def mark_done(
    flag: Flag, step: RecoveryAction, *, done_on: date, by: User, expected_version: int | None
) -> None:
    """Progress on the plan, not a change to it: the plan's status stays as it is."""
    if step.done_on is not None:
        raise NotAllowed(DONE)
    _next_version(flag, expected_version)
    step.done_on = done_on
    _record(
        by,
        DONE_EVENT,
        flag,
        after={"action": step.action, "done_on": done_on.isoformat()},
    )


def answer(
    flag: Flag, given: Answer, *, comment: str, by: User, expected_version: int | None
) -> None:
    """The council accepts the plan, or asks for changes (saying what it needs)."""
    _next_version(flag, expected_version)
    if given not in answers_open_to_council(flag.plan_status):
        raise NotAllowed(NOT_OPEN)
    before = flag.plan_status
    flag.plan_status = after_council_answer(given)
    _record(
        by,
        ACCEPTED if given is Answer.ACCEPT else CHANGES_ASKED,
        flag,
        {"plan_status": before.value},
        {"plan_status": flag.plan_status.value},
        reason=comment.strip() or None,
    )


def get_action(flag: Flag, action_id: int) -> RecoveryAction | None:
    return next((step for step in flag.actions if step.id == action_id), None)


def thread(flag: Flag) -> list[AuditEvent]:
    """Everything that happened to the flag and its plan, oldest first, with who did it."""
    query = (
        select(AuditEvent)
        .options(joinedload(AuditEvent.actor).joinedload(User.organisation))
        .where(AuditEvent.object_type == "flag", AuditEvent.object_id == flag.id)
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    )
    return list(db.session.scalars(query))


# Overdue actions of accepted plans: what raises a flag a step, and what the digest counts.


def overdue_action(today: date) -> ColumnElement[bool]:
    """An action of an open flag's accepted plan, not done, whose date has passed (the SQL
    of domain.recovery.is_overdue and should_escalate)."""
    return and_(
        RecoveryAction.done_on.is_(None),
        RecoveryAction.due_on < today,
        Flag.id == RecoveryAction.flag_id,
        Flag.plan_status == PlanStatus.ACCEPTED,
        Flag.status.in_(flags.OPEN_STATUSES),
    )


WHY_ESCALATED = "An action of the accepted recovery plan is past its date"


def escalate_overdue(today: date) -> int:
    """Raise by one step, once, every open flag whose accepted plan has an action past its
    date, saying why in its history. One conditional UPDATE marks and raises them all, so
    however often and however concurrently it runs, each flag is raised once; two more
    queries name the actions in the history. Returns how many flags it raised."""
    raised = db.session.execute(
        update(Flag)
        .where(Flag.escalated_on.is_(None), exists().where(overdue_action(today)))
        .values(
            escalated_on=today,
            escalated_from=Flag.severity,
            severity=case(
                {level.value: one_step_up(level).value for level in FlagSeverity},
                value=Flag.severity,
            ),
        )
        .returning(Flag.id, Flag.contract_id, Flag.escalated_from, Flag.severity)
        .execution_options(synchronize_session="fetch")
    ).all()
    if not raised:
        return 0
    overdue: dict[int, list[str]] = {}
    late = select(RecoveryAction).where(
        overdue_action(today), RecoveryAction.flag_id.in_([row.id for row in raised])
    )
    for step in db.session.scalars(late.order_by(RecoveryAction.due_on, RecoveryAction.id)):
        overdue.setdefault(step.flag_id, []).append(
            f"“{step.action}” was due by {long_date(step.due_on)}"
        )
    audit.record_many(
        [
            {
                "action": ESCALATED,
                "object_type": "flag",
                "object_id": row.id,
                "before": {"severity": FlagSeverity(row.escalated_from).value},
                "after": {"severity": FlagSeverity(row.severity).value},
                "contract_id": row.contract_id,
                "reason": f"{WHY_ESCALATED}: {listing(overdue.get(row.id, []))}",
            }
            for row in raised
        ]
    )
    return len(raised)
