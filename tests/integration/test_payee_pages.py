"""The payee pages (issue 15, items 2 and 3): the list, matching a payee to a portal supplier,
merging spellings, classifying one payee and many through a downloaded file, and what the
analysis page then shows."""

from __future__ import annotations

import csv
import io
from html import unescape

import pytest
from flask import Flask
from openpyxl import Workbook
from sqlalchemy import func, select

from portal.data import commit
from portal.data import spend as spend_store
from portal.data.models import AuditEvent, Payee, PayeeName, SpendFile
from portal.domain.spend import payee_key
from portal.extensions import db
from portal.workflows.spend import load_files
from tests import factories
from tests.conftest import World, sign_in_as
from tests.integration.test_contracts import queries_for
from tests.integration.test_hostile_uploads import CRAFTED, form_error
from tests.integration.test_spend_analysis import a_year_of_spend, cells, pay, payee
from tests.support import PortalClient

WHERE = "Where the top suppliers are, 2025/26"


def named(name: str) -> Payee:
    return db.session.scalars(select(Payee).where(Payee.name == name)).one()


def audited(payee_id: int) -> list[AuditEvent]:
    query = select(AuditEvent).where(
        AuditEvent.object_type == "payee", AuditEvent.object_id == payee_id
    )
    return list(db.session.scalars(query))


def test_the_list_shows_spend_match_and_classification_and_filters(
    world: World, as_manager: PortalClient
) -> None:
    a_year_of_spend(world)
    named("Acme Grounds Ltd").organisation_id = world.supplier.id  # proposed by its name
    named("Northern Cleaning").is_vcse = False
    named("Northern Cleaning").is_public_body = False
    commit()
    html = as_manager.get("/council/spend/payees").get_data(as_text=True)
    rows = cells(html, "Payees, the largest spend first")
    assert rows[:3] == [
        ["Bolton Council", "Known only from spend", "£50,000", "£50,000"]
        + ["Not known", "Not known", "Not known", "Proposed by its name"],
        ["Acme Grounds Ltd", "Acme Grounds Ltd Proposed", "£14,000", "£15,000"]
        # No VCSE answer of its own: its proposed supplier's record says no, as the analysis
        # counts it.
        + ["M1 1AA", "Yes", "No from the supplier's record", "Not decided"],
        ["Northern Cleaning", "Known only from spend", "£8,000", "£8,000"]
        + ["SK1 3XX", "No", "No", "No"],
    ]
    assert rows[-1][0] == "Refunded Ltd" and rows[-1][2] == "-£300"
    # Northern is classified and matched to nothing proposed: no decision needed.
    deciding = as_manager.get("/council/spend/payees?show=decisions").get_data(as_text=True)
    names = [row[0] for row in cells(deciding, "Payees, the largest spend first")]
    assert "Northern Cleaning" not in names and "Acme Grounds Ltd" in names
    found = as_manager.get("/council/spend/payees?q=acme").get_data(as_text=True)
    assert [row[0] for row in cells(found, "Payees, the largest spend first")] == [
        "Acme Grounds Ltd"
    ]
    nothing = as_manager.get("/council/spend/payees?q=%25").get_data(as_text=True)
    assert "No payees match." in nothing


def test_the_list_makes_the_same_queries_whatever_the_number_of_payees(
    world: World, as_manager: PortalClient
) -> None:
    a_year_of_spend(world)
    few = queries_for(as_manager, "/council/spend/payees")
    file = db.session.get(SpendFile, 1)
    assert file is not None
    for number in range(70):  # more than a page
        pay(world, file, payee(world, f"Supplier {number}", "M1 1AA"), "700")
    commit()
    assert queries_for(as_manager, "/council/spend/payees") == few
    assert queries_for(as_manager, "/council/spend/payees?page=2&show=decisions") == few


