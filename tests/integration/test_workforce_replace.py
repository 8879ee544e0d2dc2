"""An upload never silently replaces a return's people: the supplier sees what changes and
confirms it, the template's example rows are refused, and the replaced list can be put back
until the return is submitted (issue 13, item 9). Also the upload's row limit (item 10)."""

from __future__ import annotations

import io
import re
from decimal import Decimal

from sqlalchemy import func, select

from portal.data.models import KeptSchedule, Return, WorkforceEntry
from portal.data.types import ReturnStatus
from portal.extensions import db
from portal.spreadsheets import MAX_ROWS
from tests.integration import test_returns
from tests.integration.test_returns import PEOPLE, fill_lines, schedule, upload_people
from tests.support import PortalClient

ret = test_returns.ret  # the fixture: a started return for the first quarter of 2025/26


def people(ret: Return) -> dict[str, Decimal]:
    """The return's people as stored: worker reference -> weekly hours."""
    query = select(WorkforceEntry.worker_reference, WorkforceEntry.weekly_hours).where(
        WorkforceEntry.return_id == ret.id
    )
    return {reference: hours for reference, hours in db.session.execute(query)}


def summary(html: str) -> dict[str, str]:
    """The confirmation page's summary list: each key and its value, as text."""
    pairs = re.findall(
        r'govuk-summary-list__key">\s*(.*?)\s*</dt>\s*<dd class="govuk-summary-list__value">'
        r"\s*(.*?)\s*</dd>",
        html,
        re.S,
    )
    return dict(pairs)


def figures(ret: Return) -> dict[str, Decimal | None]:
    db.session.refresh(ret)
    return {line.commitment.measure.code: line.figure for line in ret.lines}


# A-5 leaves the list, A-6 joins it, and A-2 works 20 hours instead of 18.5.
NEW_PEOPLE = [
    PEOPLE[0],
    [*PEOPLE[1][:5], "20", *PEOPLE[1][6:]],
    PEOPLE[2],
    PEOPLE[3],
    ["A-6", "M1 4DD", "18-24", "02/06/2025", "", "37", "100", "new hire", "", ""],
]


def test_an_upload_over_recorded_people_shows_what_changes_and_waits_to_be_confirmed(
    as_supplier: PortalClient, ret: Return
) -> None:
    first = upload_people(as_supplier, ret, schedule(PEOPLE))
    assert first.headers["Location"] == f"/supplier/returns/{ret.id}/workforce"  # nobody before
    before = people(ret)

    second = upload_people(as_supplier, ret, schedule(NEW_PEOPLE))
    confirm = f"/supplier/returns/{ret.id}/workforce/upload/confirm"
    assert second.headers["Location"] == confirm
    assert people(ret) == before  # nothing replaced yet
    page = as_supplier.get(confirm).get_data(as_text=True)
    assert summary(page) == {
        "Recorded now": "5 people",
        "After the upload": "5 people",
        "Added": "1 person",
        "Removed": "1 person",
        "Changed": "1 person",
        "Unchanged": "3 people",
    }
    assert "Weekly hours from 18.5 to 20" in page
    assert "A-6" in page and "A-5" in page
    people_page = as_supplier.get(f"/supplier/returns/{ret.id}/workforce").get_data(as_text=True)
    assert "An upload of 5 people is waiting for you to confirm it" in people_page

    confirmed = as_supplier.submit(confirm)
    assert confirmed.headers["Location"] == f"/supplier/returns/{ret.id}/workforce"
    after = people(ret)
    assert set(after) == {"A-1", "A-2", "A-3", "A-4", "A-6"} and after["A-2"] == Decimal(20)
    shown = as_supplier.get(f"/supplier/returns/{ret.id}/workforce").get_data(as_text=True)
    assert "5 people replaced by the 5 people in the upload" in shown
    assert "Put back the 5 people from before the upload" in shown
    assert as_supplier.get(confirm).headers["Location"].endswith("/workforce")  # none waiting


def test_an_upload_that_drops_most_people_is_pointed_out(
    as_supplier: PortalClient, ret: Return
) -> None:
    upload_people(as_supplier, ret, schedule(PEOPLE))
    upload_people(as_supplier, ret, schedule(PEOPLE[:1]))
    html = as_supplier.get(f"/supplier/returns/{ret.id}/workforce/upload/confirm").get_data(
        as_text=True
    )
    assert summary(html) == {
        "Recorded now": "5 people",
        "After the upload": "1 person",
        "Added": "0 people",
        "Removed": "4 people",
        "Changed": "0 people",
        "Unchanged": "1 person",
    }
    assert "The upload removes 4 people of the 5 people recorded now" in html


