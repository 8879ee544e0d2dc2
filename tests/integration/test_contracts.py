"""Setting up contracts and commitments, the calendar, the lists and their exports."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

from flask import Flask
from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import select

from portal.data import audit, commit, contracts, measures
from portal.data.models import Contract, ContractState, Organisation
from portal.data.types import Rating, ReturnStatus
from portal.extensions import db
from portal.formatting import money
from tests import factories
from tests.conftest import World, sign_in_as
from tests.support import PortalClient

NEW = {
    "reference": "NCC-2025-900",
    "title": "School meals",
    "new_supplier": "Canal Street Kitchens Ltd",
    "supplier": "",
    "value": "£6,200,000",
    "start_on": ["1", "4", "2025"],
    "end_on": ["31", "3", "2028"],
    "local_area": "",
    "kpi": "auto",
}


def contract_by_reference(reference: str) -> Contract | None:
    return db.session.scalar(select(Contract).where(Contract.reference == reference))


def test_set_up_a_contract_with_a_new_supplier(as_manager: PortalClient, world: World) -> None:
    response = as_manager.submit("/council/contracts/new", {**NEW, "manager": world.manager.id})
    assert response.status_code == 302
    contract = contract_by_reference("NCC-2025-900")
    assert contract is not None
    assert contract.value == Decimal("6200000.00") and contract.is_kpi_contract  # over £5m
    assert contract.start_on == date(2025, 4, 1) and contract.end_on == date(2028, 3, 31)
    supplier = db.session.get(Organisation, contract.supplier_id)
    assert supplier is not None and supplier.name == "Canal Street Kitchens Ltd"
    assert response.headers["Location"] == f"/council/contracts/{contract.id}"


def test_a_new_suppliers_postcode_is_checked_and_kept(
    as_manager: PortalClient, world: World
) -> None:
    typed = {**NEW, "manager": world.manager.id, "new_supplier_postcode": "M4"}
    response = as_manager.submit("/council/contracts/new", typed)
    assert "Enter a real UK postcode, like M4 5AB" in response.get_data(as_text=True)
    assert contract_by_reference("NCC-2025-900") is None
    orphan = {**typed, "new_supplier": "", "supplier": world.supplier.id}
    response = as_manager.submit(
        "/council/contracts/new", {**orphan, "new_supplier_postcode": "M4 5AB"}
    )
    assert "Enter the new supplier&#39;s name, or remove its postcode" in response.get_data(
        as_text=True
    )
    as_manager.submit("/council/contracts/new", {**typed, "new_supplier_postcode": " m45ab"})
    contract = contract_by_reference("NCC-2025-900")
    assert contract is not None and contract.supplier.postcode == "M4 5AB"


def test_managers_read_the_measures_catalogue(
    app: Flask, as_manager: PortalClient, world: World
) -> None:
    contract = world.contract
    for page in (
        "/council/contracts/import",
        f"/council/contracts/{contract.id}/commitments/new",
    ):
        assert 'href="/council/measures"' in as_manager.get(page).get_data(as_text=True)
    html = as_manager.get("/council/measures").get_data(as_text=True)
    catalogue = measures.catalogue(world.council.id)
    for measure in catalogue:
        for shown in (measure.code, measure.name, measure.counting_rule, measure.evidence_guidance):
            assert str(escape(shown)) in html
    priced = next(m for m in catalogue if m.proxy_value is not None)
    assert (
        f"{money(priced.proxy_value)} per {priced.unit.singular}, {priced.proxy_price_year} prices"
        in html
    )
    assert "Total over the contract" in html and "Level held each period" in html
    assert "/admin/measures" not in html and "<form" not in html.split("</header>")[1]
    assert sign_in_as(app, world.supplier_user).get("/council/measures").status_code == 403


def test_contract_form_errors_keep_what_was_typed(as_manager: PortalClient, world: World) -> None:
    response = as_manager.submit(
        "/council/contracts/new",
        {
            **NEW,
            "reference": "NCC-001",
            "manager": world.manager.id,
            "end_on": ["1", "1", "2025"],
            "value": "lots",
        },
    )
    html = response.get_data(as_text=True)
    assert "Contract value must be a number, like 1250000" in html
    assert "End date must be the same as or after the start date" in html
    assert 'value="lots"' in html and 'value="Canal Street Kitchens Ltd"' in html
    assert contract_by_reference("NCC-2025-900") is None


def test_dates_must_be_real_and_complete(as_manager: PortalClient, world: World) -> None:
    html = as_manager.submit(
        "/council/contracts/new",
        {
            **NEW,
            "manager": world.manager.id,
            "start_on": ["31", "2", "2025"],
            "end_on": ["", "3", ""],
        },
    ).get_data(as_text=True)
    assert "Start date must be a real date" in html
    assert "End date must include a day and year" in html
    assert 'href="#start_on"' in html and 'id="start_on"' in html  # summary link lands on the day


def test_a_reference_is_unique_within_the_council(as_manager: PortalClient, world: World) -> None:
    html = as_manager.submit(
        "/council/contracts/new",
        {
            **NEW,
            "reference": "ncc-001",
            "manager": world.manager.id,
        },
    ).get_data(as_text=True)
    assert "A contract with this reference already exists" in html


def test_editing_a_contract_records_before_and_after(
    as_manager: PortalClient, world: World
) -> None:
    url = f"/council/contracts/{world.contract.id}/edit"
    as_manager.submit(
        url,
        {
            "reference": "NCC-001",
            "title": "Grounds maintenance (extended)",
            "supplier": world.supplier.id,
            "new_supplier": "",
            "manager": world.manager.id,
            "value": "1300000",
            "start_on": ["1", "4", "2025"],
            "end_on": ["31", "3", "2029"],
            "local_area": "",
            "kpi": "no",
        },
    )
    [change] = [e for e in audit.contract_history(world.contract.id) if e.action == "updated"]
    assert change.before["end_on"] == "2028-03-31" and change.after["end_on"] == "2029-03-31"
    assert change.before["value"] == "1250000.00" and change.after["value"] == "1300000.00"
    page = as_manager.get(f"/council/contracts/{world.contract.id}").get_data(as_text=True)
    assert "2028-03-31 → 2029-03-31" in page


def test_commitments_copy_the_proxy_value_and_skip_retired_measures(
    as_manager: PortalClient, world: World
) -> None:
    fte = factories.measure(world.council, "LOCAL_FTE")
    spend = factories.measure(world.council, "LOCAL_SPEND")
    measures.retire(spend, by=world.admin)
    commit()
    url = f"/council/contracts/{world.contract.id}/commitments/new"
    form = as_manager.get(url).get_data(as_text=True)
    assert "Local people employed (FTE)" in form
    assert "Spend with local suppliers" not in form  # retired
    assert "Local people hired" not in form  # already committed
    as_manager.submit(url, {"measure": fte.id, "target": "4", "note": "Kept all year"})
    db.session.expire_all()
    contract = contracts.get_for(world.manager, world.contract.id)
    assert contract is not None
    added = next(c for c in contract.commitments if c.measure_id == fte.id)
    assert added.target == Decimal(4) and added.proxy_value == Decimal("28500.00")


def test_a_share_cannot_be_promised_above_100_percent(
    as_manager: PortalClient, world: World
) -> None:
    living_wage = factories.measure(world.council, "LIVING_WAGE")
    url = f"/council/contracts/{world.contract.id}/commitments/new"
    form = as_manager.get(url).get_data(as_text=True)
    assert "FTE paid at least the real Living Wage (level held each period, %)" in form
    html = as_manager.submit(url, {"measure": living_wage.id, "target": "101"}).get_data(
        as_text=True
    )
    assert "Target must be 100% or less" in html and 'value="101"' in html
    db.session.expire_all()
    assert living_wage.id not in {c.measure_id for c in world.contract.commitments}
    as_manager.submit(url, {"measure": living_wage.id, "target": "95"})
    db.session.expire_all()
    [added] = [c for c in world.contract.commitments if c.measure_id == living_wage.id]
    assert added.target == Decimal(95)
    edit = f"/council/contracts/{world.contract.id}/commitments/{added.id}/edit"
    refused = as_manager.submit(edit, {"target": "100.5", "reason": "Raised"})
    assert "Target must be 100% or less" in refused.get_data(as_text=True)
    db.session.refresh(added)
    assert added.target == Decimal(95)


def test_changing_a_target_after_the_start_needs_a_reason(
    as_manager: PortalClient, world: World
) -> None:
    commitment = world.contract.commitments[0]
    url = f"/council/contracts/{world.contract.id}/commitments/{commitment.id}/edit"
    refused = as_manager.submit(url, {"target": "20", "note": "", "reason": ""})
    assert "Enter the reason for changing the target" in refused.get_data(as_text=True)
    as_manager.submit(url, {"target": "20", "note": "", "reason": "Contract extended"})
    db.session.refresh(commitment)
    assert commitment.target == Decimal(20)
    [event] = [
        e
        for e in audit.contract_history(world.contract.id)
        if e.action == "updated" and e.object_type == "commitment"
    ]
    assert event.reason == "Contract extended" and event.before == {"target": "12.00", "note": ""}


def test_retire_and_reinstate_a_commitment(as_manager: PortalClient, world: World) -> None:
    commitment = world.contract.commitments[0]
    base = f"/council/contracts/{world.contract.id}/commitments/{commitment.id}"
    empty = as_manager.submit(f"{base}/retire", {"reason": ""})
    assert "Enter why the commitment is being retired" in empty.get_data(as_text=True)
    as_manager.submit(f"{base}/retire", {"reason": "Measure no longer applies"})
    db.session.refresh(commitment)
    assert commitment.is_retired and commitment.retired_reason == "Measure no longer applies"
    as_manager.submit(f"{base}/reinstate", form_page=f"/council/contracts/{world.contract.id}")
    db.session.refresh(commitment)
    assert not commitment.is_retired
    history = audit.contract_history(world.contract.id)
    actions = [e.action for e in history if e.object_type == "commitment"]
    assert actions[:2] == ["reinstated", "retired"]


def test_a_quarterly_profile_must_add_up_to_the_target(
    as_manager: PortalClient, world: World
) -> None:
    commitment = world.contract.commitments[0]  # 12 people over 1 Apr 2025 to 31 Mar 2028
    url = f"/council/contracts/{world.contract.id}/commitments/{commitment.id}/profile"
    quarters = [f"q-{year}-{q}" for year in (2025, 2026, 2027) for q in (1, 2, 3, 4)]
    wrong = as_manager.submit(url, {name: "2" for name in quarters} | {"action": "save"})
    html = wrong.get_data(as_text=True)
    assert "The quarters must add up to the target of 12; they add up to 24" in html
    assert html.count('value="2"') == 12  # what was typed is kept
    right = {name: ("4" if name.endswith("-4") else "0") for name in quarters}
    assert as_manager.submit(url, right | {"action": "save"}).status_code == 302
    db.session.refresh(commitment)
    assert [(p.financial_year, p.quarter, p.planned) for p in commitment.plan][:4] == [
        (2025, 1, Decimal(0)),
        (2025, 2, Decimal(0)),
        (2025, 3, Decimal(0)),
        (2025, 4, Decimal(4)),
    ]
    as_manager.submit(url, {"action": "even"})
    db.session.refresh(commitment)
    assert commitment.plan == []


def test_the_calendar_shows_every_period_with_its_due_date(
    as_manager: PortalClient, as_supplier: PortalClient, world: World
) -> None:
    for client, path in ((as_manager, "council"), (as_supplier, "supplier")):
        page = client.get(f"/{path}/contracts/{world.contract.id}").get_data(as_text=True)
        html = page.split('id="calendar"')[1]
        assert html.count('<th scope="row" class="govuk-table__header">Q') == 12
        assert "Q1 2025/26" in html and "30 July 2025" in html  # due 30 days after 30 June
        assert "Q4 2027/28" in html and "30 April 2028" in html


def many_contracts(world: World, count: int) -> None:
    for number in range(count):
        factories.contract(
            world.council, world.supplier, world.manager, reference=f"BULK-{number:04d}", codes=()
        )
    commit()


def test_list_filters_sort_and_paginate(as_manager: PortalClient, world: World) -> None:
    many_contracts(world, 60)
    first = as_manager.get("/council/contracts").get_data(as_text=True)
    assert "Showing 1 to 50 of 61" in first  # 60 + NCC-001, mine only
    second = as_manager.get("/council/contracts?page=2").get_data(as_text=True)
    assert "Showing 51 to 61 of 61" in second
    hires = factories.measure(world.council, "APPRENTICE_STARTS")
    filtered = as_manager.get(f"/council/contracts?show=all&measure={hires.id}")
    assert "Showing 1 to 1 of 1" in filtered.get_data(as_text=True)
    ended = as_manager.get("/council/contracts?show=all&status=ended").get_data(as_text=True)
    assert "No contracts match these filters" in ended
    by_supplier = as_manager.get("/council/contracts?show=all&supplier=+bOLT+").get_data(
        as_text=True
    )
    assert "NCC-002" in by_supplier and "NCC-001" not in by_supplier
    assert 'value=" bOLT "' in by_supplier  # what was typed stays in the box
    # A wildcard typed into the box is a character to find, not a pattern.
    wildcard = as_manager.get("/council/contracts?show=all&supplier=%25").get_data(as_text=True)
    assert "No contracts match these filters" in wildcard


def test_export_matches_the_filters_and_never_starts_a_formula(
    as_manager: PortalClient, world: World
) -> None:
    world.contract.title = '=HYPERLINK("http://evil.example")'
    commit()
    response = as_manager.get("/council/contracts/export.csv?show=all")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"contracts.csv\"; filename*=UTF-8''contracts.csv"
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "Contract reference" and len(rows) == 3
    ncc1 = next(row for row in rows if row[0] == "NCC-001")
    assert ncc1[1].startswith("'=")  # shown as text, never run
    assert "LOCAL_HIRES 12" in ncc1[-1]
    xlsx = as_manager.get("/council/contracts/export.xlsx?show=mine")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Contract reference" and [r[0] for r in values[1:]] == ["NCC-001"]
    assert values[1][5] == 1250000 and values[1][1].startswith("'=")


def queries_for(client: PortalClient, url: str) -> int:
    from sqlalchemy import event

    count = 0

    def counter(*_args: object) -> None:
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    return count


def test_pages_make_the_same_number_of_queries_whatever_the_data_size(
    as_manager: PortalClient, world: World
) -> None:
    small = (
        queries_for(as_manager, "/council/contracts?show=all"),
        queries_for(as_manager, f"/council/contracts/{world.contract.id}"),
    )
    many_contracts(world, 120)
    for contract in db.session.scalars(select(Contract).limit(30)):
        contracts.add_commitment(
            contract,
            factories.measure(world.council, "OLDER_HIRES"),
            target=Decimal(5),
            by=world.manager,
        ) if not any(c.measure.code == "OLDER_HIRES" for c in contract.commitments) else None
    commit()
    large = (
        queries_for(as_manager, "/council/contracts?show=all"),
        queries_for(as_manager, f"/council/contracts/{world.contract.id}"),
    )
    assert small == large


def test_contracts_end_on_today_are_still_active(as_manager: PortalClient, world: World) -> None:
    world.contract.start_on = date.today() - timedelta(days=400)
    world.contract.end_on = date.today()
    commit()
    html = as_manager.get("/council/contracts?show=all&status=active").get_data(as_text=True)
    assert "NCC-001" in html


def listed_references(html: str) -> list[str]:
    """The contract references of the list's rows, in order."""
    return re.findall(r'<a class="govuk-link" href="/council/contracts/\d+">([^<]+)<', html)


