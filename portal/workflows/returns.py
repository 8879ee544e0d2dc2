"""The quarterly return: people counted from workforce records, submission and review."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from portal.calendar import today
from portal.config import current_settings
from portal.data import (
    commit,
    evidence,
    fair_work,
    flags,
    living_wage,
    local_areas,
    returns,
    users,
    workforce,
)
from portal.data.models import (
    Contract,
    EvidenceFile,
    KeptSchedule,
    Return,
    ReturnLine,
    ReturnSubmission,
    User,
)
from portal.data.types import (
    FlagKind,
    FlagSeverity,
    LineReview,
    ReturnStatus,
    Role,
    WorkforceDerivation,
)
from portal.domain import schedules
from portal.domain.counting import (
    Claim,
    DoubleClaim,
    NotKnown,
    PeriodFigures,
    Share,
    WorkforceRecord,
    derive,
    describe_double_claim,
    double_claims,
)
from portal.domain.periods import ReportingPeriod
from portal.domain.resubmission import EvidenceChanges, LineChanges, compare, evidence_changes
from portal.domain.reviews import Reopening
from portal.domain.schedules import ScheduleChange
from portal.notifications import emails
from portal.workflows import compliance

DECLARATION = (
    "I confirm that the figures and evidence in this return relate only to this contract and "
    "this reporting period, that each person is counted once for each measure, and that they "
    "are correct to the best of my knowledge."
)


def open_return(contract: Contract, period: ReportingPeriod, *, by: User) -> Return:
    """The period's return, started now if nobody has started it yet."""
    existing = returns.find(contract.id, period.financial_year, period.quarter)
    if existing is not None:
        return existing
    started = returns.start(contract, period, by=by)
    commit()
    return started


def _area(ret: Return) -> set[str]:
    contract = ret.contract
    area = contract.local_area or local_areas.default_for(contract.council_id)
    return set(area.codes) if area else set()


def figures(ret: Return) -> PeriodFigures:
    """The people measures this return's workforce records give, with who counts for each,
    the fair-work shares judged against the real Living Wage rate in force for the period."""
    return _counted(ret)[0]


def _counted(ret: Return) -> tuple[PeriodFigures, Decimal | None]:
    """The figures, and the real Living Wage rate they were judged against."""
    rate = living_wage.rate_for(ret.contract, ret.period_starts_on, ret.period_ends_on)
    return _derive(ret, workforce.records_of(ret.id), rate, _area(ret)), rate


def _derive(
    ret: Return, records: list[WorkforceRecord], rate: Decimal | None, area: set[str]
) -> PeriodFigures:
    return derive(
        records,
        period_starts_on=ret.period_starts_on,
        period_ends_on=ret.period_ends_on,
        local_area=area,
        full_time_hours=Decimal(current_settings().full_time_hours),
        living_wage=rate,
    )


def fair_work_now(ret: Return) -> tuple[dict[WorkforceDerivation, Share], Decimal | None]:
    """The return's fair-work shares as its people stand now, and the rate they are judged
    against (the check page shows them before the declaration)."""
    counted, rate = _counted(ret)
    return counted.shares, rate


def store_fair_work(ret: Return) -> PeriodFigures:
    """Count the return's fair-work shares and keep them, whether or not the contract has a
    fair-work commitment (the contract page and the exports read them)."""
    counted, rate = _counted(ret)
    fair_work.store(ret, counted.shares, rate)
    return counted


def backfill_fair_work(contract_ids: Sequence[int], batch: int = 500) -> int:
    """Store the fair-work shares of these contracts' returns that have none (made before
    they were stored, or in bulk); compliance.refresh runs it. Returns how many were counted.

    In bulk: each batch's people in one query, each contract's place once and each rate once
    for each place and period (the shares do not depend on the local area)."""
    london: dict[int, bool] = {}  # by contract
    rates: dict[tuple[bool, date, date], Decimal | None] = {}
    done = 0
    while found := fair_work.returns_without(contract_ids, limit=batch):
        people = workforce.records_by_return([ret.id for ret in found])
        counted = []
        for ret in found:
            span = (ret.period_starts_on, ret.period_ends_on)
            if ret.contract_id not in london:
                london[ret.contract_id] = living_wage.is_london(ret.contract)
            place = (london[ret.contract_id], *span)
            if place not in rates:
                rates[place] = living_wage.rate_for(ret.contract, *span)
            shares = _derive(ret, people.get(ret.id, []), rates[place], set()).shares
            counted.append((ret, shares, rates[place]))
        fair_work.add_all(counted)
        done += len(found)
    return done


