"""Quarterly returns: their lines, submissions and reviews, loaded through scoped queries.

Every change goes through `touch()`, which moves the return's version: a form that was loaded
at an older version is refused with Conflict instead of overwriting someone else's work.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import joinedload, selectinload

from portal.data import audit, threads
from portal.data.base import utcnow
from portal.data.contracts import seen_by
from portal.data.models import (
    Commitment,
    Contract,
    Return,
    ReturnLine,
    ReturnReopening,
    ReturnSubmission,
    User,
)
from portal.data.types import LineReview, ReturnStatus, Role
from portal.data.versions import Conflict as Conflict
from portal.data.versions import check
from portal.domain.periods import ReportingPeriod
from portal.domain.reviews import LineDecision
from portal.extensions import db


class NotEditable(Exception):
    """The return is submitted or accepted: only a review can change it now."""


def _scoped(user: User) -> Any:
    return select(Return).join(Return.contract).where(seen_by(user), return_seen_by(user))


def return_seen_by(user: User) -> ColumnElement[bool]:
    """A draft is the supplier's own until they submit it: council staff see a return (its
    review page, submissions, evidence and people) only once it has been sent."""
    if user.role is Role.SUPPLIER_USER:
        return true()
    return Return.status != ReturnStatus.DRAFT


def get_for(user: User, return_id: int) -> Return | None:
    """The return if this user may see it: its contract's supplier or council. Else None."""
    query = (
        _scoped(user)
        .where(Return.id == return_id)
        .options(
            joinedload(Return.contract).joinedload(Contract.supplier),
            joinedload(Return.contract).joinedload(Contract.manager),
            selectinload(Return.lines)
            .joinedload(ReturnLine.commitment)
            .joinedload(Commitment.measure),
            selectinload(Return.submissions),
        )
    )
    return db.session.scalar(query)


def for_contract(contract_id: int) -> dict[tuple[int, int], Return]:
    """The contract's returns by (financial year, quarter), in one query."""
    query = select(Return).where(Return.contract_id == contract_id)
    return {(r.financial_year, r.quarter): r for r in db.session.scalars(query)}


def find(contract_id: int, financial_year: int, quarter: int) -> Return | None:
    return db.session.scalar(
        select(Return).where(
            Return.contract_id == contract_id,
            Return.financial_year == financial_year,
            Return.quarter == quarter,
        )
    )


def start(contract: Contract, period: ReportingPeriod, *, by: User) -> Return:
    """A draft return for the period with a line for each monitored commitment."""
    started = Return(
        contract_id=contract.id,
        financial_year=period.financial_year,
        quarter=period.quarter,
        period_starts_on=period.starts_on,
        period_ends_on=period.ends_on,
        due_on=period.due_on,
        status=ReturnStatus.DRAFT,
        started_by_id=by.id,
        lines=[ReturnLine(commitment_id=c.id) for c in contract.commitments if not c.is_retired],
    )
    db.session.add(started)
    db.session.flush()
    audit.record(
        by, "started", "return", started.id, after={"period": period.label}, contract_id=contract.id
    )
    return started


def check_editable(ret: Return, expected_version: int | None) -> None:
    if not ret.status.is_editable:
        raise NotEditable()
    # A form without its version is refused like a stale one, never taken as fresh.
    check(ret, expected_version)


def touch(ret: Return) -> None:
    ret.updated_at = utcnow()


def get_line(ret: Return, line_id: int) -> ReturnLine | None:
    return next((line for line in ret.lines if line.id == line_id), None)


def save_line(
    ret: Return,
    line: ReturnLine,
    *,
    figure: Decimal | None,
    narrative: str,
    nil_reason: str | None,
    expected_version: int | None,
) -> None:
    check_editable(ret, expected_version)
    line.figure = figure
    line.narrative = narrative.strip()
    # A reason for a nil return only means something when the figure is nil.
    line.nil_reason = ((nil_reason or "").strip() or None) if figure == 0 else None
    touch(ret)


def set_derived_figures(ret: Return, figures: dict[int, Decimal | None]) -> None:
    """Figures the portal counts from workforce records, by commitment id (None: not known)."""
    for line in ret.lines:
        if line.commitment_id in figures:
            line.figure = figures[line.commitment_id]
    touch(ret)


