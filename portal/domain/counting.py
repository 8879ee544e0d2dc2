"""The people measures derived from anonymised workforce records, the fair-work shares, and
double claims.

Pure functions: no Flask, no database. Design brief sections 4 (counting rules) and 5a (fair
work).

Dates are inclusive at both ends, as people write them. Internally a span of days is half-open,
[start, end), with end None for an engagement that has not ended.

Assumed, not checked here (validating input is the caller's job): weekly_hours > 0,
0 < share_on_contract <= 1, ends_on (when given) on or after starts_on, and local area codes in
their canonical form (postcodes.normalise_area_code). A record that breaks these is not rejected;
a span that ends before it starts simply has no days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import IntEnum, StrEnum

from portal.domain.measures import FAIR_WORK, WorkforceDerivation
from portal.domain.periods import long_date
from portal.domain.postcodes import is_local
from portal.formatting import listing, percent

_CENT = Decimal("0.01")
_ONE_DAY = timedelta(days=1)
_Span = tuple[date, date | None]  # [start, end): end None = open-ended


class AgeBand(StrEnum):
    """Age band at the start date."""

    UNDER_18 = "16-17"
    AGE_18_24 = "18-24"
    AGE_25_34 = "25-34"
    AGE_35_49 = "35-49"
    AGE_50_64 = "50-64"
    AGE_65_PLUS = "65+"

    @property
    def is_50_or_over(self) -> bool:
        return self in (AgeBand.AGE_50_64, AgeBand.AGE_65_PLUS)

    @property
    def label(self) -> str:
        if self is AgeBand.AGE_65_PLUS:
            return "65 and over"
        low, high = self.value.split("-")
        return f"{low} to {high}"


class ContractType(StrEnum):
    """The kind of contract a person works on (design brief section 5a)."""

    PERMANENT = "permanent"
    FIXED_TERM = "fixed-term"
    TEMPORARY_OR_AGENCY = "temporary or agency"
    ZERO_HOURS = "zero-hours"
    CASUAL = "casual"
    SELF_EMPLOYED = "self-employed"


@dataclass(frozen=True)
class WorkforceRecord:
    worker_reference: str
    postcode_sector: str  # e.g. "M4 5", already reduced from the postcode
    age_band: AgeBand
    starts_on: (
        date  # start of the engagement on this contract (an apprentice's: the apprenticeship)
    )
    ends_on: date | None  # None: still engaged
    weekly_hours: Decimal  # contracted weekly hours, > 0
    share_on_contract: Decimal  # 0 < share <= 1
    is_new_hire: bool  # False: retained
    apprenticeship_level: int | None = None  # 2..7 when an apprentice
    apprenticeship_standard: str | None = None
    # basic hourly pay in £, before tax, excluding overtime and bonuses
    hourly_pay: Decimal | None = None
    contract_type: ContractType | None = None
    guaranteed_hours: Decimal | None = None  # guaranteed weekly hours

    @property
    def is_apprentice(self) -> bool:
        """Only levels 2 to 7 count as apprenticeships; any other level is ignored."""
        return self.apprenticeship_level is not None and 2 <= self.apprenticeship_level <= 7


class NotKnown(StrEnum):
    """Why a fair-work share has no figure."""

    NO_RATE = "no_rate"  # no real Living Wage rate in force for the period
    NO_DATA = "no_data"  # nobody in the group has a record that gives the figure


@dataclass(frozen=True)
class Share:
    """A fair-work share of one period: the % of the FTE whose record gives the figure that
    meets it, how much of the group's FTE that is (its coverage), and the people behind it.

    Decision: a share that cannot be counted is None, never 0%: a 0% would read as the worst
    result and raise a false flag. Its line stays without a figure (see NotKnown)."""

    percent: Decimal | None  # None: not known
    coverage: Decimal | None  # % of all the group's FTE; None: the group has no FTE at all
    counted: int  # people whose record gives the figure
    meeting: int | None  # of those, people who meet it; None: not known (no rate)
    without_data: int  # people in the group whose record does not give the figure
    not_known: NotKnown | None = None
    # The FTE behind it (over the period, as for local FTE), so that shares can be added up
    # across returns and contracts: the FTE meeting it (0 when not known for want of a rate),
    # the FTE whose record gives the figure, and all the group's FTE.
    fte_met: Decimal = Decimal(0)
    fte_given: Decimal = Decimal(0)
    fte_all: Decimal = Decimal(0)

    @property
    def nobody_to_count(self) -> bool:
        """Nobody in the group worked on the contract in the period (no one aged 50 or over,
        say): there is nothing to count, which is a true answer, not missing data."""
        return self.counted == 0 and self.without_data == 0


@dataclass(frozen=True)
class PeriodFigures:
    # Every derivation present: a count is 0 when nothing counts; a fair-work share (in %) is
    # None when it is not known (details in `shares`).
    values: dict[WorkforceDerivation, Decimal | None]
    contributors: dict[WorkforceDerivation, tuple[str, ...]]  # worker references, sorted, unique
    shares: dict[WorkforceDerivation, Share]  # the fair-work derivations only


def derive(
    records: Sequence[WorkforceRecord],
    *,
    period_starts_on: date,
    period_ends_on: date,
    local_area: Collection[str],
    full_time_hours: Decimal = Decimal(37),
    living_wage: Decimal | None = None,
) -> PeriodFigures:
    """The people measures of one reporting period [period_starts_on, period_ends_on].

    `living_wage` is the real Living Wage rate (£ an hour) in force for the period where the
    work is done (None: no rate known, so the Living Wage shares are not known)."""
    if period_ends_on < period_starts_on:
        raise ValueError("the period ends before it starts")
    if full_time_hours <= 0:
        raise ValueError("full-time hours must be positive")
    area = set(local_area)
    period: _Span = (period_starts_on, period_ends_on + _ONE_DAY)
    days_in_period = (period_ends_on - period_starts_on).days + 1

    def starts_in_period(record: WorkforceRecord) -> bool:
        return period_starts_on <= record.starts_on <= period_ends_on

    local = [r for r in records if is_local(r.postcode_sector, area)]
    hires = [r for r in records if r.is_new_hire and starts_in_period(r)]
    apprentices = [r for r in records if r.is_apprentice]
    heads = {
        WorkforceDerivation.LOCAL_HIRES: {
            r.worker_reference for r in hires if is_local(r.postcode_sector, area)
        },
        WorkforceDerivation.APPRENTICESHIP_STARTS: {
            r.worker_reference for r in apprentices if starts_in_period(r)
        },
        WorkforceDerivation.OLDER_WORKER_HIRES: {
            r.worker_reference for r in hires if r.age_band.is_50_or_over
        },
    }

    # A person is at most one FTE: hours beyond full time do not count.
    def fte_weight(record: WorkforceRecord) -> Decimal:
        return min(record.weekly_hours, full_time_hours) * record.share_on_contract

    hour_days, fte_workers = _weighted_days(local, period, fte_weight)
    apprentice_days, apprentice_workers = _weighted_days(apprentices, period, lambda r: Decimal(1))

    values: dict[WorkforceDerivation, Decimal | None] = {
        derivation: Decimal(len(refs)) for derivation, refs in heads.items()
    }
    values[WorkforceDerivation.LOCAL_FTE] = _round(hour_days / (full_time_hours * days_in_period))
    values[WorkforceDerivation.APPRENTICESHIP_WEEKS] = _round(apprentice_days / 7)
    contributors = {derivation: tuple(sorted(refs)) for derivation, refs in heads.items()}
    contributors[WorkforceDerivation.LOCAL_FTE] = tuple(sorted(fte_workers))
    contributors[WorkforceDerivation.APPRENTICESHIP_WEEKS] = tuple(sorted(apprentice_workers))
    shares = _fair_work(records, period, fte_weight, living_wage, full_time_hours * days_in_period)
    for derivation, (share, meeting) in shares.items():
        values[derivation] = share.percent
        contributors[derivation] = tuple(sorted(meeting))
    return PeriodFigures(
        values={d: values[d] for d in WorkforceDerivation},
        contributors={d: contributors[d] for d in WorkforceDerivation},
        shares={d: shares[d][0] for d in FAIR_WORK},
    )


SECURE_HOURS = Decimal(16)  # the Living Hours standard: at least 16 guaranteed hours a week
_INSECURE = (ContractType.ZERO_HOURS, ContractType.CASUAL)


def is_secure(record: WorkforceRecord) -> bool | None:
    """Secure work: neither zero-hours nor casual, and at least 16 guaranteed hours a week.
    None when the record does not say.

    Decision: a zero-hours or casual contract is insecure whatever its guaranteed hours, so its
    record gives the figure even without them; any other type needs both type and hours."""
    if record.contract_type in _INSECURE:
        return False
    if record.contract_type is None or record.guaranteed_hours is None:
        return None
    return record.guaranteed_hours >= SECURE_HOURS


class _Fact(IntEnum):
    """What a record says, as far as the fair-work shares go (an index into its facts)."""

    OLDER = 0  # aged 50 or over
    PAY_GIVEN = 1
    PAID_THE_RATE = 2  # at least the real Living Wage
    SECURITY_GIVEN = 3  # contract type and, where they matter, guaranteed hours
    SECURE = 4


_Facts = tuple[bool, ...]  # indexed by _Fact
_Stage = tuple[WorkforceDerivation, str]  # ("everyone" | "given" | "met") of one share


def _stages() -> dict[_Stage, tuple[_Fact, ...]]:
    """For each share, the facts a record needs to be summed: everyone in its group, those
    whose record gives the figure, and those meeting it."""
    stages: dict[_Stage, tuple[_Fact, ...]] = {}
    for derivation, group, gives, meets in (
        (WorkforceDerivation.LIVING_WAGE, (), _Fact.PAY_GIVEN, _Fact.PAID_THE_RATE),
        (WorkforceDerivation.SECURE_WORK, (), _Fact.SECURITY_GIVEN, _Fact.SECURE),
        (
            WorkforceDerivation.OLDER_LIVING_WAGE,
            (_Fact.OLDER,),
            _Fact.PAY_GIVEN,
            _Fact.PAID_THE_RATE,
        ),
        (WorkforceDerivation.OLDER_SECURE_WORK, (_Fact.OLDER,), _Fact.SECURITY_GIVEN, _Fact.SECURE),
    ):
        stages[derivation, "everyone"] = group
        stages[derivation, "given"] = (*group, gives)
        stages[derivation, "met"] = (*group, gives, meets)
    return stages


_STAGES = _stages()


def _fair_work(
    records: Sequence[WorkforceRecord],
    period: _Span,
    fte_weight: Callable[[WorkforceRecord], Decimal],
    living_wage: Decimal | None,
    full_time_days: Decimal,
) -> dict[WorkforceDerivation, tuple[Share, set[str]]]:
    """The four fair-work shares, each with the workers who meet it (section 5a).

    Twelve sums of FTE over as many subsets of the records, in one pass: a worker with one
    record (most of them) is added to the sums its facts choose; a worker with several goes
    through _summed, whose overlap rule (_weighted_days) applies to every figure alike."""

    def facts(record: WorkforceRecord) -> _Facts:
        pay, secure = record.hourly_pay, is_secure(record)
        paid = pay is not None and living_wage is not None and pay >= living_wage
        return (
            record.age_band.is_50_or_over,
            pay is not None,
            paid,
            secure is not None,
            bool(secure),
        )

    totals = {stage: Decimal(0) for stage in _STAGES}
    workers: dict[_Stage, set[str]] = {stage: set() for stage in _STAGES}
    # Workers with one record, by what it says: their FTE-days, and who they are.
    alike_days: dict[_Facts, Decimal] = defaultdict(Decimal)
    alike: dict[_Facts, list[str]] = defaultdict(list)
    for worker, engaged in _engagements(records, period, fte_weight).items():
        if len(engaged) == 1:
            (start, end), weight, record = engaged[0]
            assert end is not None  # clipped to the period
            key = facts(record)
            alike_days[key] += weight * (end - start).days
            alike[key].append(worker)
            continue
        said = {record: facts(record) for _, _, record in engaged}
        for stage, needs in _STAGES.items():

            def keep(
                record: WorkforceRecord,
                needs: tuple[_Fact, ...] = needs,
                said: dict[WorkforceRecord, _Facts] = said,
            ) -> bool:
                return all(said[record][fact] for fact in needs)

            days, found = _summed({worker: engaged}, keep)
            totals[stage] += days
            workers[stage] |= found
    for key, who in alike.items():
        for stage, needs in _STAGES.items():
            if all(key[fact] for fact in needs):
                totals[stage] += alike_days[key]
                workers[stage].update(who)

    def share(derivation: WorkforceDerivation, no_rate: bool) -> tuple[Share, set[str]]:
        everyone, given, met = ((derivation, stage) for stage in ("everyone", "given", "met"))
        return _share(
            (totals[everyone], workers[everyone]),
            (totals[given], workers[given]),
            (totals[met], workers[met]),
            no_rate,
            full_time_days,
        )

    no_rate = living_wage is None
    return {
        WorkforceDerivation.LIVING_WAGE: share(WorkforceDerivation.LIVING_WAGE, no_rate),
        WorkforceDerivation.SECURE_WORK: share(WorkforceDerivation.SECURE_WORK, False),
        WorkforceDerivation.OLDER_LIVING_WAGE: share(
            WorkforceDerivation.OLDER_LIVING_WAGE, no_rate
        ),
        WorkforceDerivation.OLDER_SECURE_WORK: share(WorkforceDerivation.OLDER_SECURE_WORK, False),
    }


def _share(
    everyone: tuple[Decimal, set[str]],
    given: tuple[Decimal, set[str]],
    met: tuple[Decimal, set[str]],
    no_rate: bool,
    full_time_days: Decimal,
) -> tuple[Share, set[str]]:
    """A share of the group's FTE, weighed as for local FTE: met ÷ given, and given ÷ all
    (coverage). Each sum is over a subset of the records of the one before, and a total never
    falls for an added record (_weighted_days), so both stay between 0 and 100%."""
    (all_days, group), (given_days, counted), (met_days, meeting) = everyone, given, met
    coverage = _round(given_days * 100 / all_days) if all_days else None
    without_data = len(group - counted)

    def fte(days: Decimal) -> Decimal:
        return _round_fte(days / full_time_days)

    fte_given, fte_all = fte(given_days), fte(all_days)
    if no_rate:
        share = Share(
            None, coverage, len(counted), None, without_data, NotKnown.NO_RATE,
            fte_given=fte_given, fte_all=fte_all,
        )  # fmt: skip
        return share, set()
    if not given_days:
        share = Share(
            None, coverage, len(counted), len(meeting), without_data, NotKnown.NO_DATA,
            fte_given=fte_given, fte_all=fte_all,
        )  # fmt: skip
        return share, meeting
    percent = _round(met_days * 100 / given_days)
    share = Share(
        percent, coverage, len(counted), len(meeting), without_data, None,
        fte_met=fte(met_days), fte_given=fte_given, fte_all=fte_all,
    )  # fmt: skip
    return share, meeting


_Engagement = tuple[_Span, Decimal, WorkforceRecord]  # days within the period, weight, record


def _weighted_days(
    records: Iterable[WorkforceRecord],
    period: _Span,
    weight: Callable[[WorkforceRecord], Decimal],
) -> tuple[Decimal, set[str]]:
    """Sum over workers of weight x days within the period, and the workers with any such day.

    Decision: a worker's overlapping records count their shared days once, at the largest weight
    among the records active on that day (so two engagements of one person never make more than
    one person's time, and adding a record never lowers the total).
    """
    return _summed(_engagements(records, period, weight), lambda record: True)


def _engagements(
    records: Iterable[WorkforceRecord],
    period: _Span,
    weight: Callable[[WorkforceRecord], Decimal],
) -> dict[str, list[_Engagement]]:
    """Each worker's records with days in the period, clipped to it and weighed: worked out
    once, then summed over as many subsets of the records as needed (_summed)."""
    by_worker: dict[str, list[_Engagement]] = defaultdict(list)
    for record in records:
        span = _clip(_span(record.starts_on, record.ends_on), period)
        if span is not None:
            by_worker[record.worker_reference].append((span, weight(record), record))
    return by_worker


def _summed(
    by_worker: Mapping[str, list[_Engagement]], keep: Callable[[WorkforceRecord], bool]
) -> tuple[Decimal, set[str]]:
    """_weighted_days over the records `keep` chooses."""
    total = Decimal(0)
    workers = set()
    for worker, engaged in by_worker.items():
        kept = [entry for entry in engaged if keep(entry[2])]
        if not kept:
            continue
        workers.add(worker)
        if len(kept) == 1:  # most people: one record, nothing to overlap
            (start, end), weight, _ = kept[0]
            assert end is not None  # clipped to the period
            total += weight * (end - start).days
            continue
        for start, end, active in _pieces([span for span, _, _ in kept]):
            assert end is not None
            total += max(kept[k][1] for k in active) * (end - start).days
    return total, workers


@dataclass(frozen=True)
class Claim:
    worker_reference: str
    contract_id: int
    starts_on: date
    ends_on: date | None
    share_on_contract: Decimal


@dataclass(frozen=True)
class DoubleClaim:
    worker_reference: str
    shares: tuple[tuple[int, Decimal], ...]  # (contract id, share claimed on it), by contract id
    overlap_starts_on: date
    overlap_ends_on: date | None  # None: open-ended

    @property
    def contract_ids(self) -> tuple[int, ...]:
        return tuple(contract_id for contract_id, _ in self.shares)

    @property
    def total_share(self) -> Decimal:
        return sum((share for _, share in self.shares), Decimal(0))

    def share_on(self, contract_id: int) -> Decimal:
        return dict(self.shares).get(contract_id, Decimal(0))

    def elsewhere(self, contract_id: int) -> tuple[tuple[int, Decimal], ...]:
        """The shares claimed on the other contracts, seen from this one."""
        return tuple((other, share) for other, share in self.shares if other != contract_id)


def double_claims(claims: Iterable[Claim]) -> list[DoubleClaim]:
    """Workers claimed on two or more contracts at once for more than 100% of their time.

    Decisions: claims of one worker on the same contract never conflict, and count once at
    their largest share (not the sum) towards the total. Each result is a maximal run of days over
    which the same contracts overlap with the same shares, adding to more than 1; where any of
    them changes, a new result starts. Sorted by worker reference, then start date.
    """
    by_worker: dict[str, list[Claim]] = defaultdict(list)
    for claim in claims:
        by_worker[claim.worker_reference].append(claim)
    found: list[DoubleClaim] = []
    for worker, mine in sorted(by_worker.items()):
        spans = [_span(c.starts_on, c.ends_on) for c in mine]
        previous: DoubleClaim | None = None
        for start, end, active in _pieces(spans):
            shares: dict[int, Decimal] = {}
            for k in active:
                contract, share = mine[k].contract_id, mine[k].share_on_contract
                shares[contract] = max(share, shares.get(contract, share))
            if len(shares) < 2 or sum(shares.values(), Decimal(0)) <= 1:
                previous = None
                continue
            last_day = None if end is None else end - _ONE_DAY
            by_contract = tuple(sorted(shares.items()))
            if (
                previous is not None
                and previous.overlap_ends_on == start - _ONE_DAY
                and previous.shares == by_contract
            ):
                found[-1] = previous = DoubleClaim(
                    worker, by_contract, previous.overlap_starts_on, last_day
                )
            else:
                previous = DoubleClaim(worker, by_contract, start, last_day)
                found.append(previous)
    return found


def describe_double_claim(claim: DoubleClaim, contract_id: int, names: Mapping[int, str]) -> str:
    """The claim as seen from one of its contracts: "Worker W-1 is also claimed on NCC-002 (60%)
    from 1 April 2025: with 50% on this contract, that is 110% of their time in all."

    `names` says how to call each other contract (its reference, or a description for one the
    reader may not know the reference of)."""
    elsewhere = listing(
        [
            f"{names.get(other, 'another contract')} ({percent(share)})"
            for other, share in claim.elsewhere(contract_id)
        ]
    )
    when = f"from {long_date(claim.overlap_starts_on)}"
    if claim.overlap_ends_on is not None:
        when += f" to {long_date(claim.overlap_ends_on)}"
    return (
        f"Worker {claim.worker_reference} is also claimed on {elsewhere} {when}: with "
        f"{percent(claim.share_on(contract_id))} on this contract, that is "
        f"{percent(claim.total_share)} of their time in all."
    )


def _span(starts_on: date, ends_on: date | None) -> _Span:
    """Inclusive dates -> a half-open span."""
    if ends_on is None or ends_on == date.max:
        return starts_on, None
    return starts_on, ends_on + _ONE_DAY


def _clip(span: _Span, period: _Span) -> _Span | None:
    start, end = span
    period_start, period_end = period
    start = max(start, period_start)
    if end is None or (period_end is not None and period_end < end):
        end = period_end
    return (start, end) if end is None or start < end else None


def _pieces(spans: Sequence[_Span]) -> Iterator[tuple[date, date | None, list[int]]]:
    """Cut the spans into consecutive pieces over each of which the same spans are active.

    Yields (start, end, indices of the active spans), in date order, skipping gaps.
    """
    points = sorted({start for start, _ in spans} | {end for _, end in spans if end is not None})
    for i, start in enumerate(points):
        end = points[i + 1] if i + 1 < len(points) else None
        active = [k for k, (s, e) in enumerate(spans) if s <= start and (e is None or start < e)]
        if active:
            yield start, end, active


def _round(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


_FTE_PLACES = Decimal("0.0001")


def _round_fte(value: Decimal) -> Decimal:
    """FTE to four places: kept for adding up across returns, where two would drift."""
    return value.quantize(_FTE_PLACES, rounding=ROUND_HALF_UP)
