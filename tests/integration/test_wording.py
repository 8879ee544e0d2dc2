"""Every sentence true to its figures: one of anything reads in the singular, on pages, in flash
messages and in emails. The page check (tests/support.py) refuses "1 returns" on every page and
email; these tests make the portal write each sentence about exactly one thing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from portal.calendar import today
from portal.config import Settings
from portal.data import commit, contracts, flags, returns
from portal.data.types import FlagKind, FlagSeverity, Role
from portal.domain.periods import reporting_periods
from portal.jobs import reminders
from portal.jobs.outbox import work_once
from portal.workflows import compliance
from tests import factories
from tests.conftest import World, sign_in_as
from tests.integration.test_import import as_csv, rows_for, upload
from tests.integration.test_returns import PEOPLE, schedule, upload_people
from tests.support import Mailbox, PortalClient, free_port

LONDON = ZoneInfo("Europe/London")


def text_after_redirect(client: PortalClient, response: object) -> str:
    location = response.headers["Location"]  # type: ignore[attr-defined]
    return client.get(location).get_data(as_text=True)


def test_one_person_uploaded_and_copied(world: World, as_supplier: PortalClient) -> None:
    url = f"/supplier/contracts/{world.contract.id}"
    as_supplier.submit(f"{url}/returns/2025/1", form_page=url)
    first = returns.find(world.contract.id, 2025, 1)
    assert first is not None
    page = text_after_redirect(as_supplier, upload_people(as_supplier, first, schedule(PEOPLE[:1])))
    assert "1 person uploaded" in page
    assert '<h2 class="govuk-heading-m">1 person</h2>' in page

    as_supplier.submit(f"{url}/returns/2025/2", form_page=url)
    second = returns.find(world.contract.id, 2025, 2)
    assert second is not None
    copied = as_supplier.submit(
        f"/supplier/returns/{second.id}/workforce/copy",
        {"version": second.version},
        form_page=f"/supplier/returns/{second.id}/workforce",
    )
    assert "1 person copied from last quarter" in text_after_redirect(as_supplier, copied)
    task_list = as_supplier.get(f"/supplier/returns/{second.id}").get_data(as_text=True)
    assert "1 person recorded" in task_list and "0 files attached" in task_list


def test_one_contract_imported_with_one_commitment(as_manager: PortalClient, world: World) -> None:
    location = upload(as_manager, as_csv(rows_for(1)[:1]))
    preview = as_manager.get(location).get_data(as_text=True)
    assert "1 row makes 1 contract with 1 commitment." in preview
    assert "Import 1 contract" in preview
    done = as_manager.submit(location)
    page = text_after_redirect(as_manager, done)
    assert "1 contract imported with 1 commitment" in page


def test_a_list_of_one_contract_says_this_contract(as_manager: PortalClient, world: World) -> None:
    page = as_manager.get("/council/contracts?show=mine").get_data(as_text=True)
    assert "Download this contract as" in page  # the manager has only NCC-001


def test_one_overdue_return_on_the_supplier_dashboard(app: Flask, world: World) -> None:
    # A contract whose first quarter's return is the only one past its due date.
    periods = reporting_periods(today() - timedelta(days=800), today() + timedelta(days=800))
    last_due = [p for p in periods if p.due_on < today()][-1]
    supplier = factories.supplier("Single Overdue Ltd")
    person = factories.user(Role.SUPPLIER_USER, supplier)
    contract = contracts.create(
        council=world.council,
        reference="NCC-ONE",
        title="Cleaning",
        supplier=supplier,
        manager=world.manager,
        value=Decimal(1000),
        start_on=last_due.starts_on,
        end_on=last_due.starts_on + timedelta(days=700),
        is_kpi_contract=False,
        by=world.manager,
    )
    contracts.add_commitment(
        contract, factories.measure(world.council, "LOCAL_HIRES"), target=Decimal(4), by=None
    )
    compliance.refresh_contract(contract.id, today())
    commit()
    page = sign_in_as(app, person).get("/supplier/").get_data(as_text=True)
    assert "1 return overdue" in page


def test_the_weekly_digest_of_one_flag_and_one_return(
    app: Flask, world: World, mailbox: Mailbox
) -> None:
    flags.raise_flag(
        "test:one",
        kind=FlagKind.SHORTFALL,
        severity=FlagSeverity.LOW,
        contract_id=world.contract.id,
        summary="Local people hired: behind",
    )
    factories.submitted_return(world.contract, world.supplier_user)
    commit()
    mailbox.clear()
    monday = today() + timedelta(days=(7 - today().weekday()) % 7 or 7)
    reminders.send(datetime.combine(monday, time(9), tzinfo=LONDON))
    [digest] = [m for m in mailbox.to("cm@northmoor.example") if "to review" in m["Subject"]]
    assert digest["Subject"] == "Social value: 1 new flag and 1 return to review"
    assert "- 1 new flag\r\n- 1 return waiting for your review" in mailbox.body(digest)


@pytest.fixture
def settings_of_one(app: Flask, settings: Settings) -> Iterator[None]:
    app.config["SETTINGS"] = replace(
        settings,
        return_due_days=1,
        invitation_valid_days=1,
        password_reset_valid_minutes=1,
        session_hours=1,
    )
    yield
    app.config["SETTINGS"] = settings


@pytest.mark.usefixtures("settings_of_one")
def test_settings_of_one_read_in_the_singular(
    app: Flask, world: World, client: PortalClient, mailbox: Mailbox
) -> None:
    calendar = sign_in_as(app, world.supplier_user).get(f"/supplier/contracts/{world.contract.id}")
    assert "A return is due 1 day after each quarter ends" in calendar.get_data(as_text=True)
    admin = sign_in_as(app, world.admin)
    assert "expires in 1 day." in admin.get("/admin/users/invite").get_data(as_text=True)
    manager = sign_in_as(app, world.manager)
    invite_page = manager.get(f"/council/suppliers/{world.other_supplier.id}/invite")
    assert "expires in 1 day." in invite_page.get_data(as_text=True)
    assert "1 hour" in client.get("/cookies").get_data(as_text=True)
    checked = client.submit("/forgot-password", {"email": "cm@northmoor.example"})
    work_once()  # the delivery worker writes and sends the reset email
    assert "expires in 1 minute." in checked.get_data(as_text=True)
    admin.submit(
        "/admin/users/invite",
        {
            "full_name": "Nia Jones",
            "email": "nia@acme.example",
            "role": "supplier_user",
            "organisation": str(world.other_supplier.id),
        },
    )
    [invitation] = mailbox.delivered().to("nia@acme.example")
    assert "expires in 1 day." in mailbox.body(invitation)
    [reset] = mailbox.delivered().to("cm@northmoor.example")
    assert "expires in 1 minute." in mailbox.body(reset)


def test_an_invitation_that_could_not_be_sent_is_not_called_sent(
    app: Flask, world: World, settings: Settings
) -> None:
    manager = sign_in_as(app, world.manager)
    form = f"/council/suppliers/{world.other_supplier.id}/invite"
    app.config["SETTINGS"] = replace(settings, smtp_port=free_port())
    try:
        done = manager.submit(form, {"full_name": "Nia Jones", "email": "nia@acme.example"})
    finally:
        app.config["SETTINGS"] = settings
    page = text_after_redirect(manager, done)
    # Written to the outbox for the delivery worker: on its way, not sent.
    assert "An invitation to nia@acme.example is being sent" in page
    assert "Invitation sent" not in page
