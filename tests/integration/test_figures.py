"""Figures users can trust (issue 10), each case reproduced through the web client: a line
accepted while another is queried, a level quarter awaiting review, a contract entered part-way
through its life, KPI ratings over a chosen period, and social value in pounds."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from portal import calendar
from portal.data import commit, contracts, flags, local_areas, measures
from portal.data import compliance as store
from portal.data.models import Contract, Flag, Organisation, OutboxMessage, Return
from portal.data.types import FlagKind, MeasureKind, MeasureUnit, ReturnStatus, Role, Status
from portal.domain.contract_import import COLUMNS
from portal.domain.periods import financial_quarter
from portal.extensions import db
from portal.jobs import reminders
from tests import factories
from tests.conftest import World, sign_in_as
from tests.integration.test_returns import PEOPLE, review, schedule, submit, upload_people
from tests.support import Mailbox, PortalClient

# PEOPLE in Q1 2025/26 (91 days) counts 2 local hires and local FTE of
# 1 (A-1) + 0.25 (A-2) + 0.51 (A-3) + 0.33 (A-5) = 2.09: see tests/integration/test_returns.py.
LOCAL_FTE_Q1 = Decimal("2.09")
FTE = "Local people employed (FTE)"
OLDER = "Older workers hired (50+)"


def rows_of(response: object) -> list[dict[str, str]]:
    text = response.get_data(as_text=True).lstrip("\ufeff")  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(text)))


def line_of(ret: Return, code: str) -> int:
    return next(line.id for line in ret.lines if line.commitment.measure.code == code)


@pytest.fixture
def q1(world: World, as_supplier: PortalClient) -> Return:
    """NCC-001's Q1 2025/26 return, submitted with people counted and every line described.
    The contract also promises a level of local FTE (2 FTE in every quarter)."""
    local_areas.save_default(world.council.id, name="City", codes=["M1", "M4 5"], by=None)
    contracts.add_commitment(
        world.contract,
        factories.measure(world.council, "LOCAL_FTE"),
        target=Decimal(2),
        by=world.manager,
    )
    commit()
    as_supplier.submit(
        f"/supplier/contracts/{world.contract.id}/returns/2025/1",
        form_page=f"/supplier/contracts/{world.contract.id}",
    )
    ret = db.session.scalars(select(Return)).one()
    upload_people(as_supplier, ret, schedule(PEOPLE))
    describe_every_line(as_supplier, ret)
    submit(as_supplier, ret)
    return ret


def describe_every_line(client: PortalClient, ret: Return, narrative: str = "Delivered") -> None:
    db.session.refresh(ret)
    for line in ret.lines:
        edit_line(client, ret, line.id, f"{narrative}: {line.commitment.measure.name}")


def edit_line(client: PortalClient, ret: Return, line_id: int, narrative: str) -> None:
    db.session.refresh(ret)
    response = client.submit(
        f"/supplier/returns/{ret.id}/lines/{line_id}",
        {"narrative": narrative, "nil_reason": "Nobody this quarter", "version": ret.version},
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def states(contract: Contract) -> dict[str, object]:
    db.session.expire_all()
    by_id = store.commitment_states(contract.id)
    return {c.measure.code: by_id[c.id] for c in contract.commitments if c.id in by_id}


def quarter(client: PortalClient, contract: Contract, name: str, label: str) -> dict[str, str]:
    """One row of the quarterly figures download (the tables beside the charts)."""
    rows = rows_of(client.get(f"/council/contracts/{contract.id}/quarters.csv"))
    return next(r for r in rows if r["Measure"] == name and r["Quarter"] == label)


# 1. Line-level acceptance -------------------------------------------------------------------------


def test_an_accepted_line_counts_even_when_another_line_of_its_return_is_queried(
    world: World, as_manager: PortalClient, q1: Return
) -> None:
    review(as_manager, q1, {OLDER: "Send the older workers' offer letters"})
    assert q1.status is ReturnStatus.CHANGES_REQUESTED
    now = states(world.contract)
    # The accepted lines count; the queried one waits, shown as pending and never delivered.
    assert now["LOCAL_HIRES"].delivered == 2 and now["LOCAL_HIRES"].pending == 0
    assert now["OLDER_HIRES"].delivered == 0 and now["OLDER_HIRES"].pending == 2
    # The level held in Q1: 2.09 FTE, where the whole-return rule made it 0.
    fte = quarter(as_manager, world.contract, FTE, "Q1 2025/26")
    assert Decimal(fte["Delivered (accepted)"]) == LOCAL_FTE_Q1 and fte["Note"] == ""
    page = as_manager.get(f"/council/contracts/{world.contract.id}").get_data(as_text=True)
    assert "2.09" in page


def test_a_resubmission_sends_back_only_the_lines_it_changes(
    world: World, as_supplier: PortalClient, as_manager: PortalClient, q1: Return
) -> None:
    review(as_manager, q1, {OLDER: "Send the offer letters"})
    # Sam answers the query, and also rewrites the accepted apprenticeship line.
    edit_line(as_supplier, q1, line_of(q1, "OLDER_HIRES"), "Offer letters attached")
    edit_line(as_supplier, q1, line_of(q1, "APPRENTICE_STARTS"), "Now with the agreement")
    submit(as_supplier, q1)
    decisions = {line.commitment.measure.code: line.review for line in q1.lines}
    assert decisions["LOCAL_HIRES"] == "accepted" and decisions["LOCAL_FTE"] == "accepted"
    assert decisions["OLDER_HIRES"] is None and decisions["APPRENTICE_STARTS"] is None
    now = states(world.contract)
    assert now["LOCAL_HIRES"].delivered == 2  # unchanged: still accepted, still counted
    assert now["APPRENTICE_STARTS"].delivered == 0 and now["APPRENTICE_STARTS"].pending == 1
    # The reviewer is asked only about the two lines that need a decision.
    html = as_manager.get(f"/council/returns/{q1.id}").get_data(as_text=True)
    for code, asked in (
        ("OLDER_HIRES", True),
        ("APPRENTICE_STARTS", True),
        ("LOCAL_HIRES", False),
        ("LOCAL_FTE", False),
    ):
        assert (f'name="review-{line_of(q1, code)}"' in html) is asked, code
    assert ">2 lines accepted before and sent again unchanged</span></summary>" in html
    review(as_manager, q1, {})
    assert q1.status is ReturnStatus.ACCEPTED
    assert {code: s.delivered for code, s in states(world.contract).items()} == {
        "LOCAL_HIRES": 2,
        "APPRENTICE_STARTS": 1,
        "OLDER_HIRES": 2,
        "LOCAL_FTE": Decimal("0.35"),  # 2.09 in Q1, 0 for each of the five quarters overdue
    }


# 2. Level measures never show a false 0 -------------------------------------------------------


def test_a_level_quarter_awaiting_review_is_left_out_and_says_so(
    world: World, as_manager: PortalClient, q1: Return
) -> None:
    fte = states(world.contract)["LOCAL_FTE"]
    # Q1 is submitted but not reviewed: left out. Every later due quarter has no return: 0.
    assert fte.periods_awaiting_review == 1
    assert fte.delivered == 0 and fte.pending == LOCAL_FTE_Q1
    row = quarter(as_manager, world.contract, FTE, "Q1 2025/26")
    assert row["Delivered (accepted)"] == "" and row["Note"] == "Awaiting review"
    overdue = quarter(as_manager, world.contract, FTE, "Q2 2025/26")
    assert Decimal(overdue["Delivered (accepted)"]) == 0 and overdue["Note"] == "No return"
    page = as_manager.get(f"/council/contracts/{world.contract.id}").get_data(as_text=True)
    chart_start = page.index('<svg xmlns="http://www.w3.org/2000/svg"', page.index("level each"))
    chart = page[chart_start : page.index("</svg>", chart_start)]
    assert ">Awaiting review</text>" in chart and ">No return</text>" in chart
    assert "Q1 2025/26 awaiting review" in chart  # in the description read to screen readers
    table = page[page.index("<table", chart_start) : page.index("</table>", chart_start)]
    assert ">Q1 2025/26</th>" in table
    assert '--numeric">Awaiting review</td>' in table  # no figure tabled for it, not even 0
    assert '--numeric">0 FTE <span class="govuk-body-s">(no return)</span>' in table
    assert "1 quarter awaiting review left out" in page


def test_when_every_due_level_quarter_awaits_review_the_status_says_so(
    app: Flask, world: World
) -> None:
    """Only Q1 due and it is in review: "Awaiting review", not "Off track" or "Not yet due"."""
    from portal.workflows import compliance

    contract = factories.contract(
        world.council, world.supplier, world.manager, reference="NCC-FTE", codes=("LOCAL_FTE",)
    )
    commit()
    ret = factories.a_return(contract, world.supplier_user)
    for line in ret.lines:
        line.figure, line.narrative = Decimal(1), "Done"
    from portal.data import returns

    returns.submit(ret, by=world.supplier_user, declaration="ok", workforce_records=1, evidence=[])
    compliance.refresh([contract.id], date(2025, 8, 1))  # Q1 due 30 July, Q2 not yet
    commit()
    fte = states(contract)["LOCAL_FTE"]
    assert fte.status is Status.AWAITING_REVIEW and fte.delivery_pct is None
    assert store.contract_state(contract.id).rating.value == "not_yet_rated"
    assert flags.for_contract(contract.id) == []


# 4. Contracts entered part-way through their life -------------------------------------------------


def contract_form(reference: str, starts_on: date, reporting: date | None) -> dict[str, object]:
    fields: dict[str, object] = {
        "reference": reference,
        "title": "Highways maintenance",
        "supplier": "",
        "new_supplier": "Roadworks Northern Ltd",
        "manager": "",
        "value": "900000",
        "start_on": [starts_on.day, starts_on.month, starts_on.year],
        "end_on": [31, 3, starts_on.year + 3],
        "reporting_starts_on": [reporting.day, reporting.month, reporting.year]
        if reporting
        else ["", "", ""],
        "local_area": "",
        "kpi": "auto",
    }
    return fields


def new_contract(client: PortalClient, world: World, fields: dict[str, object]) -> Contract:
    fields = {**fields, "manager": world.manager.id}
    response = client.submit("/council/contracts/new", fields)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    return db.session.scalars(
        select(Contract).where(Contract.reference == fields["reference"])
    ).one()


def add_hires(client: PortalClient, world: World, contract: Contract) -> None:
    response = client.submit(
        f"/council/contracts/{contract.id}/commitments/new",
        {"measure": factories.measure(world.council, "LOCAL_HIRES").id, "target": "10"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def overdue_flags(contract: Contract) -> list[Flag]:
    return [f for f in flags.for_contract(contract.id) if f.kind is FlagKind.OVERDUE_RETURN]


def main_of(page: str) -> str:
    """The page's own content, without the navigation (which links to "Overdue returns")."""
    return page.split("<main", 1)[1].split("</main>", 1)[0]


