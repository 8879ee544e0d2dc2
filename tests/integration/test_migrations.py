"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, create_engine, inspect, text
from sqlalchemy.engine import make_url

from portal import PROJECT_ROOT, create_app
from portal.config import Settings
from portal.data.base import Base
from portal.extensions import db


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """A brand-new database: a SQLite file, or a throwaway PostgreSQL database."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base or not base.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def migrating_app(empty_database: str) -> Iterator[Flask]:
    app = create_app(Settings(env="test", secret_key="x" * 40, database_url=empty_database))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_there_is_a_single_head() -> None:
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_upgrade_from_empty_matches_the_models_and_downgrades_cleanly(
    migrating_app: Flask,
) -> None:
    upgrade()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
    downgrade(revision="base")
    remaining = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert remaining == set()


def test_upgrading_keeps_what_each_line_had_accepted_and_submitted(migrating_app: Flask) -> None:
    """Returns saved under the whole-return rule: an accepted return's lines count, and a return
    sent back for changes keeps the lines the reviewer accepted, at the figure that was sent
    (the working copy may have moved on since), while its queried line waits as pending."""
    upgrade(revision="a0664127b13b")
    now = datetime.now(UTC)
    rows: dict[str, list[dict[str, object]]] = a_contract_as_rows() | {
        "returns": [
            {
                "id": r,
                "contract_id": 1,
                "financial_year": 2025,
                "quarter": r,
                "period_starts_on": date(2025, 3 * r + 1, 1),
                "period_ends_on": date(2025, 3 * r + 3, 30),
                "due_on": date(2025, 3 * r + 4, 30),
                "status": status,
                "version": 3,
                "started_at": now,
                "updated_at": now,
                "submission_count": 1,
            }
            for r, status in ((1, "accepted"), (2, "changes_requested"))
        ],
        "return_lines": [
            # Q1, accepted: both lines count at their figures.
            {"id": 1, "return_id": 1, "commitment_id": 1, "figure": 3, "review": "accepted"},
            {"id": 2, "return_id": 1, "commitment_id": 2, "figure": 0, "review": "accepted"},
            # Q2, sent back: line 1 was accepted at 5 (since edited to 7); line 2 queried at 2.
            {"id": 3, "return_id": 2, "commitment_id": 1, "figure": 7, "review": "accepted"},
            {"id": 4, "return_id": 2, "commitment_id": 2, "figure": 4, "review": "queried"},
        ],
        "return_submissions": [
            {
                "return_id": r,
                "number": 1,
                "submitted_at": now,
                "submitted_by_id": 1,
                "submitted_by_name": "Sam",
                "declaration": "ok",
                "lines": [
                    {"commitment_id": 1, "figure": first, "narrative": "-", "nil_reason": None},
                    {"commitment_id": 2, "figure": second, "narrative": "-", "nil_reason": None},
                ],
                "workforce_records": 0,
                "evidence": [],
            }
            for r, first, second in ((1, "3.00", "0.00"), (2, "5.00", "2.00"))
        ],
    }
    insert_rows(rows, now)
    upgrade()
    with db.engine.connect() as connection:
        lines = connection.execute(
            text(
                "SELECT id, review, submitted_figure, accepted_figure FROM return_lines ORDER BY id"
            )
        ).all()
    assert [(i, r, _d(s), _d(a)) for i, r, s, a in lines] == [
        (1, "accepted", Decimal(3), Decimal(3)),
        (2, "accepted", Decimal(0), Decimal(0)),
        (3, "accepted", Decimal(5), Decimal(5)),  # what was accepted, not the later edit
        (4, "queried", Decimal(2), None),  # pending at the figure sent
    ]


def _d(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def test_upgrading_files_each_reminder_under_the_period_it_chases(migrating_app: Flask) -> None:
    """Emails already in the outbox gain the contract and period their key names, so the
    overdue list finds the reminders sent before the upgrade; other emails name none."""
    upgrade(revision="d870782b16eb")
    now = datetime.now(UTC)
    keys = {
        "reminder:7:2025-1:before-14:3": "return_reminder",
        "overdue:7:2025-1:overdue:3": "return_overdue",
        "escalation:12:2026-4:escalation-2:1": "escalation",
        "digest:1:2025-W31": "weekly_digest",
        "invitation:3:abc": "invitation",
    }
    outbox = MetaData()
    outbox.reflect(db.engine, only=["outbox_messages"])
    with db.engine.begin() as connection:
        connection.execute(
            outbox.tables["outbox_messages"].insert(),
            [
                {
                    "key": key,
                    "kind": kind,
                    "recipient": "someone@example.org",
                    "subject": "-",
                    "body": "-",
                    "status": "sent",
                    "attempts": 1,
                    "created_at": now,
                }
                for key, kind in keys.items()
            ],
        )
    upgrade()
    with db.engine.connect() as connection:
        filed = connection.execute(
            text("SELECT key, contract_id, financial_year, quarter FROM outbox_messages")
        ).all()
    assert {key: (c, y, q) for key, c, y, q in filed} == {
        "reminder:7:2025-1:before-14:3": (7, 2025, 1),
        "overdue:7:2025-1:overdue:3": (7, 2025, 1),
        "escalation:12:2026-4:escalation-2:1": (12, 2026, 4),
        "digest:1:2025-W31": (None, None, None),
        "invitation:3:abc": (None, None, None),
    }
    downgrade(revision="d870782b16eb")


def test_upgrading_credits_a_supplier_to_its_only_council(migrating_app: Flask) -> None:
    """A supplier that one council has contracts with was added by that council; one shared by
    two councils, or with no contracts, is credited to none (so no council may change it)."""
    upgrade(revision="e3e33f87ebbe")
    rows = a_contract_as_rows()
    other = {"name": "Other", "kind": "council", "is_sme": False, "is_vcse": False}
    rows["organisations"] += [
        {"id": 3} | other,
        {"id": 4, "name": "Shared", "kind": "supplier", "is_sme": False, "is_vcse": False},
        {"id": 5, "name": "Unused", "kind": "supplier", "is_sme": False, "is_vcse": False},
        {"id": 6, "name": "Theirs", "kind": "supplier", "is_sme": False, "is_vcse": False},
    ]
    rows["users"].append(
        rows["users"][0] | {"id": 2, "email": "cm@other.example", "organisation_id": 3}
    )
    ours = rows["contracts"][0]  # council 1's, with supplier 2
    theirs = ours | {"council_id": 3, "manager_id": 2}
    rows["contracts"] += [
        ours | {"id": 2, "reference": "C-2"},  # two contracts, one council
        ours | {"id": 3, "reference": "C-3", "supplier_id": 4},
        theirs | {"id": 4, "reference": "C-4", "supplier_id": 4},  # shared by two councils
        theirs | {"id": 5, "reference": "C-5", "supplier_id": 6},
    ]
    insert_rows(rows, datetime.now(UTC))
    upgrade(revision="f4a1c2d3b5e6")
    with db.engine.connect() as connection:
        credited = dict(
            connection.execute(text("SELECT id, created_by_council_id FROM organisations")).all()
        )
    assert credited == {1: None, 2: 1, 3: None, 4: None, 5: None, 6: 3}
    downgrade(revision="e3e33f87ebbe")


def test_upgrading_cuts_typed_text_longer_than_its_form_allows(migrating_app: Flask) -> None:
    """Forms took any length before; the new checks would refuse such rows, so they are cut."""
    upgrade(revision="7c2f9a1d4e55")
    rows = a_contract_as_rows()
    rows["measures"][0]["counting_rule"] = "x" * 100_004
    rows["commitments"][0]["note"] = "kept as it is"
    insert_rows(rows, datetime.now(UTC))
    upgrade(revision="b8e5d1c3a7f2")
    with db.engine.connect() as connection:
        rule = connection.execute(text("SELECT counting_rule FROM measures WHERE id = 1")).scalar()
        note = connection.execute(text("SELECT note FROM commitments WHERE id = 1")).scalar()
    assert rule == "x" * 1999 + "…"
    assert note == "kept as it is"
    downgrade(revision="7c2f9a1d4e55")


def test_upgrading_gives_each_council_the_fair_work_measures(migrating_app: Flask) -> None:
    """A council gets its catalogue when it is created, so the councils already there are
    given the fair-work measures; one that has a measure of the same code keeps its own."""
    upgrade(revision="b8e4d2c6a1f9")  # the revision before the fair-work measures
    rows = a_contract_as_rows()
    rows["organisations"].append(
        {"id": 3, "name": "Other", "kind": "council", "is_sme": False, "is_vcse": False}
    )
    rows["measures"].append(
        rows["measures"][0] | {"id": 3, "council_id": 3, "code": "SECURE_WORK", "name": "Ours"}
    )
    for table in ("organisations", "users", "measures", "contracts", "commitments"):
        rows[table] = [row | {"version": 1} for row in rows[table]]
    rows["organisations"] = [row | {"is_in_london": False} for row in rows["organisations"]]
    insert_rows(rows, datetime.now(UTC))
    upgrade()
    with db.engine.connect() as connection:
        added = connection.execute(
            text("SELECT council_id, code, unit, kind, derivation FROM measures WHERE id > 3")
        ).all()
        audited = connection.execute(
            text("SELECT object_id FROM audit_events WHERE object_type = 'measure'")
        ).scalars()
        ids = connection.execute(text("SELECT id FROM measures WHERE id > 3")).scalars()
        assert sorted(audited) == sorted(ids)
    fair = {
        "LIVING_WAGE": "living_wage",
        "SECURE_WORK": "secure_work",
        "OLDER_LIVING_WAGE": "older_living_wage",
        "OLDER_SECURE_WORK": "older_secure_work",
    }
    assert sorted(added) == sorted(
        [(1, code, "percent", "level", derivation) for code, derivation in fair.items()]
        + [(3, code, "percent", "level", d) for code, d in fair.items() if code != "SECURE_WORK"]
    )
    downgrade(revision="b8e4d2c6a1f9")
    with db.engine.connect() as connection:
        kept = connection.execute(text("SELECT id FROM measures ORDER BY id")).scalars().all()
    assert kept == [1, 2, 3]


def test_downgrading_refuses_to_lose_a_fair_work_commitment(
    migrating_app: Flask, capfd: pytest.CaptureFixture[str]
) -> None:
    upgrade()
    rows = a_contract_as_rows()
    rows["measures"] = [
        rows["measures"][0]
        | {"unit": "percent", "kind": "level", "derivation": "living_wage", "version": 1}
    ]
    rows["commitments"] = [rows["commitments"][0] | {"target": 95}]
    for table in ("organisations", "users", "contracts", "commitments"):
        rows[table] = [row | {"version": 1} for row in rows[table]]
    rows["organisations"] = [
        row | {"is_in_london": False, "is_living_wage_employer": False}
        for row in rows["organisations"]
    ]
    insert_rows(rows, datetime.now(UTC))
    with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits
        downgrade(revision="b8e4d2c6a1f9")  # the revision before the fair-work measures
    assert "1 commitment is on percent or fair-work measures" in capfd.readouterr().err
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM measures")).scalar() == 1


def a_contract_as_rows() -> dict[str, list[dict[str, object]]]:
    """A council, its manager, a supplier, two measures and a contract promising both, as the
    rows of a database at an earlier revision (for tests of what a migration does to data)."""
    return {
        "organisations": [
            {"id": 1, "name": "Council", "kind": "council", "is_sme": False, "is_vcse": False},
            {"id": 2, "name": "Supplier", "kind": "supplier", "is_sme": False, "is_vcse": False},
        ],
        "users": [
            {
                "id": 1,
                "email": "cm@council.example",
                "full_name": "Manager",
                "role": "contract_manager",
                "organisation_id": 1,
                "organisation_kind": "council",
                "session_version": 1,
            }
        ],
        "measures": [
            {
                "id": m,
                "council_id": 1,
                "code": f"M{m}",
                "name": f"Measure {m}",
                "unit": "people",
                "kind": "cumulative",
                "counting_rule": "-",
                "evidence_guidance": "-",
            }
            for m in (1, 2)
        ],
        "contracts": [
            {
                "id": 1,
                "council_id": 1,
                "council_kind": "council",
                "reference": "C-1",
                "title": "Cleaning",
                "supplier_id": 2,
                "supplier_kind": "supplier",
                "manager_id": 1,
                "value": 1,
                "start_on": date(2025, 4, 1),
                "end_on": date(2028, 3, 31),
                "is_kpi_contract": False,
            }
        ],
        "commitments": [
            {"id": c, "contract_id": 1, "measure_id": c, "target": 12, "note": ""} for c in (1, 2)
        ],
    }


def insert_rows(rows: dict[str, list[dict[str, object]]], created_at: datetime) -> None:
    """Insert rows into the tables as the database has them now (not as the models say)."""
    tables = MetaData()
    tables.reflect(db.engine)
    with db.engine.begin() as connection:
        for name, values in rows.items():
            table = tables.tables[name]
            defaults: dict[str, object] = (
                {"created_at": created_at} if "created_at" in table.c else {}
            )
            if name == "return_lines":
                defaults["narrative"] = "-"
            connection.execute(table.insert(), [defaults | row for row in values])