def test_confirming_and_correcting_a_match(world: World, as_manager: PortalClient) -> None:
    a_year_of_spend(world)
    acme = named("Acme Grounds Ltd")
    acme.organisation_id = world.supplier.id
    commit()
    url = f"/council/spend/payees/{acme.id}"
    page = as_manager.get(url).get_data(as_text=True)
    assert "(proposed by its name; not yet confirmed)" in page
    done = as_manager.submit(f"{url}/supplier", {"match": "confirm"}, form_page=url)
    assert done.status_code == 302
    db.session.refresh(acme)
    assert acme.organisation_confirmed and acme.organisation_id == world.supplier.id
    # Corrected to another of the council's suppliers.
    bolt = world.other_supplier
    assert bolt.id != world.supplier.id
    factories.contract(world.council, bolt, world.manager, reference="NCC-BOLT")
    commit()
    moved = as_manager.submit(
        f"{url}/supplier", {"match": "other", "supplier": str(bolt.id)}, form_page=url
    )
    assert moved.status_code == 302
    db.session.refresh(acme)
    assert acme.organisation_id == bolt.id and acme.organisation_confirmed
    # Another council's supplier cannot be chosen.
    theirs = factories.supplier("Southern Only Ltd")
    factories.contract(world.other_council, theirs, world.other_council_manager, reference="S-1")
    commit()
    refused = as_manager.submit(
        f"{url}/supplier", {"match": "other", "supplier": str(theirs.id)}, form_page=url
    )
    assert "Select a supplier from the list" in refused.get_data(as_text=True)
    # Known only from spend: a decision, which the next load's name matching keeps.
    as_manager.submit(f"{url}/supplier", {"match": "spend_only"}, form_page=url)
    db.session.refresh(acme)
    assert acme.organisation_id is None and acme.organisation_confirmed
    changes = [event.after for event in audited(acme.id)]
    assert {"organisation_id": None} in changes
    assert spend_store.propose_organisations(world.council.id) == 0
    db.session.refresh(acme)
    assert acme.organisation_id is None


def test_a_supplier_that_joins_later_is_proposed_at_the_next_load(
    world: World, as_manager: PortalClient
) -> None:
    """Mystery Co was paid before it was a portal supplier; once the council adds it, the next
    load proposes it for the payee (one not decided by a person)."""
    a_year_of_spend(world)
    mystery = named("Mystery Co")
    assert mystery.organisation_id is None
    # As a load names it (the test's payments are put in directly).
    key = payee_key("Mystery Co")
    db.session.add(PayeeName(council_id=world.council.id, normalised_name=key, payee_id=mystery.id))
    joined = factories.supplier("Mystery Co")
    factories.contract(world.council, joined, world.manager, reference="NCC-MYST")
    commit()
    header = "Date Paid,Amount,Supplier\n"
    load_files(
        world.council,
        [("may.csv", f"{header}01/05/2026,10.00,Someone Else\n".encode())],
        by=world.manager,
    )
    db.session.refresh(mystery)
    assert mystery.organisation_id == joined.id and not mystery.organisation_confirmed


def test_a_stale_page_cannot_overwrite(world: World, as_manager: PortalClient) -> None:
    a_year_of_spend(world)
    mystery = named("Mystery Co")
    url = f"/council/spend/payees/{mystery.id}"
    old = as_manager.hidden_fields(url)
    fresh = {"postcode": "M1 3CC", "is_sme": "yes", "is_vcse": "yes", "is_public_body": "no"}
    assert as_manager.submit(f"{url}/classification", fresh, form_page=url).status_code == 302
    stale = as_manager.post(
        f"{url}/classification", data={**old, **fresh, "postcode": "LS1 4AP", "is_sme": "no"}
    )
    told = stale.get_data(as_text=True)
    assert "Someone else changed this payee" in told
    assert "What is saved now" in told and "M1 3CC" in told
    db.session.refresh(mystery)
    assert (mystery.postcode, mystery.is_sme) == ("M1 3CC", True)
    # The other forms of the same older page are refused too.
    matched = as_manager.post(f"{url}/supplier", data={**old, "match": "spend_only"})
    assert "Someone else changed this payee" in matched.get_data(as_text=True)
    merged = as_manager.post(f"{url}/merge", data={**old, "payees": str(named("Faraway plc").id)})
    assert "Someone else changed this payee" in merged.get_data(as_text=True)
    assert named("Faraway plc").name  # still there: nothing was merged