def _as_submitted(line: ReturnLine) -> dict[str, Any]:
    return {
        "commitment_id": line.commitment_id,
        "measure": line.commitment.measure.name,
        "unit": line.commitment.measure.unit.value,
        "figure": str(line.figure) if line.figure is not None else None,
        "nothing_to_count": line.nothing_to_count,
        "narrative": line.narrative,
        "nil_reason": line.nil_reason,
    }


_CONTENT = ("figure", "narrative", "nil_reason")


def submit(
    ret: Return,
    *,
    by: User,
    declaration: str,
    workforce_records: int,
    evidence: list[dict[str, Any]],
    nothing_to_count: Collection[int] = (),
) -> ReturnSubmission:
    """Freeze what is being sent; the working copy is locked until changes are requested.
    `nothing_to_count`: the commitments whose fair-work share has nobody to count.

    A line accepted before and sent again unchanged stays accepted (its figure keeps counting);
    every other line, changed or new or queried, waits for the reviewer's decision."""
    # The caller (workflows.returns.submit) has checked the form's version.
    if not ret.status.is_editable:
        raise NotEditable()
    last = ret.submissions[-1].lines if ret.submissions else []
    sent_before = {line["commitment_id"]: line for line in last}
    lines = []
    for line in ret.lines:
        line.nothing_to_count = line.commitment_id in nothing_to_count
        sent = _as_submitted(line)
        before = sent_before.get(line.commitment_id)
        unchanged = before is not None and all(before[k] == sent[k] for k in _CONTENT)
        if not (line.review is LineReview.ACCEPTED and unchanged):
            line.review, line.review_comment, line.accepted_figure = None, None, None
        line.submitted_figure = line.figure
        lines.append(sent | {"accepted_before": line.review is LineReview.ACCEPTED})
    submission = ReturnSubmission(
        number=ret.submission_count + 1,
        submitted_by_id=by.id,
        submitted_by_name=by.full_name,
        declaration=declaration,
        lines=lines,
        workforce_records=workforce_records,
        evidence=evidence,
    )
    ret.submissions.append(submission)
    ret.submission_count += 1
    ret.status = ReturnStatus.SUBMITTED
    ret.submitted_at = submission.submitted_at = utcnow()
    touch(ret)
    db.session.flush()
    audit.record(
        by,
        "submitted",
        "return",
        ret.id,
        after={"submission": submission.number},
        contract_id=ret.contract_id,
        reason=declaration,
    )
    return submission


def awaiting_decision(ret: Return) -> list[ReturnLine]:
    """The lines of a submitted return the reviewer has still to accept or query."""
    return [line for line in ret.lines if line.review is None]


def accepted_lines(ret: Return) -> list[ReturnLine]:
    """The lines that count as delivered already."""
    return [line for line in ret.lines if line.review is LineReview.ACCEPTED]


def accepted_measures(ret: Return) -> list[str]:
    return [line.commitment.measure.name for line in accepted_lines(ret)]


def review(
    ret: Return, decisions: list[LineDecision], *, by: User, expected_version: int
) -> ReturnStatus:
    """Decide each line awaiting a decision. The return is accepted when every line is, and
    goes back to the supplier if any is queried; either way an accepted line counts from now."""
    if ret.status is not ReturnStatus.SUBMITTED:
        raise NotEditable()
    check(ret, expected_version)
    by_id = {decision.line_id: decision for decision in decisions}
    for line in awaiting_decision(ret):
        decision = by_id[line.id]
        line.review = decision.review
        line.review_comment = decision.comment.strip() or None
        line.accepted_figure = line.figure if decision.review is LineReview.ACCEPTED else None
        if line.review_comment:  # the first message of the line's thread on this submission
            threads.post(line, line.review_comment, by=by, submission_number=ret.submission_count)
    queried = any(line.review is LineReview.QUERIED for line in ret.lines)
    outcome = ReturnStatus.CHANGES_REQUESTED if queried else ReturnStatus.ACCEPTED
    submission = ret.submissions[-1]
    submission.outcome = outcome
    submission.decided_at = ret.decided_at = utcnow()
    submission.decided_by_id = by.id
    submission.review = [
        {
            "commitment_id": line.commitment_id,
            "review": line.review.value if line.review else None,
            "comment": line.review_comment,
        }
        for line in ret.lines
    ]
    ret.status = outcome
    touch(ret)
    db.session.flush()
    audit.record(
        by,
        outcome.value.replace("_", " "),
        "return",
        ret.id,
        before={"status": "submitted"},
        after={
            "status": outcome.value,
            **{
                f"lines {decision.value}": ", ".join(
                    line.commitment.measure.name for line in ret.lines if line.review is decision
                )
                or "none"
                for decision in LineReview
            },
        },
        contract_id=ret.contract_id,
    )
    return outcome


