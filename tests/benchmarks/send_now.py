"""How long "Send the due reminders now" takes to come back with 1,000 emails due, and how long
the delivery worker then takes to deliver them to a real SMTP server on 127.0.0.1 (aiosmtpd, in
this process).

    python -m tests.benchmarks.send_now                      # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/portal_bench \\
        python -m tests.benchmarks.send_now --emails 1000

Contracts that started in April 2025 have quarters overdue today, so each brings overdue notices
and escalations; contracts are added until at least --emails are due. The POST goes through the
whole app (CSRF, session, database, templates) with the Flask test client; the request only
writes the outbox, so nothing may have reached the mail server when it returns.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from portal import create_app
from portal.config import Settings
from portal.data import commit
from portal.data.base import Base
from portal.data.types import Role
from portal.extensions import db
from portal.jobs import reminders
from portal.jobs.outbox import work_once
from tests import factories
from tests.conftest import sign_in_as
from tests.support import Mailbox, PortalClient, start_smtp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=1000, help="at least this many due")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or (
        f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    )
    mailbox = Mailbox()
    controller = start_smtp(mailbox)
    settings = Settings(
        env="test",
        log_level="WARNING",  # the request lines would bury the figures
        secret_key="benchmark-secret-key-that-is-long-enough",
        database_url=url,
        base_url="http://localhost",
        mail_transport="smtp",
        smtp_host="127.0.0.1",
        smtp_port=controller.port,
    )
    app = create_app(settings)
    app.test_client_class = PortalClient
    with app.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        council = factories.council("Bench Council")
        admin = factories.user(Role.ADMINISTRATOR, council, email="admin@bench.example")
        manager = factories.user(Role.CONTRACT_MANAGER, council, email="cm@bench.example")
        due = 0
        while due < args.emails:
            for _ in range(20):
                supplier = factories.supplier(added_by=council)
                factories.user(Role.SUPPLIER_USER, supplier)
                factories.user(Role.SUPPLIER_USER, supplier)
                factories.contract(council, supplier, manager)
            commit()
            due = len(reminders.send(datetime.now(UTC), dry_run=True).planned)
        client = sign_in_as(app, admin)
        db.session.remove()
        token = client.csrf_token("/admin/emails")
        began = time.perf_counter()
        response = client.post("/admin/emails", data={"csrf_token": token})
        returned = time.perf_counter() - began
        assert response.status_code == 302, response.status_code
        at_return = len(mailbox.messages)

        began = time.perf_counter()
        report = work_once()
        delivered = time.perf_counter() - began
        db.session.remove()
    controller.stop()
    print(f"database: {url.split('@')[-1]}")
    print(f"{due:,} emails due")
    print(
        f'"Send the due reminders now" returned in {returned:.2f} s '
        f"({at_return} emails delivered by then)"
    )
    print(
        f"the worker delivered {report.sent:,} ({report.failed} failed) in {delivered:.2f} s; "
        f"the server received {len(mailbox.messages):,}"
    )
    if at_return or report.sent != due or len(mailbox.messages) != due:
        sys.exit(1)


if __name__ == "__main__":
    main()
