"""The reminder job: a plain function of "now" that works out every email the schedule calls
for, writes each new one to the outbox under a unique key, and (run as the scheduled job, not
from a web request) delivers what is pending.

Running it again, or from two servers at once, sends nothing twice: the keys are unique in the
outbox, and delivery claims each message in the transaction that marks it sent.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import render_template

from portal.calendar import reporting_periods_of
from portal.config import current_settings
from portal.data import commit, compliance, flags, outbox, recovery
from portal.data import reminders as facts
from portal.data.models import Contract, User
from portal.data.types import EmailKind, FlagKind, FlagSeverity, ReturnStatus
from portal.domain.periods import ReportingPeriod, long_date
from portal.domain.reminders import (
    EmailKey,
    Stage,
    digest_week,
    nudge_stage,
    reminder_stage,
)
from portal.formatting import count, listing
from portal.notifications import delivery
from portal.notifications.links import absolute_url

LONDON = ZoneInfo("Europe/London")
SENT = (ReturnStatus.SUBMITTED, ReturnStatus.CHANGES_REQUESTED, ReturnStatus.ACCEPTED)
NOBODY_RESOLVED = "Resolved itself: the supplier now has someone who can sign in"
KINDS = {
    "reminder": EmailKind.RETURN_REMINDER,
    "overdue": EmailKind.RETURN_OVERDUE,
    "escalation": EmailKind.ESCALATION,
    "nudge": EmailKind.CHANGES_NUDGE,
}


@dataclass(frozen=True)
class Planned:
    key: str
    kind: EmailKind
    recipient: User
    subject: str
    template: str
    context: dict[str, object]
    council_id: int  # whose administrators may read it
    # A return period's email: (contract, financial year, quarter), and the contract's supplier
    about: tuple[int, int, int] | None = None
    supplier_id: int | None = None


@dataclass
class Summary:
    written: Counter[str] = field(default_factory=Counter)
    already_sent: int = 0
    delivered: int = 0
    failed: int = 0  # attempts that failed in this run (most are tried again later)
    given_up: list[str] = field(default_factory=list)  # every email failed for good, described
    escalated: int = 0  # flags raised a step for an accepted plan's action past its date
    planned: list[Planned] = field(default_factory=list)

    def lines(self) -> list[str]:
        kinds = (
            ", ".join(count(n, kind.replace("_", " ")) for kind, n in sorted(self.written.items()))
            or "none"
        )
        return [
            f"New emails: {kinds}",
            f"Already sent before: {self.already_sent}",
            f"Delivered: {self.delivered}",
            f"Failed: {self.failed}",
            f"Flags raised a step for a recovery action past its date: {self.escalated}",
            *given_up_lines(self.given_up),
        ]


def given_up_lines(described: list[str]) -> list[str]:
    """What the jobs print while any email has failed for good, until someone resends it."""
    if not described:
        return []
    return [
        f"{count(len(described), 'email')} failed for good and will not be tried again "
        "until an administrator resends it from the Emails page:",
        *(f"  {line}" for line in described),
    ]


def describe_failed() -> list[str]:
    return [
        f"email {m.id} to {m.recipient}, written {m.created_at:%Y-%m-%d %H:%M} UTC: "
        f"{m.subject} ({m.last_error or 'no error recorded'})"
        for m in outbox.failed()
    ]


def london_day(now: datetime) -> date:
    return now.astimezone(LONDON).date()


def plan(now: datetime) -> tuple[list[Planned], dict[str, flags.Wanted]]:
    """Every email the schedule calls for today (sent before or not), and the suppliers that
    have nobody to write to, as flags for their contract managers."""
    settings = current_settings()
    schedule = settings.schedule
    today = london_day(now)
    horizon = max(schedule.days_before, default=0)
    by_period = facts.returns_by_period()
    recipients = facts.supplier_recipients()
    planned: list[Planned] = []
    nobody: dict[str, flags.Wanted] = {}
    for contract in facts.contracts():
        for period in reporting_periods_of(contract):
            if period.due_on > today + timedelta(days=horizon):
                break
            ret = by_period.get((contract.id, period.financial_year, period.quarter))
            stage = reminder_stage(
                period.due_on, today, sent=ret is not None and ret.status in SENT, schedule=schedule
            )
            if ret is not None and ret.status is ReturnStatus.CHANGES_REQUESTED and ret.decided_at:
                stage = nudge_stage(
                    london_day(ret.decided_at),
                    london_day(ret.updated_at),
                    today,
                    submission=ret.submission_count,
                    schedule=schedule,
                )
            if stage is None:
                continue
            people = (
                [contract.manager] if stage.to_manager else recipients.get(contract.supplier_id, [])
            )
            if not people:
                nobody[f"no_users:{contract.id}"] = flags.Wanted(
                    FlagKind.NO_SUPPLIER_USERS,
                    FlagSeverity.HIGH,
                    contract.id,
                    f"{contract.supplier.name} has nobody who can sign in, so reminders about "
                    "its returns cannot be sent: invite someone from the supplier",
                )
            can_sign_in = bool(recipients.get(contract.supplier_id))
            planned += [
                _email(contract, period, ret, stage, person, today, can_sign_in=can_sign_in)
                for person in people
                if person.is_active
            ]
    planned += _digests(now, today)
    return planned, nobody


def _email(
    contract: Contract,
    period: ReportingPeriod,
    ret: facts.ReturnFacts | None,
    stage: Stage,
    person: User,
    today: date,
    *,
    can_sign_in: bool,
) -> Planned:
    if stage.to_manager:
        link = absolute_url("council.view_contract", contract_id=contract.id, _anchor="calendar")
    elif ret is not None:
        link = absolute_url("supplier.view_return", return_id=ret.id)
    else:
        link = absolute_url("supplier.view_contract", contract_id=contract.id, _anchor="calendar")
    subjects = {
        "reminder": f"{contract.reference}: your {period.label} return is due on "
        f"{long_date(period.due_on)}",
        "overdue": f"{contract.reference}: your {period.label} return is overdue",
        "escalation": f"{contract.reference}: the {period.label} return from "
        f"{contract.supplier.name} is overdue",
        "nudge": f"{contract.reference}: changes are still needed to your {period.label} return",
    }
    return Planned(
        key=str(EmailKey(stage, contract.id, period.financial_year, period.quarter, person.id)),
        kind=KINDS[stage.kind],
        recipient=person,
        subject=subjects[stage.kind],
        template=f"emails/{KINDS[stage.kind].value}.txt",
        council_id=contract.council_id,
        context={
            "contract": contract,
            "period": period,
            "stage": stage,
            "user": person,
            "link": link,
            "due": long_date(period.due_on),
            "days_late": (today - period.due_on).days,
            "reviewer_name": ret.reviewer_name if ret else None,
            "supplier_can_sign_in": can_sign_in,
        },
        about=(contract.id, period.financial_year, period.quarter),
        supplier_id=contract.supplier_id,
    )


def _digests(now: datetime, today: date) -> list[Planned]:
    settings = current_settings()
    week = digest_week(today, settings.schedule)
    if week is None:
        return []
    new_flags = facts.new_flags_by_manager(now - timedelta(days=7))
    waiting = facts.awaiting_review_by_manager()
    late_actions = facts.overdue_actions_by_manager(today)
    managers = facts.digest_recipients(set(new_flags) | set(waiting) | set(late_actions))
    link = absolute_url("council.dashboard_page")
    return [_digest(manager, week, new_flags, waiting, late_actions, link) for manager in managers]


def _digest(
    manager: User,
    week: str,
    new_flags: dict[int, int],
    waiting: dict[int, int],
    late_actions: dict[int, int],
    link: str,
) -> Planned:
    news = [
        count(new_flags.get(manager.id, 0), "new flag"),
        f"{count(waiting.get(manager.id, 0), 'return')} to review",
    ]
    late = late_actions.get(manager.id, 0)
    if late:  # only when there are some: most weeks, most managers have none
        news.append(f"{count(late, 'recovery action')} past {'its' if late == 1 else 'their'} date")
    return Planned(
        key=f"digest:{manager.id}:{week}",
        kind=EmailKind.WEEKLY_DIGEST,
        recipient=manager,
        subject=f"Social value: {listing(news)}",
        template="emails/weekly_digest.txt",
        council_id=manager.organisation_id,
        context={
            "user": manager,
            "new_flags": new_flags.get(manager.id, 0),
            "waiting": waiting.get(manager.id, 0),
            "late_actions": late,
            "link": link,
        },
    )


def send(now: datetime, *, dry_run: bool = False, deliver: bool = True) -> Summary:
    """Write today's new emails to the outbox and, unless `deliver` is False (a web request:
    the delivery worker sends them), deliver everything pending that is due."""
    summary = Summary()
    planned, nobody = plan(now)
    sent_before = outbox.existing_keys([p.key for p in planned])
    new = [p for p in planned if p.key not in sent_before]
    summary.already_sent = len(planned) - len(new)
    summary.planned = new
    if dry_run:
        summary.written.update(p.kind.value for p in new)
        return summary
    settings = current_settings()
    # What each new escalation's supplier was sent about the return: one query for them all.
    sent = facts.reminders_sent(
        {p.about for p in new if p.kind is EmailKind.ESCALATION and p.about}
    )
    rows: list[dict[str, object]] = [
        {
            "key": p.key,
            "kind": p.kind,
            "recipient": p.recipient.email,
            "user_id": p.recipient.id,
            "council_id": p.council_id,
            "contract_id": p.about[0] if p.about else None,
            "financial_year": p.about[1] if p.about else None,
            "quarter": p.about[2] if p.about else None,
            "subject": p.subject,
            "body": render_template(
                p.template,
                settings=settings,
                reminders=sent.get(p.about, []) if p.about else [],
                **p.context,
            ),
        }
        for p in new
    ]
    # Count what this run wrote: another run at the same moment may have written the rest.
    written = set(outbox.enqueue_many(rows))
    summary.escalated = recovery.escalate_overdue(london_day(now))
    flags.sync(
        nobody,
        contract_ids=compliance.all_contract_ids(),
        kinds=[FlagKind.NO_SUPPLIER_USERS],
        resolutions={FlagKind.NO_SUPPLIER_USERS: NOBODY_RESOLVED},
    )
    commit()
    summary.written.update(p.kind.value for p in new if p.key in written)
    summary.already_sent += len(new) - len(written)
    if deliver:
        report = delivery.deliver()
        summary.delivered, summary.failed = report.sent, report.failed
        summary.given_up = describe_failed()
    return summary
