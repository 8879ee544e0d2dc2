"""What a return sent again changed since its previous submission, line by line: the figure and
words before and after, the evidence added and removed, and why the line needs a decision.

Works on the frozen submissions (`ReturnSubmission.lines` and `.evidence`), so it shows what
was sent each time, whatever happened to the working copy since."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

T = TypeVar("T")
Sent = Mapping[str, Any]  # one line or one evidence file as a submission recorded it


@dataclass(frozen=True)
class Change(Generic[T]):
    before: T | None
    after: T | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class EvidenceChanges:
    added: list[Sent]
    removed: list[Sent]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)

    def for_line(self, commitment_id: int | None) -> EvidenceChanges:
        return EvidenceChanges(
            [f for f in self.added if f.get("commitment_id") == commitment_id],
            [f for f in self.removed if f.get("commitment_id") == commitment_id],
        )


@dataclass(frozen=True)
class LineChanges:
    is_new: bool
    figure: Change[Decimal]
    narrative: Change[str]
    nil_reason: Change[str]
    evidence: EvidenceChanges
    queried: bool  # queried on the previous submission
    reopened: bool  # accepted on the previous submission, then reopened

    @property
    def content_changed(self) -> bool:
        return self.figure.changed or self.narrative.changed or self.nil_reason.changed

    @property
    def reasons(self) -> list[str]:
        """Why the line needs a decision, as tags: what the council did, then what changed."""
        if self.is_new:
            return ["New line"]
        asked = [
            tag
            for tag, applies in (("Queried", self.queried), ("Reopened", self.reopened))
            if applies
        ]
        changed = [
            tag
            for tag, applies in (
                ("Changed", self.content_changed),
                ("Evidence changed", bool(self.evidence)),
            )
            if applies
        ]
        return asked + (changed or ["Not changed"])


def _figure(line: Sent | None) -> Decimal | None:
    figure = line.get("figure") if line else None
    return Decimal(figure) if figure is not None else None


def _evidence_key(file: Sent) -> tuple[Any, ...]:
    # A file is the same one if the same content, under the same name, backs the same line:
    # ids are no guide (a database may give a new file the id of one removed).
    return (file.get("commitment_id", "not known"), file["filename"], file["sha256"])


def _not_in(files: Sequence[Sent], others: Sequence[Sent]) -> list[Sent]:
    unmatched = Counter(_evidence_key(f) for f in others)
    missing = []
    for file in files:
        if unmatched[_evidence_key(file)]:
            unmatched[_evidence_key(file)] -= 1
        else:
            missing.append(file)
    return missing


def evidence_changes(before: Sequence[Sent], after: Sequence[Sent]) -> EvidenceChanges:
    """Files attached since, and files taken away: a file replaced by another is both."""
    return EvidenceChanges(_not_in(after, before), _not_in(before, after))


def compare(
    before: Sequence[Sent],
    after: Sequence[Sent],
    evidence: EvidenceChanges,
    *,
    queried: set[int],
    reopened: set[int],
) -> dict[int, LineChanges]:
    """Each line of the later submission against the earlier one, by commitment id."""
    before_by_id = {line["commitment_id"]: line for line in before}
    changes = {}
    for line in after:
        commitment_id = line["commitment_id"]
        old = before_by_id.get(commitment_id)
        changes[commitment_id] = LineChanges(
            is_new=old is None,
            figure=Change(_figure(old), _figure(line)),
            narrative=Change(old.get("narrative") if old else None, line.get("narrative")),
            nil_reason=Change(old.get("nil_reason") if old else None, line.get("nil_reason")),
            evidence=evidence.for_line(commitment_id),
            queried=commitment_id in queried,
            reopened=commitment_id in reopened,
        )
    return changes
