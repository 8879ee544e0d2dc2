"""The work queues: returns to review and overdue returns, their filters, order, pages and
downloads, who sees what, the dashboard tiles and navigation that lead to them, and the same
number of queries whatever the size (with the contract list sorted by rating or latest
return)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal import calendar
from portal.config import Settings
from portal.data import commit, contracts, returns
from portal.data.models import Contract, ContractState, OutboxMessage, OverduePeriod, Return
from portal.data.types import Role
from portal.domain.periods import reporting_periods
from portal.extensions import db
from portal.jobs import reminders
from portal.template_helpers import format_date
from portal.workflows import compliance
from tests import factories
from tests.conftest import World, sign_in_as
from tests.integration.test_contracts import queries_for
from tests.support import PortalClient, free_port

LONDON = ZoneInfo("Europe/London")
# As of 1 December 2025, the Q1 (due 30 July) and Q2 (due 30 October) 2025/26 returns of
# contracts starting 1 April 2025 are overdue unless sent.
AS_OF = date(2025, 12, 1)
REVIEW = "/council/returns/to-review"
OVERDUE = "/council/returns/overdue"


def text_of(client: PortalClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def references(html: str) -> list[str]:
    """The contract references of a list's rows, in order (the first link of each row)."""
    body = html.split("<tbody", 1)[1] if "<tbody" in html else ""
    return re.findall(
        r'<tr class="govuk-table__row">\s*<td class="govuk-table__cell"><a[^>]*>([^<]+)<', body
    )


