"""The recovery plan's rules: where the conversation stands after each move, when an action is
past its date, and when that raises its flag a step."""

from __future__ import annotations

from datetime import date

import pytest

from portal.domain.recovery import (
    Answer,
    FlagSeverity,
    PlanStatus,
    after_council_answer,
    after_supplier_change,
    answers_open_to_council,
    goes_to_council,
    is_overdue,
    one_step_up,
    severity_for,
    should_escalate,
)

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("due_on", "done_on", "overdue"),
    [
        (date(2026, 3, 9), None, True),  # yesterday, not done
        (date(2026, 3, 10), None, False),  # due today: still time
        (date(2026, 3, 11), None, False),
        (date(2026, 3, 1), date(2026, 3, 9), False),  # done, even if late
        (date(2026, 3, 1), date(2026, 2, 20), False),
    ],
)
def test_an_action_is_past_its_date_from_the_day_after_until_it_is_done(
    due_on: date, done_on: date | None, overdue: bool
) -> None:
    assert is_overdue(due_on, done_on, TODAY) is overdue


@pytest.mark.parametrize("before", list(PlanStatus))
def test_any_change_by_the_supplier_leaves_the_plan_waiting_for_the_council(
    before: PlanStatus,
) -> None:
    assert after_supplier_change(before) is PlanStatus.WAITING
    # It is news for the council unless the plan was waiting for it already.
    assert goes_to_council(before) is (before is not PlanStatus.WAITING)


def test_the_council_answers_a_waiting_plan_and_can_send_back_an_accepted_one() -> None:
    assert answers_open_to_council(PlanStatus.WAITING) == {Answer.ACCEPT, Answer.ASK_FOR_CHANGES}
    assert answers_open_to_council(PlanStatus.ACCEPTED) == {Answer.ASK_FOR_CHANGES}
    assert answers_open_to_council(PlanStatus.NONE) == set()
    assert answers_open_to_council(PlanStatus.CHANGES_ASKED) == set()  # the supplier's turn
    assert after_council_answer(Answer.ACCEPT) is PlanStatus.ACCEPTED
    assert after_council_answer(Answer.ASK_FOR_CHANGES) is PlanStatus.CHANGES_ASKED


def test_severity_rises_one_step_and_no_further() -> None:
    assert one_step_up(FlagSeverity.LOW) is FlagSeverity.MEDIUM
    assert one_step_up(FlagSeverity.MEDIUM) is FlagSeverity.HIGH
    assert one_step_up(FlagSeverity.HIGH) is FlagSeverity.HIGH
    # The compliance refresh sets the condition's severity, kept a step up once escalated.
    assert severity_for(FlagSeverity.LOW, escalated=False) is FlagSeverity.LOW
    assert severity_for(FlagSeverity.LOW, escalated=True) is FlagSeverity.MEDIUM


LATE = (date(2026, 3, 1), None)
DONE = (date(2026, 3, 1), date(2026, 3, 2))
LATER = (date(2026, 4, 1), None)


@pytest.mark.parametrize(
    ("status", "actions", "escalated", "escalate"),
    [
        (PlanStatus.ACCEPTED, [DONE, LATE], False, True),
        (PlanStatus.ACCEPTED, [LATE], True, False),  # once only
        (PlanStatus.ACCEPTED, [DONE, LATER], False, False),
        (PlanStatus.ACCEPTED, [], False, False),
        (PlanStatus.WAITING, [LATE], False, False),  # the council has not agreed to it yet
        (PlanStatus.CHANGES_ASKED, [LATE], False, False),
    ],
)
def test_only_an_accepted_plan_with_an_action_past_its_date_escalates_and_only_once(
    status: PlanStatus,
    actions: list[tuple[date, date | None]],
    escalated: bool,
    escalate: bool,
) -> None:
    assert should_escalate(status, actions, TODAY, escalated=escalated) is escalate


def test_each_plan_status_reads_as_words() -> None:
    assert [status.label for status in PlanStatus] == [
        "None yet",
        "Waiting for the council",
        "Accepted",
        "Changes asked for",
    ]
