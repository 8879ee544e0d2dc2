"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
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