def needs_fair_work(ret: Return) -> bool:
    """Whether the return's people must each give their pay, contract type and guaranteed
    hours: when the contract has a fair-work commitment (design brief section 5a)."""
    return any(
        (derivation := line.commitment.measure.derivation) is not None and derivation.is_share
        for line in ret.lines
    )


def refresh_derived(ret: Return) -> PeriodFigures:
    """Put the counted figures on the lines of people measures (while the return is editable).
    A fair-work share that is not known leaves its line without a figure, never a false 0%.
    The fair-work shares are stored with them, for every return."""
    counted = store_fair_work(ret)
    derived = {
        line.commitment_id: counted.values[line.commitment.measure.derivation]
        for line in ret.lines
        if line.commitment.measure.derivation is not None
    }
    returns.set_derived_figures(ret, derived)
    return counted


def recount_open_returns(rate_changed_from: date) -> int:
    """After a real Living Wage rate is added or changed: the returns still with their
    suppliers for periods it may judge (ending on or after the first day it changed) are
    counted again, so none shows a share judged against a rate no longer in the table. Sent
    returns keep the shares they were sent with. Returns how many were counted."""
    found = returns.editable_ending_from(rate_changed_from)
    for ret in found:
        refresh_derived(ret)
    return len(found)


def upload_workforce(
    ret: Return, records: list[WorkforceRecord], *, expected_version: int | None
) -> bool:
    """Save an uploaded list of people, or keep it aside for the supplier to confirm when it
    would replace people already recorded (nothing is replaced unseen). Returns whether saved."""
    returns.check_editable(ret, expected_version)
    if workforce.count(ret.id):
        workforce.keep(ret.id, workforce.PENDING, records)
        return False
    workforce.replace_all(ret.id, records)
    refresh_derived(ret)
    return True


def upload_changes(ret: Return, pending: KeptSchedule) -> ScheduleChange:
    """What the upload waiting for confirmation would change in the people recorded now."""
    return schedules.compare(workforce.records_of(ret.id), workforce.kept_records(pending))


def confirm_upload(ret: Return, *, expected_version: int | None) -> int | None:
    """Replace the people with the upload waiting for confirmation, keeping the list it
    replaces so that it can be put back. Returns how many people were replaced (None: no
    upload was waiting)."""
    returns.check_editable(ret, expected_version)
    pending = workforce.kept(ret.id, workforce.PENDING)
    if pending is None:
        return None
    replaced = workforce.records_of(ret.id)
    workforce.keep(ret.id, workforce.PREVIOUS, replaced)
    workforce.replace_all(ret.id, workforce.kept_records(pending))
    workforce.discard(ret.id, workforce.PENDING)
    refresh_derived(ret)
    return len(replaced)


def kept_schedules(ret: Return) -> dict[str, KeptSchedule]:
    """The lists kept aside for an editable return, by kind (workforce.PENDING, PREVIOUS)."""
    return workforce.kept_aside(ret.id) if ret.status.is_editable else {}


def cancel_upload(ret: Return) -> None:
    workforce.discard(ret.id, workforce.PENDING)


def restore_previous(ret: Return, *, expected_version: int | None) -> int | None:
    """Put back the list the last confirmed upload replaced. Returns how many people came
    back (None: there was no such list)."""
    returns.check_editable(ret, expected_version)
    previous = workforce.kept(ret.id, workforce.PREVIOUS)
    if previous is None:
        return None
    records = workforce.kept_records(previous)
    workforce.replace_all(ret.id, records)
    workforce.discard(ret.id, workforce.PREVIOUS)
    refresh_derived(ret)
    return len(records)


