"""Demo data at the size of a big city council: `flask seed-demo --scale manchester` (300
suppliers, 1,000 contracts) or `--scale x10` (3,000 suppliers, 10,000 contracts).

Built for measuring pages at scale, so it writes rows in bulk (`insert()` executemany) rather
than through the data layer one object at a time, and puts the people figures straight on the
return lines instead of generating workforce records (the fair-work shares too: each contract
promising fair work has a share of FTE paid the real Living Wage or in secure work, set by its
supplier's trade and accreditation, that its quarters scatter around). Three years of
quarterly returns in every state, with a pace per contract so that some suppliers fall short;
then the stored compliance and flags are computed by the same code as always
(`workflows.compliance.refresh`).

Deterministic (a fixed random seed): the same scale builds the same portal every time.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import click
from sqlalchemy import insert, null, select, text

from portal.auth.passwords import hash_password
from portal.config import Settings, current_settings
from portal.data import catalogue, commit, living_wage, local_areas, organisations
from portal.data.base import utcnow
from portal.data.models import (
    Commitment,
    Contract,
    Measure,
    Organisation,
    Return,
    ReturnLine,
    ReturnSubmission,
    User,
)
from portal.data.types import LineReview, MeasureUnit, OrganisationKind, ReturnStatus, Role
from portal.demo import ADMIN_EMAIL, AREAS, LOCAL_AREA, MANAGERS, SERVICES
from portal.domain.periods import ReportingPeriod, contract_days, reporting_periods
from portal.extensions import db
from portal.workflows import compliance


@dataclass(frozen=True)
class Scale:
    suppliers: int
    contracts: int


SCALES = {
    "manchester": Scale(suppliers=300, contracts=1_000),
    "x10": Scale(suppliers=3_000, contracts=10_000),
    "tiny": Scale(suppliers=12, contracts=30),  # for the tests; not offered in --help
}
PUBLIC_SCALES = ("manchester", "x10")

# Targets per contract year for the three people measures each contract commits to.
TARGETS_PER_YEAR = {
    "LOCAL_HIRES": [4, 6, 8, 10, 12, 15],
    "APPRENTICE_STARTS": [1, 2, 2, 3, 4],
    "OLDER_HIRES": [1, 1, 2, 3],
}
# How fast each supplier delivers against its targets: some fall short, some run ahead.
PACES = [0.55, 0.8, 0.95, 1.0, 1.05, 1.1, 1.1, 1.15, 1.2, 1.25, 1.3]

# The latest due return of each contract, in turn (so that even a few contracts show every
# state); earlier returns are almost all accepted.
MISSING = "missing"  # never started: overdue
LATEST_STATES = [
    *["accepted"] * 5,
    "submitted",
    "submitted",
    "changes_requested",
    "draft",
    MISSING,
]
EARLIER_STATES = {"accepted": 0.975, "changes_requested": 0.01, "draft": 0.005, MISSING: 0.01}

# Supplier names: place x trade x legal form, never repeated.
PLACES = [
    "Ancoats", "Ardwick", "Baguley", "Blackley", "Bradford", "Burnage", "Castlefield",
    "Cheetham", "Chorlton", "Clayton", "Crumpsall", "Didsbury", "Fallowfield", "Gorton",
    "Harpurhey", "Hulme", "Levenshulme", "Longsight", "Miles Platting", "Moss Side", "Moston",
    "Newton Heath", "Northenden", "Openshaw", "Rusholme", "Sharston", "Whalley Range",
    "Withington", "Wythenshawe", "Irwell", "Medlock", "Pennine", "Deansgate", "Piccadilly",
    "Spinningfields", "Trafford", "Tameside", "Stockport", "Salford", "Oldham",
]  # fmt: skip
TRADES = [
    "Facilities", "Construction", "Grounds Maintenance", "Catering", "IT Services", "Care",
    "Highways", "Cleaning", "Waste", "Security", "Housing Repairs", "Transport",
    "Youth Services", "Print", "Energy", "Legal", "Digital", "Civil Engineering", "Events",
    "Consulting", "Plumbing", "Electrical", "Landscapes", "Lifts", "Fire Safety",
    "Recruitment", "Training", "Laundry", "Pest Control", "Scaffolding",
]  # fmt: skip
LEGAL_FORMS = ["Ltd", "plc", "Group", "LLP", "Partnership", "& Co", "Co-operative", "CIC"]
VOLUNTARY_FORMS = {"Co-operative", "CIC"}

DECLARATION = "I confirm these figures are accurate and backed by our records (demo data)."
QUERY_COMMENT = "Please attach the payroll extract for these hires."


# Fair work (design brief 5a): one contract in eight promises that at least 95% of its FTE is
# paid the real Living Wage, half of those also 90% in secure work, a few 80% of its 50+ paid it.
FAIR_WORK_SHARE = 0.125
FAIR_WORK_TARGETS = {"LIVING_WAGE": 95, "SECURE_WORK": 90, "OLDER_LIVING_WAGE": 80}
ACCREDITED_SHARE = 0.15  # of suppliers: accredited Living Wage employers, paying everyone it
LOW_PAID_TRADES = {"Care", "Cleaning", "Catering", "Laundry"}  # some paid below the rate
INSECURE_TRADES = {"Care", "Events", "Security", "Recruitment"}  # many on zero hours


@dataclass(frozen=True)
class FairWork:
    """Where a supplier's contracts stand: the range of % of FTE paid at least the real Living
    Wage, and in secure work. Older workers are paid less often (OLDER_GAP lower)."""

    living_wage: tuple[float, float]
    secure: tuple[float, float]


OLDER_GAP = (2.0, 20.0)


def _fair_work(trade: str, accredited: bool) -> FairWork:
    if accredited:
        living_wage = (100.0, 100.0)
    elif trade in LOW_PAID_TRADES:
        living_wage = (68.0, 96.0)
    else:
        living_wage = (93.0, 100.0)
    return FairWork(living_wage, (45.0, 88.0) if trade in INSECURE_TRADES else (88.0, 100.0))


@dataclass
class PlannedContract:
    """What the generator needs to remember about a contract once its row is inserted."""

    id: int
    manager_id: int
    author_id: int  # the supplier user who writes its returns
    start_on: date
    end_on: date
    pace: float
    fair_work: FairWork
    commitments: list[tuple[int, Measure, Decimal]] = field(default_factory=list)
    shares: dict[str, float] = field(default_factory=dict)  # fair-work code: % of FTE meeting it


class Progress:
    """Prints each step with its count and time: "contracts: 10,000 in 3.1 s"."""

    def __init__(self) -> None:
        self.began = self.step_began = time.perf_counter()

    def done(self, label: str, count: int | None = None, note: str = "") -> None:
        now = time.perf_counter()
        counted = f" {count:,}" if count is not None else ""
        click.echo(f"  {label}:{counted} in {now - self.step_began:.1f} s{note}")
        self.step_began = now

    def total(self) -> float:
        return time.perf_counter() - self.began


def load_scale(scale: str, password: str, today: date) -> None:
    """Build a council at this scale (see SCALES) into an empty database, and commit."""
    size = SCALES[scale]
    settings: Settings = current_settings()
    rng = random.Random(2026)  # noqa: S311 (demo data wants a seeded, repeatable generator)
    fair = random.Random(14)  # noqa: S311 (fair work: its own, so the rest stays as it was)
    progress = Progress()
    click.echo(
        f"Loading the {scale} scale: {size.suppliers:,} suppliers, {size.contracts:,} contracts"
    )

    council, measures, manager_ids = _council(password_hash := hash_password(password))
    progress.done("council, catalogue, local area, admin and managers")

    author_ids, fair_work = _suppliers(rng, fair, size.suppliers, password_hash)
    progress.done("suppliers (each with a returns user)", len(author_ids))

    planned = _contracts(rng, size.contracts, council, manager_ids, author_ids, fair_work)
    progress.done("contracts", len(planned))

    _commitments(rng, fair, planned, measures)
    progress.done("commitments", sum(len(c.commitments) for c in planned))

    periods = {
        c.id: reporting_periods(
            c.start_on,
            c.end_on,
            start_month=settings.financial_year_start_month,
            due_days=settings.return_due_days,
        )
        for c in planned
    }
    counts = _returns(rng, fair, council.id, planned, periods, today)
    states = ", ".join(f"{counts[s.value]:,} {s.label.lower()}" for s in ReturnStatus)
    note = f" ({states}; {counts[MISSING]:,} missing, so overdue)"
    progress.done("returns with lines", counts.total() - counts[MISSING], note)

    report = compliance.refresh([c.id for c in planned], today)
    note = f" ({report.states_changed:,} states stored, {report.flags_raised:,} flags raised)"
    progress.done("compliance of contracts", report.contracts, note)
    commit()
    progress.done("commit")
    if db.session.get_bind().dialect.name == "postgresql":
        # What autovacuum does a while after a bulk load; until then (or ever, where it is
        # off) the planner has no statistics, and the flag lists take seconds at x10.
        db.session.execute(text("ANALYZE"))
        commit()
        progress.done("planner statistics (ANALYZE)")
    click.echo(f"Loaded in {progress.total():.1f} s.")


def _council(password_hash: str) -> tuple[Organisation, dict[str, Measure], list[int]]:
    """The council, its default catalogue and local area, an administrator and two managers."""
    council = organisations.create(
        name="Northmoor City Council",
        kind=OrganisationKind.COUNCIL,
        is_sme=False,
        is_vcse=False,
        by=None,
    )
    measures = {m.code: m for m in catalogue.install_defaults(council.id)}
    living_wage.install_known_rates()  # already there in a database made by the migrations
    local_areas.save_default(council.id, name="Northmoor", codes=LOCAL_AREA, by=None)
    people = [("Morgan Ellis", ADMIN_EMAIL, Role.ADMINISTRATOR)] + [
        (name, email, Role.CONTRACT_MANAGER) for name, email in MANAGERS
    ]
    ids = _insert(
        User,
        [
            _user(email, name, role, council.id, OrganisationKind.COUNCIL, password_hash)
            for name, email, role in people
        ],
    )
    return council, measures, ids[1:]


def _user(
    email: str,
    full_name: str,
    role: Role,
    organisation_id: int,
    organisation_kind: OrganisationKind,
    password_hash: str,
) -> dict[str, Any]:
    return {
        "email": email,
        "full_name": full_name,
        "role": role,
        "organisation_id": organisation_id,
        "organisation_kind": organisation_kind,
        "password_hash": password_hash,
        "session_version": 1,
        "created_at": utcnow(),
    }


def _suppliers(
    rng: random.Random, fair: random.Random, count: int, password_hash: str
) -> tuple[dict[int, int], dict[int, FairWork]]:
    """Suppliers with unique names, each with one user "returns@<slug>.example", some of them
    accredited Living Wage employers. Returns {supplier id: that user's id} and where each
    supplier stands on fair work."""
    combinations = len(PLACES) * len(TRADES) * len(LEGAL_FORMS)
    names = []
    trades = []
    for number in rng.sample(range(combinations), count):
        place, rest = divmod(number, len(TRADES) * len(LEGAL_FORMS))
        trade, form = divmod(rest, len(LEGAL_FORMS))
        names.append((f"{PLACES[place]} {TRADES[trade]} {LEGAL_FORMS[form]}", LEGAL_FORMS[form]))
        trades.append(TRADES[trade])
    accredited = [fair.random() < ACCREDITED_SHARE for _ in names]
    supplier_ids = _insert(
        Organisation,
        [
            {
                "name": name,
                "kind": OrganisationKind.SUPPLIER,
                "is_sme": form in VOLUNTARY_FORMS or rng.random() < 0.4,
                "is_vcse": form in VOLUNTARY_FORMS,
                "is_living_wage_employer": living_wage_employer,
                "created_at": utcnow(),
            }
            for (name, form), living_wage_employer in zip(names, accredited, strict=True)
        ],
    )
    user_ids = _insert(
        User,
        [
            _user(
                f"returns@{_slug(name)}.example",
                "Returns Team",
                Role.SUPPLIER_USER,
                supplier_id,
                OrganisationKind.SUPPLIER,
                password_hash,
            )
            for supplier_id, (name, _form) in zip(supplier_ids, names, strict=True)
        ],
    )
    fair_work = [_fair_work(*known) for known in zip(trades, accredited, strict=True)]
    return (
        dict(zip(supplier_ids, user_ids, strict=True)),
        dict(zip(supplier_ids, fair_work, strict=True)),
    )


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _contracts(
    rng: random.Random,
    count: int,
    council: Organisation,
    manager_ids: list[int],
    author_ids: dict[int, int],
    fair_work: dict[int, FairWork],
) -> list[PlannedContract]:
    """Contracts starting between 1 April 2023 and 31 March 2024, running three to five years,
    shared between the suppliers and alternately between the two managers."""
    supplier_ids = list(author_ids)
    rows, planned = [], []
    for number in range(1, count + 1):
        start = date(2023, 4, 1) + timedelta(days=rng.randrange(366))
        if (start.month, start.day) == (2, 29):
            start -= timedelta(days=1)
        years = rng.choice([3, 3, 4, 5])
        value = Decimal(rng.randrange(200, 12_000) * 1_000)
        supplier_id = supplier_ids[(number - 1) % len(supplier_ids)]
        manager_id = manager_ids[number % len(manager_ids)]
        end = start.replace(year=start.year + years) - timedelta(days=1)
        rows.append(
            {
                "council_id": council.id,
                "council_kind": OrganisationKind.COUNCIL,
                "reference": f"NCC-{start.year}-{number:05d}",
                "title": f"{rng.choice(SERVICES).capitalize()} {rng.choice(AREAS)}",
                "supplier_id": supplier_id,
                "supplier_kind": OrganisationKind.SUPPLIER,
                "manager_id": manager_id,
                "value": value,
                "start_on": start,
                "end_on": end,
                "local_area_id": None,  # the council's default
                "is_kpi_contract": value > Decimal(5_000_000),
                "created_at": utcnow(),
            }
        )
        planned.append(
            PlannedContract(
                id=0,
                manager_id=manager_id,
                author_id=author_ids[supplier_id],
                start_on=start,
                end_on=end,
                pace=rng.choice(PACES),
                fair_work=fair_work[supplier_id],
            )
        )
    for contract, contract_id in zip(planned, _insert(Contract, rows), strict=True):
        contract.id = contract_id
    return planned


def _commitments(
    rng: random.Random,
    fair: random.Random,
    planned: list[PlannedContract],
    measures: dict[str, Measure],
) -> None:
    """The three people measures on every contract, with targets over the contract's life;
    and on some, fair work (a level to hold in every quarter)."""
    rows, wanted = [], []
    for contract in planned:
        years = round(contract_days(contract.start_on, contract.end_on) / 365.25)
        targets = [
            (measures[code], Decimal(rng.choice(per_year) * years))
            for code, per_year in TARGETS_PER_YEAR.items()
        ]
        for code, share in _fair_work_shares(fair, contract.fair_work).items():
            contract.shares[code] = share
            targets.append((measures[code], Decimal(FAIR_WORK_TARGETS[code])))
        for measure, target in targets:
            rows.append(
                {
                    "contract_id": contract.id,
                    "measure_id": measure.id,
                    "target": target,
                    "note": "",
                    "proxy_value": measure.proxy_value,  # frozen when the commitment is made
                    "proxy_price_year": measure.proxy_price_year,
                    "created_at": utcnow(),
                }
            )
            wanted.append((contract, measure, target))
    for (contract, measure, target), commitment_id in zip(
        wanted, _insert(Commitment, rows), strict=True
    ):
        contract.commitments.append((commitment_id, measure, target))


def _fair_work_shares(fair: random.Random, standing: FairWork) -> dict[str, float]:
    """The fair-work measures a contract promises (most promise none), each with the % of its
    FTE that meets it."""
    if fair.random() >= FAIR_WORK_SHARE:
        return {}
    paid = fair.uniform(*standing.living_wage)
    shares = {"LIVING_WAGE": paid}
    if fair.random() < 0.5:
        shares["SECURE_WORK"] = fair.uniform(*standing.secure)
    if fair.random() < 0.1:
        shares["OLDER_LIVING_WAGE"] = max(0.0, paid - fair.uniform(*OLDER_GAP))
    return shares


def _returns(
    rng: random.Random,
    fair: random.Random,
    council_id: int,
    planned: list[PlannedContract],
    periods: dict[int, list[ReportingPeriod]],
    today: date,
) -> Counter[str]:
    """A return for every period due before today, bar a few left missing (overdue); with its
    lines, and a submission for each one that was sent. Returns the count of each state."""
    now = utcnow()
    returns: list[dict[str, Any]] = []
    lines: list[list[dict[str, Any]]] = []  # per return, until the return has an id
    submissions: list[dict[str, Any] | None] = []  # likewise
    counts: Counter[str] = Counter()
    for number, contract in enumerate(planned):
        due = [p for p in periods[contract.id] if p.due_on < today]
        for index, period in enumerate(due):
            if index == len(due) - 1:
                state = LATEST_STATES[number % len(LATEST_STATES)]
            else:
                state = rng.choices(list(EARLIER_STATES), weights=list(EARLIER_STATES.values()))[0]
            counts[state] += 1
            if state != MISSING:
                row, line_rows, submission = _return(rng, fair, contract, period, state, now)
                returns.append(row)
                lines.append(line_rows)
                submissions.append(submission)
    # Read back by period rather than RETURNING: for this many rows, several times faster on
    # PostgreSQL (whose ordered RETURNING needs an INSERT ... SELECT ... ORDER BY per batch).
    _insert(Return, returns, returning=False)
    by_period = {
        (contract_id, year, quarter): return_id
        for return_id, contract_id, year, quarter in db.session.execute(
            select(Return.id, Return.contract_id, Return.financial_year, Return.quarter)
            .join(Contract, Contract.id == Return.contract_id)
            .where(Contract.council_id == council_id)
        )
    }
    return_ids = [by_period[r["contract_id"], r["financial_year"], r["quarter"]] for r in returns]
    _insert(
        ReturnLine,
        [
            {**line, "return_id": return_id}
            for return_id, line_rows in zip(return_ids, lines, strict=True)
            for line in line_rows
        ],
        returning=False,
    )
    _insert(
        ReturnSubmission,
        [
            {**submission, "return_id": return_id}
            for return_id, submission in zip(return_ids, submissions, strict=True)
            if submission is not None
        ],
        returning=False,
    )
    return counts


def _return(
    rng: random.Random,
    fair: random.Random,
    contract: PlannedContract,
    period: ReportingPeriod,
    state: str,
    now: datetime,
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any] | None]:
    """One period's return in this state: its row, its lines and its submission (if sent)."""
    status = ReturnStatus(state)
    days = contract_days(contract.start_on, contract.end_on)
    figures: list[Decimal | None] = [
        _share(fair, contract.shares[measure.code])
        if measure.unit is MeasureUnit.PERCENT
        else _figure(rng, target * period.days / days, contract.pace)
        for _, measure, target in contract.commitments
    ]
    if status is ReturnStatus.DRAFT:
        figures[-1] = None  # still being filled in
    started = _at(rng, period.ends_on + timedelta(days=1), period.due_on, now)
    submitted = None
    if status is not ReturnStatus.DRAFT:
        submitted = _at(rng, started.date(), period.due_on, now)
    decided = None
    if submitted and status in (ReturnStatus.ACCEPTED, ReturnStatus.CHANGES_REQUESTED):
        decided = min(now, submitted + timedelta(days=rng.randrange(2, 21)))
    row = {
        "contract_id": contract.id,
        "financial_year": period.financial_year,
        "quarter": period.quarter,
        "period_starts_on": period.starts_on,
        "period_ends_on": period.ends_on,
        "due_on": period.due_on,
        "status": status,
        "version": 4 if decided else 3 if submitted else 2,  # each save moves it on
        "started_at": started,
        "started_by_id": contract.author_id,
        "updated_at": decided or submitted or started,
        "submitted_at": submitted,
        "decided_at": decided,
        "submission_count": 1 if submitted else 0,
    }
    line_rows = _lines(contract, figures, status)
    submission = None
    if submitted:
        submission = _submission(contract, line_rows, status, submitted, decided)
    return row, line_rows, submission


def _figure(rng: random.Random, expected: Decimal, pace: float) -> Decimal:
    """People started in a period: the expected number at the supplier's pace, give or take,
    rounded up or down at random so that fractions add up over the quarters."""
    mean = float(expected) * pace * rng.uniform(0.6, 1.4)
    return Decimal(int(mean + rng.random()))


def _share(fair: random.Random, share: float) -> Decimal:
    """A quarter's fair-work share: the contract's own, give or take as people come and go
    (all of them, at an employer paying everyone the rate, stays all of them)."""
    if share < 100:
        share = min(100.0, max(0.0, share + fair.uniform(-3, 3)))
    return Decimal(f"{share:.2f}")


def _at(rng: random.Random, earliest: date, latest: date, now: datetime) -> datetime:
    """A working-hours moment between two days (both included), never after now."""
    span = max(0, (latest - earliest).days)
    day = earliest + timedelta(days=rng.randint(0, span))
    moment = datetime(
        day.year, day.month, day.day, rng.randint(8, 17), rng.randrange(60), tzinfo=UTC
    )
    return min(moment, now)


def _lines(
    contract: PlannedContract, figures: Sequence[Decimal | None], status: ReturnStatus
) -> list[dict[str, Any]]:
    """A line per commitment; a reviewed return has every line decided (the first one queried
    when changes were requested)."""
    rows = []
    for position, ((commitment_id, measure, _), figure) in enumerate(
        zip(contract.commitments, figures, strict=True)
    ):
        review, comment = None, None
        if status is ReturnStatus.ACCEPTED:
            review = LineReview.ACCEPTED
        elif status is ReturnStatus.CHANGES_REQUESTED:
            queried = position == 0
            review = LineReview.QUERIED if queried else LineReview.ACCEPTED
            comment = QUERY_COMMENT if queried else None
        rows.append(
            {
                "commitment_id": commitment_id,
                "figure": figure,
                "narrative": f"{measure.name}: from our HR records for the quarter."
                if figure is not None
                else "",
                "nil_reason": "No starters in this category this quarter." if figure == 0 else None,
                "review": review,
                "review_comment": comment,
                "submitted_figure": figure if status is not ReturnStatus.DRAFT else None,
                "accepted_figure": figure if review is LineReview.ACCEPTED else None,
            }
        )
    return rows


def _submission(
    contract: PlannedContract,
    line_rows: list[dict[str, Any]],
    status: ReturnStatus,
    submitted: datetime,
    decided: datetime | None,
) -> dict[str, Any]:
    """The frozen copy of what was sent (as `data.returns.submit` writes it), and the decision."""
    frozen = [
        {
            "commitment_id": line["commitment_id"],
            "measure": measure.name,
            "unit": measure.unit.value,
            "figure": str(line["figure"]) if line["figure"] is not None else None,
            "narrative": line["narrative"],
            "nil_reason": line["nil_reason"],
        }
        for (_, measure, _), line in zip(contract.commitments, line_rows, strict=True)
    ]
    reviewed = status in (ReturnStatus.ACCEPTED, ReturnStatus.CHANGES_REQUESTED)
    return {
        "number": 1,
        "submitted_at": submitted,
        "submitted_by_id": contract.author_id,
        "submitted_by_name": "Returns Team",
        "declaration": DECLARATION,
        "lines": frozen,
        # The figures go straight on the lines at this scale: no workforce records are stored.
        "workforce_records": 0,
        "evidence": [],
        "outcome": status if reviewed else None,
        "decided_at": decided,
        "decided_by_id": contract.manager_id if reviewed else None,
        "review": [
            {
                "commitment_id": line["commitment_id"],
                "review": line["review"].value,
                "comment": line["review_comment"],
            }
            for line in line_rows
        ]
        if reviewed
        else null(),  # SQL NULL, as before a review (see _insert)
    }


def _insert(model: type[Any], rows: list[dict[str, Any]], *, returning: bool = True) -> list[int]:
    """Bulk-insert rows (executemany); the new ids in the order of the rows, if wanted.

    render_nulls: the ORM otherwise leaves None values out of a row, so rows with and without
    them go to the database in separate batches (a round trip each), and RETURNING results are
    spliced together batch by batch, which is quadratic. (A JSON column needs null() for SQL
    NULL: None is stored as a JSON null.)
    """
    if not rows:
        return []
    statement = insert(model).execution_options(render_nulls=True)
    if not returning:
        db.session.execute(statement, rows)
        return []
    with_ids = statement.returning(model.id, sort_by_parameter_order=True)
    return list(db.session.scalars(with_ids, rows))
