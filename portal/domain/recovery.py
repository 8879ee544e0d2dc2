"""Recovery plans: the rules of the conversation between a supplier and the council about a
flag, and of the actions the plan promises. Pure: no Flask, no database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum


class FlagSeverity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


def one_step_up(severity: FlagSeverity) -> FlagSeverity:
    """Low becomes medium, medium becomes high; high stays high."""
    return FlagSeverity.MEDIUM if severity is FlagSeverity.LOW else FlagSeverity.HIGH


def severity_for(condition: FlagSeverity, *, escalated: bool) -> FlagSeverity:
    """A flag's severity: what its condition gives, one step higher once an accepted plan's
    action has gone past its date. The compliance refresh and the escalation agree on this."""
    return one_step_up(condition) if escalated else condition


class PlanStatus(StrEnum):
    """Where a flag's recovery plan stands in the conversation."""

    NONE = "none"  # no action yet
    WAITING = "waiting"  # written or changed: the council has to answer
    ACCEPTED = "accepted"
    CHANGES_ASKED = "changes_asked"  # the council asked for a better plan

    @property
    def label(self) -> str:
        return {
            "none": "None yet",
            "waiting": "Waiting for the council",
            "accepted": "Accepted",
            "changes_asked": "Changes asked for",
        }[self.value]


class Answer(StrEnum):
    """What the council can say about a plan."""

    ACCEPT = "accept"
    ASK_FOR_CHANGES = "ask_for_changes"


def answers_open_to_council(status: PlanStatus) -> frozenset[Answer]:
    """A plan waiting for the council can be accepted or sent back; an accepted one can still
    be sent back (when it stops working); otherwise the next move is the supplier's."""
    if status is PlanStatus.WAITING:
        return frozenset(Answer)
    if status is PlanStatus.ACCEPTED:
        return frozenset({Answer.ASK_FOR_CHANGES})
    return frozenset()


def after_council_answer(answer: Answer) -> PlanStatus:
    return PlanStatus.ACCEPTED if answer is Answer.ACCEPT else PlanStatus.CHANGES_ASKED


def after_supplier_change(status: PlanStatus) -> PlanStatus:
    """Writing, changing or adding an action always leaves the plan for the council to answer,
    including a plan the council had accepted: it accepted the plan as it was. (Marking an
    action done is progress on the plan, not a change to it.)"""
    return PlanStatus.WAITING


def goes_to_council(before: PlanStatus) -> bool:
    """Whether a supplier's change puts the plan in front of the council afresh (and so is
    worth an email): not when it is already waiting for an answer."""
    return after_supplier_change(before) is not before


def is_overdue(due_on: date, done_on: date | None, today: date) -> bool:
    """An action is past its date from the day after it was due, until it is marked done."""
    return done_on is None and due_on < today


def should_escalate(
    status: PlanStatus,
    actions: Iterable[tuple[date, date | None]],
    today: date,
    *,
    escalated: bool,
) -> bool:
    """Once only: an accepted plan with an action (due on, done on) past its date raises its
    flag one step. A plan still being discussed has promised nothing yet."""
    return (
        not escalated
        and status is PlanStatus.ACCEPTED
        and any(is_overdue(due_on, done_on, today) for due_on, done_on in actions)
    )
