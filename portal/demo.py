"""Demo data: a believable fictional council, its suppliers, contracts and sign-ins.

Deterministic (a fixed random seed), so screenshots and tests see the same portal every time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from portal.calendar import periods_of
from portal.data import (
    catalogue,
    contracts,
    living_wage,
    local_areas,
    organisations,
    recovery,
    returns,
    users,
    workforce,
)
from portal.data.compliance import all_contract_ids
from portal.data.models import Contract, Flag, Measure, Organisation, User
from portal.data.types import FlagKind, OrganisationKind, Role, WorkforceDerivation
from portal.demo_spend import load_demo_spend
from portal.domain.counting import AgeBand, ContractType, WorkforceRecord
from portal.domain.measures import FAIR_WORK
from portal.domain.periods import ReportingPeriod
from portal.domain.postcodes import sector_of
from portal.domain.recovery import Answer
from portal.domain.reviews import LineDecision, LineReview
from portal.extensions import db
from portal.workflows import compliance
from portal.workflows.returns import refresh_derived

COUNCIL_DOMAIN = "northmoor.example"
ADMIN_EMAIL = f"admin@{COUNCIL_DOMAIN}"
MANAGERS = [
    ("Priya Shah", f"priya.shah@{COUNCIL_DOMAIN}"),
    ("Tom Okafor", f"tom.okafor@{COUNCIL_DOMAIN}"),
]
LOCAL_AREA = [
    "M1",
    "M2",
    "M3",
    "M4",
    "M8",
    "M9",
    "M11",
    "M12",
    "M13",
    "M14",
    "M15",
    "M16",
    "M18",
    "M19",
    "M20",
    "M21",
    "M22",
    "M23",
    "M40",
    "M90",
]

SUPPLIERS = [
    ("Brightwater Facilities Ltd", False, False),
    ("Cityline Construction plc", False, False),
    ("Greenway Grounds Maintenance", True, False),
    ("Irwell Catering Co-operative", True, True),
    ("Kestrel IT Services Ltd", True, False),
    ("Mancunian Care Partnership", False, True),
    ("Northern Roads & Highways Ltd", False, False),
    ("Oakfield Cleaning Services", True, False),
    ("Pennine Waste Solutions Ltd", False, False),
    ("Quayside Security Group", False, False),
    ("Redbrick Housing Repairs", True, False),
    ("Shoreline Transport Ltd", False, False),
    ("Tameside Youth Trust", True, True),
    ("Union Street Print Ltd", True, False),
    ("Victoria Energy Services", False, False),
    ("Whitworth Legal LLP", True, False),
    ("Ancoats Digital Ltd", True, False),
    ("Bridgewater Civil Engineering", False, False),
    ("Castlefield Events CIC", True, True),
    ("Deansgate Consulting Ltd", True, False),
]
SUPPLIER_USERS = [  # (supplier index, name)
    (0, "Alex Morgan"),
    (1, "Jordan Reid"),
    (1, "Sam Patel"),
    (3, "Chris Lee"),
    (5, "Hannah Wood"),
    (8, "Omar Farouk"),
]
def _sentence_start(text: str) -> str:
    """'IT support east' stays 'IT support east' (str.capitalize would say 'It support')."""
    return text[:1].upper() + text[1:]


SERVICES = [
    "facilities management",
    "highway maintenance",
    "school catering",
    "IT support",
    "home care",
    "grounds maintenance",
    "waste collection",
    "housing repairs",
    "building cleaning",
    "security services",
    "fleet transport",
    "youth services",
]
AREAS = ["north", "south", "city centre", "east", "west", "schools", "estates"]


# Fair work (design brief 5a). Who pays the real Living Wage and offers secure hours: most
# suppliers pay everyone at least the rate; care and cleaning pay some below it; a few lean on
# zero-hours and casual contracts; and everywhere older workers are more often low paid.


@dataclass(frozen=True)
class PayProfile:
    below_rate: float  # the chance that a person under 50 is paid below the real Living Wage
    below_rate_50_plus: float  # the same for a person aged 50 or over
    insecure: float  # the chance of a zero-hours or casual contract


USUAL = PayProfile(below_rate=0.02, below_rate_50_plus=0.2, insecure=0.03)
# Accredited by the Living Wage Foundation: everyone paid at least the rate.
ACCREDITED = PayProfile(below_rate=0, below_rate_50_plus=0, insecure=0.02)
LIVING_WAGE_EMPLOYERS = {
    "Irwell Catering Co-operative",
    "Kestrel IT Services Ltd",
    "Tameside Youth Trust",
    "Whitworth Legal LLP",
}
PAY_PROFILES = dict.fromkeys(LIVING_WAGE_EMPLOYERS, ACCREDITED) | {
    "Mancunian Care Partnership": PayProfile(0.25, 0.45, 0.40),  # home care
    "Oakfield Cleaning Services": PayProfile(0.15, 0.35, 0.05),
    "Brightwater Facilities Ltd": PayProfile(0.12, 0.40, 0.05),  # cleaning and catering staff
    "Castlefield Events CIC": PayProfile(0.04, 0.15, 0.50),  # event staff on zero hours
    "Quayside Security Group": PayProfile(0.04, 0.20, 0.35),
}
# The fair-work promises, by contract number (NCC-yyyy-0NN): (measure, target %). Chosen so
# that, with the demo's returns, each story shows: on track, behind and off track.
FAIR_WORK_PROMISES = {
    24: [("LIVING_WAGE", 95), ("SECURE_WORK", 90)],  # Irwell Catering (accredited)
    5: [("LIVING_WAGE", 95)],  # Kestrel IT Services (accredited)
    23: [("LIVING_WAGE", 90), ("OLDER_LIVING_WAGE", 75)],  # Greenway Grounds Maintenance
    26: [("LIVING_WAGE", 95), ("SECURE_WORK", 90)],  # Mancunian Care Partnership
    8: [("LIVING_WAGE", 95)],  # Oakfield Cleaning Services
    19: [("SECURE_WORK", 90)],  # Castlefield Events (zero-hours staff)
}
# Pay against the rate in force, £ an hour: those paid below it, and the rest.
BELOW_RATE_BY = ["-0.20", "-0.45", "-0.80", "-1.30"]
ABOVE_RATE_BY = ["0.00", "0.00", "0.10", "0.35", "0.75", "1.40", "2.60", "4.10"]
# Their everyday staff (besides the local people and hires the other measures count), so that
# each share is over a workforce of some size.
CORE_STAFF = range(12, 30)


def has_data() -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(User)))


def _email_for(name: str, supplier: Organisation) -> str:
    domain = "".join(ch for ch in supplier.name.lower().split()[0] if ch.isalnum())
    return f"{name.lower().replace(' ', '.')}@{domain}.example"


def load_demo(password: str, today: date) -> None:
    rng = random.Random(2026)
    council = organisations.create(
        name="Northmoor City Council",
        kind=OrganisationKind.COUNCIL,
        is_sme=False,
        is_vcse=False,
        by=None,
    )
    measure_list = catalogue.install_defaults(council.id)
    living_wage.install_known_rates()  # already there in a database made by the migrations
    local_areas.save_default(council.id, name="Northmoor", codes=LOCAL_AREA, by=None)

    def person(name: str, email: str, role: Role, organisation: Organisation) -> User:
        return users.create_user(
            email=email, full_name=name, role=role, organisation=organisation, password=password
        )

    admin = person("Morgan Ellis", ADMIN_EMAIL, Role.ADMINISTRATOR, council)
    managers = [person(n, e, Role.CONTRACT_MANAGER, council) for n, e in MANAGERS]
    suppliers = [
        organisations.create(
            name=name,
            kind=OrganisationKind.SUPPLIER,
            is_sme=sme,
            is_vcse=vcse,
            by=None,
            is_living_wage_employer=name in LIVING_WAGE_EMPLOYERS,
        )
        for name, sme, vcse in SUPPLIERS
    ]
    supplier_users: dict[int, User] = {}
    for index, name in SUPPLIER_USERS:
        user = person(
            name, _email_for(name, suppliers[index]), Role.SUPPLIER_USER, suppliers[index]
        )
        supplier_users.setdefault(user.organisation_id, user)
    for supplier in suppliers:  # every other supplier has a returns team
        if supplier.id not in supplier_users:
            supplier_users[supplier.id] = person(
                "Returns Team", _email_for("returns", supplier), Role.SUPPLIER_USER, supplier
            )

    people_measures = [
        m for m in measure_list if m.derivation is not None and not m.derivation.is_share
    ]
    other_measures = [m for m in measure_list if m.derivation is None]
    contract_list = []
    for number in range(1, 41):
        supplier = suppliers[(number - 1) % len(suppliers)]
        start = date(2023, 4, 1) + timedelta(days=rng.randrange(0, 900))
        years = rng.choice([2, 3, 3, 4, 5])
        value = Decimal(rng.randrange(200, 12000) * 1000)
        contract = contracts.create(
            council=council,
            reference=f"NCC-{start.year}-{number:03d}",
            title=_sentence_start(f"{rng.choice(SERVICES)} {rng.choice(AREAS)}"),
            supplier=supplier,
            manager=managers[number % 2],
            value=value,
            start_on=start,
            end_on=start.replace(year=start.year + years) - timedelta(days=1),
            is_kpi_contract=value > Decimal("5000000"),
            by=None,
        )
        contract_list.append(contract)
        chosen = rng.sample(people_measures, 3) + rng.sample(other_measures, rng.choice([0, 0, 1]))
        for measure in chosen:
            target = Decimal(rng.choice([2, 4, 5, 6, 8, 10, 12, 15, 20]) * years)
            if measure.code == "APPRENTICE_WEEKS":
                target *= 20
            elif measure.code == "LOCAL_FTE":
                target = Decimal(rng.choice([2, 3, 5, 8, 12]))
            elif measure.code == "VOLUNTEER_HOURS":
                target *= 25
            elif measure.code == "LOCAL_SPEND":
                target = (value / 20).quantize(Decimal("1"))
            contracts.add_commitment(contract, measure, target=target, by=None)
    _fair_work_commitments(contract_list, measure_list)
    db.session.flush()
    load_demo_returns(today, supplier_users)
    compliance.refresh(all_contract_ids(), today)
    load_demo_plans(today, supplier_users)
    load_demo_spend(council, [name for name, _, _ in SUPPLIERS], admin)


def _fair_work_commitments(contract_list: list[Contract], measure_list: list[Measure]) -> None:
    by_code = {m.code: m for m in measure_list}
    for number, promises in FAIR_WORK_PROMISES.items():
        for code, target in promises:
            contract = contract_list[number - 1]
            contracts.add_commitment(contract, by_code[code], target=Decimal(target), by=None)


# Recovery plans at each point of the conversation: waiting for the council, sent back, and
# accepted with one action done and one past its date (which raised its flag a step).
DEMO_PLANS = [
    [("Recruit two local apprentices through the Northmoor jobs fair", "Site manager", 30)],
    [("Advertise the vacancies with the council's work and skills team", "HR manager", 21)],
    [
        ("Sign up to the council's older workers pledge", "Operations director", -40),
        ("Offer two roles to over-50s through the jobs centre", "Site manager", -5),
    ],
]


def load_demo_plans(today: date, supplier_users: dict[int, User]) -> None:
    shortfalls = select(Flag).where(Flag.kind == FlagKind.SHORTFALL).order_by(Flag.id).limit(3)
    for number, (flag, actions) in enumerate(
        zip(db.session.scalars(shortfalls).all(), DEMO_PLANS, strict=False)
    ):
        writer = supplier_users[flag.contract.supplier_id]
        for action, owner, days in actions:
            recovery.add_action(
                flag,
                action=action,
                owner=owner,
                due_on=today + timedelta(days=days),
                by=writer,
                expected_version=flag.plan_version,
            )
        if number == 0:
            continue
        answer, comment = (
            (Answer.ASK_FOR_CHANGES, "Say how many people each action will bring, and when")
            if number == 1
            else (Answer.ACCEPT, "")
        )
        recovery.answer(
            flag,
            answer,
            comment=comment,
            by=flag.contract.manager,
            expected_version=flag.plan_version,
        )
        if answer is Answer.ACCEPT:
            recovery.mark_done(
                flag,
                flag.actions[0],
                done_on=today - timedelta(days=45),
                by=writer,
                expected_version=flag.plan_version,
            )
    recovery.escalate_overdue(today)


def sign_ins() -> list[tuple[str, str]]:
    """The demo's named people (each supplier's "returns@" team can sign in too)."""
    query = (
        select(User.role, User.email)
        .where(User.password_hash.is_not(None), User.email.not_like("returns@%"))
        .order_by(User.role, User.email)
    )
    return [(Role(role).label, email) for role, email in db.session.execute(query)]


# Returns for every period that has fallen due, in every state, so every screen has something real.

LOCAL_POSTCODES = ["M1 1AA", "M4 5AB", "M8 8QT", "M13 9PL", "M14 5RG", "M40 7RU"]
AWAY_POSTCODES = ["SK1 3XE", "OL1 1HL", "BL1 1RU", "WA1 1UG"]
# The latest due return of each contract, in turn: every state a manager meets.
LATEST_STATES = ["submitted", "changes_requested", "draft", "none", "accepted", "accepted"]


def load_demo_returns(today: date, supplier_users: dict[int, User]) -> None:
    rng = random.Random(7)
    # Pay and contracts from a generator of their own, so the rest of the demo stays as it was.
    fair = random.Random(14)
    query = select(Contract).order_by(Contract.id)
    for number, contract in enumerate(db.session.scalars(query)):
        pace = rng.choice([0.45, 0.7, 0.85, 1.0, 1.1, 1.3])  # some suppliers fall behind
        due = [p for p in periods_of(contract) if p.due_on < today]
        profile = PAY_PROFILES.get(contract.supplier.name, USUAL)
        people = _existing_staff(fair, contract, pace)
        if any(c.measure.derivation in FAIR_WORK for c in contract.commitments):
            people += _core_staff(fair, contract)
        above_rate: dict[str, Decimal] = {}  # each person's pay against the rate (+ or -)
        for index, period in enumerate(due):
            people = [
                replace(r, is_new_hire=False)
                for r in people
                if r.ends_on is None or r.ends_on >= period.starts_on
            ]
            people += _new_people(rng, contract, period, pace)
            people = _paid(fair, profile, people, above_rate, _rate(contract, period))
            state = (
                LATEST_STATES[number % len(LATEST_STATES)]
                if index == len(due) - 1
                else ("accepted")
            )
            if state != "none":
                _demo_return(
                    rng, contract, period, people, state, pace, supplier_users[contract.supplier_id]
                )


def _demo_return(
    rng: random.Random,
    contract: Contract,
    period: ReportingPeriod,
    people: list[WorkforceRecord],
    state: str,
    pace: float,
    author: User,
) -> None:
    ret = returns.start(contract, period, by=author)
    workforce.replace_all(ret.id, people)
    refresh_derived(ret)
    quarters = len(periods_of(contract))
    for line in ret.lines:
        measure = line.commitment.measure
        if measure.derivation is None:
            planned = line.commitment.target / quarters
            line.figure = (planned * Decimal(str(round(pace * rng.uniform(0.7, 1.2), 2)))).quantize(
                Decimal(1)
            )
        line.narrative = f"{measure.name}: details in the attached records for this quarter."
        line.nil_reason = "No starters in this category this quarter." if line.figure == 0 else None
    if state == "draft":
        return
    returns.submit(
        ret,
        by=author,
        declaration="Confirmed by the supplier (demo data).",
        workforce_records=len(people),
        evidence=[],
    )
    if state == "submitted":
        return
    query_first = state == "changes_requested"
    decisions = [
        LineDecision(
            line.id,
            LineReview.QUERIED if query_first and i == 0 else LineReview.ACCEPTED,
            "Please attach the payroll extract for these hires." if query_first and i == 0 else "",
        )
        for i, line in enumerate(ret.lines)
    ]
    returns.review(ret, decisions, by=contract.manager, expected_version=ret.version)


def _rate(contract: Contract, period: ReportingPeriod) -> Decimal:
    rate = living_wage.rate_for(contract, period.starts_on, period.ends_on)
    assert rate is not None, "the known rates cover every demo period"
    return rate


def _paid(
    rng: random.Random,
    profile: PayProfile,
    people: list[WorkforceRecord],
    above_rate: dict[str, Decimal],
    rate: Decimal,
) -> list[WorkforceRecord]:
    """People with their pay in a period: each keeps where they stand against the real Living
    Wage (drawn when first seen), so pay rises with the rate as a Living Wage employer's does.
    A newcomer's contract type and guaranteed hours are drawn too."""
    paid = []
    for record in people:
        if record.worker_reference not in above_rate:
            chance = (
                profile.below_rate_50_plus if record.age_band.is_50_or_over else profile.below_rate
            )
            steps = BELOW_RATE_BY if rng.random() < chance else ABOVE_RATE_BY
            above_rate[record.worker_reference] = Decimal(rng.choice(steps))
            record = _on_contract(rng, profile, record)
        paid.append(replace(record, hourly_pay=rate + above_rate[record.worker_reference]))
    return paid