def test_the_replaced_people_can_be_put_back_until_the_return_is_submitted(
    as_supplier: PortalClient, ret: Return
) -> None:
    upload_people(as_supplier, ret, schedule(PEOPLE))
    original, counted = people(ret), figures(ret)
    upload_people(as_supplier, ret, schedule(PEOPLE[:1]))
    as_supplier.submit(f"/supplier/returns/{ret.id}/workforce/upload/confirm")
    assert set(people(ret)) == {"A-1"}
    assert figures(ret) != counted

    workforce_page = f"/supplier/returns/{ret.id}/workforce"
    restored = as_supplier.submit(
        f"/supplier/returns/{ret.id}/workforce/restore", form_page=workforce_page
    )
    assert restored.headers["Location"] == workforce_page
    assert people(ret) == original and figures(ret) == counted
    page = as_supplier.get(workforce_page).get_data(as_text=True)
    assert "5 people put back as before the upload" in page
    assert "Put back the" not in page  # one step, once

    # Replaced again, then submitted: the earlier list is gone with the chance to put it back.
    upload_people(as_supplier, ret, schedule(PEOPLE[:4]))
    as_supplier.submit(f"/supplier/returns/{ret.id}/workforce/upload/confirm")
    upload_people(as_supplier, ret, schedule(PEOPLE))  # a second upload left waiting
    assert db.session.scalar(select(func.count()).select_from(KeptSchedule)) == 2
    fill_lines(as_supplier, ret)
    as_supplier.submit(
        f"/supplier/returns/{ret.id}/evidence",
        {"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "payroll.pdf"), "attach_to": ""},
        content_type="multipart/form-data",
    )
    submitted = as_supplier.submit(f"/supplier/returns/{ret.id}/check", {"confirm": "y"})
    assert submitted.headers["Location"] == f"/supplier/returns/{ret.id}/submitted"
    db.session.refresh(ret)
    assert ret.status is ReturnStatus.SUBMITTED
    assert db.session.scalar(select(func.count()).select_from(KeptSchedule)) == 0
    assert "Put back the" not in as_supplier.get(workforce_page).get_data(as_text=True)
    assert len(people(ret)) == 4


def test_cancelling_an_upload_leaves_the_people_as_they_were(
    as_supplier: PortalClient, ret: Return
) -> None:
    upload_people(as_supplier, ret, schedule(PEOPLE))
    before = people(ret)
    upload_people(as_supplier, ret, schedule(PEOPLE[:2]))
    confirm = f"/supplier/returns/{ret.id}/workforce/upload/confirm"
    cancelled = as_supplier.submit(
        f"/supplier/returns/{ret.id}/workforce/upload/cancel", form_page=confirm
    )
    assert cancelled.headers["Location"] == f"/supplier/returns/{ret.id}/workforce"
    assert people(ret) == before
    assert db.session.scalar(select(func.count()).select_from(KeptSchedule)) == 0
    page = as_supplier.get(f"/supplier/returns/{ret.id}/workforce").get_data(as_text=True)
    assert "Upload cancelled: the people recorded have not changed" in page


def test_a_confirmation_from_a_page_older_than_a_change_is_refused_and_shown_again(
    as_supplier: PortalClient, ret: Return
) -> None:
    upload_people(as_supplier, ret, schedule(PEOPLE))
    upload_people(as_supplier, ret, schedule(PEOPLE[:2]))
    confirm = f"/supplier/returns/{ret.id}/workforce/upload/confirm"
    stale = as_supplier.hidden_fields(confirm)
    # Meanwhile (another tab, a colleague) someone is removed from the list recorded now.
    entry = db.session.scalar(
        select(WorkforceEntry).where(WorkforceEntry.worker_reference == "A-5")
    )
    assert entry is not None
    as_supplier.submit(
        f"/supplier/returns/{ret.id}/workforce/{entry.id}/remove",
        form_page=f"/supplier/returns/{ret.id}/workforce",
    )
    refused = as_supplier.post(confirm, data=stale)
    assert refused.headers["Location"] == confirm
    assert set(people(ret)) == {"A-1", "A-2", "A-3", "A-4"}  # the upload did not go through
    page = as_supplier.get(confirm).get_data(as_text=True)
    assert "Someone else changed this return" in page
    assert summary(page)["Recorded now"] == "4 people"


def test_the_template_uploaded_with_its_example_rows_is_refused(
    as_supplier: PortalClient, ret: Return
) -> None:
    upload_people(as_supplier, ret, schedule(PEOPLE))
    before = people(ret)
    for file_format in ("csv", "xlsx"):
        template = as_supplier.get(f"/supplier/workforce-template.{file_format}").data
        html = as_supplier.submit(
            f"/supplier/returns/{ret.id}/workforce/upload",
            {"file": (io.BytesIO(template), f"template.{file_format}")},
            content_type="multipart/form-data",
        ).get_data(as_text=True)
        assert "3 problems need fixing: nobody has been saved" in html
        for reference in ("GW-0147", "GW-0032", "GW-0151"):
            assert (
                f"This is an example row from the template (worker reference {reference}): "
                "delete the example rows and add your own people"
            ) in html
        assert people(ret) == before
        assert db.session.scalar(select(func.count()).select_from(KeptSchedule)) == 0


def test_the_upload_form_takes_as_many_rows_as_it_says_and_refuses_one_more(
    as_supplier: PortalClient, ret: Return
) -> None:
    row = PEOPLE[0]
    rows = [[f"P-{n}", *row[1:]] for n in range(MAX_ROWS)]
    accepted = upload_people(as_supplier, ret, schedule(rows))
    assert accepted.headers["Location"] == f"/supplier/returns/{ret.id}/workforce"
    stored = select(func.count()).where(WorkforceEntry.return_id == ret.id)
    assert db.session.scalar(stored) == MAX_ROWS == 20_000

    html = upload_people(as_supplier, ret, schedule([*rows, ["P-x", *row[1:]]])).get_data(
        as_text=True
    )
    assert "must have 20,000 rows or fewer below the header" in html
    assert db.session.scalar(stored) == MAX_ROWS
