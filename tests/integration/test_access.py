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
    contracts,
    evidence,
    flags,
    living_wage,
    local_areas,
    measures,
    organisations,
    outbox,
    recovery,
    users,
    workforce,
)
from portal.data import spend as spend_store
from portal.data.models import Organisation, Payee, User
from portal.data.types import EmailKind, FlagKind, FlagSeverity, Role
from portal.extensions import db
from portal.jobs.outbox import work_once
from tests import factories
from tests.conftest import World, sign_in_as
from tests.integration.test_contracts import NEW
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
    their_upload = spend_store.keep_upload(
        world.other_council_manager, [("theirs.csv", b"Date Paid,Amount,Supplier\r\n")]
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
    their_payee = Payee(council_id=world.other_council.id, name="Their Payee Ltd")
    db.session.add(their_payee)
    commit()
    return {
        "payee_id": their_payee.id,
        "area_id": their_area.id,
        "rate_id": living_wage.list_rates()[0].id,
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
        "upload_id": their_upload.id,
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
    "upload_id",
    "commitment_id",
    "message_id",
    "flag_id",
    "action_id",
    "payee_id",
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


# Suppliers and councils sharing one portal: council staff see only their council's suppliers
# (those it has contracts with or added), and change only those no other council has contracts
# with. A second council's administrator once renamed another council's supplier.

SUPPLIER_PARAMETERS = {"supplier_id", "organisation_id", "user_id"}
# What a change POST sends: enough that it would succeed if it were allowed.
CHANGES = {
    "admin.edit_organisation": {"name": "Renamed Ltd", "postcode": ""},
    "council.invite_supplier_user": {"full_name": "Ivy Intruder", "email": "ivy@acme.example"},
}
# The pages that show a supplier or its user without changing anything.
VIEWS = {"council.view_supplier", "admin.view_user", "admin.edit_organisation"}


def _supplier_routes(app: Flask, user: User) -> list[Rule]:
    """Every route this user's role may use that names a supplier, an organisation or a user."""
    return [
        rule
        for rule in routes(app)
        if rule.arguments & SUPPLIER_PARAMETERS
        and user.role in declared_access(app.view_functions[rule.endpoint])
    ]


def _requests(app: Flask, user: User, supplier: Organisation, person: User) -> list[tuple]:
    """(endpoint, method, url) for every such route, aimed at this supplier and its user."""
    ids: dict[str, int | str] = {
        "supplier_id": supplier.id,
        "organisation_id": supplier.id,
        "user_id": person.id,
    }
    return [
        (rule.endpoint, method, _url(app, rule, ids))
        for rule in _supplier_routes(app, user)
        for method in ("GET", "POST")
        if method in (rule.methods or ())
    ]


def _second_council_admin(world: World) -> User:
    admin = factories.user(Role.ADMINISTRATOR, world.other_council, email="a@southmere.example")
    commit()
    return admin


def _staff_of_both(world: World) -> list[User]:
    return [world.admin, world.manager, _second_council_admin(world), world.other_council_manager]


def test_a_supplier_only_one_council_deals_with_is_a_404_to_the_other(
    app: Flask, world: World
) -> None:
    # Bolt has a contract with Northmoor only; Southmere's staff must not know it is there.
    bolt, bo = world.other_supplier, world.other_supplier_user
    # An email to Bo that is no one council's (a password reset) stays out of Southmere's list.
    anyone: PortalClient = app.test_client()  # type: ignore[assignment]
    anyone.submit("/forgot-password", {"email": bo.email})
    work_once()  # the delivery worker writes the reset email
    assert outbox.list_messages(world.admin, page=1).total == 1
    for user in (_second_council_admin(world), world.other_council_manager):
        client = sign_in_as(app, user)
        token = client.csrf_token("/accessibility")
        requests = _requests(app, user, bolt, bo)
        assert len(requests) >= (2 if user.role is Role.CONTRACT_MANAGER else 8)
        for endpoint, method, url in requests:
            data = {"csrf_token": token} | CHANGES.get(endpoint, {})
            response = client.open(url, method=method, data=data)
            assert response.status_code == 404, f"{user.role} {method} {url}"
        # A contract cannot be given it, by its id or by its name.
        contract = NEW | {"reference": "SBC-9", "manager": world.other_council_manager.id}
        chosen = client.submit(
            "/council/contracts/new", contract | {"new_supplier": "", "supplier": str(bolt.id)}
        )
        named = client.submit("/council/contracts/new", contract | {"new_supplier": bolt.name})
        assert chosen.status_code == named.status_code == 200  # not created: the form again
        assert 'href="#supplier">Select a supplier' in chosen.get_data(as_text=True)
        assert "An organisation with this name already exists" in named.get_data(as_text=True)
        lookups = contracts.import_lookups(user.organisation_id, [])
        assert "bolt facilities ltd" in lookups.others_suppliers
        assert "bolt facilities ltd" not in lookups.suppliers
        # Nor does any list, choice or search name it or its people.
        for page in _supplier_lists(user):
            html = client.get(page).get_data(as_text=True)
            assert bolt.name not in html and bo.email not in html, page
    db.session.expire_all()  # read what the requests left in the database
    assert organisations.get(bolt.id).name == "Bolt Facilities Ltd"
    assert bo.is_active and users.get_by_email("ivy@acme.example") is None


def _supplier_lists(user: User) -> list[str]:
    pages = ["/council/suppliers", "/council/contracts/new"]
    if user.role is Role.ADMINISTRATOR:
        pages += [
            "/admin/organisations",
            "/admin/users",
            "/admin/users?q=bolt",
            "/admin/users/invite",
            "/admin/emails",
        ]
    return pages


def test_a_supplier_two_councils_deal_with_is_read_only_to_both(app: Flask, world: World) -> None:
    # Acme has contracts with Northmoor (NCC-001) and Southmere (SBC-001).
    acme, sam = world.supplier, world.supplier_user
    for user in _staff_of_both(world):
        client = sign_in_as(app, user)
        token = client.csrf_token("/accessibility")
        change_urls = []
        for endpoint, method, url in _requests(app, user, acme, sam):
            if method == "GET" and endpoint in VIEWS:
                html = client.get(url).get_data(as_text=True)
                assert "Another council also has contracts with Acme Grounds Ltd" in html, url
                assert "nobody at either council can change its details or its users" in html
                # No button but signing out: nothing here can be changed.
                assert html.count("<form") == 1 and 'name="name"' not in html, url
            else:
                data = {"csrf_token": token} | CHANGES.get(endpoint, {})
                response = client.open(url, method=method, data=data)
                assert response.status_code == 403, f"{user.role} {method} {url}"
                change_urls.append(url)
        assert change_urls
        # Its people are shown (they work on both councils' contracts), but read-only, and
        # nothing on the supplier's page leads to a change.
        page = client.get(f"/council/suppliers/{acme.id}").get_data(as_text=True)
        assert sam.email in page and "Invite a user" not in page
        assert not any(f'"{url}"' in page for url in change_urls)
        listing = client.get("/council/suppliers").get_data(as_text=True)
        assert 'Acme Grounds Ltd</a> <span class="govuk-body-s">(shared with another' in listing
        if user.role is Role.ADMINISTRATOR:
            # Nor can an invitation name it.
            invite = client.get("/admin/users/invite").get_data(as_text=True)
            assert f'value="{acme.id}"' not in invite
            response = client.submit(
                "/admin/users/invite",
                {
                    "full_name": "Ivy Intruder",
                    "email": "ivy@acme.example",
                    "role": "supplier_user",
                    "organisation": str(acme.id),
                },
            )
            assert response.status_code == 200
    db.session.expire_all()  # read what the requests left in the database
    assert organisations.get(acme.id).name == "Acme Grounds Ltd"
    assert sam.is_active and users.get_by_email("ivy@acme.example") is None


def test_a_supplier_a_council_added_is_its_own_until_another_council_deals_with_it(
    app: Flask, world: World
) -> None:
    theirs = factories.supplier("Southmere Catering Ltd", added_by=world.other_council)
    their_person = factories.user(
        Role.SUPPLIER_USER, theirs, email="cat@southmere-catering.example"
    )
    commit()
    # Northmoor's staff cannot reach it at all.
    for user in (world.admin, world.manager):
        client = sign_in_as(app, user)
        token = client.csrf_token("/accessibility")
        for endpoint, method, url in _requests(app, user, theirs, their_person):
            data = {"csrf_token": token} | CHANGES.get(endpoint, {})
            response = client.open(url, method=method, data=data)
            assert response.status_code == 404, f"{user.role} {method} {url}"
        for page in _supplier_lists(user):
            assert theirs.name not in client.get(page).get_data(as_text=True), page
    # Southmere's see it in their lists and may change it, though it has no contracts yet.
    their_admin = sign_in_as(app, _second_council_admin(world))
    assert theirs.name in their_admin.get("/council/suppliers").get_data(as_text=True)
    assert theirs.name in their_admin.get("/council/contracts/new").get_data(as_text=True)
    page = their_admin.get(f"/council/suppliers/{theirs.id}").get_data(as_text=True)
    assert their_person.email in page and "Invite a user" in page
    assert "Another council" not in page
    url = f"/admin/organisations/{theirs.id}/edit"
    assert (
        their_admin.submit(url, {"name": "Southmere Meals Ltd", "postcode": ""}).status_code == 302
    )
    db.session.expire_all()  # read what the requests left in the database
    assert organisations.get(theirs.id).name == "Southmere Meals Ltd"
