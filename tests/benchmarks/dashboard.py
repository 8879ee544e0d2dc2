"""How many SQL queries, and how long, the council's dashboard and flag pages take at the size
of a big city council (`flask seed-demo --scale`: manchester, 1,000 contracts with three years
of returns, and x10, 10,000 contracts).

    python -m tests.benchmarks.dashboard                    # SQLite, manchester and x10
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/portal_bench \\
        python -m tests.benchmarks.dashboard --scales manchester
    BENCH_DATABASE_URL=... python -m tests.benchmarks.dashboard --existing

A benchmark, not a test: it prints figures for the closing note and the README. The database it
is given is emptied first, unless --existing asks to measure what `flask seed-demo --scale`
already loaded there (quicker when comparing one change).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from portal import create_app
from portal.calendar import today
from portal.config import Settings
from portal.data import users
from portal.data.base import Base
from portal.data.models import Contract
from portal.demo import MANAGERS
from portal.demo_scale import PUBLIC_SCALES, SCALES, load_scale
from portal.extensions import db
from tests.benchmarks.pages import REQUESTS, measure, sign_in

PASSWORD = "benchmark password"  # noqa: S105
MANAGER_EMAIL = MANAGERS[0][1]


def build(scale: str) -> float:
    """The scale's council in an emptied database, in seconds."""
    Base.metadata.drop_all(db.engine)
    Base.metadata.create_all(db.engine)
    began = time.perf_counter()
    load_scale(scale, PASSWORD, today())
    return time.perf_counter() - began


def a_contract_of_the_manager() -> int:
    manager = users.get_by_email(MANAGER_EMAIL)
    assert manager is not None
    theirs = list(
        db.session.scalars(
            select(Contract.id).where(Contract.manager_id == manager.id).order_by(Contract.id)
        )
    )
    return theirs[len(theirs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", choices=sorted(SCALES), default=list(PUBLIC_SCALES))
    parser.add_argument(
        "--existing",
        action="store_true",
        help="measure the data already in BENCH_DATABASE_URL",
    )
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or (
        f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    )
    if args.existing and "BENCH_DATABASE_URL" not in os.environ:
        parser.error("--existing measures BENCH_DATABASE_URL: set it")
    app = create_app(
        Settings(env="test", secret_key="b" * 40, database_url=url, log_level="WARNING")
    )
    rows = []
    for scale in ["existing"] if args.existing else args.scales:
        # Requests run outside this block, each in its own app context as in production.
        with app.app_context():
            if scale != "existing":
                print(f"{scale}: built in {build(scale):.1f} s\n")
            contracts = db.session.scalar(select(func.count()).select_from(Contract)) or 0
            contract_id = a_contract_of_the_manager()
            supplier_id = db.session.get(Contract, contract_id).supplier_id  # type: ignore[union-attr]
            engine = db.engine
            db.session.remove()
        manager = sign_in(app, MANAGER_EMAIL)
        pages = [
            ("dashboard", "/council/"),
            ("flags", "/council/flags"),
            ("flags (high, open)", "/council/flags?severity=high&status=open"),
            ("contract list (all)", "/council/contracts?show=all"),
            ("contract page", f"/council/contracts/{contract_id}"),
            ("performance assessment", f"/council/contracts/{contract_id}/assessment"),
            ("supplier page", f"/council/suppliers/{supplier_id}"),
        ]
        for label, path in pages:
            rows.append((contracts, label, *measure(engine, manager, path)))

    print(f"database: {url.split('@')[-1]}; median of {REQUESTS} requests, as a contract manager\n")
    print(f"{'contracts':>9}  {'page':<22} {'queries':>7}  {'median ms':>9}")
    for contracts, label, queries, median in rows:
        print(f"{contracts:>9}  {label:<22} {queries:>7}  {median:>9.1f}")


if __name__ == "__main__":
    main()