def reopen(
    ret: Return, line_ids: list[int], *, reason: str, by: User, expected_version: int
) -> list[ReturnLine]:
    """Send an accepted return back to the supplier with the chosen lines to look at again:
    they are queried, with the reason as a message on each, and stop counting as delivered
    (their figures are pending again); the other lines stay accepted. The accepted submission
    is kept as it was, and the reopening recorded beside it. Returns the lines sent back."""
    check(ret, expected_version)
    if ret.status is not ReturnStatus.ACCEPTED:
        raise NotEditable()
    reason = reason.strip()
    number = ret.submission_count
    chosen = [line for line in ret.lines if line.id in line_ids]
    for line in chosen:
        line.review, line.review_comment, line.accepted_figure = LineReview.QUERIED, reason, None
        threads.post(line, reason, by=by, submission_number=number)
    ret.reopenings.append(
        ReturnReopening(
            submission_number=number,
            reopened_by_id=by.id,
            reason=reason,
            commitment_ids=[line.commitment_id for line in chosen],
        )
    )
    ret.status = ReturnStatus.CHANGES_REQUESTED
    touch(ret)
    db.session.flush()
    audit.record(
        by,
        "reopened",
        "return",
        ret.id,
        before={"status": ReturnStatus.ACCEPTED.value},
        after={
            "status": ReturnStatus.CHANGES_REQUESTED.value,
            "submission": number,
            "lines reopened": ", ".join(line.commitment.measure.name for line in chosen),
            "lines still accepted": ", ".join(accepted_measures(ret)) or "none",
        },
        contract_id=ret.contract_id,
        reason=reason,
    )
    return chosen


def previous(ret: Return) -> Return | None:
    """The contract's return for the period before this one, if there is one."""
    query = (
        select(Return)
        .where(Return.contract_id == ret.contract_id, Return.period_ends_on < ret.period_starts_on)
        .order_by(Return.period_ends_on.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def reviewer_name(ret: Return) -> str | None:
    """Who decided the return's latest submission: whoever reviewed it, who need not be the
    contract manager. None until a submission has been decided."""
    decided_by_id = ret.submissions[-1].decided_by_id if ret.submissions else None
    reviewer = db.session.get(User, decided_by_id) if decided_by_id is not None else None
    return reviewer.full_name if reviewer else None


def awaiting_review_count(council_id: int) -> int:
    query = (
        select(func.count())
        .select_from(Return)
        .join(Return.contract)
        .where(Contract.council_id == council_id, Return.status == ReturnStatus.SUBMITTED)
    )
    return db.session.scalar(query) or 0


def editable_ending_from(day: date) -> list[Return]:
    """Every council's returns still with their suppliers (draft, or changes requested) for
    periods ending on or after the day."""
    query = (
        select(Return)
        .options(selectinload(Return.lines).joinedload(ReturnLine.commitment))
        .where(
            Return.status.in_([ReturnStatus.DRAFT, ReturnStatus.CHANGES_REQUESTED]),
            Return.period_ends_on >= day,
        )
        .order_by(Return.id)
    )
    return list(db.session.scalars(query))


def for_council(council_id: int) -> Iterator[Return]:
    """Every return of the council's contracts, for the returns export."""
    query = (
        select(Return)
        .join(Return.contract)
        .options(joinedload(Return.contract).joinedload(Contract.supplier))
        .where(Contract.council_id == council_id)
        .order_by(Contract.reference, Return.financial_year, Return.quarter)
        .execution_options(yield_per=1000)
    )
    yield from db.session.scalars(query)
