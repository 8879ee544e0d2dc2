"""A contract manager's decision on each line of a return, as typed into the review form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class LineReview(StrEnum):
    ACCEPTED = "accepted"
    QUERIED = "queried"


@dataclass(frozen=True)
class LineDecision:
    line_id: int
    review: LineReview
    comment: str


def review_decisions(
    lines: Sequence[Any], typed: Mapping[str, str]
) -> tuple[list[LineDecision], dict[str, str]]:
    """Every line needs a decision; a query needs a comment saying what to change."""
    decisions: list[LineDecision] = []
    errors: dict[str, str] = {}
    for line in lines:
        line_id: int = line.id
        name = line.commitment.measure.name
        choice = typed.get(f"review-{line_id}", "")
        comment = typed.get(f"comment-{line_id}", "").strip()
        if choice not in (LineReview.ACCEPTED, LineReview.QUERIED):
            errors[f"review-{line_id}"] = f"Select whether you accept or query {name}"
        elif choice == LineReview.QUERIED and not comment:
            errors[f"comment-{line_id}"] = f"Enter what the supplier needs to change for {name}"
        elif len(comment) > 2000:
            errors[f"comment-{line_id}"] = "Comment must be 2000 characters or fewer"
        else:
            decisions.append(LineDecision(line_id, LineReview(choice), comment))
    return decisions, errors


@dataclass(frozen=True)
class Reopening:
    line_ids: list[int]
    reason: str


REOPEN_LINES = "reopen-lines"
REOPEN_REASON = "reopen-reason"


def reopening(
    lines: Sequence[Any], reason: str, chosen: Sequence[str]
) -> tuple[Reopening | None, dict[str, str]]:
    """Reopening an accepted return needs at least one of its lines, and a reason."""
    line_ids = [line.id for line in lines if str(line.id) in chosen]
    reason = reason.strip()
    errors: dict[str, str] = {}
    if not line_ids:
        errors[REOPEN_LINES] = "Select the lines the supplier needs to look at again"
    if not reason:
        errors[REOPEN_REASON] = "Enter the reason for reopening the return"
    elif len(reason) > 2000:
        errors[REOPEN_REASON] = "Reason must be 2000 characters or fewer"
    return (None if errors else Reopening(line_ids, reason)), errors