def add_person(ret: Return, record: WorkforceRecord, *, expected_version: int | None) -> None:
    returns.check_editable(ret, expected_version)
    workforce.add(ret.id, record)
    refresh_derived(ret)


def remove_person(ret: Return, entry_id: int, *, expected_version: int | None) -> bool:
    returns.check_editable(ret, expected_version)
    removed = workforce.remove(ret.id, entry_id)
    refresh_derived(ret)
    return removed


def copy_last_quarter(ret: Return, *, expected_version: int | None) -> int:
    """Bring over last quarter's people who are still engaged; returns how many came."""
    returns.check_editable(ret, expected_version)
    previous = returns.previous(ret)
    if previous is None:
        return 0
    carried = workforce.still_engaged(workforce.records_of(previous.id), ret.period_starts_on)
    # A person carried over is no longer a new hire in this quarter.
    carried = [
        WorkforceRecord(
            **{
                **{f: getattr(r, f) for f in workforce.FIELDS},
                "is_new_hire": r.is_new_hire and r.starts_on >= ret.period_starts_on,
            }
        )
        for r in carried
    ]
    present = {(e.worker_reference, e.starts_on) for e in workforce.entries_of(ret.id)}
    new = [r for r in carried if (r.worker_reference, r.starts_on) not in present]
    for record in new:
        workforce.add(ret.id, record)
    refresh_derived(ret)
    return len(new)


def double_counting(ret: Return) -> list[DoubleClaim]:
    """This return's workers also claimed on the supplier's other contracts for the same time,
    with shares adding to more than 100%."""
    own = workforce.records_of(ret.id)
    claims = [
        Claim(r.worker_reference, ret.contract_id, r.starts_on, r.ends_on, r.share_on_contract)
        for r in own
    ]
    claims += workforce.claims_elsewhere(ret, {r.worker_reference for r in own})
    return [c for c in double_claims(claims) if ret.contract_id in c.contract_ids]


ANOTHER_COUNCIL = "a contract with another council"


def described_double_claims(ret: Return, *, for_council: bool) -> list[tuple[DoubleClaim, str]]:
    """Each double claim with the sentence that says it, naming every other contract and the
    share claimed there. The supplier's contracts are all its own to see; a council never
    learns another council's contract reference, so that contract is described instead."""
    claims = double_counting(ret)
    others = {c for claim in claims for c in claim.contract_ids} - {ret.contract_id}
    names = {
        contract_id: (
            ANOTHER_COUNCIL if for_council and council_id != ret.contract.council_id else reference
        )
        for contract_id, (reference, council_id) in workforce.contract_references(others).items()
    }
    return [(claim, describe_double_claim(claim, ret.contract_id, names)) for claim in claims]


@dataclass(frozen=True)
class LineProblem:
    line: ReturnLine
    message: str


def _nobody_to_count(derivation: WorkforceDerivation, share: Share) -> bool:
    """A 50+ share with nobody aged 50 or over on the contract this quarter: a true answer,
    sent without a figure. (A share of all the workers with nobody at all is not: the
    people are missing, and must be added.)"""
    return derivation.is_older_share and share.nobody_to_count


def nothing_to_count(ret: Return, shares: Mapping[WorkforceDerivation, Share]) -> set[int]:
    """The commitments whose line has nobody to count, by the shares as counted."""
    return {
        line.commitment_id
        for line in ret.lines
        if (derivation := line.commitment.measure.derivation) is not None
        and derivation.is_share
        and _nobody_to_count(derivation, shares[derivation])
    }


def nobody_to_count_now(ret: Return) -> set[int]:
    """nothing_to_count as the people stand now; counted only when a 50+ share has no figure."""
    if any(
        line.figure is None
        and line.commitment.measure.derivation is not None
        and line.commitment.measure.derivation.is_older_share
        for line in ret.lines
    ):
        return nothing_to_count(ret, figures(ret).shares)
    return set()


