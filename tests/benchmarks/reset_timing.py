"""Does asking for a password reset take as long for an address with an account as without?

    python -m tests.benchmarks.reset_timing                 # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/portal_bench \\
        python -m tests.benchmarks.reset_timing

200 POSTs to /forgot-password for a known address and 200 for unknown ones, interleaved, through
the Flask test client (the whole app: CSRF, rate limits, database, templates). Prints both
medians and their difference, and exits 1 if they differ by 5 ms or more: a difference that size
would tell an attacker which addresses have accounts. The rate limits are raised for the run.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from portal import create_app
from portal.config import Settings
from portal.data import commit, organisations, users
from portal.data.base import Base
from portal.data.types import OrganisationKind, Role
from portal.extensions import db

KNOWN = "known@bench.example"
LIMIT_MS = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="for each kind of address")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or (
        f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    )
    settings = Settings(
        env="test",
        log_level="WARNING",  # the request lines would bury the figures
        secret_key="benchmark-secret-key-that-is-long-enough",
        database_url=url,
        mail_transport="console",
        sign_in_rate_limit="100000 per minute",
        sign_in_ip_rate_limit="100000 per minute",
    )
    app = create_app(settings)
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
        users.create_user(
            email=KNOWN,
            full_name="Known Person",
            role=Role.CONTRACT_MANAGER,
            organisation=council,
            password="benchmark password",  # noqa: S106
        )
        commit()

    client = app.test_client()
    page = client.get("/forgot-password").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, "no CSRF token on the form"

    def post(email: str) -> float:
        began = time.perf_counter()
        response = client.post(
            "/forgot-password", data={"csrf_token": token.group(1), "email": email}
        )
        took = time.perf_counter() - began
        assert response.status_code == 200, response.status_code
        return took * 1000

    for n in range(20):  # warm up both paths
        post(KNOWN)
        post(f"warm{n}@bench.example")
    known: list[float] = []
    unknown: list[float] = []
    for n in range(args.requests):
        # Interleaved, and alternating which goes first, so drift hits both alike.
        pair = [(known, KNOWN), (unknown, f"nobody{n}@bench.example")]
        for timings, email in pair if n % 2 == 0 else reversed(pair):
            timings.append(post(email))

    known_ms, unknown_ms = statistics.median(known), statistics.median(unknown)
    difference = abs(known_ms - unknown_ms)
    print(
        f"POST /forgot-password, {args.requests} requests each, interleaved ({url.split(':')[0]})"
    )
    print(f"  known address:   median {known_ms:.2f} ms")
    print(f"  unknown address: median {unknown_ms:.2f} ms")
    print(f"  difference:      {difference:.2f} ms (must be under {LIMIT_MS:.0f} ms)")
    with app.app_context():
        db.engine.dispose()
    if difference >= LIMIT_MS:
        sys.exit(1)


if __name__ == "__main__":
    main()
