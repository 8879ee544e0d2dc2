"""The spend analysis page (issue 15, item 4): a year's hand-worked figures from payments in
the database, the same figures in the exports, and a fixed number of queries."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

from flask import Flask
from markupsafe import escape
from sqlalchemy import select

from portal.data import commit, local_areas
from portal.data.models import LocalArea, Payee, SpendFile, SpendPayment, SpendSettings
from portal.domain.spend import Location
from portal.extensions import db
from tests.conftest import World, sign_in_as
from tests.integration.test_contracts import queries_for
from tests.support import PortalClient

D = Decimal


def payee(world: World, name: str, postcode: str | None = None, **flags: bool) -> Payee:
    found = Payee(council_id=world.council.id, name=name, postcode=postcode, **flags)
    db.session.add(found)
    db.session.flush()
    return found


def pay(
    world: World,
    file: SpendFile,
    to: Payee | None,
    amount: str,
    *,
    on: date = date(2025, 6, 1),
    area: str | None = None,
) -> None:
    file.payments += 1
    db.session.add(
        SpendPayment(
            council_id=world.council.id,
            file_id=file.id,
            row_number=file.payments + 1,
            financial_year=on.year if on.month >= 4 else on.year - 1,
            paid_on=on,
            amount=D(amount),
            supplier_name=to.name if to else "Redacted Personal Information",
            payee_id=to.id if to else None,
            service_area=area,
        )
    )


def a_year_of_spend(world: World) -> None:
    """2025/26: Acme (local, SME) 10,000 on highways, 5,000 and a 1,000 credit note on parks:
    14,000; Northern Cleaning (wider area) 8,000 on highways; Faraway (elsewhere) 6,000 on
    parks; Mystery (no postcode, VCSE) 2,000, no service area; Bolton Council (a public body
    by its name) 50,000; two redacted payments of 500; Refunded Ltd -300 (a refund). Total
    spend 80,700; the top suppliers are Acme, Northern, Faraway and Mystery: 30,000.
    2024/25: Acme 1,000."""
    local_areas.save_default(world.council.id, name="City", codes=["M1", "M4 5"], by=None)
    region = local_areas.save(
        world.council.id,
        None,
        name="City region",
        codes=["M1", "M4", "SK1"],
        make_default=False,
        by=None,
    )
    db.session.add(SpendSettings(council_id=world.council.id, wider_area_id=region.id))
    file = SpendFile(
        council_id=world.council.id,
        filename="2025.csv",
        sha256="0" * 64,
        payments=0,
        net_total=D(0),
    )
    db.session.add(file)
    db.session.flush()
    acme = payee(world, "Acme Grounds Ltd", "M1 1AA", is_sme=True)
    northern = payee(world, "Northern Cleaning", "SK1 3XX", is_sme=False)
    faraway = payee(world, "Faraway plc", "LS1 4AP")
    mystery = payee(world, "Mystery Co", is_vcse=True)
    bolton = payee(world, "Bolton Council")
    refunded = payee(world, "Refunded Ltd", "M1 2BB")
    pay(world, file, acme, "10000", area="Highways")
    pay(world, file, acme, "5000", area="Parks")
    pay(world, file, acme, "-1000", area="Parks")
    pay(world, file, northern, "8000", area="Highways")
    pay(world, file, faraway, "6000", area="Parks")
    pay(world, file, mystery, "2000")
    pay(world, file, bolton, "50000", area="Highways")
    pay(world, file, None, "500")
    pay(world, file, None, "500")
    pay(world, file, refunded, "-300")
    pay(world, file, acme, "1000", on=date(2024, 5, 1))
    file.first_paid_on, file.last_paid_on = date(2024, 5, 1), date(2025, 6, 1)
    commit()


def cells(html: str, caption: str) -> list[list[str]]:
    """The rows of the table with this caption, each as its header and cells' text."""
    table = html.split(f">{escape(caption)}</caption>", 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody", 1)[1]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_the_years_figures_are_the_hand_worked_ones(world: World, as_manager: PortalClient) -> None:
    a_year_of_spend(world)
    html = as_manager.get("/council/spend").get_data(as_text=True)
    assert '<h2 class="govuk-heading-m">2025/26</h2>' in html  # the newest year first
    stats = dict(re.findall(r'<dt class="govuk-body-s">([^<]+)</dt><dd[^>]*>([^<]+)</dd>', html))
    assert stats == {
        "Total spend": "£80,700",
        "With the top 300 suppliers": "£30,000",
        "Paid to people (names redacted)": "£1,000",
        "Paid to public bodies": "£50,000",
    }
    # 14,000, 8,000, 6,000 and 2,000 of 30,000: 46.67%, 26.67%, 20% and 6.67% in tenths that
    # add up to 100: the two tenths left over go to the largest remainders, the first two.
    assert cells(html, "Where the top suppliers are, 2025/26") == [
        ["In the local area", "£14,000", "46.7%"],
        ["In the wider area", "£8,000", "26.7%"],
        ["Elsewhere", "£6,000", "20%"],
        ["Not known", "£2,000", "6.6%"],
    ]
    assert "in the wider area (City region)" in html
    assert cells(html, "Small or medium-sized enterprise (SME)") == [
        ["Yes", "£14,000", "46.7%"],
        ["No", "£8,000", "26.7%"],
        ["Not known", "£8,000", "26.6%"],
    ]
    # Highways: Acme 10,000 (local) and Northern 8,000 (wider); Bolton's 50,000 is a public
    # body's. Parks: Acme 4,000 net and Faraway 6,000. Mystery's 2,000 names no area.
    assert cells(html, "The top suppliers' spend by service area, and where it went") == [
        ["Highways", "£18,000", "55.6%", "44.4%", "0%", "0%"],
        ["Parks", "£10,000", "40%", "0%", "60%", "0%"],
        ["Not given", "£2,000", "0%", "0%", "0%", "100%"],
    ]
    assert [row[1] for row in cells(html, "The 4 suppliers with the most spend in 2025/26")] == [
        "Acme Grounds Ltd",
        "Northern Cleaning",
        "Faraway plc",
        "Mystery Co",
    ]
    assert cells(html, "Spend and the local share, year by year") == [
        ["2024/25", "£1,000", "£1,000", "100%"],
        ["2025/26", "£80,700", "£30,000", "46.7%"],
    ]
    # Public bodies counted: Bolton's 50,000 (no postcode) joins the top, first.
    counted = as_manager.get("/council/spend?year=2025&public_bodies=include")
    shares = cells(counted.get_data(as_text=True), "Where the top suppliers are, 2025/26")
    assert shares[3] == ["Not known", "£52,000", "65%"]


def test_the_exports_carry_the_page_figures(world: World, as_manager: PortalClient) -> None:
    a_year_of_spend(world)
    exported = as_manager.get("/council/spend/analysis.csv?year=2025").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    where = {
        r["Group"]: (r["Spend (£)"], r["Share of the top suppliers' spend (%)"])
        for r in rows
        if r["Breakdown"] == "Where"
    }
    assert where == {
        Location.LOCAL.label: ("14000.00", "46.7"),
        Location.WIDER.label: ("8000.00", "26.7"),
        Location.ELSEWHERE.label: ("6000.00", "20.0"),
        Location.UNKNOWN.label: ("2000.00", "6.6"),
    }
    headline = {r["Group"]: r["Spend (£)"] for r in rows if r["Breakdown"] == "Headline"}
    assert headline["Total spend"] == "80700.00"
    suppliers = as_manager.get("/council/spend/suppliers.xlsx?year=2025")
    assert suppliers.headers["Content-Disposition"].startswith("attachment")
    listed = as_manager.get("/council/spend/suppliers.csv?year=2025").get_data(as_text=True)
    first = next(csv.DictReader(io.StringIO(listed.lstrip("\ufeff"))))
    assert first == {
        "Rank": "1",
        "Supplier": "Acme Grounds Ltd",
        "Spend (£)": "14000.00",
        "Where": "In the local area",
        "SME": "Yes",
        "VCSE": "Not known",
    }


def test_with_nothing_loaded_the_page_says_so(as_manager: PortalClient) -> None:
    html = as_manager.get("/council/spend").get_data(as_text=True)
    assert "No spend files are loaded yet" in html
    assert as_manager.get("/council/spend/analysis.csv").status_code == 404


def test_the_page_makes_the_same_queries_whatever_the_number_of_payments(
    app: Flask, world: World, as_manager: PortalClient
) -> None:
    a_year_of_spend(world)
    few = queries_for(as_manager, "/council/spend")
    file = db.session.get(SpendFile, 1)
    assert file is not None
    for number in range(60):
        pay(
            world,
            file,
            payee(world, f"Supplier {number}", "M1 1AA"),
            "700",
            area=f"Area {number % 7}",
        )
    commit()
    assert queries_for(as_manager, "/council/spend") == few


def test_another_councils_spend_is_not_shown(app: Flask, world: World) -> None:
    a_year_of_spend(world)
    theirs = sign_in_as(app, world.other_council_manager)
    assert "No spend files are loaded yet" in theirs.get("/council/spend").get_data(as_text=True)


def test_a_suppliers_page_shows_its_spend_by_year(world: World, as_manager: PortalClient) -> None:
    """Acme's payee, matched to the portal supplier by name: 1,000 in 2024/25 and 14,000 in
    2025/26 (10,000 + 5,000 - a 1,000 credit note)."""
    a_year_of_spend(world)
    page = as_manager.get(f"/council/suppliers/{world.supplier.id}").get_data(as_text=True)
    assert "No payments to" in page  # not matched yet
    acme = db.session.scalars(select(Payee).where(Payee.name == "Acme Grounds Ltd")).one()
    acme.organisation_id = world.supplier.id
    commit()
    page = as_manager.get(f"/council/suppliers/{world.supplier.id}").get_data(as_text=True)
    caption = f"{world.council.name}'s spend with {world.supplier.name} by financial year"
    assert cells(page, caption) == [["2024/25", "£1,000"], ["2025/26", "£14,000"]]
    assert "(matched to Acme Grounds Ltd by name; not yet confirmed)" in page
    # Another council's staff never see this council's spend with the supplier.
    theirs = sign_in_as(as_manager.application, world.other_council_manager)
    other = theirs.get(f"/council/suppliers/{world.supplier.id}")
    assert other.status_code == 404 or "No payments to" in other.get_data(as_text=True)


def test_an_administrator_sets_the_top_n_the_wider_area_and_the_public_body_words(
    world: World, as_admin: PortalClient
) -> None:
    a_year_of_spend(world)
    region = db.session.scalars(select(LocalArea).where(LocalArea.name == "City region")).one()
    url = "/admin/spend-settings"
    page = as_admin.get(url).get_data(as_text=True)
    assert 'value="300"' in page and "combined authority" in page  # the defaults, to change
    assert as_admin.get("/council/spend").get_data(as_text=True).count(url) == 1
    # Mistakes are listed, and what was typed is kept.
    refused = as_admin.submit(url, {"top_n": "0", "wider_area": "", "public_body_words": ""})
    html = refused.get_data(as_text=True)
    assert "Top suppliers must be between 1 and 10,000" in html
    assert "Enter at least one word that marks a public body" in html and 'value="0"' in html
    # Two suppliers, no wider area, and "Faraway" marks a public body: Bolton Council is then
    # a supplier (50,000, no postcode) and Faraway's 6,000 a public body's. The top two are
    # Bolton and Acme: 64,000, of it 14,000 local (21.875%) and 50,000 not known (78.125%).
    saved = {"top_n": "2", "wider_area": "", "public_body_words": "Faraway"}
    assert as_admin.submit(url, saved).status_code == 302
    settings = db.session.get(SpendSettings, world.council.id)
    assert settings is not None
    db.session.refresh(settings)
    assert (settings.top_n, settings.wider_area_id, settings.public_body_patterns) == (
        2,
        None,
        ["Faraway"],
    )
    html = as_admin.get("/council/spend").get_data(as_text=True)
    assert cells(html, "Where the top suppliers are, 2025/26") == [
        ["In the local area", "£14,000", "21.9%"],
        ["In the wider area", "£0", "0%"],
        ["Elsewhere", "£0", "0%"],
        ["Not known", "£50,000", "78.1%"],
    ]
    assert "£6,000" in html  # paid to public bodies
    assert "none is chosen yet" in html
    # The region again: Northern Cleaning is back in the wider area.
    saved |= {"wider_area": str(region.id), "top_n": "3"}
    assert as_admin.submit(url, saved).status_code == 302
    html = as_admin.get("/council/spend").get_data(as_text=True)
    assert cells(html, "Where the top suppliers are, 2025/26")[1] == [
        "In the wider area",
        "£8,000",
        "11.1%",
    ]
    # Contract managers read the analysis, but do not change its settings.
    manager = sign_in_as(as_admin.application, world.manager)
    assert manager.get(url).status_code == 403
    assert url not in manager.get("/council/spend").get_data(as_text=True)