def test_a_contract_with_no_commitments_has_no_returns_due(
    world: World, as_manager: PortalClient
) -> None:
    """The reported case: started ten months ago, saved, and three High overdue flags at once."""
    today = calendar.today()
    started = new_contract(
        as_manager, world, contract_form("NCC-LATE", today - timedelta(days=300), None)
    )
    assert overdue_flags(started) == []
    state = store.contract_state(started.id)
    assert state is not None and state.overdue_returns == 0 and state.next_due_on is None
    page = main_of(as_manager.get(f"/council/contracts/{started.id}").get_data(as_text=True))
    assert "No returns are due until the contract has a commitment" in page
    assert "Overdue" not in page
    # With a commitment (and its state, in the same request), and no reporting start, its past
    # quarters are overdue.
    add_hires(as_manager, world, started)
    db.session.expire_all()
    assert len(overdue_flags(started)) >= 2
    assert len(states(started)) == 1


def test_reporting_that_starts_this_quarter_raises_no_flag_and_sends_no_reminder(
    world: World, as_manager: PortalClient, mailbox: Mailbox
) -> None:
    today = calendar.today()
    this_quarter = financial_quarter(today)[2]
    fields = contract_form("NCC-PART", today - timedelta(days=400), this_quarter)
    started = new_contract(as_manager, world, fields)
    assert started.reporting_starts_on == this_quarter
    add_hires(as_manager, world, started)
    db.session.expire_all()
    assert flags.for_contract(started.id) == []
    [hires] = states(started).values()
    assert hires.periods_due == 0 and hires.expected_to_date == 0
    page = main_of(as_manager.get(f"/council/contracts/{started.id}").get_data(as_text=True))
    assert "earlier quarters need no return" in page and "Overdue" not in page
    # The supplier gets a user, then the reminder job runs: nothing about earlier quarters.
    factories.user(Role.SUPPLIER_USER, db.session.get(Organisation, started.supplier_id))
    commit()
    reminders.send(datetime.combine(today, time(9), tzinfo=ZoneInfo("Europe/London")))
    keys = db.session.scalars(select(OutboxMessage.key)).all()
    assert [k for k in keys if f":{started.id}:" in k] == []


