"""Fixtures: the app on a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL), a real
SMTP server, and signed-in clients for each role."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from flask import Flask
from sqlalchemy import text

from portal import create_app
from portal.config import Settings
from portal.data import commit, flags
from portal.data import users as users_module
from portal.data.base import Base
from portal.data.models import Contract, Flag, Organisation, User
from portal.data.types import FlagKind, FlagSeverity, Role
from portal.extensions import db, limiter
from tests import factories
from tests.support import Mailbox, PortalClient, session_cookie_for, start_smtp

# Argon2 is slow on purpose (about 80 ms a hash). Tests create hundreds of users with the same few
# passwords, so each distinct password is hashed once; the hashes are still real argon2id hashes.
users_module.hash_password = functools.lru_cache(maxsize=16)(users_module.hash_password)


def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    controller = start_smtp(box)
    box.port = controller.port  # type: ignore[attr-defined]
    yield box
    controller.stop()


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory, mailbox: Mailbox) -> Settings:
    return Settings(
        env="test",
        secret_key="test-secret-key-that-is-long-enough-1234",
        database_url=database_url(tmp_path_factory),
        base_url="http://localhost",
        mail_transport="smtp",
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,  # type: ignore[attr-defined]
    )


@pytest.fixture(scope="session")
def app(settings: Settings) -> Iterator[Flask]:
    application = create_app(settings)
    application.test_client_class = PortalClient
    with application.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        db.session.remove()
    yield application
    with application.app_context():
        db.engine.dispose()


def empty_all_tables() -> None:
    db.session.rollback()
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(text(f"DELETE FROM {table}"))
    db.session.commit()


@pytest.fixture(autouse=True)
def _clean(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test that uses the app starts with empty tables, a fresh limiter and mailbox."""
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    mailbox: Mailbox = request.getfixturevalue("mailbox")
    with app.app_context():
        empty_all_tables()
        # Fresh rate-limit storage; this also undoes any other app a test created, since the
        # limiter keeps its storage on itself (one app per process in production).
        limiter.init_app(app)
        mailbox.clear()
        yield
        db.session.remove()
    assert not mailbox.problems, "\n".join(mailbox.problems)


@pytest.fixture
def client(app: Flask) -> PortalClient:
    return app.test_client()  # type: ignore[return-value]


@dataclass
class World:
    """Two councils' worth of organisations, so that tests can reach across the boundary."""

    council: Organisation
    supplier: Organisation
    other_supplier: Organisation
    admin: User
    manager: User
    other_manager: User
    supplier_user: User
    other_supplier_user: User
    contract: Contract
    other_supplier_contract: Contract
    other_council: Organisation
    other_council_manager: User
    other_council_contract: Contract


@pytest.fixture
def world(app: Flask) -> World:
    council = factories.council("Northmoor City Council")
    other_council = factories.council("Southmere Borough Council")
    supplier = factories.supplier("Acme Grounds Ltd", sme=True)
    other_supplier = factories.supplier("Bolt Facilities Ltd")
    admin = factories.user(Role.ADMINISTRATOR, council, email="admin@northmoor.example")
    manager = factories.user(Role.CONTRACT_MANAGER, council, email="cm@northmoor.example")
    other_manager = factories.user(Role.CONTRACT_MANAGER, council, email="cm2@northmoor.example")
    supplier_user = factories.user(Role.SUPPLIER_USER, supplier, email="sam@acme.example")
    other_supplier_user = factories.user(
        Role.SUPPLIER_USER, other_supplier, email="bo@bolt.example"
    )
    other_council_manager = factories.user(
        Role.CONTRACT_MANAGER, other_council, email="cm@southmere.example"
    )
    contract = factories.contract(
        council,
        supplier,
        manager,
        reference="NCC-001",
        codes=("LOCAL_HIRES", "APPRENTICE_STARTS", "OLDER_HIRES"),
    )
    other_supplier_contract = factories.contract(
        council, other_supplier, other_manager, reference="NCC-002"
    )
    other_council_contract = factories.contract(
        other_council, supplier, other_council_manager, reference="SBC-001"
    )
    commit()
    return World(
        council,
        supplier,
        other_supplier,
        admin,
        manager,
        other_manager,
        supplier_user,
        other_supplier_user,
        contract,
        other_supplier_contract,
        other_council,
        other_council_manager,
        other_council_contract,
    )


def sign_in_as(app: Flask, user: User) -> PortalClient:
    """A client with a session for this user (the sign-in form itself is tested separately)."""
    client: PortalClient = app.test_client()  # type: ignore[assignment]
    client.set_cookie(*session_cookie_for(app, user))
    return client


@pytest.fixture
def as_admin(app: Flask, world: World) -> PortalClient:
    return sign_in_as(app, world.admin)


@pytest.fixture
def as_manager(app: Flask, world: World) -> PortalClient:
    return sign_in_as(app, world.manager)


@pytest.fixture
def as_supplier(app: Flask, world: World) -> PortalClient:
    return sign_in_as(app, world.supplier_user)


__all__ = ["World", "sign_in_as", "replace"]


@pytest.fixture
def flag(world: World) -> Flag:
    """A low-severity flag on NCC-001 (Acme's contract, managed by cm@northmoor.example)."""
    raised = flags.raise_flag(
        "test:queried",
        kind=FlagKind.QUERIED_EVIDENCE,
        severity=FlagSeverity.LOW,
        contract_id=world.contract.id,
        summary="Local people hired: the payroll extract is missing",
    )
    commit()
    return raised
