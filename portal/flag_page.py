"""What a flag's page shows, for the council and for its supplier alike: the flag, its recovery
plan and where the conversation about it stands, and everything that happened, in order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from portal import calendar
from portal.data import recovery
from portal.data.models import AuditEvent, Flag
from portal.data.types import PlanStatus
from portal.domain.periods import long_date
from portal.domain.recovery import answers_open_to_council, is_overdue
from portal.template_helpers import format_date

ANSWERS = (recovery.ACCEPTED, recovery.CHANGES_ASKED)


@dataclass(frozen=True)
class Entry:
    """One thing that happened to the flag: "<who> <what>", then what was said, then the
    details, such as an action's words, owner and date."""

    at: datetime
    who: str
    what: str
    said: str | None = None
    details: tuple[str, ...] = ()


def context(flag: Flag, *, audience: str) -> dict[str, Any]:
    """`audience` is the blueprint whose page it is: "council" or "supplier"."""
    today = calendar.today()
    events = recovery.thread(flag)
    last_answer = next((e for e in reversed(events) if e.action in ANSWERS), None)
    return {
        "flag": flag,
        "audience": audience,
        "overdue": {s.id for s in flag.actions if is_overdue(s.due_on, s.done_on, today)},
        "answered": answered(flag.plan_status, last_answer),
        "council_said": last_answer.reason if last_answer else None,
        "answers": [] if flag.status.is_closed else answers_open_to_council(flag.plan_status),
        "escalation": escalation(flag),
        "thread": [entry(event) for event in events],
        "title": f"{flag.kind.label}: {flag.contract.reference}",
    }


def answered(status: PlanStatus, event: AuditEvent | None) -> str:
    """Who gave the council's answer, and when: "Jo Bloggs accepted it on …"."""
    did = "accepted it" if status is PlanStatus.ACCEPTED else "asked for changes"
    if event is None or event.actor is None:
        return f"The council {did}"
    return f"{event.actor.full_name} {did} on {format_date(event.occurred_at)}"


def escalation(flag: Flag) -> str | None:
    """Why the flag is more severe than its cause alone would make it."""
    if flag.escalated_on is None or flag.escalated_from is None:
        return None
    when = long_date(flag.escalated_on)
    if flag.escalated_from is flag.severity:
        return f"An action of the accepted recovery plan was past its date on {when}"
    return (
        f"Raised from {flag.escalated_from.value} on {when}, because an action of the "
        "accepted recovery plan was past its date"
    )


def _day(iso: str | None) -> str:
    return long_date(date.fromisoformat(iso)) if iso else "no date"


def _step(fields: dict[str, Any]) -> str:
    """An action as one line: “what”, who, by when."""
    return f"“{fields.get('action')}”, {fields.get('owner')}, by {_day(fields.get('due_on'))}"


def _plan_moved(before: dict[str, Any], after: dict[str, Any]) -> tuple[str, ...]:
    if "plan_status" not in after:
        return ()
    if before.get("plan_status") == PlanStatus.ACCEPTED:
        return ("The council had accepted the plan: it is waiting for the council again.",)
    return ("The plan is waiting for the council.",)


def entry(event: AuditEvent) -> Entry:
    before, after = event.before or {}, event.after or {}
    actor = event.actor
    who = f"{actor.full_name} ({actor.organisation.name})" if actor else "The system"
    said: str | None = event.reason
    details: Sequence[str] = ()
    match event.action:
        case "raised":
            what, said = "raised the flag", after.get("summary")
        case "reopened":
            what = "opened the flag again: its cause is back"
        case recovery.ADDED:
            what, details = "added an action", (_step(after), *_plan_moved(before, after))
        case recovery.CHANGED:
            what = "changed an action"
            details = (f"Was: {_step(before)}", f"Now: {_step(after)}", *_plan_moved(before, after))
        case recovery.DONE_EVENT:
            what = "marked an action as done"
            details = (f"“{after.get('action')}”, done on {_day(after.get('done_on'))}",)
        case recovery.ACCEPTED:
            what = "accepted the recovery plan"
        case recovery.CHANGES_ASKED:
            what = "asked for changes to the recovery plan"
        case recovery.ESCALATED if before.get("severity") == after.get("severity"):
            what = f"kept the severity at {after.get('severity')}"
        case recovery.ESCALATED:
            what = f"raised the severity from {before.get('severity')} to {after.get('severity')}"
        case _:  # acknowledged, resolved, waived
            what = f"{event.action} the flag"
    return Entry(event.occurred_at, who, what, said, tuple(details))
