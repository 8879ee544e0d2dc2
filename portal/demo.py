"""Demo data: a believable fictional council, its suppliers, contracts and sign-ins.

Deterministic (a fixed random seed), so screenshots and tests see the same portal every time.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from portal.data import catalogue, contracts, local_areas, organisations, users
from portal.data.models import Organisation, User
from portal.data.types import OrganisationKind, Role
from portal.extensions import db

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


def has_data() -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(User)))


def _email_for(name: str, supplier: Organisation) -> str:
    domain = "".join(ch for ch in supplier.name.lower().split()[0] if ch.isalnum())
    return f"{name.lower().replace(' ', '.')}@{domain}.example"


def load_demo(password: str) -> None:
    rng = random.Random(2026)
    council = organisations.create(
        name="Northmoor City Council",
        kind=OrganisationKind.COUNCIL,
        is_sme=False,
        is_vcse=False,
        by=None,
    )
    measure_list = catalogue.install_defaults(council.id)
    local_areas.save_default(council.id, name="Northmoor", codes=LOCAL_AREA, by=None)

    def person(name: str, email: str, role: Role, organisation: Organisation) -> User:
        return users.create_user(
            email=email, full_name=name, role=role, organisation=organisation, password=password
        )

    person("Morgan Ellis", ADMIN_EMAIL, Role.ADMINISTRATOR, council)
    managers = [person(n, e, Role.CONTRACT_MANAGER, council) for n, e in MANAGERS]
    suppliers = [
        organisations.create(
            name=name, kind=OrganisationKind.SUPPLIER, is_sme=sme, is_vcse=vcse, by=None
        )
        for name, sme, vcse in SUPPLIERS
    ]
    for index, name in SUPPLIER_USERS:
        person(name, _email_for(name, suppliers[index]), Role.SUPPLIER_USER, suppliers[index])

    people_measures = [m for m in measure_list if m.derivation is not None]
    other_measures = [m for m in measure_list if m.derivation is None]
    for number in range(1, 41):
        supplier = suppliers[(number - 1) % len(suppliers)]
        start = date(2023, 4, 1) + timedelta(days=rng.randrange(0, 900))
        years = rng.choice([2, 3, 3, 4, 5])
        value = Decimal(rng.randrange(200, 12000) * 1000)
        contract = contracts.create(
            council=council,
            reference=f"NCC-{start.year}-{number:03d}",
            title=f"{rng.choice(SERVICES).capitalize()} {rng.choice(AREAS)}",
            supplier=supplier,
            manager=managers[number % 2],
            value=value,
            start_on=start,
            end_on=start.replace(year=start.year + years) - timedelta(days=1),
            is_kpi_contract=value > Decimal("5000000"),
            by=None,
        )
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


def sign_ins() -> list[tuple[str, str]]:
    query = (
        select(User.role, User.email)
        .where(User.password_hash.is_not(None))
        .order_by(User.role, User.email)
    )
    return [(Role(role).label, email) for role, email in db.session.execute(query)]