def download(client: PortalClient, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def submitted(contract: Contract, world: World, *, quarter: int, on: date) -> Return:
    """The contract's return for a 2025/26 quarter, submitted on this (UK) day at noon."""
    period = reporting_periods(contract.start_on, contract.end_on)[quarter - 1]
    ret = returns.start(contract, period, by=world.supplier_user)
    for line in ret.lines:
        line.figure, line.narrative, line.nil_reason = 0, "n/a", "none"
    returns.submit(ret, by=world.supplier_user, declaration="ok", workforce_records=0, evidence=[])
    ret.submitted_at = datetime.combine(on, time(12), tzinfo=LONDON).astimezone(UTC)
    return ret


# Returns to review


def test_returns_to_review_longest_waiting_first_with_days_waiting(
    as_manager: PortalClient, world: World
) -> None:
    today = calendar.today()
    submitted(world.contract, world, quarter=2, on=today - timedelta(days=3))
    submitted(world.contract, world, quarter=1, on=today - timedelta(days=1))
    submitted(world.other_supplier_contract, world, quarter=1, on=today - timedelta(days=20))
    submitted(world.other_council_contract, world, quarter=1, on=today - timedelta(days=40))
    draft = factories.a_return(world.contract, world.supplier_user, quarter=3)
    commit()

    mine = text_of(as_manager, REVIEW)  # a contract manager sees their own contracts first
    assert "2 returns to review" in mine
    assert references(mine) == ["NCC-001", "NCC-001"]
    assert mine.index("Q2 2025/26") < mine.index("Q1 2025/26")  # submitted earlier, first
    assert "3 days" in mine and "1 day<" in mine
    assert f'/council/returns/{draft.id}"' not in mine  # a draft is not waiting for anyone
    assert format_date(today - timedelta(days=3)) in mine

    every = text_of(as_manager, f"{REVIEW}?show=all")
    assert "3 returns to review" in every
    assert references(every) == ["NCC-002", "NCC-001", "NCC-001"]
    assert "SBC-001" not in every  # another council's, never
    assert "20 days" in every


def test_a_list_of_one_return_reads_as_one(as_manager: PortalClient, world: World) -> None:
    ret = submitted(world.contract, world, quarter=1, on=calendar.today())
    commit()
    html = text_of(as_manager, REVIEW)  # the page check fails on "1 returns" or "1 days"
    assert "1 return to review" in html and "Download this return as" in html
    assert "0 days" in html
    assert f'href="/council/returns/{ret.id}"' in html  # to the review page
    assert as_manager.get(f"/council/returns/{ret.id}").status_code == 200


def test_returns_to_review_filters(as_admin: PortalClient, world: World) -> None:
    today = calendar.today()
    submitted(world.contract, world, quarter=1, on=today - timedelta(days=5))
    submitted(world.contract, world, quarter=2, on=today - timedelta(days=4))
    submitted(world.other_supplier_contract, world, quarter=2, on=today - timedelta(days=3))
    commit()

    every = text_of(as_admin, REVIEW)  # an administrator sees every contract first
    assert references(every) == ["NCC-001", "NCC-001", "NCC-002"]
    assert 'value="all" checked' in every
    assert references(text_of(as_admin, f"{REVIEW}?show=mine")) == []  # manages none
    bolt = text_of(as_admin, f"{REVIEW}?supplier=+bOLT+")
    assert references(bolt) == ["NCC-002"] and 'value=" bOLT "' in bolt
    theirs = text_of(as_admin, f"{REVIEW}?show=mine&manager={world.other_manager.id}")
    assert references(theirs) == ["NCC-002"]  # choosing a manager shows theirs
    assert 'value="all" checked' in theirs
    q2 = text_of(as_admin, f"{REVIEW}?year=2025&quarter=2")
    assert references(q2) == ["NCC-001", "NCC-002"]
    assert '<option value="2025" selected>2025/26</option>' in q2
    assert references(text_of(as_admin, f"{REVIEW}?year=2024")) == []
    assert references(text_of(as_admin, f"{REVIEW}?quarter=1")) == ["NCC-001"]
    nothing = text_of(as_admin, f"{REVIEW}?supplier=%25")  # a wildcard is a character
    assert "No returns to review match these filters" in nothing


def test_returns_to_review_pages(as_manager: PortalClient, world: World) -> None:
    today = calendar.today()
    for number in range(51):
        contract = factories.contract(
            world.council, world.supplier, world.manager, reference=f"R-{number:03d}"
        )
        submitted(contract, world, quarter=1, on=today - timedelta(days=100 - number))
    commit()
    first = text_of(as_manager, REVIEW)
    assert "51 returns to review" in first and "Showing 1 to 50 of 51" in first
    assert references(first)[:2] == ["R-000", "R-001"]
    second = text_of(as_manager, f"{REVIEW}?page=2")
    assert references(second) == ["R-050"] and "Showing 51 to 51 of 51" in second


def test_returns_to_review_downloads(as_manager: PortalClient, world: World) -> None:
    today = calendar.today()
    submitted(world.contract, world, quarter=1, on=today - timedelta(days=6))
    submitted(world.other_supplier_contract, world, quarter=1, on=today - timedelta(days=9))
    commit()
    html = text_of(as_manager, f"{REVIEW}?show=all&supplier=acme")
    assert 'href="/council/returns/to-review.csv?show=all&amp;manager=&amp;supplier=acme' in html
    rows = download(as_manager, "/council/returns/to-review.csv?show=all&supplier=acme")
    assert [r["Contract reference"] for r in rows] == ["NCC-001"]
    assert rows[0]["Supplier"] == "Acme Grounds Ltd" and rows[0]["Period"] == "Q1 2025/26"
    assert rows[0]["Days waiting"] == "6" and rows[0]["Submitted"] == str(today - timedelta(6))
    xlsx = as_manager.get("/council/returns/to-review.xlsx?show=all")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Contract reference"
    assert [row[0] for row in values[1:]] == ["NCC-002", "NCC-001"]


def test_only_council_staff_reach_the_queues(
    app: Flask, as_supplier: PortalClient, world: World
) -> None:
    submitted(world.other_council_contract, world, quarter=1, on=calendar.today())
    compliance.refresh([world.other_council_contract.id], AS_OF)
    commit()
    for url in (REVIEW, OVERDUE, f"{REVIEW}.csv", f"{OVERDUE}.xlsx"):
        assert as_supplier.get(url).status_code == 403, url
    ours = sign_in_as(app, world.manager)
    for url in (f"{REVIEW}?show=all", f"{OVERDUE}?show=all"):
        assert "SBC-001" not in text_of(ours, url)
    theirs = sign_in_as(app, world.other_council_manager)
    assert references(text_of(theirs, REVIEW)) == ["SBC-001"]
    assert references(text_of(theirs, OVERDUE)) == ["SBC-001"]  # Q2: Q1 was sent


# Overdue returns


def send_reminders() -> None:
    """The Q1 2025/26 overdue notices (31 July) and escalations (6 August)."""
    for day in (date(2025, 7, 31), date(2025, 8, 6)):
        reminders.send(datetime.combine(day, time(9), tzinfo=LONDON))


def refresh_all(day: date = AS_OF) -> None:
    compliance.refresh(list(db.session.scalars(select(Contract.id))), day)
    commit()


def test_overdue_returns_agree_with_the_dashboard_and_compliance(
    as_manager: PortalClient, world: World
) -> None:
    started = factories.a_return(world.contract, world.supplier_user, quarter=2)  # a draft
    refresh_all()
    today = calendar.today()
    mine = text_of(as_manager, OVERDUE)
    assert "2 overdue returns" in mine
    assert references(mine) == ["NCC-001", "NCC-001"]
    q1, q2 = mine.split("<tbody", 1)[1].split("</tr>")[:2]
    assert "Q1 2025/26" in q1 and "30 July 2025" in q1 and "Not started" in q1
    assert f"{(today - date(2025, 7, 30)).days:,} days" in q1
    assert "Q2 2025/26" in q2 and "30 October 2025" in q2 and "Draft" in q2
    assert "None sent" in q1
    every = text_of(as_manager, f"{OVERDUE}?show=all")
    assert references(every) == ["NCC-001", "NCC-002", "NCC-001", "NCC-002"]  # by due date

    # The list and the dashboard's tile count the same stored periods, for "mine" and "all".
    for show, count in (("mine", 2), ("all", 4)):
        dashboard = text_of(as_manager, f"/council/?show={show}")
        tile = re.search(r'href="/council/returns/overdue\?show=' + show + r'">(\d+)<', dashboard)
        assert tile is not None and int(tile.group(1)) == count
        assert f"{count} overdue returns" in text_of(as_manager, f"{OVERDUE}?show={show}")
    stored = db.session.scalar(select(func.sum(ContractState.overdue_returns)))
    assert stored == db.session.scalar(select(func.count()).select_from(OverduePeriod)) == 6
    assert compliance.verify(AS_OF) == []

    # Sending the draft takes it off the list in the same step; the daily refresh is not needed.
    for line in started.lines:
        line.figure, line.narrative, line.nil_reason = 0, "n/a", "none"
    returns.submit(
        started, by=world.supplier_user, declaration="ok", workforce_records=0, evidence=[]
    )
    compliance.refresh_contract(world.contract.id, AS_OF)  # as the submit workflow does
    commit()
    after = text_of(as_manager, OVERDUE)
    assert "1 overdue return" in after and "Q2 2025/26" not in after.split("<tbody", 1)[1]


def test_verify_reports_an_overdue_list_that_disagrees(world: World) -> None:
    refresh_all()
    db.session.delete(db.session.scalars(select(OverduePeriod)).first())
    commit()
    [difference] = compliance.verify(AS_OF)
    assert re.fullmatch(
        r"(NCC-001|NCC-002|SBC-001): overdue periods stored "
        r"(Q1 2025/26 due 30 July 2025|Q2 2025/26 due 30 October 2025), recomputed "
        r"Q1 2025/26 due 30 July 2025, Q2 2025/26 due 30 October 2025",
        difference,
    ), difference
    refresh_all()  # puts it back
    assert compliance.verify(AS_OF) == []


def test_overdue_returns_follow_the_compliance_rules(
    as_manager: PortalClient, world: World
) -> None:
    # Reporting from 1 August 2025: Q1 needs no return. Nothing monitored: no returns at all.
    contracts.update(
        world.other_supplier_contract, by=world.manager, reporting_starts_on=date(2025, 8, 1)
    )
    retired = factories.contract(world.council, world.supplier, world.manager, reference="OLD-1")
    contracts.retire_commitment(retired.commitments[0], by=world.manager, reason="Ended early")
    refresh_all()
    every = text_of(as_manager, f"{OVERDUE}?show=all")
    assert references(every) == ["NCC-001", "NCC-001", "NCC-002"]


def test_overdue_returns_filters_and_pages(as_admin: PortalClient, world: World) -> None:
    for number in range(25):
        factories.contract(
            world.council, world.supplier, world.manager, reference=f"O-{number:02d}"
        )
    refresh_all()
    every = text_of(as_admin, OVERDUE)  # an administrator sees all: (2 + 25) x 2 periods
    assert "54 overdue returns" in every and "Showing 1 to 50 of 54" in every
    assert references(every)[:3] == ["NCC-001", "NCC-002", "O-00"]
    last = text_of(as_admin, f"{OVERDUE}?page=2")  # Q1 for all 27, then Q2 by reference
    assert references(last) == [f"O-{n:02d}" for n in range(21, 25)]
    assert references(text_of(as_admin, f"{OVERDUE}?supplier=bolt")) == ["NCC-002", "NCC-002"]
    theirs = text_of(as_admin, f"{OVERDUE}?manager={world.other_manager.id}")
    assert references(theirs) == ["NCC-002", "NCC-002"]
    q2 = text_of(as_admin, f"{OVERDUE}?supplier=bolt&year=2025&quarter=2")
    assert references(q2) == ["NCC-002"] and "Q1 2025/26" not in q2.split("<tbody", 1)[1]
    assert references(text_of(as_admin, f"{OVERDUE}?show=mine")) == []
    rows = download(as_admin, f"{OVERDUE}.csv?supplier=bolt")
    assert [(r["Contract reference"], r["Period"], r["Due"]) for r in rows] == [
        ("NCC-002", "Q1 2025/26", "2025-07-30"),
        ("NCC-002", "Q2 2025/26", "2025-10-30"),
    ]
    assert rows[0]["Return"] == "Not started" and rows[0]["Last reminder"] == "None sent"
    xlsx = as_admin.get(f"{OVERDUE}.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.max_row == 55  # the header and every row, not one page


def test_overdue_returns_show_the_last_reminder_sent(
    app: Flask, as_manager: PortalClient, world: World, settings: Settings
) -> None:
    nine = datetime.combine(date(2025, 7, 31), time(9), tzinfo=LONDON)
    # The due-day reminder cannot be delivered: written, but not sent.
    app.config["SETTINGS"] = replace(settings, smtp_port=free_port(), mail_max_attempts=1)
    try:
        reminders.send(nine - timedelta(days=1))
    finally:
        app.config["SETTINGS"] = settings
    refresh_all()
    assert "None sent" in text_of(as_manager, OVERDUE).split("<tbody", 1)[1].split("</tr>")[0]
    reminders.send(nine)  # the overdue notice to the supplier
    refresh_all()
    notice = text_of(as_manager, OVERDUE).split("<tbody", 1)[1].split("</tr>")[0]
    assert f"Overdue notice to {world.supplier_user.full_name}" in notice
    reminders.send(nine + timedelta(days=6))  # then the escalation to the contract manager
    escalation = db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.key == f"escalation:{world.contract.id}:2025-1:escalation-0:"
            f"{world.manager.id}"
        )
    )
    assert escalation is not None and escalation.sent_at is not None
    html = text_of(as_manager, OVERDUE)
    q1, q2 = html.split("<tbody", 1)[1].split("</tr>")[:2]
    assert f"Escalation to {world.manager.full_name}, {format_date(escalation.sent_at)}" in q1
    assert "None sent" in q2  # Q2 was not due until 30 October
    bolt = text_of(as_manager, f"{OVERDUE}?show=all&supplier=bolt")
    assert f"Escalation to {world.other_manager.full_name}" in bolt
    [row] = [r for r in download(as_manager, f"{OVERDUE}.csv") if r["Period"] == "Q1 2025/26"]
    assert row["Last reminder"] == "Escalation"
    assert row["Last reminder to"] == world.manager.full_name


