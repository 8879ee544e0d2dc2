"""Loading published spend files into the database (issue 15, design brief section 5b): each file
all or nothing, the same file never twice, overlapping dates replaced only when asked."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from portal.config import Settings
from portal.data import commit, spend_analysis
from portal.data import spend as store
from portal.data.models import (
    AuditEvent,
    Organisation,
    Payee,
    PayeeName,
    SpendFile,
    SpendPayment,
    SpendUploadFile,
    User,
)
from portal.data.types import Role
from portal.domain.spend import SpendField
from portal.extensions import db
from portal.workflows.spend import Outcome, load_files, load_upload, preview_columns
from tests import factories, spend_files


@pytest.fixture
def council(app: Flask) -> Organisation:
    council = factories.council("Northmoor City Council")
    commit()
    return council


@pytest.fixture
def manager(council: Organisation) -> User:
    user = factories.user(Role.CONTRACT_MANAGER, council, email="cm@northmoor.example")
    commit()
    return user


def payments_of(council: Organisation) -> list[SpendPayment]:
    query = (
        select(SpendPayment)
        .where(SpendPayment.council_id == council.id)
        .order_by(SpendPayment.paid_on, SpendPayment.file_id, SpendPayment.row_number)
    )
    return list(db.session.scalars(query))


def total(rows: list[SpendPayment]) -> Decimal:
    return sum((row.amount for row in rows), Decimal(0))


def csv_file(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


# A month worked by hand: two identical lines (two payments), a credit note under another
# spelling of the same supplier, a payment to a person, one in the previous financial year.
HAND_WORKED = csv_file(
    "Date Paid,Amount,Supplier,Service Area",
    '01/04/2024,"£1,000.00",Acme Ltd,Highways',
    '01/04/2024,"£1,000.00",Acme Ltd,Highways',
    "02/04/2024,-£250.50,ACME LIMITED,Highways",
    "03/04/2024,£300.25,Redacted Personal Information,Adult Social Care",
    "31/03/2024,£99.99,Bolt Facilities Ltd,Corporate Services",
    encoding="cp1252",
)


def test_a_month_worked_by_hand(council: Organisation, manager: User) -> None:
    acme = factories.supplier("Acme Ltd", added_by=council)
    factories.supplier("Acme Limited")  # another council's supplier: never matched
    commit()
    [summary] = load_files(council, [("april.csv", HAND_WORKED)], by=manager)

    assert summary.outcome is Outcome.LOADED
    # 1,000 + 1,000 - 250.50 + 300.25 + 99.99
    assert (summary.payments, summary.net_total) == (5, Decimal("2149.74"))
    assert (summary.first_paid_on, summary.last_paid_on) == (date(2024, 3, 31), date(2024, 4, 3))
    assert summary.lines() == [
        "april.csv: 5 payments added, net total £2,149.74, paid 31 March 2024 to 3 April 2024"
    ]
    rows = payments_of(council)
    assert [(r.row_number, r.paid_on, r.amount, r.financial_year) for r in rows] == [
        (6, date(2024, 3, 31), Decimal("99.99"), 2023),
        (2, date(2024, 4, 1), Decimal("1000.00"), 2024),
        (3, date(2024, 4, 1), Decimal("1000.00"), 2024),  # the identical line counts too
        (4, date(2024, 4, 2), Decimal("-250.50"), 2024),
        (5, date(2024, 4, 3), Decimal("300.25"), 2024),
    ]
    by_name = {row.supplier_name: row for row in rows}
    # Both spellings are one payee, matched to the council's supplier of that name.
    acme_payee = db.session.get(Payee, by_name["Acme Ltd"].payee_id)
    assert acme_payee is not None and by_name["ACME LIMITED"].payee_id == acme_payee.id
    assert (acme_payee.name, acme_payee.organisation_id) == ("Acme Ltd", acme.id)
    assert not acme_payee.organisation_confirmed  # a proposal until a person confirms it
    # The person's payment counts in the totals, with no payee.
    assert by_name["Redacted Personal Information"].payee_id is None
    bolt = db.session.get(Payee, by_name["Bolt Facilities Ltd"].payee_id)
    assert bolt is not None and bolt.organisation_id is None  # known only from spend
    assert bolt.is_public_body is None and bolt.is_sme is None  # nobody has said
    assert sorted(db.session.scalars(select(PayeeName.normalised_name))) == [
        "acme",
        "bolt facilities",
    ]
    assert by_name["Acme Ltd"].service_area == "Highways"
    assert by_name["Acme Ltd"].transaction_number is None  # the file has no such column

    spend_file = db.session.scalars(select(SpendFile)).one()
    assert (spend_file.payments, spend_file.net_total, spend_file.loaded_by_id) == (
        5,
        Decimal("2149.74"),
        manager.id,
    )
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "spend_file"))
    [loaded] = event.all()
    assert (loaded.action, loaded.actor_id, loaded.object_id) == (
        "loaded",
        manager.id,
        spend_file.id,
    )
    assert loaded.after is not None and loaded.after["payments"] == 5
    assert loaded.after["columns"] == {
        "payment_date": "Date Paid",
        "amount": "Amount",
        "supplier_name": "Supplier",
        "service_area": "Service Area",
    }
    assert store.remembered_columns(council.id) == {
        SpendField.PAYMENT_DATE: "Date Paid",
        SpendField.AMOUNT: "Amount",
        SpendField.SUPPLIER_NAME: "Supplier",
        SpendField.SERVICE_AREA: "Service Area",
    }

    assert store.years_of(council.id) == [
        store.YearTotal(2023, 1, Decimal("99.99")),
        store.YearTotal(2024, 4, Decimal("2049.75")),
    ]
    assert totals_by_payee(council.id, 2024) == {
        acme_payee.id: Decimal("1749.50"),
        None: Decimal("300.25"),  # the person's payment
    }

    # The same file again, under any name, adds nothing and says so.
    [again] = load_files(council, [("april (1).csv", HAND_WORKED)], by=manager)
    assert again.outcome is Outcome.ALREADY_LOADED and again.file_id == spend_file.id
    assert again.lines()[0].startswith("april (1).csv: already loaded on ")
    assert again.lines()[0].endswith("; nothing added")
    assert len(payments_of(council)) == 5
    assert db.session.scalar(select(func.count()).select_from(Payee)) == 2


def test_a_year_in_each_of_two_layouts_loads_and_loading_it_again_adds_nothing(
    council: Organisation, manager: User
) -> None:
    city = spend_files.year_of_files("city", 2024, 1_200)
    template = spend_files.year_of_files("template", 2025, 1_200)
    workbook = spend_files.year_of_files("template-xlsx", 2026, 240)[:1]
    expected = {
        starting: [p for _, month in spend_files.year_of_payments(starting, n) for p in month]
        for starting, n in ((2024, 1_200), (2025, 1_200))
    }
    april_2026 = spend_files.year_of_payments(2026, 240)[0][1]

    done: list[tuple[int, int, str]] = []
    summaries = load_files(
        council, city, by=manager, progress=lambda n, of, s: done.append((n, of, s.filename))
    )
    assert done == [(n, 12, name) for n, (name, _) in enumerate(city, start=1)]
    # The template's headers are not the city's: the remembered columns do not fit, so the
    # template's are proposed from its headers.
    summaries += load_files(council, template + workbook, by=manager)

    assert [s.outcome for s in summaries] == [Outcome.LOADED] * 25
    by_month = {s.filename: s for s in summaries}
    for starting, files in ((2024, city), (2025, template)):
        months = spend_files.year_of_payments(starting, 1_200)
        for (name, _), (_, month) in zip(files, months, strict=True):
            assert by_month[name].payments == len(month)
            assert by_month[name].net_total == sum(p.amount for p in month)
    assert by_month["Spend_Apr_2026.xlsx"].payments == len(april_2026)

    rows = payments_of(council)
    years = Counter(row.financial_year for row in rows)
    assert years == {2024: 1_200, 2025: 1_200, 2026: len(april_2026)}
    for year, payments in expected.items():
        in_year = [row for row in rows if row.financial_year == year]
        assert total(in_year) == sum(p.amount for p in payments)
        # Identical lines are all there: as many of each as the files hold.
        assert Counter(
            (r.paid_on, r.amount, r.supplier_name, r.transaction_number) for r in in_year
        ) == Counter((p.paid_on, p.amount, p.supplier_name, p.transaction_number) for p in payments)
    assert any(
        n > 1 for n in Counter((p.transaction_number, p.paid_on) for p in expected[2024]).values()
    )
    redacted = [row for row in rows if row.supplier_name == spend_files.REDACTED]
    assert redacted and all(row.payee_id is None for row in redacted)
    assert all(row.payee_id is not None for row in rows if row not in redacted)
    # Two spellings of Northtown Building Services are one payee; 14 suppliers in all.
    assert db.session.scalar(select(func.count()).select_from(Payee)) == 13
    template_rows = [row for row in rows if row.financial_year == 2025]
    assert {row.published_supplier_id for row in template_rows} >= {"V1001", "V2002"}
    assert store.remembered_columns(council.id) == {
        SpendField.PAYMENT_DATE: "Payment Date",
        SpendField.AMOUNT: "Net Amount",
        SpendField.SUPPLIER_NAME: "Supplier Name",
        SpendField.TRANSACTION_NUMBER: "Transaction Number",
        SpendField.SERVICE_AREA: "Expense Area",
        SpendField.EXPENSE_TYPE: "Expense Type",
        SpendField.SUPPLIER_ID: "Supplier ID",
    }

    assert [(y.financial_year, y.payments) for y in store.years_of(council.id)] == [
        (2024, 1_200),
        (2025, 1_200),
        (2026, len(april_2026)),
    ]
    by_payee = totals_by_payee(council.id, 2024)
    assert sum(by_payee.values()) == sum(p.amount for p in expected[2024])
    assert by_payee[None] == sum(
        p.amount for p in expected[2024] if p.supplier_name == spend_files.REDACTED
    )

    again = load_files(council, city + template, by=manager)
    assert [s.outcome for s in again] == [Outcome.ALREADY_LOADED] * 24
    assert len(payments_of(council)) == len(rows)
    assert db.session.scalar(select(func.count()).select_from(SpendFile)) == 25


def test_a_file_with_bad_rows_saves_nothing_and_lists_every_one(
    council: Organisation, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two rows a statement, so that good rows are saved before the bad ones are met: they
    # must go too, and so must the payees they made.
    monkeypatch.setattr(store, "CHUNK", 2)
    bad = csv_file(
        "Date Paid,Amount,Supplier",
        "01/04/2024,100.00,Acme Ltd",
        "02/04/2024,200.00,Bolt Ltd",
        "03/04/2024,300.00,Castle Ltd",
        "31/04/2024,12.50,Acme Ltd",
        "04/04/2024,twelve,",
        "05/04/2024,50.00,Acme Ltd",
        "tomorrow,1.00,Acme Ltd",
    )
    good = csv_file("Date Paid,Amount,Supplier", "01/05/2024,10.00,Bolt Ltd", "02/05/2024,5,Dove")
    [refused, loaded] = load_files(council, [("bad.csv", bad), ("good.csv", good)], by=manager)

    assert refused.outcome is Outcome.REFUSED
    assert [(p.row, p.messages) for p in refused.problems] == [
        (5, ("Payment date must be a real date, like 31/03/2025",)),
        (
            6,
            (
                "Amount must be an amount in pounds, like 1,234.56 or -12.00",
                "Enter the supplier name",
            ),
        ),
        (8, ("Payment date must be a date, like 31/03/2025",)),
    ]
    assert refused.lines() == [
        "bad.csv: not loaded: nothing from this file was saved",
        "  row 5: Payment date must be a real date, like 31/03/2025",
        "  row 6: Amount must be an amount in pounds, like 1,234.56 or -12.00",
        "  row 6: Enter the supplier name",
        "  row 8: Payment date must be a date, like 31/03/2025",
    ]
    # The good file in the same load went in, with payees of its own names only.
    assert loaded.outcome is Outcome.LOADED and loaded.payments == 2
    rows = payments_of(council)
    assert [(row.supplier_name, row.amount) for row in rows] == [
        ("Bolt Ltd", Decimal("10.00")),
        ("Dove", Decimal("5.00")),
    ]
    assert sorted(db.session.scalars(select(Payee.name))) == ["Bolt Ltd", "Dove"]
    assert all(row.payee_id is not None for row in rows)
    assert [f.filename for f in db.session.scalars(select(SpendFile))] == ["good.csv"]


def test_a_file_that_cannot_be_read_or_has_no_payments_is_refused(council: Organisation) -> None:
    empty = csv_file("Date Paid,Amount,Supplier")
    unknown = csv_file("When,How much,Who", "01/04/2024,1.00,Acme")
    summaries = load_files(
        council,
        [("empty.csv", empty), ("unknown.csv", unknown), ("nothing.csv", b"")],
        by=None,
    )
    assert [s.outcome for s in summaries] == [Outcome.REFUSED] * 3
    assert summaries[0].problems[0].messages == ("The selected file has no payments in it",)
    assert summaries[1].problems[0].row == 1
    assert summaries[1].problems[0].messages == (
        "The selected file has no column for the payment date: choose the column that holds it",
        "The selected file has no column for the amount: choose the column that holds it",
        "The selected file has no column for the supplier name: choose the column that holds it",
    )
    assert summaries[2].problems[0].row is None
    assert db.session.scalar(select(func.count()).select_from(SpendFile)) == 0
    assert store.remembered_columns(council.id) is None


def test_columns_a_person_chose_are_remembered_for_the_next_load(council: Organisation) -> None:
    header = "When,How much,Who,Why"
    april = csv_file(header, "01/04/2024,1.00,Acme,Parks")
    may = csv_file(header, "01/05/2024,2.00,Acme,Parks")
    chosen = {
        SpendField.PAYMENT_DATE: "When",
        SpendField.AMOUNT: "how much",  # headers match whatever their case
        SpendField.SUPPLIER_NAME: "Who",
    }
    [first] = load_files(council, [("april.csv", april)], chosen, by=None)
    assert first.outcome is Outcome.LOADED
    [second] = load_files(council, [("may.csv", may)], by=None)
    assert second.outcome is Outcome.LOADED
    assert store.remembered_columns(council.id) == {
        SpendField.PAYMENT_DATE: "When",
        SpendField.AMOUNT: "How much",
        SpendField.SUPPLIER_NAME: "Who",
    }
    # Columns given that the file does not have: refused, saying which.
    [missing] = load_files(
        council,
        [("june.csv", csv_file(header, "01/06/2024,1,A"))],
        {SpendField.AMOUNT: "Net"},
        by=None,
    )
    assert missing.outcome is Outcome.REFUSED
    assert missing.problems[0].messages == (
        "The selected file has no column called ‘Net’ for the amount",
    )


def test_a_file_overlapping_loaded_dates_asks_then_replaces_them(
    council: Organisation, manager: User
) -> None:
    header = "Date Paid,Amount,Supplier"
    april = csv_file(
        header,
        "01/04/2024,100.00,Acme Ltd",
        "10/04/2024,200.00,Acme Ltd",
        "20/04/2024,300.00,Bolt Ltd",
    )
    may = csv_file(header, "02/05/2024,50.00,Bolt Ltd")
    load_files(council, [("april.csv", april), ("may.csv", may)], by=manager)
    # A corrected part of April: 10 to 15 April.
    correction = csv_file(header, "10/04/2024,210.00,Acme Ltd", "15/04/2024,5.00,Castle Ltd")

    [asks] = load_files(council, [("correction.csv", correction)], by=manager)
    assert asks.outcome is Outcome.OVERLAPS
    assert (asks.overlapping, asks.overlapping_files) == (1, ("april.csv",))
    assert asks.lines() == [
        "correction.csv: not loaded: payments dated 10 April 2024 to 15 April 2024 are "
        "already loaded (1 payment from april.csv); load it again choosing to replace them"
    ]
    assert total(payments_of(council)) == Decimal("650.00")
    assert db.session.scalar(select(func.count()).select_from(Payee)) == 2  # no Castle yet

    [replaced] = load_files(
        council, [("correction.csv", correction)], by=manager, replace_overlap=True
    )
    assert replaced.outcome is Outcome.LOADED and replaced.replaced == 1
    assert replaced.lines() == [
        "correction.csv: 2 payments added, net total £215, paid 10 April 2024 to 15 April 2024, "
        "replacing 1 payment already loaded on those dates"
    ]
    rows = payments_of(council)
    assert [(row.paid_on.day, row.amount) for row in rows] == [
        (1, Decimal("100.00")),
        (10, Decimal("210.00")),
        (15, Decimal("5.00")),
        (20, Decimal("300.00")),
        (2, Decimal("50.00")),
    ]
    files = {f.filename: f for f in db.session.scalars(select(SpendFile))}
    # April's file now holds the payments it still has.
    assert (files["april.csv"].payments, files["april.csv"].net_total) == (2, Decimal("400.00"))
    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "spend_file",
            AuditEvent.object_id == files["correction.csv"].id,
        )
    ).one()
    assert event.after is not None
    assert (event.after["replaced_payments"], event.after["replaced_from"]) == (1, ["april.csv"])

    # A whole new April replaces the old file and the correction: both go.
    new_april = csv_file(header, "01/04/2024,1.00,Acme Ltd", "30/04/2024,2.00,Acme Ltd")
    [whole] = load_files(council, [("april-v2.csv", new_april)], by=manager, replace_overlap=True)
    assert whole.replaced == 4
    assert sorted(db.session.scalars(select(SpendFile.filename))) == ["april-v2.csv", "may.csv"]
    assert total(payments_of(council)) == Decimal("53.00")
    # The replaced file is not "already loaded" any more: it overlaps instead.
    [old] = load_files(council, [("april.csv", april)], by=manager)
    assert old.outcome is Outcome.OVERLAPS


def test_councils_keep_their_own_payees_and_files(council: Organisation) -> None:
    other = factories.council("Southmere Borough Council")
    commit()
    load_files(council, [("april.csv", HAND_WORKED)], by=None)
    [theirs] = load_files(other, [("april.csv", HAND_WORKED)], by=None)
    assert theirs.outcome is Outcome.LOADED  # the same file, another council's
    assert len(payments_of(other)) == 5
    payee_councils = Counter(db.session.scalars(select(Payee.council_id)))
    assert payee_councils == {council.id: 2, other.id: 2}


# The command line


def write(tmp_path: Path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_flask_spend_load_prints_each_file_and_exits_1_on_a_refused_row(
    app: Flask, council: Organisation, tmp_path: Path
) -> None:
    runner = app.test_cli_runner()
    april = write(tmp_path, "april.csv", HAND_WORKED)
    may = write(
        tmp_path, "may.csv", csv_file("Date Paid,Amount,Supplier", "01/05/2024,10,Bolt Ltd")
    )
    result = runner.invoke(args=["spend", "load", april, may, "--council", str(council.id)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "april.csv: 5 payments added, net total £2,149.74, paid 31 March 2024 to 3 April 2024",
        "may.csv: 1 payment added, net total £10, paid 1 May 2024",
    ]
    [summary] = [json.loads(line) for line in result.stderr.splitlines()]
    assert summary["event"] == "job finished" and summary["job"] == "spend load"
    counts = {"files": 2, "loaded": 2, "refused": 0, "overlaps": 0, "payments": 6}
    assert summary | counts == summary
    assert "april" not in result.stderr  # no file names in the log

    again = runner.invoke(args=["spend", "load", april, "--council", "northmoor city council"])
    assert again.exit_code == 0
    assert "april.csv: already loaded on" in again.stdout

    bad = write(tmp_path, "june.csv", csv_file("Date Paid,Amount,Supplier", "31/06/2024,1,A"))
    refused = runner.invoke(args=["spend", "load", bad, "--council", "Northmoor City Council"])
    assert refused.exit_code == 1
    assert refused.stdout.splitlines() == [
        "june.csv: not loaded: nothing from this file was saved",
        "  row 2: Payment date must be a real date, like 31/03/2025",
    ]
    overlap = write(tmp_path, "may2.csv", csv_file("Date Paid,Amount,Supplier", "01/05/2024,9,B"))
    asks = runner.invoke(args=["spend", "load", overlap, "--council", str(council.id)])
    assert asks.exit_code == 1 and "already loaded (1 payment from may.csv)" in asks.stdout
    replaces = runner.invoke(
        args=["spend", "load", overlap, "--council", str(council.id), "--replace"]
    )
    assert replaces.exit_code == 0 and "replacing 1 payment" in replaces.stdout
    assert total(payments_of(council)) == Decimal("2158.74")


def test_flask_spend_load_reads_the_columns_given(
    app: Flask, council: Organisation, tmp_path: Path
) -> None:
    runner = app.test_cli_runner()
    odd = write(tmp_path, "odd.csv", csv_file("When,How much,Who", "01/04/2024,7.50,Acme"))
    refused = runner.invoke(args=["spend", "load", odd, "--council", str(council.id)])
    assert refused.exit_code == 1 and "no column for the payment date" in refused.stdout
    columns = ["--column", "payment_date=When", "--column", "amount=How much"]
    result = runner.invoke(
        args=[
            "spend",
            "load",
            odd,
            "--council",
            str(council.id),
            *columns,
            "--column",
            "supplier_name=Who",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "odd.csv: 1 payment added, net total £7.50" in result.stdout
    wrong = runner.invoke(args=["spend", "load", odd, "--column", "date=When"])
    assert wrong.exit_code == 2 and "FIELD=HEADER" in wrong.output
    nobody = runner.invoke(args=["spend", "load", odd, "--council", "Atlantis"])
    assert nobody.exit_code == 2 and "no council is called Atlantis" in nobody.output


def test_two_loads_at_once_save_each_file_and_each_payee_once(
    app: Flask, council: Organisation, settings: Settings
) -> None:
    """Two people (or the timer and a person) loading at the same moment: PostgreSQL makes the
    second wait for the first's file and payees, then it reads its file again."""
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite lets one writer in at a time")
    april, may, june = spend_files.year_of_files("city", 2024, 2_400)[:3]
    council_id = council.id
    start = threading.Barrier(2)
    results: dict[str, list[Outcome]] = {}
    failures: list[BaseException] = []

    def load(name: str, files: list[tuple[str, bytes]]) -> None:
        with app.app_context():
            try:
                start.wait()
                found = db.session.get(Organisation, council_id)
                assert found is not None
                results[name] = [s.outcome for s in load_files(found, files, by=None)]
            except BaseException as error:  # noqa: BLE001 (reported by the test)
                failures.append(error)
            finally:
                db.session.remove()

    # The same file twice, and two months naming the same new payees.
    threads = [
        threading.Thread(target=load, args=("first", [april])),
        threading.Thread(target=load, args=("second", [april])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert sorted(results.values()) == [[Outcome.ALREADY_LOADED], [Outcome.LOADED]]
    results.clear()
    threads = [
        threading.Thread(target=load, args=("may", [may])),
        threading.Thread(target=load, args=("june", [june])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert sorted(results.values()) == [[Outcome.LOADED], [Outcome.LOADED]]
    db.session.rollback()
    names = db.session.scalars(select(PayeeName.normalised_name)).all()
    assert len(names) == len(set(names)) == 13


def test_the_database_keeps_a_councils_payments_to_its_own_files_and_payees(
    council: Organisation,
) -> None:
    other = factories.council("Southmere Borough Council")
    commit()
    load_files(council, [("april.csv", HAND_WORKED)], by=None)
    load_files(
        other, [("may.csv", csv_file("Date Paid,Amount,Supplier", "01/05/2024,1,Zed"))], by=None
    )
    theirs = db.session.scalars(select(Payee).where(Payee.council_id == other.id)).one()
    ours = payments_of(council)[0]

    def refused(statement: str, **params: object) -> None:
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.execute(text(statement), params)

    refused("UPDATE spend_payments SET payee_id = :p WHERE id = :id", p=theirs.id, id=ours.id)
    their_file = db.session.scalars(select(SpendFile).where(SpendFile.council_id == other.id))
    refused(
        "UPDATE spend_payments SET file_id = :f WHERE id = :id", f=their_file.one().id, id=ours.id
    )
    refused("UPDATE spend_files SET first_paid_on = NULL")  # dates while it has payments
    refused("UPDATE spend_files SET last_paid_on = '2000-01-01'")  # last before first
    refused(
        "INSERT INTO payee_names (council_id, normalised_name, payee_id) VALUES (:c, 'x', :p)",
        c=council.id,
        p=theirs.id,
    )


def test_an_upload_page_can_show_the_columns_it_will_read(council: Organisation) -> None:
    city = spend_files.year_of_files("city", 2024, 120)[0][1]
    template = spend_files.year_of_files("template", 2024, 120)[0][1]
    preview = preview_columns(council, city)
    assert (preview.header_row, preview.remembered, preview.problems) == (3, False, ())
    assert preview.headers == spend_files.CITY_HEADERS
    assert preview.columns == {
        SpendField.SERVICE_AREA: "Directorate",
        SpendField.EXPENSE_TYPE: "Expenditure Category",
        SpendField.PAYMENT_DATE: "Date Paid",
        SpendField.TRANSACTION_NUMBER: "Transaction No.",
        SpendField.AMOUNT: "Amount (£)",
        SpendField.SUPPLIER_NAME: "Beneficiary",
    }
    chosen = preview.columns | {SpendField.SERVICE_AREA: "Organisation Name"}
    load_files(council, [("april.csv", city)], chosen, by=None)
    again = preview_columns(council, city)
    assert again.remembered and again.columns == chosen
    # Another layout: proposed from its own headers.
    other = preview_columns(council, template)
    assert not other.remembered and other.columns[SpendField.AMOUNT] == "Net Amount"
    unknown = preview_columns(council, csv_file("When,How much,Who", "01/04/2024,1,A"))
    assert unknown.columns == {} and len(unknown.problems) == 3


def test_payees_are_proposed_a_supplier_that_joins_later_and_spellings_merge(
    council: Organisation, manager: User
) -> None:
    header = "Date Paid,Amount,Supplier"
    april = csv_file(
        header,
        "01/04/2024,100.00,Acme Grounds Ltd",
        "02/04/2024,50.00,Acme Grnds",
        "03/04/2024,25.00,Bolt Facilities",
        "04/04/2024,10.00,Redacted",
    )
    load_files(council, [("april.csv", april)], by=manager)
    payees = {payee.name: payee for payee in store.payees_of(council.id)}
    assert all(payee.organisation_id is None for payee in payees.values())

    acme = factories.supplier("ACME GROUNDS LIMITED", added_by=council)
    factories.supplier("Bolt Facilities Ltd")  # not this council's: never proposed
    commit()
    assert store.propose_organisations(council.id) == 1
    commit()
    db.session.expire_all()
    assert payees["Acme Grounds Ltd"].organisation_id == acme.id
    assert payees["Acme Grounds Ltd"].version == 2  # a form opened before is stale
    assert payees["Bolt Facilities"].organisation_id is None
    assert store.propose_organisations(council.id) == 0  # already proposed

    keep = payees["Acme Grounds Ltd"]
    store.merge_payees(keep, [payees["Acme Grnds"]], by=manager)
    commit()
    assert totals_by_payee(council.id, 2024) == {
        keep.id: Decimal("150.00"),
        payees["Bolt Facilities"].id: Decimal("25.00"),
        None: Decimal("10.00"),
    }
    # The merged spelling now finds the kept payee when it is loaded again.
    may = csv_file(header, "01/05/2024,5.00,ACME GRNDS")
    load_files(council, [("may.csv", may)], by=manager)
    assert totals_by_payee(council.id, 2024)[keep.id] == Decimal("155.00")
    assert [p.name for p in store.payees_of(council.id)] == ["Acme Grounds Ltd", "Bolt Facilities"]
    merged = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "merged", AuditEvent.object_id == keep.id)
    ).one()
    assert merged.after == {"merged": [{"id": payees["Acme Grnds"].id, "name": "Acme Grnds"}]}
    other = factories.council("Southmere Borough Council")
    commit()
    load_files(other, [("april.csv", april)], by=None)
    theirs = store.payees_of(other.id)[0]
    with pytest.raises(ValueError, match="within one council"):
        store.merge_payees(keep, [theirs], by=manager)


def test_an_upload_is_kept_until_each_file_is_done_with(
    council: Organisation, manager: User
) -> None:
    header = "Date Paid,Amount,Supplier"
    load_files(council, [("may.csv", csv_file(header, "01/05/2024,1.00,Acme"))], by=manager)
    april = csv_file(header, "01/04/2024,10.00,Acme")
    may = csv_file(header, "01/05/2024,2.00,Acme")  # a corrected May
    bad = csv_file(header, "31/06/2024,1.00,Acme")
    upload = store.keep_upload(manager, [("april.csv", april), ("may2.csv", may), ("bad.csv", bad)])
    commit()
    other = factories.user(Role.CONTRACT_MANAGER, council)
    commit()
    assert store.upload_for(other, upload.id) is None  # only its uploader's
    found = store.upload_for(manager, upload.id)
    assert found is not None
    preview = preview_columns(council, store.upload_contents(found)[0][1])
    assert preview.remembered and not preview.problems

    outcomes = [s.outcome for s in load_upload(found, by=manager)]
    assert outcomes == [Outcome.LOADED, Outcome.OVERLAPS, Outcome.REFUSED]
    db.session.expire_all()
    kept = store.upload_for(manager, upload.id)
    assert kept is not None and [f.filename for f in kept.files] == ["may2.csv"]
    [replaced] = load_upload(kept, by=manager, replace_overlap=True)
    assert replaced.outcome is Outcome.LOADED and replaced.replaced == 1
    assert store.upload_for(manager, upload.id) is None  # gone with its last file
    assert total(payments_of(council)) == Decimal("12.00")

    store.keep_upload(manager, [("empty.csv", b"")])
    commit()
    assert store.discard_uploads_before(datetime.now(UTC) + timedelta(seconds=1)) == 1
    commit()
    assert db.session.scalar(select(func.count()).select_from(SpendUploadFile)) == 0


def totals_by_payee(council_id: int, financial_year: int) -> dict[int | None, Decimal]:
    """Each payee's net spend in the year (None: the redacted payments), as the analysis
    reads it."""
    return {
        row.payee_id: row.total
        for row in spend_analysis.payee_years(council_id)
        if row.financial_year == financial_year
    }
