"""Every role reaches its own pages, and every page passes the page check (tests/support.py)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask
from werkzeug.exceptions import HTTPException

from tests.conftest import World
from tests.support import PortalClient, check_page


@pytest.mark.parametrize(
    "path", ["/", "/sign-in", "/forgot-password", "/accessibility", "/cookies", "/privacy"]
)
def test_public_pages(client: PortalClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert "Northmoor City Council" in response.get_data(as_text=True)


def test_council_branding_has_no_crown_and_links_council_assets(client: PortalClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "govuk-generic-header" in html
    assert "govuk-crest" not in html and "Crown copyright" not in html
    assert "/static/images/favicon.svg" in html
    assert "/static/dist/portal.css" in html


def test_brand_colour_is_served_as_css(client: PortalClient) -> None:
    response = client.get("/brand.css")
    assert response.mimetype == "text/css"
    assert "--portal-brand-colour: #6f2c91" in response.get_data(as_text=True)


def test_health_check_touches_the_database(client: PortalClient) -> None:
    assert client.get("/healthz").get_data(as_text=True) == "ok\n"


def test_contract_manager_pages(as_manager: PortalClient, world: World) -> None:
    listing = as_manager.get("/council/contracts").get_data(as_text=True)
    assert "NCC-001" in listing  # my contract
    assert "NCC-002" not in listing  # a colleague's, hidden by the default "my contracts" filter
    everything = as_manager.get("/council/contracts?show=all").get_data(as_text=True)
    assert "NCC-001" in everything and "NCC-002" in everything
    assert "SBC-001" not in everything  # another council's
    page = as_manager.get(f"/council/contracts/{world.contract.id}").get_data(as_text=True)
    assert "Local people hired" in page and "Apprenticeship starts" in page
    assert "Older workers hired (50+)" in page
    assert "Contract created" in page  # the history
    assert as_manager.get("/council/suppliers").status_code == 200
    supplier_page = as_manager.get(f"/council/suppliers/{world.supplier.id}")
    assert "sam@acme.example" in supplier_page.get_data(as_text=True)


def test_supplier_pages_show_only_their_contracts(as_supplier: PortalClient, world: World) -> None:
    listing = as_supplier.get("/supplier/contracts").get_data(as_text=True)
    assert "NCC-001" in listing
    assert "NCC-002" not in listing
    page = as_supplier.get(f"/supplier/contracts/{world.contract.id}").get_data(as_text=True)
    assert "How each commitment is counted" in page


def test_administrator_pages(as_admin: PortalClient, world: World) -> None:
    for path in [
        "/admin/organisations",
        "/admin/organisations/new",
        "/admin/users",
        "/admin/users/invite",
        f"/admin/users/{world.supplier_user.id}",
        "/admin/measures",
        "/admin/measures/new",
        "/admin/local-areas",
        "/admin/local-areas/new",
        "/admin/emails",
        f"/admin/organisations/{world.supplier.id}/edit",
        f"/admin/users/{world.manager.id}/deactivate",
        "/council/contracts",
    ]:
        assert as_admin.get(path).status_code == 200, path


def test_navigation_matches_the_role(as_supplier: PortalClient, as_admin: PortalClient) -> None:
    supplier_html = as_supplier.get("/supplier/contracts").get_data(as_text=True)
    assert "Your contracts" in supplier_html and "/admin/users" not in supplier_html
    admin_html = as_admin.get("/council/contracts").get_data(as_text=True)
    assert "/admin/users" in admin_html and "/admin/measures" in admin_html


def test_signed_in_home_redirects_by_role(
    as_supplier: PortalClient, as_manager: PortalClient
) -> None:
    assert as_supplier.get("/").headers["Location"].endswith("/supplier/")
    assert as_manager.get("/").headers["Location"].endswith("/council/")


def test_unknown_page_is_a_branded_404(client: PortalClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_the_start_page_names_the_service_once_in_its_title(client: PortalClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "<title>Social value tracker - Northmoor City Council</title>" in html
    assert "<title>Cookies - Social value tracker - Northmoor City Council</title>" in (
        client.get("/cookies").get_data(as_text=True)
    )


def test_every_error_the_service_raises_has_a_page_of_its_own(app: Flask) -> None:
    """Each status the views abort with is drawn in the service's own layout and passes the
    page check; a code without a page would show Werkzeug's bare text."""
    from werkzeug.exceptions import abort as werkzeug_abort

    from portal.errors import PAGES

    raised = set()
    for path in Path(__file__).parents[2].joinpath("portal").rglob("*.py"):
        raised |= {int(code) for code in re.findall(r"abort\((\d{3})\)", path.read_text())}
    assert raised and raised <= set(PAGES), raised - set(PAGES)
    with app.test_request_context("/"):
        for code in sorted(raised):
            try:
                werkzeug_abort(code)
            except HTTPException as error:
                response = app.make_response(app.handle_http_exception(error))
            assert response.status_code == code and response.mimetype == "text/html"
            response.request = SimpleNamespace(path=f"(error {code})")  # for check_page's messages
            check_page(response)  # valid HTML, one h1, a title that begins with it
