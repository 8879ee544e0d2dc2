"""Flags in a real Chromium: NCC-001 has no returns and its first quarters have fallen due, so
the compliance refresh raises overdue-return and shortfall flags. The contract manager finds them
on the dashboard and the flags list (filtered, and exported as CSV) and reads the contract's
performance; the supplier answers one flag with a recovery plan; the manager waives it; and a
return accepted later resolves the Q1 2025/26 overdue flag by itself. Every page reached is
checked with axe-core."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from portal import calendar, data
from portal.data import returns
from portal.data.models import Contract, Flag
from portal.data.types import FlagStatus
from portal.domain.reviews import LineDecision, LineReview
from portal.extensions import db
from portal.workflows import compliance
from tests.browser.conftest import LiveServer
from tests.browser.pages import (
    arrive,
    body_rows,
    error_summary,
    expect_title_starts,
    go_to,
    navigation,
    sign_in,
    success_banner,
    visit,
)
from tests.conftest import World

pytestmark = pytest.mark.browser

CONTRACT = "NCC-001: Grounds maintenance"
MEASURES = ["Local people hired", "Apprenticeship starts", "Older workers hired (50+)"]
ANSWERED = "Q2 2025/26"  # the overdue return whose flag the supplier answers and the manager waives
RESOLVED = "Q1 2025/26"  # the overdue return sent later, so that its flag resolves itself
ACTION = "Submit the outstanding return with the payroll extract"
OWNER = "Site manager"
OVERDUE_FLAG = "Overdue return: NCC-001"  # a flag page's heading and title: kind and contract
DATE_NAME = "Date the action will be done by"  # how the recovery plan's errors name its date
WAIVER = "Agreed variation: the council holds the Q2 figures on paper"


# Helpers


def stat(page: Page, name: str) -> Locator:
    """The figure of one portfolio statistic on the dashboard."""
    return page.locator(".portal-stat").filter(has=page.locator("dt").get_by_text(name, exact=True))


def summary_value(page: Page, key: str) -> Locator:
    row = page.locator(".govuk-summary-list__row").filter(
        has=page.locator(".govuk-summary-list__key").get_by_text(key, exact=True)
    )
    return row.locator(".govuk-summary-list__value")


def flag_row(table: Locator, period: str) -> Locator:
    """The row of the overdue-return flag for this quarter."""
    row = body_rows(table).filter(has_text=f"The {period} return was due on")
    expect(row).to_have_count(1)
    return row


def filter_flags(page: Page, h1: str, **choices: str) -> None:
    for label, option in choices.items():
        page.get_by_label(label, exact=True).select_option(label=option)
    page.get_by_role("button", name="Filter flags").click()
    arrive(page, h1)


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def flag_link(row: Locator, summary: str) -> Locator:
    """The link to an overdue-return flag on NCC-001: its accessible name says which contract
    and what, not just the kind, so that a list of such links can be told apart."""
    link = row.get_by_role("link", name=f"Overdue return on NCC-001: {summary}", exact=True)
    expect(link).to_have_count(1)
    return link


def fill_by_when(page: Page, day: date) -> None:
    when = page.get_by_role("group", name="By when?", exact=True)
    when.get_by_label("Day").fill(str(day.day))
    when.get_by_label("Month").fill(str(day.month))
    when.get_by_label("Year").fill(str(day.year))


# The journey


def test_flags_are_raised_answered_waived_and_resolve_themselves(
    page: Page, new_page: Callable[..., Page], live_server: LiveServer, world: World
) -> None:
    today = calendar.today()
    contract_id = world.contract.id
    compliance.refresh([contract_id], today)
    data.commit()
    periods = calendar.periods_of(world.contract)
    overdue = [p for p in periods if p.due_on < today]
    due = [p for p in periods if p.due_on <= today]
    assert len(overdue) >= 2, "today should be after the Q1 and Q2 2025/26 due dates"
    raised = list(db.session.scalars(select(Flag).where(Flag.contract_id == contract_id)))
    by_severity = Counter(flag.severity.value for flag in raised)
    assert sum(f.kind.value == "overdue_return" for f in raised) == len(overdue)
    assert sum(f.kind.value == "shortfall" for f in raised) == len(MEASURES)
    overdue_summaries = {
        period: next(f.summary for f in raised if f"The {period} return was due on" in f.summary)
        for period in (ANSWERED, RESOLVED)
    }
    data.commit()  # end the read, so the server's writes are not held up

    # 1. The manager lands on the dashboard: the portfolio figures, then the flags.
    manager = page
    sign_in(manager, live_server, "cm@northmoor.example")
    arrive(manager, "Dashboard", live_server.url("/council/"))
    expect(navigation(manager).locator("[aria-current=page]")).to_have_text("Dashboard")
    expect(manager.locator("main")).to_contain_text("Showing your contracts.")
    expect(stat(manager, "Contracts").locator("dd")).to_have_text("1")
    overdue_tile = stat(manager, "Overdue returns").locator("dd")  # a link to the list
    expect(overdue_tile).to_have_text(re.compile(rf"^{len(overdue)}\b"))
    expect(stat(manager, "Open flags: high, medium, low").locator("dd")).to_have_text(
        f"{by_severity['high']}, {by_severity['medium']}, {by_severity['low']}"
    )
    flags_table = manager.get_by_role("table", name="Flags", exact=True)
    expect(body_rows(flags_table)).to_have_count(min(len(raised), 10))
    expect(flag_row(flags_table, ANSWERED)).to_contain_text("Overdue return")
    expect(flag_row(flags_table, ANSWERED)).to_contain_text("NCC-001")
    expect(flag_row(flags_table, ANSWERED)).to_contain_text("High")
    expect(flag_row(flags_table, ANSWERED)).to_contain_text("Open")

    filter_flags(manager, "Dashboard", Severity="High")
    expect(manager).to_have_url(re.compile(r"severity=high.*#flags$"))
    expect(manager.get_by_label("Severity", exact=True)).to_have_value("high")
    high_rows = body_rows(flags_table)
    expect(high_rows).to_have_count(min(by_severity["high"], 10))
    for row in high_rows.all():
        expect(row.locator("td").nth(2)).to_have_text("High")
    expect(flag_row(flags_table, ANSWERED)).to_contain_text("NCC-001")

    # The full list, and its CSV export: one row a flag shown.
    go_to(manager, "Flags")
    expect(navigation(manager).locator("[aria-current=page]")).to_have_text("Flags")
    listed = body_rows(manager.get_by_role("table", name="Flags", exact=True))
    expect(listed).to_have_count(len(raised))
    expect(manager.locator("main")).to_contain_text(f"Download these {len(raised)} flags as CSV")
    href = manager.get_by_role("link", name="CSV", exact=True).get_attribute("href")
    assert href is not None
    download = manager.request.get(urljoin(manager.url, href))
    assert download.ok, download.status
    assert download.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.body().decode("utf-8-sig"))))
    assert rows[0][:3] == ["Raised", "Severity", "Status"], rows[0]
    assert len(rows) - 1 == len(raised), rows
    overdue_lines = [r for r in rows[1:] if any(f"The {ANSWERED} return" in c for c in r)]
    assert len(overdue_lines) == 1, rows
    assert "NCC-001" in overdue_lines[0], overdue_lines

    # 2. The contract's performance: rating, each commitment's status, charts and tables.
    go_to(manager, "Contracts")
    manager.get_by_role("link", name=re.compile(r"^NCC-001\b")).click()
    council_contract = live_server.url(f"/council/contracts/{contract_id}")
    arrive(manager, CONTRACT, council_contract)
    expect(manager.get_by_role("heading", name="Performance", level=2)).to_be_visible()
    rating = manager.locator("p").filter(has_text="Rating:").locator(".govuk-tag")
    expect(rating).to_have_text("Inadequate")  # nothing delivered
    standing = manager.get_by_role("table", name="Each commitment's delivery to date")
    expect(body_rows(standing)).to_have_count(len(MEASURES))
    for measure in MEASURES:
        row = body_rows(standing).filter(
            has=manager.get_by_role("rowheader", name=measure, exact=True)
        )
        expect(row.locator(".govuk-tag")).to_have_text("Off track")
        expect(row.locator("td").nth(1)).to_have_text("0 people")  # delivered

        title = f"{measure}: expected and delivered by quarter"
        chart = manager.get_by_role("img", name=re.compile("^" + re.escape(title)))
        expect(chart).to_have_count(1)
        expect(chart).to_be_visible()
        quarters = manager.get_by_role("table", name=title, exact=True)
        expect(quarters.get_by_role("rowheader")).to_have_text([p.label for p in periods])
        delivered = quarters.locator("tbody td:nth-of-type(2)")
        expect(delivered.filter(has_text="Not due")).to_have_count(len(periods) - len(due))
        # The chart plots the same quarters: every expected one, and delivered where due.
        expected_line = chart.locator("polyline[stroke-dasharray]").get_attribute("points")
        assert expected_line is not None and len(expected_line.split()) == len(periods)
        delivered_line = chart.locator("polyline:not([stroke-dasharray])")
        if due:
            points = delivered_line.get_attribute("points")
            assert points is not None and len(points.split()) == len(due)
    open_flags = manager.get_by_role("heading", name="Open flags", level=3)
    expect(open_flags).to_be_visible()
    expect(manager.locator("main")).to_contain_text(f"The {ANSWERED} return was due on")

    manager.get_by_role("link", name="Performance assessment").click()
    arrive(
        manager,
        "Performance assessment: NCC-001",
        live_server.url(f"/council/contracts/{contract_id}/assessment"),
    )
    expect(summary_value(manager, "Contract rating")).to_contain_text("Inadequate")
    kpis = body_rows(manager.get_by_role("table", name="Key performance indicators"))
    expect(kpis).to_have_count(len(MEASURES))
    for measure in MEASURES:
        row = kpis.filter(has=manager.get_by_role("rowheader", name=measure, exact=True))
        expect(row.locator("td").first).to_have_text("12 people")  # the target
        expect(row.locator("td").nth(3)).to_have_text("Inadequate (0%)")

    # 3. Sam, of Acme, lands on the overview and answers a flag with a recovery plan.
    supplier = new_page("supplier")
    sign_in(supplier, live_server, "sam@acme.example")
    arrive(supplier, "Overview", live_server.url("/supplier/"))
    expect(supplier.get_by_role("heading", name="Flags to answer", level=2)).to_be_visible()
    to_answer = supplier.get_by_role("table", name="Open flags on your contracts")
    expect(body_rows(to_answer)).to_have_count(len(raised))
    flag_link(flag_row(to_answer, ANSWERED), overdue_summaries[ANSWERED]).click()
    arrive(supplier, OVERDUE_FLAG, re.compile(r"/supplier/flags/\d+$"))
    flag_id = int(supplier.url.rsplit("/", 1)[1])
    expect(summary_value(supplier, "Status")).to_have_text("Open")
    expect(summary_value(supplier, "What")).to_contain_text(f"The {ANSWERED} return was due on")
    expect(supplier.locator("main")).to_contain_text("No recovery plan yet.")

    # Sent empty: the GOV.UK error summary names every field, and its links reach them.
    supplier.get_by_role("button", name="Add to the recovery plan").click()
    supplier_flag = live_server.url(f"/supplier/flags/{flag_id}")
    arrive(supplier, OVERDUE_FLAG, supplier_flag)
    expect_title_starts(supplier, f"Error: {OVERDUE_FLAG}")
    summary = error_summary(supplier)
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    no_date = f"Enter the {DATE_NAME.lower()}"
    for message in (
        "Enter the action you will take",
        "Enter who is responsible for the action",
        no_date,
    ):
        expect(summary.get_by_role("link", name=message, exact=True)).to_be_visible()
    summary.get_by_role("link", name="Enter the action you will take").click()
    expect(supplier.get_by_label("What will you do?")).to_be_focused()
    summary.get_by_role("link", name=no_date, exact=True).click()
    when = supplier.get_by_role("group", name="By when?", exact=True)
    expect(when.get_by_label("Day")).to_be_focused()
    expect(when).to_contain_text(no_date)  # the message by the field too
    expect(summary_value(supplier, "Status")).to_have_text("Open")

    # A date already past is refused, and what was typed is kept.
    supplier.get_by_label("What will you do?").fill(ACTION)
    supplier.get_by_label("Who is responsible?").fill(OWNER)
    fill_by_when(supplier, today - timedelta(days=7))
    supplier.get_by_role("button", name="Add to the recovery plan").click()
    arrive(supplier, OVERDUE_FLAG, supplier_flag)
    expect_title_starts(supplier, f"Error: {OVERDUE_FLAG}")
    past = f"{DATE_NAME} must be today or in the future"
    expect(summary.get_by_role("link")).to_have_text([past])
    expect(when).to_contain_text(past)
    expect(supplier.get_by_label("What will you do?")).to_have_value(ACTION)
    expect(supplier.get_by_label("Who is responsible?")).to_have_value(OWNER)
    summary.get_by_role("link", name=past, exact=True).click()
    expect(when.get_by_label("Day")).to_be_focused()
    expect(summary_value(supplier, "Status")).to_have_text("Open")
    expect(supplier.locator("main")).to_contain_text("No recovery plan yet.")

    by_when = today + timedelta(days=45)
    fill_by_when(supplier, by_when)
    supplier.get_by_role("button", name="Add to the recovery plan").click()
    arrive(supplier, OVERDUE_FLAG, supplier_flag)
    expect(success_banner(supplier)).to_contain_text("Added to your recovery plan")
    plan = body_rows(supplier.get_by_role("table", name="Recovery actions"))
    expect(plan).to_have_count(1)
    expect(plan.first.locator("td")).to_have_text(
        [ACTION, OWNER, long_date(by_when), "Not yet", re.compile(r"Change[\s\S]*Mark as done")]
    )
    expect(summary_value(supplier, "Status")).to_have_text("Acknowledged")

    # 4. The manager opens the flag from the list, reads the plan and waives it.
    go_to(manager, "Flags")
    listed_row = flag_row(manager.get_by_role("table", name="Flags", exact=True), ANSWERED)
    expect(listed_row.locator("td").nth(3)).to_have_text("Acknowledged")
    flag_link(listed_row, overdue_summaries[ANSWERED]).click()
    council_flag = live_server.url(f"/council/flags/{flag_id}")
    arrive(manager, OVERDUE_FLAG, council_flag)
    expect(summary_value(manager, "Status")).to_have_text("Acknowledged")
    council_plan = body_rows(manager.get_by_role("table", name="Recovery actions"))
    expect(council_plan.first.locator("td")).to_have_text(
        [ACTION, OWNER, long_date(by_when), "Not yet"]
    )

    manager.get_by_role("button", name="Waive flag").click()
    arrive(manager, OVERDUE_FLAG, council_flag)
    expect_title_starts(manager, f"Error: {OVERDUE_FLAG}")
    missing = "Enter why you are waiving this flag"
    expect(error_summary(manager)).to_contain_text(missing)
    expect(manager.locator(".govuk-error-message")).to_contain_text(missing)
    error_summary(manager).get_by_role("link", name=missing).click()
    reason = manager.get_by_label("Why are you waiving this flag?")
    expect(reason).to_be_focused()
    expect(summary_value(manager, "Status")).to_have_text("Acknowledged")
    reason.fill(WAIVER)
    manager.get_by_role("button", name="Waive flag").click()
    arrive(manager, OVERDUE_FLAG, council_flag)
    expect(success_banner(manager)).to_contain_text("Flag waived")
    expect(summary_value(manager, "Status")).to_have_text("Waived")
    expect(summary_value(manager, "Closed")).to_contain_text(WAIVER)
    expect(manager.get_by_role("button", name="Waive flag")).to_have_count(0)
    # The history reads in order, oldest first, each with who and when.
    history = manager.locator("h2:text-is('History') + ol > li")
    expect(history).to_have_count(4)
    sam = re.escape(f"{world.supplier_user.full_name} (Acme Grounds Ltd)")
    expect(history).to_have_text(
        [
            re.compile(r"The system raised the flag"),
            re.compile(rf"{sam} acknowledged the flag"),
            re.compile(rf"{sam} added an action\s+“{re.escape(ACTION)}”, {OWNER}"),
            re.compile(
                rf"{re.escape(world.manager.full_name)} \(Northmoor City Council\) waived the "
                rf"flag\s+{re.escape(WAIVER)}"
            ),
        ]
    )

    # Sam sees it closed: no form to add to the plan any more.
    visit(supplier, supplier_flag)
    expect(summary_value(supplier, "Status")).to_have_text("Waived")
    expect(supplier.get_by_role("button", name="Add to the recovery plan")).to_have_count(0)

    # 5. The Q1 2025/26 return arrives and is accepted: its overdue flag resolves itself.
    contract = db.session.get(Contract, contract_id)
    assert contract is not None
    period = next(p for p in periods if p.label == RESOLVED)
    ret = returns.start(contract, period, by=world.supplier_user)
    for line in ret.lines:
        line.figure = Decimal(2)
        line.narrative = f"{line.commitment.measure.name}: see the payroll extract."
    returns.submit(
        ret,
        by=world.supplier_user,
        declaration="Confirmed by the supplier.",
        workforce_records=0,
        evidence=[],
    )
    decisions = [LineDecision(line.id, LineReview.ACCEPTED, "") for line in ret.lines]
    returns.review(ret, decisions, by=world.manager, expected_version=ret.version)
    compliance.refresh([contract_id], calendar.today())
    data.commit()
    resolved = db.session.scalar(
        select(Flag).where(Flag.contract_id == contract_id, Flag.summary.contains(RESOLVED))
    )
    assert resolved is not None and resolved.status is FlagStatus.RESOLVED
    data.commit()

    go_to(manager, "Flags")
    expect(
        body_rows(manager.get_by_role("table", name="Flags", exact=True)).filter(
            has_text=f"The {RESOLVED} return was due on"
        )
    ).to_have_count(0)  # only open flags by default
    filter_flags(manager, "Flags", Status="Any status")
    expect(manager.get_by_label("Status", exact=True)).to_have_value("all")
    everything = manager.get_by_role("table", name="Flags", exact=True)
    expect(flag_row(everything, RESOLVED).locator("td").nth(3)).to_have_text("Resolved")
    expect(flag_row(everything, ANSWERED).locator("td").nth(3)).to_have_text("Waived")
    flag_link(flag_row(everything, RESOLVED), overdue_summaries[RESOLVED]).click()
    arrive(manager, OVERDUE_FLAG, re.compile(r"/council/flags/\d+$"))
    expect(summary_value(manager, "Status")).to_have_text("Resolved")
    expect(summary_value(manager, "Closed")).to_contain_text(
        "Resolved itself: the return was submitted"
    )
    expect(manager.get_by_role("button", name="Waive flag")).to_have_count(0)
