"""How long `flask reminders send` takes on a large portfolio, delivering to a real SMTP server
on 127.0.0.1 (aiosmtpd, in this process).

    BENCH_DATABASE_URL=sqlite:////tmp/scale.sqlite3 python -m tests.benchmarks.reminders
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/portal_scale \\
        python -m tests.benchmarks.reminders --as-of 2026-11-16

Give it a database already loaded with `flask seed-demo --scale x10`. It empties the outbox first,
then times one run (planning, writing the outbox, delivering) and a second run the same day,
which must send nothing.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import replace
from datetime import date, datetime
from datetime import time as clock
from zoneinfo import ZoneInfo

from sqlalchemy import delete

from portal import create_app
from portal.config import Settings
from portal.data import commit
from portal.data.models import OutboxMessage
from portal.extensions import db
from portal.jobs import reminders
from tests.support import Mailbox, start_smtp


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of", default=date.today().isoformat())
    args = parser.parse_args()
    url = os.environ["BENCH_DATABASE_URL"]
    mailbox = Mailbox()
    controller = start_smtp(mailbox)
    settings = Settings(env="test", secret_key="b" * 40, database_url=url, log_level="WARNING")
    settings = replace(
        settings, mail_transport="smtp", smtp_host="127.0.0.1", smtp_port=controller.port
    )
    app = create_app(settings)
    now = datetime.combine(
        date.fromisoformat(args.as_of), clock(9), tzinfo=ZoneInfo("Europe/London")
    )
    with app.app_context():
        db.session.execute(delete(OutboxMessage))
        commit()
        began = time.perf_counter()
        first = reminders.send(now)
        first_seconds = time.perf_counter() - began
        db.session.remove()
        began = time.perf_counter()
        second = reminders.send(now)
        second_seconds = time.perf_counter() - began
    controller.stop()
    print(f"database: {url.split('@')[-1]}, as of {args.as_of}")
    print(f"first run: {first_seconds:.1f} s; " + "; ".join(first.lines()))
    print(f"second run: {second_seconds:.1f} s; " + "; ".join(second.lines()))
    print(f"received by the SMTP server: {len(mailbox.messages)}")


if __name__ == "__main__":
    main()