def _on_contract(
    rng: random.Random, profile: PayProfile, record: WorkforceRecord
) -> WorkforceRecord:
    """A contract type and guaranteed hours: insecure (zero-hours or casual) at the profile's
    rate, a few on permanent contracts guaranteeing too few hours, the rest secure."""
    draw = rng.random()
    if draw < profile.insecure:
        kind = rng.choice([ContractType.ZERO_HOURS, ContractType.ZERO_HOURS, ContractType.CASUAL])
        return replace(record, contract_type=kind, guaranteed_hours=Decimal(0))
    if draw < profile.insecure + 0.03:
        return replace(record, contract_type=ContractType.PERMANENT, guaranteed_hours=Decimal(12))
    kind = rng.choices(
        [ContractType.PERMANENT, ContractType.FIXED_TERM, ContractType.TEMPORARY_OR_AGENCY],
        weights=[85, 9, 6],
    )[0]
    return replace(record, contract_type=kind, guaranteed_hours=record.weekly_hours)


def _core_staff(rng: random.Random, contract: Contract) -> list[WorkforceRecord]:
    """Staff already on the work when the contract starts, from outside the local area (so the
    local measures stay as they were), of every age."""
    return [
        WorkforceRecord(
            worker_reference=f"{contract.reference[-3:]}-C{n:02d}",
            postcode_sector=sector_of(rng.choice(AWAY_POSTCODES)),
            age_band=rng.choice(STAFF_AGES),
            starts_on=contract.start_on - timedelta(days=rng.randrange(30, 2000)),
            ends_on=None,
            weekly_hours=Decimal(rng.choice(["37", "37", "30", "22.5", "16"])),
            share_on_contract=Decimal(rng.choice(["1", "1", "1", "0.5"])),
            is_new_hire=False,
        )
        for n in range(rng.choice(CORE_STAFF))
    ]


