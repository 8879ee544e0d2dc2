"""Fair work (issue 14, items 1 and 2): pay, contract type and guaranteed hours on workforce
records, and the real Living Wage table with its London setting."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from portal.data import commit, contracts, living_wage, returns, workforce
from portal.data.models import AuditEvent, Contract, LivingWageRate, Organisation, Return
from portal.domain.counting import ContractType
from portal.domain.workforce_import import COLUMNS, FAIR_WORK_COLUMNS, MESSAGES
from portal.extensions import db
from portal.workflows import returns as workflow
from tests import factories
from tests.conftest import World, sign_in_as
from tests.integration.test_lost_updates import form_on
from tests.integration.test_returns import PEOPLE, fill_lines, schedule, upload_people
from tests.integration.test_returns import ret as ret  # noqa: F401 (the fixture)
from tests.support import PortalClient

# PEOPLE with pay, contract type and guaranteed hours.
FAIR = [
    [*PEOPLE[0], "£12.60", "Permanent", "37"],
    [*PEOPLE[1], "13.45", "zero-hours", "0"],
    [*PEOPLE[2], "12.6", "Fixed-term", "30"],
    [*PEOPLE[3], "", "", ""],  # optional: nobody's pay has to be given
    [*PEOPLE[4], "11.44", "Temporary or agency", "16"],
]


def stored(ret: Return) -> dict[str, tuple[Decimal | None, ContractType | None, Decimal | None]]:
    db.session.expire_all()
    return {
        e.worker_reference: (e.hourly_pay, e.contract_type, e.guaranteed_hours)
        for e in workforce.entries_of(ret.id)
    }


# -- the upload ------------------------------------------------------------------------------------


def test_an_upload_with_pay_and_contract_types_keeps_them(
    as_supplier: PortalClient,
    ret: Return,  # noqa: F811
) -> None:
    assert upload_people(as_supplier, ret, schedule(FAIR)).status_code == 302
    assert stored(ret) == {
        "A-1": (Decimal("12.60"), ContractType.PERMANENT, Decimal(37)),
        "A-2": (Decimal("13.45"), ContractType.ZERO_HOURS, Decimal(0)),
        "A-3": (Decimal("12.60"), ContractType.FIXED_TERM, Decimal(30)),
        "A-4": (None, None, None),
        "A-5": (Decimal("11.44"), ContractType.TEMPORARY_OR_AGENCY, Decimal(16)),
    }
    page = as_supplier.get(f"/supplier/returns/{ret.id}/workforce").get_data(as_text=True)
    assert re.search(r">£13.45</td>\s*<td[^>]*>Zero-hours, 0 hours guaranteed</td>", page)
    assert re.search(r">£11.44</td>\s*<td[^>]*>Temporary or agency, 16 hours guaranteed</td>", page)


def test_an_excel_file_with_currency_cells_is_read_in_pounds(
    as_supplier: PortalClient,
    ret: Return,  # noqa: F811
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(COLUMNS)
    sheet.append([*PEOPLE[0], 12.6, "Permanent", 37])
    sheet.append([*PEOPLE[1], "=13.45*1", "Casual", 0])  # a formula has no cached value here
    sheet["K2"].number_format = '"£"#,##0.00'
    sheet.delete_rows(3)
    buffer = io.BytesIO()
    book.save(buffer)
    response = as_supplier.submit(
        f"/supplier/returns/{ret.id}/workforce/upload",
        {"file": (io.BytesIO(buffer.getvalue()), "people.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert stored(ret) == {"A-1": (Decimal("12.60"), ContractType.PERMANENT, Decimal(37))}


def test_bad_fair_work_cells_are_each_listed_and_nobody_is_saved(
    as_supplier: PortalClient,
    ret: Return,  # noqa: F811
) -> None:
    bad = [list(r) for r in FAIR]
    bad[0][10] = "£12.605"
    bad[1][12] = "10"  # zero-hours with 10 guaranteed hours
    bad[2][11] = "gig"
    bad[4][10] = "0.50"
    bad[4][12] = "sixty"
    html = upload_people(as_supplier, ret, schedule(bad)).get_data(as_text=True)
    assert "5 problems need fixing: nobody has been saved" in html
    for row_number, key in [
        (2, "pay_pence"),
        (3, "guaranteed_zero_hours"),
        (4, "contract_type_invalid"),
        (6, "pay_range"),
        (6, "guaranteed_invalid"),
    ]:
        message = re.escape(MESSAGES[key].replace("'", "&#39;"))
        assert re.search(rf">{row_number}</td>\s*<td[^>]*>{message}", html), key
    assert workforce.entries_of(ret.id) == []


def test_a_file_made_before_fair_work_is_still_accepted(
    as_supplier: PortalClient,
    ret: Return,  # noqa: F811
) -> None:
    old = [c for c in COLUMNS if c not in FAIR_WORK_COLUMNS]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([old, *PEOPLE])
    assert upload_people(as_supplier, ret, buffer.getvalue().encode()).status_code == 302
    assert len(stored(ret)) == 5


def test_the_upload_page_explains_the_new_columns(
    as_supplier: PortalClient,
    ret: Return,  # noqa: F811
) -> None:
    html = as_supplier.get(f"/supplier/returns/{ret.id}/workforce/upload").get_data(as_text=True)
    assert "You can leave these three columns out" in html
    assert "before tax, not counting overtime or bonuses" in html
    template = as_supplier.get("/supplier/workforce-template.csv").get_data(as_text=True)
    header = next(csv.reader(io.StringIO(template.lstrip("\ufeff"))))
    assert header[-3:] == ["Basic hourly pay (£)", "Contract type", "Guaranteed weekly hours"]


@pytest.fixture
def fair_ret(world: World, as_supplier: PortalClient) -> Return:
    """A return for the first quarter of a contract with a fair-work commitment."""
    measure = factories.measure(world.council, "LIVING_WAGE")
    contracts.add_commitment(world.contract, measure, target=Decimal(95), by=world.manager)
    commit()
    started = as_supplier.submit(
        f"/supplier/contracts/{world.contract.id}/returns/2025/1",
        form_page=f"/supplier/contracts/{world.contract.id}",
    )
    assert started.status_code == 302
    found = returns.find(world.contract.id, 2025, 1)
    assert found is not None and workflow.needs_fair_work(found)
    return found


def test_when_the_contract_needs_fair_work_the_columns_are_required(
    as_supplier: PortalClient, fair_ret: Return
) -> None:
    ret = fair_ret
    page = as_supplier.get(f"/supplier/returns/{ret.id}/workforce/upload").get_data(as_text=True)
    assert "give these three columns for everyone" in page
    html = upload_people(as_supplier, ret, schedule(FAIR)).get_data(as_text=True)
    assert "3 problems need fixing" in html  # A-4's three empty cells
    assert workforce.entries_of(ret.id) == []
    assert upload_people(as_supplier, ret, schedule(FAIR[:3])).status_code == 302


# -- the typed form --------------------------------------------------------------------------------


def person(**changes: object) -> dict[str, object]:
    return {
        "worker_reference": "P-1",
        "postcode": "M1 1AA",
        "age_band": "25-34",
        "starts_on": ["1", "4", "2025"],
        "weekly_hours": "37",
        "share": "100",
        "hire": "new hire",
        **changes,
    }


def test_the_person_form_saves_pay_and_contract_type(
    as_supplier: PortalClient,
    ret: Return,  # noqa: F811
) -> None:
    url = f"/supplier/returns/{ret.id}/workforce/add"
    page = as_supplier.get(url).get_data(as_text=True)
    assert "Basic hourly pay (optional)" in page
    typed = person(hourly_pay="£12.6", contract_type="casual", guaranteed_hours="0")
    assert as_supplier.submit(url, typed).status_code == 302
    assert stored(ret) == {"P-1": (Decimal("12.60"), ContractType.CASUAL, Decimal(0))}


def test_the_person_form_shows_fair_work_mistakes_and_keeps_what_was_typed(
    as_supplier: PortalClient,
    ret: Return,  # noqa: F811
) -> None:
    url = f"/supplier/returns/{ret.id}/workforce/add"
    typed = person(hourly_pay="12.60p", contract_type="zero-hours", guaranteed_hours="20")
    html = as_supplier.submit(url, typed).get_data(as_text=True)
    summary = html[html.index("govuk-error-summary") : html.index("</main>")]
    assert MESSAGES["pay_invalid"] in summary
    assert MESSAGES["guaranteed_zero_hours"] in summary
    assert 'id="hourly_pay-error"' in html and 'id="guaranteed_hours-error"' in html
    assert 'value="12.60p"' in html and 'value="20"' in html
    assert re.search(r'<option value="zero-hours" selected', html)
    assert workforce.entries_of(ret.id) == []


def test_the_person_form_requires_the_three_when_the_contract_needs_them(
    as_supplier: PortalClient, fair_ret: Return
) -> None:
    ret = fair_ret
    url = f"/supplier/returns/{ret.id}/workforce/add"
    html = as_supplier.submit(url, person()).get_data(as_text=True)
    assert "(optional)" not in html.split("Basic hourly pay", 1)[1][:20]
    for key in ("pay_missing", "contract_type_missing", "guaranteed_missing"):
        assert MESSAGES[key] in html, key
    assert workforce.entries_of(ret.id) == []


# -- copy and export -------------------------------------------------------------------------------


def test_copy_last_quarter_carries_pay_and_contract_type(
    world: World,
    as_supplier: PortalClient,
    ret: Return,  # noqa: F811
) -> None:
    upload_people(as_supplier, ret, schedule(FAIR))
    as_supplier.submit(
        f"/supplier/contracts/{world.contract.id}/returns/2025/2",
        form_page=f"/supplier/contracts/{world.contract.id}",
    )
    second = returns.find(world.contract.id, 2025, 2)
    assert second is not None
    as_supplier.submit(
        f"/supplier/returns/{second.id}/workforce/copy",
        {"version": second.version},
        form_page=f"/supplier/returns/{second.id}/workforce",
    )
    first = stored(ret)
    del first["A-5"]  # left in April
    assert stored(second) == first


def test_the_people_export_has_the_new_columns(
    app: Flask,
    world: World,
    as_supplier: PortalClient,
    ret: Return,  # noqa: F811
) -> None:
    upload_people(as_supplier, ret, schedule(FAIR))
    fill_lines(as_supplier, ret)
    as_supplier.submit(
        f"/supplier/returns/{ret.id}/check", {"confirm": "y", "version": ret.version}
    )
    manager = sign_in_as(app, world.manager)
    exported = manager.get(f"/council/returns/{ret.id}/people.csv").get_data(as_text=True)
    rows = {
        r["Worker reference"]: r for r in csv.DictReader(io.StringIO(exported.lstrip("\ufeff")))
    }
    assert [rows["A-2"][c] for c in FAIR_WORK_COLUMNS] == ["13.45", "Zero-hours", "0.00"]
    assert [rows["A-4"][c] for c in FAIR_WORK_COLUMNS] == ["", "", ""]
    book = load_workbook(io.BytesIO(manager.get(f"/council/returns/{ret.id}/people.xlsx").data))
    sheet = book.active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    a1 = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert (a1["Basic hourly pay (£)"], a1["Contract type"]) == (12.6, "Permanent")


# -- the real Living Wage table --------------------------------------------------------------------


def test_administrators_see_the_seeded_rates_newest_first(as_admin: PortalClient) -> None:
    html = as_admin.get("/admin/living-wage").get_data(as_text=True)
    rows = re.findall(r"<td[^>]*>£(\d+\.\d\d)</td>", html)
    assert rows[:4] == ["13.45", "14.80", "12.60", "13.85"]
    assert len(rows) == 12
    assert "1 May 2026" in html and "21 October 2025" in html
    # The brief's known rates leave four autumns out: the page says which, for each place.
    for where in ("the rest of the UK", "London"):
        assert (
            f"No rate for {where} announced in 2017, 2020, 2021 or 2022 is in the table: until "
            "it is added, the quarters it would judge are judged against the rate before it."
        ) in html


def test_an_administrator_adds_and_changes_a_rate(as_admin: PortalClient) -> None:
    new = {
        "place": "uk",
        "hourly_rate": "£14.10",
        "announced_on": ["20", "10", "2026"],
        "payable_from": ["1", "5", "2027"],
    }
    response = as_admin.submit("/admin/living-wage/new", new)
    assert response.status_code == 302
    added = db.session.scalar(
        select(LivingWageRate).where(LivingWageRate.payable_from == date(2027, 5, 1))
    )
    assert added is not None and not added.london and added.hourly_rate == Decimal("14.10")
    assert "The rest of the UK rate of £14.10 saved" in as_admin.get("/admin/living-wage").get_data(
        as_text=True
    )
    url = f"/admin/living-wage/{added.id}/edit"
    changed = {**form_on(as_admin, url), "place": "london", "hourly_rate": "15.50"}
    assert as_admin.post(url, data=changed).status_code == 302
    db.session.refresh(added)
    assert added.london and added.hourly_rate == Decimal("15.50")
    [change] = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "living_wage_rate", AuditEvent.action == "updated"
        )
    ).all()
    assert change.before is not None and change.before["hourly_rate"] == "14.10"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hourly_rate": ""}, "Enter the hourly rate"),
        ({"hourly_rate": "13.455"}, "Hourly rate must have no more than 2 decimal places"),
        ({"hourly_rate": "0.50"}, "Hourly rate must be between £1 and £500"),
        ({"place": None}, "Select where the rate applies"),
        (
            {"payable_from": ["1", "9", "2026"]},
            "Payable from date must be the same as or after the date announced",
        ),
        (
            {"announced_on": ["21", "10", "2025"], "payable_from": ["1", "5", "2026"]},
            "There is already a rest of the UK rate payable from this date",
        ),
    ],
)
def test_a_bad_rate_is_refused_with_what_was_typed(
    as_admin: PortalClient, changes: dict[str, object], message: str
) -> None:
    typed = {
        "place": "uk",
        "hourly_rate": "14.10",
        "announced_on": ["20", "10", "2026"],
        "payable_from": ["1", "5", "2027"],
        **changes,
    }
    before = len(living_wage.list_rates())
    response = as_admin.submit("/admin/living-wage/new", typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    assert f'value="{typed["hourly_rate"]}"' in html
    assert len(living_wage.list_rates()) == before


def test_only_administrators_keep_the_rates(
    as_manager: PortalClient, as_supplier: PortalClient
) -> None:
    rate = living_wage.list_rates()[0]
    for client in (as_manager, as_supplier):
        for url in ("/admin/living-wage", f"/admin/living-wage/{rate.id}/edit"):
            assert client.get(url).status_code in (403, 404), url
        response = client.post(f"/admin/living-wage/{rate.id}/edit", data={"hourly_rate": "1"})
        assert response.status_code in (400, 403, 404)
    db.session.refresh(rate)
    assert rate.hourly_rate == Decimal("13.45")


def test_an_unknown_rate_is_not_found(as_admin: PortalClient) -> None:
    assert as_admin.get("/admin/living-wage/999999/edit").status_code == 404


# -- London: the council's setting and the contract's override -------------------------------------

APRIL_TO_JUNE_2025 = (date(2025, 4, 1), date(2025, 6, 30))


def contract_now(contract_id: int) -> Contract:
    db.session.expire_all()
    found = db.session.get(Contract, contract_id)
    assert found is not None
    return found


def test_the_council_says_whether_it_is_in_london(world: World, as_admin: PortalClient) -> None:
    url = f"/admin/organisations/{world.council.id}/edit"
    assert living_wage.rate_for(world.contract, *APRIL_TO_JUNE_2025) == Decimal("12.60")
    assert (
        as_admin.post(url, data={**form_on(as_admin, url), "is_in_london": "y"}).status_code == 302
    )
    db.session.expire_all()
    council = db.session.get(Organisation, world.council.id)
    assert council is not None and council.is_in_london
    assert living_wage.rate_for(contract_now(world.contract.id), *APRIL_TO_JUNE_2025) == Decimal(
        "13.85"
    )
    # A supplier's page has no such question: a supplier is not a place of work.
    supplier_page = as_admin.get(f"/admin/organisations/{world.supplier.id}/edit")
    assert "is_in_london" not in supplier_page.get_data(as_text=True)


def test_a_contract_can_override_its_council(world: World, as_admin: PortalClient) -> None:
    manager = sign_in_as(as_admin.application, world.manager)
    url = f"/council/contracts/{world.contract.id}/edit"
    page = manager.get(url).get_data(as_text=True)
    assert "The council&#39;s rate (the rest of the UK)" in page
    assert (
        manager.post(url, data={**form_on(manager, url), "living_wage": "london"}).status_code
        == 302
    )
    contract = contract_now(world.contract.id)
    assert contract.uses_london_living_wage is True
    assert living_wage.rate_for(contract, *APRIL_TO_JUNE_2025) == Decimal("13.85")
    contract_page = f"/council/contracts/{world.contract.id}"
    assert (
        "Pay is judged against the London Living Wage: this contract says its work is done in "
        "London."
    ) in manager.get(contract_page).get_data(as_text=True)
    # Even when the council is in London, a contract can say the work is elsewhere.
    council = db.session.get(Organisation, world.council.id)
    assert council is not None
    council.is_in_london = True
    commit()
    assert manager.post(url, data={**form_on(manager, url), "living_wage": "uk"}).status_code == 302
    assert (
        "Pay is judged against the real Living Wage for the rest of the UK: this contract says "
        "its work is done outside London."
    ) in manager.get(contract_page).get_data(as_text=True)
    assert living_wage.rate_for(contract_now(world.contract.id), *APRIL_TO_JUNE_2025) == Decimal(
        "12.60"
    )
    assert (
        manager.post(url, data={**form_on(manager, url), "living_wage": "council"}).status_code
        == 302
    )
    contract = contract_now(world.contract.id)
    assert contract.uses_london_living_wage is None
    assert living_wage.rate_for(contract, *APRIL_TO_JUNE_2025) == Decimal("13.85")
    assert (
        "Pay is judged against the London Living Wage: the council is in London, and this "
        "contract does not say otherwise."
    ) in manager.get(contract_page).get_data(as_text=True)


def test_no_rate_in_force_before_the_table_starts(world: World) -> None:
    assert living_wage.rate_for(world.contract, date(2016, 4, 1), date(2016, 6, 30)) is None


def test_a_rate_change_posted_without_its_version_is_refused(as_admin: PortalClient) -> None:
    rate = living_wage.list_rates()[0]
    url = f"/admin/living-wage/{rate.id}/edit"
    sent = {**form_on(as_admin, url), "hourly_rate": "99.99"}
    sent.pop("version")
    response = as_admin.post(url, data=sent)
    assert response.status_code in (200, 409) and 'value="99.99"' in response.get_data(as_text=True)
    db.session.refresh(rate)
    assert rate.hourly_rate == Decimal("13.45")


def test_a_changed_rate_recounts_the_returns_still_with_suppliers_but_not_those_sent(
    world: World, as_supplier: PortalClient, fair_ret: Return
) -> None:
    """Q1 2025/26 is judged against the UK rate of £12.60: A-1 (91 FTE-days at £12.60), A-2
    (22.75 at £13.45) and A-3 (46 at £12.60) all meet it, 100%. Corrected to £13.00, only A-2
    does: 22.75 / 159.75 = 14.24%. The draft follows; a return already sent keeps its 100%."""
    assert upload_people(as_supplier, fair_ret, schedule(FAIR[:3])).status_code == 302
    sent = factories.contract(world.council, world.supplier, world.manager, reference="NCC-SENT")
    measure = factories.measure(world.council, "LIVING_WAGE")
    contracts.add_commitment(sent, measure, target=Decimal(95), by=world.manager)
    commit()
    started = as_supplier.submit(
        f"/supplier/contracts/{sent.id}/returns/2025/1", form_page=f"/supplier/contracts/{sent.id}"
    )
    assert started.status_code == 302
    sent_ret = returns.find(sent.id, 2025, 1)
    assert sent_ret is not None
    assert upload_people(as_supplier, sent_ret, schedule(FAIR[:3])).status_code == 302
    fill_lines(as_supplier, sent_ret)
    submitted = as_supplier.submit(f"/supplier/returns/{sent_ret.id}/check", {"confirm": "y"})
    assert submitted.status_code == 302

    def living_wage_figure(ret: Return) -> Decimal | None:
        db.session.expire_all()
        found = returns.find(ret.contract_id, 2025, 1)
        assert found is not None
        [line] = [li for li in found.lines if li.commitment.measure.code == "LIVING_WAGE"]
        return line.figure

    assert living_wage_figure(fair_ret) == living_wage_figure(sent_ret) == Decimal(100)
    rate = next(r for r in living_wage.list_rates() if r.hourly_rate == Decimal("12.60"))
    admin = sign_in_as(as_supplier.application, world.admin)
    url = f"/admin/living-wage/{rate.id}/edit"
    assert admin.post(url, data={**form_on(admin, url), "hourly_rate": "13.00"}).status_code == 302
    assert living_wage_figure(fair_ret) == Decimal("14.24")
    assert living_wage_figure(sent_ret) == Decimal(100)
