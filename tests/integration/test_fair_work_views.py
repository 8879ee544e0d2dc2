"""Fair work (issue 14, item 4): the shares stored per return, and where people see them: the
contract page, the supplier's check page and the contract's quarters export."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from portal import calendar
from portal.data import commit, contracts, dashboard, flags
from portal.data import compliance as store
from portal.data.models import FairWorkFigure, Return
from portal.data.types import ReturnStatus, Role, Status, WorkforceDerivation
from portal.domain.counting import NotKnown
from portal.domain.periods import financial_quarter
from portal.domain.reviews import LineReview
from portal.extensions import db
from portal.workflows import compliance
from portal.workflows import returns as workflow
from tests import factories
from tests.conftest import World
from tests.integration.test_contracts import queries_for
from tests.integration.test_fair_work import FAIR
from tests.integration.test_returns import (
    PEOPLE,
    fill_lines,
    review_all,
    schedule,
    upload_people,
)
from tests.integration.test_returns import ret as ret  # noqa: F401 (the fixture)
from tests.support import PortalClient

D = WorkforceDerivation


def stored(ret: Return) -> dict[WorkforceDerivation, FairWorkFigure]:
    db.session.expire_all()
    return {
        figure.derivation: figure
        for figure in db.session.scalars(
            select(FairWorkFigure).where(FairWorkFigure.return_id == ret.id)
        )
    }


def submit(client: PortalClient, ret: Return) -> str:
    fill_lines(client, ret)
    response = client.submit(f"/supplier/returns/{ret.id}/check", {"confirm": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def test_an_upload_stores_the_hand_worked_shares(
    as_supplier: PortalClient,
    ret: Return,  # noqa: F811
) -> None:
    # FTE-days in Q1 2025/26 (91 days): A-1 91 (£12.60, permanent 37 h), A-2 22.75 (£13.45,
    # zero-hours), A-3 46 (50-64, £12.60, fixed-term 30 h), A-4 30 (50-64, nothing given),
    # A-5 30 (£11.44, below the rate; agency, 16 h). All 219.75, given 189.75.
    # Paid the rate, A-3 = 159.75 -> 84.19%; secure, A-5 = 167 -> 88.01%.
    # Aged 50 and over: all 76, given and meeting both 46.
    assert upload_people(as_supplier, ret, schedule(FAIR)).status_code == 302
    figures = stored(ret)
    lw, secure = figures[D.LIVING_WAGE], figures[D.SECURE_WORK]
    assert (lw.percent, lw.coverage, lw.not_known) == (Decimal("84.19"), Decimal("86.35"), None)
    assert (lw.fte_met, lw.fte_given, lw.fte_all) == (
        Decimal("1.7555"),  # 159.75 / 91
        Decimal("2.0852"),
        Decimal("2.4148"),
    )
    assert (lw.counted, lw.meeting, lw.without_data) == (4, 3, 1)
    assert lw.living_wage == Decimal("12.60")
    assert (secure.percent, secure.coverage, secure.meeting) == (
        Decimal("88.01"),
        Decimal("86.35"),
        3,
    )
    for older in (D.OLDER_LIVING_WAGE, D.OLDER_SECURE_WORK):
        share = figures[older]
        assert (share.percent, share.coverage) == (Decimal("100.00"), Decimal("60.53"))
        assert (share.fte_met, share.fte_given, share.fte_all) == (
            Decimal("0.5055"),
            Decimal("0.5055"),
            Decimal("0.8352"),
        )
        assert (share.counted, share.meeting, share.without_data) == (1, 1, 1)


def test_figures_follow_the_people_and_are_stored_on_submission_without_a_commitment(
    as_supplier: PortalClient,
    ret: Return,  # noqa: F811
) -> None:
    assert not workflow.needs_fair_work(ret)  # no fair-work commitment on this contract
    upload_people(as_supplier, ret, schedule(PEOPLE))  # no pay, no contract types
    figures = stored(ret)
    assert figures[D.LIVING_WAGE].percent is None
    assert figures[D.LIVING_WAGE].not_known is NotKnown.NO_DATA
    assert figures[D.LIVING_WAGE].coverage == Decimal("0.00")
    db.session.execute(delete(FairWorkFigure))
    commit()
    submit(as_supplier, ret)
    assert set(stored(ret)) == set(D) - {
        D.LOCAL_HIRES,
        D.LOCAL_FTE,
        D.APPRENTICESHIP_STARTS,
        D.APPRENTICESHIP_WEEKS,
        D.OLDER_WORKER_HIRES,
    }


def test_the_check_page_shows_the_shares_before_the_declaration(
    as_supplier: PortalClient,
    ret: Return,  # noqa: F811
) -> None:
    upload_people(as_supplier, ret, schedule(FAIR))
    page = as_supplier.get(f"/supplier/returns/{ret.id}/check").get_data(as_text=True)
    fair = page.split('id="fair-work"', 1)[1] if 'id="fair-work"' in page else page
    assert page.index("Fair work") < page.index("Declaration")
    assert "against the real Living Wage of £12.60 an hour" in page
    assert re.search(r"Paid the real Living Wage\s*</dt>\s*<dd[^>]*>\s*84.1%", fair)
    assert "3 of 4 people; pay given for 86.3% of FTE" in fair
    assert "3 of 4 people; contract given for 86.3% of FTE" in fair
    assert "1 of 1 person; pay given for 60.5% of FTE" in fair
    assert "No pay or contract types are given" not in page


def test_without_pay_the_check_page_says_so_and_does_not_block(
    as_supplier: PortalClient,
    ret: Return,  # noqa: F811
) -> None:
    upload_people(as_supplier, ret, schedule(PEOPLE))
    page = as_supplier.get(f"/supplier/returns/{ret.id}/check").get_data(as_text=True)
    assert "No pay or contract types are given for the people in this return" in page
    assert page.count("Not known") == 4
    assert "pay given for 0% of FTE" in page
    assert submit(as_supplier, ret) == f"/supplier/returns/{ret.id}/submitted"


def test_the_contract_page_shows_each_quarter_sent(
    world: World,
    as_supplier: PortalClient,
    as_manager: PortalClient,
    ret: Return,  # noqa: F811
) -> None:
    url = f"/council/contracts/{world.contract.id}"
    upload_people(as_supplier, ret, schedule(FAIR))
    draft = as_manager.get(url).get_data(as_text=True)
    assert "No return has been submitted yet." in draft  # a draft is not shown
    submit(as_supplier, ret)
    page = as_manager.get(url).get_data(as_text=True)
    section = page.split('id="fair-work"', 1)[1]
    assert "In secure work, aged 50 and over" in section
    assert "neither on zero-hours or casual contracts" in section  # what it means
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in section  # drawn without script
    assert "In Q1 2025/26: paid the real Living Wage 84.1%; in secure work 88%" in section
    row = section.split(">Q1 2025/26</th>", 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"numeric\">([^<]+)<span", row) == ["84.1%", "88%", "100%", "100%"]
    assert "pay given for 86.3% of FTE" in row and "pay given for 60.5% of FTE" in row
    assert row.rstrip().endswith("£12.60</td>")
    supplier_page = as_supplier.get(f"/supplier/contracts/{world.contract.id}")
    assert "3 of 4 people; pay given for 86.3% of FTE" in supplier_page.get_data(as_text=True)


def test_the_contract_page_says_not_known_and_why(
    world: World,
    as_supplier: PortalClient,
    as_manager: PortalClient,
    ret: Return,  # noqa: F811
) -> None:
    only_young = [row for row in FAIR if row[2] not in ("50-64", "65+")]
    upload_people(as_supplier, ret, schedule([[*only_young[0][:10], "", "", ""]]))
    submit(as_supplier, ret)
    page = as_manager.get(f"/council/contracts/{world.contract.id}").get_data(as_text=True)
    row = page.split('id="fair-work"', 1)[1].split(">Q1 2025/26</th>", 1)[1].split("</tr>")[0]
    assert row.count("Not known") == 2
    assert row.count("Nobody to count") == 2  # the 50+ shares: a true answer, not missing data
    assert row.count("pay given for 0% of FTE") == 1
    assert row.count("contract given for 0% of FTE") == 1
    assert row.count("nobody aged 50 or over") == 2


def test_the_quarters_export_carries_the_shares(
    world: World,
    as_supplier: PortalClient,
    as_manager: PortalClient,
    ret: Return,  # noqa: F811
) -> None:
    upload_people(as_supplier, ret, schedule(FAIR))
    submit(as_supplier, ret)
    response = as_manager.get(f"/council/contracts/{world.contract.id}/quarters.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    fair = {r["Measure"]: r for r in rows if r["Fair work share (%)"] or "not known" in r["Note"]}
    assert list(fair) == [
        "Paid the real Living Wage",
        "In secure work",
        "Paid the real Living Wage, aged 50 and over",
        "In secure work, aged 50 and over",
    ]
    lw = fair["Paid the real Living Wage"]
    assert (lw["Quarter"], lw["Fair work share (%)"], lw["Coverage (% of FTE)"]) == (
        "Q1 2025/26",
        "84.19",
        "86.35",
    )
    assert (lw["People counted"], lw["People meeting it"]) == ("4", "3")
    assert (lw["Real Living Wage (£ an hour)"], lw["Note"]) == ("12.60", "Awaiting review")
    commitment_rows = [r for r in rows if r["Measure"] not in fair]
    assert commitment_rows and all(not r["Fair work share (%)"] for r in commitment_rows)


def test_refresh_counts_returns_made_before_and_verify_reports_them(
    app: Flask,
    as_supplier: PortalClient,
    ret: Return,  # noqa: F811
) -> None:
    upload_people(as_supplier, ret, schedule(FAIR))
    before = {d: (f.percent, f.fte_all) for d, f in stored(ret).items()}
    db.session.execute(delete(FairWorkFigure))
    commit()
    runner = CliRunner()
    verified = runner.invoke(app.cli, ["compliance", "verify"])
    assert "1 return without stored fair-work figures" in verified.output
    assert verified.exit_code == 1
    refreshed = runner.invoke(app.cli, ["compliance", "refresh"])
    assert "fair-work figures counted for 1 return without them" in refreshed.output
    assert {d: (f.percent, f.fte_all) for d, f in stored(ret).items()} == before
    again = runner.invoke(app.cli, ["compliance", "refresh"])
    assert "fair-work figures counted for 0 returns without them" in again.output


def test_the_contract_page_reads_the_shares_in_the_same_queries_for_1_or_4_quarters(
    world: World,
    as_manager: PortalClient,
) -> None:
    url = f"/council/contracts/{world.contract.id}"

    def sent(quarter: int) -> None:
        made = factories.a_return(world.contract, world.manager, quarter=quarter)
        workflow.store_fair_work(made)
        made.status = ReturnStatus.SUBMITTED
        commit()

    sent(1)
    one = queries_for(as_manager, url)
    for quarter in (2, 3, 4):
        sent(quarter)
    page = as_manager.get(url).get_data(as_text=True)
    table = page.split('id="fair-work"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)<', table) == [
        f"Q{quarter} 2025/26" for quarter in (1, 2, 3, 4)
    ]
    assert queries_for(as_manager, url) == one


NOBODY = "Nobody aged 50 or over to count"


def test_a_quarter_with_nobody_aged_50_or_over_is_sent_and_never_counted_as_0(
    world: World,
    as_supplier: PortalClient,
    as_manager: PortalClient,
    ret: Return,  # noqa: F811
) -> None:
    """A 50+ share has nothing to count when nobody aged 50 or over worked on the contract:
    the supplier can send the line without a figure, the manager can accept it, and the
    quarter is left out of the level's mean (never a 0, never a shortfall)."""
    measure = factories.measure(world.council, "OLDER_LIVING_WAGE")
    contracts.add_commitment(world.contract, measure, target=Decimal(95), by=world.manager)
    commit()
    as_supplier.get(f"/supplier/returns/{ret.id}")  # adds the new commitment's line
    young = [row for row in FAIR if row[2] not in ("50-64", "65+")]
    assert upload_people(as_supplier, ret, schedule(young)).status_code == 302
    task_list = as_supplier.get(f"/supplier/returns/{ret.id}").get_data(as_text=True)
    assert f"Counted from people: {NOBODY.lower()}" in task_list
    check = as_supplier.get(f"/supplier/returns/{ret.id}/check").get_data(as_text=True)
    assert f"{NOBODY}<br>" in check and "cannot be counted" not in check
    submit(as_supplier, ret)
    db.session.refresh(ret)
    line = next(li for li in ret.lines if li.commitment.measure.code == "OLDER_LIVING_WAGE")
    assert line.nothing_to_count and line.figure is None and line.submitted_figure is None
    assert [li.nothing_to_count for li in ret.lines].count(True) == 1
    review_page = as_manager.get(f"/council/returns/{ret.id}").get_data(as_text=True)
    assert NOBODY in review_page
    review_all(as_manager, ret, "accepted")
    db.session.refresh(line)
    assert line.review is LineReview.ACCEPTED and line.accepted_figure is None
    # As of 1 August 2025 only Q1 is due: nothing to count, so no status, rating or flag.
    compliance.refresh([world.contract.id], date(2025, 8, 1))
    commit()
    state = store.commitment_states(world.contract.id)[line.commitment_id]
    assert state.status is Status.NOTHING_TO_COUNT
    assert (state.delivery_pct, state.shortfall) == (None, Decimal(0))
    assert not [
        f for f in flags.for_contract(world.contract.id) if f.commitment_id == line.commitment_id
    ]
    page = as_manager.get(f"/council/contracts/{world.contract.id}").get_data(as_text=True)
    assert "Nobody to count" in page
    history = as_manager.get(f"/council/returns/{ret.id}/submissions/1").get_data(as_text=True)
    assert NOBODY in history


