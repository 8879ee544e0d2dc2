"""Backups that restore: evidence lives in the database, so one dump holds everything.

PostgreSQL only (the commands in the README's "Backups" section): dump the demo database with
pg_dump, restore it into a new database with pg_restore, and show that the restored portal's
stored compliance matches its returns and an evidence file downloads byte for byte.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.config import Settings
from portal.data import commit, evidence, users
from portal.data.models import Return
from portal.demo import load_demo
from portal.domain.evidence import check_file
from portal.extensions import db
from tests.conftest import sign_in_as

BASE = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not BASE.startswith("postgresql") or shutil.which("pg_dump") is None,
    reason="backups are of PostgreSQL databases (set TEST_DATABASE_URL; CI does)",
)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


@pytest.fixture
def two_databases() -> Iterator[tuple[str, str]]:
    names = [f"backup_{which}_{uuid.uuid4().hex[:8]}" for which in ("live", "restored")]
    admin = create_engine(BASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        urls = [make_url(BASE).set(database=n).render_as_string(hide_password=False) for n in names]
        yield urls[0], urls[1]
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _libpq(url: str) -> str:
    """The address pg_dump and pg_restore take (no SQLAlchemy driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _app(url: str) -> Flask:
    return create_app(Settings(env="test", secret_key="x" * 40, database_url=url))


def test_a_dump_of_the_demo_restores_with_its_compliance_and_evidence(
    two_databases: tuple[str, str], tmp_path: Path
) -> None:
    live_url, restored_url = two_databases
    live = _app(live_url)
    with live.app_context():
        upgrade()
        load_demo("demo-password-123", date(2026, 11, 27))
        ret = db.session.scalars(select(Return).order_by(Return.id)).first()
        assert ret is not None
        supplier_user = next(u for u in ret.contract.supplier.users if u.is_active)
        checked = check_file("site-photo.png", PNG, max_bytes=10 * 1024 * 1024)
        file = evidence.attach(ret.id, checked, PNG, commitment_id=None, by=supplier_user)
        commit()
        where = f"/supplier/returns/{ret.id}/evidence/{file.id}"
        email = supplier_user.email
        db.session.remove()
        db.engine.dispose()

    dump = tmp_path / "portal.dump"
    # The README's commands, as an operator would run them.
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _libpq(live_url)],
        check=True,
        timeout=120,
    )
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_libpq(restored_url)}", dump],
        check=True,
        timeout=120,
    )

    restored = _app(restored_url)
    with restored.app_context():
        verified = restored.test_cli_runner().invoke(args=["compliance", "verify"])
        assert verified.exit_code == 0, verified.output
        assert "Stored compliance matches the returns" in verified.output
        user = users.get_by_email(email)
        assert user is not None
        download = sign_in_as(restored, user).get(where)
        assert download.status_code == 200
        assert download.data == PNG
        db.session.remove()
        db.engine.dispose()
