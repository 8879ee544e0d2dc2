"""How long a supplier waits for a 5,000-row workforce upload, end to end through the app.

    python -m tests.benchmarks.workforce_upload [--rows 5000]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/portal_bench \\
        python -m tests.benchmarks.workforce_upload

Times the request itself (read, check every row, count, save in one transaction), three runs,
then the people page of the return that upload made (its size and time, three runs).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import statistics
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from portal import create_app
from portal.config import Settings
from portal.data import (
    catalogue,
    commit,
    contracts,
    local_areas,
    measures,
    organisations,
    returns,
    users,
)
from portal.data.base import Base
from portal.data.types import OrganisationKind, Role
from portal.domain.periods import reporting_periods
from portal.domain.workforce_import import COLUMNS
from portal.extensions import db
from tests.support import session_cookie_for

PASSWORD = "benchmark password"  # noqa: S105


def schedule(rows: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for n in range(rows):
        apprentice = n % 7 == 0
        writer.writerow(
            [
                f"W-{n:05d}",
                ["M1 1AA", "M4 5AB", "SK1 3XE"][n % 3],
                ["18-24", "25-34", "50-64"][n % 3],
                "01/04/2025",
                "" if n % 5 else "15/05/2025",
                "37",
                "100" if n % 2 else "50",
                "new hire" if n % 4 else "retained",
                "3" if apprentice else "",
                "Chef de partie" if apprentice else "",
                # Fair work: pay in the forms suppliers type, every contract type.
                ["£12.60", "13.45", "11.9", "£14.80"][n % 4],
                ["Permanent", "fixed-term", "Zero-hours", "casual", "Temporary or agency"][n % 5],
                "0" if n % 5 in (2, 3) else "16",
            ]
        )
    return buffer.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or (
        f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    )
    app = create_app(
        Settings(env="test", secret_key="b" * 40, database_url=url, log_level="WARNING")
    )
    with app.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        council = organisations.create(
            name="Bench Council",
            kind=OrganisationKind.COUNCIL,
            is_sme=False,
            is_vcse=False,
            by=None,
        )
        catalogue.install_defaults(council.id)
        local_areas.save_default(council.id, name="City", codes=["M1", "M4"], by=None)
        supplier = organisations.create(
            name="Bench Supplier",
            kind=OrganisationKind.SUPPLIER,
            is_sme=False,
            is_vcse=False,
            by=None,
        )
        manager = users.create_user(
            email="cm@bench.example",
            full_name="Manager",
            role=Role.CONTRACT_MANAGER,
            organisation=council,
            password=PASSWORD,
        )
        author = users.create_user(
            email="su@bench.example",
            full_name="Supplier",
            role=Role.SUPPLIER_USER,
            organisation=supplier,
            password=PASSWORD,
        )
        contract = contracts.create(
            council=council,
            reference="B-1",
            title="Bench",
            supplier=supplier,
            manager=manager,
            value=Decimal(1_000_000),
            start_on=date(2025, 4, 1),
            end_on=date(2028, 3, 31),
            is_kpi_contract=False,
            by=None,
        )
        for code in ("LOCAL_HIRES", "LOCAL_FTE", "APPRENTICE_STARTS", "OLDER_HIRES"):
            measure = next(m for m in measures.catalogue(council.id) if m.code == code)
            contracts.add_commitment(contract, measure, target=Decimal(10), by=None)
        ret = returns.start(
            contract, reporting_periods(contract.start_on, contract.end_on)[0], by=author
        )
        commit()
        return_id = ret.id
        cookie = session_cookie_for(app, author)
    client = app.test_client()
    client.set_cookie(*cookie)
    body = schedule(args.rows)
    url_path = f"/supplier/returns/{return_id}/workforce/upload"
    timings = []
    for _ in range(3):
        page = client.get(url_path).get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        version = re.search(r'name="version" type="hidden" value="(\d+)"', page)
        assert token and version
        began = time.perf_counter()
        response = client.post(
            url_path,
            data={
                "csrf_token": token.group(1),
                "version": version.group(1),
                "file": (io.BytesIO(body), "people.csv"),
            },
            content_type="multipart/form-data",
        )
        if response.headers.get("Location", "").endswith("/confirm"):
            # After the first run, the upload replaces people: confirming it is part of the work.
            confirm = client.get(response.headers["Location"]).get_data(as_text=True)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', confirm)
            version = re.search(r'name="version" type="hidden" value="(\d+)"', confirm)
            assert token and version
            response = client.post(
                response.headers["Location"],
                data={"csrf_token": token.group(1), "version": version.group(1)},
            )
        timings.append(time.perf_counter() - began)
        assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    print(f"database: {url.split('@')[-1]}")
    print(
        f"{args.rows} rows ({len(body) / 1024:.0f} KB) uploaded into an empty return: "
        f"{timings[0]:.2f} s"
    )
    print(
        f"the same rows replacing {args.rows} people (upload, check the changes, confirm): runs "
        + ", ".join(f"{t:.2f} s" for t in timings[1:])
    )
    people_page = f"/supplier/returns/{return_id}/workforce"
    timings, size = [], 0
    for _ in range(3):
        began = time.perf_counter()
        response = client.get(people_page)
        timings.append(time.perf_counter() - began)
        assert response.status_code == 200
        size = len(response.get_data())
    print(
        f"people page of {args.rows} people ({size / 1024:.0f} KB): "
        f"median {statistics.median(timings):.2f} s, runs " + ", ".join(f"{t:.2f}" for t in timings)
    )


if __name__ == "__main__":
    main()