def test_reporting_cannot_start_after_a_return_the_supplier_already_sent(
    world: World, as_manager: PortalClient, q1: Return
) -> None:
    contract = world.contract
    fields = {
        **contract_form("NCC-001", contract.start_on, date(2025, 10, 1)),
        "supplier": contract.supplier_id,
        "new_supplier": "",
        "manager": world.manager.id,
        "value": "1250000",
        "title": contract.title,
        "end_on": [31, 3, 2028],
    }
    html = as_manager.submit(f"/council/contracts/{contract.id}/edit", fields).get_data(
        as_text=True
    )
    assert "Reporting start date must be on or before 30 June 2025" in html
    assert "the supplier has already sent the Q1 2025/26 return" in html
    db.session.expire_all()
    assert db.session.get(Contract, contract.id).reporting_starts_on is None
    outside = {**fields, "reporting_starts_on": [1, 1, 2025]}
    html = as_manager.submit(f"/council/contracts/{contract.id}/edit", outside).get_data(
        as_text=True
    )
    assert "Reporting start date must be the same as or after the start date" in html


# 5. Procurement Act ratings per KPI, for a chosen period ---------------------------------------


def accept_quarters(world: World, figures: list[int]) -> None:
    """NCC-001's first quarters accepted with the same figure on every line."""
    from tests.integration.test_compliance import accepted_return

    for number, figure in enumerate(figures, start=1):
        codes = ("LOCAL_HIRES", "APPRENTICE_STARTS", "OLDER_HIRES")
        accepted_return(
            world.contract,
            number,
            dict.fromkeys(codes, Decimal(figure)),
            world,
            as_of=calendar.today(),
        )
    commit()