def line_problems(ret: Return) -> list[LineProblem]:
    """What stops the return being submitted, line by line."""
    problems = []
    counted: PeriodFigures | None = None
    for line in ret.lines:
        name = line.commitment.measure.name
        derivation = line.commitment.measure.derivation
        if line.figure is None and derivation is not None and derivation.is_share:
            counted = counted or figures(ret)
            share = counted.shares[derivation]
            if not _nobody_to_count(derivation, share):
                problems.append(LineProblem(line, _why_not_known(derivation, share, name)))
        elif line.figure is None:
            problems.append(LineProblem(line, f"Enter the figure for {name}"))
        elif line.figure == 0 and not line.nil_reason:
            problems.append(LineProblem(line, f"Give a reason for the nil return for {name}"))
        if not line.narrative:
            problems.append(LineProblem(line, f"Describe what was delivered for {name}"))
    return problems


def _why_not_known(derivation: WorkforceDerivation, share: Share, name: str) -> str:
    """What the supplier can do about a fair-work share the portal cannot count."""
    people = "the people aged 50 and over" if derivation.is_older_share else "the people"
    if share.not_known is NotKnown.NO_RATE:
        return (
            f"{name} cannot be counted: the real Living Wage rate for this quarter is not in "
            "the portal yet. Ask the council to add it"
        )
    if share.nobody_to_count:
        return f"{name} cannot be counted: add the people on this contract this quarter"
    if derivation in (WorkforceDerivation.LIVING_WAGE, WorkforceDerivation.OLDER_LIVING_WAGE):
        return f"Enter the hourly pay of {people} on this contract to count {name}"
    return (
        f"Enter the contract type and guaranteed weekly hours of {people} on this contract to "
        f"count {name}"
    )


def submit(
    ret: Return, *, by: User, declaration_confirmed: bool, expected_version: int
) -> list[str]:
    """Submit, or say why not. Emails the contract manager; flags workers claimed twice."""
    returns.check_editable(ret, expected_version)
    counted = refresh_derived(ret)  # the fair-work shares are stored for every return, as sent
    problems = [problem.message for problem in line_problems(ret)]
    if not declaration_confirmed:
        problems.append("Confirm the declaration to submit the return")
    if problems:
        return problems
    files = evidence.files_of(ret.id)
    submission = returns.submit(
        ret,
        by=by,
        declaration=DECLARATION,
        workforce_records=workforce.count(ret.id),
        evidence=[
            {
                "id": f.id,
                "filename": f.filename,
                "sha256": f.sha256,
                "commitment_id": f.commitment_id,
            }
            for f in files
        ],
        nothing_to_count=nothing_to_count(ret, counted.shares),
    )
    # Once submitted, the people are part of the record: nothing kept aside can replace them.
    workforce.discard(ret.id, workforce.PENDING, workforce.PREVIOUS)
    _flag_double_counting(ret)
    compliance.refresh_contract(ret.contract_id, today())
    emails.return_submitted(ret, ret.contract.manager, submission.number)
    commit()  # the delivery worker sends them
    return []


def _flag_double_counting(ret: Return) -> None:
    prefix = f"double:{ret.contract_id}:{ret.financial_year}-{ret.quarter}:"
    raised = []
    for claim, summary in described_double_claims(ret, for_council=True):
        key = f"{prefix}{claim.worker_reference}:{claim.overlap_starts_on.isoformat()}"
        flags.raise_flag(
            key,
            kind=FlagKind.DOUBLE_COUNTING,
            severity=FlagSeverity.MEDIUM,
            contract_id=ret.contract_id,
            return_id=ret.id,
            summary=summary,
            details={
                "worker_reference": claim.worker_reference,
                "contract_ids": [c for c, _ in claim.elsewhere(ret.contract_id)],
                "shares": {str(c): str(share) for c, share in claim.shares},
                "from": claim.overlap_starts_on.isoformat(),
                "to": claim.overlap_ends_on.isoformat() if claim.overlap_ends_on else None,
                "total_share": str(claim.total_share),
            },
        )
        raised.append(key)
    flags.resolve_cleared(
        prefix,
        raised,
        "Resolved itself: the worker is no longer claimed for more than 100% of their time",
    )


