"""The pages that load spend files (issue 15, item 1): upload, check the columns, read what
happened to each file. Every page goes through PortalClient's HTML checks."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from decimal import Decimal

from flask import Flask
from sqlalchemy import func, select

from portal.data import commit
from portal.data import spend as store
from portal.data.models import SpendFile, SpendPayment, SpendUpload
from portal.extensions import db
from portal.formatting import money
from portal.workflows.spend import load_files
from tests import spend_files
from tests.conftest import World, sign_in_as
from tests.support import PortalClient

LOAD = "/council/spend/load"


def files(*named: tuple[str, bytes]) -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO(content), name) for name, content in named]


def upload(client: PortalClient, *named: tuple[str, bytes]) -> str:
    """Upload the files; the columns page's address."""
    response = client.submit(LOAD, {"files": files(*named)}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def text(response: object) -> str:
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def selected(html: str, name: str) -> str:
    """The text of the selected option of a select box."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    option = re.search(r'<option value="([^"]*)" selected>([^<]*)</option>', select.group(1))
    assert option, f"nothing selected in {name}"
    return option.group(2)


def confirm(client: PortalClient, columns_page: str) -> tuple[str, object]:
    """Post the columns page as it stands (every select box's selected option)."""
    html = client.get(columns_page).get_data(as_text=True)
    answers = {}
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        answers[name] = chosen.group(1) if chosen else ""
    response = client.submit(columns_page, answers)
    return html, response


def test_three_monthly_files_in_two_layouts_load_with_the_columns_proposed(
    app: Flask, world: World
) -> None:
    client = sign_in_as(app, world.manager)
    form = client.get(LOAD)
    assert "multiple" in form.get_data(as_text=True)
    city = spend_files.year_of_files("city", 2024, 120)[:2]
    template = spend_files.year_of_files("template", 2024, 120)[2:3]
    months = spend_files.year_of_payments(2024, 120)[:3]

    columns_page = upload(client, *city, *template)
    html, response = confirm(client, columns_page)
    # Two layouts: each with its own columns, proposed from its headings, and its first rows.
    assert selected(html, "layout-1-payment_date") == "Date Paid"
    assert selected(html, "layout-1-amount") == "Amount (£)"
    assert selected(html, "layout-1-supplier_name") == "Beneficiary"
    assert selected(html, "layout-2-amount") == "Net Amount"
    assert selected(html, "layout-2-supplier_id") == "Supplier ID"
    assert "The first rows of spend-2024-04.csv" in html
    assert "The first rows of Spend_Jun_2024.csv" in html
    # The first rows as the files show them: April's first payment, under its headings.
    assert months[0][1][0].transaction_number in html
    assert f"{months[0][1][0].paid_on:%d.%m.%Y}" in html  # the city writes dd.mm.yyyy

    assert response.status_code == 200  # type: ignore[attr-defined]
    page = text(response)
    assert "Spend files loaded" in page
    for (name, _), (_, payments) in zip([*city, *template], months, strict=True):
        total = sum((p.amount for p in payments), Decimal(0))
        assert f"{name} Loaded Payments added {len(payments)} Net total {money(total)}" in page
    loaded = db.session.scalar(select(func.count()).select_from(SpendPayment))
    assert loaded == sum(len(p) for _, p in months)
    assert db.session.scalar(select(func.count()).select_from(SpendUpload)) == 0

    # The same files again: already loaded, nothing added.
    again = upload(client, city[0])
    _, response = confirm(client, again)
    page = text(response)
    assert "Already loaded" in page and "it adds nothing" in page
    assert db.session.scalar(select(func.count()).select_from(SpendPayment)) == loaded


def test_a_person_can_choose_other_columns_and_must_choose_the_required_ones(
    app: Flask, world: World
) -> None:
    client = sign_in_as(app, world.manager)
    odd = b"When,How much,Who,Why\r\n01/04/2024,10.00,Acme,Parks\r\n02/04/2024,5.00,Bolt,Roads\r\n"
    columns_page = upload(client, ("odd.csv", odd))
    response = client.submit(columns_page, {"layout-1-payment_date": "0"})
    assert response.status_code == 200
    page = text(response)
    assert page.count("Select the column that holds the amount in odd.csv") == 2  # summary, box
    assert "Select the column that holds the supplier name in odd.csv" in page
    response = client.submit(
        columns_page,
        {"layout-1-payment_date": "0", "layout-1-amount": "0", "layout-1-supplier_name": "2"},
    )
    assert "‘When’ is read as the payment date" in text(response)
    response = client.submit(
        columns_page,
        {
            "layout-1-payment_date": "0",
            "layout-1-amount": "1",
            "layout-1-supplier_name": "2",
            "layout-1-service_area": "3",
        },
    )
    assert "Spend files loaded" in text(response)
    areas = set(db.session.scalars(select(SpendPayment.service_area)))
    assert areas == {"Parks", "Roads"}
    # Remembered: the next upload's page starts from them.
    html = client.get(upload(client, ("may.csv", odd.replace(b"/04/", b"/05/")))).get_data(
        as_text=True
    )
    assert selected(html, "layout-1-amount") == "How much"
    assert "loaded with last time" in html


def test_a_file_with_bad_rows_lists_them_and_saves_nothing(app: Flask, world: World) -> None:
    client = sign_in_as(app, world.manager)
    rows = ["Date Paid,Amount,Supplier", "01/04/2024,100.00,Acme Ltd"]
    rows += [f"31/04/2024,{n}.00,Acme Ltd" for n in range(105)]  # 105 impossible dates
    rows += ["02/04/2024,twelve,Bolt Ltd"]
    bad = ("\r\n".join(rows) + "\r\n").encode()
    good = b"Date Paid,Amount,Supplier\r\n01/05/2024,10.00,Bolt Ltd\r\n"
    _, response = confirm(client, upload(client, ("bad.csv", bad), ("good.csv", good)))
    page = text(response)
    assert "What happened to your files" in page
    assert "bad.csv Not loaded" in page
    assert "nothing from this file was saved" in page
    assert "Row 3 Payment date must be a real date, like 31/03/2025" in page
    assert "Row 102 Payment date" in page and "Row 103 Payment date" not in page
    assert "and 6 more problems not listed" in page  # rows 103 to 107, and row 108
    assert "good.csv Loaded" in page
    assert [f.filename for f in db.session.scalars(select(SpendFile))] == ["good.csv"]
    assert list(db.session.scalars(select(SpendPayment.amount))) == [Decimal("10.00")]


def test_an_overlapping_file_asks_then_replaces_or_is_left_out(app: Flask, world: World) -> None:
    header = "Date Paid,Amount,Supplier"
    april = f"{header}\r\n01/04/2024,100.00,Acme Ltd\r\n10/04/2024,200.00,Acme Ltd\r\n".encode()
    load_files(world.council, [("april.csv", april)], by=world.manager)
    correction = f"{header}\r\n10/04/2024,210.00,Acme Ltd\r\n".encode()
    client = sign_in_as(app, world.manager)

    columns_page = upload(client, ("correction.csv", correction))
    upload_id = int(columns_page.rsplit("/", 1)[-1])
    _, response = confirm(client, columns_page)
    page = text(response)
    assert "correction.csv Waiting for your answer" in page
    assert "1 payment on those dates is already loaded from april.csv" in page
    assert "Replace the payments on these dates" in page and "Leave this file out" in page
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    hidden = re.search(r'name="columns" type="hidden" value="([^"]*)"', html)
    assert hidden
    sent_columns = hidden.group(1).replace("&#34;", '"').replace("&quot;", '"')
    assert json.loads(sent_columns) == [
        {"payment_date": "Date Paid", "amount": "Amount", "supplier_name": "Supplier"}
    ]

    overlap = f"{LOAD}/{upload_id}/overlap"
    response = client.post(
        overlap, data={"csrf_token": client.csrf_token(LOAD), "columns": sent_columns}
    )
    assert response.status_code == 200
    assert "Select whether to replace the payments or leave the file out" in text(response)

    response = client.post(
        overlap,
        data={"csrf_token": client.csrf_token(LOAD), "columns": sent_columns, "choice": "replace"},
    )
    page = text(response)
    assert "correction.csv Loaded" in page
    assert "Replaced 1 payment already loaded on those dates, from april.csv" in page
    amounts = sorted(db.session.scalars(select(SpendPayment.amount)))
    assert amounts == [Decimal("100.00"), Decimal("210.00")]
    assert client.post(overlap, data={"csrf_token": client.csrf_token(LOAD)}).status_code == 404

    # Left out: nothing saved, the upload gone.
    other = f"{header}\r\n01/04/2024,1.00,Castle Ltd\r\n".encode()
    columns_page = upload(client, ("other.csv", other))
    _, response = confirm(client, columns_page)
    upload_id = int(columns_page.rsplit("/", 1)[-1])
    response = client.post(
        f"{LOAD}/{upload_id}/overlap",
        data={"csrf_token": client.csrf_token(LOAD), "choice": "leave"},
        follow_redirects=True,
    )
    assert "other.csv left out: nothing from it was saved" in text(response)
    assert db.session.scalar(select(func.count()).select_from(SpendUpload)) == 0
    assert len(list(db.session.scalars(select(SpendPayment.id)))) == 2


def test_bad_uploads_are_refused_and_nothing_is_kept(app: Flask, world: World) -> None:
    client = sign_in_as(app, world.manager)
    cases = [
        ({}, "Select one or more CSV or Excel files"),
        ({"files": files(("notes.txt", b"a,b,c\r\n1,2,3\r\n"))}, "notes.txt must be a CSV"),
        ({"files": files(("empty.csv", b""))}, "empty.csv: the file is empty"),
        (
            {
                "files": files(
                    ("ok.csv", b"Date Paid,Amount,Supplier\r\n"), ("bad.xlsx", b"PK\x03\x04x")
                )
            },
            "bad.xlsx: the file must be a CSV or Excel",
        ),
    ]
    for data, message in cases:
        response = client.submit(LOAD, data, content_type="multipart/form-data")
        assert response.status_code == 200
        page = text(response)
        assert "There is a problem" in page and message in page, page
    assert db.session.scalar(select(func.count()).select_from(SpendUpload)) == 0


def test_an_upload_is_its_uploaders_alone_and_suppliers_cannot_load(
    app: Flask, world: World
) -> None:
    theirs = store.keep_upload(world.other_manager, [("x.csv", b"Date Paid,Amount,Supplier\r\n")])
    commit()
    client = sign_in_as(app, world.manager)
    assert client.get(f"{LOAD}/{theirs.id}").status_code == 404
    token = client.csrf_token(LOAD)
    assert client.post(f"{LOAD}/{theirs.id}", data={"csrf_token": token}).status_code == 404
    overlap = f"{LOAD}/{theirs.id}/overlap"
    assert client.post(overlap, data={"csrf_token": token, "choice": "leave"}).status_code == 404
    assert store.upload_for(world.other_manager, theirs.id) is not None  # still there

    supplier = sign_in_as(app, world.supplier_user)
    assert supplier.get(LOAD).status_code == 403
    assert supplier.get(f"{LOAD}/{theirs.id}").status_code == 403


def test_an_upload_abandoned_for_a_day_is_cleared_by_the_next(
    world: World, as_manager: PortalClient
) -> None:
    old = store.keep_upload(world.manager, [("old.csv", b"a,b\n1,2\n")])
    recent = store.keep_upload(world.manager, [("recent.csv", b"a,b\n1,2\n")])
    old.created_at = old.created_at - store.UPLOAD_KEPT_FOR - timedelta(minutes=1)
    commit()
    old_id, recent_id = old.id, recent.id
    store.keep_upload(world.manager, [("new.csv", b"a,b\n1,2\n")])
    commit()
    db.session.expire_all()
    assert db.session.get(SpendUpload, old_id) is None
    assert db.session.get(SpendUpload, recent_id) is not None  # newer than a day: kept