def stand(contract: Contract, rating: Rating | None, *returns: tuple[int, ReturnStatus]) -> None:
    """Give the contract a stored rating (None: never computed) and returns that stand so."""
    if rating is not None:
        db.session.add(
            ContractState(
                contract_id=contract.id, as_of=date(2025, 12, 1), rating=rating, overdue_returns=0
            )
        )
    for quarter, status in returns:
        factories.a_return(contract, contract.manager, quarter=quarter).status = status


def test_the_list_sorts_by_rating_and_by_latest_return(
    as_manager: PortalClient, world: World
) -> None:
    made = {
        name: factories.contract(world.council, world.supplier, world.manager, reference=name)
        for name in ("A", "B", "C", "D", "E")
    }
    stand(made["A"], Rating.GOOD, (1, ReturnStatus.ACCEPTED))
    stand(made["B"], Rating.INADEQUATE, (1, ReturnStatus.ACCEPTED), (2, ReturnStatus.DRAFT))
    stand(made["C"], Rating.REQUIRES_IMPROVEMENT, (1, ReturnStatus.SUBMITTED))
    stand(made["D"], None)
    stand(made["E"], Rating.APPROACHING, (1, ReturnStatus.CHANGES_REQUESTED))
    commit()
    # Worst first; not yet rated (NCC-001 and D have no stored rating) last.
    by_rating = as_manager.get("/council/contracts?sort=rating").get_data(as_text=True)
    assert listed_references(by_rating) == ["B", "C", "E", "A", "D", "NCC-001"]
    assert '<option value="rating" selected>Rating, worst first</option>' in by_rating
    # No return first, then draft, changes requested, submitted, accepted; B's latest is Q2's.
    by_return = as_manager.get("/council/contracts?sort=latest_return").get_data(as_text=True)
    assert listed_references(by_return) == ["D", "NCC-001", "B", "E", "C", "A"]
    row_b = by_return.split(">B<", 1)[1].split("</tr>", 1)[0]
    assert "Inadequate" in row_b and "Draft" in row_b and "Q2 2025/26" in row_b
    row_d = by_return.split(">D<", 1)[1].split("</tr>", 1)[0]
    assert "Not yet rated" in row_d and ">None<" in row_d

    response = as_manager.get("/council/contracts/export.csv?sort=rating")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["Contract reference"] for r in rows] == ["B", "C", "E", "A", "D", "NCC-001"]
    assert (rows[0]["Rating"], rows[0]["Latest return"], rows[0]["Latest return period"]) == (
        "Inadequate",
        "Draft",
        "Q2 2025/26",
    )
    assert (rows[4]["Rating"], rows[4]["Latest return"]) == ("Not yet rated", "None")


def test_sorting_by_rating_or_latest_return_makes_the_same_queries_whatever_the_size(
    as_manager: PortalClient, world: World
) -> None:
    urls = ("/council/contracts?show=all&sort=rating", "/council/contracts?sort=latest_return")
    small = [queries_for(as_manager, url) for url in urls]
    for number in range(60):
        contract = factories.contract(
            world.council, world.supplier, world.manager, reference=f"S-{number:02d}"
        )
        stand(contract, Rating.GOOD, (1, ReturnStatus.ACCEPTED), (2, ReturnStatus.SUBMITTED))
    commit()
    assert [queries_for(as_manager, url) for url in urls] == small
