"""Bulk import of contracts: a preview with row-by-row errors, then one transaction."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from portal.data import audit, commit, contract_imports, contracts
from portal.data.models import Commitment, Contract, ContractImport, Organisation
from portal.domain.contract_import import COLUMNS
from portal.extensions import db
from tests.conftest import World, sign_in_as
from tests.support import PortalClient

CONTRACT = {
    "Title": "Grounds maintenance",
    "Supplier": "Acme Grounds Ltd",
    "Contract manager email": "cm@northmoor.example",
    "Value (£)": "250000",
    "Start date": "01/04/2025",
    "End date": "31/03/2028",
}
ROW = [CONTRACT.get(column, "") for column in COLUMNS]
REFERENCE, TITLE, SUPPLIER, MANAGER, START, END, MEASURE, TARGET = (
    COLUMNS.index(c)
    for c in (
        "Contract reference",
        "Title",
        "Supplier",
        "Contract manager email",
        "Start date",
        "End date",
        "Measure code",
        "Target",
    )
)


def rows_for(contracts: int) -> list[list[str]]:
    """Two commitment rows per contract."""
    rows = []
    for number in range(contracts):
        for code, target in (("LOCAL_HIRES", "10"), ("APPRENTICE_STARTS", "2")):
            row = list(ROW)
            row[REFERENCE], row[MEASURE], row[TARGET] = f"IMP-{number:04d}", code, target
            rows.append(row)
    return rows


def as_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def as_xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client: PortalClient, content: bytes, filename: str = "contracts.csv") -> str:
    response = client.submit(
        "/council/contracts/import",
        {"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_one_bad_row_in_500_refuses_everything_then_the_fixed_file_imports(
    as_manager: PortalClient, world: World
) -> None:
    rows = rows_for(250)
    rows[321][END] = "01/01/2024"  # row 323 in the spreadsheet: ends before it starts
    contracts_before, commitments_before = count(Contract), count(Commitment)
    preview = as_manager.get(upload(as_manager, as_csv(rows))).get_data(as_text=True)
    assert "We checked 500 rows and found 1 problem" in preview
    assert re.search(
        r">323</td>\s*<td[^>]*>End date must be the same as or after the start date", preview
    )
    assert "Import 250 contracts" not in preview
    assert (count(Contract), count(Commitment)) == (contracts_before, commitments_before)

    rows[321][END] = "31/03/2028"
    location = upload(as_manager, as_csv(rows))
    preview = as_manager.get(location).get_data(as_text=True)
    assert "500 rows make 250 contracts with 500 commitments" in preview
    response = as_manager.submit(location)
    assert response.status_code == 302
    assert count(Contract) == contracts_before + 250
    assert count(Commitment) == commitments_before + 500
    # Confirming the same upload again creates nothing more.
    again = as_manager.submit(location, form_page="/council/contracts")
    assert again.status_code == 302 and count(Contract) == contracts_before + 250


def test_every_kind_of_row_error_is_named(as_manager: PortalClient, world: World) -> None:
    rows = rows_for(6)
    rows[0][MEASURE] = "MADE_UP"  # unknown measure
    rows[2][START] = "31/02/2025"  # not a real date
    rows[4][SUPPLIER] = "Nobody Ltd"  # unknown supplier
    rows[6][REFERENCE] = "NCC-001"  # reference already in the portal
    rows[8][MANAGER] = "stranger@example.org"  # not a manager here
    rows[10][TITLE] = "A different title"  # contract details disagree between rows
    preview = as_manager.get(upload(as_manager, as_csv(rows))).get_data(as_text=True)
    for message in [
        "Measure code MADE_UP is not in the catalogue",
        "Start date must be a real date, like 01/04/2025",
        "Supplier &#39;Nobody Ltd&#39; is not in the portal",
        "Contract reference NCC-001 already exists",
        "stranger@example.org is not a contract manager at this council",
        "Row 13 has different contract details for IMP-0005 than row 12",
    ]:
        assert message in preview, message


def test_excel_files_import_too(as_manager: PortalClient, world: World) -> None:
    location = upload(as_manager, as_xlsx(rows_for(3)), "contracts.xlsx")
    assert "6 rows make 3 contracts with 6 commitments" in as_manager.get(location).get_data(
        as_text=True
    )
    as_manager.submit(location)
    assert db.session.scalar(select(Contract).where(Contract.reference == "IMP-0002"))


def refused(client: PortalClient, content: bytes, filename: str = "contracts.csv") -> str:
    """The upload form's error for a file that cannot be read (nothing is kept)."""
    imports_before = count(ContractImport)
    response = client.submit(
        "/council/contracts/import",
        {"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert count(ContractImport) == imports_before
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    message = re.search(
        r'<p id="file-error" class="govuk-error-message">\s*'
        r'<span class="govuk-visually-hidden">Error:</span>([^<]*)</p>',
        page,
    )
    assert message, page
    return html.unescape(message.group(1).strip())


def test_files_are_judged_by_content_not_name(as_manager: PortalClient, world: World) -> None:
    executable = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" * 10
    message = "The selected file must be a CSV or Excel (.xlsx) file"
    assert refused(as_manager, executable, "contracts.csv") == message
    assert refused(as_manager, b"PK\x03\x04not really a workbook", "contracts.xlsx") == message


def test_a_wrong_header_says_which_columns_are_missing(
    as_manager: PortalClient, world: World
) -> None:
    preview = as_manager.get(upload(as_manager, b"Reference,Name\nA,B\n")).get_data(as_text=True)
    assert "The header row is missing: Contract reference, Title" in preview


def test_no_file_chosen(as_manager: PortalClient) -> None:
    response = as_manager.submit(
        "/council/contracts/import", {}, content_type="multipart/form-data"
    )
    assert "Select a CSV or Excel file" in response.get_data(as_text=True)


def test_an_upload_is_only_for_the_person_who_made_it(app, world: World) -> None:  # noqa: ANN001
    location = upload(sign_in_as(app, world.manager), as_csv(rows_for(1)))
    colleague = sign_in_as(app, world.other_manager)
    assert colleague.get(location).status_code == 404


def test_the_template_has_the_columns_and_an_example(as_manager: PortalClient) -> None:
    text = as_manager.get("/council/contracts/import/template.csv").get_data(as_text=True)
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert header == COLUMNS
    xlsx = as_manager.get("/council/contracts/import/template.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [cell.value for cell in sheet[1]] == COLUMNS and sheet.max_row == 3


def test_an_export_imports_back_as_a_template_would(as_manager: PortalClient, world: World) -> None:
    """Exported text cells that look like formulas are escaped, and read back unescaped."""
    rows = rows_for(1)
    rows[0][TITLE] = rows[1][TITLE] = "=SUM(A1)"
    location = upload(as_manager, as_csv(rows))
    as_manager.submit(location)
    contract = db.session.scalar(select(Contract).where(Contract.reference == "IMP-0000"))
    assert contract is not None and contract.title == "=SUM(A1)"


def with_columns(**values: str) -> list[str]:
    """ROW with these columns set (spaces in a column's name written as underscores)."""
    row = list(ROW)
    for name, value in values.items():
        row[COLUMNS.index(name.replace("_", " "))] = value
    return row


ONE_YEAR = {"Start_date": "01/04/2025", "End_date": "31/03/2026"}  # Q1 to Q4 2025/26
GREENWAY = {"Supplier": "Greenway Grounds Ltd", "New_supplier_postcode": "m4 5ab", "SME": "yes"}


def test_an_import_adds_a_new_supplier_once_and_saves_quarterly_profiles(
    as_manager: PortalClient, world: World
) -> None:
    rows = [
        with_columns(
            Contract_reference="IMP-1",
            Measure_code="LOCAL_HIRES",
            Target="12",
            Profile="Q1 2025/26=0; Q2 2025/26=2; Q3 2025/26=4; Q4 2025/26=6",
            **GREENWAY,
            **ONE_YEAR,
        ),
        with_columns(
            Contract_reference="IMP-1",
            Measure_code="APPRENTICE_STARTS",
            Target="2",
            **GREENWAY,
            **ONE_YEAR,
        ),
        # Another contract names the new supplier without repeating its details.
        with_columns(Contract_reference="IMP-2", Supplier="greenway grounds ltd"),
    ]
    organisations_before = count(Organisation)
    location = upload(as_manager, as_csv(rows))
    preview = as_manager.get(location).get_data(as_text=True)
    assert "3 rows make 2 contracts with 2 commitments, 1 of them with a quarterly profile" in (
        " ".join(preview.split())
    )
    assert "<li>Greenway Grounds Ltd, M4 5AB, SME</li>" in preview
    assert preview.count("New supplier</strong>") == 2  # beside each of its contracts
    assert count(Organisation) == organisations_before  # nothing saved before confirming

    response = as_manager.submit(location, follow_redirects=True)
    assert (
        "2 contracts imported with 2 commitments and 1 quarterly profile; 1 new supplier added"
        in response.get_data(as_text=True)
    )
    [greenway] = db.session.scalars(
        select(Organisation).where(Organisation.name == "Greenway Grounds Ltd")
    )
    assert (greenway.postcode, greenway.is_sme, greenway.is_vcse) == ("M4 5AB", True, False)
    imported = db.session.scalars(select(Contract).where(Contract.reference.like("IMP-%"))).all()
    assert {c.supplier_id for c in imported} == {greenway.id}
    hires = next(
        c
        for c in db.session.scalars(
            select(Commitment).where(Commitment.contract_id == imported[0].id)
        )
        if c.measure.code == "LOCAL_HIRES"
    )
    assert contracts.profile_of(hires) == {
        (2025, 1): Decimal(0),
        (2025, 2): Decimal(2),
        (2025, 3): Decimal(4),
        (2025, 4): Decimal(6),
    }
    history = [e.action for e in audit.history("commitment", hires.id)]
    assert history == ["profile changed", "created"]  # newest first


def test_new_supplier_and_profile_mistakes_are_named_row_by_row(
    as_manager: PortalClient, world: World
) -> None:
    rows = [
        with_columns(
            Contract_reference="IMP-1",
            Measure_code="LOCAL_HIRES",
            Target="12",
            Profile="Q1 2025/26=3; Q2 2025/26=3",
            **GREENWAY,
            **ONE_YEAR,
        ),
        with_columns(Contract_reference="IMP-2", Supplier="Nobody Ltd"),
        with_columns(Contract_reference="IMP-3", New_supplier_postcode="M1 1AA"),  # Acme exists
    ]
    organisations_before = count(Organisation)
    preview = as_manager.get(upload(as_manager, as_csv(rows))).get_data(as_text=True)
    for row_number, message in [
        (2, "Profile for LOCAL_HIRES: enter a figure for Q3 2025/26 and Q4 2025/26"),
        (
            3,
            "Supplier &#39;Nobody Ltd&#39; is not in the portal: check the spelling, or give its "
            "New supplier postcode to add it",
        ),
        (
            4,
            "Supplier &#39;Acme Grounds Ltd&#39; is already in the portal: leave New supplier "
            "postcode, SME and VCSE empty",
        ),
    ]:
        assert re.search(rf">{row_number}</td>\s*<td[^>]*>{re.escape(message)}", preview), message
    assert count(Organisation) == organisations_before


def test_the_templates_example_imports_as_it_is(as_manager: PortalClient, world: World) -> None:
    text = as_manager.get("/council/contracts/import/template.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1:]
    for row in rows:  # the example's contract manager works elsewhere
        row[MANAGER] = "cm@northmoor.example"
    location = upload(as_manager, as_csv(rows))
    preview = as_manager.get(location).get_data(as_text=True)
    assert "2 rows make 1 contract with 2 commitments, 1 of them with a quarterly profile" in (
        " ".join(preview.split())
    )
    assert as_manager.submit(location).status_code == 302


def test_an_upload_abandoned_for_a_day_is_cleared_by_the_next_but_imported_ones_stay(
    world: World,
) -> None:
    """Each upload holds its file: one never imported goes after a day; one imported stays, as
    the record of what created the contracts."""
    rows = [["x"]]
    abandoned = contract_imports.store(world.manager, filename="a.csv", content=b"a", rows=rows)
    imported = contract_imports.store(world.manager, filename="b.csv", content=b"b", rows=rows)
    recent = contract_imports.store(world.manager, filename="c.csv", content=b"c", rows=rows)
    contract_imports.mark_imported(imported, 1)
    for old in (abandoned, imported):
        old.created_at -= contract_imports.KEPT_UNIMPORTED_FOR + timedelta(minutes=1)
    commit()
    ids = (abandoned.id, imported.id, recent.id)
    contract_imports.store(world.manager, filename="d.csv", content=b"d", rows=rows)
    commit()
    db.session.expire_all()
    kept = [db.session.get(ContractImport, upload_id) is not None for upload_id in ids]
    assert kept == [False, True, True]