def review(
    ret: Return, decisions: list[returns.LineDecision], *, by: User, expected_version: int
) -> ReturnStatus:
    outcome = returns.review(ret, decisions, by=by, expected_version=expected_version)
    _flag_queried_lines(ret)
    compliance.refresh_contract(ret.contract_id, today())
    number = ret.submission_count
    notify = (
        emails.return_accepted if outcome is ReturnStatus.ACCEPTED else emails.changes_requested
    )
    for person in _supplier_recipients(ret):
        notify(ret, person, number)
    commit()  # the delivery worker sends them
    return outcome


def reopen(ret: Return, reopening: Reopening, *, by: User, expected_version: int) -> None:
    """An accepted return goes back to the supplier with the chosen lines queried, their figures
    pending again, in one transaction; then the supplier's users are emailed."""
    returns.reopen(
        ret,
        reopening.line_ids,
        reason=reopening.reason,
        by=by,
        expected_version=expected_version,
    )
    _flag_queried_lines(ret)
    compliance.refresh_contract(ret.contract_id, today())
    for person in _supplier_recipients(ret):
        emails.return_reopened(ret, person)
    commit()  # the delivery worker sends them


def _supplier_recipients(ret: Return) -> list[User]:
    return [
        person
        for person in users.users_of(ret.contract.supplier_id)
        if person.is_active and person.has_accepted_invitation and person.role is Role.SUPPLIER_USER
    ]


def _flag_queried_lines(ret: Return) -> None:
    """A flag for each queried line; those of lines accepted since resolve themselves."""
    prefix = f"queried:{ret.id}:"
    queried = [line for line in ret.lines if line.review is LineReview.QUERIED]
    for line in queried:
        flags.raise_flag(
            f"{prefix}{line.commitment_id}",
            kind=FlagKind.QUERIED_EVIDENCE,
            severity=FlagSeverity.LOW,
            contract_id=ret.contract_id,
            commitment_id=line.commitment_id,
            return_id=ret.id,
            summary=f"{line.commitment.measure.name}: {line.review_comment or 'queried'}",
        )
    flags.resolve_cleared(
        prefix,
        [f"{prefix}{line.commitment_id}" for line in queried],
        "Resolved itself: the line was accepted",
    )


@dataclass(frozen=True)
class Resubmission:
    """What the submission under review changed since the one before it."""

    previous: ReturnSubmission
    lines: dict[int, LineChanges]  # by commitment id
    evidence: EvidenceChanges


def since_last_submission(ret: Return, files: list[EvidenceFile]) -> Resubmission | None:
    """None for a first submission. `files` are the return's evidence files now."""
    if len(ret.submissions) < 2:
        return None
    previous, latest = ret.submissions[-2:]
    attached = {f.id: f for f in files}

    def with_lines(sent: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # Submissions made before each file's line was recorded: the line from the file
        # itself, if it is still attached (else it is not known, and shown as no line's).
        return [
            {**f, "commitment_id": attached[f["id"]].commitment_id}
            if "commitment_id" not in f
            and f["id"] in attached
            and attached[f["id"]].sha256 == f["sha256"]
            else f
            for f in sent
        ]

    evidence_changed = evidence_changes(with_lines(previous.evidence), with_lines(latest.evidence))
    queried = {
        item["commitment_id"]
        for item in previous.review or []
        if item["review"] == LineReview.QUERIED.value
    }
    reopened = {
        commitment_id
        for reopening in ret.reopenings
        if reopening.submission_number == previous.number
        for commitment_id in reopening.commitment_ids
    }
    lines = compare(
        previous.lines, latest.lines, evidence_changed, queried=queried, reopened=reopened
    )
    return Resubmission(previous, lines, evidence_changed)
