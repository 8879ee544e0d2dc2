"""Administration: suppliers, the measures catalogue and the local area."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from portal.data import audit, commit, contracts, local_areas, measures, organisations
from portal.data.models import Organisation
from portal.extensions import db
from tests.conftest import World
from tests.support import PortalClient


def test_add_a_supplier_and_edit_it(as_admin: PortalClient, world: World) -> None:
    response = as_admin.submit(
        "/admin/organisations/new",
        {"name": "  Canal Street Bakery CIC ", "is_sme": "y", "is_vcse": "y"},
    )
    assert response.status_code == 302
    bakery = db.session.scalar(
        select(Organisation).where(Organisation.name == "Canal Street Bakery CIC")
    )
    assert bakery is not None and bakery.is_sme and bakery.is_vcse
    url = f"/admin/organisations/{bakery.id}/edit"
    as_admin.submit(url, {"name": "Canal Street Bakery CIC", "is_vcse": "y", "postcode": "m4 5ab"})
    db.session.refresh(bakery)
    assert not bakery.is_sme and bakery.is_vcse and bakery.postcode == "M4 5AB"
    [change] = [e for e in audit.history("organisation", bakery.id) if e.action == "updated"]
    assert change.before == {
        "name": "Canal Street Bakery CIC",
        "kind": "supplier",
        "is_sme": True,
        "is_vcse": True,
        "postcode": None,
        "is_in_london": False,
        "is_living_wage_employer": False,
    }
    assert change.after["is_sme"] is False and change.actor_id == world.admin.id
    assert change.after["postcode"] == "M4 5AB"


def test_an_organisations_postcode_must_be_real(as_admin: PortalClient, world: World) -> None:
    response = as_admin.submit(
        "/admin/organisations/new", {"name": "Nowhere Ltd", "postcode": "NOT ONE"}
    )
    html = response.get_data(as_text=True)
    assert "Enter a real UK postcode, like M4 5AB" in html and 'value="NOT ONE"' in html
    assert not organisations.name_taken("Nowhere Ltd")


def test_supplier_names_are_unique_whatever_the_case(as_admin: PortalClient, world: World) -> None:
    response = as_admin.submit("/admin/organisations/new", {"name": "ACME GROUNDS LTD"})
    html = response.get_data(as_text=True)
    assert "An organisation with this name already exists" in html
    assert 'value="ACME GROUNDS LTD"' in html


def test_empty_organisation_form_shows_errors(as_admin: PortalClient) -> None:
    html = as_admin.submit("/admin/organisations/new", {"name": ""}).get_data(as_text=True)
    assert "Enter the organisation&#39;s name" in html or "Enter the organisation's name" in html
    assert 'href="#name"' in html  # the error summary links to the field


def test_the_council_cannot_be_marked_sme(as_admin: PortalClient, world: World) -> None:
    as_admin.submit(
        f"/admin/organisations/{world.council.id}/edit",
        {"name": "Northmoor City Council", "is_sme": "y"},
    )
    db.session.refresh(world.council)
    assert world.council.is_sme is False


def test_the_catalogue_holds_the_design_brief_measures(as_admin: PortalClient) -> None:
    html = as_admin.get("/admin/measures").get_data(as_text=True)
    for name in [
        "Local people hired",
        "Local people employed (FTE)",
        "Apprenticeship starts",
        "Weeks of apprenticeship",
        "Older workers hired (50+)",
        "Staff volunteering hours",
        "Spend with local suppliers",
    ]:
        assert name in html


MEASURE = {
    "code": "carbon_saved",
    "name": "Carbon saved",
    "unit": "hours",
    "kind": "cumulative",
    "counting_rule": "Tonnes of CO2e avoided",
    "evidence_guidance": "Meter readings",
    "proxy_value": "",
    "proxy_price_year": "",
}


def test_add_edit_and_retire_a_measure(as_admin: PortalClient, world: World) -> None:
    assert as_admin.submit("/admin/measures/new", MEASURE).status_code == 302
    [carbon] = [m for m in measures.catalogue(world.council.id) if m.code == "CARBON_SAVED"]
    edit = f"/admin/measures/{carbon.id}/edit"
    as_admin.submit(edit, {**MEASURE, "proxy_value": "12.50", "proxy_price_year": "2024"})
    db.session.refresh(carbon)
    assert carbon.proxy_value == Decimal("12.50") and carbon.proxy_price_year == 2024
    as_admin.submit(f"/admin/measures/{carbon.id}/retire", form_page=edit)
    db.session.refresh(carbon)
    assert carbon.is_retired
    assert "Retired" in as_admin.get("/admin/measures").get_data(as_text=True)


def test_measure_form_errors_keep_what_was_typed(as_admin: PortalClient) -> None:
    response = as_admin.submit(
        "/admin/measures/new",
        {
            **MEASURE,
            "code": "LOCAL_HIRES",
            "proxy_value": "-3",
            "proxy_price_year": "",
        },
    )
    html = response.get_data(as_text=True)
    assert "Proxy value must be £0 or more" in html
    assert 'value="Carbon saved"' in html
    ok_proxy = as_admin.submit("/admin/measures/new", {**MEASURE, "proxy_value": "5"})
    assert "Enter the price-base year of the proxy value" in ok_proxy.get_data(as_text=True)
    clash = as_admin.submit("/admin/measures/new", {**MEASURE, "code": "local_hires"})
    assert "A measure with this code already exists" in clash.get_data(as_text=True)


def test_a_commitment_keeps_the_proxy_value_it_was_made_with(
    as_admin: PortalClient, world: World
) -> None:
    fte = next(m for m in measures.catalogue(world.council.id) if m.code == "LOCAL_FTE")
    commitment = contracts.add_commitment(world.contract, fte, target=Decimal(3), by=world.admin)
    db.session.commit()
    as_admin.submit(
        f"/admin/measures/{fte.id}/edit",
        {
            "name": fte.name,
            "counting_rule": fte.counting_rule,
            "evidence_guidance": fte.evidence_guidance,
            "proxy_value": "99999",
            "proxy_price_year": "2025",
        },
    )
    db.session.refresh(fte)
    db.session.refresh(commitment)
    assert fte.proxy_value == Decimal("99999")
    assert commitment.proxy_value == Decimal("28500.00") and commitment.proxy_price_year == 2024


def test_derived_measures_keep_their_code_unit_and_kind(
    as_admin: PortalClient, world: World
) -> None:
    hires = next(m for m in measures.catalogue(world.council.id) if m.code == "LOCAL_HIRES")
    html = as_admin.get(f"/admin/measures/{hires.id}/edit").get_data(as_text=True)
    assert 'name="code"' not in html and 'name="unit"' not in html


def test_local_area_accepts_districts_and_sectors(as_admin: PortalClient, world: World) -> None:
    response = as_admin.submit(
        "/admin/local-areas/new",
        {"name": "Northmoor", "codes": "m1, M27 4\nm4  5\n\nM1", "is_default": "y"},
    )
    assert response.status_code == 302
    area = local_areas.default_for(world.council.id)
    assert area is not None and area.codes == ["M1", "M4 5", "M27 4"]


def test_local_area_rejects_bad_codes_and_keeps_the_text(as_admin: PortalClient) -> None:
    response = as_admin.submit(
        "/admin/local-areas/new", {"name": "Northmoor", "codes": "M1\nnonsense\n12"}
    )
    html = response.get_data(as_text=True)
    assert "not valid: nonsense, 12" in html
    assert "nonsense" in html.split("<textarea")[1]


def test_other_councils_are_out_of_reach(as_admin: PortalClient, world: World) -> None:
    html = as_admin.get("/admin/organisations").get_data(as_text=True)
    assert "Southmere Borough Council" not in html
    users_html = as_admin.get("/admin/users").get_data(as_text=True)
    assert "cm@southmere.example" not in users_html and "sam@acme.example" in users_html
    assert organisations.get_for_admin(world.admin, world.other_council.id) is None


def test_a_second_area_can_become_the_default(as_admin: PortalClient, world: World) -> None:
    local_areas.save_default(world.council.id, name="City", codes=["M1"], by=world.admin)
    commit()
    as_admin.submit(
        "/admin/local-areas/new", {"name": "Wider city", "codes": "M1, M2", "is_default": "y"}
    )
    default = local_areas.default_for(world.council.id)
    assert default is not None and default.name == "Wider city"
    names = [area.name for area in local_areas.list_for(world.council.id)]
    assert names == ["Wider city", "City"]
    clash = as_admin.submit("/admin/local-areas/new", {"name": "city", "codes": "M3"})
    assert "A local area with this name already exists" in clash.get_data(as_text=True)
