"""Which reminder a return period calls for on a given day (design brief section 6).

Pure: a period's due date, where its return stands, and the schedule in; the stage that applies
today out. Each stage has a window, from its day until the next stage's day, so a run that was
missed on the exact day still sends the stage's email the next day, and the key the caller
builds from the stage makes it go once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from portal.formatting import count

STAGE_KINDS = ("reminder", "overdue", "escalation", "nudge")


@dataclass(frozen=True)
class Schedule:
    days_before: tuple[int, ...] = (14, 3)  # reminders before the due date
    escalate_after_days: int = 7  # to the contract manager, then every repeat_days
    escalate_every_days: int = 7
    nudge_after_days: int = 7  # changes requested and nothing happened
    digest_weekday: int = 0  # Monday


@dataclass(frozen=True)
class Stage:
    """An email a period calls for: its kind, the stage name for its key, and who gets it."""

    kind: str  # "reminder", "overdue", "escalation", "nudge"
    name: str  # e.g. "before-14", "due-day", "overdue", "escalation-2", "nudge-3"
    to_manager: bool


@dataclass(frozen=True)
class EmailKey:
    """What a reminder email's outbox key says: which stage, about which contract's return for
    which quarter, to whom. The key makes each email go once; parsing it back tells an
    escalation what was sent before it."""

    stage: Stage
    contract_id: int
    financial_year: int
    quarter: int
    user_id: int

    def __str__(self) -> str:
        period = f"{self.financial_year}-{self.quarter}"
        return f"{self.stage.kind}:{self.contract_id}:{period}:{self.stage.name}:{self.user_id}"

    @property
    def period(self) -> tuple[int, int, int]:
        """(contract, financial year, quarter)"""
        return self.contract_id, self.financial_year, self.quarter

    @classmethod
    def parse(cls, key: str) -> EmailKey | None:
        parts = key.split(":")
        if len(parts) != 5 or parts[0] not in STAGE_KINDS:
            return None
        kind, contract_id, period, name, user_id = parts
        year, _, quarter = period.partition("-")
        if not (contract_id + year + quarter + user_id).isdigit():
            return None
        stage = Stage(kind, name, kind == "escalation")
        return cls(stage, int(contract_id), int(year), int(quarter), int(user_id))

    @property
    def description(self) -> str:
        """The stage as a person says it: "reminder 14 days before the due date"."""
        days = self.stage.name.removeprefix("before-")
        if self.stage.kind == "reminder" and days.isdigit():
            return f"reminder {count(int(days), 'day')} before the due date"
        if self.stage.kind == "reminder":
            return "reminder on the due date"
        return "overdue notice" if self.stage.kind == "overdue" else self.stage.kind


def reminder_stage(due_on: date, today: date, *, sent: bool, schedule: Schedule) -> Stage | None:
    """Reminders to the supplier before and on the due date, an overdue notice the day after,
    and escalations to the manager from `escalate_after_days`, while the return is not sent."""
    if sent:
        return None
    days_to_go = (due_on - today).days
    if days_to_go > 0:
        ahead = sorted(d for d in schedule.days_before if d >= days_to_go)
        # Inside the window of the nearest stage not yet passed: 14 covers 14..4, 3 covers 3..1.
        return Stage("reminder", f"before-{ahead[0]}", False) if ahead else None
    if days_to_go == 0:
        return Stage("reminder", "due-day", False)
    late = -days_to_go
    if late < schedule.escalate_after_days:
        return Stage("overdue", "overdue", False)
    round_ = (late - schedule.escalate_after_days) // schedule.escalate_every_days
    return Stage("escalation", f"escalation-{round_}", True)


def nudge_stage(
    changes_requested_on: date,
    last_activity_on: date,
    today: date,
    *,
    submission: int,
    schedule: Schedule,
) -> Stage | None:
    """Once per request for changes, when nothing has happened for `nudge_after_days`."""
    quiet_since = max(changes_requested_on, last_activity_on)
    if (today - quiet_since).days >= schedule.nudge_after_days:
        return Stage("nudge", f"nudge-{submission}", False)
    return None


def digest_week(today: date, schedule: Schedule) -> str | None:
    """The ISO week whose digest is due today, or None if today is not digest day."""
    if today.weekday() != schedule.digest_weekday:
        return None
    year, week, _ = today.isocalendar()
    return f"{year}-W{week:02d}"


def since_last_digest(today: date) -> date:
    return today - timedelta(days=7)
