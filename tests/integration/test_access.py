"""Every route declares who may use it, and nobody reaches another organisation's objects."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from werkzeug.routing import Rule

from portal.auth.permissions import PUBLIC, SIGNED_IN, declared_access
from portal.data import (
    commit,
    contract_imports,
    evidence,
    flags,
    local_areas,
    measures,
    outbox,
    recovery,
    workforce,
)
from portal.data.types import EmailKind, FlagKind, FlagSeverity, Role
from tests import factories
from tests.conftest import World, sign_in_as
from tests.support import PortalClient


def routes(app: Flask) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def test_every_route_declares_its_access(app: Flask) -> None:
    undeclared = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if declared_access(app.view_functions[rule.endpoint]) is None
    ]
    assert undeclared == []


def test_a_route_that_declares_nothing_is_closed_to_everyone(app: Flask, world: World) -> None:
    app.view_functions["pages.accessibility"].__dict__.pop("access")
    try:
        response = sign_in_as(app, world.admin).get("/accessibility")
        assert response.status_code == 403
    finally:
        app.view_functions["pages.accessibility"].access = PUBLIC  # type: ignore[attr-defined]


def _ids_from_elsewhere(world: World, role: Role) -> dict[str, int | str]:
    """For each URL parameter, an id that exists but belongs to someone the role must not see."""
    other_council_measure = measures.catalogue(world.other_council.id)[0]
    someone_elses_import = contract_imports.store(
        world.other_council_manager, filename="theirs.csv", content=b"x", rows=[["x"]]
    )
    elsewhere = (
        world.other_supplier_contract
        if role is Role.SUPPLIER_USER
        else world.other_council_contract
    )
    their_return = factories.a_return(
        elsewhere,
        world.other_council_manager if role is not Role.SUPPLIER_USER else world.other_manager,
    )
    their_file = evidence.files_of(their_return.id)[0]
    their_person = workforce.entries_of(their_return.id)[0]
    their_flag = flags.raise_flag(
        f"test:{elsewhere.id}",
        kind=FlagKind.SHORTFALL,
        severity=FlagSeverity.HIGH,
        contract_id=elsewhere.id,
        summary="Behind",
    )
    recovery.add_action(
        their_flag,
        action="Recruit",
        owner="Site manager",
        due_on=date(2030, 1, 1),
        by=world.other_council_manager,
        expected_version=their_flag.plan_version,
    )
    their_area = local_areas.save_default(
        world.other_council.id, name="South", codes=["S1"], by=None
    )
    their_email = outbox.enqueue(
        key="test:their-email",
        kind=EmailKind.WEEKLY_DIGEST,
        recipient=world.other_council_manager.email,
        subject="Social value: 1 new flag and 0 returns to review",
        body="Their digest",
        user_id=world.other_council_manager.id,
        council_id=world.other_council.id,
    )
    commit()
    return {
        "area_id": their_area.id,
        "message_id": their_email.id,
        "flag_id": their_flag.id,
        "action_id": their_flag.actions[0].id,
        "return_id": their_return.id,
        "line_id": their_return.lines[0].id,
        "entry_id": their_person.id,
        "file_id": their_file.id,
        "number": 1,
        "year": 2025,
        "quarter": 1,
        "file_format": "csv",
        "token": "not-a-real-token",
        "import_id": someone_elses_import.id,
        "commitment_id": world.other_council_contract.commitments[0].id,
        # suppliers see only their own contracts; council staff only their council's
        "contract_id": (
            world.other_supplier_contract.id
            if role is Role.SUPPLIER_USER
            else world.other_council_contract.id
        ),
        "supplier_id": world.other_council.id,  # a council, not a supplier
        "organisation_id": world.other_council.id,
        "user_id": world.other_council_manager.id,
        "measure_id": other_council_measure.id,
    }


def _url(app: Flask, rule: Rule, ids: dict[str, int | str]) -> str:
    adapter = app.url_map.bind("localhost")
    return adapter.build(rule.endpoint, {name: ids[name] for name in rule.arguments})


# URL parameters that name an object someone owns (not a file format or a secret link).
OBJECT_PARAMETERS = {
    "contract_id",
    "supplier_id",
    "organisation_id",
    "user_id",
    "measure_id",
    "import_id",
    "commitment_id",
    "message_id",
    "flag_id",
    "action_id",
}


SIGNED_IN_ROLES = [Role.ADMINISTRATOR, Role.CONTRACT_MANAGER, Role.SUPPLIER_USER]


@pytest.mark.parametrize("role", SIGNED_IN_ROLES, ids=lambda r: r.value)
def test_no_role_reaches_another_organisations_objects(
    app: Flask, world: World, role: Role
) -> None:
    user = {
        Role.ADMINISTRATOR: world.admin,
        Role.CONTRACT_MANAGER: world.manager,
        Role.SUPPLIER_USER: world.supplier_user,
    }[role]
    client = sign_in_as(app, user)
    ids = _ids_from_elsewhere(world, role)
    # The sign-out button's token is valid for every POST this session makes.
    token = client.csrf_token("/accessibility")
    checked = 0
    for rule in routes(app):
        access = declared_access(app.view_functions[rule.endpoint])
        if access == PUBLIC:
            continue
        url = _url(app, rule, ids)
        method = "GET" if "GET" in (rule.methods or ()) else "POST"
        response = client.open(url, method=method, data={"csrf_token": token})
        allowed = access == SIGNED_IN or role in access
        if not allowed:
            assert response.status_code == 403, f"{role} {method} {url}"
        elif rule.arguments & OBJECT_PARAMETERS:
            assert response.status_code == 404, f"{role} {method} {url}"
        checked += 1
    assert checked >= 20


def test_signed_out_visitors_are_sent_to_sign_in(app: Flask, world: World) -> None:
    client: PortalClient = app.test_client()  # type: ignore[assignment]
    ids = _ids_from_elsewhere(world, Role.ADMINISTRATOR)
    for rule in routes(app):
        if declared_access(app.view_functions[rule.endpoint]) == PUBLIC:
            continue
        url = _url(app, rule, ids)
        if "GET" not in (rule.methods or ()):
            continue
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/sign-in?next="), url


def test_contract_pages_are_404_not_403_across_organisations(
    as_supplier: PortalClient, as_manager: PortalClient, world: World
) -> None:
    # Same answer whether the contract exists (another supplier's) or not: nothing leaks.
    assert (
        as_supplier.get(f"/supplier/contracts/{world.other_supplier_contract.id}").status_code
        == 404
    )
    assert as_supplier.get("/supplier/contracts/999999").status_code == 404
    assert (
        as_manager.get(f"/council/contracts/{world.other_council_contract.id}").status_code == 404
    )
    assert as_supplier.get(f"/supplier/contracts/{world.contract.id}").status_code == 200
    assert as_supplier.get("/council/contracts").status_code == 403
    assert as_manager.get("/admin/users").status_code == 403


def test_a_commitment_of_another_contract_is_404_through_my_contract(
    as_manager: PortalClient, world: World
) -> None:
    theirs = world.other_council_contract.commitments[0].id
    mine = world.contract.id
    assert as_manager.get(f"/council/contracts/{mine}/commitments/{theirs}/edit").status_code == 404