def test_a_share_of_all_the_workers_with_nobody_recorded_still_asks_for_the_people(
    world: World,
    as_supplier: PortalClient,
    ret: Return,  # noqa: F811
) -> None:
    measure = factories.measure(world.council, "LIVING_WAGE")
    contracts.add_commitment(world.contract, measure, target=Decimal(95), by=world.manager)
    commit()
    as_supplier.get(f"/supplier/returns/{ret.id}")  # adds the new commitment's line
    fill_lines(as_supplier, ret)
    refused = as_supplier.submit(f"/supplier/returns/{ret.id}/check", {"confirm": "y"})
    assert refused.status_code == 200
    summary = refused.get_data(as_text=True).split("govuk-error-summary__list", 1)[1]
    summary = summary.split("</ul>", 1)[0]
    # Every problem is listed, not only the first (the three counts have no nil reason).
    assert summary.count("<li>") == 4
    assert (
        "FTE paid at least the real Living Wage cannot be counted: add the people on this "
        "contract this quarter"
    ) in summary


def test_the_database_keeps_a_line_with_nobody_to_count_without_a_figure(
    as_supplier: PortalClient,
    ret: Return,  # noqa: F811
) -> None:
    line = ret.lines[0]
    line.nothing_to_count, line.submitted_figure = True, Decimal(1)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_dashboard_pools_this_years_shares_and_lists_the_lowest_contracts(
    world: World, as_supplier: PortalClient, as_manager: PortalClient
) -> None:
    """Two contracts' Q1 returns of this financial year, everyone there all quarter. NCC-001:
    1 FTE at £20 permanent, 0.5 FTE at £20 zero-hours, 1 FTE (aged 50-64) at £10 permanent:
    paid the rate 1.5 of 2.5 FTE (60%), secure 2 of 2.5 (80%). NCC-LOW: 2 FTE at £10
    permanent: 0% and 100%. Pooled: 1.5 / 4.5 = 33.3% paid the rate (not the mean of 60%
    and 0%), 4 / 4.5 = 88.8% secure (both rounded down); the lowest contract first."""
    year = financial_quarter(calendar.today())[0]
    low = factories.contract(world.council, world.supplier, world.manager, reference="NCC-LOW")
    commit()

    def person(ref: str, age: str, hours: str, pay: str, kind: str, guaranteed: str) -> list[str]:
        return [ref, "M1 1AA", age, "01/01/2024", "", hours, "100", "retained", "", ""] + [
            pay,
            kind,
            guaranteed,
        ]

    mixed = [
        person("P-1", "25-34", "37", "20.00", "Permanent", "37"),
        person("P-2", "35-49", "18.5", "20.00", "Zero-hours", "0"),
        person("P-3", "50-64", "37", "10.00", "Permanent", "37"),
    ]
    low_paid = [person(f"L-{n}", "25-34", "37", "10.00", "Permanent", "37") for n in (1, 2)]
    for contract, people in ((world.contract, mixed), (low, low_paid)):
        started = as_supplier.submit(
            f"/supplier/contracts/{contract.id}/returns/{year}/1",
            form_page=f"/supplier/contracts/{contract.id}",
        )
        assert started.status_code == 302
        ret = db.session.scalar(select(Return).where(Return.contract_id == contract.id))
        assert ret is not None
        assert upload_people(as_supplier, ret, schedule(people)).status_code == 302
        submit(as_supplier, ret)

    shares = {
        s.derivation: s
        for s in dashboard.portfolio(world.council.id, financial_year=year).fair_work.shares
    }
    assert shares[D.LIVING_WAGE].fte_met == Decimal("1.5")
    assert shares[D.LIVING_WAGE].fte_given == shares[D.LIVING_WAGE].fte_all == Decimal("4.5")
    assert shares[D.SECURE_WORK].fte_met == Decimal(4)
    assert shares[D.OLDER_LIVING_WAGE].fte_met == 0  # P-3, the only one aged 50 or over
    page = as_manager.get("/council/?show=all").get_data(as_text=True)
    section = page.split('id="fair-work"', 1)[1].split('id="flags"', 1)[0]
    assert f"returns sent for {year}/{(year + 1) % 100:02d}" in section
    assert ">33.3%</td>" in section and ">88.8%</td>" in section
    pooled_table = section.split("</table>", 1)[0]
    assert re.findall(
        r'<th scope="row" class="govuk-table__header">([^<]+)</th>', pooled_table
    ) == [
        "Paid the real Living Wage",
        "In secure work",
        "Paid the real Living Wage, aged 50 and over",
        "In secure work, aged 50 and over",
    ]
    assert "Pay given for 100% of FTE" in section
    lowest_paid = section.split("Lowest share paid the real Living Wage", 1)[1]
    lowest_paid = lowest_paid.split("</table>", 1)[0]
    assert re.findall(r">(NCC-[A-Z0-9]+):", lowest_paid) == ["NCC-LOW", "NCC-001"]
    assert re.findall(r">(\d+%)</td>", lowest_paid) == ["0%", "100%", "60%", "100%"]
    least_secure = section.split("Lowest share in secure work", 1)[1].split("</table>", 1)[0]
    assert re.findall(r">(NCC-[A-Z0-9]+):", least_secure) == ["NCC-001", "NCC-LOW"]
    # Nothing was sent for last year; and a manager with no contracts sees nothing.
    assert not dashboard.portfolio(world.council.id, financial_year=year - 1).fair_work.shares
    other = factories.user(Role.CONTRACT_MANAGER, world.council, email="new@northmoor.example")
    assert not dashboard.portfolio(world.council.id, other.id, financial_year=year).fair_work.shares