# The dashboard and the navigation


def test_the_dashboard_tiles_lead_to_the_lists(
    app: Flask, as_manager: PortalClient, world: World
) -> None:
    submitted(world.contract, world, quarter=1, on=calendar.today())
    refresh_all()
    mine = text_of(as_manager, "/council/")
    assert 'href="/council/returns/to-review?show=mine">1<' in mine
    assert 'href="/council/returns/overdue?show=mine">1<' in mine  # Q1 is sent
    every = text_of(as_manager, "/council/?show=all")
    assert 'href="/council/returns/to-review?show=all">1<' in every
    assert 'href="/council/returns/overdue?show=all">3<' in every
    for client in (as_manager, sign_in_as(app, world.admin)):
        nav = text_of(client, "/council/contracts").split('aria-label="Menu"', 1)[1]
        for href, name in ((REVIEW, "Returns to review"), (OVERDUE, "Overdue returns")):
            assert re.search(rf'href="{href}"[^>]*>\s*{name}\s*<', nav), name


# Bounded queries


def test_the_queues_make_the_same_queries_whatever_the_size(
    as_manager: PortalClient, world: World
) -> None:
    pages = [
        f"{REVIEW}?show=all",
        f"{OVERDUE}?show=all",
        "/council/contracts?show=all&sort=rating",
        "/council/contracts?show=all&sort=latest_return",
    ]

    def counts() -> list[int]:
        return [queries_for(as_manager, url) for url in pages]

    submitted(world.contract, world, quarter=1, on=calendar.today())
    send_reminders()
    refresh_all()
    small = counts()
    for number in range(30):
        supplier = factories.supplier()
        factories.user(Role.SUPPLIER_USER, supplier)
        contract = factories.contract(
            world.council, supplier, world.manager, reference=f"M-{number}"
        )
        submitted(contract, world, quarter=2, on=calendar.today())
    commit()
    send_reminders()
    refresh_all()
    assert db.session.scalar(select(func.count()).select_from(OverduePeriod)) > 30
    assert counts() == small
