"""How long loading a year of a big city's spend files into the database takes, and the memory.

    python -m tests.benchmarks.spend_load [--payments 42000] [--layout city]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/portal_bench \\
        python -m tests.benchmarks.spend_load

Writes twelve monthly files (tests/spend_files.py), then loads them all at once through the
workflow the upload page and `flask spend load` use (read, check every row, match payees, save,
commit) into an empty database with a council and a few of its suppliers, and reports the seconds;
then loads the same files again (each is recognised: nothing added), and another year's files
of the same dates as their replacements (delete and re-insert). Between, the analysis page as a
contract manager opens it: its query count and median time. Last, the peak memory growth
tracemalloc sees while another council loads the year (measured apart: tracemalloc slows
Python down several times; the files, already in memory, are not counted).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tracemalloc
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from portal import create_app
from portal.config import Settings
from portal.data import organisations, users
from portal.data.base import Base
from portal.data.models import Payee, SpendPayment
from portal.data.types import OrganisationKind, Role
from portal.extensions import db
from portal.formatting import money
from portal.workflows.spend import Outcome, load_files
from tests import spend_files
from tests.benchmarks.pages import REQUESTS, measure, sign_in

MB = 1024 * 1024


def year_of_files(
    layout: str, payments: int, suppliers: int, *, seed: int
) -> list[tuple[str, bytes]]:
    """The generated year from April 2024 (tests/spend_files.py), every other payment to one of
    `suppliers` names, so that the load makes and matches payees as a big city's does."""
    names = [f"Supplier Number {n} Ltd" for n in range(suppliers)]
    files = []
    for month, paid in spend_files.year_of_payments(2024, payments, seed=seed):
        named = [
            replace(
                payment,
                supplier_name=names[((month.month * len(paid) + index) // 2 * 7919) % len(names)],
            )
            if index % 2 and names
            else payment
            for index, payment in enumerate(paid)
        ]
        if layout == "city":
            content = spend_files.city_csv(named, title=spend_files.city_title(month))
        elif layout == "template":
            content = spend_files.template_csv(named)
        else:
            content = spend_files.template_xlsx(named)
        files.append((f"spend-{month:%Y-%m}.{'xlsx' if 'xlsx' in layout else 'csv'}", content))
    return files


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--payments", type=int, default=42_000)
    parser.add_argument("--layout", default="city", choices=["city", "template", "template-xlsx"])
    parser.add_argument(
        "--suppliers",
        type=int,
        default=3_000,
        help="distinct supplier names (a big city pays a few thousand a year)",
    )
    options = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or (
        f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    )
    files = year_of_files(options.layout, options.payments, options.suppliers, seed=1)
    size = sum(len(data) for _, data in files)
    app = create_app(
        Settings(env="test", secret_key="b" * 40, database_url=url, log_level="WARNING")
    )
    with app.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        council = organisations.create(
            name="Northtown City Council",
            kind=OrganisationKind.COUNCIL,
            is_sme=False,
            is_vcse=False,
            by=None,
        )
        for name in ("Northtown Building Services Ltd", "Greenway Waste Management PLC"):
            supplier = organisations.create(
                name=name, kind=OrganisationKind.SUPPLIER, is_sme=True, is_vcse=False, by=None
            )
            supplier.created_by_council_id = council.id
        db.session.commit()
        print(f"database: {db.engine.dialect.name}")
        print(
            f"{options.layout}: {len(files)} files, {options.payments:,} payments, "
            f"{size / MB:.1f} MB"
        )

        started = time.perf_counter()
        summaries = load_files(council, files, by=None)
        seconds = time.perf_counter() - started
        assert all(s.outcome is Outcome.LOADED for s in summaries), summaries[0].lines()
        payments = db.session.scalar(select(func.count()).select_from(SpendPayment))
        payees = db.session.scalar(select(func.count()).select_from(Payee))
        total = sum((s.net_total for s in summaries), start=Decimal(0))
        print(
            f"loaded {payments:,} payments ({payees} payees), net total {money(total)}: "
            f"{seconds:.2f} s"
        )

        # The analysis page, as a contract manager opens it (outside the app context, as a
        # request is): its query count, and the median of REQUESTS requests.
        users.create_user(
            email="manager@northtown.example",
            full_name="Bench Manager",
            role=Role.CONTRACT_MANAGER,
            organisation=council,
            password="benchmark password",  # noqa: S106
        )
        db.session.commit()
        engine = db.engine

    client = sign_in(app, "manager@northtown.example")
    queries, median = measure(engine, client, "/council/spend")
    print(f"the analysis page: {queries} queries, median {median:.0f} ms of {REQUESTS} requests")

    with app.app_context():
        council = db.session.merge(council)
        started = time.perf_counter()
        again = load_files(council, files, by=None)
        assert all(s.outcome is Outcome.ALREADY_LOADED for s in again)
        print(f"the same files again (already loaded): {time.perf_counter() - started:.2f} s")

        renamed = year_of_files(options.layout, options.payments, options.suppliers, seed=2)
        started = time.perf_counter()
        replaced = load_files(council, renamed, by=None, replace_overlap=True)
        assert all(s.outcome is Outcome.LOADED and s.replaced for s in replaced)
        print(f"another year's files replacing those dates: {time.perf_counter() - started:.2f} s")

        # Memory, apart: tracemalloc slows Python down several times. Another council loads
        # the same files into tables as big as the first load left them.
        other = organisations.create(
            name="Southtown Council",
            kind=OrganisationKind.COUNCIL,
            is_sme=False,
            is_vcse=False,
            by=None,
        )
        db.session.commit()
        tracemalloc.start()
        load_files(other, files, by=None)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"peak memory growth while loading the year: {peak / MB:.1f} MB")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
