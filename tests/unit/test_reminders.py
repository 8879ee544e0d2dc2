from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.domain.reminders import (
    EmailKey,
    Schedule,
    Stage,
    digest_week,
    nudge_stage,
    reminder_stage,
)

DUE = date(2025, 7, 30)
SCHEDULE = Schedule()


def stage_on(offset: int, *, sent: bool = False) -> str | None:
    stage = reminder_stage(DUE, DUE + timedelta(days=offset), sent=sent, schedule=SCHEDULE)
    return stage.name if stage else None


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (-20, None),
        (-15, None),
        (-14, "before-14"),
        (-4, "before-14"),
        (-3, "before-3"),
        (-1, "before-3"),
        (0, "due-day"),
        (1, "overdue"),
        (6, "overdue"),
        (7, "escalation-0"),
        (13, "escalation-0"),
        (14, "escalation-1"),
        (30, "escalation-3"),
    ],
)
def test_each_day_has_its_stage(offset: int, expected: str | None) -> None:
    assert stage_on(offset) == expected


def test_a_sent_return_calls_for_nothing() -> None:
    assert all(stage_on(offset, sent=True) is None for offset in range(-20, 40))


def test_escalations_go_to_the_manager_and_the_rest_to_the_supplier() -> None:
    assert reminder_stage(DUE, DUE + timedelta(days=8), sent=False, schedule=SCHEDULE).to_manager
    assert not reminder_stage(DUE, DUE, sent=False, schedule=SCHEDULE).to_manager


def test_a_custom_schedule() -> None:
    schedule = Schedule(days_before=(7,), escalate_after_days=3, escalate_every_days=14)
    assert reminder_stage(DUE, DUE - timedelta(days=10), sent=False, schedule=schedule) is None
    assert (
        reminder_stage(DUE, DUE - timedelta(days=7), sent=False, schedule=schedule).name
        == "before-7"
    )
    assert (
        reminder_stage(DUE, DUE + timedelta(days=3), sent=False, schedule=schedule).name
        == "escalation-0"
    )
    assert (
        reminder_stage(DUE, DUE + timedelta(days=17), sent=False, schedule=schedule).name
        == "escalation-1"
    )


def test_nudges_wait_for_seven_quiet_days() -> None:
    asked = date(2025, 8, 4)
    assert (
        nudge_stage(asked, asked, asked + timedelta(days=6), submission=1, schedule=SCHEDULE)
        is None
    )
    assert (
        nudge_stage(asked, asked, asked + timedelta(days=7), submission=1, schedule=SCHEDULE).name
        == "nudge-1"
    )
    # The supplier touched it on day 5: the quiet week starts again.
    assert (
        nudge_stage(
            asked,
            asked + timedelta(days=5),
            asked + timedelta(days=8),
            submission=1,
            schedule=SCHEDULE,
        )
        is None
    )


def test_digests_go_on_the_digest_day() -> None:
    assert digest_week(date(2025, 8, 4), SCHEDULE) == "2025-W32"  # a Monday
    assert digest_week(date(2025, 8, 5), SCHEDULE) is None


@pytest.mark.parametrize(
    ("stage", "description"),
    [
        (Stage("reminder", "before-14", False), "reminder 14 days before the due date"),
        (Stage("reminder", "before-1", False), "reminder 1 day before the due date"),
        (Stage("reminder", "due-day", False), "reminder on the due date"),
        (Stage("overdue", "overdue", False), "overdue notice"),
        (Stage("escalation", "escalation-2", True), "escalation"),
    ],
)
def test_an_email_key_reads_back_with_what_it_was(stage: Stage, description: str) -> None:
    key = EmailKey(stage, 12, 2025, 1, 7)
    assert EmailKey.parse(str(key)) == key
    assert key.period == (12, 2025, 1)
    assert key.description == description


@pytest.mark.parametrize(
    "key", ["digest:3:2025-W32", "invitation:4:abc", "reminder:x:2025-1:due-day:7", "overdue:1:2"]
)
def test_other_keys_are_not_reminders(key: str) -> None:
    assert EmailKey.parse(key) is None