def test_each_kpi_is_rated_over_the_financial_year_chosen(
    world: World, as_manager: PortalClient
) -> None:
    # 2025/26: 365 of 1,096 days, so 12 x 365 / 1096 = 3.9964 expected; 1 + 1 + 1 + 1 = 4.
    # 2026/27 so far (Q1 and Q2 due): 12 x 183 / 1096 = 2.00 expected; 3 delivered.
    accept_quarters(world, [1, 1, 1, 1, 3])
    url = f"/council/contracts/{world.contract.id}/assessment"
    html = as_manager.get(f"{url}?period=fy-2025").get_data(as_text=True)
    assert "Q1 2025/26, Q2 2025/26, Q3 2025/26, Q4 2025/26" in html
    assert "Good (100%)" in html  # 4 / 3.9964 = 100.09%, written down to 100.0
    assert "3.9964" not in html and "4 people" in html  # figures rounded as people read them
    rows = rows_of(as_manager.get(f"{url}.csv?period=fy-2025"))
    assert [r["KPI"] for r in rows] == [
        "Local people hired",
        "Apprenticeship starts",
        "Older workers hired (50+)",
    ]
    assert {r["Expected in the period"] for r in rows} == {"4.00"}  # to the hundredth
    assert {r["Delivered in the period"] for r in rows} == {"4.00"}
    assert {r["KPI rating"] for r in rows} == {"Good"}
    assert {r["Assessment period from"] for r in rows} == {"2025-04-01"}
    # The 12 months ending 30 June 2026: Q2 2025/26 to Q1 2026/27: 1 + 1 + 1 + 3 = 6.
    twelve = rows_of(as_manager.get(f"{url}.csv?period=12m&ending=30&ending=6&ending=2026"))
    assert {r["Quarters assessed"] for r in twelve} == {
        "Q2 2025/26, Q3 2025/26, Q4 2025/26, Q1 2026/27"
    }
    assert {r["Delivered in the period"] for r in twelve} == {"6.00"}