def test_classifying_one_payee_changes_the_analysis(world: World, as_manager: PortalClient) -> None:
    a_year_of_spend(world)
    mystery = named("Mystery Co")
    url = f"/council/spend/payees/{mystery.id}"
    bad = as_manager.submit(
        f"{url}/classification",
        {"postcode": "not a postcode", "is_sme": "yes", "is_vcse": "yes", "is_public_body": "no"},
        form_page=url,
    )
    assert "Enter a real UK postcode, like M4 5AB" in bad.get_data(as_text=True)
    sent = {"postcode": "m13cc", "is_sme": "yes", "is_vcse": "unknown", "is_public_body": "no"}
    assert as_manager.submit(f"{url}/classification", sent, form_page=url).status_code == 302
    db.session.refresh(mystery)
    assert (mystery.postcode, mystery.is_sme, mystery.is_vcse, mystery.is_public_body) == (
        "M1 3CC",
        True,
        None,
        False,
    )
    assert audited(mystery.id)[-1].before == {
        "postcode": None,
        "is_sme": None,
        "is_vcse": True,
        "is_public_body": None,
    }
    html = as_manager.get("/council/spend").get_data(as_text=True)
    assert cells(html, WHERE) == [
        ["In the local area", "£16,000", "53.3%"],
        ["In the wider area", "£8,000", "26.7%"],
        ["Elsewhere", "£6,000", "20%"],
        ["Not known", "£0", "0%"],
    ]


def test_merging_two_spellings_joins_their_spend(world: World, as_manager: PortalClient) -> None:
    """ACME GROUNDS LIMITED (3,000, no postcode) merged into Acme Grounds Ltd (14,000, local):
    the top suppliers' 33,000 is 17,000 local, 8,000 wider, 6,000 elsewhere, 2,000 unknown."""
    a_year_of_spend(world)
    file = db.session.get(SpendFile, 1)
    assert file is not None
    shouting = payee(world, "ACME GROUNDS LIMITED")
    db.session.add(
        PayeeName(council_id=world.council.id, normalised_name="acme x", payee_id=shouting.id)
    )
    pay(world, file, shouting, "3000")
    commit()
    acme = named("Acme Grounds Ltd")
    url = f"/council/spend/payees/{acme.id}"
    found = as_manager.get(f"{url}?q=ACME").get_data(as_text=True)
    assert "ACME GROUNDS LIMITED (£3,000)" in found
    merged = as_manager.submit(
        f"{url}/merge?q=ACME", {"payees": str(shouting.id)}, form_page=f"{url}?q=ACME"
    )
    assert merged.status_code == 302
    gone = shouting.id
    db.session.expire_all()
    assert db.session.get(Payee, gone) is None
    page = as_manager.get(url).get_data(as_text=True)
    assert ["ACME GROUNDS LIMITED", "1", "£3,000"] in cells(page, "Names in the spend files")
    assert cells(page, "Spend by financial year") == [["2024/25", "£1,000"], ["2025/26", "£17,000"]]
    names = db.session.scalars(
        select(PayeeName.payee_id).where(PayeeName.normalised_name == "acme x")
    )
    assert list(names) == [acme.id]
    assert audited(acme.id)[-1].action == "merged"
    html = as_manager.get("/council/spend").get_data(as_text=True)
    assert cells(html, WHERE) == [
        ["In the local area", "£17,000", "51.5%"],
        ["In the wider area", "£8,000", "24.2%"],
        ["Elsewhere", "£6,000", "18.2%"],
        ["Not known", "£2,000", "6.1%"],
    ]


