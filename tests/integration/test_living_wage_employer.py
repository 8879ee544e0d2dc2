"""An accredited Living Wage employer: marked where a supplier is edited, shown beside its name
wherever council staff see suppliers (issue 14)."""

from __future__ import annotations

from portal.data import audit, commit, organisations
from portal.extensions import db
from tests import factories
from tests.conftest import World
from tests.support import PortalClient

TAG = '<strong class="govuk-tag govuk-tag--green">Living Wage employer</strong>'


def test_an_administrator_marks_a_supplier_and_council_staff_see_the_tag(
    as_admin: PortalClient, as_manager: PortalClient, world: World
) -> None:
    bakery = factories.supplier("Canal Street Bakery CIC")
    factories.contract(world.council, bakery, world.manager, reference="NCC-050")
    commit()
    url = f"/admin/organisations/{bakery.id}/edit"
    form = as_admin.get(url).get_data(as_text=True)
    assert 'name="is_living_wage_employer"' in form and "Accredited Living Wage employer" in form
    assert TAG not in as_manager.get("/council/suppliers").get_data(as_text=True)

    response = as_admin.submit(
        url, {"name": "Canal Street Bakery CIC", "is_living_wage_employer": "y"}
    )
    assert response.status_code == 302
    db.session.refresh(bakery)
    assert bakery.is_living_wage_employer
    [change] = [e for e in audit.history("organisation", bakery.id) if e.action == "updated"]
    assert change.before["is_living_wage_employer"] is False
    assert change.after["is_living_wage_employer"] is True

    # Beside its name (and only its) on the suppliers list, its page and the contract list.
    listing = as_manager.get("/council/suppliers").get_data(as_text=True)
    assert f"Canal Street Bakery CIC</a> {TAG}" in listing and listing.count(TAG) == 1
    page = as_manager.get(f"/council/suppliers/{bakery.id}").get_data(as_text=True)
    assert f"{TAG} Accredited by the Living Wage Foundation" in page
    contracts = as_manager.get("/council/contracts").get_data(as_text=True)
    assert f"Canal Street Bakery CIC {TAG}" in contracts and contracts.count(TAG) == 1
    administered = as_admin.get("/admin/organisations").get_data(as_text=True)
    assert f"(edit)</span></a> {TAG}" in administered and administered.count(TAG) == 1

    # Unticked, it goes again.
    as_admin.submit(url, {"name": "Canal Street Bakery CIC"})
    db.session.refresh(bakery)
    assert not bakery.is_living_wage_employer
    assert TAG not in as_manager.get("/council/suppliers").get_data(as_text=True)


def test_a_new_supplier_can_be_accredited_from_the_start(
    as_admin: PortalClient, world: World
) -> None:
    as_admin.submit(
        "/admin/organisations/new", {"name": "Ancoats Bakery Ltd", "is_living_wage_employer": "y"}
    )
    bakery = organisations.supplier_named(world.admin, "Ancoats Bakery Ltd")
    assert bakery is not None and bakery.is_living_wage_employer


def test_the_council_itself_is_never_accredited(as_admin: PortalClient, world: World) -> None:
    url = f"/admin/organisations/{world.council.id}/edit"
    assert 'name="is_living_wage_employer"' not in as_admin.get(url).get_data(as_text=True)
    as_admin.submit(url, {"name": "Northmoor City Council", "is_living_wage_employer": "y"})
    db.session.refresh(world.council)
    assert world.council.is_living_wage_employer is False


def test_a_shared_supplier_stays_read_only_and_shows_its_accreditation(
    as_admin: PortalClient, as_manager: PortalClient, world: World
) -> None:
    acme = world.supplier  # Northmoor and Southmere both have contracts with it
    acme.is_living_wage_employer = True
    commit()
    url = f"/admin/organisations/{acme.id}/edit"
    page = as_admin.get(url).get_data(as_text=True)
    assert "Accredited by the Living Wage Foundation" in page
    assert 'name="is_living_wage_employer"' not in page
    token = as_admin.csrf_token("/accessibility")
    response = as_admin.post(url, data={"csrf_token": token, "name": "Acme Grounds Ltd"})
    assert response.status_code == 403
    db.session.expire_all()
    assert organisations.get(acme.id).is_living_wage_employer
    listing = as_manager.get("/council/suppliers").get_data(as_text=True)
    assert f'Acme Grounds Ltd</a> {TAG} <span class="govuk-body-s">(shared' in listing
