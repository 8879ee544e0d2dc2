"""How many SQL queries, and how long, the main pages take at different data sizes.

    python -m tests.benchmarks.pages                    # SQLite, 10 and 5,000 contracts
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/portal_bench \\
        python -m tests.benchmarks.pages --sizes 10 5000

A benchmark, not a test: it prints figures for the closing note and the README. The database it
is given is emptied first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import event, insert, select

from portal import calendar, create_app
from portal.config import Settings
from portal.data import catalogue, commit, organisations, users
from portal.data.base import Base, utcnow
from portal.data.models import (
    Commitment,
    Contract,
    Measure,
    Organisation,
    OutboxMessage,
    Return,
)
from portal.data.types import EmailKind, EmailStatus, OrganisationKind, ReturnStatus, Role
from portal.domain.periods import reporting_periods
from portal.extensions import db
from portal.workflows import compliance
from tests.support import session_cookie_for

PASSWORD = "benchmark password"  # noqa: S105
REQUESTS = 15


def build(size: int) -> dict[str, int]:
    """A council with `size` contracts (three commitments each) spread over suppliers."""
    Base.metadata.drop_all(db.engine)
    Base.metadata.create_all(db.engine)
    council = organisations.create(
        name="Bench Council", kind=OrganisationKind.COUNCIL, is_sme=False, is_vcse=False, by=None
    )
    catalogue.install_defaults(council.id)
    manager = users.create_user(
        email="cm@bench.example",
        full_name="Bench Manager",
        role=Role.CONTRACT_MANAGER,
        organisation=council,
        password=PASSWORD,
    )
    supplier_count = max(1, min(300, size // 3))
    db.session.execute(
        insert(Organisation),
        [
            {
                "name": f"Supplier {n:04d} Ltd",
                "kind": OrganisationKind.SUPPLIER,
                "is_sme": n % 2 == 0,
                "is_vcse": False,
                "created_at": utcnow(),
            }
            for n in range(supplier_count)
        ],
    )
    supplier_ids = list(
        db.session.scalars(
            select(Organisation.id).where(Organisation.kind == OrganisationKind.SUPPLIER)
        )
    )
    supplier_user = users.create_user(
        email="su@bench.example",
        full_name="Bench Supplier",
        role=Role.SUPPLIER_USER,
        organisation=db.session.get(Organisation, supplier_ids[0]),
        password=PASSWORD,
    )
    start = date(2024, 4, 1)
    db.session.execute(
        insert(Contract),
        [
            {
                "council_id": council.id,
                "council_kind": OrganisationKind.COUNCIL,
                "reference": f"B-{n:05d}",
                "title": f"Contract {n}",
                "supplier_id": supplier_ids[n % len(supplier_ids)],
                "supplier_kind": OrganisationKind.SUPPLIER,
                "manager_id": manager.id,
                "value": Decimal(1_000_000 + n),
                "start_on": start + timedelta(days=n % 365),
                "end_on": start + timedelta(days=1095 + n % 365),
                "is_kpi_contract": False,
                "created_at": utcnow(),
            }
            for n in range(size)
        ],
    )
    measure_ids = list(
        db.session.scalars(select(Measure.id).where(Measure.derivation.is_not(None)).limit(3))
    )
    contract_ids = list(db.session.scalars(select(Contract.id)))
    db.session.execute(
        insert(Commitment),
        [
            {
                "contract_id": contract_id,
                "measure_id": measure_id,
                "target": Decimal(12),
                "note": "",
                "created_at": utcnow(),
            }
            for contract_id in contract_ids
            for measure_id in measure_ids
        ],
    )
    commit()
    _returns_and_reminders(manager.id)
    compliance.refresh(contract_ids, calendar.today())  # ratings and overdue periods
    commit()
    # A contract in the middle whose first return stands as the small portfolio's does, so
    # that the contract page shows the same things at each size.
    middle = len(contract_ids) // 2
    middle -= middle % len(FIRST_RETURNS)
    return {
        "manager": manager.id,
        "supplier_user": supplier_user.id,
        "contract": contract_ids[middle],
        "supplier_contract": contract_ids[0],
    }


# Where each contract's first return stands: a third waiting for review, a third accepted, a
# sixth still drafts, and a sixth never started (overdue, like every later quarter).
FIRST_RETURNS = [ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED] * 2 + [ReturnStatus.DRAFT, None]


def _returns_and_reminders(manager_id: int) -> None:
    """Each contract's first return, and an escalation to the manager about every quarter
    after it that has fallen due: the outbox a late portfolio builds up."""
    now = utcnow()
    today = calendar.today()
    returns, emails = [], []
    for n, contract in enumerate(db.session.scalars(select(Contract).order_by(Contract.id))):
        first, *later = reporting_periods(contract.start_on, contract.end_on)
        status = FIRST_RETURNS[n % len(FIRST_RETURNS)]
        if status is not None:
            sent = status is not ReturnStatus.DRAFT
            returns.append(
                {
                    "contract_id": contract.id,
                    "financial_year": first.financial_year,
                    "quarter": first.quarter,
                    "period_starts_on": first.starts_on,
                    "period_ends_on": first.ends_on,
                    "due_on": first.due_on,
                    "status": status,
                    "version": 1,
                    "started_at": now,
                    "updated_at": now,
                    "submitted_at": now - timedelta(days=n % 90) if sent else None,
                    "submission_count": 1 if sent else 0,
                }
            )
        emails += [
            {
                "key": f"escalation:{contract.id}:{p.financial_year}-{p.quarter}:escalation-0:"
                f"{manager_id}",
                "kind": EmailKind.ESCALATION,
                "recipient": "cm@bench.example",
                "user_id": manager_id,
                "contract_id": contract.id,
                "financial_year": p.financial_year,
                "quarter": p.quarter,
                "subject": "Overdue",
                "body": "-",
                "status": EmailStatus.SENT,
                "attempts": 1,
                "created_at": now,
                "sent_at": now,
            }
            for p in later
            if p.due_on < today
        ]
    db.session.execute(insert(Return), returns)
    db.session.execute(insert(OutboxMessage), emails)
    commit()


def measure(engine, client, url: str) -> tuple[int, float]:  # noqa: ANN001
    """(queries for one request, median milliseconds over REQUESTS requests)."""
    queries = 0

    def count(*_args: object) -> None:
        nonlocal queries
        queries += 1

    timings = []
    for attempt in range(REQUESTS):
        if attempt == 0:
            event.listen(engine, "before_cursor_execute", count)
        began = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - began) * 1000)
        if attempt == 0:
            event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, (url, response.status_code)
    return queries, statistics.median(timings)


def sign_in(app, email: str):  # noqa: ANN001, ANN201
    with app.app_context():
        user = users.get_by_email(email)
        assert user is not None
        cookie = session_cookie_for(app, user)
    client = app.test_client()
    client.set_cookie(*cookie)
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 5000])
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or (
        f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    )
    app = create_app(
        Settings(env="test", secret_key="b" * 40, database_url=url, log_level="WARNING")
    )
    print(f"database: {url.split('@')[-1]}; median of {REQUESTS} requests\n")
    print(f"{'contracts':>9}  {'page':<34} {'queries':>7}  {'median ms':>9}")
    for size in args.sizes:
        # Requests run outside this block, each in its own app context as in production.
        with app.app_context():
            ids = build(size)
            engine = db.engine
            db.session.remove()
        manager = sign_in(app, "cm@bench.example")
        supplier = sign_in(app, "su@bench.example")
        pages = [
            ("contract list (all)", manager, "/council/contracts?show=all"),
            (
                "contract list (sorted by supplier)",
                manager,
                "/council/contracts?show=all&sort=supplier&page=3",
            ),
            ("contract list (by rating)", manager, "/council/contracts?show=all&sort=rating"),
            (
                "contract list (by latest return)",
                manager,
                "/council/contracts?show=all&sort=latest_return&page=3",
            ),
            ("returns to review (all)", manager, "/council/returns/to-review?show=all"),
            ("returns to review (page 3)", manager, "/council/returns/to-review?show=all&page=3"),
            ("overdue returns (all)", manager, "/council/returns/overdue?show=all"),
            ("overdue returns (page 3)", manager, "/council/returns/overdue?show=all&page=3"),
            ("contract page", manager, f"/council/contracts/{ids['contract']}"),
            ("supplier: your contracts", supplier, "/supplier/contracts"),
            (
                "supplier: contract page",
                supplier,
                f"/supplier/contracts/{ids['supplier_contract']}",
            ),
        ]
        for label, client, path in pages:
            queries, median = measure(engine, client, path)
            print(f"{size:>9}  {label:<34} {queries:>7}  {median:>9.1f}")


if __name__ == "__main__":
    main()