def _download(client: PortalClient, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _upload(client: PortalClient, content: bytes, filename: str) -> str:
    response = client.submit(
        "/council/spend/payees/classify",
        {"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )
    if response.status_code == 302:
        return client.get(response.headers["Location"]).get_data(as_text=True)
    return response.get_data(as_text=True)


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def test_the_bulk_round_trip(world: World, as_manager: PortalClient) -> None:
    """Mystery Co gets M1 3CC and SME yes; Faraway gets SME no. The top suppliers' 30,000:
    local 16,000 (Acme 14,000 and Mystery 2,000), wider 8,000, elsewhere 6,000; SMEs 16,000."""
    a_year_of_spend(world)
    northern = named("Northern Cleaning")
    northern.is_vcse = False
    northern.is_public_body = False
    commit()
    rows = _download(as_manager, "/council/spend/payees/classification.csv")
    header = rows[0]
    assert header == [
        "Payee reference",
        "Payee",
        "Portal supplier",
        "Spend 2025/26 (£)",
        "Spend, all years (£)",
        "Postcode",
        "SME",
        "VCSE",
        "Public body",
    ]
    listed = {row[1]: row for row in rows[1:]}
    assert "Northern Cleaning" not in listed  # classified already
    assert listed["Acme Grounds Ltd"][3:] == ["14000.00", "15000.00", "M1 1AA", "Yes", "", ""]
    everyone = _download(as_manager, "/council/spend/payees/classification.csv?show=all")
    assert len(everyone) == 7  # the header and six payees
    listed["Mystery Co"][5:7] = ["m1 3cc", "yes"]
    listed["Faraway plc"][6] = "No"
    told = _upload(as_manager, _csv([header, *listed.values()]), "payees.csv")
    assert "5 payees read: 2 changed (1 postcode and 2 SME answers)" in told
    mystery, faraway = named("Mystery Co"), named("Faraway plc")
    assert (mystery.postcode, mystery.is_sme, mystery.is_vcse) == ("M1 3CC", True, True)
    assert faraway.is_sme is False
    assert audited(faraway.id)[-1].after == {"is_sme": False}
    html = as_manager.get("/council/spend").get_data(as_text=True)
    assert cells(html, WHERE) == [
        ["In the local area", "£16,000", "53.3%"],
        ["In the wider area", "£8,000", "26.7%"],
        ["Elsewhere", "£6,000", "20%"],
        ["Not known", "£0", "0%"],
    ]
    assert cells(html, "Small or medium-sized enterprise (SME)") == [
        ["Yes", "£16,000", "53.3%"],
        ["No", "£14,000", "46.7%"],
        ["Not known", "£0", "0%"],
    ]
    # The same from a workbook: Faraway's SME cleared to not known.
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Payee reference", "SME"])
    sheet.append([faraway.id, None])
    sheet.append([mystery.id, "Yes"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    told = _upload(as_manager, buffer.getvalue(), "payees.xlsx")
    assert "2 payees read: 1 changed (1 SME answer)" in told
    db.session.refresh(faraway)
    assert faraway.is_sme is None


def test_a_file_with_bad_rows_lists_every_one_and_saves_nothing(
    world: World, as_manager: PortalClient
) -> None:
    a_year_of_spend(world)
    mystery, faraway = named("Mystery Co"), named("Faraway plc")
    theirs = Payee(council_id=world.other_council.id, name="Theirs Ltd")
    db.session.add(theirs)
    commit()
    header = ["Payee reference", "Postcode", "SME", "VCSE", "Public body"]
    rows = [
        [str(mystery.id), "M1 3CC", "yes", "", ""],  # good, but not saved
        [str(faraway.id), "nowhere", "maybe", "", ""],
        ["999999", "", "", "", ""],
        [str(theirs.id), "", "", "", ""],
        ["Faraway", "", "", "", ""],
        [str(mystery.id), "", "", "", "perhaps"],
    ]
    html = _upload(as_manager, _csv([header, *rows]), "payees.csv")
    assert "Error: " in html.split("<title>", 1)[1][:20]
    assert "7 problems need fixing: nothing has been saved" in html
    assert [[unescape(cell) for cell in row] for row in cells(html, "Rows to fix")] == [
        ["3", "Postcode must be a real UK postcode, like M4 5AB, or left blank"],
        ["3", "SME must be yes, no or left blank"],
        ["4", "Payee reference 999999 is not one of the council's payees"],
        ["5", f"Payee reference {theirs.id} is not one of the council's payees"],
        ["6", "Payee reference must be a payee reference from the download"],
        ["7", f"Payee reference {mystery.id} is already on row 2"],
        ["7", "Public body must be yes, no or left blank"],
    ]
    db.session.refresh(mystery)
    assert mystery.postcode is None and mystery.is_sme is None
    count = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.object_type == "payee")
    )
    assert count == 0


def test_another_councils_payee_is_not_found(app: Flask, world: World) -> None:
    a_year_of_spend(world)
    mystery = named("Mystery Co")
    theirs = sign_in_as(app, world.other_council_manager)
    url = f"/council/spend/payees/{mystery.id}"
    assert theirs.get(url).status_code == 404
    token = theirs.csrf_token("/council/spend/payees")
    for action in ("supplier", "classification", "merge"):
        posted = theirs.post(f"{url}/{action}", data={"csrf_token": token, "is_sme": "yes"})
        assert posted.status_code == 404
    assert "Mystery Co" not in theirs.get("/council/spend/payees").get_data(as_text=True)
    exported = theirs.get("/council/spend/payees/classification.csv?show=all")
    assert "Mystery Co" not in exported.get_data(as_text=True)


def test_suppliers_cannot_reach_the_payee_pages(world: World, as_supplier: PortalClient) -> None:
    a_year_of_spend(world)
    mystery = named("Mystery Co")
    for url in (
        "/council/spend/payees",
        f"/council/spend/payees/{mystery.id}",
        "/council/spend/payees/classify",
        "/council/spend/payees/classification.csv",
    ):
        assert as_supplier.get(url).status_code == 403, url


def test_the_key_of_a_search_finds_other_spellings(world: World, as_manager: PortalClient) -> None:
    a_year_of_spend(world)
    acme = named("Acme Grounds Ltd")
    db.session.add(
        PayeeName(
            council_id=world.council.id,
            normalised_name=payee_key("Acme & Sons T/A Greenery"),
            payee_id=acme.id,
        )
    )
    commit()
    found = as_manager.get("/council/spend/payees?q=Acme+%26+Sons").get_data(as_text=True)
    assert [row[0] for row in cells(found, "Payees, the largest spend first")] == [
        "Acme Grounds Ltd"
    ]


@pytest.mark.parametrize("kind", CRAFTED)
def test_a_crafted_classification_file_is_refused(
    kind: str, world: World, as_manager: PortalClient
) -> None:
    a_year_of_spend(world)
    build, filename, message = CRAFTED[kind]
    response = as_manager.submit(
        "/council/spend/payees/classify",
        {"file": (io.BytesIO(build()), filename.replace("people", "payees"))},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert form_error(response.get_data(as_text=True)) == message
    assert audited(named("Mystery Co").id) == []


def test_the_download_is_formula_safe(world: World, as_manager: PortalClient) -> None:
    a_year_of_spend(world)
    file = db.session.get(SpendFile, 1)
    assert file is not None
    pay(world, file, payee(world, '=HYPERLINK("http://evil.example","Click")'), "900")
    commit()
    rows = _download(as_manager, "/council/spend/payees/classification.csv?show=all")
    assert [row[1] for row in rows if "HYPERLINK" in row[1]] == [
        '\'=HYPERLINK("http://evil.example","Click")'
    ]
    workbook = as_manager.get("/council/spend/payees/classification.xlsx?show=all")
    assert workbook.headers["Content-Disposition"].startswith('attachment; filename="payees.xlsx"')
