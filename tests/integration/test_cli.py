"""The commands a newcomer and an operator run."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from portal.data import users
from portal.data.models import (
    Commitment,
    Contract,
    Flag,
    Organisation,
    Return,
    User,
    WorkforceEntry,
)
from portal.data.types import OrganisationKind, PlanStatus, ReturnStatus, Role
from portal.extensions import db
from tests.support import PortalClient


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_create_admin_makes_the_council_catalogue_and_first_administrator(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "First@Council.example",
            "--name",
            "Ada First",
            "--password",
            "a long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    admin = users.get_by_email("first@council.example")
    assert admin is not None and admin.role is Role.ADMINISTRATOR
    assert admin.organisation.kind is OrganisationKind.COUNCIL
    assert users.authenticate("first@council.example", "a long enough password") is not None
    again = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "first@council.example",
            "--name",
            "Ada",
            "--password",
            "a long enough password",
        ]
    )
    assert again.exit_code != 0 and "already has an account" in again.output


def test_create_admin_refuses_a_short_password(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "a@b.example", "--name", "A", "--password", "short"]
    )
    assert result.exit_code != 0 and "12 characters" in result.output


def test_seed_demo_loads_a_believable_council_once(app: Flask, client: PortalClient) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--password", "another demo password"])
    assert result.exit_code == 0, result.output
    assert "admin@northmoor.example" in result.output
    assert "priya.shah@northmoor.example" in result.output
    suppliers = db.session.scalar(
        select(func.count()).where(Organisation.kind == OrganisationKind.SUPPLIER)
    )
    assert suppliers == 20
    assert count(Contract) == 40 and count(Commitment) >= 120
    assert count(User) >= 9
    statuses = set(db.session.scalars(select(Return.status).distinct()))
    assert statuses == set(ReturnStatus)  # every state a manager meets
    assert count(WorkforceEntry) > 100
    # Recovery plans at each point of the conversation, one raised a step for a late action.
    plans = set(db.session.scalars(select(Flag.plan_status).distinct()))
    assert plans == set(PlanStatus)
    assert db.session.scalar(select(func.count()).where(Flag.escalated_on.is_not(None))) == 1
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "not loaded again" in again.output and count(Contract) == 40
    # The printed sign-ins work with the given password.
    token = client.csrf_token("/sign-in")
    response = client.post(
        "/sign-in",
        data={
            "csrf_token": token,
            "email": "priya.shah@northmoor.example",
            "password": "another demo password",
        },
    )
    assert response.headers["Location"] == "/council/"
    listing = client.get("/council/contracts").get_data(as_text=True)
    assert "NCC-" in listing