def test_the_explanation_goes_into_the_notice(world: World, as_manager: PortalClient) -> None:
    accept_quarters(world, [0, 0])
    url = f"/council/contracts/{world.contract.id}/assessment?period=fy-2025"
    empty = as_manager.submit(url, {"explanation": "  "})
    assert "Enter the explanation of the supplier&#39;s performance" in empty.get_data(as_text=True)
    saved = as_manager.submit(url, {"explanation": "A recovery plan was agreed in March."})
    assert saved.status_code == 302
    download = url.replace("/assessment?", "/assessment.csv?")
    rows = rows_of(as_manager.get(download))
    assert {r["Explanation"] for r in rows} == {"A recovery plan was agreed in March."}
    assert {r["KPI rating"] for r in rows} == {"Inadequate"}
    # Another period has its own explanation (none yet); the history records who wrote what.
    other = rows_of(as_manager.get(download.replace("fy-2025", "fy-2026")))
    assert {r["Explanation"] for r in other} == {""}
    page = as_manager.get(f"/council/contracts/{world.contract.id}").get_data(as_text=True)
    assert "A recovery plan was agreed in March." in page


def test_a_12_month_period_needs_its_last_day(world: World, as_manager: PortalClient) -> None:
    url = f"/council/contracts/{world.contract.id}/assessment?period=12m"
    html = as_manager.get(url).get_data(as_text=True)
    assert "Error: Performance assessment" in html
    assert "Enter the last day of the 12 months" in html
    assert (
        as_manager.get(
            f"/council/contracts/{world.contract.id}/assessment.csv?period=12m"
        ).status_code
        == 404
    )


# 6. Social value in pounds, by price-base year --------------------------------------------------


def test_social_value_is_shown_by_price_base_year_and_never_added_across_years(
    world: World, as_manager: PortalClient, as_supplier: PortalClient
) -> None:
    older_prices = measures.create(
        world.council.id,
        code="MENTORING",
        name="Mentoring hours",
        unit=MeasureUnit.HOURS,
        kind=MeasureKind.CUMULATIVE,
        counting_rule="Hours of mentoring given to local young people.",
        evidence_guidance="A log of sessions.",
        proxy_value=Decimal("20.00"),
        proxy_price_year=2023,
        by=None,
    )
    weeks = factories.measure(world.council, "APPRENTICE_WEEKS")  # £250 a week, 2024 prices
    contract = factories.contract(
        world.council, world.supplier, world.manager, reference="NCC-SV", codes=()
    )
    for measure in (older_prices, weeks):
        contracts.add_commitment(contract, measure, target=Decimal(100), by=world.manager)
    commit()
    from tests.integration.test_compliance import accepted_return

    accepted_return(
        contract,
        1,
        {"MENTORING": Decimal(10), "APPRENTICE_WEEKS": Decimal(12)},
        world,
        as_of=calendar.today(),
    )
    commit()
    page = as_manager.get(f"/council/contracts/{contract.id}").get_data(as_text=True)
    assert "<strong>£200</strong> in 2023 prices; <strong>£3,000</strong> in 2024 prices." in page
    assert "£3,200" not in page  # never added across price years
    dashboard = as_manager.get("/council/?show=all").get_data(as_text=True)
    assert ">2023</th>" in dashboard and ">2024</th>" in dashboard
    rows = rows_of(as_manager.get("/council/commitments/export.csv"))
    mine = {r["Measure"]: r for r in rows if r["Contract reference"] == "NCC-SV"}
    assert mine["Mentoring hours"]["Social value to date (£)"] == "200.00"
    assert mine["Mentoring hours"]["Price base year"] == "2023"
    assert mine["Weeks of apprenticeship"]["Social value to date (£)"] == "3000.00"
    supplier_page = as_manager.get(f"/council/suppliers/{world.supplier.id}")
    assert "£3,000" in supplier_page.get_data(as_text=True)
    overview = as_supplier.get("/supplier/").get_data(as_text=True)
    assert ">2023</th>" in overview and "£200" in overview


