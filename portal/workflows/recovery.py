"""A recovery plan as a conversation: each change to the plan and each answer to it saved with
the emails it calls for (the contract manager when a plan is written or changed, the supplier's
users when the council answers), which the delivery worker then sends."""

from __future__ import annotations

from datetime import date

from portal.data import commit, recovery, users
from portal.data.models import Flag, OutboxMessage, RecoveryAction, User
from portal.data.types import PlanStatus, Role
from portal.domain.recovery import Answer, goes_to_council
from portal.notifications import emails


def _send(messages: list[OutboxMessage]) -> None:
    commit()  # the delivery worker sends them within seconds


def _tell_the_council(flag: Flag, before: PlanStatus | None) -> None:
    """Save a supplier's change; email the contract manager if it puts the plan in front of
    the council afresh (further changes while it waits are in the same answer)."""
    manager = flag.contract.manager
    messages = []
    if before is not None and goes_to_council(before) and manager.is_active:
        messages.append(emails.recovery_plan_sent(flag, manager, before=before))
    _send(messages)


def add_action(
    flag: Flag, *, action: str, owner: str, due_on: date, by: User, expected_version: int | None
) -> PlanStatus:
    """Returns where the plan stood before (see recovery.Conflict for a stale form)."""
    before = recovery.add_action(
        flag, action=action, owner=owner, due_on=due_on, by=by, expected_version=expected_version
    )
    _tell_the_council(flag, before)
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
    """Returns where the plan stood before, or None if nothing was different."""
    before = recovery.change_action(
        flag,
        step,
        action=action,
        owner=owner,
        due_on=due_on,
        by=by,
        expected_version=expected_version,
    )
    _tell_the_council(flag, before)
    return before


def mark_done(
    flag: Flag, step: RecoveryAction, *, done_on: date, by: User, expected_version: int | None
) -> None:
    recovery.mark_done(flag, step, done_on=done_on, by=by, expected_version=expected_version)
    commit()


def answer(
    flag: Flag, given: Answer, *, comment: str, by: User, expected_version: int | None
) -> str:
    """The council's answer, emailed to the supplier's users. Returns who was emailed."""
    recovery.answer(flag, given, comment=comment, by=by, expected_version=expected_version)
    email = (
        emails.recovery_plan_accepted
        if given is Answer.ACCEPT
        else emails.recovery_plan_changes_asked
    )
    people = [
        person
        for person in users.users_of(flag.contract.supplier_id)
        if person.is_active and person.has_accepted_invitation and person.role is Role.SUPPLIER_USER
    ]
    messages = [email(flag, person, by=by, comment=comment.strip()) for person in people]
    _send(messages)
    return emails.told(
        flag.contract.supplier.name,
        [(person.full_name, message) for person, message in zip(people, messages, strict=True)],
    )
