"""The people measures derived from anonymised workforce records, and double claims.

Pure functions: no Flask, no database. Design brief section 4 (counting rules).

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
from enum import StrEnum

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
    shares = _fair_work(records, period, fte_weight, living_wage)
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


def _fair_work(
    records: Sequence[WorkforceRecord],
    period: _Span,
    fte_weight: Callable[[WorkforceRecord], Decimal],
    living_wage: Decimal | None,
) -> dict[WorkforceDerivation, tuple[Share, set[str]]]:
    """The four fair-work shares, each with the workers who meet it (section 5a)."""

    def paid_living_wage(record: WorkforceRecord) -> bool | None:
        if record.hourly_pay is None:
            return None
        return None if living_wage is None else record.hourly_pay >= living_wage

    def pay_given(record: WorkforceRecord) -> bool:
        return record.hourly_pay is not None

    def security_given(record: WorkforceRecord) -> bool:
        return is_secure(record) is not None

    older = [r for r in records if r.age_band.is_50_or_over]
    no_rate = living_wage is None
    return {
        WorkforceDerivation.LIVING_WAGE: _share(
            records, period, fte_weight, pay_given, paid_living_wage, no_rate
        ),
        WorkforceDerivation.SECURE_WORK: _share(
            records, period, fte_weight, security_given, is_secure, False
        ),
        WorkforceDerivation.OLDER_LIVING_WAGE: _share(
            older, period, fte_weight, pay_given, paid_living_wage, no_rate
        ),
        WorkforceDerivation.OLDER_SECURE_WORK: _share(
            older, period, fte_weight, security_given, is_secure, False
        ),
    }


def _share(
    records: Sequence[WorkforceRecord],
    period: _Span,
    fte_weight: Callable[[WorkforceRecord], Decimal],
    gives: Callable[[WorkforceRecord], bool],
    meets: Callable[[WorkforceRecord], bool | None],
    no_rate: bool,
) -> tuple[Share, set[str]]:
    """A share of FTE, FTE weighed as for local FTE: met ÷ given, and given ÷ all (coverage).

    Each is a subset of the one before, and _weighted_days never lowers a total for an added
    record, so both stay between 0 and 100%."""
    everyone_days, everyone = _weighted_days(records, period, fte_weight)
    given = [r for r in records if gives(r)]
    given_days, counted = _weighted_days(given, period, fte_weight)
    coverage = _round(given_days * 100 / everyone_days) if everyone_days else None
    without_data = len(everyone - counted)
    if no_rate:
        return Share(None, coverage, len(counted), None, without_data, NotKnown.NO_RATE), set()
    met_days, meeting = _weighted_days([r for r in given if meets(r)], period, fte_weight)
    if not given_days:
        share = Share(None, coverage, len(counted), len(meeting), without_data, NotKnown.NO_DATA)
        return share, meeting
    percent = _round(met_days * 100 / given_days)
    return Share(percent, coverage, len(counted), len(meeting), without_data), meeting


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
    by_worker: dict[str, list[tuple[_Span, Decimal]]] = defaultdict(list)
    for record in records:
        span = _clip(_span(record.starts_on, record.ends_on), period)
        if span is not None:
            by_worker[record.worker_reference].append((span, weight(record)))
    total = Decimal(0)
    for entries in by_worker.values():
        spans = [span for span, _ in entries]
        for start, end, active in _pieces(spans):
            assert end is not None  # clipped to the period
            total += max(entries[k][1] for k in active) * (end - start).days
    return total, set(by_worker)


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