def test_the_supplier_sees_its_contract_figures_the_same_way(
    world: World, as_supplier: PortalClient, q1: Return, app: Flask
) -> None:
    manager = sign_in_as(app, world.manager)
    review(manager, q1, {OLDER: "Letters please"})
    rows = rows_of(as_supplier.get(f"/supplier/contracts/{world.contract.id}/quarters.csv"))
    fte = next(r for r in rows if r["Quarter"] == "Q1 2025/26" and r["Unit"] == "FTE")
    assert Decimal(fte["Delivered (accepted)"]) == LOCAL_FTE_Q1
    other = sign_in_as(app, world.other_supplier_user)
    assert other.get(f"/supplier/contracts/{world.contract.id}/quarters.csv").status_code == 404


def test_the_supplier_is_told_an_accepted_line_counts_and_what_changing_it_does(
    world: World, as_supplier: PortalClient, as_manager: PortalClient, q1: Return
) -> None:
    review(as_manager, q1, {OLDER: "Letters please"})
    task_list = as_supplier.get(f"/supplier/returns/{q1.id}").get_data(as_text=True)
    tags = re.findall(r'class="govuk-tag[^"]*">\s*(\w+)\s*</strong>', task_list)
    assert tags.count("Accepted") == 3 and tags.count("Queried") == 1
    page = as_supplier.get(f"/supplier/returns/{q1.id}/lines/{line_of(q1, 'LOCAL_HIRES')}")
    assert (
        "accepted this line: 2 people counts as delivered. If you change it, it goes back for "
        "review when you submit the return again."
    ) in page.get_data(as_text=True)


def test_an_imported_contract_can_start_reporting_part_way_and_exports_say_so(
    world: World, as_manager: PortalClient
) -> None:
    from tests.integration.test_import import ROW, as_csv, upload

    row = dict(zip(COLUMNS, ROW, strict=True)) | {
        "Contract reference": "IMP-LATE",
        "Reporting starts": "01/10/2026",
        "Measure code": "LOCAL_HIRES",
        "Target": "12",
    }
    preview = upload(as_manager, as_csv([[row[column] for column in COLUMNS]]))
    assert "Reporting starts 1 October 2026" in as_manager.get(preview).get_data(as_text=True)
    assert as_manager.submit(preview).status_code == 302
    db.session.expire_all()
    imported = db.session.scalars(select(Contract).where(Contract.reference == "IMP-LATE")).one()
    assert imported.reporting_starts_on == date(2026, 10, 1)
    # It started on 1 April 2025, but nothing before October 2026 is due: no overdue flag.
    assert overdue_flags(imported) == []
    exported = rows_of(as_manager.get("/council/contracts/export.csv?show=all"))
    assert {r["Contract reference"]: r["Reporting starts"] for r in exported}["IMP-LATE"] == (
        "2026-10-01"
    )


def test_the_emails_and_the_flash_say_which_lines_count(
    world: World, as_supplier: PortalClient, as_manager: PortalClient, q1: Return, mailbox: Mailbox
) -> None:
    [first] = mailbox.delivered().to("cm@northmoor.example")
    assert "Each line shows as pending, and does not count as delivered, until you accept it." in (
        mailbox.body(first)
    )
    location = review(as_manager, q1, {OLDER: "Letters please"}).headers["Location"]
    flashed = as_manager.get(location).get_data(as_text=True)
    assert (
        "Changes requested. Local people hired, Apprenticeship starts and Local people employed "
        "(FTE) count as delivered now."
    ) in flashed
    [changes] = mailbox.delivered().to("sam@acme.example")
    body = " ".join(mailbox.body(changes).split())
    assert "Older workers hired (50+): Letters please" in body
    assert (
        "Local people hired, Apprenticeship starts and Local people employed (FTE) were accepted "
        "and count as delivered. If you change any of them, it goes back for review."
    ) in body
    edit_line(as_supplier, q1, line_of(q1, "OLDER_HIRES"), "Letters attached")
    submit(as_supplier, q1)
    second = mailbox.delivered().to("cm@northmoor.example")[-1]
    assert (
        "Local people hired, Apprenticeship starts and Local people employed (FTE) were accepted "
        "before and sent again unchanged, so they count as delivered already."
    ) in " ".join(mailbox.body(second).split())
