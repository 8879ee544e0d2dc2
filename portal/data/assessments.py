"""The contract manager's explanations that go with a contract's performance assessment."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal.data import audit, versions
from portal.data.base import utcnow
from portal.data.models import AssessmentExplanation, Contract, User
from portal.domain.periods import Span
from portal.extensions import db


def explanation_for(contract: Contract, span: Span) -> AssessmentExplanation | None:
    query = (
        select(AssessmentExplanation)
        .options(joinedload(AssessmentExplanation.written_by))
        .where(
            AssessmentExplanation.contract_id == contract.id,
            AssessmentExplanation.period_starts_on == span[0],
            AssessmentExplanation.period_ends_on == span[1],
        )
    )
    return db.session.scalar(query)


def version_of(explained: AssessmentExplanation | None) -> int:
    """The version an explanation form is loaded at: 0 while none is written."""
    return explained.version if explained is not None else 0


def explain(
    contract: Contract, span: Span, explanation: str, *, by: User, expected_version: int | None
) -> None:
    """Write or rewrite the explanation for this period; each version is in the history.
    Conflict if it was written or changed since the form was loaded."""
    found = explanation_for(contract, span)
    if expected_version is None or expected_version != version_of(found):
        raise versions.Conflict()
    before = {"explanation": found.explanation} if found else None
    if found is None:
        found = AssessmentExplanation(
            contract_id=contract.id,
            period_starts_on=span[0],
            period_ends_on=span[1],
            explanation="",
            written_by_id=by.id,
        )
        db.session.add(found)
    found.explanation = explanation.strip()
    found.written_by_id = by.id
    found.written_at = utcnow()
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as clash:  # two first explanations at once: the second is stale
        raise versions.Conflict() from clash
    audit.record(
        by,
        "explained",
        "assessment",
        found.id,
        before=before,
        after={
            "period": f"{span[0].isoformat()} to {span[1].isoformat()}",
            "explanation": found.explanation,
        },
        contract_id=contract.id,
    )
