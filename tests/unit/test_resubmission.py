"""What a return sent again changed, line by line, and what reopening one needs."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from portal.domain.resubmission import compare, evidence_changes
from portal.domain.reviews import reopening


def sent(commitment_id: int, figure: str | None, narrative: str, nil_reason: str | None = None):
    return {
        "commitment_id": commitment_id,
        "figure": figure,
        "narrative": narrative,
        "nil_reason": nil_reason,
    }


def file(file_id: int, commitment_id: int | None, name: str = "a.pdf") -> dict[str, object]:
    return {"id": file_id, "filename": name, "sha256": "0" * 64, "commitment_id": commitment_id}


BEFORE = [sent(1, "40.00", "Park clean-ups"), sent(2, "0.00", "None", "Starts in Q2")]


def test_each_field_is_compared_before_and_after() -> None:
    after = [sent(1, "38.00", "Park clean-ups"), sent(2, "0.00", "None", "Starts in Q2")]
    changes = compare(BEFORE, after, evidence_changes([], []), queried={1}, reopened=set())
    hours = changes[1]
    assert (hours.figure.before, hours.figure.after) == (Decimal(40), Decimal(38))
    assert hours.figure.changed and not hours.narrative.changed and hours.content_changed
    assert hours.reasons == ["Queried", "Changed"]
    untouched = changes[2]
    assert not untouched.content_changed and not untouched.evidence
    assert untouched.reasons == ["Not changed"]


def test_a_line_queried_or_reopened_and_not_changed_says_both() -> None:
    changes = compare(BEFORE, BEFORE, evidence_changes([], []), queried={1}, reopened={2})
    assert changes[1].reasons == ["Queried", "Not changed"]
    assert changes[2].reasons == ["Reopened", "Not changed"]


def test_a_nil_reason_and_a_figure_entered_for_the_first_time_are_changes() -> None:
    before = [sent(1, None, "")]
    after = [sent(1, "0.00", "Nothing", "Paused")]
    changed = compare(before, after, evidence_changes([], []), queried=set(), reopened=set())[1]
    assert changed.figure.before is None and changed.figure.after == 0
    assert changed.nil_reason.changed and changed.narrative.changed


def test_a_line_that_was_not_there_before_is_new() -> None:
    after = [*BEFORE, sent(3, "5.00", "Apprentices")]
    changes = compare(BEFORE, after, evidence_changes([], []), queried=set(), reopened=set())
    assert changes[3].is_new and changes[3].reasons == ["New line"]
    assert changes[3].figure.before is None


def test_evidence_added_and_removed_is_told_line_by_line() -> None:
    before = [file(10, 1, "timesheets.pdf"), file(11, None, "payroll.pdf"), file(12, 2)]
    after = [file(11, None, "payroll.pdf"), file(12, 2), file(13, 1, "sign-in.pdf")]
    evidence = evidence_changes(before, after)
    assert [f["filename"] for f in evidence.added] == ["sign-in.pdf"]
    assert [f["filename"] for f in evidence.removed] == ["timesheets.pdf"]
    changes = compare(BEFORE, BEFORE, evidence, queried=set(), reopened=set())
    assert [f["id"] for f in changes[1].evidence.added] == [13]
    assert [f["id"] for f in changes[1].evidence.removed] == [10]
    assert changes[1].reasons == ["Evidence changed"]
    assert not changes[2].evidence  # its file stayed
    # The same file uploaded again is no change; another under the same name is.
    assert not evidence_changes([file(10, 1)], [file(14, 1)])
    other = {**file(10, 1), "sha256": "1" * 64}
    replaced = evidence_changes([file(10, 1)], [other])
    assert replaced.added == [other] and replaced.removed == [file(10, 1)]
    # The id of a file removed may be given to the next one: its name and content tell.
    reused = evidence_changes([file(10, 1, "timesheets.pdf")], [file(10, 1, "sign-in.pdf")])
    assert [f["filename"] for f in reused.added] == ["sign-in.pdf"]
    assert [f["filename"] for f in reused.removed] == ["timesheets.pdf"]


def test_a_file_whose_line_is_not_known_is_no_lines() -> None:
    """Submissions made before files' lines were recorded: a removed file may be anyone's."""
    unknown = {"id": 10, "filename": "old.pdf", "sha256": "0" * 64}
    evidence = evidence_changes([unknown], [])
    changes = compare(BEFORE, BEFORE, evidence, queried=set(), reopened=set())
    assert evidence.removed == [unknown]
    assert not changes[1].evidence and not changes[2].evidence


@dataclass
class Line:
    id: int


LINES = [Line(5), Line(6)]


def test_reopening_needs_a_line_and_a_reason() -> None:
    assert reopening(LINES, "  ", []) == (
        None,
        {
            "reopen-lines": "Select the lines the supplier needs to look at again",
            "reopen-reason": "Enter the reason for reopening the return",
        },
    )
    chosen, errors = reopening(LINES, " Hires started in July ", ["6"])
    assert errors == {} and chosen is not None
    assert (chosen.line_ids, chosen.reason) == ([6], "Hires started in July")


def test_reopening_ignores_lines_that_are_not_the_returns_and_limits_the_reason() -> None:
    chosen, errors = reopening(LINES, "x" * 2001, ["7", "five"])
    assert chosen is None
    assert errors == {
        "reopen-lines": "Select the lines the supplier needs to look at again",
        "reopen-reason": "Reason must be 2000 characters or fewer",
    }