# The ages of staff already employed: a quarter aged 50 or over.
STAFF_AGES = [AgeBand.AGE_25_34, AgeBand.AGE_35_49, AgeBand.AGE_35_49, AgeBand.AGE_50_64]


def _existing_staff(rng: random.Random, contract: Contract, pace: float) -> list[WorkforceRecord]:
    """Local staff already employed when the contract starts, for the FTE level it promises."""
    level = next(
        (
            float(c.target)
            for c in contract.commitments
            if c.measure.derivation is WorkforceDerivation.LOCAL_FTE
        ),
        0.0,
    )
    return [
        WorkforceRecord(
            worker_reference=f"{contract.reference[-3:]}-R{n:02d}",
            postcode_sector=sector_of(LOCAL_POSTCODES[n % len(LOCAL_POSTCODES)]),
            age_band=rng.choice(STAFF_AGES),
            starts_on=contract.start_on - timedelta(days=400),
            ends_on=None,
            weekly_hours=Decimal(37),
            share_on_contract=Decimal(1),
            is_new_hire=False,
        )
        for n in range(round(level * pace))
    ]


def _new_people(
    rng: random.Random, contract: Contract, period: ReportingPeriod, pace: float
) -> list[WorkforceRecord]:
    """New starters in the quarter, in line with the contract's targets at the supplier's pace:
    local hires, older workers and apprentices as separate people."""
    quarters = len(periods_of(contract))
    per_quarter = {
        c.measure.derivation: float(c.target) / quarters
        for c in contract.commitments
        if c.measure.derivation is not None
    }
    people = []

    def hire(n: int, postcode: str, band: AgeBand, apprentice: bool) -> None:
        starts = period.starts_on + timedelta(days=rng.randrange(period.days))
        people.append(
            WorkforceRecord(
                worker_reference=f"{contract.reference[-3:]}-{period.financial_year % 100}"
                f"{period.quarter}{n:02d}",
                postcode_sector=sector_of(postcode),
                age_band=band,
                starts_on=starts,
                ends_on=None if rng.random() < 0.9 else starts + timedelta(days=120),
                weekly_hours=Decimal(rng.choice(["37", "37", "30", "22.5"])),
                share_on_contract=Decimal(rng.choice(["1", "1", "0.5"])),
                is_new_hire=True,
                apprenticeship_level=rng.randint(2, 4) if apprentice else None,
                apprenticeship_standard="Facilities services operative" if apprentice else None,
            )
        )

    def how_many(derivation: WorkforceDerivation) -> int:
        return max(0, round(rng.gauss(per_quarter.get(derivation, 0.3) * pace, 0.6)))

    for _ in range(how_many(WorkforceDerivation.LOCAL_HIRES)):
        hire(
            len(people),
            rng.choice(LOCAL_POSTCODES),
            rng.choice([AgeBand.AGE_25_34, AgeBand.AGE_35_49]),
            False,
        )
    for _ in range(how_many(WorkforceDerivation.OLDER_WORKER_HIRES)):
        hire(len(people), rng.choice(AWAY_POSTCODES), AgeBand.AGE_50_64, False)
    for _ in range(how_many(WorkforceDerivation.APPRENTICESHIP_STARTS)):
        hire(len(people), rng.choice(AWAY_POSTCODES), AgeBand.AGE_18_24, True)
    return people
